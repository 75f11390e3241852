//! A full in-memory NTLMv2 client↔server exchange (deterministic RNG, step
//! limit) and tampering tests, each asserting the error kind.

use ntlm::crypto::{channel_bindings_hash, lmv2_response, nt_owf_v2};
use ntlm::{
    AuthenticateMessage, AvFlags, ChallengeMessage, ClientConfig, ClientState, Error, ErrorKind,
    FileTime, InMemoryCredentialStore, NegotiateFlags, NtHash, NtlmClient, NtlmServer,
    NtlmV2Response, Origin, Password, ServerConfig, ServerState, Step,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const MAX_STEPS: usize = 8;
const NOW: FileTime = FileTime(0x01dc_5a2b_1234_5678);

fn store() -> InMemoryCredentialStore {
    let mut s = InMemoryCredentialStore::new();
    s.insert_password("TESTDOM", "alice", &Password::new("Passw0rd!"));
    s
}

fn client_config(user: &str, password: &str) -> ClientConfig {
    let mut c = ClientConfig::new(user, "TESTDOM", &Password::new(password));
    c.workstation = "WS01".into();
    c.target_name = Some("TERMSRV/server.testdom.example".into());
    c.timestamp = FileTime(0x01dc_5a2b_0000_0000);
    c
}

fn server_config() -> ServerConfig {
    let mut c = ServerConfig::new("SERVER", "TESTDOM", NOW);
    c.dns_computer_name = Some("server.testdom.example".into());
    c.dns_domain_name = Some("testdom.example".into());
    c
}

/// Drives both sides to completion, bounded by `MAX_STEPS`.
fn drive(
    client: &mut NtlmClient,
    server: &mut NtlmServer<&InMemoryCredentialStore>,
) -> Result<usize, Error> {
    let Step::Continue(mut token) = client.step(None)? else {
        panic!("client must start")
    };
    for steps in 1..=MAX_STEPS {
        match server.step(Some(&token))? {
            Step::Continue(reply) => match client.step(Some(&reply))? {
                Step::Continue(t) | Step::Complete(Some(t)) => token = t,
                other => panic!("client produced {other:?}"),
            },
            Step::Complete(None) => return Ok(steps),
            other => panic!("server produced {other:?}"),
        }
    }
    panic!("no completion within {MAX_STEPS} steps");
}

#[test]
fn full_exchange_then_session_security() {
    let store = store();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let mut client = NtlmClient::new(client_config("alice", "Passw0rd!"), &mut rng);
    let mut server = NtlmServer::new(server_config(), &store, &mut rng);
    assert_eq!(client.state(), ClientState::Initial);
    assert_eq!(drive(&mut client, &mut server).unwrap(), 2);
    assert_eq!(client.state(), ClientState::Complete);
    assert_eq!(server.state(), ServerState::Complete);

    let mut c = client.take_context().unwrap();
    let mut s = server.take_context().unwrap();
    assert_eq!(c.exported_session_key(), s.exported_session_key());
    assert_eq!(c.flags(), s.flags());
    assert!(
        c.flags().contains(
            NegotiateFlags::KEY_EXCH | NegotiateFlags::SEAL | NegotiateFlags::NEGOTIATE_128
        )
    );
    assert_eq!(s.identity().user, "alice");
    assert_eq!(s.identity().domain, "TESTDOM");
    assert_eq!(s.identity().workstation, "WS01");
    assert_eq!(s.target_name(), Some("TERMSRV/server.testdom.example"));
    assert!(c.mic_provided() && s.mic_provided());

    // SPNEGO-style mechListMIC with RC4 reset, then traffic both ways.
    let mic = c.get_mic(b"mechTypes").unwrap();
    c.reset_outbound_seal_state();
    s.verify_mic(b"mechTypes", &mic).unwrap();
    s.reset_inbound_seal_state();
    for i in 0..5u8 {
        let msg = vec![i; usize::from(i) * 13];
        let t = c.wrap(&msg).unwrap();
        assert_eq!(s.unwrap(&t).unwrap().expose_secret(), &msg[..]);
        let t = s.wrap(&msg).unwrap();
        assert_eq!(c.unwrap(&t).unwrap().expose_secret(), &msg[..]);
    }
    assert_eq!((c.outbound_seq(), s.inbound_seq()), (6, 6));

    // The context cannot be taken twice; stepping a finished client is a caller error.
    assert_eq!(
        client.take_context().unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    let e = client.step(Some(b"x")).unwrap_err();
    assert_eq!(
        (e.kind(), e.origin()),
        (ErrorKind::InvalidState, Origin::Caller)
    );
}

#[test]
fn same_seed_same_bytes() {
    let run = || {
        let store = store();
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let mut client = NtlmClient::new(client_config("alice", "Passw0rd!"), &mut rng);
        let mut server = NtlmServer::new(server_config(), &store, &mut rng);
        let Step::Continue(neg) = client.step(None).unwrap() else {
            panic!()
        };
        let Step::Continue(chal) = server.step(Some(&neg)).unwrap() else {
            panic!()
        };
        let Step::Complete(Some(auth)) = client.step(Some(&chal)).unwrap() else {
            panic!()
        };
        (neg, chal, auth)
    };
    assert_eq!(run(), run());
}

/// A client whose AUTHENTICATE is produced but not yet delivered.
struct Pending {
    store: InMemoryCredentialStore,
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    authenticate: Vec<u8>,
}

impl Pending {
    fn new(config: ClientConfig, server: ServerConfig) -> Self {
        let store = store();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut client = NtlmClient::new(config, &mut rng);
        let mut srv = NtlmServer::new(server, &store, &mut rng);
        let Step::Continue(negotiate) = client.step(None).unwrap() else {
            panic!()
        };
        let Step::Continue(challenge) = srv.step(Some(&negotiate)).unwrap() else {
            panic!()
        };
        let Step::Complete(Some(authenticate)) = client.step(Some(&challenge)).unwrap() else {
            panic!()
        };
        Self {
            store,
            negotiate,
            challenge,
            authenticate,
        }
    }

    fn alice() -> Self {
        Self::new(client_config("alice", "Passw0rd!"), server_config())
    }

    /// Delivers `auth` to a server that sent this exchange's CHALLENGE.
    fn deliver_with(&self, config: ServerConfig, auth: &[u8]) -> Result<Step, Error> {
        let mut server = NtlmServer::resume(config, &self.store, &self.negotiate, &self.challenge)?;
        let r = server.step(Some(auth));
        if r.is_err() {
            assert_eq!(server.state(), ServerState::Failed);
            assert!(server.context().is_none());
        }
        r
    }

    fn deliver(&self, auth: &[u8]) -> Result<Step, Error> {
        self.deliver_with(server_config(), auth)
    }

    fn nt_offset(&self) -> usize {
        u32::from_le_bytes(self.authenticate[24..28].try_into().unwrap()) as usize
    }
}

fn kind(r: Result<Step, Error>) -> ErrorKind {
    let e = r.unwrap_err();
    assert_eq!(e.origin(), Origin::Peer, "{e}");
    e.kind()
}

#[test]
fn untampered_is_accepted() {
    let p = Pending::alice();
    assert_eq!(p.deliver(&p.authenticate).unwrap(), Step::Complete(None));
}

#[test]
fn mic_flipped() {
    let p = Pending::alice();
    let mut a = p.authenticate.clone();
    a[AuthenticateMessage::MIC_OFFSET + 3] ^= 0x01;
    assert_eq!(kind(p.deliver(&a)), ErrorKind::MicMismatch);
}

#[test]
fn negotiate_flags_downgrade_caught_by_mic() {
    let p = Pending::alice();
    let mut a = p.authenticate.clone();
    a[60] &= !0x20; // drop NTLMSSP_NEGOTIATE_SEAL
    assert_eq!(kind(p.deliver(&a)), ErrorKind::MicMismatch);
}

#[test]
fn nt_proof_str_flipped() {
    let p = Pending::alice();
    let mut a = p.authenticate.clone();
    let at = p.nt_offset();
    a[at] ^= 0x80;
    let e = p.deliver(&a).unwrap_err();
    assert_eq!(
        (e.kind(), e.offset()),
        (ErrorKind::NtProofMismatch, Some(at))
    );
    assert!(e.is_logon_failure());
}

#[test]
fn mic_bit_stripped_breaks_nt_proof_str() {
    // Removing MsvAvFlags' MIC bit (to strip the MIC) changes the blob that
    // NTProofStr covers.
    let p = Pending::alice();
    let auth = AuthenticateMessage::parse(&p.authenticate).unwrap();
    let blob = NtlmV2Response::parse(auth.nt_challenge_response)
        .unwrap()
        .client_challenge;
    let flags_at = blob
        .as_bytes()
        .windows(8)
        .position(|w| w == [6, 0, 4, 0, 2, 0, 0, 0])
        .expect("MsvAvFlags with the MIC bit");
    let mut a = p.authenticate.clone();
    a[p.nt_offset() + 16 + flags_at + 4] = 0;
    assert_eq!(kind(p.deliver(&a)), ErrorKind::NtProofMismatch);
}

#[test]
fn wrong_password() {
    let p = Pending::new(client_config("alice", "Passw0rd?"), server_config());
    assert_eq!(kind(p.deliver(&p.authenticate)), ErrorKind::NtProofMismatch);
}

#[test]
fn unknown_user_and_case_insensitive_user() {
    let p = Pending::new(client_config("mallory", "Passw0rd!"), server_config());
    assert_eq!(kind(p.deliver(&p.authenticate)), ErrorKind::UnknownUser);
    // The user name is case-insensitive; NTOWFv2 upper-cases it anyway.
    let p = Pending::new(client_config("ALICE", "Passw0rd!"), server_config());
    assert_eq!(p.deliver(&p.authenticate).unwrap(), Step::Complete(None));
}

/// Builds an AUTHENTICATE by hand with the given responses (flags from the CHALLENGE).
fn handmade(p: &Pending, lm: &[u8], nt: &[u8], user: &str) -> Vec<u8> {
    let chal = ChallengeMessage::parse(&p.challenge).unwrap();
    let user = ntlm::encode_utf16le(user);
    let domain = ntlm::encode_utf16le("TESTDOM");
    AuthenticateMessage {
        lm_challenge_response: lm,
        nt_challenge_response: nt,
        domain_name: &domain,
        user_name: &user,
        workstation: &[],
        encrypted_random_session_key: &[],
        flags: chal.flags.difference(NegotiateFlags::KEY_EXCH),
        version: None,
        mic: None,
        layout: None,
    }
    .to_bytes()
    .unwrap()
}

#[test]
fn ntlm_v1_response_refused() {
    let p = Pending::alice();
    let a = handmade(&p, &[0x11; 24], &[0x22; 24], "alice");
    let e = p.deliver(&a).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::NtlmV1Refused, Some(20)));
    // LM-only (empty NT response, non-empty user) is v1 too.
    let a = handmade(&p, &[0x11; 24], &[], "alice");
    assert_eq!(kind(p.deliver(&a)), ErrorKind::NtlmV1Refused);
}

