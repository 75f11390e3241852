//! Relay certificate, ElGamal key byte order, and redaction of secrets.

mod common;

use common::*;
use crypto_primitives::elgamal::{Group, KeyForm, PrivateKey};
use sstp_security_core::cert::RelayCertificate;
use sstp_security_core::keys::{
    SecretKey, elgamal_plaintext_to_key, generate_secret_key, key_to_elgamal_plaintext,
};
use sstp_security_core::relay::{RelayIo, RelayOptions};
use sstp_security_core::store::RelayStore;

#[test]
fn certificate_round_trips_and_validates() {
    let f = fixture();
    let cert = f.relay.certificate();
    let parsed = RelayCertificate::from_der(cert.to_der()).unwrap();
    assert_eq!(parsed.relay_url(), RELAY_URL);
    assert_eq!(parsed.fingerprint(), cert.fingerprint());
    assert!(parsed.is_valid_at(1_500_000_000));
    assert!(!parsed.is_valid_at(2_100_000_000));
    // 3.1.1.2 by hand: SHA-1("DH" || "ELGAMAL" in UTF-16LE || key DER).
    let expected = crypto_primitives::fingerprint::relay_certificate_fingerprint_utf16le(
        &[b'D', 0, b'H', 0],
        &"ELGAMAL"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<_>>(),
        parsed.encryption_key_der(),
    );
    assert_eq!(parsed.fingerprint(), &expected);
    // The Groove 2007 key form was asked for.
    assert_eq!(parsed.encryption_key().form(), KeyForm::Groove2007);
}

#[test]
fn certificate_with_a_broken_signature_is_refused() {
    let f = fixture();
    let mut der = f.relay.certificate().to_der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 1;
    let e = RelayCertificate::from_der(&der).unwrap_err();
    assert!(e.is_peer_error());
    assert_eq!(e.field, Some("signature"));
    // A flipped byte inside the "ELGAMAL" extension: the signature fails first.
    let mut der = f.relay.certificate().to_der().to_vec();
    let name: Vec<u8> = "ELGAMAL"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let at = der
        .windows(name.len())
        .position(|w| w == name.as_slice())
        .unwrap();
    der[at] ^= 1;
    assert!(RelayCertificate::from_der(&der).is_err());
    assert!(RelayCertificate::from_der(&[0x30, 0x00]).is_err());
}

/// The documented choice: the Crypto++ plaintext is the key reversed, and
/// the relay reverses the decrypted plaintext back (3.1.1.3 step 4).
#[test]
fn elgamal_carried_key_byte_order() {
    let mut r = rng(11);
    let key: SecretKey = generate_secret_key(&mut r);
    let pt = key_to_elgamal_plaintext(&key);
    let mut rev = *key.expose_secret();
    rev.reverse();
    assert_eq!(*pt, rev);
    let elg = PrivateKey::generate(&mut r, Group::groove2007()).unwrap();
    let ct = elg.public_key().encrypt(&mut r, pt.as_ref()).unwrap();
    // The raw primitive gives back exactly what went in (Crypto++ order)...
    let raw = elg.decrypt(&ct).unwrap();
    assert_eq!(raw.expose_secret(), pt.as_ref());
    // ...and the protocol layer maps it back to the key.
    assert_eq!(elgamal_plaintext_to_key(raw.expose_secret()).unwrap(), key);
    assert!(elgamal_plaintext_to_key(&[0u8; 23]).is_none());
}

/// The relay stores the key the client holds, so the byte order is applied
/// symmetrically end to end.
#[test]
fn registered_keys_equal_the_client_keys() {
    let f = fixture();
    let s = registered_store();
    assert_eq!(
        s.device(DEVICE_A).unwrap().unwrap().device_key.unwrap(),
        f.device_a.device_key
    );
    assert_eq!(
        s.account(ACCOUNT).unwrap().unwrap().account_key.unwrap(),
        f.account.account_key
    );
}

fn assert_no_secret(debug: &str, secrets: &[&[u8]]) {
    for s in secrets {
        let hex_lower = hex::encode(s);
        assert!(!debug.contains(&hex_lower), "hex secret in Debug");
        assert!(
            !debug.contains(&format!("{:?}", s)),
            "byte-list secret in Debug"
        );
        let as_list = format!("{:?}", s.to_vec());
        assert!(!debug.contains(&as_list));
    }
}

#[test]
fn debug_of_engines_records_and_keys_contains_no_secret() {
    let f = fixture();
    let mut s = registered_store();
    let mut c = client(&f.device_a, &[&f.account]);
    let mut r = relay();
    // Stop mid-exchange so the engines hold nonces.
    let mut count = 0;
    run(&mut c, &mut r, &mut s, true, |_, _, b| {
        count += 1;
        (count <= 4).then_some(b)
    });
    let secrets: Vec<&[u8]> = vec![
        f.device_a.device_key.expose_secret(),
        f.account.account_key.expose_secret(),
    ];
    let x = f.relay.encryption_key().x_be_secret();
    let dbg = format!(
        "{c:?}\n{r:?}\n{s:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        f.device_a,
        f.account,
        f.relay,
        s.device(DEVICE_A).unwrap()
    );
    assert_no_secret(&dbg, &secrets);
    assert!(!dbg.contains(&hex::encode(x.expose_secret())));
    assert!(dbg.contains("redacted"));
    let _ = RelayOptions::default();
    let _: Option<RelayIo<'_, sstp_security_core::store::MemoryStore, rand_chacha::ChaCha20Rng>> =
        None;
}
