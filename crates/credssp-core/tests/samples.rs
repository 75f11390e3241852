//! Real transcripts (pyspnego and FreeRDP on loopback, password
//! `Passw0rd!`; copied from the peers' `samples/` into `tests/vectors/`,
//! ExportedSessionKeys from the workspace's `tests/vectors/ntlm/*.md`):
//! * our server, fed the recorded client TSRequests (with the recorded
//!   CHALLENGE as its answer), accepts, re-produces the recorded server
//!   pubKeyAuth byte for byte, and delivers `TESTDOM\alice` / `Passw0rd!`;
//! * our client, with the recorded client randoms, against the recorded
//!   server TSRequests, re-produces the recorded pubKeyAuth and authInfo,
//!   and verifies the server's pubKeyAuth.

mod common;

use asn1_types::spnego::NegotiationToken;
use common::*;
use credssp_core::*;

type Boxed = Box<dyn spnego::Mechanism + Send>;

struct Sample {
    client: Vec<TsRequest>,
    server: Vec<TsRequest>,
    key: ServerPublicKey,
}

fn load(name: &'static str) -> Sample {
    let dir = vectors(name);
    let pick = |a: &str, b: &str| {
        let p = if dir.join(a).exists() {
            dir.join(a)
        } else {
            dir.join(b)
        };
        hex_lines(p)
            .iter()
            .map(|m| TsRequest::from_der(m).unwrap())
            .collect::<Vec<_>>()
    };
    let raw_key = std::fs::read(dir.join("server_pubkey.der")).unwrap();
    let key = if dir.join("server_cert.pem").exists() {
        let k = ServerPublicKey::from_certificate_der(&cert_der(name)).unwrap();
        assert_eq!(
            k.subject_public_key(),
            &raw_key[..],
            "{name}: certificate vs pubkey file"
        );
        k
    } else {
        ServerPublicKey::from_raw_subject_public_key(&raw_key).unwrap()
    };
    Sample {
        client: pick("client_sent.hex", "server_recv.hex"),
        server: pick("server_sent.hex", "client_recv.hex"),
        key,
    }
}

fn token(req: &TsRequest) -> Vec<u8> {
    req.nego_token_bytes().next().unwrap().to_vec()
}

fn is_spnego(s: &Sample) -> bool {
    !token(&s.client[0]).starts_with(b"NTLMSSP\0")
}

/// The NTLM message inside a (possibly SPNEGO-wrapped) token.
fn ntlm_of(tok: &[u8]) -> Vec<u8> {
    if tok.starts_with(b"NTLMSSP\0") {
        tok.to_vec()
    } else {
        NegotiationToken::from_der(tok)
            .unwrap()
            .mech_token()
            .unwrap()
            .to_vec()
    }
}

fn server_side(name: &'static str) {
    let s = load(name);
    let neg = ntlm_of(&token(&s.client[0]));
    let chal = ntlm_of(&token(&s.server[0]));
    let replay: Boxed = Box::new(RawNtlm::replay_server(&neg, &chal, "Passw0rd!"));
    let mech: Boxed = if is_spnego(&s) {
        Box::new(spnego::SpnegoAcceptor::new(vec![replay]).unwrap())
    } else {
        replay
    };
    let version = s.server[0].version.min(6);
    let mut server = CredSspServer::new(server_config(version, 2), mech, s.key.clone()).unwrap();
    let mut delegated = None;
    for (i, msg) in s.client.iter().enumerate() {
        match server.step(&msg.to_der().unwrap()) {
            ServerOutput::Send(out) => {
                let out = TsRequest::from_der(&out).unwrap();
                if i == 1 && s.server.get(1).is_some_and(|m| m.pub_key_auth.is_some()) {
                    assert_eq!(
                        out.pub_key_auth, s.server[1].pub_key_auth,
                        "{name}: server pubKeyAuth byte for byte"
                    );
                }
            }
            ServerOutput::Finished(d) => delegated = Some(d),
            ServerOutput::Failed { error, .. } => panic!("{name}: message {i}: {error}"),
        }
    }
    if s.client.len() < 3 {
        // The recorded server refused; ours accepted the binding and waits
        // for the credentials the client never got to send.
        assert_eq!(server.state(), ServerState::AwaitingCredentials, "{name}");
        return;
    }
    let d = delegated.unwrap_or_else(|| panic!("{name}: no delegation"));
    assert_eq!(
        d.credentials,
        Credentials::password("TESTDOM", "alice", "Passw0rd!"),
        "{name}"
    );
    let peer = d.peer.unwrap();
    assert_eq!(
        (peer.domain.as_str(), peer.user.as_str()),
        ("TESTDOM", "alice")
    );
    assert_eq!(d.version, s.client[0].version.min(version));
}

