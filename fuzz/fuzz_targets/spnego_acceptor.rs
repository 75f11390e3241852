//! Fuzzes the SPNEGO / Negotiate acceptor ([RFC 4178], [MS-SPNG]) with
//! peer-controlled tokens: input = 2-byte big-endian length of the first
//! token ‖ first token ‖ second token.
//!
//! 1. A `NegotiateAcceptor` (NTLM, fixed in-memory store) gets both tokens.
//! 2. A `NegotiateAcceptor` gets a real SPNEGO NegTokenInit, then the whole
//!    input as the client's second token (AUTHENTICATE + mechListMIC).
//! 3. The same after a raw NTLM NEGOTIATE (the FreeRDP path).
//! 4. A `SpnegoInitiator` gets the whole input as the acceptor's reply.
//!
//! Property: no panic; a first token never produces a caller (Usage) error.
//! Seeds (`fuzz/seeds/spnego_acceptor/`): the negoTokens of the recorded
//! pyspnego and FreeRDP transcripts in `tests/vectors/ntlm/samples/`.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use ntlm::{
    ClientConfig, ClientRandom, FileTime, InMemoryCredentialStore, NtlmClient, NtlmServer,
    Password, ServerConfig,
};
use spnego::{MechErrorKind, MechStep, Mechanism, NegotiateAcceptor, NtlmMechanism, SpnegoInitiator};

fn acceptor(store: &Arc<InMemoryCredentialStore>) -> NegotiateAcceptor {
    let server = NtlmServer::with_server_challenge(
        ServerConfig::new("SRV", "TESTDOM", FileTime(0x01dc_0000_0000_0000)),
        Arc::clone(store),
        [7; 8],
    );
    match NegotiateAcceptor::new(vec![Box::new(NtlmMechanism::acceptor(server))]) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

fn client() -> NtlmMechanism {
    NtlmMechanism::initiator(NtlmClient::with_random(
        ClientConfig::new("alice", "TESTDOM", &Password::new("Passw0rd!")),
        ClientRandom::from_bytes([1; 8], [2; 16]),
    ))
}

fn first_token(m: &mut dyn Mechanism) -> Vec<u8> {
    match m.step(None) {
        Ok(MechStep::Continue(t)) => t,
        other => panic!("{other:?}"),
    }
}

fn not_usage(r: Result<MechStep, spnego::MechError>) {
    if let Err(e) = r {
        assert_ne!(e.kind, MechErrorKind::Usage, "{e}");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut store = InMemoryCredentialStore::new();
    store.insert_password("TESTDOM", "alice", &Password::new("Passw0rd!"));
    let store = Arc::new(store);

    let (first, second) = match data {
        [hi, lo, rest @ ..] => rest.split_at(usize::from(u16::from_be_bytes([*hi, *lo])).min(rest.len())),
        _ => (data, &[][..]),
    };
    let mut a = acceptor(&store);
    not_usage(a.step(Some(first)));
    let _ = a.step(Some(second));
    let _ = a.take_error_token();
    let _ = a.unwrap(second);

    for raw in [false, true] {
        let mut init: Box<dyn Mechanism> = if raw {
            Box::new(client())
        } else {
            match SpnegoInitiator::new(vec![Box::new(client())]) {
                Ok(i) => Box::new(i),
                Err(e) => panic!("{e}"),
            }
        };
        let mut a = acceptor(&store);
        let token = first_token(&mut *init);
        not_usage(a.step(Some(&token)));
        not_usage(a.step(Some(data)));
        if a.is_complete() {
            let _ = a.unwrap(data);
            let _ = a.verify_mic(data, data);
        }
    }

    let mut init = match SpnegoInitiator::new(vec![Box::new(client())]) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let _ = first_token(&mut init);
    not_usage(init.step(Some(data)));
});
