//! [MS-GRVSSTPS] engines, both sides, in memory: a full reconnect
//! authentication (device + one account, §4.3) and a full new-account
//! registration (§4.1). Keys are generated once, outside the measurement.

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use crypto_primitives::elgamal::{Group, KeyForm};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sstp_security_core::cert::{RelayCertificateParams, RelayIdentity};
use sstp_security_core::client::{
    AccountObject, ClientEngine, ClientOptions, DeviceObject, IdentityObject,
};
use sstp_security_core::keys::{ClientKeyPairs, EncryptionAlgorithm, generate_secret_key};
use sstp_security_core::relay::{RelayEngine, RelayIo, RelayOptions};
use sstp_security_core::store::MemoryStore;

const ACCOUNT: &str = "grooveAccount://ngmjwbazm9xiz4ets65rr4c9kbxkxphdw6gpk6s@";
const TOKEN: &str = "4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973";

struct Setup {
    identity: RelayIdentity,
    device: Arc<DeviceObject>,
    account: Arc<AccountObject>,
    identities: Vec<IdentityObject>,
}

fn setup() -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let group = Group::groove2007();
    let identity = RelayIdentity::generate(
        &mut rng,
        &RelayCertificateParams {
            relay_url: "grooveDNS://relay.contoso.com".into(),
            not_before: 1_200_000_000,
            not_after: 2_000_000_000,
            rsa_bits: 2048,
            group: group.clone(),
            key_form: KeyForm::Groove2007,
        },
    )
    .unwrap();
    let device = Arc::new(DeviceObject {
        device_url: "dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2".into(),
        device_key: generate_secret_key(&mut rng),
        keys: ClientKeyPairs::generate(&mut rng, 2048, EncryptionAlgorithm::Elgamal, &group)
            .unwrap(),
    });
    let account = Arc::new(AccountObject {
        account_url: ACCOUNT.into(),
        device_urls: vec![],
        account_key: generate_secret_key(&mut rng),
        keys: ClientKeyPairs::generate(&mut rng, 2048, EncryptionAlgorithm::Elgamal, &group)
            .unwrap(),
        active_identities: vec![],
        inactive_identities: vec![],
    });
    let identities = vec![IdentityObject {
        identity_url: "grooveIdentity://tvxab6hv8q6knhmw3vxaujspwshc4g9h@".into(),
        account_url: ACCOUNT.into(),
        pre_auth_token: TOKEN.into(),
    }];
    Setup {
        identity,
        device,
        account,
        identities,
    }
}

/// One full exchange; returns the number of commands exchanged.
fn exchange(s: &Setup, store: &mut MemoryStore, rng: &mut ChaCha20Rng) -> usize {
    let mut client = ClientEngine::new(
        ClientOptions::default(),
        s.identity.certificate().clone(),
        Arc::clone(&s.device),
        vec![Arc::clone(&s.account)],
        &s.identities,
    );
    let mut relay = RelayEngine::new(RelayOptions::default());
    let mut queue: VecDeque<(bool, Vec<u8>)> = client
        .connect(rng, true)
        .unwrap()
        .send
        .into_iter()
        .map(|b| (true, b))
        .collect();
    let mut n = 0;
    while let Some((to_relay, bytes)) = queue.pop_front() {
        n += 1;
        assert!(n < 64);
        if to_relay {
            let mut io = RelayIo {
                identity: &s.identity,
                store: &mut *store,
                rng: &mut *rng,
                now: 1_200_690_385,
            };
            let out = relay.handle(&mut io, &bytes).unwrap();
            queue.extend(out.send.into_iter().map(|b| (false, b)));
        } else {
            let out = client.handle(rng, 1_200_690_385, &bytes).unwrap();
            queue.extend(out.send.into_iter().map(|b| (true, b)));
        }
    }
    assert!(relay.is_account_authenticated(ACCOUNT));
    n
}

fn fresh_store() -> MemoryStore {
    let mut store = MemoryStore::new();
    store.add_user(TOKEN, ACCOUNT);
    store
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let mut registered = fresh_store();
    exchange(&s, &mut registered, &mut rng);

    let mut g = c.benchmark_group("sstp_security");
    g.bench_function("reconnect_device_and_account", |b| {
        b.iter(|| black_box(exchange(&s, &mut registered, &mut rng)));
    });
    g.sample_size(10);
    g.bench_function("registration_new_account_and_device", |b| {
        b.iter(|| {
            let mut store = fresh_store();
            black_box(exchange(&s, &mut store, &mut rng))
        });
    });
    g.finish();
}

criterion_group!(sstp_security, benches);
criterion_main!(sstp_security);