fn exported_session_key(name: &str) -> [u8; 16] {
    let md = std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/vectors/ntlm")
            .join(format!("{name}.md")),
    )
    .unwrap();
    let line = md
        .lines()
        .find(|l| l.starts_with("ExportedSessionKey"))
        .unwrap();
    hex::decode(line.split(':').nth(1).unwrap().trim())
        .unwrap()
        .try_into()
        .unwrap()
}

fn client_side(name: &'static str) {
    let s = load(name);
    let neg_bytes = ntlm_of(&token(&s.client[0]));
    let auth_bytes = ntlm_of(&token(&s.client[1]));
    let recorded_neg = ntlm::NegotiateMessage::parse(&neg_bytes).unwrap();
    let auth = ntlm::AuthenticateMessage::parse(&auth_bytes).unwrap();
    let blob = ntlm::NtlmV2Response::parse(auth.nt_challenge_response).unwrap();
    let mut config = ntlm::ClientConfig::new("alice", "TESTDOM", &ntlm::Password::new("Passw0rd!"));
    config.flags = recorded_neg.flags;
    config.target_name = Some("TERMSRV/127.0.0.1".into());
    let random = ntlm::ClientRandom::from_bytes(
        blob.client_challenge.challenge_from_client,
        exported_session_key(name),
    );
    let ntlm_mech: Boxed = Box::new(spnego::NtlmMechanism::initiator(
        ntlm::NtlmClient::with_random(config, random),
    ));
    let mech: Boxed = if is_spnego(&s) {
        Box::new(spnego::SpnegoInitiator::new(vec![ntlm_mech]).unwrap())
    } else {
        ntlm_mech
    };
    let nonce: [u8; 32] = s.client[1]
        .client_nonce
        .as_ref()
        .map_or([0; 32], |n| n.as_bytes().try_into().unwrap());
    let mut cc = credssp_core::ClientConfig::new(
        "TERMSRV/127.0.0.1",
        SpnAllowList::new().allow("TERMSRV/127.0.0.1"),
    );
    cc.version = s.client[0].version.min(6);
    cc.min_version = 2;
    let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
    let mut client = CredSspClient::with_nonce(cc, creds, mech, s.key.clone(), nonce).unwrap();
    let ClientOutput::Send(_) = client.step(None) else {
        panic!("{name}")
    };
    let ClientOutput::Send(second) = client.step(Some(&s.server[0].to_der().unwrap())) else {
        panic!("{name}: second")
    };
    let second = TsRequest::from_der(&second).unwrap();
    assert_eq!(
        second.pub_key_auth, s.client[1].pub_key_auth,
        "{name}: client pubKeyAuth"
    );
    match client.step(Some(&s.server[1].to_der().unwrap())) {
        ClientOutput::Finished(last) => {
            let last = TsRequest::from_der(&last).unwrap();
            assert_eq!(last.auth_info, s.client[2].auth_info, "{name}: authInfo");
        }
        other => panic!("{name}: server pubKeyAuth not verified: {other:?}"),
    }
}

#[test]
fn v6_tls13() {
    server_side("v6_tls13");
    client_side("v6_tls13");
}

