//! The SPNEGO initiator and acceptor ([RFC 4178] 3, 4.2, 5; [MS-SPNG] 3.1.5,
//! 3.2.5, 3.3.5.1).
//!
//! Both are [`Mechanism`]s themselves (OID `1.3.6.1.5.5.2`) over a list of
//! candidate mechanisms, so CredSSP drives them exactly like raw NTLM.
//!
//! **mechListMIC** ([RFC 4178] 5): a MIC of the negotiated mechanism over the
//! DER of the initiator's `mechTypes`. It is exchanged in both directions
//! when the mechanism asks for it ([`Mechanism::requires_mech_list_mic`]:
//! NTLM with a MIC in its AUTHENTICATE, [MS-SPNG] 3.3.5.1), when the acceptor
//! did not choose the initiator's preferred (first) mechanism, when the
//! acceptor answers `request-mic`, or as soon as the peer sent one. After
//! generating (verifying) one, [`Mechanism::after_mech_list_mic`] is called
//! with [`Direction::Outbound`] ([`Direction::Inbound`]): NTLM restarts that
//! direction's RC4 handle and keeps the sequence counter.
//!
//! The message flow with NTLM (what pyspnego and Windows exchange):
//!
//! ```text
//! initiator                                         acceptor
//! NegTokenInit{mechTypes, mechToken=NEGOTIATE}  ->
//!        <- NegTokenResp{accept-incomplete, supportedMech, CHALLENGE}
//! NegTokenResp{accept-incomplete, AUTHENTICATE,
//!              mechListMIC (seq 0)}             ->  (+ pubKeyAuth, seq 1)
//!        <- NegTokenResp{accept-completed, mechListMIC (seq 0)}  (+ pubKeyAuth, seq 1)
//! ```

use asn1_types::der::asn1::{ObjectIdentifier, OctetString};
use asn1_types::spnego::{
    MechTypeList, NegState, NegTokenInit, NegTokenInit2, NegTokenResp, NegotiationToken, OID_KRB5,
    OID_MS_KRB5, OID_SPNEGO, mech_name,
};
use crypto_primitives::SecretBytes;

use crate::mechanism::{Direction, MechError, MechErrorKind, MechStep, Mechanism, PeerIdentity};

/// A candidate mechanism, as SPNEGO holds it.
pub type BoxedMechanism = Box<dyn Mechanism + Send>;

pub(crate) fn usage(message: impl Into<String>) -> MechError {
    MechError::new(MechErrorKind::Usage, message)
}

pub(crate) fn protocol(message: impl Into<String>) -> MechError {
    MechError::new(MechErrorKind::Protocol, message)
}

fn decode(token: &[u8]) -> Result<NegotiationToken, MechError> {
    NegotiationToken::from_der(token).map_err(|e| protocol(format!("spnego: {e}")))
}

fn encode(token: &NegotiationToken) -> Result<Vec<u8>, MechError> {
    token
        .to_der()
        .map_err(|e| protocol(format!("spnego: cannot encode: {e}")))
}

fn octets(bytes: Option<Vec<u8>>) -> Result<Option<OctetString>, MechError> {
    bytes
        .map(|b| {
            OctetString::new(b)
                .map_err(|e| protocol(format!("spnego: token too long for an octet string: {e}")))
        })
        .transpose()
}

fn token_of(step: MechStep) -> Option<Vec<u8>> {
    match step {
        MechStep::Continue(token) => Some(token),
        MechStep::Complete(token) => token,
    }
}

/// Whether `offered` names the mechanism `ours` (identical, or both Kerberos:
/// the MS OID with the historical bit error is an alias, [MS-KILE] 3.1.5.3).
pub(crate) fn same_mech(ours: &ObjectIdentifier, offered: &ObjectIdentifier) -> bool {
    let krb = |o: &ObjectIdentifier| *o == OID_KRB5 || *o == OID_MS_KRB5;
    ours == offered || (krb(ours) && krb(offered))
}

