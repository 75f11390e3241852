//! Every secret-bearing type redacts in `Debug`, also nested in a derived
//! `Debug` parent (house style rules 8 and 9).

use crypto_primitives::elgamal::{Group, PrivateKey};
use crypto_primitives::{Marc4, RsaSigningKey, SecretArray, SecretBytes};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

#[derive(Debug)]
#[allow(dead_code)]
struct Session {
    label: &'static str,
    elgamal: PrivateKey,
    rsa: RsaSigningKey,
    device_key: SecretArray<24>,
    cipher: Marc4,
    nonce: Option<SecretArray<32>>,
    recovered: Vec<SecretBytes>,
}

#[test]
fn secrets_do_not_leak_through_nested_debug() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let elgamal = PrivateKey::generate(&mut rng, Group::groove2007()).unwrap();
    let x_hex = hex::encode(elgamal.x_be_secret().expose_secret());
    let ct = elgamal
        .public_key()
        .encrypt(&mut rng, b"device-key-24-bytes-long")
        .unwrap();
    let recovered = elgamal.decrypt(&ct).unwrap();
    let rsa = RsaSigningKey::generate(&mut rng, 1024).unwrap();
    let rsa_der_hex = hex::encode(rsa.to_pkcs8_der().unwrap().expose_secret());
    let s = Session {
        label: "relay",
        elgamal,
        rsa,
        device_key: SecretArray::new([0xC7; 24]),
        cipher: Marc4::new(&[0xC7; 24], &[0x11; 24]).unwrap(),
        nonce: Some(SecretArray::new([0xD4; 32])),
        recovered: vec![recovered],
    };
    for shown in [format!("{s:?}"), format!("{s:#?}")] {
        let lower = shown.to_lowercase();
        assert!(shown.contains("relay"), "{shown}");
        assert!(shown.contains("<redacted"), "{shown}");
        // The private exponent, in hex, in any 16-digit window.
        for w in 0..x_hex.len() / 16 {
            assert!(
                !lower.contains(&x_hex[w * 16..w * 16 + 16]),
                "x leaked: {shown}"
            );
        }
        // No window of the RSA private key's DER either.
        for w in 0..rsa_der_hex.len() / 32 {
            assert!(
                !lower.contains(&rsa_der_hex[w * 32..w * 32 + 32]),
                "rsa key leaked"
            );
        }
        assert!(!lower.contains("c7c7"), "{shown}");
        assert!(
            !shown.contains("199, 199"),
            "device key bytes leaked: {shown}"
        );
        assert!(!shown.contains("212, 212"), "nonce bytes leaked: {shown}");
        assert!(!shown.contains("device-key"), "plaintext leaked: {shown}");
        assert!(
            !shown.contains("100, 101, 118"),
            "plaintext bytes leaked: {shown}"
        );
    }
}
