//! RSA PKCS#1 v1.5 signatures with SHA-1, as [MS-GRVSSTPS] 2.2.12
//! (SecDeviceAccountRegister) and 2.2.14 (SecAccountRegister) use them.
//!
//! # What is signed
//!
//! Both sections say:
//!
//! 1. apply SHA-1 to the concatenation of the listed elements, in order;
//! 2. apply SHA-1 to the hash computed in step 1, to produce the final hash;
//! 3. sign the final hash with the signature private key "using RSA algorithm
//!    as defined in \[PKCS1\]".
//!
//! This module reads step 3 as RSASSA-PKCS1-v1_5 (RFC 8017 8.2) with the
//! SHA-1 `DigestInfo`, carrying the step-2 hash: the encoded message is
//! `00 01 FF.. 00 || DigestInfo(sha1, SHA-1(SHA-1(fields)))`. That is exactly
//! what Crypto++'s `RSASS<PKCS1v15, SHA1>::Signer` (the library Groove is
//! built on) produces when handed the 20-byte step-1 hash as its message, and
//! it is what [`RsaSigningKey::sign_grvsstps`] and
//! [`RsaVerifyingKey::verify_grvsstps`] do. The tests check it byte for byte
//! against that Crypto++ signer. The single-hash primitive
//! ([`RsaSigningKey::sign_sha1`]: `DigestInfo(sha1, SHA-1(message))`) and the
//! pre-hashed one ([`RsaSigningKey::sign_sha1_prehash`]) are public too, so a
//! protocol layer can switch construction if a real Groove peer disagrees.
//!
//! PKCS#1 v1.5 signing is deterministic; the RNG passed to the signing
//! functions only blinds the private-key operation against timing attacks
//! and does not change the signature.
//!
//! **Weak algorithm.** SHA-1 signatures are vulnerable to chosen-prefix
//! collisions; use them only to speak this protocol.
//!
//! Keys are `rsa` crate keys; DER import and export cover PKCS#1
//! `RSAPublicKey`, X.509 `SubjectPublicKeyInfo` and PKCS#8 private keys.

use core::fmt;

use rand_core::CryptoRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use sha1::{Digest, Sha1};

use crate::error::{Error, ErrorKind};
use crate::mac::sha1_of_fields;
use crate::secret::SecretBytes;

const SECTION: &str = "[MS-GRVSSTPS] 2.2.12";
const KEY_SECTION: &str = "[MS-GRVSSTPS] 3.1.1.3";

/// Smallest RSA modulus accepted for generation (bits).
pub const MIN_RSA_BITS: usize = 1024;
/// Largest RSA modulus accepted for generation (bits).
pub const MAX_RSA_BITS: usize = 4096;

/// An RSA signature private key. `Debug` is redacted; the key is wiped on
/// drop (by the `rsa` crate).
pub struct RsaSigningKey {
    inner: rsa::PrivateKey,
}

/// An RSA signature public key.
#[derive(Clone, PartialEq, Eq)]
pub struct RsaVerifyingKey {
    inner: rsa::PublicKey,
}

impl RsaSigningKey {
    /// Generates a new key with public exponent 65537 and a `bits`-bit
    /// modulus (1024 to 4096), drawing all randomness from `rng`.
    ///
    /// # Errors
    /// `bits` out of range ([`Origin::Caller`](crate::Origin::Caller)), or
    /// the `rsa` crate failed.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R, bits: usize) -> Result<Self, Error> {
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return Err(Error::caller(
                ErrorKind::LengthOutOfRange {
                    min: MIN_RSA_BITS,
                    max: MAX_RSA_BITS,
                    actual: bits,
                },
                "rsa key generation",
                KEY_SECTION,
            )
            .field("bits"));
        }
        let inner = rsa::PrivateKey::new(rng, bits).map_err(|_| {
            Error::internal(
                "rsa key generation failed",
                "rsa key generation",
                KEY_SECTION,
            )
        })?;
        Ok(Self { inner })
    }

    /// Imports a PKCS#8 `PrivateKeyInfo` (DER).
    ///
    /// # Errors
    /// Not a valid PKCS#8 RSA key ([`Origin::Caller`](crate::Origin::Caller)).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        rsa::PrivateKey::from_pkcs8_der(der)
            .map(|inner| Self { inner })
            .map_err(|_| bad_private_key("not a valid pkcs#8 rsa private key"))
    }

    /// Imports a PKCS#1 `RSAPrivateKey` (DER).
    ///
    /// # Errors
    /// Not a valid PKCS#1 RSA key ([`Origin::Caller`](crate::Origin::Caller)).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        rsa::PrivateKey::from_pkcs1_der(der)
            .map(|inner| Self { inner })
            .map_err(|_| bad_private_key("not a valid pkcs#1 rsa private key"))
    }

    /// Exports the key as PKCS#8 `PrivateKeyInfo` DER, in a secret buffer.
    ///
    /// # Errors
    /// The `rsa` crate could not encode the key.
    pub fn to_pkcs8_der(&self) -> Result<SecretBytes, Error> {
        let doc = self.inner.to_pkcs8_der().map_err(|_| {
            Error::internal("pkcs#8 encoding failed", "rsa key export", KEY_SECTION)
        })?;
        Ok(SecretBytes::from_slice(doc.as_bytes()))
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> RsaVerifyingKey {
        RsaVerifyingKey {
            inner: self.inner.to_public_key(),
        }
    }

    /// Modulus size in bits.
    pub fn modulus_bits(&self) -> usize {
        usize::try_from(self.inner.n().as_ref().bit_width_vartime()).unwrap_or(usize::MAX)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-1 over `message` (the signature over
    /// `DigestInfo(sha1, SHA-1(message))`), as Crypto++
    /// `RSASS<PKCS1v15,SHA1>` and `openssl dgst -sha1 -sign` produce it.
    ///
    /// # Errors
    /// The private-key operation failed.
    pub fn sign_sha1<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        message: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let digest: [u8; 20] = Sha1::digest(message).into();
        self.sign_sha1_prehash(rng, &digest)
    }

    /// RSASSA-PKCS1-v1_5 over an already computed SHA-1 `digest` (signs
    /// `DigestInfo(sha1, digest)`; the digest is not hashed again).
    ///
    /// # Errors
    /// The private-key operation failed.
    pub fn sign_sha1_prehash<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        digest: &[u8; 20],
    ) -> Result<Vec<u8>, Error> {
        self.inner
            .pkcs1v15_sign_prehash_with_rng::<Sha1, _>(rng, digest)
            .map_err(|_| Error::internal("rsa signing failed", "rsa sign", SECTION))
    }

    /// The [MS-GRVSSTPS] 2.2.12 / 2.2.14 message signature: PKCS#1 v1.5 with
    /// `DigestInfo(sha1, SHA-1(SHA-1(fields[0] || fields[1] || ...)))`.
    ///
    /// # Errors
    /// The private-key operation failed.
    pub fn sign_grvsstps<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        fields: &[&[u8]],
    ) -> Result<Vec<u8>, Error> {
        self.sign_sha1(rng, &sha1_of_fields(fields))
    }
}

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaSigningKey(<redacted {}-bit>)", self.modulus_bits())
    }
}

