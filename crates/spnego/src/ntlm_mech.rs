//! [`Mechanism`] adapters for the `ntlm` crate's initiator and acceptor
//! ([MS-NLMP] 3.1, 3.2, 3.4), as SPNEGO and CredSSP drive them.
//!
//! * [`NtlmMechanism::initiator`] wraps an [`NtlmClient`];
//!   [`NtlmMechanism::acceptor`] wraps an [`NtlmServer`] over any owned
//!   credential store (`InMemoryCredentialStore`, `Box<dyn CredentialStore +
//!   Send>`, `Arc<…>`), so the adapter is `Send + 'static` and a CredSSP
//!   endpoint can hold it as a `Box<dyn Mechanism + Send>`.
//! * [`Mechanism::after_mech_list_mic`] restarts that direction's RC4 handle
//!   while its sequence counter runs on ([MS-SPNG] 3.3.5.1 and what Windows
//!   and pyspnego do: mechListMIC seq 0, then pubKeyAuth seq 1).
//! * [`Mechanism::requires_mech_list_mic`] is the context's `mic_provided()`:
//!   an AUTHENTICATE with a MIC makes the SPNEGO mechListMIC mandatory.
//! * Errors: every [`ntlm::Error::is_logon_failure`] becomes
//!   [`MechErrorKind::LogonFailure`], session-security failures
//!   [`MechErrorKind::Integrity`], caller errors [`MechErrorKind::Usage`] and
//!   the rest [`MechErrorKind::Protocol`].

use core::fmt;

use asn1_types::der::asn1::ObjectIdentifier;
use asn1_types::spnego::OID_NTLMSSP;
use crypto_primitives::SecretBytes;
use ntlm::{CredentialStore, NtlmClient, NtlmServer, SecurityContext, Step};

use crate::mechanism::{Direction, MechError, MechErrorKind, MechStep, Mechanism, PeerIdentity};

/// Maps an `ntlm` error to a [`MechError`], keeping its message (which names
/// the message, field, byte offset and [MS-NLMP] section).
pub fn mech_error(error: &ntlm::Error) -> MechError {
    let kind = if error.is_logon_failure() {
        MechErrorKind::LogonFailure
    } else if error.origin() == ntlm::Origin::Caller {
        MechErrorKind::Usage
    } else {
        match error.kind() {
            ntlm::ErrorKind::MalformedMessageSignature
            | ntlm::ErrorKind::MessageSignatureMismatch
            | ntlm::ErrorKind::SequenceMismatch => MechErrorKind::Integrity,
            _ => MechErrorKind::Protocol,
        }
    };
    MechError::new(kind, format!("ntlm: {error}"))
}

fn from_step(step: Step) -> Result<MechStep, MechError> {
    match step {
        Step::Continue(token) => Ok(MechStep::Continue(token)),
        Step::Complete(token) => Ok(MechStep::Complete(token)),
        // `ntlm::Step` is non-exhaustive; a new kind of step is not
        // something this adapter knows how to forward.
        _ => Err(MechError::new(
            MechErrorKind::Usage,
            "ntlm: unsupported step outcome",
        )),
    }
}

/// The acceptor with its credential store type erased.
trait Acceptor: fmt::Debug + Send {
    fn step(&mut self, input: Option<&[u8]>) -> ntlm::Result<Step>;
    fn context(&self) -> Option<&SecurityContext>;
    fn context_mut(&mut self) -> Option<&mut SecurityContext>;
}

impl<S: CredentialStore + Send> Acceptor for NtlmServer<S> {
    fn step(&mut self, input: Option<&[u8]>) -> ntlm::Result<Step> {
        NtlmServer::step(self, input)
    }

    fn context(&self) -> Option<&SecurityContext> {
        NtlmServer::context(self)
    }

    fn context_mut(&mut self) -> Option<&mut SecurityContext> {
        NtlmServer::context_mut(self)
    }
}

#[derive(Debug)]
enum Side {
    Initiator(NtlmClient),
    Acceptor(Box<dyn Acceptor>),
}

/// NTLM as a [`Mechanism`]: an [`NtlmClient`] or an [`NtlmServer`].
///
/// `Debug` shows the state and the (redacted) keys' presence, never key
/// bytes: the `ntlm` types redact themselves.
#[derive(Debug)]
pub struct NtlmMechanism {
    side: Side,
}

impl NtlmMechanism {
    /// The initiator side.
    pub fn initiator(client: NtlmClient) -> Self {
        Self {
            side: Side::Initiator(client),
        }
    }

    /// The acceptor side, over any owned credential store.
    pub fn acceptor<S: CredentialStore + Send + 'static>(server: NtlmServer<S>) -> Self {
        Self {
            side: Side::Acceptor(Box::new(server)),
        }
    }

    /// The established NTLM context (sequence numbers, flags, identity,
    /// exported session key), once complete.
    pub fn context(&self) -> Option<&SecurityContext> {
        match &self.side {
            Side::Initiator(c) => c.context(),
            Side::Acceptor(s) => s.context(),
        }
    }

    fn context_mut(&mut self) -> Result<&mut SecurityContext, MechError> {
        match &mut self.side {
            Side::Initiator(c) => c.context_mut(),
            Side::Acceptor(s) => s.context_mut(),
        }
        .ok_or_else(|| {
            MechError::new(
                MechErrorKind::Usage,
                "ntlm: the context is not established yet ([MS-NLMP] 3.4)",
            )
        })
    }
}

impl Mechanism for NtlmMechanism {
    fn oid(&self) -> ObjectIdentifier {
        OID_NTLMSSP
    }

    fn step(&mut self, input: Option<&[u8]>) -> Result<MechStep, MechError> {
        match &mut self.side {
            Side::Initiator(c) => c.step(input),
            Side::Acceptor(s) => s.step(input),
        }
        .map_err(|e| mech_error(&e))
        .and_then(from_step)
    }

    fn is_complete(&self) -> bool {
        self.context().is_some()
    }

    fn wrap(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, MechError> {
        self.context_mut()?
            .wrap(plaintext)
            .map_err(|e| mech_error(&e))
    }

    fn unwrap(&mut self, token: &[u8]) -> Result<SecretBytes, MechError> {
        self.context_mut()?
            .unwrap(token)
            .map_err(|e| mech_error(&e))
    }

    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, MechError> {
        self.context_mut()?
            .get_mic(message)
            .map(|mic| mic.to_vec())
            .map_err(|e| mech_error(&e))
    }

    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), MechError> {
        self.context_mut()?
            .verify_mic(message, mic)
            .map_err(|e| mech_error(&e))
    }

    fn after_mech_list_mic(&mut self, direction: Direction) {
        if let Ok(context) = self.context_mut() {
            match direction {
                Direction::Outbound => context.reset_outbound_seal_state(),
                Direction::Inbound => context.reset_inbound_seal_state(),
            }
        }
    }

    fn requires_mech_list_mic(&self) -> bool {
        self.context().is_some_and(SecurityContext::mic_provided)
    }

    fn peer_identity(&self) -> Option<PeerIdentity> {
        match &self.side {
            Side::Initiator(_) => None,
            Side::Acceptor(s) => s.context().map(|c| {
                let id = c.identity();
                PeerIdentity {
                    user: id.user.clone(),
                    domain: id.domain.clone(),
                    anonymous: id.anonymous,
                }
            }),
        }
    }
}
