//! Real CredSSP transcripts (pyspnego and FreeRDP, recorded on loopback) in
//! `tests/vectors/ntlm/samples/`, checked against the values the independent
//! Python decoder printed (`tests/vectors/ntlm/<sample>.md`).
//!
//! For every sample this test
//! * round-trips the three NTLM messages byte for byte;
//! * checks NT hash, NTOWFv2, SessionBaseKey, ExportedSessionKey and the four
//!   sign/seal keys against the decoder;
//! * verifies the recorded AUTHENTICATE (NTProofStr over the blob as received,
//!   MIC) with [`NtlmServer`] resumed from the recorded NEGOTIATE/CHALLENGE,
//!   then, with the resulting server context, verifies the client's
//!   mechListMIC, unseals pubKeyAuth and authInfo, and re-produces the
//!   server's mechListMIC and pubKeyAuth byte for byte;
//! * replays the client side: an [`NtlmClient`] fed the recorded CHALLENGE and
//!   the recorded ExportedSessionKey produces an AUTHENTICATE our server
//!   accepts and a context that re-produces the client's mechListMIC,
//!   pubKeyAuth and authInfo byte for byte and unseals the server's pubKeyAuth.
//!
//! Wrong-password samples must be rejected by the verifier.

mod common;

use common::Sample;
use crypto_primitives::SecretArray;
use ntlm::crypto::{Direction, nt_owf_v2, seal_key, session_base_key, sign_key};
use ntlm::{
    AuthenticateMessage, ChallengeMessage, ClientConfig, ClientRandom, ErrorKind, FileTime,
    InMemoryCredentialStore, NegotiateMessage, NtHash, NtlmClient, NtlmServer, NtlmV2Response,
    Password, SecurityContext, ServerConfig, Step,
};

const PASSWORD: &str = "Passw0rd!";

fn store() -> InMemoryCredentialStore {
    let mut s = InMemoryCredentialStore::new();
    s.insert_password("TESTDOM", "alice", &Password::new(PASSWORD));
    s
}

fn server_config() -> ServerConfig {
    // Only used for verification here (the CHALLENGE is the recorded one).
    ServerConfig::new("VM", "WORKSTATION", FileTime(0))
}

fn round_trips(s: &Sample) {
    let (neg, chal, auth) = (s.negotiate(), s.challenge(), s.authenticate());
    assert_eq!(
        NegotiateMessage::parse(&neg).unwrap().to_bytes().unwrap(),
        neg,
        "{}",
        s.name
    );
    assert_eq!(
        ChallengeMessage::parse(&chal).unwrap().to_bytes().unwrap(),
        chal,
        "{}",
        s.name
    );
    assert_eq!(
        AuthenticateMessage::parse(&auth)
            .unwrap()
            .to_bytes()
            .unwrap(),
        auth,
        "{}",
        s.name
    );
}

/// The plaintext the decoder printed for `label`, completed where the
/// decoder truncated it (pre-v5 samples: the raw public key; the decoder
/// verified that equality and printed "OK").
fn plaintext(s: &Sample, label_prefix: &str, full: impl FnOnce() -> Vec<u8>) -> Option<Vec<u8>> {
    let key = s
        .expected
        .keys()
        .find(|k| k.starts_with(label_prefix))?
        .clone();
    let (shown, truncated) = s.maybe_truncated(&key)?;
    if truncated {
        let full = full();
        assert!(full.starts_with(&shown), "{}: {key}", s.name);
        Some(full)
    } else {
        Some(shown)
    }
}

fn client_pub_key_auth_plaintext(s: &Sample) -> Option<Vec<u8>> {
    plaintext(s, "client pubKeyAuth plaintext", || {
        assert!(s.check("client pubKeyAuth value (raw key)"));
        s.pubkey.clone()
    })
}

fn server_pub_key_auth_plaintext(s: &Sample) -> Option<Vec<u8>> {
    plaintext(s, "server pubKeyAuth plaintext", || {
        assert!(s.check("server pubKeyAuth value (key, first byte+1)"));
        let mut k = s.pubkey.clone();
        k[0] = k[0].wrapping_add(1);
        k
    })
}

