//! In-memory client <-> server exchanges ([MS-CSSP] 3.1.5): every version
//! pair, every credential type, failures, downgrades, MITM, replay, tampering.

mod common;

use common::*;
use credssp_core::*;

#[derive(Clone, Copy, Debug)]
enum Mech {
    /// Raw NTLM (FreeRDP style): spnego's NtlmMechanism against its
    /// NegotiateAcceptor.
    RawNtlm,
    /// SPNEGO-wrapped NTLM (Windows / pyspnego style).
    Spnego,
    /// A SPNEGO client against the NegotiateAcceptor.
    SpnegoToNegotiate,
    /// The test-only adapter over the ntlm crate on both sides.
    TestAdapter,
}

const MECHS: [Mech; 4] = [
    Mech::RawNtlm,
    Mech::Spnego,
    Mech::SpnegoToNegotiate,
    Mech::TestAdapter,
];

type Boxed = Box<dyn spnego::Mechanism + Send>;

fn ntlm_initiator(pw: &str) -> Boxed {
    let mut config = ntlm::ClientConfig::new("alice", "TESTDOM", &ntlm::Password::new(pw));
    config.target_name = Some("TERMSRV/rdp.example.com".into());
    let random = ntlm::ClientRandom::from_bytes([9; 8], [10; 16]);
    Box::new(spnego::NtlmMechanism::initiator(
        ntlm::NtlmClient::with_random(config, random),
    ))
}

fn ntlm_acceptor() -> Boxed {
    let config = ntlm::ServerConfig::new("SRV", "TESTDOM", ntlm::FileTime(0x01dc_0000_0000_0000));
    Box::new(spnego::NtlmMechanism::acceptor(
        ntlm::NtlmServer::with_server_challenge(config, store("Passw0rd!"), [3; 8]),
    ))
}

fn mechs(kind: Mech, client_pw: &str) -> (Boxed, Boxed) {
    let spnego_client = || -> Boxed {
        Box::new(spnego::SpnegoInitiator::new(vec![ntlm_initiator(client_pw)]).unwrap())
    };
    let negotiate =
        || -> Boxed { Box::new(spnego::NegotiateAcceptor::new(vec![ntlm_acceptor()]).unwrap()) };
    match kind {
        Mech::RawNtlm => (ntlm_initiator(client_pw), negotiate()),
        Mech::Spnego => (
            spnego_client(),
            Box::new(spnego::SpnegoAcceptor::new(vec![ntlm_acceptor()]).unwrap()),
        ),
        Mech::SpnegoToNegotiate => (spnego_client(), negotiate()),
        Mech::TestAdapter => (
            Box::new(RawNtlm::client(client_pw, 9)),
            Box::new(RawNtlm::server("Passw0rd!")),
        ),
    }
}

fn endpoints(
    kind: Mech,
    client_pw: &str,
    (cv, cmin): (u32, u32),
    (sv, smin): (u32, u32),
    creds: Credentials,
) -> (CredSspClient, CredSspServer) {
    let (cm, sm) = mechs(kind, client_pw);
    let client =
        CredSspClient::with_nonce(client_config(cv, cmin), creds, cm, key_a(), nonce()).unwrap();
    let server = CredSspServer::new(server_config(sv, smin), sm, key_a()).unwrap();
    (client, server)
}

fn all_creds() -> Vec<Credentials> {
    vec![
        Credentials::password("TESTDOM", "alice", "Passw0rd!"),
        Credentials::restricted_admin(),
        Credentials::SmartCard(SmartCardCreds {
            pin: SecretString::new("1234"),
            csp_data: CspDataDetail {
                key_spec: 1,
                card_name: Some("Card".into()),
                reader_name: Some("Reader 0".into()),
                container_name: Some("le-container-é".into()),
                csp_name: Some("Microsoft Base Smart Card Crypto Provider".into()),
            },
            user_hint: Some("alice".into()),
            domain_hint: None,
        }),
        Credentials::RemoteGuard(RemoteGuardCreds {
            logon_cred: RemoteGuardPackageCred {
                package_name: "Kerberos".into(),
                cred_buffer: crypto_primitives::SecretBytes::from_slice(&[0xAB; 300]),
            },
            supplemental_creds: Some(vec![RemoteGuardPackageCred {
                package_name: "NTLM".into(),
                cred_buffer: crypto_primitives::SecretBytes::from_slice(&[1, 2, 3]),
            }]),
        }),
    ]
}

