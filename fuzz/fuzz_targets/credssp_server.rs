//! Fuzzes the [MS-CSSP] 3.1.5 server state machine: arbitrary bytes, split
//! into TSRequests with the crate's framing hint, fed to a CredSSP server
//! over the negotiate acceptor (raw NTLM or SPNEGO). The first byte picks
//! the server's version and minimum. Properties: no panic; after `Failed` or
//! `Finished` every further step fails; an errorCode reply decodes and
//! carries a failure status.
#![no_main]

use credssp_core::{CredSspServer, ServerConfig, ServerOutput, ServerPublicKey, TsRequest};
use libfuzzer_sys::fuzz_target;

fn server(version: u32, min_version: u32) -> Option<CredSspServer> {
    let mut store = ntlm::InMemoryCredentialStore::new();
    store.insert_password("TESTDOM", "alice", &ntlm::Password::new("Passw0rd!"));
    let config = ntlm::ServerConfig::new("SRV", "TESTDOM", ntlm::FileTime(0x01dc_0000_0000_0000));
    let ntlm = spnego::NtlmMechanism::acceptor(ntlm::NtlmServer::with_server_challenge(
        config, store, [3; 8],
    ));
    let mech = spnego::NegotiateAcceptor::new(vec![Box::new(ntlm)]).ok()?;
    let key = ServerPublicKey::from_raw_subject_public_key(&[0x30, 0x82, 0x01, 0x0a]).ok()?;
    CredSspServer::new(
        ServerConfig {
            version,
            min_version,
        },
        Box::new(mech),
        key,
    )
    .ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let version = 2 + u32::from(first % 5);
    let min_version = 2 + u32::from((first / 5) % 5).min(version - 2);
    let Some(mut server) = server(version, min_version) else {
        return;
    };
    let mut over = false;
    while !rest.is_empty() {
        let len = match credssp_core::frame_len(rest) {
            Some(Ok(n)) if n <= rest.len() => n,
            _ => rest.len(),
        };
        let (msg, tail) = rest.split_at(len);
        rest = tail;
        match server.step(msg) {
            ServerOutput::Send(out) => {
                assert!(!over, "a finished server sent bytes");
                assert!(TsRequest::from_der(&out).is_ok());
            }
            ServerOutput::Finished(_) => {
                assert!(!over);
                over = true;
            }
            ServerOutput::Failed { reply, .. } => {
                if let Some(reply) = reply {
                    assert!(!over);
                    let req = TsRequest::from_der(&reply).expect("errorCode reply decodes");
                    assert!(req.error_code.is_some_and(|s| s.is_failure()));
                }
                over = true;
            }
        }
    }
});
