//! Cryptographic building blocks for [MS-GRVSSTPS] and the [MS-CSSP] binding
//! hashes, on audited RustCrypto crates.
//!
//! | module | what | spec |
//! |---|---|---|
//! | [`marc4`] | MARC4: RC4 keyed with key XOR IV, first 256 bytes dropped | [MS-GRVSSTPS] 3.1.1.4 |
//! | [`elgamal`] | ElGamal with Crypto++ padding, byte-identical with Crypto++ | [MS-GRVSSTPS] 3.1.1.3 |
//! | [`mac`] | message MAC `HMAC-SHA1(key, SHA-1(fields))` | [MS-GRVSSTPS] 2.2.1 ff. |
//! | [`rsa_sha1`] | RSA PKCS#1 v1.5 SHA-1 signatures over `SHA-1(SHA-1(fields))` | [MS-GRVSSTPS] 2.2.12, 2.2.14 |
//! | [`fingerprint`] | relay certificate fingerprint | [MS-GRVSSTPS] 3.1.1.2 |
//! | [`credssp`] | v5/v6 binding hashes, v2–4 "+1" key | [MS-CSSP] 3.1.5 |
//! | [`secret`] | zeroizing, redacting, constant-time secret types | house style 8 |
//!
//! RC4, SHA-1 and textbook ElGamal are weak; they are here only because the
//! protocols require them. No IO, no clock, no OS randomness: every function
//! that needs randomness takes a `rand_core::CryptoRng`.
//!
//! # Example
//!
//! ```
//! use crypto_primitives::elgamal::{PrivateKey, PublicKey};
//! use crypto_primitives::{hmac_sha1_of_sha1, marc4_apply, relay_certificate_fingerprint};
//! use rand_chacha::ChaCha20Rng;
//! use rand_core::SeedableRng;
//!
//! let mut rng = ChaCha20Rng::seed_from_u64(7);
//! let relay = PrivateKey::generate_groove2007(&mut rng)?;
//! let der = relay.public_key().to_der()?; // Groove 2007 form
//! let fingerprint = relay_certificate_fingerprint("DH", "ELGAMAL", &der);
//! let ct = PublicKey::from_der(&der)?.encrypt(&mut rng, &[0x42; 24])?; // 384 bytes
//! assert_eq!(relay.decrypt(&ct)?.expose_secret(), &[0x42; 24]);
//!
//! let (key, iv) = ([1u8; 24], [2u8; 24]);
//! let mut nonce = [3u8; 24];
//! marc4_apply(&key, &iv, &mut nonce)?; // encrypt == decrypt
//! let fields: [&[u8]; 4] = [&[0x01], b"dpp://device\0", &fingerprint, &[3u8; 24]];
//! let mac = hmac_sha1_of_sha1(&key, &fields);
//! # assert_eq!(mac.len(), 20);
//! # Ok::<(), crypto_primitives::Error>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod credssp;
pub mod elgamal;
mod error;
pub mod fingerprint;
pub mod mac;
pub mod marc4;
pub mod rsa_sha1;
pub mod secret;

pub use credssp::{
    client_server_binding_hash, pre_v5_server_public_key, server_client_binding_hash,
};
pub use error::{Error, ErrorKind, Origin};
pub use fingerprint::{relay_certificate_fingerprint, relay_certificate_fingerprint_utf16le};
pub use mac::{hmac_sha1, hmac_sha1_of_sha1, sha1_of_fields, verify_hmac_sha1_of_sha1};
pub use marc4::{Marc4, marc4_apply};
pub use rsa_sha1::{RsaSigningKey, RsaVerifyingKey};
pub use secret::{SecretArray, SecretBytes, SecretUint, ct_eq_bytes};

// Re-exported so callers name the same versions this crate's API uses.
pub use crypto_bigint;
pub use rand_core;
pub use rsa;