#[test]
fn every_version_pair_every_credential_type() {
    let mut runs = 0;
    for kind in MECHS {
        for cv in 2..=6 {
            for sv in 2..=6 {
                for creds in all_creds() {
                    let want = creds.dangerous_clone();
                    let (mut c, mut s) = endpoints(kind, "Passw0rd!", (cv, 2), (sv, 2), creds);
                    let r = run(&mut c, &mut s);
                    assert!(
                        r.client_error.is_none(),
                        "{kind:?} {cv}/{sv}: {:?}",
                        r.client_error
                    );
                    assert!(
                        r.server_error.is_none(),
                        "{kind:?} {cv}/{sv}: {:?}",
                        r.server_error
                    );
                    assert!(r.client_finished);
                    let d = r.delegation.expect("delegated");
                    assert_eq!(d.credentials, want);
                    assert_eq!(d.version, cv.min(sv));
                    assert_eq!(c.negotiated_version(), Some(cv.min(sv)));
                    assert_eq!(s.state(), ServerState::Finished);
                    assert_eq!(c.state(), ClientState::Finished);
                    let peer = d.peer.unwrap();
                    assert_eq!(
                        (peer.domain.as_str(), peer.user.as_str()),
                        ("TESTDOM", "alice")
                    );
                    // Our version is constant in every message we send.
                    for m in &r.client_sent {
                        assert_eq!(TsRequest::from_der(m).unwrap().version, cv);
                    }
                    for m in &r.server_sent {
                        assert_eq!(TsRequest::from_der(m).unwrap().version, sv);
                    }
                    // The binding message: nonce iff the negotiated version is 5+.
                    let pka = r
                        .client_sent
                        .iter()
                        .map(|m| TsRequest::from_der(m).unwrap())
                        .find(|m| m.pub_key_auth.is_some())
                        .unwrap();
                    assert!(
                        pka.nego_tokens.is_some(),
                        "pubKeyAuth rides with the last token"
                    );
                    assert_eq!(pka.client_nonce.is_some(), cv.min(sv) >= 5);
                    runs += 1;
                }
            }
        }
    }
    assert_eq!(runs, MECHS.len() * 25 * 4);
}

#[test]
fn pre_v5_binding_is_plus_one_and_v5_is_the_hash() {
    // With the Null mechanism the pubKeyAuth plaintexts are visible.
    for (v, hashed) in [(2, false), (4, false), (5, true), (6, true)] {
        let mut c = CredSspClient::with_nonce(
            client_config(v, 2),
            Credentials::password("D", "u", "p"),
            Box::new(Null::initiator()),
            key_a(),
            nonce(),
        )
        .unwrap();
        let mut s =
            CredSspServer::new(server_config(v, 2), Box::new(Null::acceptor()), key_a()).unwrap();
        let r = run(&mut c, &mut s);
        assert!(r.delegation.is_some(), "v{v}: {r:?}");
        let client_pka = TsRequest::from_der(&r.client_sent[1])
            .unwrap()
            .pub_key_auth
            .unwrap();
        let server_pka = TsRequest::from_der(&r.server_sent[1])
            .unwrap()
            .pub_key_auth
            .unwrap();
        let spk = key_a().subject_public_key().to_vec();
        if hashed {
            assert_eq!(
                client_pka.as_bytes(),
                crypto_primitives::client_server_binding_hash(&nonce(), &spk)
            );
            assert_eq!(
                server_pka.as_bytes(),
                crypto_primitives::server_client_binding_hash(&nonce(), &spk)
            );
        } else {
            assert_eq!(client_pka.as_bytes(), spk);
            let mut plus = spk.clone();
            plus[0] = plus[0].wrapping_add(1);
            assert_eq!(server_pka.as_bytes(), plus);
        }
    }
}

