//! One test per failure branch of [MS-GRVSSTPS] 3.2.5 and 3.3.5, each
//! asserting the exact response command and reason.

mod common;

use common::*;
use sstp_security_core::client::{AccountState, ClientEvent, ClientState};
use sstp_security_core::relay::{RelayEngine, RelayIo, RelayOptions, RelayState};
use sstp_security_core::store::{DeviceRecord, RelayStore};
use sstp_wire::{
    AnsiStr, Attach, AttachAuthenticate, Command, ConnectAuthenticate, ConnectResponse,
    ConnectResponseFields, ConnectResponseId, ConnectResponseTrailer,
    SecConnectResponseDeviceRegistrationNeeded,
};

fn flip_last(mut b: Vec<u8>) -> Vec<u8> {
    if let Some(x) = b.last_mut() {
        *x ^= 0x01;
    }
    b
}

/// Flips one byte of the first occurrence of `needle` in `b`.
fn flip_in(mut b: Vec<u8>, needle: &[u8]) -> Vec<u8> {
    let at = b.windows(needle.len()).position(|w| w == needle).unwrap();
    b[at + needle.len() / 2] ^= 0x01;
    b
}

fn sim_with(
    device: &std::sync::Arc<sstp_security_core::client::DeviceObject>,
    account: &std::sync::Arc<sstp_security_core::client::AccountObject>,
    store: &mut sstp_security_core::store::MemoryStore,
    options: RelayOptions,
    tamper: impl FnMut(Dir, &str, Vec<u8>) -> Option<Vec<u8>>,
) -> (Sim, sstp_security_core::client::ClientEngine, RelayEngine) {
    let mut c = client(device, &[account]);
    let mut r = RelayEngine::new(options);
    let sim = run(&mut c, &mut r, store, true, tamper);
    (sim, c, r)
}

/// [`sim_with`] for device A and `account` under the default relay
/// options: what most tests vary is only the store and the tamper.
fn sim_default(
    store: &mut sstp_security_core::store::MemoryStore,
    tamper: impl FnMut(Dir, &str, Vec<u8>) -> Option<Vec<u8>>,
) -> (Sim, sstp_security_core::client::ClientEngine, RelayEngine) {
    let f = fixture();
    sim_with(
        &f.device_a,
        &f.account,
        store,
        RelayOptions::default(),
        tamper,
    )
}

/// A tamper that replaces each command going `dir` whose description
/// starts with `prefix` by `change(command)` and passes the rest.
fn edit(
    dir: Dir,
    prefix: &'static str,
    change: impl Fn(Vec<u8>) -> Vec<u8> + Copy,
) -> impl Fn(Dir, &str, Vec<u8>) -> Option<Vec<u8>> + Copy {
    move |d, n, b| {
        Some(if d == dir && n.starts_with(prefix) {
            change(b)
        } else {
            b
        })
    }
}

/// The command with the major version of its security token broken.
fn bad_token_version(b: Vec<u8>) -> Vec<u8> {
    let at = token_offset(&b);
    bad_version(b, at)
}

fn has(sim: &Sim, line: &str) -> bool {
    lines(sim).iter().any(|l| l == line)
}

// ---- relay, 3.3.5.1 SecConnect -------------------------------------------

#[test]
fn wrong_device_key_gets_connect_response_authentication_failed() {
    let f = fixture();
    let mut s = registered_store();
    let (sim, c, _) = sim_with(
        &f.device_a_impostor,
        &f.account,
        &mut s,
        RelayOptions::default(),
        no_tamper,
    );
    assert_eq!(
        lines(&sim),
        [
            "C> Connect[SecConnect]",
            "R> ConnectResponse(AuthenticationFailed)[SecConnectResponseAuthenticationFailed]",
            "C> ConnectClose(DeviceAuthenticationFailed)",
        ]
    );
    assert_eq!(c.state(), ClientState::AuthenticationFailed);
}

#[test]
fn tampered_sec_connect_hmac_gets_authentication_failed() {
    let f = fixture();
    let mut s = registered_store();
    let fp = *f.relay.fingerprint();
    let _ = fp;
    let (sim, _, r) = sim_default(&mut s, |d, n, b| {
        // The HMAC sits 20 bytes before the encrypted nonce (24 + 2) and the
        // two trailing product strings ("sstp-security-core client\0\0").
        if d == Dir::ToRelay && n == "Connect[SecConnect]" {
            let tail = "sstp-security-core client".len() + 2;
            let mut b = b;
            let at = b.len() - tail - 24 - 2 - 5;
            b[at] ^= 1;
            return Some(b);
        }
        Some(b)
    });
    assert!(has(
        &sim,
        "R> ConnectResponse(AuthenticationFailed)[SecConnectResponseAuthenticationFailed]"
    ));
    assert_eq!(r.state(), RelayState::Closed);
}