fn describe(oid: &ObjectIdentifier) -> String {
    mech_name(oid).map_or_else(|| oid.to_string(), str::to_owned)
}

fn reject_token() -> Option<Vec<u8>> {
    NegotiationToken::NegTokenResp(NegTokenResp {
        neg_state: Some(NegState::Reject),
        supported_mech: None,
        response_token: None,
        mech_list_mic: None,
    })
    .to_der()
    .ok()
}

/// The negotiated mechanism and the mechListMIC bookkeeping of [RFC 4178] 5.
#[derive(Debug)]
struct Exchange {
    mech: BoxedMechanism,
    /// DER of the initiator's mechTypes: what the mechListMIC covers.
    mech_types_der: Vec<u8>,
    mic_required: bool,
    mic_sent: bool,
    mic_received: bool,
}

impl Exchange {
    fn new(mech: BoxedMechanism, mech_types_der: Vec<u8>, mic_required: bool) -> Self {
        Self {
            mech,
            mech_types_der,
            mic_required,
            mic_sent: false,
            mic_received: false,
        }
    }

    /// Steps the mechanism with the peer's token, if there is one.
    fn step_mech(&mut self, token: Option<&OctetString>) -> Result<Option<Vec<u8>>, MechError> {
        match token {
            Some(token) if self.mech.is_complete() => Err(protocol(format!(
                "spnego: a mechanism token ({} bytes) after {} completed ([RFC 4178] 4.2.2)",
                token.as_bytes().len(),
                describe(&self.mech.oid())
            ))),
            Some(token) => Ok(token_of(self.mech.step(Some(token.as_bytes()))?)),
            None => Ok(None),
        }
    }

    fn update_required(&mut self) {
        if self.mech.is_complete() && self.mech.requires_mech_list_mic() {
            self.mic_required = true;
        }
    }

    /// Verifies the peer's mechListMIC ([RFC 4178] 5).
    fn verify_peer_mic(&mut self, mic: &[u8]) -> Result<(), MechError> {
        if !self.mech.is_complete() {
            return Err(protocol(
                "spnego: mechListMIC before the mechanism completed ([RFC 4178] 5)",
            ));
        }
        if self.mic_received {
            return Err(protocol("spnego: a second mechListMIC ([RFC 4178] 5)"));
        }
        self.mech
            .verify_mic(&self.mech_types_der, mic)
            .map_err(|e| {
                MechError::new(
                    MechErrorKind::Integrity,
                    format!(
                        "spnego: mechListMIC does not verify ([RFC 4178] 5): {}",
                        e.message
                    ),
                )
            })?;
        self.mech.after_mech_list_mic(Direction::Inbound);
        self.mic_received = true;
        // Having received one, we must send one back ([RFC 4178] 5).
        self.mic_required = true;
        Ok(())
    }

    /// Our mechListMIC, when it is due and not sent yet.
    fn own_mic(&mut self) -> Result<Option<Vec<u8>>, MechError> {
        if !(self.mech.is_complete() && self.mic_required && !self.mic_sent) {
            return Ok(None);
        }
        let mic = self.mech.get_mic(&self.mech_types_der)?;
        self.mech.after_mech_list_mic(Direction::Outbound);
        self.mic_sent = true;
        Ok(Some(mic))
    }

    fn done(&self) -> bool {
        self.mech.is_complete() && (!self.mic_required || (self.mic_sent && self.mic_received))
    }

    fn missing_mic() -> MechError {
        MechError::new(
            MechErrorKind::Integrity,
            "spnego: the peer's mechListMIC is required but missing ([RFC 4178] 5, [MS-SPNG] 3.3.5.1)",
        )
    }
}

fn not_established(who: &str) -> MechError {
    usage(format!(
        "spnego {who}: the security context is not established yet"
    ))
}

// ---------------------------------------------------------------------------
// Initiator

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InitState {
    Initial,
    AwaitingFirstReply,
    AwaitingReply,
    Complete,
    Failed,
}

