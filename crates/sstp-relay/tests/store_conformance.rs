//! `RedbStore` behaves exactly as `MemoryStore`: the [MS-GRVSSTPS] §4
//! scenarios (Figures 7, 8, 9) and identity registration are driven through
//! the real engines, with the same seeded RNG, against both stores; the
//! byte transcripts and the resulting records must be identical. Then the
//! redb file is reopened and a reconnect still authenticates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use crypto_primitives::elgamal::{Group, KeyForm};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sstp_relay::RedbStore;
use sstp_security_core::cert::{RelayCertificateParams, RelayIdentity};
use sstp_security_core::client::{
    AccountObject, AccountState, ClientEngine, ClientEvent, ClientOptions, DeviceObject,
    IdentityObject,
};
use sstp_security_core::keys::{ClientKeyPairs, EncryptionAlgorithm, generate_secret_key};
use sstp_security_core::relay::{RelayEngine, RelayEvent, RelayIo, RelayOptions};
use sstp_security_core::store::{
    AccountRegistration, CommitOutcome, DeviceRegistration, MemoryStore, Registration, RelayStore,
};

const RELAY_URL: &str = "grooveDNS://relay.contoso.com";
const DEVICE_A: &str = "dpp:///devicea";
const DEVICE_B: &str = "dpp:///deviceb";
const ACCOUNT: &str = "grooveAccount://account@";
const ID_1: &str = "grooveIdentity://one@";
const ID_2: &str = "grooveIdentity://two@";
const TOKEN: &str = "4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973";
const NOW: u32 = 0x4791_14D1;

struct Fixture {
    relay: RelayIdentity,
    device_a: Arc<DeviceObject>,
    device_b: Arc<DeviceObject>,
    account: AccountObject,
}

fn fixture() -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let group = Group::groove2007();
    let relay = RelayIdentity::generate(
        &mut rng,
        &RelayCertificateParams {
            relay_url: RELAY_URL.into(),
            not_before: 1_000_000_000,
            not_after: 3_000_000_000,
            rsa_bits: 1024,
            group: group.clone(),
            key_form: KeyForm::Groove2007,
        },
    )
    .unwrap();
    let mut device = |url: &str| {
        Arc::new(DeviceObject {
            device_url: url.into(),
            device_key: generate_secret_key(&mut rng),
            keys: ClientKeyPairs::generate(&mut rng, 1024, EncryptionAlgorithm::Elgamal, &group)
                .unwrap(),
        })
    };
    let device_a = device(DEVICE_A);
    let device_b = device(DEVICE_B);
    let account = AccountObject {
        account_url: ACCOUNT.into(),
        device_urls: vec![DEVICE_A.into()],
        account_key: generate_secret_key(&mut rng),
        keys: ClientKeyPairs::generate(&mut rng, 1024, EncryptionAlgorithm::Rsa, &group).unwrap(),
        active_identities: vec![ID_1.into(), ID_2.into()],
        inactive_identities: vec![],
    };
    Fixture {
        relay,
        device_a,
        device_b,
        account,
    }
}

fn with_identities(a: &AccountObject, active: &[&str], inactive: &[&str]) -> Arc<AccountObject> {
    Arc::new(AccountObject {
        account_url: a.account_url.clone(),
        device_urls: a.device_urls.clone(),
        account_key: a.account_key.dangerous_clone(),
        keys: ClientKeyPairs::new(
            crypto_primitives::RsaSigningKey::from_pkcs8_der(
                a.keys
                    .signature_key()
                    .to_pkcs8_der()
                    .unwrap()
                    .expose_secret(),
            )
            .unwrap(),
            match a.keys.encryption_key() {
                sstp_security_core::keys::EncryptionKeyPair::Rsa(k) => {
                    sstp_security_core::keys::EncryptionKeyPair::Rsa(
                        crypto_primitives::RsaSigningKey::from_pkcs8_der(
                            k.to_pkcs8_der().unwrap().expose_secret(),
                        )
                        .unwrap(),
                    )
                }
                _ => panic!("fixture uses RSA encryption"),
            },
        )
        .unwrap(),
        active_identities: active.iter().map(|s| (*s).to_owned()).collect(),
        inactive_identities: inactive.iter().map(|s| (*s).to_owned()).collect(),
    })
}