#[test]
fn unregistered_device_gets_registration_needed_with_ok() {
    let f = fixture();
    let mut s = store();
    let mut r = relay();
    let mut c = client(&f.device_a, &[&f.account]);
    let connect = c.connect(&mut rng(9), true).unwrap().send.remove(0);
    let mut rr = rng(3);
    let out = r
        .handle(
            &mut RelayIo {
                identity: &f.relay,
                store: &mut s,
                rng: &mut rr,
                now: NOW,
            },
            &connect,
        )
        .unwrap();
    assert_eq!(
        describe(&out.send[0]),
        "ConnectResponse(Ok)[SecConnectResponseDeviceRegistrationNeeded]"
    );
}

#[test]
fn device_with_empty_account_list_gets_authentication_failed() {
    let f = fixture();
    let mut s = store();
    s.put_device(DeviceRecord {
        device_url: DEVICE_A.into(),
        device_key: Some(f.device_a.device_key.dangerous_clone()),
        public_keys_object: Some(f.device_a.keys.public_keys_object().to_vec()),
        account_urls: Default::default(),
    });
    let (sim, _, _) = sim_default(&mut s, no_tamper);
    assert_eq!(
        lines(&sim)[1],
        "R> ConnectResponse(AuthenticationFailed)[SecConnectResponseAuthenticationFailed]"
    );
}

fn bad_version(b: Vec<u8>, token_start: usize) -> Vec<u8> {
    let mut b = b;
    b[token_start] = 2; // MajorVersionNumber 2
    b
}

fn token_offset(bytes: &[u8]) -> usize {
    match Command::parse(bytes).unwrap() {
        Command::Connect(c) => c.token_offset(),
        Command::ConnectAuthenticate(_) => ConnectAuthenticate::TOKEN_OFFSET,
        Command::Attach(a) => a.token_offset(),
        Command::AttachAuthenticate(_) => AttachAuthenticate::TOKEN_OFFSET,
        other => panic!("{other:?}"),
    }
}

#[test]
fn sec_connect_version_mismatch_normative_and_note_11() {
    let f = fixture();
    let tamper = |d: Dir, n: &str, b: Vec<u8>| {
        if d == Dir::ToRelay && n == "Connect[SecConnect]" {
            let at = token_offset(&b);
            return Some(bad_version(b, at));
        }
        Some(b)
    };
    let mut s = registered_store();
    let (sim, _, _) = sim_default(&mut s, tamper);
    assert_eq!(
        lines(&sim)[1],
        "R> ConnectResponse(AuthenticationFailed)[SecConnectResponseAuthenticationFailed]"
    );
    let mut s = registered_store();
    let (sim, _, _) = sim_with(
        &f.device_a,
        &f.account,
        &mut s,
        RelayOptions::groove_server(),
        tamper,
    );
    assert_eq!(
        lines(&sim)[1],
        "R> ConnectResponse(Ok)[SecConnectResponseDeviceRegistrationNeeded]"
    );
}

// ---- relay, 3.3.5.2 SecConnectAuthenticate -------------------------------

#[test]
fn wrong_connect_authenticate_nonce_gets_stale_connect_authenticate() {
    let mut s = registered_store();
    let (sim, _, r) = sim_default(&mut s, edit(Dir::ToRelay, "ConnectAuthenticate", flip_last));
    assert!(has(&sim, "R> ConnectClose(StaleConnectAuthenticate)"));
    assert_eq!(r.state(), RelayState::Closed);
}

#[test]
fn malformed_connect_authenticate_gets_stale_connect_authenticate() {
    let mut s = registered_store();
    let (sim, _, _) = sim_default(
        &mut s,
        edit(Dir::ToRelay, "ConnectAuthenticate", bad_token_version),
    );
    assert!(has(&sim, "R> ConnectClose(StaleConnectAuthenticate)"));
}