/// The SPNEGO initiator ([RFC 4178] 3.2, [MS-SPNG] 3.1.5).
///
/// ```text
/// step(None)          -> Continue(NegTokenInit{mechTypes, optimistic mechToken})
/// step(Some(reply))   -> Continue(NegTokenResp{…}) while the acceptor is not done
/// step(Some(final))   -> Complete(None) on accept-completed (mechListMIC verified)
/// ```
///
/// The candidates are offered in the order given (most preferred first); the
/// first one produces the optimistic token. Outbound protection is available
/// as soon as the mechanism is complete and this side's mechListMIC was sent
/// ([`Mechanism::protection_ready`]); inbound protection once the acceptor's
/// accept-completed (and its mechListMIC) was processed.
#[derive(Debug)]
pub struct SpnegoInitiator {
    candidates: Vec<BoxedMechanism>,
    mech_types: MechTypeList,
    exchange: Option<Exchange>,
    state: InitState,
}

impl SpnegoInitiator {
    /// An initiator offering `candidates`, most preferred first.
    pub fn new(candidates: Vec<BoxedMechanism>) -> Result<Self, MechError> {
        if candidates.is_empty() {
            return Err(usage(
                "spnego initiator: no candidate mechanism ([RFC 4178] 4.2.1 mechTypes)",
            ));
        }
        let mech_types = MechTypeList(candidates.iter().map(|m| m.oid()).collect());
        Ok(Self {
            candidates,
            mech_types,
            exchange: None,
            state: InitState::Initial,
        })
    }

    /// The mechanisms offered, in order.
    pub fn mech_types(&self) -> &MechTypeList {
        &self.mech_types
    }

    /// The negotiated mechanism, once the acceptor chose one.
    pub fn negotiated(&self) -> Option<&(dyn Mechanism + Send)> {
        self.exchange.as_ref().map(|e| &*e.mech)
    }

    fn start(&mut self) -> Result<MechStep, MechError> {
        let first = self
            .candidates
            .first_mut()
            .ok_or_else(|| usage("spnego initiator: no candidate mechanism"))?;
        let token = token_of(first.step(None)?);
        let init = NegTokenInit {
            mech_types: self.mech_types.clone(),
            req_flags: None,
            mech_token: octets(token)?,
            mech_list_mic: None,
        };
        let out = encode(&NegotiationToken::NegTokenInit(init))?;
        self.state = InitState::AwaitingFirstReply;
        Ok(MechStep::Continue(out))
    }

    fn reply(token: &[u8]) -> Result<NegTokenResp, MechError> {
        match decode(token)? {
            NegotiationToken::NegTokenResp(resp) => Ok(resp),
            _ => Err(protocol(
                "spnego initiator: expected a NegTokenResp from the acceptor ([RFC 4178] 4.2.2)",
            )),
        }
    }

