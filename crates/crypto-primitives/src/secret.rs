//! Secret-bearing types: zeroized on drop, redacted in `Debug`, compared in
//! constant time, and only readable through a method that says so.
//!
//! Every key, nonce, IV, password or private exponent that this workspace
//! handles lives in one of these types (house style rule 8).

use core::fmt;

use crypto_bigint::BoxedUint;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// A fixed-size secret (a 24-byte device key, a 32-byte CredSSP nonce, ...).
///
/// No `Clone`, no `Display`; `Debug` prints `<redacted>`; `==` runs in
/// constant time; the bytes are wiped when the value is dropped.
pub struct SecretArray<const N: usize>([u8; N]);

impl<const N: usize> SecretArray<N> {
    /// Wraps `bytes`. The caller's copy is not wiped; move a temporary in.
    pub fn new(bytes: [u8; N]) -> Self {
        Self(bytes)
    }

    /// Copies `bytes` in, or `None` when the length is not `N`.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; N] = bytes.try_into().ok()?;
        Some(Self(arr))
    }

    /// The raw secret bytes. Named so that every read of a secret is visible.
    pub fn expose_secret(&self) -> &[u8; N] {
        &self.0
    }

    /// An explicit copy. Secrets are not `Clone`; duplicating one is a decision.
    pub fn dangerous_clone(&self) -> Self {
        Self(self.0)
    }
}

impl<const N: usize> Drop for SecretArray<N> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<const N: usize> fmt::Debug for SecretArray<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretArray<{N}>(<redacted>)")
    }
}

impl<const N: usize> ConstantTimeEq for SecretArray<N> {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl<const N: usize> PartialEq for SecretArray<N> {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl<const N: usize> Eq for SecretArray<N> {}

/// A variable-length secret (a password, a session key, a decrypted
/// plaintext, a big-endian private exponent).
///
/// One type for the whole workspace: it lives in `asn1-types` (the lowest
/// layer, where TSCredentials carries it as an OCTET STRING) and is
/// re-exported here. Same guarantees as [`SecretArray`].
pub use asn1_types::SecretBytes;

/// A secret big integer (an ElGamal private exponent).
///
/// Same guarantees as [`SecretArray`]: wiped on drop, `<redacted>` in
/// `Debug`, no `Clone`, equality in constant time (for equal precisions).
pub struct SecretUint(BoxedUint);

impl SecretUint {
    /// Takes ownership of `value`; it is wiped on drop.
    pub fn new(value: BoxedUint) -> Self {
        Self(value)
    }

    /// The raw secret integer.
    pub fn expose_secret(&self) -> &BoxedUint {
        &self.0
    }

    /// The secret as big-endian bytes, `len` bytes long (left-padded with
    /// zeros, or keeping the `len` least significant bytes if `len` is
    /// shorter than the integer's precision).
    pub fn to_be_bytes_secret(&self, len: usize) -> SecretBytes {
        let full = Zeroizing::new(self.0.to_be_bytes());
        let mut out = vec![0u8; len];
        for (dst, src) in out.iter_mut().rev().zip(full.iter().rev()) {
            *dst = *src;
        }
        SecretBytes::new(out)
    }

    /// An explicit copy. Secrets are not `Clone`; duplicating one is a decision.
    pub fn dangerous_clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl Drop for SecretUint {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretUint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretUint(<redacted {}-bit precision>)",
            self.0.bits_precision()
        )
    }
}

impl ConstantTimeEq for SecretUint {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        // Precisions are public; values are compared in constant time.
        let a = Zeroizing::new(self.0.to_be_bytes());
        let b = Zeroizing::new(other.0.to_be_bytes());
        a.as_ref().ct_eq(b.as_ref())
    }
}

impl PartialEq for SecretUint {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretUint {}

/// Constant-time equality of two byte strings (a received HMAC against the
/// computed one, a nonce echo). Unequal lengths compare unequal.
pub fn ct_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)]
    struct Parent {
        name: &'static str,
        key: SecretArray<24>,
        nested: Option<Vec<SecretBytes>>,
        exponent: SecretUint,
    }

    #[test]
    fn debug_redacts_also_when_nested() {
        let p = Parent {
            name: "device",
            key: SecretArray::new([0xAB; 24]),
            nested: Some(vec![SecretBytes::from_slice(b"Passw0rd!")]),
            exponent: SecretUint::new(BoxedUint::from_be_slice_vartime(&[0xAB; 24])),
        };
        let shown = format!("{p:?} {p:#?}");
        assert!(shown.contains("device"));
        assert!(shown.contains("<redacted"));
        assert!(!shown.contains("171"), "decimal 0xAB leaked: {shown}");
        assert!(!shown.to_lowercase().contains("ab, ab"), "{shown}");
        assert!(!shown.contains("Passw0rd"), "{shown}");
        assert!(
            !shown.contains("80, 97, 115"),
            "password bytes leaked: {shown}"
        );
        assert!(
            !shown.to_lowercase().contains("abab"),
            "exponent leaked: {shown}"
        );
        assert!(shown.contains("SecretUint(<redacted"), "{shown}");
    }

    #[test]
    fn equality_is_by_content() {
        let a = SecretArray::new([1u8; 4]);
        assert_eq!(a, SecretArray::new([1u8; 4]));
        assert_ne!(a, SecretArray::new([1, 1, 1, 2]));
        assert_eq!(
            SecretBytes::from_slice(b"ab"),
            SecretBytes::from_slice(b"ab")
        );
        assert_ne!(
            SecretBytes::from_slice(b"ab"),
            SecretBytes::from_slice(b"abc")
        );
        assert!(ct_eq_bytes(b"xy", b"xy"));
        assert!(!ct_eq_bytes(b"xy", b"xz"));
        assert!(!ct_eq_bytes(b"xy", b"x"));
        let x = SecretUint::new(BoxedUint::from_be_slice_vartime(&[1, 2, 3]));
        assert_eq!(x, x.dangerous_clone());
        assert_ne!(
            x,
            SecretUint::new(BoxedUint::from_be_slice_vartime(&[1, 2, 4]))
        );
        assert_eq!(x.to_be_bytes_secret(4).expose_secret(), &[0, 1, 2, 3]);
    }

    #[test]
    fn from_slice_checks_length() {
        assert!(SecretArray::<24>::from_slice(&[0; 23]).is_none());
        assert!(SecretArray::<24>::from_slice(&[0; 24]).is_some());
    }
}