#[test]
fn replayed_connect_authenticate_is_a_protocol_error_unless_note_10() {
    let f = fixture();
    for (opts, expect_close) in [
        (RelayOptions::default(), true),
        (RelayOptions::groove_server(), false),
    ] {
        let mut s = registered_store();
        let mut saved = None;
        let mut c = client(&f.device_a, &[&f.account]);
        let mut r = RelayEngine::new(opts);
        run(&mut c, &mut r, &mut s, true, |d, n, b| {
            if d == Dir::ToRelay && n.starts_with("ConnectAuthenticate") {
                saved = Some(b.clone());
            }
            Some(b)
        });
        let mut rr = rng(4);
        let out = r
            .handle(
                &mut RelayIo {
                    identity: &f.relay,
                    store: &mut s,
                    rng: &mut rr,
                    now: NOW,
                },
                &saved.unwrap(),
            )
            .unwrap();
        if expect_close {
            assert_eq!(describe(&out.send[0]), "ConnectClose(ProtocolError)");
        } else {
            assert!(out.send.is_empty());
            assert_eq!(r.state(), RelayState::DeviceAuthenticated);
        }
    }
}

#[test]
fn connect_authenticate_before_challenge_is_a_protocol_error() {
    let f = fixture();
    let mut s = store();
    let mut c = client(&f.device_a, &[&f.account]);
    let mut r = relay();
    let sim = run(&mut c, &mut r, &mut s, true, |d, n, b| {
        if d == Dir::ToRelay && n.starts_with("Attach#") {
            // Send a ConnectAuthenticate although the device was never challenged.
            let tok = [1u8, 3, 3, 24, 0]
                .iter()
                .copied()
                .chain([0u8; 24])
                .collect::<Vec<_>>();
            return Some(
                Command::ConnectAuthenticate(ConnectAuthenticate {
                    authentication_token: &tok,
                })
                .to_vec()
                .unwrap(),
            );
        }
        Some(b)
    });
    assert!(has(&sim, "R> ConnectClose(ProtocolError)"));
}

#[test]
fn command_before_connect_is_a_protocol_error() {
    let f = fixture();
    let mut s = store();
    let mut r = relay();
    let attach = Command::Attach(Attach {
        event_id: 1,
        resource_url: AnsiStr::new(RELAY_URL.as_bytes()).unwrap(),
        account_url: AnsiStr::new(ACCOUNT.as_bytes()).unwrap(),
        authentication_token: &[],
    })
    .to_vec()
    .unwrap();
    let mut rr = rng(5);
    let out = r
        .handle(
            &mut RelayIo {
                identity: &f.relay,
                store: &mut s,
                rng: &mut rr,
                now: NOW,
            },
            &attach,
        )
        .unwrap();
    assert_eq!(describe(&out.send[0]), "ConnectClose(ProtocolError)");
    assert!(out.close_connection);
    // Garbage bytes are a protocol error too; a closed engine stays silent.
    let mut r = relay();
    let out = r
        .handle(
            &mut RelayIo {
                identity: &f.relay,
                store: &mut s,
                rng: &mut rr,
                now: NOW,
            },
            &[0x01, 0x02, 0x00],
        )
        .unwrap();
    assert_eq!(describe(&out.send[0]), "ConnectClose(ProtocolError)");
    let out = r
        .handle(
            &mut RelayIo {
                identity: &f.relay,
                store: &mut s,
                rng: &mut rr,
                now: NOW,
            },
            &attach,
        )
        .unwrap();
    assert!(out.send.is_empty());
}

// ---- relay, 3.3.5.3 SecAttach --------------------------------------------

#[test]
fn wrong_account_key_gets_attach_response_authentication_failed() {
    let f = fixture();
    let mut s = registered_store();
    let (sim, c, _) = sim_with(
        &f.device_a,
        &f.account_impostor,
        &mut s,
        RelayOptions::default(),
        no_tamper,
    );
    assert!(
        has(
            &sim,
            "R> AttachResponse#1(Other(2))[SecAttachResponseAuthenticationFailed]"
        ),
        "{:?}",
        lines(&sim)
    );
    // 3.2.5.4: the client closes the connection.
    assert!(has(&sim, "C> ConnectClose(UserAuthenticationFailed)"));
    assert_eq!(
        c.account_state(ACCOUNT),
        Some(AccountState::AuthenticationFailed)
    );
}

#[test]
fn malformed_sec_attach_gets_attach_rejected() {
    let mut s = registered_store();
    let (sim, _, _) = sim_default(&mut s, edit(Dir::ToRelay, "Attach#", bad_token_version));
    assert!(has(
        &sim,
        "R> AttachResponse#1(Other(1))[SecAttachResponseAuthenticationFailed]"
    ));
}

