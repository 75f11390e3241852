//! sspi-rs baseline for `benches/benches/credssp.rs`: the same benchmark IDs
//! on the same inputs, so `cargo xtask bench` can print them side by side.
//!
//! * `credssp_tsrequest/decode_encode_v6_tls13`: `sspi::credssp::TsRequest`
//!   decode + encode of the five recorded pyspnego v6 messages.
//! * `credssp_handshake/v6_raw_ntlm_client_server`: a full in-memory CredSSP
//!   v6 handshake with raw NTLM (no SPNEGO), client and server built fresh
//!   each iteration, credentials delegated, bound to the recorded server key.

use std::hint::black_box;
use std::io;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sspi::credssp::{
    ClientMode, ClientState, CredSspClient, CredSspMode, CredSspServer, CredentialsProxy,
    ServerMode, ServerState, TsRequest,
};
use sspi::ntlm::NtlmConfig;
use sspi::{AuthIdentity, Credentials, Secret, Username};

/// The vectors our own bench reads (copies of `shared/peers/samples/v6_tls13`).
const SAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../crates/credssp-core/tests/vectors/v6_tls13"
);

fn messages() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for f in ["client_sent.hex", "server_sent.hex"] {
        let text = std::fs::read_to_string(format!("{SAMPLES}/{f}")).unwrap();
        out.extend(
            text.lines()
                .filter(|l| !l.is_empty())
                .map(|l| hex::decode(l).unwrap()),
        );
    }
    out
}

fn codec(c: &mut Criterion) {
    let msgs = messages();
    // Check once, outside the timing, that sspi round-trips every message.
    for m in &msgs {
        let req = TsRequest::from_buffer(m).expect("sspi decodes the sample");
        let mut der = Vec::with_capacity(m.len());
        req.encode_ts_request(&mut der).unwrap();
        assert_eq!(&der, m, "sspi re-encodes the sample byte for byte");
    }
    let total: usize = msgs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("credssp_tsrequest");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("decode_encode_v6_tls13", |b| {
        b.iter(|| {
            for m in &msgs {
                let req = TsRequest::from_buffer(black_box(m)).unwrap();
                let mut der = Vec::with_capacity(m.len());
                req.encode_ts_request(&mut der).unwrap();
                black_box(der);
            }
        })
    });
    g.finish();
}

/// The server's user store: one account, as in our bench.
#[derive(Debug)]
struct OneUser(AuthIdentity);

impl CredentialsProxy for OneUser {
    type AuthenticationData = AuthIdentity;

    fn auth_data_by_user(&mut self, username: &Username) -> io::Result<AuthIdentity> {
        if username
            .account_name()
            .eq_ignore_ascii_case(self.0.username.account_name())
        {
            Ok(self.0.clone())
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such user"))
        }
    }

    fn auth_data(&mut self) -> io::Result<Vec<AuthIdentity>> {
        Ok(vec![self.0.clone()])
    }
}

fn identity() -> AuthIdentity {
    AuthIdentity {
        username: Username::new("alice", Some("TESTDOM")).unwrap(),
        password: Secret::from("Passw0rd!".to_owned()),
    }
}

fn handshake_once(key: &[u8], identity: &AuthIdentity) {
    let ntlm = || NtlmConfig {
        client_computer_name: Some("WORKSTATION".to_owned()),
    };
    let mut client = CredSspClient::new(
        key.to_vec(),
        Credentials::AuthIdentity(identity.clone()),
        CredSspMode::WithCredentials,
        ClientMode::Ntlm(ntlm()),
        "TERMSRV/rdp.example.com".to_owned(),
    )
    .unwrap();
    let mut server = CredSspServer::new(
        key.to_vec(),
        OneUser(identity.clone()),
        ServerMode::Ntlm(ntlm()),
    )
    .unwrap();
    let mut ts_request = TsRequest::default();
    for _ in 0..5 {
        ts_request = match client.process(ts_request).resolve_to_result().unwrap() {
            ClientState::ReplyNeeded(r) | ClientState::FinalMessage(r) => r,
        };
        match server.process(ts_request).resolve_to_result() {
            Ok(ServerState::ReplyNeeded(r)) => ts_request = r,
            Ok(ServerState::Finished(who)) => {
                black_box(who);
                return;
            }
            Err(e) => panic!("sspi server: {:?}", e.error),
        }
    }
    panic!("sspi CredSSP handshake did not finish in 5 round trips");
}

fn handshake(c: &mut Criterion) {
    let key = std::fs::read(format!("{SAMPLES}/server_pubkey.der")).unwrap();
    let id = identity();
    let mut g = c.benchmark_group("credssp_handshake");
    g.throughput(Throughput::Elements(1));
    g.bench_function("v6_raw_ntlm_client_server", |b| {
        b.iter(|| handshake_once(black_box(&key), &id))
    });
    g.finish();
}

criterion_group!(benches, codec, handshake);
criterion_main!(benches);
