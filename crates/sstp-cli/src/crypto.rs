//! `sstp crypto ...`: the [MS-GRVSSTPS] crypto of `crypto-primitives`, by
//! hand. All byte arguments are hex (whitespace and `0x` allowed); the
//! numbers p, g, y, x and k are big-endian hex and may have an odd number of
//! digits (`--g 3`).
//!
//! Private values (the MARC4 key, the ElGamal exponent x, decrypted
//! plaintexts) stay in `crypto-primitives`' zeroizing secret types as far as
//! its API allows; they are printed only where the user asked for them
//! (`elgamal-keygen` prints x, `elgamal-decrypt` the plaintext), and never in
//! error messages.

use std::io::Write;

use crypto_primitives::elgamal::{Group, PrivateKey, PublicKey};
use crypto_primitives::rand_core::SeedableRng;
use crypto_primitives::{SecretBytes, marc4_apply, relay_certificate_fingerprint};
use rand_chacha::ChaCha20Rng;

use crate::render::hex;
use crate::{bad_input, input};

#[derive(Debug, clap::Subcommand)]
pub enum CryptoCmd {
    /// MARC4-encrypt or -decrypt (the same operation); prints the output hex
    ///
    /// MARC4 ([MS-GRVSSTPS] 3.1.1.4) is RC4 keyed with key XOR IV, the first
    /// 256 keystream bytes dropped.
    Marc4 {
        /// The key (1 to 256 bytes; the protocol's device and account keys
        /// are 24).
        #[arg(long, value_name = "HEX")]
        key: String,
        /// The IV, as long as the key.
        #[arg(long, value_name = "HEX")]
        iv: String,
        /// The data to encrypt or decrypt (may be empty).
        #[arg(long, value_name = "HEX")]
        data: String,
    },
    /// Generate an ElGamal key pair from OS randomness; prints p, g, x, y, DER
    ///
    /// Prints `p:`, `g:`, `x:` (the private key: keep it secret), `y:` and
    /// `der:` (the public key, [MS-GRVSSTPS] 3.1.1.1; the Groove 2007 form for
    /// the groove2007 group), one per line, in hex.
    ElgamalKeygen {
        /// The group: the Office Groove 2007 group (product note <2>).
        #[arg(long, value_enum, default_value_t = GroupArg::Groove2007, conflicts_with = "bits")]
        group: GroupArg,
        /// Generate a fresh safe-prime group of this many bits (1024 to
        /// 4096) instead; takes seconds to minutes.
        #[arg(long, value_name = "N")]
        bits: Option<u32>,
    },
    /// ElGamal-encrypt as Crypto++ does; prints the ciphertext a || b in hex
    ///
    /// [MS-GRVSSTPS] 3.1.1.3, Crypto++ padding, byte-identical with
    /// Crypto++. k and the padding come from OS randomness; with --k and
    /// --padding the encryption is reproducible, for interop checks (never
    /// reuse a k otherwise).
    ElgamalEncrypt {
        /// The prime p (big-endian).
        #[arg(long, value_name = "HEX", required_unless_present = "public_key_der")]
        p: Option<String>,
        /// The generator g.
        #[arg(long, value_name = "HEX", required_unless_present = "public_key_der")]
        g: Option<String>,
        /// The public value y = g^x mod p.
        #[arg(long, value_name = "HEX", required_unless_present = "public_key_der")]
        y: Option<String>,
        /// The public key as DER (either form of 3.1.1.1) instead of p, g, y.
        #[arg(long, value_name = "HEX", conflicts_with_all = ["p", "g", "y"])]
        public_key_der: Option<String>,
        /// The plaintext (at most min(255, LenM - 3) bytes).
        #[arg(long, value_name = "HEX")]
        plaintext: String,
        /// The ephemeral exponent k in [1, q - 1] (big-endian); with --padding.
        #[arg(long, value_name = "HEX", requires = "padding")]
        k: Option<String>,
        /// The padding, exactly LenM - 2 - len(plaintext) bytes; with --k.
        #[arg(long, value_name = "HEX", requires = "k")]
        padding: Option<String>,
    },
    /// ElGamal-decrypt a ciphertext a || b with Crypto++'s checks; prints hex
    ///
    /// [MS-GRVSSTPS] 3.1.1.3; prints the plaintext in Crypto++'s byte order.
    ElgamalDecrypt {
        /// The prime p (big-endian).
        #[arg(long, value_name = "HEX")]
        p: String,
        /// The generator g.
        #[arg(long, value_name = "HEX")]
        g: String,
        /// The private exponent x, in [1, p - 2].
        #[arg(long, value_name = "HEX")]
        x: String,
        /// The ciphertext a || b (2 * LenM bytes).
        #[arg(long, value_name = "HEX")]
        ciphertext: String,
    },
    /// The relay certificate fingerprint, from the certificate's three values
    ///
    /// [MS-GRVSSTPS] 3.1.1.2: SHA-1(UTF-16LE(key algorithm) ||
    /// UTF-16LE(algorithm) || DER public key), the three values of the relay
    /// certificate's Groove extensions: read from a relay certificate file
    /// (--cert PATH, DER or hex, e.g. `relay-cert.der` of `sstp relay
    /// init`), or given as values.
    Fingerprint {
        /// A relay certificate (DER, or hex text); replaces the three values.
        #[arg(long, value_name = "PATH", conflicts_with = "public_key_der")]
        cert: Option<std::path::PathBuf>,
        /// EncryptionPublicKeyAlgorithmName (extension 2.16.840.1.114227.1.1.2).
        #[arg(long, value_name = "NAME", default_value = "DH")]
        key_algorithm: String,
        /// EncryptionAlgorithmName (extension 2.16.840.1.114227.1.1.3).
        #[arg(long, value_name = "NAME", default_value = "ELGAMAL")]
        algorithm: String,
        /// The DER encryption public key (extension 2.16.840.1.114227.1.1.1).
        #[arg(long, value_name = "HEX", required_unless_present = "cert")]
        public_key_der: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupArg {
    /// p = 2^1536 - 0x16F055, g = 3.
    Groove2007,
}

/// Hex of a public byte-string argument.
fn arg(name: &str, value: &str) -> anyhow::Result<Vec<u8>> {
    input::parse_hex(value, None).map_err(|e| bad_input(format!("--{name}: invalid hex: {e}")))
}

/// Hex of a secret byte-string argument, into a zeroizing buffer; errors do
/// not quote it.
fn secret_arg(name: &str, value: &str) -> anyhow::Result<SecretBytes> {
    input::parse_hex(value, None)
        .map(SecretBytes::new)
        .map_err(|e| bad_input(format!("--{name}: invalid hex: {}", e.redacted())))
}

/// A big-endian number in hex: like a byte string, but an odd number of
/// digits is read with a leading zero (`--g 3`).
fn number_text(value: &str) -> String {
    let digits: String = value.split_whitespace().collect();
    let digits = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
        .unwrap_or(&digits);
    if digits.len() % 2 == 1 {
        format!("0{digits}")
    } else {
        digits.to_string()
    }
}

/// A public number argument.
fn number(name: &str, value: &str) -> anyhow::Result<Vec<u8>> {
    arg(name, &number_text(value))
}

/// A secret number argument.
fn secret_number(name: &str, value: &str) -> anyhow::Result<SecretBytes> {
    secret_arg(name, &number_text(value))
}

/// A CSPRNG seeded from the operating system.
fn os_rng() -> anyhow::Result<ChaCha20Rng> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("cannot get randomness from the operating system: {e}"))?;
    let rng = ChaCha20Rng::from_seed(seed);
    seed.fill(0);
    Ok(rng)
}