#[test]
fn malformed_ntlmv2_blob() {
    let p = Pending::alice();
    let a = handmade(&p, &[0; 24], &[0x22; 30], "alice");
    assert_eq!(kind(p.deliver(&a)), ErrorKind::InvalidNtlmV2Response);
}

#[test]
fn anonymous_refused_unless_enabled() {
    let p = Pending::alice();
    let a = handmade(&p, &[0], &[], "");
    assert_eq!(kind(p.deliver(&a)), ErrorKind::AnonymousRefused);
    let mut config = server_config();
    config.allow_anonymous = true;
    let mut server = NtlmServer::resume(config, &p.store, &p.negotiate, &p.challenge).unwrap();
    assert_eq!(server.step(Some(&a)).unwrap(), Step::Complete(None));
    let ctx = server.take_context().unwrap();
    assert!(ctx.identity().anonymous);
    assert_eq!(ctx.identity().user, "");
}

#[test]
fn truncated_and_overlapping_payloads() {
    let p = Pending::alice();
    // Truncated: the last payload field now ends past the message.
    let a = &p.authenticate[..p.authenticate.len() - 1];
    assert_eq!(kind(p.deliver(a)), ErrorKind::FieldOutOfBounds);
    // Truncated inside the fixed header.
    assert_eq!(kind(p.deliver(&p.authenticate[..40])), ErrorKind::Truncated);
    // UserName made to overlap DomainName.
    let mut a = p.authenticate.clone();
    let domain_offset: [u8; 4] = a[32..36].try_into().unwrap();
    a[40..44].copy_from_slice(&domain_offset);
    let e = p.deliver(&a).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::FieldOverlap, Some(36)));
    // Offset + length overflowing u32.
    let mut a = p.authenticate.clone();
    a[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(kind(p.deliver(&a)), ErrorKind::FieldOutOfBounds);
    // Not NTLMSSP at all.
    let mut a = p.authenticate.clone();
    a[0] = b'X';
    assert_eq!(kind(p.deliver(&a)), ErrorKind::NotNtlmssp);
    // A CHALLENGE where an AUTHENTICATE is due.
    assert_eq!(
        kind(p.deliver(&p.challenge)),
        ErrorKind::UnexpectedMessageType
    );
}