#[test]
fn account_registration_needed_response_id_follows_the_option() {
    let f = fixture();
    let mut s = store();
    s.add_user(PRE_AUTH, ACCOUNT);
    let (sim, _, _) = sim_with(
        &f.device_a,
        &f.account,
        &mut s,
        RelayOptions::groove_server(),
        no_tamper,
    );
    assert!(has(
        &sim,
        "R> AttachResponse#1(AwaitingRegister)[SecAttachResponseAccountRegistrationNeeded]"
    ));
}

// ---- relay, 3.3.5.4 SecAttachAuthenticate --------------------------------

#[test]
fn wrong_attach_authenticate_nonce_gets_attach_rejected() {
    let mut s = registered_store();
    let (sim, _, r) = sim_default(
        &mut s,
        edit(Dir::ToRelay, "AttachAuthenticate", |b| {
            let at = token_offset(&b) + 5; // first byte of RelayAccountNonce
            let mut b = b;
            b[at] ^= 1;
            b
        }),
    );
    assert!(has(
        &sim,
        "R> AttachResponse#1(Other(1))[SecAttachResponseAuthenticationFailed]"
    ));
    assert!(!r.is_account_authenticated(ACCOUNT));
}

#[test]
fn wrong_device_nonce_in_attach_authenticate_normative_and_note_12() {
    let f = fixture();
    let tamper = edit(Dir::ToRelay, "AttachAuthenticate", flip_last);
    let mut s = registered_store();
    let (sim, _, r) = sim_default(&mut s, tamper);
    assert!(has(
        &sim,
        "R> AttachResponse#1(Other(1))[SecAttachResponseAuthenticationFailed]"
    ));
    assert!(!r.is_account_authenticated(ACCOUNT));
    // Note <12>: no SecDeviceAccountRegisterResponse on this connection, so
    // the device nonce is not checked.
    let mut s = registered_store();
    let (sim, _, r) = sim_with(
        &f.device_a,
        &f.account,
        &mut s,
        RelayOptions::groove_server(),
        tamper,
    );
    assert!(has(&sim, "R> Close#1(NoReason)"));
    assert!(r.is_account_authenticated(ACCOUNT));
}

#[test]
fn malformed_attach_authenticate_gets_stale_attach_authenticate() {
    let mut s = registered_store();
    let (sim, _, _) = sim_default(
        &mut s,
        edit(Dir::ToRelay, "AttachAuthenticate", bad_token_version),
    );
    assert!(has(&sim, "R> Close#1(StaleAttachAuthenticate)"));
}

#[test]
fn attach_authenticate_out_of_order_gets_close() {
    let mut s = registered_store();
    let (sim, _, _) = sim_default(&mut s, |d, n, b| {
        if d == Dir::ToRelay && n.starts_with("Attach#") {
            let tok = [1u8, 4, 3, 24, 0]
                .iter()
                .copied()
                .chain([0u8; 24])
                .chain([24, 0])
                .chain([0u8; 24])
                .collect::<Vec<_>>();
            return Some(
                Command::AttachAuthenticate(AttachAuthenticate {
                    event_id: 1,
                    authentication_token: &tok,
                })
                .to_vec()
                .unwrap(),
            );
        }
        Some(b)
    });
    assert!(has(&sim, "R> Close#1(ProtocolError)"));
}

// ---- relay, 3.3.5.5 registration -----------------------------------------

#[test]
fn unknown_pre_auth_token_gets_close_user_authentication_failed() {
    let mut s = sstp_security_core::store::MemoryStore::new(); // no user record
    let (sim, c, _) = sim_default(&mut s, no_tamper);
    assert!(has(&sim, "R> Close#1(UserAuthenticationFailed)"));
    assert_eq!(
        c.account_state(ACCOUNT),
        Some(AccountState::RegistrationFailed)
    );
    assert!(
        s.account(ACCOUNT).unwrap().is_none(),
        "nothing half-registered"
    );
    assert!(s.device(DEVICE_A).unwrap().is_none());
}

#[test]
fn pre_auth_token_of_another_account_is_refused() {
    let mut s = sstp_security_core::store::MemoryStore::new();
    s.add_user(PRE_AUTH, ACCOUNT2);
    let (sim, _, _) = sim_default(&mut s, no_tamper);
    assert!(has(&sim, "R> Close#1(UserAuthenticationFailed)"));
}

