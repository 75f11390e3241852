//! Client key material ([MS-GRVSSTPS] 3.1.1.3, 3.2.1) and the byte order of
//! the ElGamal-carried secret keys.
//!
//! # Byte order of `EncryptedRelayDeviceKey` / `EncryptedRelayAccountKey`
//!
//! 3.1.1.3 describes Crypto++ ElGamal decryption and ends with "4. Convert
//! the original plaintext from Big Endian to Little Endian". The plaintext
//! that Crypto++ hands back is therefore the *big-endian* rendering of the
//! secret key, and the key itself — the 24 bytes the MARC4 cipher (3.1.1.4)
//! XORs with the IV and the HMACs key with — is its little-endian rendering,
//! i.e. the same bytes in reverse order. This crate decides it in exactly one
//! place, [`key_to_elgamal_plaintext`] / [`elgamal_plaintext_to_key`]:
//!
//! * the client reverses the 24-byte key before handing it to Crypto++-style
//!   ElGamal encryption (the inverse of step 4);
//! * the relay decrypts, checks that the plaintext is 24 bytes, and reverses
//!   it (step 4).
//!
//! `crypto_primitives::elgamal` is byte-identical with Crypto++ and does not
//! reverse anything, so a Groove peer that follows the specification text
//! interoperates. The choice is tested in `tests/byte_order.rs` against the
//! raw primitive. If a capture from a real Groove client ever shows the
//! opposite, only these two functions change.

use crypto_primitives::elgamal::{self, KeyForm};
use crypto_primitives::rsa_sha1::{RsaSigningKey, RsaVerifyingKey};
use crypto_primitives::secret::SecretArray;
use rand_core::CryptoRng;
use sstp_wire::{AnsiStr, PublicKeysObject};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Origin};

/// Length of the secret device and account keys and of every nonce and IV
/// ([MS-GRVSSTPS] 2.2, 2.2.1: "the key length for RC4, which is 24 bytes").
pub const SECRET_KEY_LEN: usize = 24;

/// A 24-byte secret device or account key (zeroized, redacted, compared in
/// constant time).
pub type SecretKey = SecretArray<SECRET_KEY_LEN>;

/// A 24-byte nonce kept by an engine until it has been answered.
pub type SecretNonce = SecretArray<SECRET_KEY_LEN>;

const KEYS_SECTION: &str = "[MS-GRVSSTPS] 3.1.1.3";

/// A fresh random 24-byte key from `rng`.
pub fn generate_secret_key<R: CryptoRng + ?Sized>(rng: &mut R) -> SecretKey {
    let mut bytes = Zeroizing::new([0u8; SECRET_KEY_LEN]);
    rng.fill_bytes(bytes.as_mut());
    SecretArray::new(*bytes)
}

/// The Crypto++ ElGamal plaintext for a secret key: the key's bytes in
/// reverse order (big-endian rendering). See the module docs.
pub fn key_to_elgamal_plaintext(key: &SecretKey) -> Zeroizing<[u8; SECRET_KEY_LEN]> {
    let mut out = Zeroizing::new(*key.expose_secret());
    out.reverse();
    out
}

/// The secret key carried by a decrypted Crypto++ ElGamal plaintext: it must
/// be exactly 24 bytes; they are reversed (3.1.1.3 decryption step 4).
pub fn elgamal_plaintext_to_key(plaintext: &[u8]) -> Option<SecretKey> {
    let mut bytes = Zeroizing::new(<[u8; SECRET_KEY_LEN]>::try_from(plaintext).ok()?);
    bytes.reverse();
    Some(SecretArray::new(*bytes))
}

/// Which encryption algorithm a client key pair uses (3.1.1.3, note <3>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EncryptionAlgorithm {
    /// ElGamal with Crypto++ padding, key algorithm "DH" (Office Groove 2007).
    Elgamal,
    /// RSA, key algorithm "RSA" (SharePoint Workspace 2010).
    Rsa,
}

