//! Test-only mechanisms and a driver for in-memory exchanges.
#![allow(dead_code)]

use asn1_types::der::asn1::ObjectIdentifier;
use credssp_core::*;
use crypto_primitives::{SecretArray, SecretBytes};
use ntlm::{
    ClientConfig as NtlmClientConfig, ClientRandom, FileTime, InMemoryCredentialStore, NtlmClient,
    NtlmServer, Password, ServerConfig as NtlmServerConfig, Step,
};
use spnego::{Direction, MechError, MechErrorKind, MechStep, Mechanism, PeerIdentity};

pub const NTLM_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.2.10");

fn err(e: ntlm::Error) -> MechError {
    let kind = if e.is_logon_failure() {
        MechErrorKind::LogonFailure
    } else if matches!(e.origin(), ntlm::Origin::Caller) {
        MechErrorKind::Usage
    } else {
        MechErrorKind::Protocol
    };
    MechError::new(kind, e.to_string())
}

fn integrity(e: ntlm::Error) -> MechError {
    MechError::new(MechErrorKind::Integrity, e.to_string())
}

enum Side {
    Client(NtlmClient),
    Server(Box<NtlmServer<InMemoryCredentialStore>>),
    /// A resumed acceptor that answers the NEGOTIATE with a recorded
    /// CHALLENGE (transcript replays).
    Replay {
        challenge: Option<Vec<u8>>,
        server: Box<NtlmServer<InMemoryCredentialStore>>,
    },
}

/// Raw NTLM as a [`Mechanism`] (test-only adapter over the ntlm crate).
pub struct RawNtlm(Side);

impl std::fmt::Debug for RawNtlm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RawNtlm")
    }
}

pub fn store(password: &str) -> InMemoryCredentialStore {
    let mut s = InMemoryCredentialStore::new();
    s.insert_password("TESTDOM", "alice", &Password::new(password));
    s
}

impl RawNtlm {
    pub fn client(password: &str, seed: u8) -> Self {
        let mut config = NtlmClientConfig::new("alice", "TESTDOM", &Password::new(password));
        config.target_name = Some("TERMSRV/rdp.example.com".into());
        let random = ClientRandom::from_bytes([seed; 8], [seed.wrapping_add(1); 16]);
        Self(Side::Client(NtlmClient::with_random(config, random)))
    }

    pub fn client_with(config: NtlmClientConfig, random: ClientRandom) -> Self {
        Self(Side::Client(NtlmClient::with_random(config, random)))
    }

    pub fn server(password: &str) -> Self {
        let config = NtlmServerConfig::new("SRV", "TESTDOM", FileTime(0x01dc_0000_0000_0000));
        Self(Side::Server(Box::new(NtlmServer::with_server_challenge(
            config,
            store(password),
            [3; 8],
        ))))
    }

    pub fn replay_server(negotiate: &[u8], challenge: &[u8], password: &str) -> Self {
        let config = NtlmServerConfig::new("VM", "WORKSTATION", FileTime(0));
        let server = NtlmServer::resume(config, store(password), negotiate, challenge).unwrap();
        Self(Side::Replay {
            challenge: Some(challenge.to_vec()),
            server: Box::new(server),
        })
    }

    fn ctx(&mut self) -> Result<&mut ntlm::SecurityContext, MechError> {
        let ctx = match &mut self.0 {
            Side::Client(c) => c.context_mut(),
            Side::Server(s) => s.context_mut(),
            Side::Replay { server, .. } => server.context_mut(),
        };
        ctx.ok_or_else(|| MechError::new(MechErrorKind::Usage, "not established"))
    }

    fn ctx_ref(&self) -> Option<&ntlm::SecurityContext> {
        match &self.0 {
            Side::Client(c) => c.context(),
            Side::Server(s) => s.context(),
            Side::Replay { server, .. } => server.context(),
        }
    }
}

fn conv(step: Step) -> MechStep {
    match step {
        Step::Continue(t) => MechStep::Continue(t),
        Step::Complete(t) => MechStep::Complete(t),
        _ => unreachable!(),
    }
}

impl Mechanism for RawNtlm {
    fn oid(&self) -> ObjectIdentifier {
        NTLM_OID
    }