#[test]
fn wrong_password_error_code_or_close() {
    for kind in MECHS {
        for v in 2..=6 {
            let (mut c, mut s) = endpoints(
                kind,
                "wrong",
                (v, 2),
                (v, 2),
                Credentials::password("TESTDOM", "alice", "wrong"),
            );
            let r = run(&mut c, &mut s);
            let se = r.server_error.expect("server refuses");
            assert!(
                matches!(&se.kind, ErrorKind::Mechanism(m) if m.kind == spnego::MechErrorKind::LogonFailure),
                "{se}"
            );
            assert!(r.delegation.is_none() && !r.client_finished);
            if matches!(v, 3 | 4 | 6) {
                let reply =
                    TsRequest::from_der(r.server_reply_on_failure.as_ref().unwrap()).unwrap();
                assert_eq!(reply.error_code, Some(NtStatus::STATUS_LOGON_FAILURE));
                assert_eq!(reply.version, v);
                let ce = r.client_error.expect("client stops on errorCode");
                assert_eq!(ce.peer_status(), Some(NtStatus::STATUS_LOGON_FAILURE));
                assert!(
                    ce.to_string().contains("STATUS_LOGON_FAILURE (0xC000006D)"),
                    "{ce}"
                );
                assert_eq!(c.state(), ClientState::Failed);
            } else {
                assert!(
                    r.server_reply_on_failure.is_none(),
                    "v{v} has no errorCode: close"
                );
            }
        }
    }
}

#[test]
fn downgrade_is_refused_by_default() {
    for kind in MECHS {
        // Server minimum 5, client 4 (which knows errorCode): STATUS_NOT_SUPPORTED.
        let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
        let (mut c, mut s) = endpoints(kind, "Passw0rd!", (4, 2), (6, DEFAULT_MIN_VERSION), creds);
        let r = run(&mut c, &mut s);
        let se = r.server_error.unwrap();
        assert_eq!(
            se.kind,
            ErrorKind::VersionTooLow {
                peer: 4,
                minimum: 5
            }
        );
        assert!(se.to_string().contains("downgrade refused"));
        let reply = TsRequest::from_der(r.server_reply_on_failure.as_ref().unwrap()).unwrap();
        assert_eq!(reply.error_code, Some(NtStatus::STATUS_NOT_SUPPORTED));
        assert_eq!(
            r.client_error.unwrap().peer_status(),
            Some(NtStatus::STATUS_NOT_SUPPORTED)
        );
        assert_eq!(r.client_sent.len(), 1);

        // Client 2 against a minimum-5 server: no errorCode at v2, close.
        let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
        let (mut c, mut s) = endpoints(kind, "Passw0rd!", (2, 2), (6, 5), creds);
        let r = run(&mut c, &mut s);
        assert!(matches!(
            r.server_error.unwrap().kind,
            ErrorKind::VersionTooLow { peer: 2, .. }
        ));
        assert!(r.server_reply_on_failure.is_none());

        // Client minimum 5 (default), server 3: the client refuses before
        // anything but its first token leaves.
        let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
        let (mut c, mut s) = endpoints(kind, "Passw0rd!", (6, DEFAULT_MIN_VERSION), (3, 2), creds);
        let r = run(&mut c, &mut s);
        let ce = r.client_error.unwrap();
        assert_eq!(
            ce.kind,
            ErrorKind::VersionTooLow {
                peer: 3,
                minimum: 5
            }
        );
        assert_eq!(ce.section, "[MS-CSSP-Diff] 3.1.5");
        assert_eq!(r.client_sent.len(), 1);
        assert!(r.delegation.is_none());
    }
    // Defaults are 6 / 5.
    let c = credssp_core::ClientConfig::new("TERMSRV/x", SpnAllowList::new());
    assert_eq!((c.version, c.min_version), (6, 5));
    let s = credssp_core::ServerConfig::default();
    assert_eq!((s.version, s.min_version), (6, 5));
}

#[test]
fn invalid_configs_are_refused() {
    for (v, min) in [(7, 5), (1, 1), (6, 1), (4, 5)] {
        let e = CredSspServer::new(server_config(v, min), Box::new(Null::acceptor()), key_a())
            .unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Config(_)), "{v}/{min}");
    }
}