    fn first_reply(&mut self, token: &[u8]) -> Result<MechStep, MechError> {
        let resp = Self::reply(token)?;
        let neg_state = match resp.neg_state {
            Some(NegState::Reject) => {
                return Err(MechError::new(
                    MechErrorKind::NoCommonMechanism,
                    "spnego initiator: the acceptor rejected every offered mechanism ([RFC 4178] 4.2.2 reject)",
                ));
            }
            Some(state) => state,
            None => {
                return Err(protocol(
                    "spnego initiator: negState missing from the first reply ([RFC 4178] 4.2.2)",
                ));
            }
        };
        let Some(chosen) = resp.supported_mech else {
            return Err(protocol(
                "spnego initiator: supportedMech missing from the first reply ([RFC 4178] 4.2.2)",
            ));
        };
        let index = self
            .candidates
            .iter()
            .position(|m| same_mech(&m.oid(), &chosen))
            .ok_or_else(|| {
                protocol(format!(
                    "spnego initiator: the acceptor chose {}, which was not offered ([RFC 4178] 4.2.2 supportedMech)",
                    describe(&chosen)
                ))
            })?;
        let preferred = index == 0;
        let mech = self.candidates.remove(index);
        self.candidates.clear();
        let mech_types_der = self
            .mech_types
            .to_der()
            .map_err(|e| protocol(format!("spnego: {e}")))?;
        let mut exchange = Exchange::new(
            mech,
            mech_types_der,
            !preferred || neg_state == NegState::RequestMic,
        );
        // Not the preferred mechanism: the optimistic token is void and the
        // chosen mechanism starts now ([RFC 4178] 3.2 step 3).
        let pre = if preferred {
            None
        } else if resp.response_token.is_some() {
            return Err(protocol(
                "spnego initiator: responseToken for a mechanism that has not started ([RFC 4178] 3.2)",
            ));
        } else {
            token_of(exchange.mech.step(None)?)
        };
        let neg_state = match neg_state {
            NegState::RequestMic => NegState::AcceptIncomplete,
            other => other,
        };
        let result = self.advance(&mut exchange, resp, neg_state, pre);
        self.exchange = Some(exchange);
        result
    }

    fn next_reply(&mut self, token: &[u8]) -> Result<MechStep, MechError> {
        let resp = Self::reply(token)?;
        let neg_state = match resp.neg_state {
            Some(NegState::Reject) => {
                return Err(MechError::new(
                    MechErrorKind::LogonFailure,
                    "spnego initiator: the acceptor rejected the authentication ([RFC 4178] 4.2.2 reject)",
                ));
            }
            Some(NegState::RequestMic) => {
                return Err(protocol(
                    "spnego initiator: request-mic after the first reply ([RFC 4178] 4.2.2)",
                ));
            }
            Some(state) => state,
            // "Inferred from the state of the negotiated mechanism context".
            None => NegState::AcceptIncomplete,
        };
        if resp.supported_mech.is_some() {
            return Err(protocol(
                "spnego initiator: supportedMech after the first reply ([RFC 4178] 4.2.2)",
            ));
        }
        let mut exchange = self
            .exchange
            .take()
            .ok_or_else(|| usage("spnego initiator: no negotiated mechanism"))?;
        let result = self.advance(&mut exchange, resp, neg_state, None);
        self.exchange = Some(exchange);
        result
    }

    fn advance(
        &mut self,
        ex: &mut Exchange,
        resp: NegTokenResp,
        neg_state: NegState,
        pre: Option<Vec<u8>>,
    ) -> Result<MechStep, MechError> {
        let mut out = pre;
        if let Some(token) = ex.step_mech(resp.response_token.as_ref())? {
            out = Some(token);
        }
        if out.is_none() && resp.response_token.is_none() && !ex.mech.is_complete() {
            return Err(protocol(
                "spnego initiator: responseToken missing while the mechanism is not complete ([RFC 4178] 4.2.2)",
            ));
        }
        ex.update_required();
        if let Some(mic) = &resp.mech_list_mic {
            ex.verify_peer_mic(mic.as_bytes())?;
        }
        let mic = ex.own_mic()?;
        if neg_state == NegState::AcceptCompleted {
            if !ex.mech.is_complete() || out.is_some() || mic.is_some() {
                return Err(protocol(
                    "spnego initiator: accept-completed before the initiator's last token ([RFC 4178] 4.2.2)",
                ));
            }
            if ex.mic_required && !ex.mic_received {
                return Err(Exchange::missing_mic());
            }
            self.state = InitState::Complete;
            return Ok(MechStep::Complete(None));
        }
        if out.is_none() && mic.is_none() {
            return Err(protocol(
                "spnego initiator: accept-incomplete but nothing is left to send ([RFC 4178] 4.2.2)",
            ));
        }
        let resp = NegTokenResp {
            neg_state: Some(NegState::AcceptIncomplete),
            supported_mech: None,
            response_token: octets(out)?,
            mech_list_mic: octets(mic)?,
        };
        let token = encode(&NegotiationToken::NegTokenResp(resp))?;
        self.state = InitState::AwaitingReply;
        Ok(MechStep::Continue(token))
    }