struct Sim {
    transcript: Vec<Vec<u8>>,
    client_events: Vec<ClientEvent>,
    relay_events: Vec<RelayEvent>,
    authenticated: bool,
}

/// Drives one connection in memory with a step limit.
fn run<S: RelayStore>(
    f: &Fixture,
    store: &mut S,
    device: &Arc<DeviceObject>,
    account: &Arc<AccountObject>,
    seed: u64,
) -> Sim {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let identities = [IdentityObject {
        identity_url: ID_1.into(),
        account_url: ACCOUNT.into(),
        pre_auth_token: TOKEN.into(),
    }];
    let mut client = ClientEngine::new(
        ClientOptions::default(),
        f.relay.certificate().clone(),
        Arc::clone(device),
        vec![Arc::clone(account)],
        &identities,
    );
    let mut relay = RelayEngine::new(RelayOptions::default());
    let mut sim = Sim {
        transcript: vec![],
        client_events: vec![],
        relay_events: vec![],
        authenticated: false,
    };
    let mut queue: VecDeque<(bool, Vec<u8>)> = client
        .connect(&mut rng, true)
        .unwrap()
        .send
        .into_iter()
        .map(|b| (true, b))
        .collect();
    let mut steps = 0;
    while let Some((to_relay, bytes)) = queue.pop_front() {
        steps += 1;
        assert!(steps < 64, "step limit");
        sim.transcript.push(bytes.clone());
        if to_relay {
            let mut io = RelayIo {
                identity: &f.relay,
                store: &mut *store,
                rng: &mut rng,
                now: NOW,
            };
            let out = relay.handle(&mut io, &bytes).unwrap();
            sim.relay_events.extend(out.events);
            queue.extend(out.send.into_iter().map(|b| (false, b)));
        } else {
            let out = client.handle(&mut rng, NOW, &bytes).unwrap();
            sim.client_events.extend(out.events);
            queue.extend(out.send.into_iter().map(|b| (true, b)));
        }
    }
    sim.authenticated = client.account_state(ACCOUNT) == Some(AccountState::Authenticated)
        && relay.is_account_authenticated(ACCOUNT);
    sim
}

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sstp-relay-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("relay.redb")
}

fn same_records<A: RelayStore, B: RelayStore>(a: &A, b: &B) {
    for d in [DEVICE_A, DEVICE_B] {
        let (x, y) = (a.device(d).unwrap(), b.device(d).unwrap());
        assert_eq!(x.is_some(), y.is_some(), "{d}");
        if let (Some(x), Some(y)) = (x, y) {
            assert_eq!(x.device_key, y.device_key);
            assert_eq!(x.public_keys_object, y.public_keys_object);
            assert_eq!(x.account_urls, y.account_urls);
        }
    }
    let (x, y) = (
        a.account(ACCOUNT).unwrap().unwrap(),
        b.account(ACCOUNT).unwrap().unwrap(),
    );
    assert_eq!(x.account_key, y.account_key);
    assert_eq!(x.public_keys_object, y.public_keys_object);
    assert_eq!(x.device_urls, y.device_urls);
    assert_eq!(x.identity_urls, y.identity_urls);
    for i in [ID_1, ID_2] {
        assert_eq!(a.identity(i).unwrap(), b.identity(i).unwrap(), "{i}");
    }
    assert_eq!(a.user(TOKEN).unwrap(), b.user(TOKEN).unwrap());
}

