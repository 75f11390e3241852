//! Our client against our server over real TLS on 127.0.0.1: blocking and
//! async drivers, SPNEGO and raw NTLM, RDP framing (HYBRID and HYBRID_EX),
//! wrong password (errorCode), certificate pinning, version policy.

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use credssp_core::{ClientConfig, Credentials, ServerConfig, SpnAllowList};
use credssp_tls::blocking::{Acceptor, connect};
use credssp_tls::mech::{ClientMechKind, ClientSecret, client_mechanism, server_mechanism};
use credssp_tls::rdp::{self, ConnectionRequest};
use credssp_tls::tls::{CertPolicy, ServerIdentity, client_config, fingerprint};
use credssp_tls::{ClientSetup, Error, RdpClient, RdpServer, ServerSummary};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/peers/samples/v6_tls13"
);
const SPN: &str = "TERMSRV/localhost";

fn identity() -> ServerIdentity {
    ServerIdentity::from_pem_files(
        format!("{SAMPLE}/server_cert.pem").as_ref(),
        format!("{SAMPLE}/server_key.pem").as_ref(),
    )
    .unwrap()
}

fn store() -> Arc<dyn ntlm::CredentialStore + Send + Sync> {
    let mut s = ntlm::InMemoryCredentialStore::new();
    s.insert_password("TESTDOM", "alice", &ntlm::Password::new("Passw0rd!"));
    Arc::new(s)
}

fn setup(password: &str, kind: ClientMechKind, version: u32) -> ClientSetup {
    let pw = ntlm::Password::new(password);
    let mut config = ClientConfig::new(SPN, SpnAllowList::new().allow(SPN));
    config.version = version;
    config.min_version = 2;
    ClientSetup {
        config,
        credentials: Credentials::password("TESTDOM", "alice", password),
        mechanism: client_mechanism("TESTDOM", "alice", ClientSecret::Password(&pw), SPN, kind)
            .unwrap(),
    }
}

fn tcp_pair() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    (l, addr)
}

fn timed(s: TcpStream) -> TcpStream {
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

fn run_blocking(
    acceptor: Acceptor,
    policy: CertPolicy,
    rdp: Option<RdpClient>,
    client: ClientSetup,
) -> (
    Result<credssp_tls::ClientSummary, Error>,
    Result<ServerSummary, Error>,
) {
    let (listener, addr) = tcp_pair();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        acceptor.accept(
            timed(tcp),
            server_mechanism(store(), "SRV", "TESTDOM").unwrap(),
        )
    });
    let tcp = timed(TcpStream::connect(&addr).unwrap());
    let c = connect(
        tcp,
        client_config(&policy).unwrap(),
        "localhost",
        rdp.as_ref(),
        client,
    );
    (c, server.join().unwrap())
}

