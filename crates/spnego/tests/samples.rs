//! Replays of real CredSSP transcripts (pyspnego client ↔ pyspnego server,
//! and FreeRDP's client with raw NTLMSSP) through our SPNEGO initiator,
//! acceptor and Negotiate acceptor.
//!
//! Acceptor side: fed the recorded client negoTokens, our acceptor produces
//! the recorded server negoTokens byte for byte. Its NTLM part runs the
//! recorded CHALLENGE (pyspnego orders the CHALLENGE's AV pairs 1,2,3,7 where
//! `ntlm::NtlmServer` writes the Windows order 2,1,4,3,5,7, so the CHALLENGE
//! itself is replayed with `NtlmServer::resume`); the SPNEGO framing, the
//! negStates, supportedMech and the acceptor's mechListMIC are ours. Then the
//! context unseals the client's pubKeyAuth (seq 1, after the mechListMIC),
//! re-seals the server's pubKeyAuth byte for byte and unseals authInfo.
//!
//! Initiator side: with the recorded client challenge and session key, our
//! NegTokenInit equals the recorded one byte for byte; the second token has
//! the recorded negState and mechListMIC (the AUTHENTICATE differs, see
//! `initiator_replay`), and pubKeyAuth / authInfo are sealed byte for byte.

mod common;

use asn1_types::spnego::{NegState, NegotiationToken, OID_NTLMSSP};
use common::{Sample, store};
use crypto_primitives::SecretBytes;
use ntlm::{
    AuthenticateMessage, ClientConfig, ClientRandom, FileTime, NegotiateMessage, NtlmClient,
    NtlmServer, NtlmV2Response, Password, ServerConfig,
};
use spnego::{
    MechError, MechErrorKind, MechStep, Mechanism, NegotiateAcceptor, NegotiateMode, NtlmMechanism,
    SpnegoAcceptor, SpnegoInitiator,
};

/// An NTLM acceptor that answers the recorded NEGOTIATE with the recorded
/// CHALLENGE, then continues as `NtlmServer::resume` from them.
#[derive(Debug)]
struct Replayed {
    negotiate: Vec<u8>,
    challenge: Option<Vec<u8>>,
    inner: NtlmMechanism,
}

impl Replayed {
    fn new(negotiate: Vec<u8>, challenge: Vec<u8>) -> Self {
        let server = NtlmServer::resume(
            ServerConfig::new("VM", "WORKSTATION", FileTime(0)),
            store(),
            &negotiate,
            &challenge,
        )
        .unwrap();
        Self {
            negotiate,
            challenge: Some(challenge),
            inner: NtlmMechanism::acceptor(server),
        }
    }
}

impl Mechanism for Replayed {
    fn oid(&self) -> asn1_types::der::asn1::ObjectIdentifier {
        OID_NTLMSSP
    }
    fn step(&mut self, input: Option<&[u8]>) -> Result<MechStep, MechError> {
        match self.challenge.take() {
            Some(challenge) => {
                assert_eq!(input, Some(&self.negotiate[..]), "recorded NEGOTIATE");
                Ok(MechStep::Continue(challenge))
            }
            None => self.inner.step(input),
        }
    }
    fn is_complete(&self) -> bool {
        self.inner.is_complete()
    }
    fn wrap(&mut self, p: &[u8]) -> Result<Vec<u8>, MechError> {
        self.inner.wrap(p)
    }
    fn unwrap(&mut self, t: &[u8]) -> Result<SecretBytes, MechError> {
        self.inner.unwrap(t)
    }
    fn get_mic(&mut self, m: &[u8]) -> Result<Vec<u8>, MechError> {
        self.inner.get_mic(m)
    }
    fn verify_mic(&mut self, m: &[u8], mic: &[u8]) -> Result<(), MechError> {
        self.inner.verify_mic(m, mic)
    }
    fn after_mech_list_mic(&mut self, d: spnego::Direction) {
        self.inner.after_mech_list_mic(d);
    }
    fn requires_mech_list_mic(&self) -> bool {
        self.inner.requires_mech_list_mic()
    }
    fn peer_identity(&self) -> Option<spnego::PeerIdentity> {
        self.inner.peer_identity()
    }
}

fn inner_token(spnego_token: &[u8]) -> Vec<u8> {
    NegotiationToken::from_der(spnego_token)
        .unwrap()
        .mech_token()
        .unwrap()
        .to_vec()
}

fn recorded_ntlm(s: &Sample) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let raw = |t: Vec<u8>| {
        if t.starts_with(b"NTLMSSP\0") {
            t
        } else {
            inner_token(&t)
        }
    };
    (
        raw(s.client_token(0)),
        raw(s.server_token(0)),
        raw(s.client_token(1)),
    )
}

