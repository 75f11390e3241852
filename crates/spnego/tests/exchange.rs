//! In-memory SPNEGO exchanges: NTLM and a toy mechanism, the mechListMIC
//! rules of [RFC 4178] 5, rejection, tampering, logon failure, misuse, and
//! `Debug` redaction. Every loop has a step limit.

mod common;

use asn1_types::der::asn1::OctetString;
use asn1_types::spnego::{NegState, NegotiationToken, OID_KRB5, OID_NTLMSSP, OID_SPNEGO};
use common::{Toy, ntlm_client, ntlm_server};
use ntlm::{ClientConfig, ClientRandom, NtlmClient, Password};
use spnego::{
    BoxedMechanism, MechErrorKind, MechStep, Mechanism, NegotiateAcceptor, NegotiateMode,
    NtlmMechanism, SpnegoAcceptor, SpnegoInitiator,
};

fn resp(token: &[u8]) -> asn1_types::spnego::NegTokenResp {
    match NegotiationToken::from_der(token).unwrap() {
        NegotiationToken::NegTokenResp(r) => r,
        other => panic!("not a NegTokenResp: {other:?}"),
    }
}

fn seq_of(token: &[u8]) -> u32 {
    u32::from_le_bytes(token[12..16].try_into().unwrap())
}

/// Runs initiator ↔ acceptor to completion (at most 6 legs); returns the
/// tokens sent, initiator first.
fn drive(i: &mut dyn Mechanism, a: &mut dyn Mechanism) -> Vec<Vec<u8>> {
    let mut sent = Vec::new();
    let mut next = match i.step(None).unwrap() {
        MechStep::Continue(t) => Some(t),
        MechStep::Complete(t) => t,
    };
    for leg in 0..6 {
        let Some(token) = next.take() else { break };
        sent.push(token.clone());
        let side: &mut dyn Mechanism = if leg % 2 == 0 { &mut *a } else { &mut *i };
        next = match side.step(Some(&token)).unwrap() {
            MechStep::Continue(t) => Some(t),
            MechStep::Complete(t) => t,
        };
        if i.is_complete() && a.is_complete() && next.is_none() {
            break;
        }
    }
    assert!(next.is_none(), "step limit reached");
    assert!(i.is_complete() && a.is_complete());
    sent
}

fn ntlm_pair() -> (SpnegoInitiator, SpnegoAcceptor) {
    (
        SpnegoInitiator::new(vec![Box::new(ntlm_client("Passw0rd!"))]).unwrap(),
        SpnegoAcceptor::new(vec![Box::new(ntlm_server())]).unwrap(),
    )
}

fn check_protection(i: &mut dyn Mechanism, a: &mut dyn Mechanism, first_seq: u32) {
    let t = i.wrap(b"pubKeyAuth").unwrap();
    assert_eq!(seq_of(&t), first_seq);
    assert_eq!(a.unwrap(&t).unwrap().expose_secret(), b"pubKeyAuth");
    let t = a.wrap(b"reply").unwrap();
    assert_eq!(seq_of(&t), first_seq);
    assert_eq!(i.unwrap(&t).unwrap().expose_secret(), b"reply");
    let mic = i.get_mic(b"m").unwrap();
    a.verify_mic(b"m", &mic).unwrap();
    // Replaying a token is an integrity failure.
    assert_eq!(
        a.verify_mic(b"m", &mic).unwrap_err().kind,
        MechErrorKind::Integrity
    );
}

#[test]
fn spnego_ntlm_with_mech_list_mic() {
    let (mut i, mut a) = ntlm_pair();
    assert_eq!((i.oid(), a.oid()), (OID_SPNEGO, OID_SPNEGO));
    let tokens = drive(&mut i, &mut a);
    assert_eq!(tokens.len(), 4);
    let challenge = resp(&tokens[1]);
    assert_eq!(challenge.neg_state, Some(NegState::RequestMic));
    assert_eq!(challenge.supported_mech, Some(OID_NTLMSSP));
    let auth = resp(&tokens[2]);
    assert_eq!(auth.neg_state, Some(NegState::AcceptIncomplete));
    assert!(auth.mech_list_mic.is_some() && auth.response_token.is_some());
    let done = resp(&tokens[3]);
    assert_eq!(done.neg_state, Some(NegState::AcceptCompleted));
    assert!(done.mech_list_mic.is_some() && done.response_token.is_none());
    assert_eq!(a.peer_identity().unwrap().user, "alice");
    assert!(i.peer_identity().is_none());
    // mechListMIC took seq 0 in both directions; RC4 restarted.
    check_protection(&mut i, &mut a, 1);
}

