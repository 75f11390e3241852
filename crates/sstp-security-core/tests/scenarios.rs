//! The three scenarios of [MS-GRVSSTPS] §4 and identity registration,
//! simulated in memory; each asserts the exact command sequence of
//! Figures 7–9.

mod common;

use common::*;
use sstp_security_core::client::{AccountState, ClientEvent, ClientState};
use sstp_security_core::relay::{RelayEvent, RelayState};
use sstp_security_core::store::RelayStore;

#[test]
fn figure_7_new_account_and_device() {
    let f = fixture();
    let mut s = store();
    let (sim, c, r) = connect_once(&mut s, &f.device_a, &[&f.account], true);
    assert_eq!(
        lines(&sim),
        [
            "C> Connect[SecConnect]",
            "R> ConnectResponse(Ok)[SecConnectResponseDeviceRegistrationNeeded]",
            "C> Attach#1[SecAttach]",
            "R> AttachResponse#1(Ok)[SecAttachResponseAccountRegistrationNeeded]",
            "C> Register#1[SecDeviceAccountRegister:SecAccountRegister]",
            "R> RegisterResponse#1[SecDeviceAccountRegisterResponse:SecAccountRegisterResponse]",
            "R> AttachResponse#1(Ok)[SecAttachResponse]",
            "C> AttachAuthenticate#1[SecAttachAuthenticate]",
            "R> Close#1(NoReason)",
            "C> Register#2[SecIdentityRegister]",
            "R> RegisterResponse#2",
        ]
    );
    assert_eq!(c.account_state(ACCOUNT), Some(AccountState::Authenticated));
    assert_eq!(c.state(), ClientState::Connected);
    assert!(r.is_account_authenticated(ACCOUNT));
    assert_eq!(r.state(), RelayState::DeviceAuthenticated);
    assert!(sim.client_events.contains(&ClientEvent::Registered {
        account_url: ACCOUNT.into(),
        on_new_device: false
    }));
    assert!(
        sim.client_events
            .contains(&ClientEvent::IdentitiesRegistered {
                account_url: ACCOUNT.into()
            })
    );
    assert!(sim.relay_events.contains(&RelayEvent::Registered {
        device_url: DEVICE_A.into(),
        account_url: ACCOUNT.into(),
        on_new_device: false
    }));
    let acct = s.account(ACCOUNT).unwrap().unwrap();
    assert_eq!(acct.account_key.as_ref(), Some(&f.account.account_key));
    assert!(acct.device_urls.contains(DEVICE_A));
    assert_eq!(
        acct.identity_urls.iter().cloned().collect::<Vec<_>>(),
        [IDENTITY_1, IDENTITY_2]
    );
    let dev = s.device(DEVICE_A).unwrap().unwrap();
    assert_eq!(dev.device_key.as_ref(), Some(&f.device_a.device_key));
    assert_eq!(
        dev.public_keys_object.as_deref(),
        Some(f.device_a.keys.public_keys_object())
    );
    assert!(s.identity(IDENTITY_1).unwrap().is_some());
}

#[test]
fn figure_8_account_on_new_device() {
    let f = fixture();
    let mut s = registered_store();
    let (sim, _, r) = connect_once(&mut s, &f.device_b, &[&f.account], true);
    assert_eq!(
        lines(&sim),
        [
            "C> Connect[SecConnect]",
            "R> ConnectResponse(Ok)[SecConnectResponseDeviceRegistrationNeeded]",
            "C> Attach#1[SecAttach]",
            "R> AttachResponse#1(AwaitingRegister)[SecAttachResponseNewDeviceRegistrationNeeded]",
            "C> Register#1[SecDeviceAccountRegister:SecAccountOnNewDevice]",
            "R> RegisterResponse#1[SecDeviceAccountRegisterResponse:SecAccountRegisterResponse]",
            "R> AttachResponse#1(Ok)[SecAttachResponse]",
            "C> AttachAuthenticate#1[SecAttachAuthenticate]",
            "R> Close#1(NoReason)",
            "C> Register#2[SecIdentityRegister]",
            "R> RegisterResponse#2",
        ]
    );
    assert!(sim.client_events.contains(&ClientEvent::Registered {
        account_url: ACCOUNT.into(),
        on_new_device: true
    }));
    let acct = s.account(ACCOUNT).unwrap().unwrap();
    assert!(acct.device_urls.contains(DEVICE_A) && acct.device_urls.contains(DEVICE_B));
    assert_eq!(
        s.device(DEVICE_B).unwrap().unwrap().device_key.as_ref(),
        Some(&f.device_b.device_key)
    );
    assert!(r.is_account_authenticated(ACCOUNT));
}

