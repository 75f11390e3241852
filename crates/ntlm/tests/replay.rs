//! `ntlm::replay`: the session security of recorded exchanges, rebuilt from
//! the three messages and the password, against the independent decoder's
//! plaintexts (`tests/vectors/ntlm/<sample>.md`).

mod common;

use common::Sample;
use ntlm::{ErrorKind, NtHash, Password, Role, replay};

const PASSWORD: &str = "Passw0rd!";

fn hash(password: &str) -> NtHash {
    NtHash::from_password(&Password::new(password))
}

fn plain(s: &Sample, label: &str) -> Vec<u8> {
    s.value(label)
}

/// FreeRDP's raw NTLMSSP: no mechListMIC, pubKeyAuth seq 0, authInfo seq 1.
#[test]
fn raw_ntlm_sample() {
    let s = Sample::load("xfreerdp_vs_pyspnego_rawblob");
    let (n, c, a) = (s.negotiate(), s.challenge(), s.authenticate());
    let mut server = replay::server_context(&n, &c, &a, &hash(PASSWORD)).unwrap();
    assert_eq!(server.role(), Role::Server);
    assert_eq!(server.identity().user, "alice");
    assert!(server.mic_provided());
    let pka = s.client[1].pub_key_auth.as_ref().unwrap();
    assert_eq!(
        server.unwrap(pka).unwrap().expose_secret(),
        &plain(&s, "client pubKeyAuth plaintext (seq 0)")[..]
    );
    let auth_info = s.client[2].auth_info.as_ref().unwrap();
    assert_eq!(
        server.unwrap(auth_info).unwrap().expose_secret(),
        &plain(&s, "authInfo plaintext (seq 1)")[..]
    );

    let mut client = replay::client_context(&n, &c, &a, &hash(PASSWORD)).unwrap();
    assert_eq!(client.role(), Role::Client);
    let spka = s.server[1].pub_key_auth.as_ref().unwrap();
    assert_eq!(
        client.unwrap(spka).unwrap().expose_secret(),
        &plain(&s, "server pubKeyAuth plaintext (seq 0)")[..]
    );
}

/// pyspnego's SPNEGO: the client's mechListMIC (seq 0) resets the RC4
/// handle, then pubKeyAuth is seq 1 and authInfo seq 2.
#[test]
fn spnego_sample() {
    let s = Sample::load("v6_tls13");
    let (n, c, a) = (s.negotiate(), s.challenge(), s.authenticate());
    let mut server = replay::server_context(&n, &c, &a, &hash(PASSWORD)).unwrap();
    let mech_types = s.client_spnego(0).mech_types_der.unwrap();
    let mic = s.client_spnego(1).mech_list_mic.unwrap();
    server.verify_mic(&mech_types, &mic).unwrap();
    server.reset_inbound_seal_state();
    let pka = s.client[1].pub_key_auth.as_ref().unwrap();
    assert_eq!(server.inbound_seq(), 1);
    assert_eq!(
        server.unwrap(pka).unwrap().expose_secret(),
        &plain(&s, "client pubKeyAuth plaintext (seq 1)")[..]
    );
    let auth_info = s.client[2].auth_info.as_ref().unwrap();
    let creds = server.unwrap(auth_info).unwrap();
    assert_eq!(
        creds.expose_secret(),
        &plain(&s, "authInfo plaintext (seq 2)")[..]
    );
}

#[test]
fn wrong_password_and_tampering() {
    let s = Sample::load("v6_tls13");
    let (n, c, a) = (s.negotiate(), s.challenge(), s.authenticate());
    let e = replay::server_context(&n, &c, &a, &hash("wrong")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NtProofMismatch);
    let e = replay::client_context(&n, &c, &a, &hash("wrong")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NtProofMismatch);
    // The MIC covers the NEGOTIATE: a different one is caught.
    let mut other = n.clone();
    *other.last_mut().unwrap() ^= 1;
    let e = replay::server_context(&other, &c, &a, &hash(PASSWORD)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MicMismatch);
    // Not an AUTHENTICATE.
    let e = replay::server_context(&n, &c, &c, &hash(PASSWORD)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedMessageType);
}
