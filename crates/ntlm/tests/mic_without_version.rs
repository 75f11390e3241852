//! The MIC without VERSION ([MS-NLMP] 2.2.1.3): a client that does not
//! negotiate NTLMSSP_NEGOTIATE_VERSION may leave out the VERSION slot and put
//! the MIC at offset 64 (pyspnego does when the CHALLENGE lacks the flag). Our
//! acceptor must find it there, verify it, and reject tampering and layouts
//! whose payload overlaps the MIC.

use ntlm::crypto::mic;
use ntlm::{
    AuthenticateMessage, ClientConfig, ClientRandom, ErrorKind, FileTime, InMemoryCredentialStore,
    NegotiateFlags, NtlmClient, NtlmServer, Password, ServerConfig, Step,
};

/// pyspnego 0.12.4 `spnego.client("TESTDOM\\alice", "Passw0rd!",
/// hostname="127.0.0.1", service="TERMSRV", protocol="ntlm")`.
const NEGOTIATE: &str =
    "4e544c4d5353500001000000378208e200000000280000000000000028000000000c04000000000f";
/// Our `NtlmServer` (version `None`) answering it: no NTLMSSP_NEGOTIATE_VERSION.
const CHALLENGE: &[&str] = &[
    "4e544c4d5353500002000000060006003000000035828ae0112233445566778800000000000000002c002c0036000000",
    "53005200560002000e00540045005300540044004f004d000100060053005200560007000800bc9a78563412dc010000",
    "0000",
];
/// pyspnego's AUTHENTICATE: no VERSION, MIC at 64, payload from 80.
const AUTHENTICATE: &[&str] = &[
    "4e544c4d535350000300000018001800500000008a008a00680000000e000e00f20000000a000a000001000000000000",
    "0a010000100010000a01000035828ae04b05879a372fa1f7e3eec08955f313c100000000000000000000000000000000",
    "00000000000000003ca19e9cf12914dcc6d2f744c929594d0101000000000000bc9a78563412dc01792678894e7cdc0d",
    "0000000002000e00540045005300540044004f004d000100060053005200560007000800bc9a78563412dc0109002200",
    "5400450052004d005300520056002f003100320037002e0030002e0030002e0031000600040002000000000000000000",
    "0000540045005300540044004f004d0061006c0069006300650029b8751059afd2f4acaed7e5762dfb92",
];
/// pyspnego's `session_key` for this exchange.
const SESSION_KEY: &str = "0f94e53e339bc61e9a47364c172f3e19";

const SERVER_CHALLENGE: [u8; 8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
const NOW: FileTime = FileTime(0x01dc_1234_5678_9abc);

fn joined(parts: &[&str]) -> Vec<u8> {
    hex::decode(parts.concat()).unwrap()
}

fn store() -> InMemoryCredentialStore {
    let mut s = InMemoryCredentialStore::new();
    s.insert_password("TESTDOM", "alice", &Password::new("Passw0rd!"));
    s
}

fn config() -> ServerConfig {
    let mut c = ServerConfig::new("SRV", "TESTDOM", NOW);
    c.version = None;
    c
}

/// Our server (no VERSION) fed pyspnego's messages: the CHALLENGE is ours,
/// byte for byte, and the AUTHENTICATE verifies (MIC at 64).
fn verify(auth: &[u8]) -> Result<ntlm::SecurityContext, ntlm::Error> {
    let store = store();
    let mut server = NtlmServer::with_server_challenge(config(), &store, SERVER_CHALLENGE);
    let negotiate = hex::decode(NEGOTIATE).unwrap();
    let Step::Continue(challenge) = server.step(Some(&negotiate)).unwrap() else {
        panic!("challenge")
    };
    assert_eq!(challenge, joined(CHALLENGE));
    assert_eq!(server.step(Some(auth))?, Step::Complete(None));
    Ok(server.take_context().unwrap())
}

#[test]
fn pyspnego_mic_at_64_verifies_without_server_version() {
    let auth = joined(AUTHENTICATE);
    let parsed = AuthenticateMessage::parse(&auth).unwrap();
    assert!(!parsed.flags.contains(NegotiateFlags::VERSION));
    assert_eq!(parsed.version, None);
    assert_eq!(
        parsed.mic_offset(),
        Some(AuthenticateMessage::MIC_OFFSET_NO_VERSION)
    );
    assert_eq!(parsed.mic.unwrap()[..], auth[64..80]);
    assert_eq!(parsed.header_len(), 80);
    assert_eq!(parsed.to_bytes().unwrap(), auth, "byte-exact round trip");

    let ctx = verify(&auth).unwrap();
    assert!(ctx.mic_provided());
    assert_eq!(ctx.identity().user, "alice");
    assert_eq!(ctx.identity().domain, "TESTDOM");
    assert_eq!(
        hex::encode(ctx.exported_session_key().expose_secret()),
        SESSION_KEY
    );
}

#[test]
fn pyspnego_mic_at_64_tampered_fails() {
    let auth = joined(AUTHENTICATE);
    let mut bad = auth.clone();
    bad[64 + 3] ^= 0x01;
    let e = verify(&bad).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::MicMismatch, Some(64)));
    // A flag flipped elsewhere in the message is caught by the MIC too.
    let mut bad = auth.clone();
    bad[60] ^= 0x10; // NTLMSSP_NEGOTIATE_SIGN
    assert_eq!(verify(&bad).unwrap_err().kind(), ErrorKind::MicMismatch);
}