impl RsaVerifyingKey {
    /// Imports a PKCS#1 `RSAPublicKey` (DER).
    ///
    /// # Errors
    /// Not a valid key ([`Origin::Peer`](crate::Origin::Peer)).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        rsa::PublicKey::from_pkcs1_der(der)
            .map(|inner| Self { inner })
            .map_err(|_| bad_public_key("not a valid pkcs#1 rsa public key"))
    }

    /// Imports an X.509 `SubjectPublicKeyInfo` (DER) holding an RSA key.
    ///
    /// # Errors
    /// Not a valid key ([`Origin::Peer`](crate::Origin::Peer)).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        rsa::PublicKey::from_public_key_der(der)
            .map(|inner| Self { inner })
            .map_err(|_| bad_public_key("not a valid rsa subjectpublickeyinfo"))
    }

    /// Imports either form: `SubjectPublicKeyInfo` (what Crypto++
    /// `RSA::PublicKey::DEREncode` writes) or PKCS#1 `RSAPublicKey`.
    ///
    /// # Errors
    /// Neither form decodes ([`Origin::Peer`](crate::Origin::Peer)).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_spki_der(der).or_else(|_| Self::from_pkcs1_der(der))
    }

    /// Exports PKCS#1 `RSAPublicKey` DER.
    ///
    /// # Errors
    /// The `rsa` crate could not encode the key.
    pub fn to_pkcs1_der(&self) -> Result<Vec<u8>, Error> {
        self.inner
            .to_pkcs1_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|_| Error::internal("pkcs#1 encoding failed", "rsa key export", KEY_SECTION))
    }

    /// Exports X.509 `SubjectPublicKeyInfo` DER.
    ///
    /// # Errors
    /// The `rsa` crate could not encode the key.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        self.inner
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|_| Error::internal("spki encoding failed", "rsa key export", KEY_SECTION))
    }

    /// Modulus size in bits.
    pub fn modulus_bits(&self) -> usize {
        usize::try_from(self.inner.n().as_ref().bit_width_vartime()).unwrap_or(usize::MAX)
    }

    /// Verifies an RSASSA-PKCS1-v1_5 SHA-1 signature over `message`.
    ///
    /// # Errors
    /// [`ErrorKind::VerificationFailed`] ([`Origin::Peer`](crate::Origin::Peer)).
    pub fn verify_sha1(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let digest: [u8; 20] = Sha1::digest(message).into();
        self.verify_sha1_prehash(&digest, signature)
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature over `DigestInfo(sha1,
    /// digest)`.
    ///
    /// # Errors
    /// [`ErrorKind::VerificationFailed`] ([`Origin::Peer`](crate::Origin::Peer)).
    pub fn verify_sha1_prehash(&self, digest: &[u8; 20], signature: &[u8]) -> Result<(), Error> {
        self.inner
            .pkcs1v15_verify_prehash::<Sha1>(digest, signature)
            .map_err(|_| {
                Error::peer(ErrorKind::VerificationFailed, "rsa verify", SECTION).field("signature")
            })
    }

    /// Verifies an [MS-GRVSSTPS] 2.2.12 / 2.2.14 message signature
    /// (see [`RsaSigningKey::sign_grvsstps`]).
    ///
    /// # Errors
    /// [`ErrorKind::VerificationFailed`] ([`Origin::Peer`](crate::Origin::Peer)).
    pub fn verify_grvsstps(&self, fields: &[&[u8]], signature: &[u8]) -> Result<(), Error> {
        self.verify_sha1(&sha1_of_fields(fields), signature)
    }
}

impl fmt::Debug for RsaVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaVerifyingKey({}-bit)", self.modulus_bits())
    }
}

fn bad_private_key(why: &'static str) -> Error {
    Error::caller(
        ErrorKind::InvalidPrivateKey(why),
        "rsa key import",
        KEY_SECTION,
    )
}

fn bad_public_key(why: &'static str) -> Error {
    Error::peer(
        ErrorKind::InvalidPublicKey(why),
        "rsa key import",
        KEY_SECTION,
    )
}