#[test]
fn figure_9_reconnecting_client() {
    let f = fixture();
    let mut s = registered_store();
    let (sim, c, r) = connect_once(&mut s, &f.device_a, &[&f.account], true);
    assert_eq!(
        lines(&sim),
        [
            "C> Connect[SecConnect]",
            "R> ConnectResponse(Ok)[SecConnectResponse]",
            "C> ConnectAuthenticate[SecConnectAuthenticate]",
            "C> Attach#1[SecAttach]",
            "R> AttachResponse#1(Ok)[SecAttachResponse]",
            "C> AttachAuthenticate#1[SecAttachAuthenticate]",
            "R> Close#1(NoReason)",
            "C> Register#2[SecIdentityRegister]",
            "R> RegisterResponse#2",
        ]
    );
    assert_eq!(c.state(), ClientState::ConnectAuthenticated);
    assert_eq!(r.state(), RelayState::DeviceAuthenticated);
    assert!(sim.relay_events.contains(&RelayEvent::DeviceAuthenticated {
        device_url: DEVICE_A.into()
    }));
    assert!(
        sim.client_events
            .contains(&ClientEvent::AccountAuthenticated {
                account_url: ACCOUNT.into()
            })
    );
}

#[test]
fn identity_registration_adds_and_removes() {
    let f = fixture();
    let mut s = registered_store();
    // Pretend IDENTITY_OLD was registered earlier.
    s.update_identities(ACCOUNT, &[IDENTITY_OLD.into()], &[])
        .unwrap();
    assert!(s.identity(IDENTITY_OLD).unwrap().is_some());
    let (sim, _, _) = connect_once(&mut s, &f.device_a, &[&f.account], true);
    assert!(sim.relay_events.contains(&RelayEvent::IdentitiesUpdated {
        account_url: ACCOUNT.into(),
        added: vec![IDENTITY_1.into(), IDENTITY_2.into()],
        removed: vec![IDENTITY_OLD.into()],
    }));
    let acct = s.account(ACCOUNT).unwrap().unwrap();
    assert!(!acct.identity_urls.contains(IDENTITY_OLD));
    assert!(s.identity(IDENTITY_OLD).unwrap().is_none());
    assert_eq!(acct.identity_urls.len(), 2);
}

#[test]
fn two_accounts_on_one_connection_each_authenticate() {
    let f = fixture();
    let mut s = store();
    let (sim, c, r) = connect_once(&mut s, &f.device_a, &[&f.account, &f.account2], true);
    assert_eq!(c.account_state(ACCOUNT), Some(AccountState::Authenticated));
    assert_eq!(c.account_state(ACCOUNT2), Some(AccountState::Authenticated));
    assert!(r.is_account_authenticated(ACCOUNT) && r.is_account_authenticated(ACCOUNT2));
    // The second account's keys are RSA-encryption keys (note <3>).
    assert!(
        s.account(ACCOUNT2)
            .unwrap()
            .unwrap()
            .public_keys_object
            .is_some(),
        "{:?}",
        lines(&sim)
    );
    // A later connection authenticates both without registration.
    let (sim, _, r) = connect_once(&mut s, &f.device_a, &[&f.account, &f.account2], true);
    assert!(
        !lines(&sim)
            .iter()
            .any(|l| l.contains("SecDeviceAccountRegister"))
    );
    assert!(r.is_account_authenticated(ACCOUNT2));
}

#[test]
fn device_that_only_sends_data_connects_without_token() {
    let f = fixture();
    let mut s = registered_store();
    let (sim, c, r) = connect_once(&mut s, &f.device_a, &[], false);
    assert_eq!(lines(&sim), ["C> Connect", "R> ConnectResponse(Ok)"]);
    assert_eq!(c.state(), ClientState::Sending);
    assert_eq!(r.state(), RelayState::Connected);
    assert!(!r.is_device_authenticated());
}

#[test]
fn authentication_does_not_carry_over_between_connections() {
    let f = fixture();
    let mut s = registered_store();
    let mut c = client(&f.device_a, &[&f.account]);
    let mut r1 = relay();
    run(&mut c, &mut r1, &mut s, true, no_tamper);
    assert!(r1.is_account_authenticated(ACCOUNT));
    let r2 = relay();
    assert!(!r2.is_account_authenticated(ACCOUNT));
    assert!(!r2.is_device_authenticated());
}