/// Drives `acceptor` with the recorded client tokens and checks every
/// output against the recording; returns it established.
fn acceptor_replay<M: Mechanism>(s: &Sample, acceptor: &mut M, spnego: bool) {
    let MechStep::Continue(reply) = acceptor.step(Some(&s.client_token(0))).unwrap() else {
        panic!("{}: first reply", s.name)
    };
    assert_eq!(reply, s.server_token(0), "{}: server token 0", s.name);
    assert!(!acceptor.is_complete());
    assert_eq!(
        acceptor.unwrap(b"early").unwrap_err().kind,
        MechErrorKind::Usage
    );

    let step = acceptor.step(Some(&s.client_token(1))).unwrap();
    if spnego {
        let MechStep::Complete(Some(last)) = step else {
            panic!("{}: final reply {step:?}", s.name)
        };
        assert_eq!(last, s.server_token(1), "{}: server token 1", s.name);
        let NegotiationToken::NegTokenResp(resp) = NegotiationToken::from_der(&last).unwrap()
        else {
            panic!()
        };
        assert_eq!(resp.neg_state, Some(NegState::AcceptCompleted));
        assert!(resp.mech_list_mic.is_some());
    } else {
        // Raw NTLM: nothing to send back; the recorded server TSRequest
        // carries no negoToken.
        assert_eq!(step, MechStep::Complete(None), "{}", s.name);
        assert!(s.server[1].nego_tokens.is_none());
    }
    assert!(acceptor.is_complete() && acceptor.protection_ready());
    let id = acceptor.peer_identity().unwrap();
    assert_eq!((id.user.as_str(), id.domain.as_str()), ("alice", "TESTDOM"));

    // pubKeyAuth: client seq 1 after the mechListMIC (seq 0 with raw NTLM).
    let pka = s.client[1].pub_key_auth.as_ref().unwrap().as_bytes();
    assert_eq!(
        acceptor.unwrap(pka).unwrap().expose_secret(),
        &s.client_pub_key_auth_plaintext()[..],
        "{}: client pubKeyAuth",
        s.name
    );
    let ours = acceptor.wrap(&s.server_pub_key_auth_plaintext()).unwrap();
    assert_eq!(
        ours,
        s.server[1].pub_key_auth.as_ref().unwrap().as_bytes(),
        "{}: server pubKeyAuth",
        s.name
    );
    let auth_info = s.client[2].auth_info.as_ref().unwrap().as_bytes();
    assert_eq!(
        acceptor.unwrap(auth_info).unwrap().expose_secret(),
        &s.auth_info_plaintext()[..]
    );
    // Usage after completion changes nothing.
    assert_eq!(
        acceptor.step(Some(&s.client_token(1))).unwrap_err().kind,
        MechErrorKind::Usage
    );
    assert!(acceptor.is_complete());
}

fn spnego_acceptor(s: &Sample) -> SpnegoAcceptor {
    let (negotiate, challenge, _) = recorded_ntlm(s);
    SpnegoAcceptor::new(vec![Box::new(Replayed::new(negotiate, challenge))]).unwrap()
}

fn negotiate_acceptor(s: &Sample) -> NegotiateAcceptor {
    let (negotiate, challenge, _) = recorded_ntlm(s);
    NegotiateAcceptor::new(vec![Box::new(Replayed::new(negotiate, challenge))]).unwrap()
}

