//! The crate's one error type.
//!
//! Every error says which operation failed, which input (field) was at fault
//! when that can be told, the specification section whose rule was broken,
//! and — through [`Origin`] — whether the *peer* sent bad data or the *caller*
//! misused the API. A protocol layer maps [`Origin::Peer`] errors to the
//! protocol's failure message; [`Origin::Caller`] errors are bugs or bad
//! configuration on this side.

use core::fmt;

/// Who is responsible for an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// Data received from the peer broke a rule: a ciphertext, MAC,
    /// signature, IV or public key.
    Peer,
    /// The caller broke an API contract: a key of the wrong size, a plaintext
    /// that is too long, an ephemeral exponent outside its range, a malformed
    /// private key.
    Caller,
    /// A dependency failed in a way neither side caused (for example an RNG
    /// that never produced a value in range).
    Internal,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A MAC or signature did not verify.
    VerificationFailed,
    /// A ciphertext broke a decryption rule; the text names the rule.
    InvalidCiphertext(&'static str),
    /// A public key or group parameter broke a rule; the text names it.
    InvalidPublicKey(&'static str),
    /// A private key broke a rule; the text names it.
    InvalidPrivateKey(&'static str),
    /// A key structure was not valid DER for its ASN.1 type.
    Der(Box<asn1_types::Error>),
    /// An input had to have exactly `expected` bytes.
    LengthMismatch {
        /// The required length in bytes.
        expected: usize,
        /// The length that was given.
        actual: usize,
    },
    /// An input's length (or a size in bits, for key generation) was outside
    /// `min..=max`.
    LengthOutOfRange {
        /// The smallest allowed value.
        min: usize,
        /// The largest allowed value.
        max: usize,
        /// The value that was given.
        actual: usize,
    },
    /// An argument broke a rule; the text names it.
    InvalidArgument(&'static str),
    /// A dependency failed; the text names the failure.
    Backend(&'static str),
}

/// A failed cryptographic operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Who is responsible.
    pub origin: Origin,
    /// The operation, e.g. `"elgamal decrypt"`.
    pub operation: &'static str,
    /// The input at fault, e.g. `"iv"`, when it can be told.
    pub field: Option<&'static str>,
    /// The specification section whose rule applies, e.g.
    /// `"[MS-GRVSSTPS] 3.1.1.3"`.
    pub section: &'static str,
}

impl Error {
    pub(crate) fn new(
        kind: ErrorKind,
        origin: Origin,
        operation: &'static str,
        section: &'static str,
    ) -> Self {
        Self {
            kind,
            origin,
            operation,
            field: None,
            section,
        }
    }

    /// Bad data from the peer.
    pub(crate) fn peer(kind: ErrorKind, operation: &'static str, section: &'static str) -> Self {
        Self::new(kind, Origin::Peer, operation, section)
    }

    /// API misuse by the caller.
    pub(crate) fn caller(kind: ErrorKind, operation: &'static str, section: &'static str) -> Self {
        Self::new(kind, Origin::Caller, operation, section)
    }

    /// A dependency failure.
    pub(crate) fn internal(
        what: &'static str,
        operation: &'static str,
        section: &'static str,
    ) -> Self {
        Self::new(
            ErrorKind::Backend(what),
            Origin::Internal,
            operation,
            section,
        )
    }

    /// Names the input at fault.
    #[must_use]
    pub(crate) fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Whether the peer (rather than the caller or a dependency) is at fault.
    pub fn is_peer_error(&self) -> bool {
        self.origin == Origin::Peer
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::VerificationFailed => f.write_str("verification failed"),
            Self::InvalidCiphertext(why) => write!(f, "invalid ciphertext: {why}"),
            Self::InvalidPublicKey(why) => write!(f, "invalid public key: {why}"),
            Self::InvalidPrivateKey(why) => write!(f, "invalid private key: {why}"),
            Self::Der(e) => write!(f, "invalid der: {e}"),
            Self::LengthMismatch { expected, actual } => {
                write!(f, "length is {actual}, must be {expected}")
            }
            Self::LengthOutOfRange { min, max, actual } => {
                write!(f, "length is {actual}, must be in {min}..={max}")
            }
            Self::InvalidArgument(why) => write!(f, "invalid argument: {why}"),
            Self::Backend(why) => write!(f, "backend failure: {why}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = match self.origin {
            Origin::Peer => "peer",
            Origin::Caller => "caller",
            Origin::Internal => "internal",
        };
        write!(f, "{} ({}, {who} error)", self.operation, self.section)?;
        if let Some(field) = self.field {
            write!(f, " field {field}")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Der(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_operation_section_origin_and_field() {
        let e = Error::peer(
            ErrorKind::LengthMismatch {
                expected: 24,
                actual: 23,
            },
            "marc4",
            "[MS-GRVSSTPS] 3.1.1.4",
        )
        .field("iv");
        let s = e.to_string();
        assert_eq!(
            s,
            "marc4 ([MS-GRVSSTPS] 3.1.1.4, peer error) field iv: length is 23, must be 24"
        );
        assert!(e.is_peer_error());
        assert_eq!(s, s.to_lowercase().replace("ms-grvsstps", "MS-GRVSSTPS"));
        assert!(!s.ends_with('.'));
    }
}