#[test]
fn v6_tls12() {
    server_side("v6_tls12");
    client_side("v6_tls12");
}

#[test]
fn v5_client() {
    server_side("v5_client");
    client_side("v5_client");
}

#[test]
fn v3_server() {
    server_side("v3_server");
    client_side("v3_server");
}

#[test]
fn v2_client() {
    server_side("v2_client");
    client_side("v2_client");
}

/// FreeRDP client, raw NTLM, clientNonce in every TSRequest.
#[test]
fn xfreerdp_vs_pyspnego_rawblob() {
    server_side("xfreerdp_vs_pyspnego_rawblob");
}

/// Stock pyspnego refused this valid FreeRDP AUTHENTICATE; we accept it.
#[test]
fn xfreerdp_vs_pyspnego_stock() {
    server_side("xfreerdp_vs_pyspnego_stock");
}

/// pyspnego client in raw-NTLM mode against FreeRDP's server (which puts a
/// random nonce of its own in its CHALLENGE TSRequest).
#[test]
fn pyspnego_client_vs_freerdp_shadow() {
    server_side("pyspnego_client_vs_freerdp_shadow");
    client_side("pyspnego_client_vs_freerdp_shadow");
}

#[test]
fn v6_badpass_server_answers_logon_failure() {
    let s = load("v6_badpass");
    let neg = ntlm_of(&token(&s.client[0]));
    let chal = ntlm_of(&token(&s.server[0]));
    let replay: Boxed = Box::new(RawNtlm::replay_server(&neg, &chal, "Passw0rd!"));
    let mech: Boxed = Box::new(spnego::SpnegoAcceptor::new(vec![replay]).unwrap());
    let mut server = CredSspServer::new(server_config(6, 5), mech, s.key.clone()).unwrap();
    let ServerOutput::Send(_) = server.step(&s.client[0].to_der().unwrap()) else {
        panic!()
    };
    let ServerOutput::Failed { reply, error } = server.step(&s.client[1].to_der().unwrap()) else {
        panic!()
    };
    assert_eq!(error.to_ntstatus(), NtStatus::STATUS_LOGON_FAILURE);
    let reply = TsRequest::from_der(&reply.unwrap()).unwrap();
    assert_eq!(reply.error_code, Some(NtStatus::STATUS_LOGON_FAILURE));

    // Our client on pyspnego's recorded answer: stops and names it.
    let mut client = CredSspClient::with_nonce(
        client_config(6, 5),
        Credentials::password("TESTDOM", "alice", "wrong"),
        Box::new(RawNtlm::client("wrong", 1)),
        s.key.clone(),
        nonce(),
    )
    .unwrap();
    let ClientOutput::Send(_) = client.step(None) else {
        panic!()
    };
    let ClientOutput::Failed(e) = client.step(Some(&s.server[1].to_der().unwrap())) else {
        panic!()
    };
    assert_eq!(e.peer_status(), Some(NtStatus::SEC_E_LOGON_DENIED));
}

#[test]
fn v2_badpass_server_closes() {
    let s = load("v2_badpass");
    let neg = ntlm_of(&token(&s.client[0]));
    let chal = ntlm_of(&token(&s.server[0]));
    let replay: Boxed = Box::new(RawNtlm::replay_server(&neg, &chal, "Passw0rd!"));
    let mech: Boxed = Box::new(spnego::SpnegoAcceptor::new(vec![replay]).unwrap());
    let mut server = CredSspServer::new(server_config(2, 2), mech, s.key.clone()).unwrap();
    let ServerOutput::Send(_) = server.step(&s.client[0].to_der().unwrap()) else {
        panic!()
    };
    let ServerOutput::Failed { reply, error } = server.step(&s.client[1].to_der().unwrap()) else {
        panic!()
    };
    assert!(reply.is_none(), "v2 has no errorCode");
    assert!(matches!(error.kind, ErrorKind::Mechanism(_)));
}
