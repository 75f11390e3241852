//! [`SecretBytes`]: the OCTET STRING contents of a secret field (a password,
//! a smart-card PIN, a Remote Guard credential buffer).
//!
//! This crate sits below `crypto-primitives`, so it carries its own secret
//! type (house style rule 8): zeroized on drop, `Debug` prints `<redacted>`,
//! no `Clone` and no `Display`, equality in constant time, and the bytes come
//! out only through [`SecretBytes::expose_secret`].

use core::fmt;

use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Tag, Writer};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Secret bytes carried as an ASN.1 OCTET STRING.
#[derive(Default, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Takes ownership of `bytes` (which are zeroized when this value drops).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies `bytes` into a new secret.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// `len` zero bytes, to be filled in place through
    /// [`SecretBytes::expose_secret_mut`] (so no unzeroized copy exists).
    pub fn zeroed(len: usize) -> Self {
        Self(vec![0; len])
    }

    /// Encodes `s` as UTF-16LE without a terminator, the form Windows puts
    /// in [MS-CSSP] OCTET STRING text fields ([MS-CSSP-Diff] note <6>).
    pub fn from_utf16le(s: &str) -> Self {
        let mut out = Self::zeroed(s.encode_utf16().count().saturating_mul(2));
        for (dst, unit) in out.0.chunks_exact_mut(2).zip(s.encode_utf16()) {
            dst.copy_from_slice(&unit.to_le_bytes());
        }
        out
    }

    /// The secret bytes. The name says what the call does: keep the result
    /// out of logs.
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// The secret bytes, mutably.
    pub fn expose_secret_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An explicit copy. Secrets are not `Clone`; duplicating one is a
    /// decision the call site names.
    pub fn dangerous_clone(&self) -> Self {
        Self::from_slice(&self.0)
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl ConstantTimeEq for SecretBytes {
    /// Constant time in the contents; unequal lengths compare unequal
    /// without looking at the contents (the lengths are not secret).
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.as_slice().ct_eq(other.0.as_slice())
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretBytes {}

impl From<Vec<u8>> for SecretBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl FixedTag for SecretBytes {
    const TAG: Tag = Tag::OctetString;
}

impl<'a> DecodeValue<'a> for SecretBytes {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        // Never allocate more than the input can hold.
        if header.length() > reader.remaining_len() {
            return Err(reader.error(der::ErrorKind::Incomplete {
                expected_len: (reader.position() + header.length())?,
                actual_len: reader.input_len(),
            }));
        }
        let mut out = Self::zeroed(usize::try_from(header.length())?);
        reader.read_into(&mut out.0)?;
        Ok(out)
    }
}

impl EncodeValue for SecretBytes {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn debug_is_redacted() {
        let s = SecretBytes::from_slice(b"hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s:#?}"), "<redacted>");
    }

    #[test]
    fn octet_string_round_trip() {
        let s = SecretBytes::from_slice(&[1, 2, 3]);
        let der = s.to_der().unwrap();
        assert_eq!(der, [0x04, 0x03, 1, 2, 3]);
        assert_eq!(SecretBytes::from_der(&der).unwrap(), s);
        assert!(SecretBytes::from_der(&[0x24, 0x00]).is_err());
    }

    #[test]
    fn utf16le_and_equality() {
        let s = SecretBytes::from_utf16le("Ab");
        assert_eq!(s.expose_secret(), &[0x41, 0, 0x62, 0]);
        assert_eq!(s, SecretBytes::from_slice(&[0x41, 0, 0x62, 0]));
        assert_ne!(s, SecretBytes::from_slice(&[0x41, 0, 0x62, 1]));
        assert_ne!(s, SecretBytes::from_slice(&[0x41, 0]));
    }

    #[test]
    fn zeroize_clears_contents() {
        let mut s = SecretBytes::from_slice(b"pin");
        s.zeroize();
        assert!(s.is_empty());
    }
}
