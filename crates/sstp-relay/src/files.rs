//! The relay's data directory and file helpers: secret files created with
//! mode 0600, atomic replacement (temporary file, fsync, rename, fsync of
//! the directory), and the relay certificate and keys ([MS-GRVSSTPS]
//! 3.1.1.1).
//!
//! ```text
//! DIR/relay-cert.der              the certificate (DER)
//! DIR/relay-cert.hex              the same, hex, 32 bytes a line
//! DIR/relay-signature-key.p8      RSA signature key, PKCS#8 DER   (0600)
//! DIR/relay-encryption-key.hex    ElGamal private exponent x, hex (0600)
//! DIR/relay.redb                  the records (3.3.1)
//! ```
//! The ElGamal group is the certificate's.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use crypto_primitives::RsaSigningKey;
use crypto_primitives::elgamal::{self, Group, KeyForm};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sstp_security_core::cert::{RelayCertificate, RelayCertificateParams, RelayIdentity};
use zeroize::Zeroizing;

/// Certificate, DER.
pub const CERT_DER: &str = "relay-cert.der";
/// Certificate, hex.
pub const CERT_HEX: &str = "relay-cert.hex";
/// RSA signature key, PKCS#8 DER.
pub const SIGNATURE_KEY: &str = "relay-signature-key.p8";
/// ElGamal private exponent, hex.
pub const ENCRYPTION_KEY: &str = "relay-encryption-key.hex";
/// The redb database.
pub const DATABASE: &str = "relay.redb";

/// A CSPRNG seeded from the operating system.
///
/// # Errors
/// The OS has no randomness to give.
pub fn os_rng() -> anyhow::Result<ChaCha20Rng> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut *seed).map_err(|e| anyhow::anyhow!("os randomness: {e}"))?;
    Ok(ChaCha20Rng::from_seed(*seed))
}

/// Seconds since 1970, saturated to `u32` (the protocol's Timestamp).
pub fn now_u32() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs).unwrap_or(u32::MAX)
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("fsync {}", dir.display()))
}

/// Creates `path` (which must not exist) with `mode` and writes `bytes`,
/// fsynced.
///
/// # Errors
/// The file exists or cannot be written.
pub fn create_file(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("create {}", path.display()))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("write {}", path.display()))
}

/// Replaces `path` atomically: writes `path.tmp` with `mode`, fsyncs,
/// renames over `path`, fsyncs the directory. A crash leaves either the old
/// or the new file.
///
/// # Errors
/// Writing or renaming failed.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    // A leftover from a crash is ours to replace.
    let _ = fs::remove_file(&tmp);
    create_file(&tmp, bytes, mode)?;
    fs::rename(&tmp, path).with_context(|| format!("rename to {}", path.display()))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Reads a file, naming it in the error.
///
/// # Errors
/// The file cannot be read.
pub fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("read {}", path.display()))
}

/// Reads a hex file (whitespace ignored) into a zeroizing buffer.
///
/// # Errors
/// The file cannot be read or is not hex.
pub fn read_hex_secret(path: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    let text = Zeroizing::new(read(path)?);
    let digits: Zeroizing<Vec<u8>> = Zeroizing::new(
        text.iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    hex::decode(&*digits)
        .map(Zeroizing::new)
        .map_err(|_| anyhow::anyhow!("{} is not hex", path.display()))
}

/// The ElGamal group of `relay init --group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupChoice {
    /// The Groove 2007 group (3.1.1.1), key written in the Groove 2007 form.
    Groove2007,
    /// A freshly generated safe-prime group of this many bits, key written
    /// in the standard `{p, q, g, y}` form (slow to generate).
    Generate(u32),
}

impl std::str::FromStr for GroupChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == "groove2007" {
            return Ok(Self::Groove2007);
        }
        s.strip_prefix("generate:")
            .and_then(|b| b.parse().ok())
            .map(Self::Generate)
            .ok_or_else(|| format!("unknown group {s:?} (groove2007 or generate:BITS)"))
    }
}

/// Creates the relay certificate and keys in `dir` (created if missing;
/// refuses to overwrite). Returns the certificate.
///
/// # Errors
/// Key generation failed or a file exists or cannot be written.
pub fn init(
    dir: &Path,
    relay_url: &str,
    group: GroupChoice,
    rsa_bits: usize,
    validity_days: u64,
) -> anyhow::Result<RelayCertificate> {
    if dir.join(CERT_DER).exists() {
        bail!("{} already holds a relay certificate", dir.display());
    }
    fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    let mut rng = os_rng()?;
    let (group, key_form) = match group {
        GroupChoice::Groove2007 => (Group::groove2007(), KeyForm::Groove2007),
        GroupChoice::Generate(bits) => (Group::generate(&mut rng, bits)?, KeyForm::Standard),
    };
    let now = u64::from(now_u32());
    let identity = RelayIdentity::generate(
        &mut rng,
        &RelayCertificateParams {
            relay_url: relay_url.to_owned(),
            not_before: now.saturating_sub(3600),
            not_after: now.saturating_add(validity_days.saturating_mul(86_400)),
            rsa_bits,
            group,
            key_form,
        },
    )?;
    let sig = identity.signature_key().to_pkcs8_der()?;
    create_file(&dir.join(SIGNATURE_KEY), sig.expose_secret(), 0o600)?;
    let x = identity.encryption_key().x_be_secret();
    let x_hex = Zeroizing::new(hex::encode(x.expose_secret()) + "\n");
    create_file(&dir.join(ENCRYPTION_KEY), x_hex.as_bytes(), 0o600)?;
    let der = identity.certificate().to_der();
    let mut text = String::new();
    for line in der.chunks(32) {
        text.push_str(&hex::encode(line));
        text.push('\n');
    }
    create_file(&dir.join(CERT_HEX), text.as_bytes(), 0o644)?;
    // The certificate last: its presence means "initialised".
    create_file(&dir.join(CERT_DER), der, 0o644)?;
    Ok(identity.certificate().clone())
}

/// Loads the relay identity from `dir`, checking that the keys are the
/// certificate's.
///
/// # Errors
/// A file is missing or does not match.
pub fn load_identity(dir: &Path) -> anyhow::Result<RelayIdentity> {
    let der = read(&dir.join(CERT_DER))?;
    let cert = RelayCertificate::from_der(&der)?;
    let sig = Zeroizing::new(read(&dir.join(SIGNATURE_KEY))?);
    let sig = RsaSigningKey::from_pkcs8_der(&sig)?;
    let x = read_hex_secret(&dir.join(ENCRYPTION_KEY))?;
    let enc = elgamal::PrivateKey::from_x_be(cert.encryption_key().group().clone(), &x)?;
    Ok(RelayIdentity::from_parts(&der, enc, sig)?)
}