/// `request_mic(false)`: NTLM still forces the mechListMIC ([MS-SPNG]
/// 3.3.5.1) because its AUTHENTICATE carries a MIC, but the first reply is
/// accept-incomplete.
#[test]
fn spnego_ntlm_without_request_mic_still_exchanges_mics() {
    let mut i = SpnegoInitiator::new(vec![Box::new(ntlm_client("Passw0rd!"))]).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(ntlm_server())])
        .unwrap()
        .request_mic(false);
    let tokens = drive(&mut i, &mut a);
    assert_eq!(resp(&tokens[1]).neg_state, Some(NegState::AcceptIncomplete));
    assert!(resp(&tokens[2]).mech_list_mic.is_some());
    assert!(resp(&tokens[3]).mech_list_mic.is_some());
    check_protection(&mut i, &mut a, 1);
}

/// A mechanism without the MIC requirement, preferred and chosen: no
/// mechListMIC at all ([RFC 4178] 5).
#[test]
fn no_mech_list_mic_when_not_required() {
    let mut i = SpnegoInitiator::new(vec![Box::new(Toy::new(OID_KRB5, true))]).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(Toy::new(OID_KRB5, false))])
        .unwrap()
        .request_mic(false);
    let tokens = drive(&mut i, &mut a);
    assert_eq!(tokens.len(), 2);
    let reply = resp(&tokens[1]);
    assert_eq!(reply.neg_state, Some(NegState::AcceptCompleted));
    assert_eq!(reply.response_token.unwrap().as_bytes(), b"toy-welcome");
    assert!(reply.mech_list_mic.is_none());
    // No MIC consumed a sequence number.
    let t = i.wrap(b"x").unwrap();
    assert_eq!(&t[..4], &0u32.to_le_bytes());
    assert_eq!(a.unwrap(&t).unwrap().expose_secret(), b"x");
}

/// The same mechanism with request-mic: the acceptor completes its mechanism
/// first, sends its mechListMIC with the last mechanism token, and waits for
/// the initiator's.
#[test]
fn request_mic_forces_the_exchange_for_any_mechanism() {
    let mut i = SpnegoInitiator::new(vec![Box::new(Toy::new(OID_KRB5, true))]).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(Toy::new(OID_KRB5, false))]).unwrap();
    let tokens = drive(&mut i, &mut a);
    assert_eq!(tokens.len(), 4);
    let first = resp(&tokens[1]);
    assert_eq!(first.neg_state, Some(NegState::RequestMic));
    assert!(first.mech_list_mic.is_some() && first.response_token.is_some());
    let init_mic = resp(&tokens[2]);
    assert!(init_mic.mech_list_mic.is_some() && init_mic.response_token.is_none());
    assert_eq!(resp(&tokens[3]).neg_state, Some(NegState::AcceptCompleted));
    let t = i.wrap(b"x").unwrap();
    assert_eq!(&t[..4], &1u32.to_le_bytes());
    assert_eq!(a.unwrap(&t).unwrap().expose_secret(), b"x");
}

/// The acceptor does not implement the initiator's preferred mechanism: it
/// chooses the second, the initiator starts it over, and the mechListMIC is
/// mandatory ([RFC 4178] 5).
#[test]
fn non_preferred_mechanism_requires_the_mic() {
    let candidates: Vec<BoxedMechanism> = vec![
        Box::new(Toy::new(OID_KRB5, true)),
        Box::new(ntlm_client("Passw0rd!")),
    ];
    let mut i = SpnegoInitiator::new(candidates).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(ntlm_server())])
        .unwrap()
        .request_mic(false);
    let tokens = drive(&mut i, &mut a);
    let NegotiationToken::NegTokenInit(init) = NegotiationToken::from_der(&tokens[0]).unwrap()
    else {
        panic!()
    };
    assert_eq!(init.mech_types.0, vec![OID_KRB5, OID_NTLMSSP]);
    assert_eq!(init.mech_token.unwrap().as_bytes(), b"toy-hello");
    let first = resp(&tokens[1]);
    assert_eq!(first.neg_state, Some(NegState::RequestMic));
    assert_eq!(first.supported_mech, Some(OID_NTLMSSP));
    assert!(first.response_token.is_none());
    // The initiator now sends the NTLM NEGOTIATE.
    assert!(
        resp(&tokens[2])
            .response_token
            .unwrap()
            .as_bytes()
            .starts_with(b"NTLMSSP\0\x01")
    );
    assert_eq!(tokens.len(), 6);
    assert!(resp(&tokens[5]).mech_list_mic.is_some());
    check_protection(&mut i, &mut a, 1);
}

