//! Drives an NTLMv2 client and server against each other in memory, then
//! uses the established contexts the way CredSSP does (a SPNEGO-style
//! mechListMIC, then sealed messages both ways).
//!
//! Run with `cargo run -p ntlm --example ntlm_in_memory`.

use std::time::{SystemTime, UNIX_EPOCH};

use ntlm::{
    ClientConfig, FileTime, InMemoryCredentialStore, NtlmClient, NtlmServer, Password,
    ServerConfig, Step,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The crate reads no clock and no OS randomness: both come from here.
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let now = FileTime::from_unix(since_epoch.as_secs(), since_epoch.subsec_nanos());
    // A seeded generator keeps the example reproducible; use an OS-seeded
    // CSPRNG in real code.
    let mut rng = ChaCha20Rng::seed_from_u64(2024);

    // Acceptor: one account.
    let mut accounts = InMemoryCredentialStore::new();
    accounts.insert_password("TESTDOM", "alice", &Password::new("Passw0rd!"));
    let mut server_config = ServerConfig::new("SERVER", "TESTDOM", now);
    server_config.dns_computer_name = Some("server.testdom.example".into());
    let mut server = NtlmServer::new(server_config, &accounts, &mut rng);

    // Initiator.
    let mut client_config = ClientConfig::new("alice", "TESTDOM", &Password::new("Passw0rd!"));
    client_config.workstation = "WS01".into();
    client_config.target_name = Some("TERMSRV/server.testdom.example".into());
    client_config.timestamp = now;
    let mut client = NtlmClient::new(client_config, &mut rng);

    // The exchange: NEGOTIATE -> CHALLENGE -> AUTHENTICATE, at most 4 steps.
    let mut to_server = match client.step(None)? {
        Step::Continue(token) => token,
        other => return Err(format!("unexpected first step {other:?}").into()),
    };
    for round in 1..=4 {
        println!("round {round}: client -> server {} bytes", to_server.len());
        match server.step(Some(&to_server))? {
            Step::Continue(challenge) => {
                println!("round {round}: server -> client {} bytes", challenge.len());
                match client.step(Some(&challenge))? {
                    Step::Continue(token) | Step::Complete(Some(token)) => to_server = token,
                    other => return Err(format!("unexpected client step {other:?}").into()),
                }
            }
            Step::Complete(_) => break,
            other => return Err(format!("unexpected server step {other:?}").into()),
        }
    }

    let mut c = client.take_context()?;
    let mut s = server.take_context()?;
    let who = s.identity();
    println!(
        "server authenticated {}\\{} from {:?} for {:?}; flags {:?}",
        who.domain,
        who.user,
        who.workstation,
        s.target_name(),
        s.flags()
    );
    println!("exported session key: {:?}", s.exported_session_key()); // prints <redacted>

    // SPNEGO mechListMIC: sign, then re-initialise the RC4 handle (the
    // sequence number carries on).
    let mech_types = [
        0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
    ];
    let mic = c.get_mic(&mech_types)?;
    c.reset_outbound_seal_state();
    s.verify_mic(&mech_types, &mic)?;
    s.reset_inbound_seal_state();

    let sealed = c.wrap(b"pubKeyAuth stand-in")?;
    let opened = s.unwrap(&sealed)?;
    println!(
        "client -> server sealed {} bytes (seq {}), unsealed {:?}",
        sealed.len(),
        s.inbound_seq() - 1,
        String::from_utf8_lossy(opened.expose_secret())
    );
    let reply = s.wrap(b"and back")?;
    println!(
        "server -> client unsealed {:?}",
        String::from_utf8_lossy(c.unwrap(&reply)?.expose_secret())
    );
    Ok(())
}
