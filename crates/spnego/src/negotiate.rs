//! An acceptor that follows the client: SPNEGO or a raw mechanism token.
//!
//! Windows' Negotiate package accepts a raw NTLMSSP (or raw Kerberos) first
//! token as well as a SPNEGO NegTokenInit, and CredSSP clients use both:
//! mstsc and FreeRDP 2 put raw NTLMSSP in `negoTokens` ([MS-CSSP] 3.1.5),
//! pyspnego and Windows SSPI-Negotiate callers send SPNEGO. The first token
//! decides ([`asn1_types::spnego::NegoTokenKind::of`]); everything after it
//! goes to the mechanism chosen.

use asn1_types::der::asn1::ObjectIdentifier;
use asn1_types::spnego::{NegoTokenKind, OID_NTLMSSP, OID_SPNEGO};
use crypto_primitives::SecretBytes;

use crate::mechanism::{Direction, MechError, MechErrorKind, MechStep, Mechanism, PeerIdentity};
use crate::negotiation::{BoxedMechanism, SpnegoAcceptor, protocol, same_mech, usage};

/// What a [`NegotiateAcceptor`] became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NegotiateMode {
    /// No token seen yet.
    Undecided,
    /// The client sent a raw mechanism token (e.g. NTLMSSP): no SPNEGO
    /// framing and no mechListMIC.
    Raw(ObjectIdentifier),
    /// The client sent a SPNEGO NegTokenInit.
    Spnego,
    /// The first token was neither, or no candidate fits it.
    Failed,
}

#[derive(Debug)]
enum Inner {
    Undecided(Vec<BoxedMechanism>),
    Raw(BoxedMechanism),
    Spnego(SpnegoAcceptor),
    Failed,
}

/// The acceptor side of "Negotiate": becomes a raw mechanism acceptor or a
/// [`SpnegoAcceptor`] on the client's first token.
///
/// Its [`Mechanism::oid`] is SPNEGO until a raw token chose a mechanism,
/// then that mechanism's OID.
#[derive(Debug)]
pub struct NegotiateAcceptor {
    inner: Inner,
}

impl NegotiateAcceptor {
    /// An acceptor willing to run any of `candidates` (raw or inside SPNEGO).
    pub fn new(candidates: Vec<BoxedMechanism>) -> Result<Self, MechError> {
        if candidates.is_empty() {
            return Err(usage("negotiate acceptor: no candidate mechanism"));
        }
        Ok(Self {
            inner: Inner::Undecided(candidates),
        })
    }

    /// What the first token made of this acceptor.
    pub fn mode(&self) -> NegotiateMode {
        match &self.inner {
            Inner::Undecided(_) => NegotiateMode::Undecided,
            Inner::Raw(m) => NegotiateMode::Raw(m.oid()),
            Inner::Spnego(_) => NegotiateMode::Spnego,
            Inner::Failed => NegotiateMode::Failed,
        }
    }

    fn decide(candidates: Vec<BoxedMechanism>, token: &[u8]) -> Result<Inner, MechError> {
        let raw = |oid: ObjectIdentifier, mut candidates: Vec<BoxedMechanism>| {
            let index = candidates
                .iter()
                .position(|m| same_mech(&m.oid(), &oid))
                .ok_or_else(|| {
                    MechError::new(
                        MechErrorKind::NoCommonMechanism,
                        format!("negotiate acceptor: raw {oid} token, but no such mechanism is configured"),
                    )
                })?;
            Ok(Inner::Raw(candidates.swap_remove(index)))
        };
        match NegoTokenKind::of(token) {
            NegoTokenKind::Ntlmssp => raw(OID_NTLMSSP, candidates),
            NegoTokenKind::OtherGss(oid) => raw(oid, candidates),
            NegoTokenKind::SpnegoInit => SpnegoAcceptor::new(candidates).map(Inner::Spnego),
            kind => Err(protocol(format!(
                "negotiate acceptor: the first token is a {kind}, not a SPNEGO NegTokenInit or a raw mechanism token ([MS-CSSP] 2.2.1.1 negoTokens)"
            ))),
        }
    }

    fn active(&mut self) -> Result<&mut dyn Mechanism, MechError> {
        match &mut self.inner {
            Inner::Raw(m) => Ok(&mut **m),
            Inner::Spnego(s) => Ok(s),
            Inner::Undecided(_) | Inner::Failed => Err(usage(
                "negotiate acceptor: the security context is not established yet",
            )),
        }
    }

    fn active_ref(&self) -> Option<&dyn Mechanism> {
        match &self.inner {
            Inner::Raw(m) => Some(&**m),
            Inner::Spnego(s) => Some(s),
            Inner::Undecided(_) | Inner::Failed => None,
        }
    }
}

impl Mechanism for NegotiateAcceptor {
    fn oid(&self) -> ObjectIdentifier {
        match &self.inner {
            Inner::Raw(m) => m.oid(),
            _ => OID_SPNEGO,
        }
    }

    fn step(&mut self, input: Option<&[u8]>) -> Result<MechStep, MechError> {
        if let (Inner::Undecided(_), Some(token)) = (&self.inner, input) {
            let Inner::Undecided(candidates) = core::mem::replace(&mut self.inner, Inner::Failed)
            else {
                return Err(usage("negotiate acceptor: inconsistent state"));
            };
            self.inner = Self::decide(candidates, token)?;
        }
        match &mut self.inner {
            Inner::Raw(m) => m.step(input),
            Inner::Spnego(s) => s.step(input),
            Inner::Undecided(_) => Err(usage(
                "negotiate acceptor: the first step needs the client's token",
            )),
            Inner::Failed => Err(usage("negotiate acceptor: the negotiation failed")),
        }
    }

    fn is_complete(&self) -> bool {
        self.active_ref().is_some_and(Mechanism::is_complete)
    }

    fn wrap(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, MechError> {
        self.active()?.wrap(plaintext)
    }

    fn unwrap(&mut self, token: &[u8]) -> Result<SecretBytes, MechError> {
        self.active()?.unwrap(token)
    }

    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, MechError> {
        self.active()?.get_mic(message)
    }

    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), MechError> {
        self.active()?.verify_mic(message, mic)
    }

    fn after_mech_list_mic(&mut self, direction: Direction) {
        if let Ok(m) = self.active() {
            m.after_mech_list_mic(direction);
        }
    }

    fn requires_mech_list_mic(&self) -> bool {
        self.active_ref()
            .is_some_and(Mechanism::requires_mech_list_mic)
    }

    fn peer_identity(&self) -> Option<PeerIdentity> {
        self.active_ref().and_then(Mechanism::peer_identity)
    }

    fn protection_ready(&self) -> bool {
        self.active_ref().is_some_and(Mechanism::protection_ready)
    }

    fn take_error_token(&mut self) -> Option<Vec<u8>> {
        self.active().ok().and_then(Mechanism::take_error_token)
    }
}
