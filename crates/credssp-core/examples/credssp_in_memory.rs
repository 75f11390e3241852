//! A CredSSP v6 client and server in memory, over SPNEGO-wrapped NTLM,
//! printing each TSRequest's summary (sizes only; never tokens or keys).
//!
//! `cargo run -p credssp-core --example credssp_in_memory`

use credssp_core::{
    ClientConfig, ClientOutput, CredSspClient, CredSspServer, Credentials, ServerConfig,
    ServerOutput, ServerPublicKey, SpnAllowList, TsRequest,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn summary(bytes: &[u8]) -> String {
    TsRequest::from_der(bytes).map_or_else(|e| format!("<undecodable: {e}>"), |r| r.summary())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A deterministic RNG stands in for the OS one an adapter would pass.
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    // The server's TLS certificate (here: the pyspnego sample's).
    let pem = include_str!("../tests/vectors/v6_tls13/server_cert.pem");
    let cert = <x509_cert::Certificate as x509_cert::der::DecodePem>::from_pem(pem)?;
    let key = ServerPublicKey::from_certificate_der(&x509_cert::der::Encode::to_der(&cert)?)?;

    let password = ntlm::Password::new("Passw0rd!");
    let mut ntlm_config = ntlm::ClientConfig::new("alice", "TESTDOM", &password);
    ntlm_config.target_name = Some("TERMSRV/rdp.example.com".into());
    let client_mech = spnego::SpnegoInitiator::new(vec![Box::new(
        spnego::NtlmMechanism::initiator(ntlm::NtlmClient::new(ntlm_config, &mut rng)),
    )])?;
    let mut store = ntlm::InMemoryCredentialStore::new();
    store.insert_password("TESTDOM", "alice", &password);
    let server_config =
        ntlm::ServerConfig::new("SRV", "TESTDOM", ntlm::FileTime(0x01dc_0000_0000_0000));
    let server_mech = spnego::NegotiateAcceptor::new(vec![Box::new(
        spnego::NtlmMechanism::acceptor(ntlm::NtlmServer::new(server_config, store, &mut rng)),
    )])?;

    let config = ClientConfig::new(
        "TERMSRV/rdp.example.com",
        SpnAllowList::new().allow("TERMSRV/*.example.com"),
    );
    let creds = Credentials::password("TESTDOM", "alice", "Passw0rd!");
    let mut client =
        CredSspClient::new(config, creds, Box::new(client_mech), key.clone(), &mut rng)?;
    let mut server = CredSspServer::new(ServerConfig::default(), Box::new(server_mech), key)?;

    let ClientOutput::Send(mut to_server) = client.step(None) else {
        return Err("client did not start".into());
    };
    for _ in 0..8 {
        println!("client -> server: {}", summary(&to_server));
        match server.step(&to_server) {
            ServerOutput::Send(reply) => {
                println!("server -> client: {}", summary(&reply));
                match client.step(Some(&reply)) {
                    ClientOutput::Send(next) | ClientOutput::Finished(next) => to_server = next,
                    ClientOutput::Failed(e) => return Err(e.into()),
                }
            }
            ServerOutput::Finished(delegation) => {
                // Debug output redacts the password.
                println!(
                    "server: delegated (version {}): {:?}",
                    delegation.version, delegation.credentials
                );
                return Ok(());
            }
            ServerOutput::Failed { error, .. } => return Err(error.into()),
        }
    }
    Err("no end after 8 rounds".into())
}