#[test]
fn raw_ntlm_through_negotiate_acceptor() {
    let mut i = ntlm_client("Passw0rd!");
    let mut a = NegotiateAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    let tokens = drive(&mut i, &mut a);
    assert_eq!(tokens.len(), 3);
    assert!(tokens.iter().all(|t| t.starts_with(b"NTLMSSP\0")));
    assert_eq!(a.mode(), NegotiateMode::Raw(OID_NTLMSSP));
    assert_eq!(a.peer_identity().unwrap().domain, "TESTDOM");
    // No mechListMIC: pubKeyAuth is seq 0.
    check_protection(&mut i, &mut a, 0);
}

#[test]
fn spnego_through_negotiate_acceptor() {
    let mut i = SpnegoInitiator::new(vec![Box::new(ntlm_client("Passw0rd!"))]).unwrap();
    let mut a = NegotiateAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    drive(&mut i, &mut a);
    assert_eq!(a.mode(), NegotiateMode::Spnego);
    assert_eq!(a.oid(), OID_SPNEGO);
    check_protection(&mut i, &mut a, 1);
}

#[test]
fn negotiate_acceptor_refuses_unknown_first_tokens() {
    for token in [
        &b"garbage"[..],
        &[0xa1, 0x03, 0x30, 0x01, 0x00][..],
        &[][..],
    ] {
        let mut a = NegotiateAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
        let err = a.step(Some(token)).unwrap_err();
        assert_eq!(err.kind, MechErrorKind::Protocol, "{err}");
        assert_eq!(a.mode(), NegotiateMode::Failed);
        assert_eq!(a.step(Some(token)).unwrap_err().kind, MechErrorKind::Usage);
    }
    // Raw Kerberos, but no Kerberos configured.
    let krb = hex::decode("600d06092a864886f7120102020100").unwrap();
    let mut a = NegotiateAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    assert_eq!(
        a.step(Some(&krb)).unwrap_err().kind,
        MechErrorKind::NoCommonMechanism
    );
}

#[test]
fn no_common_mechanism_is_rejected() {
    let mut i = SpnegoInitiator::new(vec![Box::new(Toy::new(OID_KRB5, true))]).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    let MechStep::Continue(init) = i.step(None).unwrap() else {
        panic!()
    };
    let err = a.step(Some(&init)).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::NoCommonMechanism);
    assert!(err.message.contains("Kerberos"), "{err}");
    let reject = a.take_error_token().unwrap();
    let r = resp(&reject);
    assert_eq!(r.neg_state, Some(NegState::Reject));
    assert!(r.supported_mech.is_none() && r.response_token.is_none());
    assert_eq!(
        i.step(Some(&reject)).unwrap_err().kind,
        MechErrorKind::NoCommonMechanism
    );
    // Both are finished: further steps are usage errors.
    assert_eq!(a.step(Some(&init)).unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(
        i.step(Some(&reject)).unwrap_err().kind,
        MechErrorKind::Usage
    );
}

/// Replaces the mechListMIC of a NegTokenResp.
fn with_mic(token: &[u8], mic: Option<Vec<u8>>) -> Vec<u8> {
    let mut r = resp(token);
    r.mech_list_mic = mic.map(|m| OctetString::new(m).unwrap());
    NegotiationToken::NegTokenResp(r).to_der().unwrap()
}

fn flipped(token: &[u8]) -> Option<Vec<u8>> {
    let mut mic = resp(token).mech_list_mic.unwrap().as_bytes().to_vec();
    mic[6] ^= 1;
    Some(mic)
}

/// Runs to the initiator's AUTHENTICATE; returns it and the acceptor's
/// honest answer to it (from a twin pair with the same randomness).
fn to_authenticate() -> (SpnegoInitiator, SpnegoAcceptor, Vec<u8>) {
    let (mut i, mut a) = ntlm_pair();
    let MechStep::Continue(init) = i.step(None).unwrap() else {
        panic!()
    };
    let MechStep::Continue(challenge) = a.step(Some(&init)).unwrap() else {
        panic!()
    };
    let MechStep::Continue(auth) = i.step(Some(&challenge)).unwrap() else {
        panic!()
    };
    (i, a, auth)
}