fn check_keys(s: &Sample) {
    let nt_hash = NtHash::from_password(&Password::new(PASSWORD));
    assert_eq!(nt_hash.expose_secret().to_vec(), s.value("NT hash"));
    let auth_bytes = s.authenticate();
    let auth = AuthenticateMessage::parse(&auth_bytes).unwrap();
    assert_eq!(
        s.expected["AUTHENTICATE flags"]
            .split_whitespace()
            .next()
            .unwrap(),
        format!("{:#010x}", auth.flags.bits())
    );
    let user = auth.user_name_string().unwrap();
    let domain = auth.domain_name_string().unwrap();
    assert_eq!((user.as_str(), domain.as_str()), ("alice", "TESTDOM"));
    let rk = nt_owf_v2(&nt_hash, &user, &domain);
    assert_eq!(rk.expose_secret().to_vec(), s.value("ResponseKeyNT"));
    let resp = NtlmV2Response::parse(auth.nt_challenge_response).unwrap();
    let sbk = session_base_key(&rk, &resp.nt_proof_str);
    assert_eq!(sbk.expose_secret().to_vec(), s.value("SessionBaseKey"));
    let chal = s.challenge();
    assert_eq!(
        ChallengeMessage::parse(&chal)
            .unwrap()
            .server_challenge
            .to_vec(),
        s.value("ServerChallenge")
    );

    let esk = SecretArray::new(s.value("ExportedSessionKey").try_into().unwrap());
    for (label, dir) in [
        ("c2s sign/seal key", Direction::ClientToServer),
        ("s2c sign/seal key", Direction::ServerToClient),
    ] {
        let want = &s.expected[label];
        let (sign, seal) = want.split_once(' ').unwrap();
        assert_eq!(
            hex::encode(sign_key(&esk, dir).expose_secret()),
            sign,
            "{label}"
        );
        assert_eq!(
            hex::encode(seal_key(&esk, auth.flags, dir).expose_secret()),
            seal.trim(),
            "{label}"
        );
    }
}

/// Server side: verify the recorded AUTHENTICATE and use the context on the
/// recorded session-security tokens.
fn server_side(s: &Sample) -> SecurityContext {
    let store = store();
    let mut server =
        NtlmServer::resume(server_config(), &store, &s.negotiate(), &s.challenge()).unwrap();
    assert_eq!(
        server.step(Some(&s.authenticate())).unwrap(),
        Step::Complete(None),
        "{}",
        s.name
    );
    let mut ctx = server.take_context().unwrap();
    assert_eq!(
        ctx.exported_session_key().expose_secret().to_vec(),
        s.value("ExportedSessionKey")
    );
    assert_eq!(ctx.identity().user, "alice");
    assert_eq!(ctx.identity().domain, "TESTDOM");
    assert!(!ctx.identity().anonymous);
    assert!(ctx.mic_provided(), "every recorded client sent a MIC");
    assert!(
        ctx.target_name().is_some_and(|t| t.starts_with("TERMSRV/")),
        "{:?}",
        ctx.target_name()
    );

    let spnego = s.is_spnego();
    let mech_types = s.client_spnego(0).mech_types_der;
    // Inbound: the client's mechListMIC (seq 0), then RC4 reset, sequence kept.
    if spnego {
        assert!(s.check("client mechListMIC"));
        let mic = s.client_spnego(1).mech_list_mic.unwrap();
        ctx.verify_mic(mech_types.as_ref().unwrap(), &mic).unwrap();
        ctx.reset_inbound_seal_state();
    }
    assert!(s.check("client pubKeyAuth signature"));
    let pka = s.client[1].pub_key_auth.as_ref().unwrap();
    let got = ctx.unwrap(pka).unwrap();
    assert_eq!(
        got.expose_secret(),
        &client_pub_key_auth_plaintext(s).unwrap()[..],
        "{}",
        s.name
    );

    // Outbound: re-produce the server's mechListMIC and pubKeyAuth exactly.
    if let Some(server_pka) = s.server.get(1).and_then(|m| m.pub_key_auth.clone()) {
        if spnego {
            assert!(s.check("server mechListMIC"));
            let recorded = s.server_spnego(1).mech_list_mic.unwrap();
            assert_eq!(
                ctx.get_mic(mech_types.as_ref().unwrap()).unwrap().to_vec(),
                recorded
            );
            ctx.reset_outbound_seal_state();
        }
        let pt = server_pub_key_auth_plaintext(s).unwrap();
        assert_eq!(
            ctx.wrap(&pt).unwrap(),
            server_pka,
            "{}: server pubKeyAuth",
            s.name
        );
    }

    // authInfo (TSCredentials), next inbound sequence number.
    if let Some(auth_info) = s.client.get(2).and_then(|m| m.auth_info.clone()) {
        assert!(s.check("authInfo signature"));
        let got = ctx.unwrap(&auth_info).unwrap();
        let key = s
            .expected
            .keys()
            .find(|k| k.starts_with("authInfo plaintext"))
            .unwrap();
        assert_eq!(got.expose_secret(), &s.value(key)[..]);
    }
    ctx
}

