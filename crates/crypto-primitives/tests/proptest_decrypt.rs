//! Decryption and key import never panic, whatever the input (house style:
//! peer input must never be able to panic a core crate).

use std::sync::OnceLock;

use crypto_primitives::elgamal::{Group, PrivateKey, PublicKey};
use crypto_primitives::{Marc4, Origin, RsaVerifyingKey, verify_hmac_sha1_of_sha1};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        PrivateKey::generate(&mut rng, Group::groove2007()).unwrap()
    })
}

fn valid_a() -> &'static Vec<u8> {
    static A: OnceLock<Vec<u8>> = OnceLock::new();
    A.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(43);
        key().public_key().encrypt(&mut rng, b"x").unwrap()[..192].to_vec()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_full_length_ciphertexts_never_panic(ct in proptest::collection::vec(any::<u8>(), 384)) {
        match key().decrypt(&ct) {
            Ok(pt) => prop_assert!(pt.len() <= 189),
            Err(e) => prop_assert_eq!(e.origin, Origin::Peer),
        }
    }

    #[test]
    fn random_b_under_a_valid_a_never_panics(b in proptest::collection::vec(any::<u8>(), 192)) {
        // Gets past the a checks into the exponentiation and the length byte.
        let mut ct = valid_a().clone();
        ct.extend_from_slice(&b);
        match key().decrypt(&ct) {
            Ok(pt) => prop_assert!(pt.len() <= 189),
            Err(e) => prop_assert_eq!(e.origin, Origin::Peer),
        }
    }

    #[test]
    fn random_lengths_are_rejected(ct in proptest::collection::vec(any::<u8>(), 0..800)) {
        prop_assume!(ct.len() != 384);
        let e = key().decrypt(&ct).unwrap_err();
        prop_assert_eq!(e.origin, Origin::Peer);
    }

    #[test]
    fn random_public_key_der_never_panics(der in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = PublicKey::from_der(&der);
        let _ = RsaVerifyingKey::from_der(&der);
    }

    #[test]
    fn mangled_valid_public_key_der_never_panics(pos in 0usize..205, byte in any::<u8>()) {
        let mut der = key().public_key().to_der().unwrap();
        let i = pos % der.len();
        der[i] = byte;
        if let Ok(k) = PublicKey::from_der(&der) {
            prop_assert_eq!(k.group().modulus_len(), 192);
        }
    }

    #[test]
    fn marc4_and_hmac_verify_take_any_lengths(
        key in proptest::collection::vec(any::<u8>(), 0..300),
        iv in proptest::collection::vec(any::<u8>(), 0..300),
        mac in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let _ = Marc4::new(&key, &iv);
        prop_assert!(verify_hmac_sha1_of_sha1(&key, &[&iv], &mac).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn round_trip_any_plaintext(pt in proptest::collection::vec(any::<u8>(), 0..=189), seed in any::<u64>()) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let ct = key().public_key().encrypt(&mut rng, &pt).unwrap();
        let back = key().decrypt(&ct).unwrap();
        prop_assert_eq!(back.expose_secret(), &pt[..]);
    }
}