#[test]
fn tampered_device_signature_gets_close_device_authentication_failed() {
    let mut s = store();
    let (sim, _, _) = sim_default(
        &mut s, // The last 24 bytes are the encrypted device nonce, covered by the
        // device signature.
        edit(Dir::ToRelay, "Register#1", flip_last),
    );
    assert!(has(&sim, "R> Close#1(DeviceAuthenticationFailed)"));
    assert!(s.account(ACCOUNT).unwrap().is_none());
}

#[test]
fn tampered_account_signature_gets_close_device_authentication_failed() {
    let f = fixture();
    let mut s = store();
    let pko = f.account.keys.public_keys_object().to_vec();
    let (sim, _, _) = sim_default(
        &mut s, // Flipping a byte of the RSA modulus inside the account public keys
        // object breaks the account signature check.
        edit(Dir::ToRelay, "Register#1", |b| flip_in(b, &pko[20..60])),
    );
    assert!(
        has(&sim, "R> Close#1(DeviceAuthenticationFailed)"),
        "{:?}",
        lines(&sim)
    );
}

#[test]
fn wrong_fingerprint_gets_close_device_authentication_failed() {
    let f = fixture();
    let mut s = store();
    let fp = f.relay.fingerprint().to_vec();
    let (sim, _, _) = sim_default(
        &mut s,
        edit(Dir::ToRelay, "Register#1", |b| flip_in(b, &fp)),
    );
    assert!(has(&sim, "R> Close#1(DeviceAuthenticationFailed)"));
}

#[test]
fn account_on_new_device_with_wrong_account_key_gets_user_authentication_failed() {
    let f = fixture();
    let mut s = registered_store();
    let (sim, _, _) = sim_with(
        &f.device_b,
        &f.account_impostor,
        &mut s,
        RelayOptions::default(),
        no_tamper,
    );
    assert!(has(
        &sim,
        "C> Register#1[SecDeviceAccountRegister:SecAccountOnNewDevice]"
    ));
    assert!(has(&sim, "R> Close#1(UserAuthenticationFailed)"));
    assert!(s.device(DEVICE_B).unwrap().is_none());
}

fn dev_reg_needed_response() -> Vec<u8> {
    let tok = SecConnectResponseDeviceRegistrationNeeded {
        minor_version: sstp_wire::MinorVersion::V4,
    }
    .to_vec()
    .unwrap();
    Command::ConnectResponse(ConnectResponse {
        major_version: 1,
        minor_version: 5,
        response_id: ConnectResponseId::Ok,
        authentication_token: &tok,
        trailer: ConnectResponseTrailer::Fields(ConnectResponseFields::default()),
    })
    .to_vec()
    .unwrap()
}

#[test]
fn device_re_registration_with_another_key_gets_device_authentication_failed() {
    // 3.3.5.5.1 step 9: DEVICE_A is registered; an impostor with DEVICE_A's
    // URL registers a new account with its own device key.
    let f = fixture();
    let mut s = registered_store();
    s.add_user(PRE_AUTH, ACCOUNT2);
    let mut c = client(&f.device_a_impostor, &[&f.account2]);
    let mut r = relay();
    let sim = run(
        &mut c,
        &mut r,
        &mut s,
        true,
        // Make the impostor believe the device is unknown.
        edit(Dir::ToClient, "ConnectResponse", |_| {
            dev_reg_needed_response()
        }),
    );
    assert!(has(
        &sim,
        "C> Register#1[SecDeviceAccountRegister:SecAccountRegister]"
    ));
    assert!(
        has(&sim, "R> Close#1(DeviceAuthenticationFailed)"),
        "{:?}",
        lines(&sim)
    );
    assert!(
        s.account(ACCOUNT2).unwrap().is_none(),
        "no half-registered account"
    );
}

#[test]
fn malformed_register_normative_close_and_note_13_ignore() {
    let f = fixture();
    let tamper = edit(Dir::ToRelay, "Register#1", |b| {
        let mut b = b;
        b[9] = 2; // SecDeviceAccountRegister major version
        b
    });
    let mut s = store();
    let (sim, _, _) = sim_default(&mut s, tamper);
    assert!(has(&sim, "R> Close#1(ProtocolError)"));
    let mut s = store();
    let (sim, _, _) = sim_with(
        &f.device_a,
        &f.account,
        &mut s,
        RelayOptions::groove_server(),
        tamper,
    );
    assert_eq!(lines(&sim).last().unwrap(), "C> Register#1[<bad token>]");
}

// ---- relay, 3.3.5.6 identity registration ---------------------------------

