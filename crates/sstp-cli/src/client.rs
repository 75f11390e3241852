//! `sstp client`: a Groove client profile (the device and account objects
//! of [MS-GRVSSTPS] 3.2.1) and a connection to a relay through
//! `sstp_relay::client::drive`.
//!
//! A profile directory holds `profile.toml` (URLs, identity lists,
//! algorithms) and `secrets.toml` (mode 0600: the 24-byte device and
//! account keys, the RSA keys as PKCS#8, the ElGamal exponents, the
//! pre-authentication token). Both are replaced atomically (temporary file
//! + rename). ElGamal client keys use the Groove 2007 group.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use crypto_primitives::RsaSigningKey;
use crypto_primitives::elgamal::{self, Group};
use serde::{Deserialize, Serialize};
use sstp_relay::client::{AccountGoal, Outcome, Progress, drive};
use sstp_relay::files::{os_rng, read, write_atomic};
use sstp_security_core::client::{
    AccountObject, ClientEngine, ClientOptions, DeviceObject, IdentityObject,
};
use sstp_security_core::keys::{
    ClientKeyPairs, EncryptionAlgorithm, EncryptionKeyPair, SecretKey, generate_secret_key,
};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::bad_input;

const PROFILE: &str = "profile.toml";
const SECRETS: &str = "secrets.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encryption {
    /// ElGamal in the Groove 2007 group.
    Elgamal,
    /// RSA of --rsa-bits bits (note <3>).
    Rsa,
}

#[derive(Debug, clap::Subcommand)]
pub enum ClientCmd {
    /// Create a profile: a device object and an account object (3.2.1)
    ///
    /// With --account-from, the account (keys, URL, identities, token) is
    /// copied from another profile: the same account on a new device.
    Keygen {
        /// The profile directory (created).
        #[arg(long, value_name = "DIR")]
        profile: PathBuf,
        /// This device's URL.
        #[arg(long, value_name = "URL")]
        device_url: String,
        /// The account URL (not with --account-from).
        #[arg(long, value_name = "URL", required_unless_present = "account_from")]
        account_url: Option<String>,
        /// Copy the account from this profile.
        #[arg(long, value_name = "DIR", conflicts_with = "account_url")]
        account_from: Option<PathBuf>,
        /// Encryption key algorithm.
        #[arg(long, value_enum, default_value_t = Encryption::Elgamal)]
        encryption: Encryption,
        /// RSA key size.
        #[arg(long, default_value_t = 2048)]
        rsa_bits: usize,
    },
    /// Connect to a relay: device authentication, registration when the
    /// relay asks for it, account authentication, identity registration
    ///
    /// Prints every state transition and event; exits 0 only when the
    /// account is authenticated (and its identity registration accepted).
    Connect {
        /// The profile directory.
        #[arg(long, value_name = "DIR")]
        profile: PathBuf,
        /// The relay, HOST:PORT.
        #[arg(long, value_name = "HOST:PORT")]
        relay: String,
        /// The relay certificate (DER or hex), e.g. relay-cert.der.
        #[arg(long, value_name = "PATH")]
        relay_cert: PathBuf,
        /// Pre-authentication token from the management server (kept in the
        /// profile's secrets after a successful connection).
        #[arg(long, value_name = "T")]
        pre_auth_token: Option<String>,
        /// Activate an identity on the account (repeatable).
        #[arg(long, value_name = "URL")]
        add_identity: Vec<String>,
        /// Deactivate an identity (repeatable).
        #[arg(long, value_name = "URL")]
        remove_identity: Vec<String>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
}

/// `profile.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    device_url: String,
    device_encryption: Encryption,
    account_url: String,
    account_encryption: Encryption,
    account_device_urls: Vec<String>,
    active_identities: Vec<String>,
    inactive_identities: Vec<String>,
}

/// `secrets.toml`, hex strings; zeroized on drop.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct Secrets {
    device_key: String,
    device_signature_key: String,
    device_encryption_key: String,
    account_key: String,
    account_signature_key: String,
    account_encryption_key: String,
    #[serde(default)]
    pre_auth_token: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

fn hex_secret(b: &[u8]) -> String {
    hex::encode(b)
}

fn unhex(name: &str, s: &str) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    hex::decode(s)
        .map(Zeroizing::new)
        .map_err(|_| bad_input(format!("{SECRETS}: {name} is not hex")))
}

