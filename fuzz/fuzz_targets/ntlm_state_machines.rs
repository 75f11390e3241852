//! Fuzzes the [MS-NLMP] 3.1 / 3.2 state machines and 3.4 session security
//! with peer-controlled input: the acceptor fed an arbitrary NEGOTIATE, and
//! an arbitrary AUTHENTICATE after a real NEGOTIATE/CHALLENGE; the initiator
//! fed an arbitrary CHALLENGE; an established context fed arbitrary sealed
//! and signed tokens. Property: no panic, and every error is a peer error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntlm::{
    ClientConfig, ClientRandom, FileTime, Identity, InMemoryCredentialStore, Key, NegotiateFlags,
    NtlmClient, NtlmServer, Origin, Password, Role, SecurityContext, ServerConfig, Step,
};

fuzz_target!(|data: &[u8]| {
    let mut store = InMemoryCredentialStore::new();
    store.insert_password("TESTDOM", "alice", &Password::new("Passw0rd!"));
    let server_config = || ServerConfig::new("SRV", "TESTDOM", FileTime(0x01dc_0000_0000_0000));
    let peer_error = |r: Result<Step, ntlm::Error>| {
        if let Err(e) = r {
            assert_eq!(e.origin(), Origin::Peer, "{e}");
        }
    };

    let mut server = NtlmServer::with_server_challenge(server_config(), &store, [7; 8]);
    peer_error(server.step(Some(data)));

    let random = ClientRandom::from_bytes([1; 8], [2; 16]);
    let mut client = NtlmClient::with_random(
        ClientConfig::new("alice", "TESTDOM", &Password::new("Passw0rd!")),
        random,
    );
    let Ok(Step::Continue(negotiate)) = client.step(None) else {
        panic!("negotiate")
    };
    let mut server = NtlmServer::with_server_challenge(server_config(), &store, [7; 8]);
    let Ok(Step::Continue(_challenge)) = server.step(Some(&negotiate)) else {
        panic!("challenge")
    };
    peer_error(server.step(Some(data)));
    peer_error(client.step(Some(data)));

    let identity = Identity {
        user: String::new(),
        domain: String::new(),
        workstation: String::new(),
        anonymous: false,
    };
    let mut ctx = SecurityContext::new(
        Role::Server,
        NegotiateFlags::from_bits(0xe28a_8235),
        Key::new([3; 16]),
        identity,
        None,
    );
    let _ = ctx.unwrap(data);
    let _ = ctx.verify_mic(data, data);
});
