//! The crate's one error type.
//!
//! Peer misbehaviour on the wire is *not* an `Err` of the engines: it is
//! answered with the response the specification prescribes and reported as
//! a failure event. `Err` values are for the caller's mistakes (an API used
//! in the wrong state, an unknown account URL), for certificate and key
//! material that does not meet [MS-GRVSSTPS] 3.1.1, and for a failing store.

use core::fmt;

/// Who caused an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// Bytes received from the peer (or a certificate handed over by one).
    Peer,
    /// The caller misused the API.
    Caller,
    /// The relay store failed.
    Store,
    /// A lower-layer operation failed unexpectedly.
    Internal,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The SSTP codec rejected or could not encode a command or token.
    Wire(Box<sstp_wire::Error>),
    /// A cryptographic primitive failed (bad key, bad ciphertext, ...).
    Crypto(Box<crypto_primitives::Error>),
    /// DER encoding or decoding failed.
    Der(Box<der::Error>),
    /// A value breaks a rule of the specification.
    Invalid(&'static str),
    /// The operation is not allowed in the engine's current state.
    WrongState(&'static str),
    /// A URL, token or name the caller referenced is unknown.
    Unknown(String),
    /// The relay store reported an error.
    Store(String),
}

/// An error: its kind, origin, the spec section and (when known) the field.
#[derive(Debug)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Who caused it.
    pub origin: Origin,
    /// The [MS-GRVSSTPS] section whose rule applies.
    pub section: &'static str,
    /// The field or object concerned.
    pub field: Option<&'static str>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, origin: Origin, section: &'static str) -> Self {
        Self {
            kind,
            origin,
            section,
            field: None,
        }
    }

    pub(crate) fn with_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub(crate) fn peer(why: &'static str, section: &'static str, field: &'static str) -> Self {
        Self::new(ErrorKind::Invalid(why), Origin::Peer, section).with_field(field)
    }

    pub(crate) fn caller(why: &'static str, section: &'static str, field: &'static str) -> Self {
        Self::new(ErrorKind::Invalid(why), Origin::Caller, section).with_field(field)
    }

    pub(crate) fn state(why: &'static str, section: &'static str) -> Self {
        Self::new(ErrorKind::WrongState(why), Origin::Caller, section)
    }

    pub(crate) fn wire(e: sstp_wire::Error, section: &'static str) -> Self {
        let origin = if e.origin() == sstp_wire::Origin::Peer {
            Origin::Peer
        } else {
            Origin::Internal
        };
        Self::new(ErrorKind::Wire(Box::new(e)), origin, section)
    }

    pub(crate) fn crypto(e: crypto_primitives::Error, section: &'static str) -> Self {
        let origin = if e.is_peer_error() {
            Origin::Peer
        } else {
            Origin::Internal
        };
        Self::new(ErrorKind::Crypto(Box::new(e)), origin, section)
    }

    pub(crate) fn der(e: der::Error, origin: Origin, section: &'static str) -> Self {
        Self::new(ErrorKind::Der(Box::new(e)), origin, section)
    }

    pub(crate) fn store(e: &dyn fmt::Display, section: &'static str) -> Self {
        Self::new(ErrorKind::Store(e.to_string()), Origin::Store, section)
    }

    /// Whether the peer (or a peer-supplied certificate) caused this error.
    pub fn is_peer_error(&self) -> bool {
        self.origin == Origin::Peer
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wire(e) => write!(f, "sstp codec: {e}"),
            Self::Crypto(e) => write!(f, "crypto: {e}"),
            Self::Der(e) => write!(f, "der: {e}"),
            Self::Invalid(why) => f.write_str(why),
            Self::WrongState(why) => write!(f, "wrong state: {why}"),
            Self::Unknown(what) => write!(f, "unknown {what}"),
            Self::Store(e) => write!(f, "relay store: {e}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(field) = self.field {
            write!(f, " (field {field})")?;
        }
        write!(f, " [{}]", self.section)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Wire(e) => Some(e.as_ref()),
            ErrorKind::Crypto(e) => Some(e.as_ref()),
            ErrorKind::Der(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}