fn export(keys: &ClientKeyPairs) -> anyhow::Result<(String, String)> {
    let sig = hex_secret(keys.signature_key().to_pkcs8_der()?.expose_secret());
    let enc = match keys.encryption_key() {
        EncryptionKeyPair::Elgamal(k) => hex_secret(k.x_be_secret().expose_secret()),
        EncryptionKeyPair::Rsa(k) => hex_secret(k.to_pkcs8_der()?.expose_secret()),
    };
    Ok((sig, enc))
}

fn import(name: &str, alg: Encryption, sig: &str, enc: &str) -> anyhow::Result<ClientKeyPairs> {
    let sig = RsaSigningKey::from_pkcs8_der(&unhex(name, sig)?)?;
    let enc = unhex(name, enc)?;
    let enc = match alg {
        Encryption::Elgamal => {
            EncryptionKeyPair::Elgamal(elgamal::PrivateKey::from_x_be(Group::groove2007(), &enc)?)
        }
        Encryption::Rsa => EncryptionKeyPair::Rsa(RsaSigningKey::from_pkcs8_der(&enc)?),
    };
    Ok(ClientKeyPairs::new(sig, enc)?)
}

fn secret_key(name: &str, s: &str) -> anyhow::Result<SecretKey> {
    SecretKey::from_slice(&unhex(name, s)?)
        .ok_or_else(|| bad_input(format!("{SECRETS}: {name} is not 24 bytes")))
}

fn load(dir: &Path) -> anyhow::Result<(Profile, Secrets)> {
    let p = String::from_utf8(read(&dir.join(PROFILE))?)?;
    let profile: Profile = toml::from_str(&p).with_context(|| format!("parse {PROFILE}"))?;
    let s = Zeroizing::new(String::from_utf8(read(&dir.join(SECRETS))?)?);
    let secrets: Secrets = toml::from_str(&s).with_context(|| format!("parse {SECRETS}"))?;
    Ok((profile, secrets))
}

fn save(dir: &Path, profile: &Profile, secrets: &Secrets) -> anyhow::Result<()> {
    let s = Zeroizing::new(toml::to_string(secrets)?);
    write_atomic(&dir.join(SECRETS), s.as_bytes(), 0o600)?;
    write_atomic(
        &dir.join(PROFILE),
        toml::to_string(profile)?.as_bytes(),
        0o644,
    )
}

fn alg(e: Encryption) -> EncryptionAlgorithm {
    match e {
        Encryption::Elgamal => EncryptionAlgorithm::Elgamal,
        Encryption::Rsa => EncryptionAlgorithm::Rsa,
    }
}

pub fn run(cmd: ClientCmd, out: &mut impl Write) -> anyhow::Result<()> {
    match cmd {
        ClientCmd::Keygen {
            profile,
            device_url,
            account_url,
            account_from,
            encryption,
            rsa_bits,
        } => keygen(
            &profile,
            device_url,
            account_url,
            account_from.as_deref(),
            encryption,
            rsa_bits,
            out,
        ),
        ClientCmd::Connect {
            profile,
            relay,
            relay_cert,
            pre_auth_token,
            add_identity,
            remove_identity,
            timeout,
        } => connect(
            &profile,
            &relay,
            &relay_cert,
            pre_auth_token,
            &add_identity,
            &remove_identity,
            Duration::from_secs(timeout),
            out,
        ),
    }
}