#[test]
fn encrypted_session_key_must_be_16_bytes() {
    let p = Pending::alice();
    let auth = AuthenticateMessage::parse(&p.authenticate).unwrap();
    let a = AuthenticateMessage {
        encrypted_random_session_key: &[1; 8],
        layout: None,
        ..auth
    }
    .to_bytes()
    .unwrap();
    assert_eq!(kind(p.deliver(&a)), ErrorKind::InvalidSessionKey);
}

#[test]
fn channel_bindings() {
    let cbt = channel_bindings_hash(b"tls-server-end-point:0123456789abcdef0123456789abcdef");
    let mut client = client_config("alice", "Passw0rd!");
    client.channel_bindings = Some(cbt);
    let p = Pending::new(client, server_config());
    let mut config = server_config();
    config.channel_bindings = Some(cbt);
    assert_eq!(
        p.deliver_with(config.clone(), &p.authenticate).unwrap(),
        Step::Complete(None)
    );
    // A client without bindings (zeros) is refused when bindings are required.
    let p = Pending::alice();
    assert_eq!(
        kind(p.deliver_with(config, &p.authenticate)),
        ErrorKind::ChannelBindingsMismatch
    );
}

#[test]
fn no_server_timestamp_uses_client_time_and_lmv2() {
    let mut server = server_config();
    server.timestamp = None;
    let client = client_config("alice", "Passw0rd!");
    let client_time = client.timestamp;
    let p = Pending::new(client, server);
    let auth = AuthenticateMessage::parse(&p.authenticate).unwrap();
    let blob = NtlmV2Response::parse(auth.nt_challenge_response)
        .unwrap()
        .client_challenge;
    assert_eq!(blob.timestamp, client_time);
    assert!(
        blob.av_pairs
            .flags()
            .unwrap()
            .contains(AvFlags::MIC_PROVIDED)
    );
    let chal = ChallengeMessage::parse(&p.challenge).unwrap();
    let key = nt_owf_v2(
        &NtHash::from_password(&Password::new("Passw0rd!")),
        "alice",
        "TESTDOM",
    );
    let lm = lmv2_response(&key, &chal.server_challenge, &blob.challenge_from_client);
    assert_eq!(auth.lm_challenge_response, &lm[..]);
    assert_eq!(p.deliver(&p.authenticate).unwrap(), Step::Complete(None));
}