/// Client side: our initiator with the recorded session key, against the
/// recorded CHALLENGE.
fn client_side(s: &Sample) {
    let neg = NegotiateMessage::parse(&s.negotiate()).unwrap().flags;
    let auth_bytes = s.authenticate();
    let recorded_auth = AuthenticateMessage::parse(&auth_bytes).unwrap();
    let blob = NtlmV2Response::parse(recorded_auth.nt_challenge_response).unwrap();

    let mut config = ClientConfig::new("alice", "TESTDOM", &Password::new(PASSWORD));
    config.flags = neg;
    config.target_name = Some("TERMSRV/127.0.0.1".into());
    let random = ClientRandom {
        client_challenge: blob.client_challenge.challenge_from_client,
        exported_session_key: SecretArray::new(s.value("ExportedSessionKey").try_into().unwrap()),
    };
    let mut client = NtlmClient::with_random(config, random);
    let Step::Continue(our_neg) = client.step(None).unwrap() else {
        panic!("negotiate")
    };
    let Step::Complete(Some(our_auth)) = client.step(Some(&s.challenge())).unwrap() else {
        panic!("authenticate")
    };
    let ours = AuthenticateMessage::parse(&our_auth).unwrap();
    let our_blob = NtlmV2Response::parse(ours.nt_challenge_response).unwrap();
    // The server's timestamp is echoed, LM response is Z(24), MIC bit set.
    assert_eq!(
        our_blob.client_challenge.timestamp,
        blob.client_challenge.timestamp
    );
    assert_eq!(ours.lm_challenge_response, &[0u8; 24]);
    assert!(
        our_blob
            .client_challenge
            .av_pairs
            .flags()
            .unwrap()
            .contains(ntlm::AvFlags::MIC_PROVIDED)
    );

    // Our server accepts our AUTHENTICATE against the real peer's CHALLENGE.
    let store = store();
    let mut server = NtlmServer::resume(server_config(), &store, &our_neg, &s.challenge()).unwrap();
    assert_eq!(server.step(Some(&our_auth)).unwrap(), Step::Complete(None));

    let mut ctx = client.take_context().unwrap();
    assert_eq!(
        ctx.exported_session_key().expose_secret().to_vec(),
        s.value("ExportedSessionKey")
    );
    let mech_types = s.client_spnego(0).mech_types_der;
    if s.is_spnego() {
        let recorded = s.client_spnego(1).mech_list_mic.unwrap();
        assert_eq!(
            ctx.get_mic(mech_types.as_ref().unwrap()).unwrap().to_vec(),
            recorded
        );
        ctx.reset_outbound_seal_state();
    }
    let pt = client_pub_key_auth_plaintext(s).unwrap();
    assert_eq!(
        &ctx.wrap(&pt).unwrap(),
        s.client[1].pub_key_auth.as_ref().unwrap()
    );

    if let Some(server_pka) = s.server.get(1).and_then(|m| m.pub_key_auth.clone()) {
        if s.is_spnego() {
            let mic = s.server_spnego(1).mech_list_mic.unwrap();
            ctx.verify_mic(mech_types.as_ref().unwrap(), &mic).unwrap();
            ctx.reset_inbound_seal_state();
        }
        let got = ctx.unwrap(&server_pka).unwrap();
        assert_eq!(
            got.expose_secret(),
            &server_pub_key_auth_plaintext(s).unwrap()[..]
        );
    }
    if let Some(auth_info) = s.client.get(2).and_then(|m| m.auth_info.clone()) {
        let key = s
            .expected
            .keys()
            .find(|k| k.starts_with("authInfo plaintext"))
            .unwrap();
        assert_eq!(ctx.wrap(&s.value(key)).unwrap(), auth_info);
    }
}

