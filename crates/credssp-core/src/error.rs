//! The crate's one error type.

use core::fmt;

use asn1_types::NtStatus;
use spnego::{MechError, MechErrorKind};

/// Who caused a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The peer sent something wrong (or refused us).
    Peer,
    /// The caller used the API or configured it in a way it does not allow.
    Caller,
    /// A local check refused to go on (policy, binding mismatch).
    Local,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A TSRequest or TSCredentials did not decode (strict DER).
    Decode(Box<asn1_types::Error>),
    /// Encoding an outgoing structure failed.
    Encode(Box<asn1_types::Error>),
    /// The security mechanism (NTLM, SPNEGO) failed.
    Mechanism(MechError),
    /// The peer sent `errorCode` ([MS-CSSP] 2.2.1): the exchange stopped at
    /// once.
    PeerErrorCode(NtStatus),
    /// The peer's version is below our configured minimum
    /// ([MS-CSSP-Diff] 5.1 advises version 5 or higher only).
    VersionTooLow {
        /// The version the peer sent.
        peer: u32,
        /// Our minimum.
        minimum: u32,
    },
    /// The peer's version changed in the middle of the exchange.
    VersionChanged {
        /// The version it first sent.
        first: u32,
        /// The version it sent now.
        now: u32,
    },
    /// A field that must be present at this point is missing.
    MissingField,
    /// A field that must not be present at this point is present.
    UnexpectedField,
    /// A field is present but its value is not acceptable.
    InvalidField(&'static str),
    /// The public-key binding did not match: the TLS key the peer saw is not
    /// ours (a man in the middle), or the peer replayed our own value.
    PublicKeyMismatch,
    /// The server certificate could not be parsed for its SubjectPublicKey.
    Certificate(String),
    /// The target is not on the delegation allow-list ([MS-CSSP] 3.1.1).
    DelegationRefused {
        /// The target SPN that was refused.
        target: String,
    },
    /// The endpoint's configuration is invalid.
    Config(&'static str),
    /// `step` was called after the exchange finished or failed, or with the
    /// wrong kind of input.
    Usage(&'static str),
}

/// A CredSSP failure: what, which field, which spec section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The TSRequest / TSCredentials field concerned, when there is one.
    pub field: Option<&'static str>,
    /// The specification section whose rule was applied.
    pub section: &'static str,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, field: Option<&'static str>, section: &'static str) -> Self {
        Self {
            kind,
            field,
            section,
        }
    }

    pub(crate) fn missing(field: &'static str, section: &'static str) -> Self {
        Self::new(ErrorKind::MissingField, Some(field), section)
    }

    pub(crate) fn unexpected(field: &'static str, section: &'static str) -> Self {
        Self::new(ErrorKind::UnexpectedField, Some(field), section)
    }

    pub(crate) fn invalid(field: &'static str, section: &'static str, why: &'static str) -> Self {
        Self::new(ErrorKind::InvalidField(why), Some(field), section)
    }

    pub(crate) fn usage(why: &'static str) -> Self {
        Self::new(ErrorKind::Usage(why), None, "[MS-CSSP] 3.1.5")
    }

    pub(crate) fn decode(e: asn1_types::Error) -> Self {
        let section = e.section;
        let field = e.field;
        Self::new(ErrorKind::Decode(Box::new(e)), field, section)
    }

    pub(crate) fn encode(e: asn1_types::Error) -> Self {
        let section = e.section;
        Self::new(ErrorKind::Encode(Box::new(e)), None, section)
    }

    pub(crate) fn mech(e: MechError, field: &'static str) -> Self {
        Self::new(ErrorKind::Mechanism(e), Some(field), "[MS-CSSP] 3.1.5")
    }

    /// Who caused the failure.
    pub fn origin(&self) -> Origin {
        match &self.kind {
            ErrorKind::Decode(_)
            | ErrorKind::PeerErrorCode(_)
            | ErrorKind::VersionChanged { .. }
            | ErrorKind::MissingField
            | ErrorKind::UnexpectedField
            | ErrorKind::InvalidField(_) => Origin::Peer,
            ErrorKind::Mechanism(m) if m.kind == MechErrorKind::Usage => Origin::Caller,
            ErrorKind::Mechanism(_) => Origin::Peer,
            ErrorKind::Config(_) | ErrorKind::Usage(_) | ErrorKind::Certificate(_) => {
                Origin::Caller
            }
            ErrorKind::Encode(_)
            | ErrorKind::VersionTooLow { .. }
            | ErrorKind::PublicKeyMismatch
            | ErrorKind::DelegationRefused { .. } => Origin::Local,
        }
    }

    /// The NTSTATUS the peer sent in `errorCode`, if that is what this is.
    pub fn peer_status(&self) -> Option<NtStatus> {
        match self.kind {
            ErrorKind::PeerErrorCode(s) => Some(s),
            _ => None,
        }
    }

    /// The NTSTATUS a server reports for this failure in `errorCode`.
    pub fn to_ntstatus(&self) -> NtStatus {
        match &self.kind {
            ErrorKind::Mechanism(m) => match m.kind {
                MechErrorKind::LogonFailure => NtStatus::STATUS_LOGON_FAILURE,
                MechErrorKind::Integrity => NtStatus::SEC_E_MESSAGE_ALTERED,
                MechErrorKind::NoCommonMechanism => NtStatus::SEC_E_SECPKG_NOT_FOUND,
                MechErrorKind::Usage => NtStatus::STATUS_INTERNAL_ERROR,
                _ => NtStatus::SEC_E_INVALID_TOKEN,
            },
            ErrorKind::VersionTooLow { .. } => NtStatus::STATUS_NOT_SUPPORTED,
            ErrorKind::PublicKeyMismatch => NtStatus::SEC_E_BAD_BINDINGS,
            ErrorKind::Decode(_)
            | ErrorKind::MissingField
            | ErrorKind::UnexpectedField
            | ErrorKind::InvalidField(_)
            | ErrorKind::VersionChanged { .. } => NtStatus::SEC_E_ILLEGAL_MESSAGE,
            _ => NtStatus::STATUS_INTERNAL_ERROR,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode(e) => write!(f, "malformed message: {e}"),
            Self::Encode(e) => write!(f, "cannot encode: {e}"),
            Self::Mechanism(e) => write!(f, "security mechanism failed ({:?}): {e}", e.kind),
            Self::PeerErrorCode(s) => write!(f, "peer reported errorCode {s}"),
            Self::VersionTooLow { peer, minimum } => write!(
                f,
                "peer version {peer} is below the minimum {minimum} (downgrade refused)"
            ),
            Self::VersionChanged { first, now } => {
                write!(f, "peer version changed from {first} to {now}")
            }
            Self::MissingField => f.write_str("missing field"),
            Self::UnexpectedField => f.write_str("unexpected field"),
            Self::InvalidField(why) => f.write_str(why),
            Self::PublicKeyMismatch => f.write_str(
                "public-key binding mismatch: the TLS key is not the one the peer bound \
                 (man in the middle or replay)",
            ),
            Self::Certificate(why) => write!(f, "server certificate: {why}"),
            Self::DelegationRefused { target } => write!(
                f,
                "delegation to {target:?} refused: not on the SPN allow-list"
            ),
            Self::Config(why) => write!(f, "invalid configuration: {why}"),
            Self::Usage(why) => write!(f, "api misuse: {why}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(field) = self.field {
            write!(f, " (field {field}")?;
            write!(f, ", {})", self.section)
        } else {
            write!(f, " ({})", self.section)
        }
    }
}

impl std::error::Error for Error {}