impl EncryptionAlgorithm {
    /// The `Encryption Algorithm Name` of the public keys object.
    pub const fn algorithm_name(self) -> &'static str {
        match self {
            Self::Elgamal => "ELGAMAL",
            Self::Rsa => "RSA",
        }
    }

    /// The `Encryption Key Algorithm Name` of the public keys object.
    pub const fn key_algorithm_name(self) -> &'static str {
        match self {
            Self::Elgamal => "DH",
            Self::Rsa => "RSA",
        }
    }
}

/// A client encryption key pair. The protocol only ever publishes its public
/// half (in the public keys object); it is used by higher layers
/// ([MS-GRVDYNM]).
#[derive(Debug)]
pub enum EncryptionKeyPair {
    /// ElGamal (Crypto++ padding).
    Elgamal(elgamal::PrivateKey),
    /// RSA. The `rsa` key type is the same for signing and encryption; it is
    /// kept in an [`RsaSigningKey`] because that is the redacting,
    /// zeroizing wrapper `crypto-primitives` provides.
    Rsa(RsaSigningKey),
}

impl EncryptionKeyPair {
    /// The algorithm.
    pub fn algorithm(&self) -> EncryptionAlgorithm {
        match self {
            Self::Elgamal(_) => EncryptionAlgorithm::Elgamal,
            Self::Rsa(_) => EncryptionAlgorithm::Rsa,
        }
    }

    /// The DER public key as it goes into the public keys object:
    /// `DHPublicKeyForElgamalEncryption` in its 3.1.1.1 `{p, q, g, y}` form
    /// (the §4.1.5 trace's client keys start `30 82 02 0c 02 82 01 01`, i.e.
    /// that form), or a PKCS#1 `RSAPublicKey` (the form the trace shows for
    /// the signature key: `30 82 01 08 02 82 01 01`).
    ///
    /// # Errors
    /// Encoding failed (not expected).
    pub fn public_key_der(&self) -> Result<Vec<u8>, Error> {
        match self {
            Self::Elgamal(k) => k
                .public_key()
                .clone()
                .with_form(KeyForm::Standard)
                .and_then(|pk| pk.to_der()),
            Self::Rsa(k) => k.verifying_key().to_pkcs1_der(),
        }
        .map_err(|e| Error::crypto(e, KEYS_SECTION))
    }
}

/// The encryption and signature key pairs of a client device or account,
/// with their public keys object ([MS-GRVSSTPS] 3.1.1.3).
#[derive(Debug)]
pub struct ClientKeyPairs {
    signature: RsaSigningKey,
    encryption: EncryptionKeyPair,
    public_keys_object: Vec<u8>,
}

impl ClientKeyPairs {
    /// Combines existing key pairs and builds the public keys object.
    ///
    /// # Errors
    /// A key could not be encoded.
    pub fn new(signature: RsaSigningKey, encryption: EncryptionKeyPair) -> Result<Self, Error> {
        let sig_der = signature
            .verifying_key()
            .to_pkcs1_der()
            .map_err(|e| Error::crypto(e, KEYS_SECTION))?;
        let enc_der = encryption.public_key_der()?;
        let alg = encryption.algorithm();
        let ansi =
            |s: &'static str| AnsiStr::new(s.as_bytes()).map_err(|e| Error::wire(e, KEYS_SECTION));
        let object = PublicKeysObject {
            signature_algorithm_name: ansi("RSA")?,
            encryption_algorithm_name: ansi(alg.algorithm_name())?,
            signature_key_algorithm_name: ansi("RSA")?,
            encryption_key_algorithm_name: ansi(alg.key_algorithm_name())?,
            signature_public_key: &sig_der,
            encryption_public_key: &enc_der,
        };
        let public_keys_object = object.to_vec().map_err(|e| Error::wire(e, KEYS_SECTION))?;
        Ok(Self {
            signature,
            encryption,
            public_keys_object,
        })
    }