#[test]
fn tampered_mech_list_mic_is_rejected() {
    // Initiator's MIC tampered: the acceptor refuses.
    let (_, mut a, auth) = to_authenticate();
    let err = a.step(Some(&with_mic(&auth, flipped(&auth)))).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::Integrity, "{err}");
    assert!(err.message.contains("mechListMIC"));
    assert!(!a.is_complete());
    assert_eq!(
        resp(&a.take_error_token().unwrap()).neg_state,
        Some(NegState::Reject)
    );
    assert_eq!(a.wrap(b"x").unwrap_err().kind, MechErrorKind::Usage);

    // Acceptor's MIC tampered: the initiator refuses.
    let (mut i, mut a, auth) = to_authenticate();
    let MechStep::Complete(Some(done)) = a.step(Some(&auth)).unwrap() else {
        panic!()
    };
    let err = i.step(Some(&with_mic(&done, flipped(&done)))).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::Integrity, "{err}");
    assert!(!i.is_complete());
    assert_eq!(i.unwrap(b"x").unwrap_err().kind, MechErrorKind::Usage);
}

#[test]
fn missing_mech_list_mic_is_rejected() {
    let (_, mut a, auth) = to_authenticate();
    let err = a.step(Some(&with_mic(&auth, None))).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::Integrity, "{err}");
    assert!(err.message.contains("missing"));

    // Also with request_mic(false): NTLM's MIC makes it mandatory.
    let mut i = SpnegoInitiator::new(vec![Box::new(ntlm_client("Passw0rd!"))]).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(ntlm_server())])
        .unwrap()
        .request_mic(false);
    let MechStep::Continue(init) = i.step(None).unwrap() else {
        panic!()
    };
    let MechStep::Continue(challenge) = a.step(Some(&init)).unwrap() else {
        panic!()
    };
    let MechStep::Continue(auth) = i.step(Some(&challenge)).unwrap() else {
        panic!()
    };
    let err = a.step(Some(&with_mic(&auth, None))).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::Integrity, "{err}");

    // The acceptor's final token without its MIC: the initiator refuses.
    let (mut i, mut a, auth) = to_authenticate();
    let MechStep::Complete(Some(done)) = a.step(Some(&auth)).unwrap() else {
        panic!()
    };
    let err = i.step(Some(&with_mic(&done, None))).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::Integrity, "{err}");
}

#[test]
fn wrong_password_is_a_logon_failure() {
    let mut i = SpnegoInitiator::new(vec![Box::new(ntlm_client("wrong"))]).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    let MechStep::Continue(init) = i.step(None).unwrap() else {
        panic!()
    };
    let MechStep::Continue(challenge) = a.step(Some(&init)).unwrap() else {
        panic!()
    };
    let MechStep::Continue(auth) = i.step(Some(&challenge)).unwrap() else {
        panic!()
    };
    let err = a.step(Some(&auth)).unwrap_err();
    assert_eq!(err.kind, MechErrorKind::LogonFailure, "{err}");
    assert!(a.peer_identity().is_none());
    let reject = a.take_error_token().unwrap();
    assert_eq!(
        i.step(Some(&reject)).unwrap_err().kind,
        MechErrorKind::LogonFailure
    );

    // Raw NTLM through Negotiate: the same kind, no SPNEGO reject token.
    let mut i = ntlm_client("wrong");
    let mut a = NegotiateAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    let MechStep::Continue(neg) = i.step(None).unwrap() else {
        panic!()
    };
    let MechStep::Continue(chal) = a.step(Some(&neg)).unwrap() else {
        panic!()
    };
    let MechStep::Complete(Some(auth)) = i.step(Some(&chal)).unwrap() else {
        panic!()
    };
    assert_eq!(
        a.step(Some(&auth)).unwrap_err().kind,
        MechErrorKind::LogonFailure
    );
    assert!(a.take_error_token().is_none());
}

