//! Full CredSSP v6 handshakes per second through `credssp-tls` on loopback:
//! our blocking client against our server (one thread accepting), TLS 1.3
//! with the pyspnego sample RSA-2048 certificate, raw NTLM and SPNEGO.
//! Each iteration is a new TCP connection, TLS handshake (no resumption),
//! NTLM exchange, pubKeyAuth binding and delegated password.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use credssp_core::{ClientConfig, Credentials, ServerConfig, SpnAllowList};
use credssp_tls::ClientSetup;
use credssp_tls::blocking::{Acceptor, connect};
use credssp_tls::mech::{ClientMechKind, ClientSecret, client_mechanism, server_mechanism};
use credssp_tls::tls::{CertPolicy, ServerIdentity, client_config};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/peers/samples/v6_tls13"
);
const SPN: &str = "TERMSRV/localhost";

fn handshakes(c: &mut Criterion) {
    let identity = ServerIdentity::from_pem_files(
        format!("{SAMPLE}/server_cert.pem").as_ref(),
        format!("{SAMPLE}/server_key.pem").as_ref(),
    )
    .unwrap();
    let acceptor = Acceptor::new(&identity, ServerConfig::default(), None).unwrap();
    let mut store = ntlm::InMemoryCredentialStore::new();
    store.insert_password("TESTDOM", "alice", &ntlm::Password::new("Passw0rd!"));
    let store: Arc<dyn ntlm::CredentialStore + Send + Sync> = Arc::new(store);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { break };
            let mech = server_mechanism(store.clone(), "SRV", "TESTDOM").unwrap();
            let _ = acceptor.accept(tcp, mech);
        }
    });
    let tls = client_config(&CertPolicy::Any).unwrap();
    let password = ntlm::Password::new("Passw0rd!");
    let mut g = c.benchmark_group("credssp_tls_handshake");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    for (name, kind) in [
        ("v6_raw_ntlm", ClientMechKind::RawNtlm),
        ("v6_spnego", ClientMechKind::Spnego),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let setup = ClientSetup {
                    config: ClientConfig::new(SPN, SpnAllowList::new().allow(SPN)),
                    credentials: Credentials::password("TESTDOM", "alice", "Passw0rd!"),
                    mechanism: client_mechanism(
                        "TESTDOM",
                        "alice",
                        ClientSecret::Password(&password),
                        SPN,
                        kind,
                    )
                    .unwrap(),
                };
                let tcp = TcpStream::connect(addr).unwrap();
                let summary = connect(tcp, tls.clone(), "localhost", None, setup).unwrap();
                assert_eq!(summary.version, Some(6));
            })
        });
    }
    g.finish();
}

criterion_group!(benches, handshakes);
criterion_main!(benches);