    /// Generates an RSA signature key pair of `rsa_bits` bits and an
    /// encryption key pair: RSA of the same size, or ElGamal in `group`
    /// (written in the 3.1.1.1 `{p, q, g, y}` form, as the §4.1.5 trace
    /// shows clients doing).
    ///
    /// # Errors
    /// Key generation failed or `rsa_bits` is out of range.
    pub fn generate<R: CryptoRng + ?Sized>(
        rng: &mut R,
        rsa_bits: usize,
        encryption: EncryptionAlgorithm,
        group: &elgamal::Group,
    ) -> Result<Self, Error> {
        let signature =
            RsaSigningKey::generate(rng, rsa_bits).map_err(|e| Error::crypto(e, KEYS_SECTION))?;
        let encryption = match encryption {
            EncryptionAlgorithm::Rsa => EncryptionKeyPair::Rsa(
                RsaSigningKey::generate(rng, rsa_bits)
                    .map_err(|e| Error::crypto(e, KEYS_SECTION))?,
            ),
            EncryptionAlgorithm::Elgamal => EncryptionKeyPair::Elgamal(
                elgamal::PrivateKey::generate(rng, group.clone())
                    .map_err(|e| Error::crypto(e, KEYS_SECTION))?,
            ),
        };
        Self::new(signature, encryption)
    }

    /// The signature private key.
    pub fn signature_key(&self) -> &RsaSigningKey {
        &self.signature
    }

    /// The encryption key pair.
    pub fn encryption_key(&self) -> &EncryptionKeyPair {
        &self.encryption
    }

    /// The encoded public keys object (3.1.1.3).
    pub fn public_keys_object(&self) -> &[u8] {
        &self.public_keys_object
    }
}

/// A public keys object received from a client, checked against 3.1.1.3 and
/// what this relay supports (3.3.5.5.1 step 5).
#[derive(Debug)]
pub struct ValidatedPublicKeys {
    /// The signature public key.
    pub signature: RsaVerifyingKey,
    /// The encryption algorithm the object names.
    pub encryption: EncryptionAlgorithm,
}

/// Validates a received public keys object: the four names are the ones
/// 3.1.1.3 allows and consistent with each other, the signature key is an
/// RSA public key (PKCS#1 or SubjectPublicKeyInfo), and the encryption key
/// parses as the named algorithm's key.
///
/// # Errors
/// A name or key breaks 3.1.1.3 ([`Origin::Peer`]).
pub fn validate_public_keys_object(
    object: &PublicKeysObject<'_>,
) -> Result<ValidatedPublicKeys, Error> {
    let bad = |why: &'static str, field: &'static str| Error::peer(why, KEYS_SECTION, field);
    if object.signature_algorithm_name.as_bytes() != b"RSA" {
        return Err(bad("must be \"RSA\"", "SignatureAlgorithmName"));
    }
    if object.signature_key_algorithm_name.as_bytes() != b"RSA" {
        return Err(bad("must be \"RSA\"", "SignatureKeyAlgorithmName"));
    }
    let encryption = match (
        object.encryption_algorithm_name.as_bytes(),
        object.encryption_key_algorithm_name.as_bytes(),
    ) {
        (b"ELGAMAL", b"DH") => EncryptionAlgorithm::Elgamal,
        (b"RSA", b"RSA") => EncryptionAlgorithm::Rsa,
        _ => {
            return Err(bad(
                "encryption algorithm and key algorithm must be ELGAMAL/DH or RSA/RSA",
                "EncryptionAlgorithmName",
            ));
        }
    };
    let signature = RsaVerifyingKey::from_der(object.signature_public_key).map_err(|e| {
        Error::new(ErrorKind::Crypto(Box::new(e)), Origin::Peer, KEYS_SECTION)
            .with_field("SignaturePublicKey")
    })?;
    let enc_ok = match encryption {
        EncryptionAlgorithm::Elgamal => {
            elgamal::PublicKey::from_der(object.encryption_public_key).map(|_| ())
        }
        EncryptionAlgorithm::Rsa => {
            RsaVerifyingKey::from_der(object.encryption_public_key).map(|_| ())
        }
    };
    enc_ok.map_err(|e| {
        Error::new(ErrorKind::Crypto(Box::new(e)), Origin::Peer, KEYS_SECTION)
            .with_field("EncryptionPublicKey")
    })?;
    Ok(ValidatedPublicKeys {
        signature,
        encryption,
    })
}