/// Our initiator with the recorded random values.
fn initiator_replay(s: &Sample) {
    let (negotiate, challenge, authenticate) = recorded_ntlm(s);
    let neg = NegotiateMessage::parse(&negotiate).unwrap();
    let auth = AuthenticateMessage::parse(&authenticate).unwrap();
    let blob = NtlmV2Response::parse(auth.nt_challenge_response).unwrap();
    let mut config = ClientConfig::new("alice", "TESTDOM", &Password::new(common::PASSWORD));
    config.flags = neg.flags;
    config.version = neg.version;
    config.target_name = Some("TERMSRV/127.0.0.1".into());
    let random = ClientRandom::from_bytes(
        blob.client_challenge.challenge_from_client,
        s.exported_session_key(),
    );
    let client = NtlmMechanism::initiator(NtlmClient::with_random(config, random));
    let mut init = SpnegoInitiator::new(vec![Box::new(client)]).unwrap();

    let MechStep::Continue(first) = init.step(None).unwrap() else {
        panic!()
    };
    assert_eq!(first, s.client_token(0), "{}: NegTokenInit", s.name);
    assert!(!init.protection_ready());
    assert_eq!(init.wrap(b"x").unwrap_err().kind, MechErrorKind::Usage);

    let MechStep::Continue(second) = init.step(Some(&s.server_token(0))).unwrap() else {
        panic!()
    };
    let (NegotiationToken::NegTokenResp(ours), NegotiationToken::NegTokenResp(theirs)) = (
        NegotiationToken::from_der(&second).unwrap(),
        NegotiationToken::from_der(&s.client_token(1)).unwrap(),
    ) else {
        panic!()
    };
    assert_eq!(ours.neg_state, theirs.neg_state);
    assert_eq!(ours.neg_state, Some(NegState::AcceptIncomplete));
    assert_eq!(ours.supported_mech, theirs.supported_mech);
    // mechListMIC (seq 0, over mechTypes) byte for byte.
    assert_eq!(
        ours.mech_list_mic, theirs.mech_list_mic,
        "{}: mechListMIC",
        s.name
    );
    // The AUTHENTICATE differs from pyspnego's: `ntlm::NtlmClient` lays the
    // payload out domain/user/workstation first, sends no workstation name,
    // and orders the blob's AV pairs MsvAvFlags, MsvAvChannelBindings (zeros),
    // MsvAvTargetName where pyspnego sends TargetName, Flags and no
    // ChannelBindings; so the NTLM MIC differs too. Our acceptor accepts it.
    let our_auth = ours.response_token.as_ref().unwrap().as_bytes();
    let mut check = NtlmMechanism::acceptor(
        NtlmServer::resume(
            ServerConfig::new("VM", "WORKSTATION", FileTime(0)),
            store(),
            &negotiate,
            &challenge,
        )
        .unwrap(),
    );
    assert_eq!(
        check.step(Some(our_auth)).unwrap(),
        MechStep::Complete(None)
    );

    // pubKeyAuth goes with the AUTHENTICATE: seq 1, byte for byte.
    assert!(init.protection_ready() && !init.is_complete());
    let pka = init.wrap(&s.client_pub_key_auth_plaintext()).unwrap();
    assert_eq!(pka, s.client[1].pub_key_auth.as_ref().unwrap().as_bytes());
    // Inbound needs the acceptor's final token first.
    let server_pka = s.server[1].pub_key_auth.as_ref().unwrap().as_bytes();
    assert_eq!(
        init.unwrap(server_pka).unwrap_err().kind,
        MechErrorKind::Usage
    );
    assert_eq!(
        init.step(Some(&s.server_token(1))).unwrap(),
        MechStep::Complete(None)
    );
    assert_eq!(
        init.unwrap(server_pka).unwrap().expose_secret(),
        &s.server_pub_key_auth_plaintext()[..]
    );
    let auth_info = init.wrap(&s.auth_info_plaintext()).unwrap();
    assert_eq!(
        auth_info,
        s.client[2].auth_info.as_ref().unwrap().as_bytes(),
        "{}: authInfo",
        s.name
    );
}

fn spnego_sample(name: &'static str) {
    let s = Sample::load(name);
    acceptor_replay(&s, &mut spnego_acceptor(&s), true);
    let mut negotiate = negotiate_acceptor(&s);
    acceptor_replay(&s, &mut negotiate, true);
    assert_eq!(negotiate.mode(), NegotiateMode::Spnego);
    initiator_replay(&s);
}

#[test]
fn v6_tls13() {
    spnego_sample("v6_tls13");
}

#[test]
fn v6_tls12() {
    spnego_sample("v6_tls12");
}

#[test]
fn v5_client() {
    spnego_sample("v5_client");
}

#[test]
fn v3_server() {
    spnego_sample("v3_server");
}

#[test]
fn v2_client() {
    spnego_sample("v2_client");
}

/// FreeRDP sends raw NTLMSSP in negoTokens: the Negotiate acceptor becomes a
/// raw NTLM acceptor (no mechListMIC: pubKeyAuth seq 0, authInfo seq 1).
#[test]
fn xfreerdp_raw_ntlm_through_negotiate_acceptor() {
    let s = Sample::load("xfreerdp_vs_pyspnego_rawblob");
    assert!(s.client_token(0).starts_with(b"NTLMSSP\0"));
    let mut acceptor = negotiate_acceptor(&s);
    assert_eq!(acceptor.mode(), NegotiateMode::Undecided);
    acceptor_replay(&s, &mut acceptor, false);
    assert_eq!(acceptor.mode(), NegotiateMode::Raw(OID_NTLMSSP));
    assert_eq!(acceptor.oid(), OID_NTLMSSP);
}

/// The SPNEGO acceptor refuses raw NTLMSSP (only Negotiate follows it).
#[test]
fn spnego_acceptor_refuses_raw_ntlm() {
    let s = Sample::load("xfreerdp_vs_pyspnego_rawblob");
    let mut acceptor = SpnegoAcceptor::new(vec![Box::new(common::ntlm_server())]).unwrap();
    let err = acceptor.step(Some(&s.client_token(0))).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::Protocol, "{err}");
}

/// A wrong password recorded against pyspnego: our acceptor reports a
/// logon failure and offers a reject token.
#[test]
fn v6_badpass_is_a_logon_failure() {
    let s = Sample::load_bad("v6_badpass");
    let mut acceptor = spnego_acceptor(&s);
    let MechStep::Continue(reply) = acceptor.step(Some(&s.client_token(0))).unwrap() else {
        panic!()
    };
    assert_eq!(reply, s.server_token(0));
    let err = acceptor.step(Some(&s.client_token(1))).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::LogonFailure, "{err}");
    let reject = acceptor.take_error_token().unwrap();
    assert_eq!(hex::encode(&reject), "a1073005a0030a0102");
    assert!(acceptor.take_error_token().is_none());
    assert!(acceptor.peer_identity().is_none());
}
