//! [MS-CSSP] benches: TSRequest decode + encode of the recorded pyspnego
//! v6 messages, and a full in-memory v6 raw-NTLM handshake (client +
//! server, credentials delegated).
//!
//! sspi-rs is measured on the same benchmark IDs and inputs by the separate
//! workspace `benches/baselines/sspi/` (its own Cargo graph, because every
//! sspi 0.22/0.23 release pins `rsa = "=0.10.0-rc.18"`, which cannot coexist
//! with the workspace's `rsa 0.10.0`). `cargo xtask bench [--quick] credssp`
//! runs both in the same run and prints them side by side.

use credssp_core::{
    ClientConfig, ClientOutput, CredSspClient, CredSspServer, Credentials, ServerConfig,
    ServerOutput, ServerPublicKey, SpnAllowList,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const SAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/credssp-core/tests/vectors/v6_tls13"
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
    let total: usize = msgs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("credssp_tsrequest");
    g.throughput(Throughput::Bytes(total as u64));
    // The zero-copy form a caller on the hot path uses: decode borrowing
    // the OCTET STRINGs, re-encode into a fresh Vec (sspi-rs decodes into
    // its owned struct and encodes into a Vec).
    g.bench_function("decode_encode_v6_tls13", |b| {
        b.iter(|| {
            for m in &msgs {
                let req = asn1_types::TsRequestRef::from_der(black_box(m)).unwrap();
                black_box(req.encode_to_vec().unwrap());
            }
        })
    });
    g.finish();
}

fn handshake_once(key: &ServerPublicKey, seed: u8) {
    let mut config = ntlm::ClientConfig::new("alice", "TESTDOM", &ntlm::Password::new("Passw0rd!"));
    config.target_name = Some("TERMSRV/rdp.example.com".into());
    let random = ntlm::ClientRandom::from_bytes([seed; 8], [seed ^ 0x5a; 16]);
    let cm = Box::new(spnego::NtlmMechanism::initiator(
        ntlm::NtlmClient::with_random(config, random),
    ));
    let mut store = ntlm::InMemoryCredentialStore::new();
    store.insert_password("TESTDOM", "alice", &ntlm::Password::new("Passw0rd!"));
    let sc = ntlm::ServerConfig::new("SRV", "TESTDOM", ntlm::FileTime(0x01dc_0000_0000_0000));
    let sm = Box::new(spnego::NtlmMechanism::acceptor(
        ntlm::NtlmServer::with_server_challenge(sc, store, [seed; 8]),
    ));
    let cc = ClientConfig::new(
        "TERMSRV/rdp.example.com",
        SpnAllowList::new().allow("TERMSRV/*.example.com"),
    );
    let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
    let mut client = CredSspClient::with_nonce(cc, creds, cm, key.clone(), [seed; 32]).unwrap();
    let mut server = CredSspServer::new(ServerConfig::default(), sm, key.clone()).unwrap();
    let ClientOutput::Send(mut msg) = client.step(None) else {
        panic!()
    };
    loop {
        match server.step(&msg) {
            ServerOutput::Send(reply) => match client.step(Some(&reply)) {
                ClientOutput::Send(m) | ClientOutput::Finished(m) => msg = m,
                ClientOutput::Failed(e) => panic!("{e}"),
            },
            ServerOutput::Finished(d) => {
                black_box(d);
                return;
            }
            ServerOutput::Failed { error, .. } => panic!("{error}"),
        }
    }
}

fn handshake(c: &mut Criterion) {
    let spk = std::fs::read(format!("{SAMPLES}/server_pubkey.der")).unwrap();
    let key = ServerPublicKey::from_raw_subject_public_key(&spk).unwrap();
    let mut g = c.benchmark_group("credssp_handshake");
    g.throughput(Throughput::Elements(1));
    let mut seed = 0u8;
    g.bench_function("v6_raw_ntlm_client_server", |b| {
        b.iter(|| {
            seed = seed.wrapping_add(1);
            handshake_once(&key, seed)
        })
    });
    g.finish();
}

criterion_group!(benches, codec, handshake);
criterion_main!(benches);