#[test]
fn inconsistent_layouts_are_rejected() {
    let auth = joined(AUTHENTICATE);
    // Claiming NTLMSSP_NEGOTIATE_VERSION puts the MIC at 72..88, but the
    // payload starts at 80.
    let mut bad = auth.clone();
    bad[63] |= 0x02; // NTLMSSP_NEGOTIATE_VERSION (0x02000000)
    let e = AuthenticateMessage::parse(&bad).unwrap_err();
    assert_eq!(
        (e.kind(), e.field(), e.offset()),
        (ErrorKind::FieldOverlap, "MIC", Some(72))
    );
    // A payload field moved into the MIC (LmChallengeResponse at 72).
    let mut bad = auth.clone();
    bad[16..20].copy_from_slice(&72u32.to_le_bytes());
    let e = AuthenticateMessage::parse(&bad).unwrap_err();
    assert_eq!(
        (e.kind(), e.field(), e.offset()),
        (ErrorKind::FieldOverlap, "MIC", Some(64))
    );
    assert_eq!(verify(&bad).unwrap_err().kind(), ErrorKind::FieldOverlap);
}

/// Our own client without a VERSION keeps the spec's layout (zero VERSION
/// slot, MIC at 72); the same AUTHENTICATE re-laid out pyspnego's way (slot
/// removed, MIC at 64, recomputed) verifies too, and tampering it fails.
#[test]
fn our_client_without_version_both_layouts() {
    let store = store();
    let mut client_config = ClientConfig::new("alice", "TESTDOM", &Password::new("Passw0rd!"));
    client_config.version = None;
    let mut client =
        NtlmClient::with_random(client_config, ClientRandom::from_bytes([5; 8], [6; 16]));
    let mut server = NtlmServer::with_server_challenge(config(), &store, SERVER_CHALLENGE);
    let Step::Continue(negotiate) = client.step(None).unwrap() else {
        panic!()
    };
    let Step::Continue(challenge) = server.step(Some(&negotiate)).unwrap() else {
        panic!()
    };
    let Step::Complete(Some(auth)) = client.step(Some(&challenge)).unwrap() else {
        panic!()
    };
    let parsed = AuthenticateMessage::parse(&auth).unwrap();
    assert!(!parsed.flags.contains(NegotiateFlags::VERSION));
    assert_eq!(parsed.mic_offset(), Some(AuthenticateMessage::MIC_OFFSET));
    assert_eq!(&auth[64..72], &[0; 8]);
    let key = client
        .take_context()
        .unwrap()
        .exported_session_key()
        .dangerous_clone();

    let resume = |a: &[u8]| {
        let mut s = NtlmServer::resume(config(), &store, &negotiate, &challenge).unwrap();
        s.step(Some(a)).map(|_| s.take_context().unwrap())
    };
    assert!(resume(&auth).unwrap().mic_provided());

    // pyspnego's layout: drop bytes 64..72, shift every offset by -8.
    let mut moved = [&auth[..64], &auth[72..]].concat();
    for at in [16usize, 24, 32, 40, 48, 56] {
        let off = u32::from_le_bytes(moved[at..at + 4].try_into().unwrap());
        moved[at..at + 4].copy_from_slice(&(off - 8).to_le_bytes());
    }
    moved[64..80].fill(0);
    let m = mic(&key, &negotiate, &challenge, &moved);
    moved[64..80].copy_from_slice(&m);
    let parsed = AuthenticateMessage::parse(&moved).unwrap();
    assert_eq!(parsed.mic, Some(m));
    assert_eq!(parsed.to_bytes().unwrap(), moved);
    let ctx = resume(&moved).unwrap();
    assert_eq!(ctx.exported_session_key(), &key);

    let mut bad = moved.clone();
    bad[79] ^= 0x80;
    assert_eq!(resume(&bad).unwrap_err().kind(), ErrorKind::MicMismatch);
}