#[test]
fn man_in_the_middle_key_detected_by_server() {
    for kind in MECHS {
        for v in [2, 4, 5, 6] {
            let (cm, sm) = mechs(kind, "Passw0rd!");
            let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
            // The client saw key B (the MITM's TLS certificate); the server owns A.
            let mut c = CredSspClient::with_nonce(client_config(v, 2), creds, cm, key_b(), nonce())
                .unwrap();
            let mut s = CredSspServer::new(server_config(v, 2), sm, key_a()).unwrap();
            let r = run(&mut c, &mut s);
            let se = r.server_error.unwrap();
            assert_eq!(se.kind, ErrorKind::PublicKeyMismatch, "v{v}");
            assert_eq!(se.field, Some("pubKeyAuth"));
            assert!(r.delegation.is_none() && !r.client_finished);
        }
    }
}

/// A MITM server that does not check the client's binding and answers for
/// its own key: the client detects it before sending credentials.
#[test]
fn man_in_the_middle_key_detected_by_client() {
    for v in [2, 3, 5, 6] {
        let mut c = CredSspClient::with_nonce(
            client_config(v, 2),
            Credentials::password("TESTDOM", "alice", "Passw0rd!"),
            Box::new(Null::initiator()),
            key_a(),
            nonce(),
        )
        .unwrap();
        let mut s =
            CredSspServer::new(server_config(v, 2), Box::new(Null::acceptor()), key_b()).unwrap();
        // The server would refuse the binding; the MITM rewrites the client's
        // pubKeyAuth for key B so the server (the attacker) goes on.
        let spk_b = key_b().subject_public_key().to_vec();
        let r = run_with(&mut c, &mut s, |from_client, i, msg| {
            if from_client && i == 1 {
                let mut req = TsRequest::from_der(&msg).unwrap();
                let plain = if v >= 5 {
                    crypto_primitives::client_server_binding_hash(&nonce(), &spk_b).to_vec()
                } else {
                    spk_b.clone()
                };
                req.pub_key_auth = Some(asn1_types::der::asn1::OctetString::new(plain).unwrap());
                req.to_der().unwrap()
            } else {
                msg
            }
        });
        let ce = r.client_error.expect("client detects");
        assert_eq!(ce.kind, ErrorKind::PublicKeyMismatch, "v{v}");
        assert_eq!(ce.section, "[MS-CSSP] 3.1.5 step 5");
        assert!(!r.client_finished);
        assert_eq!(r.client_sent.len(), 2, "no authInfo left the client");
    }
}

/// The server echoes the client's own pubKeyAuth back.
#[test]
fn replayed_client_pub_key_auth_is_rejected() {
    for kind in MECHS {
        for v in [2, 4, 5, 6] {
            let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
            let (mut c, mut s) = endpoints(kind, "Passw0rd!", (v, 2), (v, 2), creds);
            let mut client_pka = None;
            let r = run_with(&mut c, &mut s, |from_client, i, msg| {
                let mut req = TsRequest::from_der(&msg).unwrap();
                if from_client && i == 1 {
                    client_pka = req.pub_key_auth.clone();
                    msg
                } else if !from_client && i == 1 {
                    req.pub_key_auth = client_pka.clone();
                    req.to_der().unwrap()
                } else {
                    msg
                }
            });
            let ce = r.client_error.expect("replay rejected");
            assert_eq!(ce.field, Some("pubKeyAuth"), "{ce}");
            assert!(!r.client_finished);
        }
    }
    // Without a mechanism that tells directions apart, the binding itself
    // (first byte + 1, or the other magic) rejects the echo.
    for v in [2, 5, 6] {
        let mut c = CredSspClient::with_nonce(
            client_config(v, 2),
            Credentials::password("D", "u", "p"),
            Box::new(Null::initiator()),
            key_a(),
            nonce(),
        )
        .unwrap();
        let mut s =
            CredSspServer::new(server_config(v, 2), Box::new(Null::acceptor()), key_a()).unwrap();
        let mut client_pka = None;
        let r = run_with(&mut c, &mut s, |from_client, i, msg| {
            let mut req = TsRequest::from_der(&msg).unwrap();
            if from_client && i == 1 {
                client_pka = req.pub_key_auth.clone();
            } else if !from_client && i == 1 {
                req.pub_key_auth = client_pka.clone();
            }
            req.to_der().unwrap()
        });
        assert_eq!(
            r.client_error.unwrap().kind,
            ErrorKind::PublicKeyMismatch,
            "v{v}"
        );
    }
}