    fn step(&mut self, input: Option<&[u8]>) -> Result<MechStep, MechError> {
        match &mut self.0 {
            Side::Client(c) => c.step(input).map(conv).map_err(err),
            Side::Server(s) => s.step(input).map(conv).map_err(err),
            Side::Replay { challenge, server } => match challenge.take() {
                Some(ch) => Ok(MechStep::Continue(ch)),
                None => server.step(input).map(conv).map_err(err),
            },
        }
    }

    fn is_complete(&self) -> bool {
        self.ctx_ref().is_some()
    }

    fn wrap(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, MechError> {
        self.ctx()?.wrap(plaintext).map_err(integrity)
    }

    fn unwrap(&mut self, token: &[u8]) -> Result<SecretBytes, MechError> {
        self.ctx()?.unwrap(token).map_err(integrity)
    }

    fn get_mic(&mut self, message: &[u8]) -> Result<Vec<u8>, MechError> {
        self.ctx()?
            .get_mic(message)
            .map(|m| m.to_vec())
            .map_err(integrity)
    }

    fn verify_mic(&mut self, message: &[u8], mic: &[u8]) -> Result<(), MechError> {
        self.ctx()?.verify_mic(message, mic).map_err(integrity)
    }

    fn after_mech_list_mic(&mut self, direction: Direction) {
        if let Ok(c) = self.ctx() {
            match direction {
                Direction::Outbound => c.reset_outbound_seal_state(),
                Direction::Inbound => c.reset_inbound_seal_state(),
            }
        }
    }

    fn requires_mech_list_mic(&self) -> bool {
        self.ctx_ref().is_some_and(|c| c.mic_provided())
    }

    fn peer_identity(&self) -> Option<PeerIdentity> {
        match &self.0 {
            Side::Client(_) => None,
            _ => self.ctx_ref().map(|c| PeerIdentity {
                user: c.identity().user.clone(),
                domain: c.identity().domain.clone(),
                anonymous: c.identity().anonymous,
            }),
        }
    }
}

/// A mechanism with no security at all (wrap = identity), to test the
/// CredSSP binding logic alone: I1 -> A1 -> I2 (complete) -> accept.
#[derive(Debug)]
pub struct Null {
    initiator: bool,
    round: u8,
    complete: bool,
}

impl Null {
    pub fn initiator() -> Self {
        Self {
            initiator: true,
            round: 0,
            complete: false,
        }
    }
    pub fn acceptor() -> Self {
        Self {
            initiator: false,
            round: 0,
            complete: false,
        }
    }
}

impl Mechanism for Null {
    fn oid(&self) -> ObjectIdentifier {
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1")
    }
    fn step(&mut self, input: Option<&[u8]>) -> Result<MechStep, MechError> {
        self.round += 1;
        let bad = || MechError::new(MechErrorKind::Protocol, "unexpected null token");
        match (self.initiator, self.round, input) {
            (true, 1, None) => Ok(MechStep::Continue(b"I1".to_vec())),
            (true, 2, Some(b"A1")) => {
                self.complete = true;
                Ok(MechStep::Complete(Some(b"I2".to_vec())))
            }
            (false, 1, Some(b"I1")) => Ok(MechStep::Continue(b"A1".to_vec())),
            (false, 2, Some(b"I2")) => {
                self.complete = true;
                Ok(MechStep::Complete(None))
            }
            (false, _, Some(b"BADPASS")) => {
                Err(MechError::new(MechErrorKind::LogonFailure, "bad password"))
            }
            _ => Err(bad()),
        }
    }
    fn is_complete(&self) -> bool {
        self.complete
    }
    fn wrap(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, MechError> {
        Ok(plaintext.to_vec())
    }
    fn unwrap(&mut self, token: &[u8]) -> Result<SecretBytes, MechError> {
        Ok(SecretBytes::from_slice(token))
    }
    fn get_mic(&mut self, _: &[u8]) -> Result<Vec<u8>, MechError> {
        Ok(Vec::new())
    }
    fn verify_mic(&mut self, _: &[u8], _: &[u8]) -> Result<(), MechError> {
        Ok(())
    }
}

pub fn key_a() -> ServerPublicKey {
    ServerPublicKey::from_certificate_der(&cert_der("v6_tls13")).unwrap()
}

pub fn key_b() -> ServerPublicKey {
    ServerPublicKey::from_certificate_der(&cert_der("v5_client")).unwrap()
}

pub fn vectors(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name)
}

pub fn cert_der(name: &str) -> Vec<u8> {
    use x509_cert::der::DecodePem;
    let pem = std::fs::read_to_string(vectors(name).join("server_cert.pem")).unwrap();
    let cert = x509_cert::Certificate::from_pem(pem.as_bytes()).unwrap();
    x509_cert::der::Encode::to_der(&cert).unwrap()
}

pub fn hex_lines(path: std::path::PathBuf) -> Vec<Vec<u8>> {
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| hex::decode(l.trim()).unwrap())
        .collect()
}