    fn established(&mut self, inbound: bool) -> Result<&mut BoxedMechanism, MechError> {
        let ready = if inbound {
            self.is_complete()
        } else {
            self.protection_ready()
        };
        match &mut self.exchange {
            Some(ex) if ready => Ok(&mut ex.mech),
            _ => Err(not_established("initiator")),
        }
    }
}

impl Mechanism for SpnegoInitiator {
    fn oid(&self) -> ObjectIdentifier {
        OID_SPNEGO
    }

    fn step(&mut self, input: Option<&[u8]>) -> Result<MechStep, MechError> {
        let result = match (self.state, input) {
            (InitState::Initial, None) => self.start(),
            (InitState::AwaitingFirstReply, Some(token)) => self.first_reply(token),
            (InitState::AwaitingReply, Some(token)) => self.next_reply(token),
            (state, input) => {
                return Err(usage(format!(
                    "spnego initiator: step({}) is not valid in state {state:?}",
                    if input.is_some() { "token" } else { "None" }
                )));
            }
        };
        if result.is_err() {
            self.state = InitState::Failed;
        }
        result
    }

    fn is_complete(&self) -> bool {
        self.state == InitState::Complete
    }

    fn protection_ready(&self) -> bool {
        match (&self.exchange, self.state) {
            (_, InitState::Complete) => true,
            (Some(ex), InitState::AwaitingReply) => {
                ex.mech.is_complete() && (!ex.mic_required || ex.mic_sent)
            }
            _ => false,
        }
    }

    fn wrap(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, MechError> {
        self.established(false)?.wrap(plaintext)
    }

    fn unwrap(&mut self, token: &[u8]) -> Result<SecretBytes, MechError> {
        self.established(true)?.unwrap(token)
    }

    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, MechError> {
        self.established(false)?.get_mic(message)
    }

    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), MechError> {
        self.established(true)?.verify_mic(message, mic)
    }

    fn peer_identity(&self) -> Option<PeerIdentity> {
        self.exchange.as_ref().and_then(|e| e.mech.peer_identity())
    }
}

// ---------------------------------------------------------------------------
// Acceptor

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AcceptState {
    Initial,
    AwaitingToken,
    Complete,
    Failed,
}

/// The SPNEGO acceptor ([RFC 4178] 3.2, [MS-SPNG] 3.2.5).
///
/// ```text
/// step(Some(NegTokenInit))  -> Continue(NegTokenResp{accept-incomplete | request-mic,
///                                                   supportedMech, responseToken})
/// step(Some(NegTokenResp))  -> Complete(Some(NegTokenResp{accept-completed, mechListMIC}))
/// ```
///
/// It chooses the first mechanism of the initiator's list that one of its
/// candidates implements. By default its first reply says `request-mic`
/// and it requires the initiator's mechListMIC whatever the mechanism
/// (pyspnego does the same; it is what the recorded transcripts show).
/// [`SpnegoAcceptor::request_mic`]`(false)` answers `accept-incomplete`
/// instead and requires the MIC only where [RFC 4178] 5 and [MS-SPNG]
/// 3.3.5.1 do: another mechanism than the initiator's preferred one, or a
/// mechanism that asks for it (NTLM with a MIC in its AUTHENTICATE). When there is none, `step` fails with
/// [`MechErrorKind::NoCommonMechanism`] and [`Mechanism::take_error_token`]
/// returns the `negState: reject` reply; the same holds for every other
/// failure on a peer token (e.g. a logon failure).
#[derive(Debug)]
pub struct SpnegoAcceptor {
    candidates: Vec<BoxedMechanism>,
    exchange: Option<Exchange>,
    state: AcceptState,
    error_token: Option<Vec<u8>>,
    request_mic: bool,
}