#[test]
fn tampered_auth_info_is_rejected() {
    for kind in MECHS {
        let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
        let (mut c, mut s) = endpoints(kind, "Passw0rd!", (6, 5), (6, 5), creds);
        let r = run_with(&mut c, &mut s, |from_client, i, msg| {
            let mut req = TsRequest::from_der(&msg).unwrap();
            if from_client && i == 2 {
                let mut a = req.auth_info.unwrap().as_bytes().to_vec();
                let last = a.len() - 1;
                a[last] ^= 0x01;
                req.auth_info = Some(asn1_types::der::asn1::OctetString::new(a).unwrap());
            }
            req.to_der().unwrap()
        });
        let se = r.server_error.unwrap();
        assert_eq!(se.field, Some("authInfo"));
        assert!(matches!(se.kind, ErrorKind::Mechanism(_)), "{se}");
        assert!(r.delegation.is_none());
    }
}

#[test]
fn tampered_pub_key_auth_is_rejected() {
    for kind in MECHS {
        let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
        let (mut c, mut s) = endpoints(kind, "Passw0rd!", (6, 5), (6, 5), creds);
        let r = run_with(&mut c, &mut s, |from_client, i, msg| {
            let mut req = TsRequest::from_der(&msg).unwrap();
            if from_client && i == 1 {
                let mut a = req.pub_key_auth.unwrap().as_bytes().to_vec();
                a[20] ^= 0x80;
                req.pub_key_auth = Some(asn1_types::der::asn1::OctetString::new(a).unwrap());
            }
            req.to_der().unwrap()
        });
        assert_eq!(r.server_error.unwrap().field, Some("pubKeyAuth"));
    }
}

#[test]
fn missing_or_short_nonce_is_refused_at_v5() {
    let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
    let (mut c, mut s) = endpoints(Mech::RawNtlm, "Passw0rd!", (6, 5), (6, 5), creds);
    let r = run_with(&mut c, &mut s, |from_client, i, msg| {
        let mut req = TsRequest::from_der(&msg).unwrap();
        if from_client && i == 1 {
            req.client_nonce = Some(asn1_types::der::asn1::OctetString::new(vec![0; 16]).unwrap());
        }
        req.to_der().unwrap()
    });
    let se = r.server_error.unwrap();
    assert_eq!(se.field, Some("clientNonce"));
    assert!(matches!(se.kind, ErrorKind::InvalidField(_)));
}

#[test]
fn delegation_policy_is_checked_before_anything_leaves() {
    let config = credssp_core::ClientConfig::new(
        "TERMSRV/evil.example.org",
        SpnAllowList::new().allow("TERMSRV/*.example.com"),
    );
    let err = CredSspClient::with_nonce(
        config,
        Credentials::password("TESTDOM", "alice", "Passw0rd!"),
        Box::new(RawNtlm::client("Passw0rd!", 1)),
        key_a(),
        nonce(),
    )
    .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::DelegationRefused {
            target: "TERMSRV/evil.example.org".into()
        }
    );
    assert_eq!(err.section, "[MS-CSSP] 3.1.1");
    assert!(!err.to_string().contains("Passw0rd"));
}

#[test]
fn client_stops_at_once_on_any_error_code() {
    let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
    let (mut c, _) = endpoints(Mech::RawNtlm, "Passw0rd!", (6, 5), (6, 5), creds);
    let ClientOutput::Send(_) = c.step(None) else {
        panic!()
    };
    // pyspnego's answer to a bad password: an HRESULT.
    let bytes = hex::decode("300da003020106a4060204 8009030c".replace(' ', "")).unwrap();
    let ClientOutput::Failed(e) = c.step(Some(&bytes)) else {
        panic!()
    };
    assert_eq!(e.peer_status(), Some(NtStatus::SEC_E_LOGON_DENIED));
    assert!(e.to_string().contains("SEC_E_LOGON_DENIED"));
    assert_eq!(e.origin(), Origin::Peer);
    let ClientOutput::Failed(e) = c.step(Some(&bytes)) else {
        panic!()
    };
    assert!(matches!(e.kind, ErrorKind::Usage(_)));
}