fn good(name: &'static str) {
    let s = Sample::load(name);
    assert!(
        s.decoder_lines.iter().any(|l| l == "ALL_CHECKS_OK"),
        "{name}: decoder run failed"
    );
    round_trips(&s);
    check_keys(&s);
    server_side(&s);
    client_side(&s);
}

fn bad_password(name: &'static str) {
    let s = Sample::load(name);
    assert!(
        !s.check("NTProofStr"),
        "{name}: decoder saw a matching NTProofStr"
    );
    round_trips(&s);
    let store = store();
    let mut server =
        NtlmServer::resume(server_config(), &store, &s.negotiate(), &s.challenge()).unwrap();
    let err = server.step(Some(&s.authenticate())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NtProofMismatch, "{name}: {err}");
    assert!(err.is_logon_failure());
    assert!(server.context().is_none());
}

#[test]
fn v6_tls13() {
    good("v6_tls13");
}

#[test]
fn v6_tls12() {
    good("v6_tls12");
}

#[test]
fn v5_client() {
    good("v5_client");
}

#[test]
fn v3_server() {
    good("v3_server");
}

#[test]
fn v2_client() {
    good("v2_client");
}

/// FreeRDP's NTLMv2 blob carries zero padding after MsvAvEOL; NTProofStr is
/// computed over it as received.
#[test]
fn xfreerdp_vs_pyspnego_rawblob() {
    good("xfreerdp_vs_pyspnego_rawblob");
    let s = Sample::load("xfreerdp_vs_pyspnego_rawblob");
    let auth = s.authenticate();
    let auth = AuthenticateMessage::parse(&auth).unwrap();
    let blob = NtlmV2Response::parse(auth.nt_challenge_response)
        .unwrap()
        .client_challenge;
    let pairs = blob.av_pairs.as_bytes();
    let pairs_len: usize = blob
        .av_pairs
        .iter()
        .map(|p| {
            let mut one = ntlm::encode_av_pairs(&[p]).unwrap();
            one.truncate(one.len() - 4);
            one.len()
        })
        .sum();
    // More than MsvAvEOL (4) + Reserved (4) after the pairs: padding.
    assert!(
        pairs.len() - pairs_len > 8,
        "expected FreeRDP padding after MsvAvEOL"
    );
}

/// Stock pyspnego rejected this valid FreeRDP AUTHENTICATE; we accept it.
#[test]
fn xfreerdp_vs_pyspnego_stock() {
    good("xfreerdp_vs_pyspnego_stock");
}

#[test]
fn pyspnego_client_vs_freerdp_shadow() {
    good("pyspnego_client_vs_freerdp_shadow");
}

#[test]
fn v6_badpass() {
    bad_password("v6_badpass");
}

#[test]
fn v2_badpass() {
    bad_password("v2_badpass");
}

#[test]
fn xfreerdp_vs_pyspnego_badpass() {
    bad_password("xfreerdp_vs_pyspnego_badpass");
}

#[test]
fn pyspnego_client_ntlm_badpass_vs_freerdp_shadow() {
    bad_password("pyspnego_client_ntlm_badpass_vs_freerdp_shadow");
}