#[test]
fn redb_store_matches_memory_store_through_the_section_4_scenarios() {
    let f = fixture();
    let path = temp_db("scenarios");
    let mut mem = MemoryStore::new();
    mem.add_user(TOKEN, ACCOUNT);
    let mut redb = RedbStore::open(&path).unwrap();
    redb.add_user(TOKEN, ACCOUNT).unwrap();

    let both_ids = with_identities(&f.account, &[ID_1, ID_2], &[]);
    let only_one = with_identities(&f.account, &[ID_1], &[ID_2]);
    // Figure 7, Figure 8, Figure 9 with an identity removed.
    let steps: [(&Arc<DeviceObject>, &Arc<AccountObject>, u64); 3] = [
        (&f.device_a, &both_ids, 1),
        (&f.device_b, &both_ids, 2),
        (&f.device_a, &only_one, 3),
    ];
    for (i, (device, account, seed)) in steps.into_iter().enumerate() {
        let a = run(&f, &mut mem, device, account, seed);
        let b = run(&f, &mut redb, device, account, seed);
        assert!(a.authenticated, "memory store, step {i}");
        assert_eq!(a.transcript, b.transcript, "step {i}: transcripts differ");
        assert_eq!(a.client_events, b.client_events, "step {i}");
        assert_eq!(a.relay_events, b.relay_events, "step {i}");
        same_records(&mem, &redb);
    }
    let acct = redb.account(ACCOUNT).unwrap().unwrap();
    assert_eq!(
        acct.device_urls.iter().cloned().collect::<Vec<_>>(),
        [DEVICE_A, DEVICE_B]
    );
    assert_eq!(
        acct.identity_urls.iter().cloned().collect::<Vec<_>>(),
        [ID_1]
    );
    assert!(redb.identity(ID_2).unwrap().is_none());

    // The records outlive the process's handle: reopen and reconnect.
    drop(redb);
    let mut reopened = RedbStore::open(&path).unwrap();
    let sim = run(&f, &mut reopened, &f.device_a, &only_one, 4);
    assert!(sim.authenticated);
    assert!(
        sim.relay_events.contains(&RelayEvent::DeviceAuthenticated {
            device_url: DEVICE_A.into()
        }),
        "reconnect must authenticate the device without registration"
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn conflicting_commit_writes_nothing_in_either_store() {
    let path = temp_db("conflict");
    let mut mem = MemoryStore::new();
    let mut redb = RedbStore::open(&path).unwrap();
    let reg = |key: u8, obj: u8, account: AccountRegistration| Registration {
        device: DeviceRegistration {
            device_url: DEVICE_A.into(),
            device_key: sstp_security_core::keys::SecretKey::new([key; 24]),
            public_keys_object: vec![obj; 8],
        },
        account,
    };
    let new_account = |key: u8| AccountRegistration::New {
        account_url: ACCOUNT.into(),
        account_key: sstp_security_core::keys::SecretKey::new([key; 24]),
        public_keys_object: vec![key; 8],
    };
    let on_new = || AccountRegistration::OnNewDevice {
        account_url: "grooveAccount://unknown@".into(),
    };
    // 1: an account on a new device for an unknown account: conflict.
    // 2: a registration: committed.
    // 3: same device, other key: conflict, nothing changes.
    // 4: same device and keys, other account key: conflict.
    let cases = [
        (reg(1, 1, on_new()), CommitOutcome::Conflict),
        (reg(1, 1, new_account(5)), CommitOutcome::Committed),
        (reg(2, 1, new_account(5)), CommitOutcome::Conflict),
        (reg(1, 1, new_account(6)), CommitOutcome::Conflict),
    ];
    for (i, (r, want)) in cases.iter().enumerate() {
        assert_eq!(mem.commit_registration(r).unwrap(), *want, "memory {i}");
        assert_eq!(redb.commit_registration(r).unwrap(), *want, "redb {i}");
    }
    assert!(redb.account("grooveAccount://unknown@").unwrap().is_none());
    let d = redb.device(DEVICE_A).unwrap().unwrap();
    assert_eq!(
        d.device_key,
        Some(sstp_security_core::keys::SecretKey::new([1; 24]))
    );
    assert_eq!(d.account_urls.len(), 1);
    let a = redb.account(ACCOUNT).unwrap().unwrap();
    assert_eq!(
        a.account_key,
        Some(sstp_security_core::keys::SecretKey::new([5; 24]))
    );
    // Identities of an unknown account are ignored by both.
    mem.update_identities("grooveAccount://none@", &[ID_1.into()], &[])
        .unwrap();
    redb.update_identities("grooveAccount://none@", &[ID_1.into()], &[])
        .unwrap();
    assert!(redb.identity(ID_1).unwrap().is_none());
    assert!(mem.identity(ID_1).unwrap().is_none());
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