#[test]
fn server_timestamp_is_echoed_and_lm_is_zero() {
    let p = Pending::alice();
    let auth = AuthenticateMessage::parse(&p.authenticate).unwrap();
    let blob = NtlmV2Response::parse(auth.nt_challenge_response)
        .unwrap()
        .client_challenge;
    assert_eq!(blob.timestamp, NOW);
    assert_eq!(auth.lm_challenge_response, &[0u8; 24]);
    assert!(auth.mic.is_some());
}

#[test]
fn flag_negotiation_failures() {
    // The server requires extended session security.
    let store = store();
    let mut client_cfg = client_config("alice", "Passw0rd!");
    client_cfg.flags = client_cfg
        .flags
        .difference(NegotiateFlags::EXTENDED_SESSIONSECURITY);
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut client = NtlmClient::new(client_cfg, &mut rng);
    let mut server = NtlmServer::new(server_config(), &store, &mut rng);
    let Step::Continue(neg) = client.step(None).unwrap() else {
        panic!()
    };
    let e = server.step(Some(&neg)).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::FlagsRejected, Some(12)));
    assert_eq!(server.state(), ServerState::Failed);

    // The client requires SEAL; a server not granting it is refused.
    let mut server_cfg = server_config();
    server_cfg.flags = server_cfg.flags.difference(NegotiateFlags::SEAL);
    let mut client = NtlmClient::new(client_config("alice", "Passw0rd!"), &mut rng);
    let mut server = NtlmServer::new(server_cfg, &store, &mut rng);
    let Step::Continue(neg) = client.step(None).unwrap() else {
        panic!()
    };
    let Step::Continue(chal) = server.step(Some(&neg)).unwrap() else {
        panic!()
    };
    let e = client.step(Some(&chal)).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::FlagsRejected, Some(20)));
    assert_eq!(client.state(), ClientState::Failed);
}

