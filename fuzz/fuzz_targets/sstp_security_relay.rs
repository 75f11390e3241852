//! Arbitrary command bytes fed to a relay engine ([MS-GRVSSTPS] 3.3) with a
//! fixed store holding one registered device and account. The engine must
//! never panic, and never answer after it closed the connection.
#![no_main]

use std::sync::OnceLock;

use crypto_primitives::elgamal::{Group, KeyForm};
use crypto_primitives::secret::SecretArray;
use libfuzzer_sys::fuzz_target;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sstp_security_core::cert::{RelayCertificateParams, RelayIdentity};
use sstp_security_core::relay::{RelayEngine, RelayIo, RelayOptions, RelayState};
use sstp_security_core::store::{AccountRecord, DeviceRecord, MemoryStore};

fn identity() -> &'static RelayIdentity {
    static ID: OnceLock<RelayIdentity> = OnceLock::new();
    ID.get_or_init(|| {
        RelayIdentity::generate(
            &mut ChaCha20Rng::seed_from_u64(1),
            &RelayCertificateParams {
                relay_url: "grooveDNS://relay.contoso.com".into(),
                not_before: 0,
                not_after: 2_000_000_000,
                rsa_bits: 1024,
                group: Group::groove2007(),
                key_form: KeyForm::Groove2007,
            },
        )
        .unwrap()
    })
}

fn store() -> MemoryStore {
    let mut s = MemoryStore::new();
    s.add_user("token", "grooveAccount://a@");
    s.put_device(DeviceRecord {
        device_url: "dpp:///d".into(),
        device_key: Some(SecretArray::new([7; 24])),
        public_keys_object: None,
        account_urls: ["grooveAccount://a@".to_owned()].into(),
    });
    s.put_account(AccountRecord {
        account_url: "grooveAccount://a@".into(),
        account_key: Some(SecretArray::new([9; 24])),
        public_keys_object: None,
        device_urls: ["dpp:///d".to_owned()].into(),
        identity_urls: Default::default(),
    });
    s
}

fuzz_target!(|data: &[u8]| {
    let (compat, mut rest) = data.split_first().map_or((false, data), |(b, r)| (b & 1 == 1, r));
    let options = if compat { RelayOptions::groove_server() } else { RelayOptions::default() };
    let mut engine = RelayEngine::new(options);
    let mut store = store();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    // Split the input into commands with the SSTP framing hint.
    while let Some(len) = sstp_wire::frame_len(rest) {
        let len = len.clamp(3, rest.len());
        let (frame, tail) = rest.split_at(len);
        rest = tail;
        let was_closed = engine.state() == RelayState::Closed;
        let mut io = RelayIo { identity: identity(), store: &mut store, rng: &mut rng, now: 1 };
        if let Ok(out) = engine.handle(&mut io, frame) {
            assert!(!(was_closed && !out.send.is_empty()));
        }
    }
});
