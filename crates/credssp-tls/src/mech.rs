//! Building the security mechanisms `credssp-core` drives, with the OS
//! randomness and wall clock an adapter supplies (the cores take both as
//! inputs).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ntlm::{CredentialStore, FileTime, NtHash, NtlmClient, NtlmServer, Password};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use spnego::{BoxedMechanism, NegotiateAcceptor, NtlmMechanism, SpnegoInitiator};

use crate::Error;

/// A ChaCha20 CSPRNG seeded from the operating system.
pub fn os_rng() -> Result<ChaCha20Rng, Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| Error::Config(format!("os randomness: {e}")))?;
    let rng = ChaCha20Rng::from_seed(seed);
    seed.fill(0);
    Ok(rng)
}

/// The current time as an NTLM FILETIME.
pub fn now() -> FileTime {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    FileTime::from_unix(d.as_secs(), d.subsec_nanos())
}

/// How the client wraps NTLM in `negoTokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientMechKind {
    /// SPNEGO NegTokenInit/NegTokenResp around NTLM (Windows, pyspnego).
    Spnego,
    /// Raw NTLMSSP messages (FreeRDP 2.x, pyspnego `--mech ntlm`).
    RawNtlm,
}

/// The client's NTLM secret.
#[derive(Debug)]
pub enum ClientSecret<'a> {
    /// A password.
    Password(&'a Password),
    /// An NT hash (pass-the-hash style; the password itself is still what
    /// CredSSP delegates).
    NtHash(NtHash),
}

/// An NTLM initiator for `domain\user`, optionally SPNEGO-wrapped, with
/// `spn` as MsvAvTargetName.
pub fn client_mechanism(
    domain: &str,
    user: &str,
    secret: ClientSecret<'_>,
    spn: &str,
    kind: ClientMechKind,
) -> Result<BoxedMechanism, Error> {
    let mut config = match secret {
        ClientSecret::Password(p) => ntlm::ClientConfig::new(user, domain, p),
        ClientSecret::NtHash(h) => ntlm::ClientConfig::with_nt_hash(user, domain, h),
    };
    config.target_name = Some(spn.to_owned());
    config.timestamp = now();
    let mut rng = os_rng()?;
    let ntlm = NtlmMechanism::initiator(NtlmClient::new(config, &mut rng));
    Ok(match kind {
        ClientMechKind::RawNtlm => Box::new(ntlm),
        ClientMechKind::Spnego => Box::new(
            SpnegoInitiator::new(vec![Box::new(ntlm)])
                .map_err(|e| Error::Config(format!("spnego initiator: {e}")))?,
        ),
    })
}

/// A negotiate acceptor (raw NTLM or SPNEGO, following the client) over
/// `store`, announcing `computer` in `domain`.
pub fn server_mechanism(
    store: Arc<dyn CredentialStore + Send + Sync>,
    computer: &str,
    domain: &str,
) -> Result<BoxedMechanism, Error> {
    let mut config = ntlm::ServerConfig::new(computer, domain, now());
    // Windows always sends VERSION; pyspnego's initiator only lays out
    // AUTHENTICATE with Version (and so the MIC at offset 72) when the
    // CHALLENGE has it.
    config.version = Some(ntlm::Version::new(10, 0, 20348));
    let mut rng = os_rng()?;
    let ntlm = NtlmMechanism::acceptor(NtlmServer::new(config, store, &mut rng));
    Ok(Box::new(
        NegotiateAcceptor::new(vec![Box::new(ntlm)])
            .map_err(|e| Error::Config(format!("negotiate acceptor: {e}")))?,
    ))
}
