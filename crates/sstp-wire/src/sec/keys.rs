//! [MS-GRVSSTPS] 3.1.1.3 client public keys object.

use crate::ansi::AnsiStr;
use crate::codec::{Reader, encode};
use crate::consts::{ALG_DH, ALG_ELGAMAL, ALG_RSA};
use crate::error::{Error, Spec};

pub(crate) const SPEC: Spec = Spec::new("PublicKeysObject", "[MS-GRVSSTPS] 3.1.1.3");

/// [MS-GRVSSTPS] 3.1.1.3 client public keys object: four algorithm names
/// and two DER-encoded public keys behind u32 lengths.
///
/// The keys stay opaque borrowed bytes: decoding their DER is the job of
/// the ASN.1 layer. The names are kept as received; whether the relay
/// supports them is a processing decision (3.3.5.5.1 step 5), see
/// [`PublicKeysObject::names_are_specified`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKeysObject<'a> {
    /// Signature Algorithm Name: "RSA".
    pub signature_algorithm_name: AnsiStr<'a>,
    /// Encryption Algorithm Name: "ELGAMAL" or "RSA".
    pub encryption_algorithm_name: AnsiStr<'a>,
    /// Signature Key Algorithm Name: "RSA".
    pub signature_key_algorithm_name: AnsiStr<'a>,
    /// Encryption Key Algorithm Name: "DH" or "RSA".
    pub encryption_key_algorithm_name: AnsiStr<'a>,
    /// Signature Public Key (DER), behind a u32 length.
    pub signature_public_key: &'a [u8],
    /// Encryption Public Key (DER), behind a u32 length.
    pub encryption_public_key: &'a [u8],
}

impl<'a> PublicKeysObject<'a> {
    /// Decodes exactly `bytes` as a public keys object.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        Self::parse_at(bytes, 0)
    }

    pub(crate) fn parse_at(bytes: &'a [u8], base: usize) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, base, SPEC);
        let pko = Self {
            signature_algorithm_name: r.cstr("SignatureAlgorithmName")?,
            encryption_algorithm_name: r.cstr("EncryptionAlgorithmName")?,
            signature_key_algorithm_name: r.cstr("SignatureKeyAlgorithmName")?,
            encryption_key_algorithm_name: r.cstr("EncryptionKeyAlgorithmName")?,
            signature_public_key: r
                .u32_prefixed("SignaturePublicKeyLength", "SignaturePublicKey")?,
            encryption_public_key: r
                .u32_prefixed("EncryptionPublicKeyLength", "EncryptionPublicKey")?,
        };
        r.finish()?;
        Ok(pko)
    }

    /// Appends the encoded object to `out` (left unchanged on error).
    pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        encode(out, SPEC, |w| {
            w.cstr(self.signature_algorithm_name);
            w.cstr(self.encryption_algorithm_name);
            w.cstr(self.signature_key_algorithm_name);
            w.cstr(self.encryption_key_algorithm_name);
            w.u32_prefixed("SignaturePublicKeyLength", self.signature_public_key)?;
            w.u32_prefixed("EncryptionPublicKeyLength", self.encryption_public_key)
        })
    }

    /// The encoded object.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.serialize_into(&mut out)?;
        Ok(out)
    }

    /// Whether the names are ones 3.1.1.3 allows: "RSA" for both signature
    /// names, and for encryption "ELGAMAL" with a "DH" key or "RSA" with an
    /// "RSA" key (the two pairings the §4.1.5 traces show; the spec lists
    /// the names but does not spell out the pairing).
    pub fn names_are_specified(&self) -> bool {
        let enc = (
            self.encryption_algorithm_name.as_bytes(),
            self.encryption_key_algorithm_name.as_bytes(),
        );
        self.signature_algorithm_name == *ALG_RSA
            && self.signature_key_algorithm_name == *ALG_RSA
            && (enc == (ALG_ELGAMAL, ALG_DH) || enc == (ALG_RSA, ALG_RSA))
    }
}