pub fn run(cmd: &CryptoCmd, out: &mut impl Write) -> anyhow::Result<()> {
    match cmd {
        CryptoCmd::Marc4 { key, iv, data } => {
            let key = secret_arg("key", key)?;
            let iv = arg("iv", iv)?;
            let mut data = arg("data", data)?;
            marc4_apply(key.expose_secret(), &iv, &mut data)?;
            writeln!(out, "{}", hex(&data))?;
        }
        CryptoCmd::ElgamalKeygen { group, bits } => {
            let mut rng = os_rng()?;
            let group = match (bits, group) {
                (Some(bits), _) => Group::generate(&mut rng, *bits)?,
                (None, GroupArg::Groove2007) => Group::groove2007(),
            };
            let key = PrivateKey::generate(&mut rng, group)?;
            let public = key.public_key();
            writeln!(out, "p: {}", hex(&public.group().p_be()))?;
            writeln!(out, "g: {}", hex(&public.group().g_be()))?;
            writeln!(out, "x: {}", hex(key.x_be_secret().expose_secret()))?;
            writeln!(out, "y: {}", hex(&public.y_be()))?;
            writeln!(out, "der: {}", hex(&public.to_der()?))?;
        }
        CryptoCmd::ElgamalEncrypt {
            p,
            g,
            y,
            public_key_der,
            plaintext,
            k,
            padding,
        } => {
            let key = match (public_key_der, p, g, y) {
                (Some(der), _, _, _) => PublicKey::from_der(&arg("public-key-der", der)?)?,
                (None, Some(p), Some(g), Some(y)) => {
                    let group = Group::new(&number("p", p)?, &number("g", g)?)?;
                    PublicKey::new(group, &number("y", y)?)?
                }
                _ => return Err(bad_input("give --p, --g and --y, or --public-key-der")),
            };
            let plaintext = secret_arg("plaintext", plaintext)?;
            let ciphertext = match (k, padding) {
                (Some(k), Some(padding)) => key.encrypt_with(
                    plaintext.expose_secret(),
                    secret_number("k", k)?.expose_secret(),
                    &arg("padding", padding)?,
                )?,
                (None, None) => key.encrypt(&mut os_rng()?, plaintext.expose_secret())?,
                _ => return Err(bad_input("--k and --padding go together")),
            };
            writeln!(out, "{}", hex(&ciphertext))?;
        }
        CryptoCmd::ElgamalDecrypt {
            p,
            g,
            x,
            ciphertext,
        } => {
            let group = Group::new(&number("p", p)?, &number("g", g)?)?;
            let key = PrivateKey::from_x_be(group, secret_number("x", x)?.expose_secret())?;
            let plaintext = key.decrypt(&arg("ciphertext", ciphertext)?)?;
            writeln!(out, "{}", hex(plaintext.expose_secret()))?;
        }
        CryptoCmd::Fingerprint {
            cert: Some(path), ..
        } => {
            let cert = crate::relay::read_certificate(path)?;
            writeln!(out, "{}", hex(cert.fingerprint()))?;
        }
        CryptoCmd::Fingerprint {
            key_algorithm,
            algorithm,
            public_key_der,
            cert: None,
        } => {
            let der = arg(
                "public-key-der",
                public_key_der.as_deref().unwrap_or_default(),
            )?;
            writeln!(
                out,
                "{}",
                hex(&relay_certificate_fingerprint(
                    key_algorithm,
                    algorithm,
                    &der
                ))
            )?;
        }
    }
    Ok(())
}
