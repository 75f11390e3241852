//! Drives the Groove SSTP primitives in memory, the way a client and a relay
//! use them during registration and device authentication:
//!
//! 1. the relay has an ElGamal key in the Groove 2007 group and publishes it
//!    (DER, in its certificate); the client computes the relay fingerprint;
//! 2. the client makes a 24-byte device key and sends it ElGamal-encrypted
//!    (EncryptedRelayDeviceKey, [MS-GRVSSTPS] 2.2.12);
//! 3. later the client challenges the relay with a MARC4-encrypted nonce and
//!    an HMAC over SHA-1 of the message fields (SecConnect, 2.2.1); the relay
//!    decrypts the nonce and checks the HMAC.
//!
//! Deterministic: all randomness comes from a seeded ChaCha20 RNG.
//!
//! Run with `cargo run -p crypto-primitives --example groove_crypto`.

use crypto_primitives::elgamal::{PrivateKey, PublicKey};
use crypto_primitives::{
    SecretArray, hmac_sha1_of_sha1, marc4_apply, relay_certificate_fingerprint,
    verify_hmac_sha1_of_sha1,
};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

fn main() -> Result<(), crypto_primitives::Error> {
    let mut relay_rng = ChaCha20Rng::seed_from_u64(1);
    let mut client_rng = ChaCha20Rng::seed_from_u64(2);

    // 1. Relay key and what the certificate carries.
    let relay_key = PrivateKey::generate_groove2007(&mut relay_rng)?;
    let relay_public_der = relay_key.public_key().to_der()?;
    let fingerprint = relay_certificate_fingerprint("DH", "ELGAMAL", &relay_public_der);
    println!(
        "relay public key: {} bytes of DER ({:?} form)",
        relay_public_der.len(),
        relay_key.public_key().form()
    );
    println!("relay fingerprint: {}", hex(&fingerprint));

    // 2. Client registers a fresh device key, encrypted to the relay.
    let relay_public = PublicKey::from_der(&relay_public_der)?;
    let mut device_key = [0u8; 24];
    client_rng.fill_bytes(&mut device_key);
    let device_key = SecretArray::new(device_key);
    let encrypted = relay_public.encrypt(&mut client_rng, device_key.expose_secret())?;
    println!(
        "EncryptedRelayDeviceKey: {} bytes (a || b)",
        encrypted.len()
    );
    let relay_copy = relay_key.decrypt(&encrypted)?;
    let relay_device_key = SecretArray::<24>::from_slice(relay_copy.expose_secret())
        .expect("the relay decrypts the 24 bytes the client encrypted");
    assert!(
        relay_device_key == device_key,
        "relay recovered the device key"
    );
    println!("relay recovered the device key: {relay_device_key:?}");

    // 3. SecConnect: MARC4-encrypted device nonce plus HMAC over SHA-1 of
    //    (message id, device URL with NUL, fingerprint, nonce).
    let mut iv = [0u8; 24];
    client_rng.fill_bytes(&mut iv);
    let mut nonce = [0u8; 24];
    client_rng.fill_bytes(&mut nonce);
    let nonce = SecretArray::new(nonce);
    let device_url = b"dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2\0";
    let mut encrypted_nonce = *nonce.expose_secret();
    marc4_apply(device_key.expose_secret(), &iv, &mut encrypted_nonce)?;
    let fields: [&[u8]; 4] = [&[0x01], device_url, &fingerprint, nonce.expose_secret()];
    let mac = hmac_sha1_of_sha1(device_key.expose_secret(), &fields);
    println!(
        "SecConnect: iv {} encrypted nonce {} hmac {}",
        hex(&iv),
        hex(&encrypted_nonce),
        hex(&mac)
    );

    // Relay side: decrypt the nonce with its copy of the key, check the HMAC.
    let mut relay_nonce = encrypted_nonce;
    marc4_apply(relay_device_key.expose_secret(), &iv, &mut relay_nonce)?;
    let relay_fields: [&[u8]; 4] = [&[0x01], device_url, &fingerprint, &relay_nonce];
    verify_hmac_sha1_of_sha1(relay_device_key.expose_secret(), &relay_fields, &mac)?;
    println!("relay: nonce decrypted, hmac verified");

    // A tampered MAC is refused, with an error that blames the peer.
    let mut bad = mac;
    bad[0] ^= 1;
    let err = verify_hmac_sha1_of_sha1(relay_device_key.expose_secret(), &relay_fields, &bad)
        .expect_err("tampered mac");
    println!("tampered mac: {err} (peer error: {})", err.is_peer_error());
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