#[test]
fn out_of_order_calls_are_usage_errors_and_change_nothing() {
    let (mut i, mut a) = ntlm_pair();
    // Before anything.
    assert_eq!(i.step(Some(b"x")).unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(a.step(None).unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(i.wrap(b"x").unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(a.unwrap(b"x").unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(i.get_mic(b"x").unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(
        a.verify_mic(b"x", b"y").unwrap_err().kind,
        MechErrorKind::Usage
    );
    assert!(!i.protection_ready() && !a.protection_ready());

    let MechStep::Continue(init) = i.step(None).unwrap() else {
        panic!()
    };
    // A second start, and a None step on the acceptor, mid-exchange.
    assert_eq!(i.step(None).unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(a.step(None).unwrap_err().kind, MechErrorKind::Usage);
    let MechStep::Continue(challenge) = a.step(Some(&init)).unwrap() else {
        panic!()
    };
    assert_eq!(a.step(None).unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(i.step(None).unwrap_err().kind, MechErrorKind::Usage);
    let MechStep::Continue(auth) = i.step(Some(&challenge)).unwrap() else {
        panic!()
    };
    let MechStep::Complete(Some(done)) = a.step(Some(&auth)).unwrap() else {
        panic!()
    };
    assert_eq!(i.step(Some(&done)).unwrap(), MechStep::Complete(None));
    // After completion.
    assert_eq!(i.step(Some(&done)).unwrap_err().kind, MechErrorKind::Usage);
    assert_eq!(a.step(Some(&auth)).unwrap_err().kind, MechErrorKind::Usage);
    assert!(i.is_complete() && a.is_complete());
    check_protection(&mut i, &mut a, 1);

    // Empty candidate lists are caller errors.
    assert_eq!(
        SpnegoInitiator::new(vec![]).unwrap_err().kind,
        MechErrorKind::Usage
    );
    assert_eq!(
        SpnegoAcceptor::new(vec![]).unwrap_err().kind,
        MechErrorKind::Usage
    );
    assert_eq!(
        NegotiateAcceptor::new(vec![]).unwrap_err().kind,
        MechErrorKind::Usage
    );
}

#[test]
fn a_failing_mechanism_fails_the_negotiation() {
    let mut toy = Toy::new(OID_KRB5, false);
    toy.fail_with = Some(MechErrorKind::LogonFailure);
    let mut i = SpnegoInitiator::new(vec![Box::new(Toy::new(OID_KRB5, true))]).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(toy)]).unwrap();
    let MechStep::Continue(init) = i.step(None).unwrap() else {
        panic!()
    };
    assert_eq!(
        a.step(Some(&init)).unwrap_err().kind,
        MechErrorKind::LogonFailure
    );
    assert!(a.take_error_token().is_some());
}

/// `Debug` of established endpoints shows no key material.
#[test]
fn debug_is_redacted() {
    let esk: [u8; 16] = [
        0xa7, 0x3c, 0x91, 0x5e, 0x08, 0xd2, 0x6b, 0xf4, 0x17, 0xc9, 0x2e, 0x83, 0x55, 0xba, 0x40,
        0xed,
    ];
    let client = NtlmMechanism::initiator(NtlmClient::with_random(
        ClientConfig::new("alice", "TESTDOM", &Password::new("Passw0rd!")),
        ClientRandom::from_bytes([1; 8], esk),
    ));
    let mut i = SpnegoInitiator::new(vec![Box::new(client)]).unwrap();
    let mut a = NegotiateAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    drive(&mut i, &mut a);
    check_protection(&mut i, &mut a, 1);

    let key = ntlm::Key::new(esk);
    let flags = ntlm::NegotiateFlags::from_bits(0xe28a_8235);
    let mut secrets = vec![esk.to_vec()];
    for dir in [
        ntlm::Direction::ClientToServer,
        ntlm::Direction::ServerToClient,
    ] {
        secrets.push(ntlm::crypto::sign_key(&key, dir).expose_secret().to_vec());
        secrets.push(
            ntlm::crypto::seal_key(&key, flags, dir)
                .expose_secret()
                .to_vec(),
        );
    }
    let nt_hash = ntlm::NtHash::from_password(&Password::new("Passw0rd!"));
    secrets.push(nt_hash.expose_secret().to_vec());
    for debug in [
        format!("{i:?}"),
        format!("{a:?}"),
        format!("{i:#?}"),
        format!("{a:#?}"),
    ] {
        assert!(debug.contains("redacted"), "{debug}");
        assert!(!debug.contains("Passw0rd"));
        for s in &secrets {
            let hex = hex::encode(s);
            let dec = format!("{:?}", &s[..4]);
            let dec = &dec[1..dec.len() - 1];
            assert!(!debug.contains(&hex), "hex key in {debug}");
            assert!(!debug.contains(dec), "key bytes {dec} in {debug}");
        }
    }
}
