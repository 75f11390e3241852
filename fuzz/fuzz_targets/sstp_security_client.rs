//! Arbitrary relay commands fed to a client engine ([MS-GRVSSTPS] 3.2)
//! after it sent its Connect. The engine must never panic.
#![no_main]

use std::sync::{Arc, OnceLock};

use crypto_primitives::elgamal::{Group, KeyForm};
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sstp_security_core::cert::{RelayCertificateParams, RelayIdentity};
use sstp_security_core::client::{AccountObject, ClientEngine, ClientOptions, DeviceObject};
use sstp_security_core::keys::{ClientKeyPairs, EncryptionAlgorithm, generate_secret_key};

struct Fixture {
    relay: RelayIdentity,
    device: Arc<DeviceObject>,
    account: Arc<AccountObject>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let group = Group::groove2007();
        let relay = RelayIdentity::generate(
            &mut rng,
            &RelayCertificateParams {
                relay_url: "grooveDNS://relay.contoso.com".into(),
                not_before: 0,
                not_after: 2_000_000_000,
                rsa_bits: 1024,
                group: group.clone(),
                key_form: KeyForm::Groove2007,
            },
        )
        .unwrap();
        let device = Arc::new(DeviceObject {
            device_url: "dpp:///d".into(),
            device_key: generate_secret_key(&mut rng),
            keys: ClientKeyPairs::generate(&mut rng, 1024, EncryptionAlgorithm::Elgamal, &group)
                .unwrap(),
        });
        let account = Arc::new(AccountObject {
            account_url: "grooveAccount://a@".into(),
            device_urls: vec![],
            account_key: generate_secret_key(&mut rng),
            keys: ClientKeyPairs::generate(&mut rng, 1024, EncryptionAlgorithm::Elgamal, &group)
                .unwrap(),
            active_identities: vec!["grooveIdentity://i@".into()],
            inactive_identities: vec![],
        });
        Fixture { relay, device, account }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let mut engine = ClientEngine::new(
        ClientOptions::default(),
        f.relay.certificate().clone(),
        Arc::clone(&f.device),
        vec![Arc::clone(&f.account)],
        &[],
    );
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let authenticate = data.first().is_none_or(|b| b & 1 == 0);
    let _ = engine.connect(&mut rng, authenticate);
    let mut rest = data.get(1..).unwrap_or_default();
    while let Some(len) = sstp_wire::frame_len(rest) {
        let len = len.clamp(3, rest.len());
        let (frame, tail) = rest.split_at(len);
        rest = tail;
        let _ = engine.handle(&mut rng, 1, frame);
    }
});
