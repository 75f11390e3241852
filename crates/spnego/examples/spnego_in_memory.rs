//! A complete SPNEGO-over-NTLM exchange in memory, the way CredSSP carries
//! it: the initiator seals its pubKeyAuth as soon as it has sent the NTLM
//! AUTHENTICATE with its mechListMIC, and unseals the acceptor's answer
//! after processing the acceptor's final token. Then the same acceptor type
//! follows a raw-NTLM client (mstsc / FreeRDP style).
//!
//! `cargo run -p spnego --example spnego_in_memory`

use std::sync::Arc;

use ntlm::{
    ClientConfig, ClientRandom, CredentialStore, FileTime, InMemoryCredentialStore, NtlmClient,
    NtlmServer, Password, ServerConfig,
};
use spnego::{MechError, MechStep, Mechanism, NegotiateAcceptor, NtlmMechanism, SpnegoInitiator};

fn client(password: &str) -> NtlmMechanism {
    // Fixed randomness keeps the run reproducible; real callers use
    // `NtlmClient::new(config, &mut rng)`.
    NtlmMechanism::initiator(NtlmClient::with_random(
        ClientConfig::new("alice", "TESTDOM", &Password::new(password)),
        ClientRandom::from_bytes([0x11; 8], [0x22; 16]),
    ))
}

fn new_acceptor(
    store: &Arc<dyn CredentialStore + Send + Sync>,
) -> Result<NegotiateAcceptor, MechError> {
    let server = NtlmServer::with_server_challenge(
        ServerConfig::new("SRV", "TESTDOM", FileTime::from_unix(1_700_000_000, 0)),
        Arc::clone(store),
        [0x33; 8],
    );
    NegotiateAcceptor::new(vec![Box::new(NtlmMechanism::acceptor(server))])
}

fn token(step: MechStep) -> Option<Vec<u8>> {
    match step {
        MechStep::Continue(t) => Some(t),
        MechStep::Complete(t) => t,
    }
}

fn main() -> Result<(), MechError> {
    let mut accounts = InMemoryCredentialStore::new();
    accounts.insert_password("TESTDOM", "alice", &Password::new("Passw0rd!"));
    let store: Arc<dyn CredentialStore + Send + Sync> = Arc::new(accounts);

    // --- SPNEGO ---------------------------------------------------------
    let mut initiator = SpnegoInitiator::new(vec![Box::new(client("Passw0rd!"))])?;
    let mut acceptor = new_acceptor(&store)?;

    let init = token(initiator.step(None)?).unwrap_or_default();
    println!("initiator -> NegTokenInit        {} bytes", init.len());
    let challenge = token(acceptor.step(Some(&init))?).unwrap_or_default();
    println!(
        "acceptor  -> NegTokenResp        {} bytes (CHALLENGE)",
        challenge.len()
    );
    let authenticate = token(initiator.step(Some(&challenge))?).unwrap_or_default();
    println!(
        "initiator -> NegTokenResp        {} bytes (AUTHENTICATE + mechListMIC)",
        authenticate.len()
    );
    assert!(initiator.protection_ready());
    let pub_key_auth = initiator.wrap(b"client binding")?;
    println!(
        "initiator    sealed pubKeyAuth, seq {:?}",
        &pub_key_auth[12..16]
    );

    let last = token(acceptor.step(Some(&authenticate))?).unwrap_or_default();
    println!(
        "acceptor  -> NegTokenResp        {} bytes (accept-completed + mechListMIC)",
        last.len()
    );
    let peer = acceptor.peer_identity();
    println!("acceptor     authenticated {peer:?}");
    let plain = acceptor.unwrap(&pub_key_auth)?;
    assert_eq!(plain.expose_secret(), b"client binding");
    let answer = acceptor.wrap(b"server binding")?;

    assert_eq!(initiator.step(Some(&last))?, MechStep::Complete(None));
    assert_eq!(
        initiator.unwrap(&answer)?.expose_secret(),
        b"server binding"
    );
    println!("both sides complete; pubKeyAuth exchanged\n");

    // --- raw NTLM, as mstsc and FreeRDP send it ---------------------------
    let mut raw = client("Passw0rd!");
    let mut acceptor = new_acceptor(&store)?;
    let negotiate = token(raw.step(None)?).unwrap_or_default();
    let challenge = token(acceptor.step(Some(&negotiate))?).unwrap_or_default();
    let authenticate = token(raw.step(Some(&challenge))?).unwrap_or_default();
    assert_eq!(
        acceptor.step(Some(&authenticate))?,
        MechStep::Complete(None)
    );
    println!("raw NTLM: acceptor mode {:?}", acceptor.mode());
    let sealed = raw.wrap(b"client binding")?;
    println!(
        "raw NTLM: pubKeyAuth seq {:?} (no mechListMIC)",
        &sealed[12..16]
    );
    assert_eq!(acceptor.unwrap(&sealed)?.expose_secret(), b"client binding");

    // --- a wrong password -------------------------------------------------
    let mut initiator = SpnegoInitiator::new(vec![Box::new(client("wrong"))])?;
    let mut acceptor = new_acceptor(&store)?;
    let init = token(initiator.step(None)?).unwrap_or_default();
    let challenge = token(acceptor.step(Some(&init))?).unwrap_or_default();
    let authenticate = token(initiator.step(Some(&challenge))?).unwrap_or_default();
    let err = acceptor
        .step(Some(&authenticate))
        .expect_err("wrong password must fail");
    println!("wrong password: {:?}: {err}", err.kind);
    Ok(())
}