impl SpnegoAcceptor {
    /// An acceptor willing to run any of `candidates`.
    pub fn new(candidates: Vec<BoxedMechanism>) -> Result<Self, MechError> {
        if candidates.is_empty() {
            return Err(usage("spnego acceptor: no candidate mechanism"));
        }
        Ok(Self {
            candidates,
            exchange: None,
            state: AcceptState::Initial,
            error_token: None,
            request_mic: true,
        })
    }

    /// Whether to answer `request-mic` and require the mechListMIC even
    /// when [RFC 4178] 5 would not (default `true`, see the type's docs).
    #[must_use]
    pub fn request_mic(mut self, request: bool) -> Self {
        self.request_mic = request;
        self
    }

    /// The negotiated mechanism, once chosen.
    pub fn negotiated(&self) -> Option<&(dyn Mechanism + Send)> {
        self.exchange.as_ref().map(|e| &*e.mech)
    }

    fn init(&mut self, token: &[u8]) -> Result<MechStep, MechError> {
        let (mech_types, mech_token, mic) = match decode(token)? {
            NegotiationToken::NegTokenInit(init) => {
                (init.mech_types, init.mech_token, init.mech_list_mic)
            }
            NegotiationToken::NegTokenInit2(NegTokenInit2 {
                mech_types: Some(types),
                mech_token,
                mech_list_mic,
                ..
            }) => (types, mech_token, mech_list_mic),
            _ => {
                return Err(protocol(
                    "spnego acceptor: expected a NegTokenInit with mechTypes ([RFC 4178] 4.2.1)",
                ));
            }
        };
        let found = mech_types.0.iter().enumerate().find_map(|(i, offered)| {
            self.candidates
                .iter()
                .position(|m| same_mech(&m.oid(), offered))
                .map(|c| (i, c, *offered))
        });
        let Some((offered_index, candidate, chosen)) = found else {
            let offered: Vec<String> = mech_types.0.iter().map(describe).collect();
            return Err(MechError::new(
                MechErrorKind::NoCommonMechanism,
                format!(
                    "spnego acceptor: no common mechanism; the initiator offered [{}] ([RFC 4178] 3.2)",
                    offered.join(", ")
                ),
            ));
        };
        let mech_types_der = mech_types
            .to_der()
            .map_err(|e| protocol(format!("spnego: {e}")))?;
        let preferred = offered_index == 0;
        let mech = self.candidates.remove(candidate);
        self.candidates.clear();
        let mut exchange = Exchange::new(mech, mech_types_der, !preferred || self.request_mic);
        // The optimistic token belongs to the initiator's first mechanism; it
        // is discarded when another one is chosen ([RFC 4178] 3.2 step 3).
        let token = if preferred { mech_token } else { None };
        let result = Self::respond(&mut exchange, token.as_ref(), mic.as_ref(), Some(chosen));
        self.exchange = Some(exchange);
        self.finish(result)
    }

    fn next(&mut self, token: &[u8]) -> Result<MechStep, MechError> {
        let resp = match decode(token)? {
            NegotiationToken::NegTokenResp(resp) => resp,
            _ => {
                return Err(protocol(
                    "spnego acceptor: expected a NegTokenResp ([RFC 4178] 4.2.2)",
                ));
            }
        };
        if resp.neg_state == Some(NegState::Reject) {
            return Err(MechError::new(
                MechErrorKind::Protocol,
                "spnego acceptor: the initiator rejected the negotiation ([RFC 4178] 4.2.2 reject)",
            ));
        }
        let mut exchange = self
            .exchange
            .take()
            .ok_or_else(|| usage("spnego acceptor: no negotiated mechanism"))?;
        let result = Self::respond(
            &mut exchange,
            resp.response_token.as_ref(),
            resp.mech_list_mic.as_ref(),
            None,
        );
        self.exchange = Some(exchange);
        self.finish(result)
    }

