//! The crate's single error type.
//!
//! Every error names what went wrong ([`ErrorKind`]), which message and field
//! it concerns, the [MS-NLMP] section that defines the rule, and — for wire
//! input — the byte offset inside the message. [`Error::origin`] separates
//! "the peer sent something wrong" from "the caller used the API wrongly".

use core::fmt;

/// The structure an error refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Message {
    /// [MS-NLMP] 2.2.1.1 NEGOTIATE_MESSAGE.
    Negotiate,
    /// [MS-NLMP] 2.2.1.2 CHALLENGE_MESSAGE.
    Challenge,
    /// [MS-NLMP] 2.2.1.3 AUTHENTICATE_MESSAGE.
    Authenticate,
    /// [MS-NLMP] 2.2.2.1 AV_PAIR list (TargetInfo, or the pairs inside an NTLMv2 response).
    AvPairs,
    /// [MS-NLMP] 2.2.2.8 NTLMv2_RESPONSE / 2.2.2.7 NTLMv2_CLIENT_CHALLENGE.
    NtlmV2Response,
    /// [MS-NLMP] 2.2.2.9 NTLMSSP_MESSAGE_SIGNATURE (session security tokens).
    MessageSignature,
    /// Caller-supplied configuration or API arguments.
    Api,
}

impl Message {
    fn name(self) -> &'static str {
        match self {
            Self::Negotiate => "negotiate message",
            Self::Challenge => "challenge message",
            Self::Authenticate => "authenticate message",
            Self::AvPairs => "av pair list",
            Self::NtlmV2Response => "ntlmv2 response",
            Self::MessageSignature => "message signature",
            Self::Api => "api call",
        }
    }
}

/// Who is at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The peer sent a malformed, unacceptable or unauthenticated message.
    Peer,
    /// The caller used the API wrongly (wrong state, bad configuration).
    Caller,
}

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    // ---- the peer misbehaved ------------------------------------------------
    /// The input ends before the structure does.
    Truncated,
    /// The first 8 bytes are not `"NTLMSSP\0"` ([MS-NLMP] 2.2.1).
    NotNtlmssp,
    /// The MessageType field is not the one expected in this state.
    UnexpectedMessageType,
    /// A payload field (Len/MaxLen/BufferOffset) points outside the message.
    FieldOutOfBounds,
    /// A payload field overlaps the fixed header or another payload field.
    FieldOverlap,
    /// An AV_PAIR list is malformed (no MsvAvEOL, wrong value length).
    InvalidAvPair,
    /// A string is not valid UTF-16LE.
    InvalidString,
    /// The NTLMv2 response structure is malformed.
    InvalidNtlmV2Response,
    /// The peer used NTLMv1 or LM (a 24-byte NtChallengeResponse); refused.
    NtlmV1Refused,
    /// Anonymous authentication was attempted and is not enabled.
    AnonymousRefused,
    /// The peer's negotiate flags lack something this implementation requires.
    FlagsRejected,
    /// NEGOTIATE_KEY_EXCH is set but EncryptedRandomSessionKey is not 16 bytes.
    InvalidSessionKey,
    /// The credential store has no entry for the user.
    UnknownUser,
    /// NTProofStr does not match: wrong password (or a tampered response).
    NtProofMismatch,
    /// A MIC is required but absent.
    MicMissing,
    /// The AUTHENTICATE MIC does not match (tampered messages).
    MicMismatch,
    /// The client's MsvAvChannelBindings does not match the expected hash.
    ChannelBindingsMismatch,
    /// A session-security token is too short or has the wrong version.
    MalformedMessageSignature,
    /// A session-security checksum does not match.
    MessageSignatureMismatch,
    /// A session-security token carries an unexpected sequence number.
    SequenceMismatch,

    // ---- the caller misused the API -----------------------------------------
    /// The operation is not valid in the current state (or after a failure).
    InvalidState,
    /// An argument or configuration value cannot be used.
    InvalidInput,
    /// The operation needs a flag that was not negotiated (SIGN or SEAL).
    NotNegotiated,
}