fn delegated_password(s: &ServerSummary) -> String {
    match &s.delegation.credentials {
        Credentials::Password(p) => {
            format!("{}\\{}:{}", p.domain, p.user, p.password.expose_secret())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn blocking_matrix() {
    for kind in [ClientMechKind::Spnego, ClientMechKind::RawNtlm] {
        for version in [2, 3, 5, 6] {
            let config = ServerConfig {
                version: 6,
                min_version: 2,
            };
            let acceptor = Acceptor::new(&identity(), config, None).unwrap();
            let (c, s) = run_blocking(
                acceptor,
                CertPolicy::Any,
                None,
                setup("Passw0rd!", kind, version),
            );
            let c = c.unwrap_or_else(|e| panic!("{kind:?} v{version}: {e}"));
            let s = s.unwrap();
            assert_eq!(c.version, Some(version));
            assert_eq!(s.delegation.version, version);
            assert_eq!(delegated_password(&s), "TESTDOM\\alice:Passw0rd!");
            assert_eq!(c.server_cert_sha256, fingerprint(identity().certificate()));
        }
    }
}

#[test]
fn rdp_hybrid_and_hybrid_ex() {
    for (offer, allow_ex, selected) in [
        (
            rdp::PROTOCOL_SSL | rdp::PROTOCOL_HYBRID,
            true,
            rdp::PROTOCOL_HYBRID,
        ),
        (
            rdp::PROTOCOL_HYBRID | rdp::PROTOCOL_HYBRID_EX,
            true,
            rdp::PROTOCOL_HYBRID_EX,
        ),
        (
            rdp::PROTOCOL_HYBRID | rdp::PROTOCOL_HYBRID_EX,
            false,
            rdp::PROTOCOL_HYBRID,
        ),
    ] {
        let acceptor = Acceptor::new(
            &identity(),
            ServerConfig::default(),
            Some(RdpServer {
                allow_hybrid_ex: allow_ex,
            }),
        )
        .unwrap();
        let rdp = RdpClient {
            request: ConnectionRequest::new("alice", offer),
        };
        let (c, s) = run_blocking(
            acceptor,
            CertPolicy::Any,
            Some(rdp),
            setup("Passw0rd!", ClientMechKind::Spnego, 6),
        );
        let c = c.unwrap();
        let s = s.unwrap();
        assert_eq!(c.selected_protocol, Some(selected));
        assert_eq!(s.selected_protocol, Some(selected));
        assert_eq!(s.rdp_cookie.as_deref(), Some("Cookie: mstshash=alice"));
        let ex = (selected == rdp::PROTOCOL_HYBRID_EX).then_some(rdp::AUTHZ_SUCCESS);
        assert_eq!(c.early_user_authorization, ex);
    }
    // A client that only offers TLS gets RDP_NEG_FAILURE.
    let acceptor = Acceptor::new(
        &identity(),
        ServerConfig::default(),
        Some(RdpServer::default()),
    )
    .unwrap();
    let rdp = RdpClient {
        request: ConnectionRequest::new("alice", rdp::PROTOCOL_SSL),
    };
    let (c, s) = run_blocking(
        acceptor,
        CertPolicy::Any,
        Some(rdp),
        setup("Passw0rd!", ClientMechKind::Spnego, 6),
    );
    assert!(
        matches!(c, Err(Error::Rdp(ref m)) if m.contains("RDP_NEG_FAILURE code 5")),
        "{c:?}"
    );
    assert!(s.is_err());
}

#[test]
fn wrong_password_gets_error_code_at_v6() {
    let acceptor = Acceptor::new(&identity(), ServerConfig::default(), None).unwrap();
    let (c, s) = run_blocking(
        acceptor,
        CertPolicy::Any,
        None,
        setup("wrong", ClientMechKind::Spnego, 6),
    );
    let e = c.unwrap_err();
    let status = e
        .credssp()
        .and_then(|e| e.peer_status())
        .unwrap_or_else(|| panic!("{e}"));
    assert!(
        status.to_string().contains("STATUS_LOGON_FAILURE"),
        "{status}"
    );
    assert!(s.is_err());
}

#[test]
fn wrong_password_closes_at_v5() {
    let acceptor = Acceptor::new(&identity(), ServerConfig::default(), None).unwrap();
    let (c, _) = run_blocking(
        acceptor,
        CertPolicy::Any,
        None,
        setup("wrong", ClientMechKind::RawNtlm, 5),
    );
    assert!(matches!(c, Err(Error::Closed { .. })), "{c:?}");
}

#[test]
fn pinning_and_roots() {
    let good = fingerprint(identity().certificate());
    let acceptor = Acceptor::new(&identity(), ServerConfig::default(), None).unwrap();
    let (c, _) = run_blocking(
        acceptor,
        CertPolicy::PinSha256(good),
        None,
        setup("Passw0rd!", ClientMechKind::Spnego, 6),
    );
    assert!(c.is_ok(), "{c:?}");
    let acceptor = Acceptor::new(&identity(), ServerConfig::default(), None).unwrap();
    let (c, s) = run_blocking(
        acceptor,
        CertPolicy::PinSha256([0; 32]),
        None,
        setup("Passw0rd!", ClientMechKind::Spnego, 6),
    );
    assert!(matches!(c, Err(Error::Tls(_))), "{c:?}");
    assert!(s.is_err());
    // The sample certificate is not a CA for "localhost": WebPKI refuses it.
    let roots = credssp_tls::tls::load_roots(format!("{SAMPLE}/server_cert.pem").as_ref()).unwrap();
    let acceptor = Acceptor::new(&identity(), ServerConfig::default(), None).unwrap();
    let (c, _) = run_blocking(
        acceptor,
        CertPolicy::Roots(roots),
        None,
        setup("Passw0rd!", ClientMechKind::Spnego, 6),
    );
    assert!(matches!(c, Err(Error::Tls(_))), "{c:?}");
}

#[test]
fn server_refuses_downgrade_below_its_minimum() {
    let acceptor = Acceptor::new(&identity(), ServerConfig::default(), None).unwrap();
    let (c, s) = run_blocking(
        acceptor,
        CertPolicy::Any,
        None,
        setup("Passw0rd!", ClientMechKind::Spnego, 3),
    );
    assert!(c.is_err());
    let e = s.unwrap_err();
    assert!(e.to_string().contains("downgrade refused"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_drivers() {
    for kind in [ClientMechKind::Spnego, ClientMechKind::RawNtlm] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = Acceptor::new(
            &identity(),
            ServerConfig::default(),
            Some(RdpServer {
                allow_hybrid_ex: true,
            }),
        )
        .unwrap();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            acceptor
                .accept_async(tcp, server_mechanism(store(), "SRV", "TESTDOM").unwrap())
                .await
        });
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let rdp = RdpClient {
            request: ConnectionRequest::new(
                "alice",
                rdp::PROTOCOL_HYBRID | rdp::PROTOCOL_HYBRID_EX,
            ),
        };
        let c = tokio::time::timeout(
            Duration::from_secs(20),
            credssp_tls::asynch::connect(
                tcp,
                client_config(&CertPolicy::Any).unwrap(),
                "localhost",
                Some(&rdp),
                setup("Passw0rd!", kind, 6),
            ),
        )
        .await
        .unwrap()
        .unwrap();
        let s = tokio::time::timeout(Duration::from_secs(20), server)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(c.early_user_authorization, Some(rdp::AUTHZ_SUCCESS));
        assert_eq!(delegated_password(&s), "TESTDOM\\alice:Passw0rd!");
        assert!(!format!("{s:?}").contains("Passw0rd!"));
    }
}

#[test]
fn no_session_resumption_and_tls12() {
    let id = identity();
    let server = credssp_tls::tls::server_config(&id).unwrap();
    assert_eq!(server.send_tls13_tickets, 0);
    assert!(!server.session_storage.can_cache());
    assert!(!server.ticketer.enabled());
    // A TLS 1.2-only client completes CredSSP against our server.
    let (listener, addr) = tcp_pair();
    let acceptor = Acceptor::new(&id, ServerConfig::default(), None).unwrap();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        acceptor.accept(
            timed(tcp),
            server_mechanism(store(), "SRV", "TESTDOM").unwrap(),
        )
    });
    let tls12 =
        credssp_tls::tls::client_config_with_versions(&CertPolicy::Any, &[&rustls::version::TLS12])
            .unwrap();
    let tcp = timed(TcpStream::connect(&addr).unwrap());
    let c = connect(
        tcp,
        tls12,
        "localhost",
        None,
        setup("Passw0rd!", ClientMechKind::Spnego, 6),
    )
    .unwrap();
    assert!(c.tls.starts_with("TLSv1.2"), "{}", c.tls);
    assert!(server.join().unwrap().unwrap().tls.starts_with("TLSv1.2"));
}