#[test]
fn tampered_identity_register_hmac_gets_close_protocol_error() {
    let mut s = registered_store();
    s.update_identities(ACCOUNT, &[], &[IDENTITY_1.into(), IDENTITY_2.into()])
        .unwrap();
    let (sim, c, _) = sim_default(
        &mut s,
        edit(Dir::ToRelay, "Register#2", |b| {
            // Register header (9) + SecIdentityRegister header (3) +
            // Timestamp (4) + AccountURL + NUL + HMACLength (2): the HMAC.
            let at = 9 + 3 + 4 + ACCOUNT.len() + 1 + 2;
            let mut b = b;
            b[at] ^= 1;
            b
        }),
    );
    assert!(has(&sim, "R> Close#2(ProtocolError)"), "{:?}", lines(&sim));
    assert_eq!(c.account_state(ACCOUNT), Some(AccountState::Authenticated));
    assert!(
        s.account(ACCOUNT)
            .unwrap()
            .unwrap()
            .identity_urls
            .is_empty()
    );
}

// ---- client, 3.2.5 ---------------------------------------------------------

#[test]
fn client_rejects_tampered_sec_connect_response() {
    let mut s = registered_store();
    let (sim, c, _) = sim_default(
        &mut s,
        edit(
            Dir::ToClient,
            "ConnectResponse(Ok)[SecConnectResponse]",
            |b| {
                let mut b = b;
                b[20] ^= 1; // inside the IV
                b
            },
        ),
    );
    assert_eq!(
        lines(&sim).last().unwrap(),
        "C> ConnectClose(DeviceAuthenticationFailed)"
    );
    assert_eq!(c.state(), ClientState::Disconnected);
}

#[test]
fn client_rejects_tampered_sec_attach_response_with_close() {
    let mut s = registered_store();
    let (sim, c, _) = sim_default(&mut s, |d, n, b| {
        Some(
            if d == Dir::ToClient && n.ends_with("[SecAttachResponse]") {
                flip_last(b)
            } else {
                b
            },
        )
    });
    assert_eq!(
        lines(&sim).last().unwrap(),
        "C> Close#1(UserAuthenticationFailed)"
    );
    assert_eq!(
        c.account_state(ACCOUNT),
        Some(AccountState::AuthenticationFailed)
    );
}

#[test]
fn client_rejects_tampered_register_response_with_close() {
    let mut s = store();
    let (sim, c, _) = sim_default(&mut s, edit(Dir::ToClient, "RegisterResponse#1", flip_last));
    assert!(
        has(&sim, "C> Close#1(DeviceAuthenticationFailed)"),
        "{:?}",
        lines(&sim)
    );
    assert_eq!(
        c.account_state(ACCOUNT),
        Some(AccountState::RegistrationFailed)
    );
    assert!(sim.client_events.iter().any(|e| matches!(
        e,
        ClientEvent::Failed {
            section: "[MS-GRVSSTPS] 3.2.5.8",
            ..
        }
    )));
}

#[test]
fn client_treats_out_of_order_messages_as_protocol_violations() {
    let f = fixture();
    let mut s = registered_store();
    // An AttachResponse for a session the client never opened.
    let (sim, c, _) = sim_default(
        &mut s,
        edit(Dir::ToClient, "AttachResponse#1", |b| {
            let mut b = b;
            b[3] = 0x7f; // EventId
            b
        }),
    );
    assert_eq!(
        lines(&sim).last().unwrap(),
        "C> ConnectClose(ProtocolError)"
    );
    assert_eq!(c.state(), ClientState::Disconnected);
    // A second ConnectResponse.
    let mut c = client(&f.device_a, &[&f.account]);
    let mut cr = rng(7);
    c.connect(&mut cr, true).unwrap();
    let out = c.handle(&mut cr, NOW, &dev_reg_needed_response()).unwrap();
    assert_eq!(describe(&out.send[0]), "Attach#1[SecAttach]");
    let out = c.handle(&mut cr, NOW, &dev_reg_needed_response()).unwrap();
    assert_eq!(describe(&out.send[0]), "ConnectClose(ProtocolError)");
    // Garbage.
    let mut c = client(&f.device_a, &[&f.account]);
    c.connect(&mut cr, true).unwrap();
    let out = c.handle(&mut cr, NOW, &[0x02, 0x01, 0x00]).unwrap();
    assert_eq!(describe(&out.send[0]), "ConnectClose(ProtocolError)");
}