/// The result of an in-memory run.
#[derive(Debug)]
pub struct Run {
    pub client_sent: Vec<Vec<u8>>,
    pub server_sent: Vec<Vec<u8>>,
    pub client_error: Option<Error>,
    pub server_error: Option<Error>,
    pub server_reply_on_failure: Option<Vec<u8>>,
    pub delegation: Option<Delegation>,
    pub client_finished: bool,
}

/// Drives a client and a server to the end, with a step limit, letting
/// `tamper` rewrite each message (`true` = from the client).
pub fn run_with(
    client: &mut CredSspClient,
    server: &mut CredSspServer,
    mut tamper: impl FnMut(bool, usize, Vec<u8>) -> Vec<u8>,
) -> Run {
    let mut run = Run {
        client_sent: vec![],
        server_sent: vec![],
        client_error: None,
        server_error: None,
        server_reply_on_failure: None,
        delegation: None,
        client_finished: false,
    };
    let mut next = match client.step(None) {
        ClientOutput::Send(b) => b,
        ClientOutput::Failed(e) => {
            run.client_error = Some(e);
            return run;
        }
        other => panic!("{other:?}"),
    };
    for _ in 0..10 {
        let msg = tamper(true, run.client_sent.len(), next);
        assert_eq!(credssp_core::frame_len(&msg).unwrap().unwrap(), msg.len());
        run.client_sent.push(msg.clone());
        let reply = match server.step(&msg) {
            ServerOutput::Send(b) => b,
            ServerOutput::Finished(d) => {
                run.delegation = Some(*d);
                return run;
            }
            ServerOutput::Failed { reply, error } => {
                run.server_error = Some(error);
                run.server_reply_on_failure = reply.clone();
                match reply {
                    Some(r) => r,
                    None => return run,
                }
            }
        };
        let reply = tamper(false, run.server_sent.len(), reply);
        run.server_sent.push(reply.clone());
        match client.step(Some(&reply)) {
            ClientOutput::Send(b) => next = b,
            ClientOutput::Finished(b) => {
                run.client_finished = true;
                next = b;
            }
            ClientOutput::Failed(e) => {
                run.client_error = Some(e);
                return run;
            }
        }
        if run.server_error.is_some() {
            return run;
        }
    }
    panic!("no end after 10 rounds");
}

pub fn run(client: &mut CredSspClient, server: &mut CredSspServer) -> Run {
    run_with(client, server, |_, _, m| m)
}

pub fn allow() -> SpnAllowList {
    SpnAllowList::new().allow("TERMSRV/*.example.com")
}

pub fn client_config(version: u32, min_version: u32) -> credssp_core::ClientConfig {
    let mut c = credssp_core::ClientConfig::new("TERMSRV/rdp.example.com", allow());
    c.version = version;
    c.min_version = min_version;
    c
}

pub fn server_config(version: u32, min_version: u32) -> credssp_core::ServerConfig {
    credssp_core::ServerConfig {
        version,
        min_version,
    }
}

pub fn nonce() -> [u8; 32] {
    let mut n = [0u8; 32];
    for (i, b) in n.iter_mut().enumerate() {
        *b = i as u8;
    }
    n
}

pub fn ntlm_secret_array(v: Vec<u8>) -> SecretArray<16> {
    SecretArray::new(v.try_into().unwrap())
}