#[test]
fn caller_errors_do_not_change_state() {
    let store = store();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let mut client = NtlmClient::new(client_config("alice", "Passw0rd!"), &mut rng);
    let mut server = NtlmServer::new(server_config(), &store, &mut rng);
    let e = client.step(Some(b"too early")).unwrap_err();
    assert_eq!(
        (e.kind(), e.origin()),
        (ErrorKind::InvalidState, Origin::Caller)
    );
    assert_eq!(client.state(), ClientState::Initial);
    let e = server.step(None).unwrap_err();
    assert_eq!(
        (e.kind(), e.origin()),
        (ErrorKind::InvalidState, Origin::Caller)
    );
    assert_eq!(server.state(), ServerState::AwaitingNegotiate);
    assert_eq!(
        server.take_context().unwrap_err().kind(),
        ErrorKind::InvalidState
    );
    // And the exchange still completes afterwards.
    assert_eq!(drive(&mut client, &mut server).unwrap(), 2);
}

#[test]
fn oversized_target_info_is_a_peer_error() {
    let big = vec![0x41; 65_400];
    let info = ntlm::encode_av_pairs(&[
        ntlm::AvPair::Other {
            id: 0x77,
            value: &big,
        },
        ntlm::AvPair::Timestamp(NOW),
    ])
    .unwrap();
    let chal = ChallengeMessage {
        target_name: &[],
        flags: ClientConfig::DEFAULT_FLAGS | NegotiateFlags::TARGET_INFO,
        server_challenge: [5; 8],
        reserved: [0; 8],
        target_info: ntlm::AvPairs::parse(&info).unwrap(),
        version: None,
        layout: None,
    }
    .to_bytes()
    .unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut client = NtlmClient::new(client_config("alice", "Passw0rd!"), &mut rng);
    client.step(None).unwrap();
    let Err(e) = client.step(Some(&chal)) else {
        panic!("an oversized TargetInfo was echoed")
    };
    assert_eq!(
        (e.kind(), e.origin()),
        (ErrorKind::InvalidAvPair, Origin::Peer)
    );
    assert_eq!(client.state(), ClientState::Failed);
}