    fn finish(
        &mut self,
        result: Result<(bool, Vec<u8>), MechError>,
    ) -> Result<MechStep, MechError> {
        let (done, token) = result?;
        if done {
            self.state = AcceptState::Complete;
            Ok(MechStep::Complete(Some(token)))
        } else {
            self.state = AcceptState::AwaitingToken;
            Ok(MechStep::Continue(token))
        }
    }

    /// Processes one initiator token; returns whether the exchange is done
    /// and the reply.
    fn respond(
        ex: &mut Exchange,
        token: Option<&OctetString>,
        mic: Option<&OctetString>,
        chosen: Option<ObjectIdentifier>,
    ) -> Result<(bool, Vec<u8>), MechError> {
        let first = chosen.is_some();
        if !first && token.is_none() && mic.is_none() {
            return Err(protocol(
                "spnego acceptor: a NegTokenResp with neither responseToken nor mechListMIC ([RFC 4178] 4.2.2)",
            ));
        }
        if !first && token.is_none() && !ex.mech.is_complete() {
            return Err(protocol(
                "spnego acceptor: responseToken missing while the mechanism is not complete ([RFC 4178] 4.2.2)",
            ));
        }
        let out = ex.step_mech(token)?;
        ex.update_required();
        if let Some(mic) = mic {
            ex.verify_peer_mic(mic.as_bytes())?;
        }
        // The mechanism completed on the initiator's last token: its
        // mechListMIC had to come with it.
        if ex.mech.is_complete() && ex.mic_required && !ex.mic_received && out.is_none() {
            return Err(Exchange::missing_mic());
        }
        let own_mic = ex.own_mic()?;
        let done = ex.done();
        let neg_state = if done {
            NegState::AcceptCompleted
        } else if first && ex.mic_required {
            NegState::RequestMic
        } else {
            NegState::AcceptIncomplete
        };
        let resp = NegTokenResp {
            neg_state: Some(neg_state),
            supported_mech: chosen,
            response_token: octets(out)?,
            mech_list_mic: octets(own_mic)?,
        };
        Ok((done, encode(&NegotiationToken::NegTokenResp(resp))?))
    }

    fn established(&mut self) -> Result<&mut BoxedMechanism, MechError> {
        match (&mut self.exchange, self.state) {
            (Some(ex), AcceptState::Complete) => Ok(&mut ex.mech),
            _ => Err(not_established("acceptor")),
        }
    }
}

impl Mechanism for SpnegoAcceptor {
    fn oid(&self) -> ObjectIdentifier {
        OID_SPNEGO
    }

    fn step(&mut self, input: Option<&[u8]>) -> Result<MechStep, MechError> {
        let result = match (self.state, input) {
            (AcceptState::Initial, Some(token)) => self.init(token),
            (AcceptState::AwaitingToken, Some(token)) => self.next(token),
            (state, input) => {
                return Err(usage(format!(
                    "spnego acceptor: step({}) is not valid in state {state:?}",
                    if input.is_some() { "token" } else { "None" }
                )));
            }
        };
        if result.is_err() {
            self.state = AcceptState::Failed;
            self.error_token = reject_token();
        }
        result
    }

    fn is_complete(&self) -> bool {
        self.state == AcceptState::Complete
    }

    fn wrap(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, MechError> {
        self.established()?.wrap(plaintext)
    }

    fn unwrap(&mut self, token: &[u8]) -> Result<SecretBytes, MechError> {
        self.established()?.unwrap(token)
    }

    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, MechError> {
        self.established()?.get_mic(message)
    }

    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), MechError> {
        self.established()?.verify_mic(message, mic)
    }

    fn peer_identity(&self) -> Option<PeerIdentity> {
        match (&self.exchange, self.state) {
            (Some(ex), AcceptState::Complete) => ex.mech.peer_identity(),
            _ => None,
        }
    }

    fn take_error_token(&mut self) -> Option<Vec<u8>> {
        self.error_token.take()
    }
}