#[test]
fn peer_version_must_stay_constant() {
    let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
    let (mut c, mut s) = endpoints(Mech::RawNtlm, "Passw0rd!", (6, 2), (6, 2), creds);
    let r = run_with(&mut c, &mut s, |from_client, i, msg| {
        let mut req = TsRequest::from_der(&msg).unwrap();
        if from_client && i == 1 {
            req.version = 5;
        }
        req.to_der().unwrap()
    });
    assert_eq!(
        r.server_error.unwrap().kind,
        ErrorKind::VersionChanged { first: 6, now: 5 }
    );
}

#[test]
fn malformed_input_fails_without_reply() {
    for bad in [
        &b""[..],
        b"\x30\x00",
        b"\x31\x03\x02\x01\x06",
        b"\x30\x05\xa0\x03\x02\x01",
    ] {
        let mut s = CredSspServer::new(
            server_config(6, 5),
            Box::new(RawNtlm::server("Passw0rd!")),
            key_a(),
        )
        .unwrap();
        let ServerOutput::Failed { reply, error } = s.step(bad) else {
            panic!()
        };
        assert!(reply.is_none());
        assert_eq!(error.origin(), Origin::Peer);
    }
}

#[test]
fn large_ts_requests_frame_and_decode() {
    // A 70 000-byte negoToken: beyond sspi-rs's 64 KiB cap.
    let mut req = TsRequest::new(6);
    req.nego_tokens = Some(vec![
        asn1_types::NegoDataItem::new(vec![0x4e; 70_000]).unwrap(),
    ]);
    let der = req.to_der().unwrap();
    assert!(frame_len(&der[..1]).is_none());
    assert_eq!(frame_len(&der[..5]).unwrap().unwrap(), der.len());
    assert!(
        frame_len(b"\x04\x06\x00\x00\x00\x00\x00\x00")
            .unwrap()
            .is_err()
    );
    let mut s = CredSspServer::new(
        server_config(6, 5),
        Box::new(RawNtlm::server("Passw0rd!")),
        key_a(),
    )
    .unwrap();
    // Decodes fine; NTLM refuses the token (at v6 with an errorCode).
    let ServerOutput::Failed { reply, error } = s.step(&der) else {
        panic!()
    };
    assert!(matches!(error.kind, ErrorKind::Mechanism(_)), "{error}");
    assert!(reply.is_some());
}

#[test]
fn secrets_are_redacted_also_nested() {
    for creds in all_creds() {
        let dbg = format!("{creds:?} {:#?}", creds);
        assert!(!dbg.contains("Passw0rd"), "{dbg}");
        assert!(!dbg.contains("1234"), "{dbg}");
        assert!(!dbg.contains("171, 171"), "{dbg}");
    }
    let c = CredSspClient::with_nonce(
        client_config(6, 5),
        Credentials::password("TESTDOM", "alice", "Passw0rd!"),
        Box::new(RawNtlm::client("Passw0rd!", 1)),
        key_a(),
        nonce(),
    )
    .unwrap();
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("Passw0rd"), "{dbg}");
    assert!(!dbg.contains("0, 1, 2, 3"), "nonce leaked: {dbg}");
}

#[test]
fn certificate_keys_rsa_and_ec() {
    let k = key_a();
    assert_eq!(k.algorithm(), &KeyAlgorithm::Rsa);
    let der = std::fs::read(vectors("v6_tls13").join("server_pubkey.der")).unwrap();
    assert_eq!(k.subject_public_key(), &der[..]);
    // An EC (P-256) self-signed certificate (openssl req -x509 -newkey ec).
    let ec = hex::decode(EC_CERT).unwrap();
    let k = ServerPublicKey::from_certificate_der(&ec).unwrap();
    assert_eq!(k.algorithm(), &KeyAlgorithm::Ec);
    assert_eq!(k.subject_public_key().len(), 65);
    assert_eq!(k.subject_public_key()[0], 0x04);
    assert!(
        ServerPublicKey::from_certificate_der(&der).is_err(),
        "a bare key is not a certificate"
    );
    let raw = ServerPublicKey::from_raw_subject_public_key(&der).unwrap();
    assert_eq!(raw.subject_public_key(), &der[..]);
    assert!(ServerPublicKey::from_raw_subject_public_key(&[]).is_err());
}

const EC_CERT: &str = include_str!("vectors/ec_cert.hex");
