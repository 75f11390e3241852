//! The mechanism interface SPNEGO negotiates over, and that CredSSP drives.
//!
//! A mechanism is a GSS-API-style security package (NTLM now, Kerberos
//! later): it exchanges opaque tokens until it is complete, then offers
//! per-message integrity and confidentiality. SPNEGO itself implements this
//! trait too, so a CredSSP endpoint can run raw NTLM or SPNEGO alike.

use core::fmt;

use asn1_types::der::asn1::ObjectIdentifier;
use crypto_primitives::SecretBytes;

/// What one call to [`Mechanism::step`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MechStep {
    /// Send this token and wait for the peer's answer.
    Continue(Vec<u8>),
    /// The context is established; send the token if there is one.
    Complete(Option<Vec<u8>>),
}

/// Which way a message travels, from this side's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A message this side sends.
    Outbound,
    /// A message this side receives.
    Inbound,
}

/// The authenticated peer, as the acceptor learned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerIdentity {
    /// The user name as the client sent it.
    pub user: String,
    /// The domain name as the client sent it.
    pub domain: String,
    /// Whether the logon was anonymous.
    pub anonymous: bool,
}

/// Why a mechanism failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MechErrorKind {
    /// The peer's credentials were refused (wrong password, unknown user,
    /// bad MIC): CredSSP reports this as a logon failure.
    LogonFailure,
    /// The peer sent something malformed or out of order.
    Protocol,
    /// A message failed its integrity check, or a sequence number was off.
    Integrity,
    /// The caller used the mechanism in a way its state does not allow.
    Usage,
    /// No mechanism both sides support.
    NoCommonMechanism,
}

/// A mechanism failure: its kind and a lowercase message without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MechError {
    /// What class of failure this is.
    pub kind: MechErrorKind,
    /// A human-readable explanation naming the field and section.
    pub message: String,
}

impl MechError {
    /// Builds an error.
    pub fn new(kind: MechErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for MechError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MechError {}

/// A security mechanism driven by tokens (GSS_Init/Accept_sec_context) and
/// offering per-message protection once complete (GSS_Wrap/Unwrap,
/// GSS_GetMIC/VerifyMIC).
pub trait Mechanism: fmt::Debug {
    /// The mechanism's OID, as it appears in SPNEGO's mechTypes.
    fn oid(&self) -> ObjectIdentifier;

    /// Consumes the peer's token (`None` for an initiator's first call) and
    /// produces the next token.
    fn step(&mut self, input: Option<&[u8]>) -> Result<MechStep, MechError>;

    /// Whether the security context is established.
    fn is_complete(&self) -> bool;

    /// Seals `plaintext` (confidentiality and integrity).
    fn wrap(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, MechError>;

    /// Checks and unseals a token the peer wrapped.
    fn unwrap(&mut self, token: &[u8]) -> Result<SecretBytes, MechError>;

    /// A checksum over `message` (integrity only).
    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, MechError>;

    /// Verifies a checksum the peer made over `message`.
    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), MechError>;

    /// Called by SPNEGO after it generated (`Outbound`) or verified
    /// (`Inbound`) a mechListMIC. NTLM restarts that direction's RC4 handle
    /// here while its sequence counter runs on; other mechanisms do nothing.
    fn after_mech_list_mic(&mut self, _direction: Direction) {}

    /// Whether SPNEGO must exchange mechListMICs for this mechanism
    /// ([MS-SPNG] 3.3.5.1: NTLM with a MIC in its AUTHENTICATE message).
    fn requires_mech_list_mic(&self) -> bool {
        false
    }

    /// On an acceptor, once complete: who authenticated.
    fn peer_identity(&self) -> Option<PeerIdentity> {
        None
    }

    /// Whether *outbound* protection ([`Self::wrap`], [`Self::get_mic`]) can
    /// be used already.
    ///
    /// Usually the same as [`Self::is_complete`]. A SPNEGO initiator differs:
    /// once its mechanism is established and its mechListMIC is sent, it may
    /// wrap (CredSSP sends pubKeyAuth in the same TSRequest as the last NTLM
    /// token) while it still waits for the acceptor's final token
    /// (accept-completed and the acceptor's mechListMIC). Inbound protection
    /// ([`Self::unwrap`], [`Self::verify_mic`]) needs [`Self::is_complete`]:
    /// step that final token first, then unwrap what came with it.
    fn protection_ready(&self) -> bool {
        self.is_complete()
    }

    /// After [`Self::step`] failed on a peer token: a token that tells the
    /// peer so (a SPNEGO `negState: reject`), if the mechanism has one.
    /// Returns it once. CredSSP reports failures with `errorCode` instead and
    /// may ignore it.
    fn take_error_token(&mut self) -> Option<Vec<u8>> {
        None
    }
}