impl ErrorKind {
    /// Who is at fault for an error of this kind.
    pub fn origin(self) -> Origin {
        match self {
            Self::InvalidState | Self::InvalidInput | Self::NotNegotiated => Origin::Caller,
            _ => Origin::Peer,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Truncated => "truncated input",
            Self::NotNtlmssp => "not an ntlmssp message",
            Self::UnexpectedMessageType => "unexpected message type",
            Self::FieldOutOfBounds => "payload field out of bounds",
            Self::FieldOverlap => "payload field overlaps",
            Self::InvalidAvPair => "invalid av pair",
            Self::InvalidString => "invalid utf-16le string",
            Self::InvalidNtlmV2Response => "invalid ntlmv2 response",
            Self::NtlmV1Refused => "ntlmv1/lm response refused",
            Self::AnonymousRefused => "anonymous authentication refused",
            Self::FlagsRejected => "negotiate flags rejected",
            Self::InvalidSessionKey => "invalid encrypted session key",
            Self::UnknownUser => "unknown user",
            Self::NtProofMismatch => "ntproofstr mismatch (wrong password)",
            Self::MicMissing => "mic missing",
            Self::MicMismatch => "mic mismatch",
            Self::ChannelBindingsMismatch => "channel bindings mismatch",
            Self::MalformedMessageSignature => "malformed message signature",
            Self::MessageSignatureMismatch => "message signature mismatch",
            Self::SequenceMismatch => "sequence number mismatch",
            Self::InvalidState => "invalid state",
            Self::InvalidInput => "invalid input",
            Self::NotNegotiated => "not negotiated",
        }
    }
}

/// The error type of this crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: Message,
    field: &'static str,
    section: &'static str,
    offset: Option<usize>,
}

impl Error {
    /// A new error. `field` names the spec field (or API item), `section` the
    /// [MS-NLMP] section that states the rule.
    pub(crate) fn new(
        kind: ErrorKind,
        message: Message,
        field: &'static str,
        section: &'static str,
    ) -> Self {
        Self {
            kind,
            message,
            field,
            section,
            offset: None,
        }
    }

    /// The same error, located at byte `offset` of the message.
    pub(crate) fn at(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Shifts the byte offset (used when a sub-structure is parsed on its own
    /// and then located inside its parent message).
    pub(crate) fn shifted(mut self, base: usize, message: Message) -> Self {
        self.offset = self.offset.map(|o| o.saturating_add(base));
        self.message = message;
        self
    }

    /// A caller-side error about an API argument or configuration item.
    pub(crate) fn api(kind: ErrorKind, field: &'static str, section: &'static str) -> Self {
        Self::new(kind, Message::Api, field, section)
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Who is at fault.
    pub fn origin(&self) -> Origin {
        self.kind.origin()
    }

    /// The structure concerned.
    pub fn message(&self) -> Message {
        self.message
    }

    /// The spec field (or API item) concerned.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// The [MS-NLMP] section stating the rule, e.g. `"2.2.1.3"`.
    pub fn section(&self) -> &'static str {
        self.section
    }

    /// Byte offset inside the message, for wire input.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// Whether this is a failed logon that an acceptor should report to the
    /// peer as one generic "logon denied" error (SEC_E_LOGON_DENIED /
    /// STATUS_LOGON_FAILURE), without saying which check failed.
    pub fn is_logon_failure(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::UnknownUser
                | ErrorKind::NtProofMismatch
                | ErrorKind::MicMismatch
                | ErrorKind::MicMissing
                | ErrorKind::ChannelBindingsMismatch
                | ErrorKind::AnonymousRefused
                | ErrorKind::NtlmV1Refused
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.describe(), self.message.name())?;
        if !self.field.is_empty() {
            write!(f, " field {}", self.field)?;
        }
        if let Some(offset) = self.offset {
            write!(f, " at byte {offset}")?;
        }
        write!(f, " ([MS-NLMP] {})", self.section)
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_lowercase_and_names_everything() {
        let e = Error::new(
            ErrorKind::FieldOutOfBounds,
            Message::Authenticate,
            "DomainNameFields",
            "2.2.1.3",
        )
        .at(28);
        let s = e.to_string();
        assert_eq!(
            s,
            "payload field out of bounds: authenticate message field DomainNameFields at byte 28 ([MS-NLMP] 2.2.1.3)"
        );
        assert!(!s.ends_with('.'));
        assert_eq!(e.origin(), Origin::Peer);
        assert_eq!(
            Error::api(ErrorKind::InvalidState, "step", "3.1.5").origin(),
            Origin::Caller
        );
    }
}