fn keygen(
    dir: &Path,
    device_url: String,
    account_url: Option<String>,
    account_from: Option<&Path>,
    encryption: Encryption,
    rsa_bits: usize,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if dir.join(PROFILE).exists() {
        return Err(bad_input(format!(
            "{} already holds a profile",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let mut rng = os_rng()?;
    let group = Group::groove2007();
    let device_keys = ClientKeyPairs::generate(&mut rng, rsa_bits, alg(encryption), &group)?;
    let (dsig, denc) = export(&device_keys)?;
    let device_key = generate_secret_key(&mut rng);
    let (profile, secrets) = match account_from {
        Some(src) => {
            let (mut p, s) = load(src)?;
            p.device_url.clone_from(&device_url);
            p.device_encryption = encryption;
            if !p.account_device_urls.contains(&device_url) {
                p.account_device_urls.push(device_url);
            }
            let secrets = Secrets {
                device_key: hex_secret(device_key.expose_secret()),
                device_signature_key: dsig,
                device_encryption_key: denc,
                account_key: s.account_key.clone(),
                account_signature_key: s.account_signature_key.clone(),
                account_encryption_key: s.account_encryption_key.clone(),
                pre_auth_token: s.pre_auth_token.clone(),
            };
            (p, secrets)
        }
        None => {
            let account_keys =
                ClientKeyPairs::generate(&mut rng, rsa_bits, alg(encryption), &group)?;
            let (asig, aenc) = export(&account_keys)?;
            let account_key = generate_secret_key(&mut rng);
            let profile = Profile {
                device_url: device_url.clone(),
                device_encryption: encryption,
                account_url: account_url.unwrap_or_default(),
                account_encryption: encryption,
                account_device_urls: vec![device_url],
                active_identities: vec![],
                inactive_identities: vec![],
            };
            let secrets = Secrets {
                device_key: hex_secret(device_key.expose_secret()),
                device_signature_key: dsig,
                device_encryption_key: denc,
                account_key: hex_secret(account_key.expose_secret()),
                account_signature_key: asig,
                account_encryption_key: aenc,
                pre_auth_token: None,
            };
            (profile, secrets)
        }
    };
    save(dir, &profile, &secrets)?;
    writeln!(out, "device: {}", profile.device_url)?;
    writeln!(out, "account: {}", profile.account_url)?;
    writeln!(out, "profile: {}", dir.display())?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn connect(
    dir: &Path,
    relay: &str,
    relay_cert: &Path,
    pre_auth_token: Option<String>,
    add: &[String],
    remove: &[String],
    timeout: Duration,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let (mut profile, mut secrets) = load(dir)?;
    let certificate = crate::relay::read_certificate(relay_cert)?;
    for url in add {
        profile.inactive_identities.retain(|u| u != url);
        if !profile.active_identities.contains(url) {
            profile.active_identities.push(url.clone());
        }
    }
    for url in remove {
        profile.active_identities.retain(|u| u != url);
        if !profile.inactive_identities.contains(url) {
            profile.inactive_identities.push(url.clone());
        }
    }
    if let Some(t) = pre_auth_token {
        secrets.pre_auth_token = Some(t);
    }
    let device = Arc::new(DeviceObject {
        device_url: profile.device_url.clone(),
        device_key: secret_key("device_key", &secrets.device_key)?,
        keys: import(
            "device",
            profile.device_encryption,
            &secrets.device_signature_key,
            &secrets.device_encryption_key,
        )?,
    });
    let account = Arc::new(AccountObject {
        account_url: profile.account_url.clone(),
        device_urls: profile.account_device_urls.clone(),
        account_key: secret_key("account_key", &secrets.account_key)?,
        keys: import(
            "account",
            profile.account_encryption,
            &secrets.account_signature_key,
            &secrets.account_encryption_key,
        )?,
        active_identities: profile.active_identities.clone(),
        inactive_identities: profile.inactive_identities.clone(),
    });
    // The engine takes an account's token from its first identity (note <5>).
    let identities: Vec<IdentityObject> = secrets
        .pre_auth_token
        .iter()
        .map(|t| IdentityObject {
            identity_url: profile
                .active_identities
                .first()
                .cloned()
                .unwrap_or_else(|| profile.account_url.clone()),
            account_url: profile.account_url.clone(),
            pre_auth_token: t.clone(),
        })
        .collect();
    let mut engine = ClientEngine::new(
        ClientOptions::default(),
        certificate,
        device,
        vec![account],
        &identities,
    );
    let goals = [AccountGoal {
        account_url: profile.account_url.clone(),
        identities: !(profile.active_identities.is_empty()
            && profile.inactive_identities.is_empty()),
    }];
    let mut rng = os_rng()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (outcome, _) = rt.block_on(async {
        let mut stream = tokio::time::timeout(timeout, tokio::net::TcpStream::connect(relay))
            .await
            .map_err(|_| anyhow::anyhow!("connecting to {relay} timed out"))?
            .with_context(|| format!("connect {relay}"))?;
        let _ = stream.set_nodelay(true);
        writeln!(out, "connected to {relay}")?;
        drive(
            &mut stream,
            &mut engine,
            &mut rng,
            &goals,
            timeout,
            false,
            |p| {
                // Progress goes out as it happens; a broken stdout shows up
                // at the final write.
                let _ = match p {
                    Progress::State(s) => writeln!(out, "connection: {s:?}"),
                    Progress::Account(url, s) => writeln!(out, "account {url}: {s:?}"),
                    Progress::Event(e) => writeln!(out, "event: {e:?}"),
                };
                let _ = out.flush();
            },
        )
        .await
    })?;
    if outcome != Outcome::Authenticated {
        out.flush()?;
        anyhow::bail!("not authenticated: {outcome:?}");
    }
    // Identities removed on the relay are no longer worth sending.
    profile.inactive_identities.clear();
    save(dir, &profile, &secrets)?;
    writeln!(out, "AUTHENTICATED")?;
    Ok(())
}
