//! `sstp relay`: the Groove relay daemon ([MS-GRVSSTPS] 3.3) over
//! `sstp-relay` — key generation, user provisioning, serving.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use sstp_relay::files::{self, GroupChoice};
use sstp_relay::{Config, RedbStore, Relay};
use sstp_security_core::cert::RelayCertificate;

use crate::bad_input;
use crate::render::hex;

#[derive(Debug, clap::Subcommand)]
pub enum RelayCmd {
    /// Create the relay certificate and keys in DIR
    ///
    /// Writes relay-cert.der, relay-cert.hex, relay-signature-key.p8 (0600)
    /// and relay-encryption-key.hex (0600); prints the relay URL and the
    /// certificate fingerprint ([MS-GRVSSTPS] 3.1.1.2). Refuses to overwrite.
    Init {
        /// The data directory.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// The relay URL (certificate CN), e.g. grooveDNS://relay.example.
        #[arg(long, value_name = "URL")]
        relay_url: String,
        /// ElGamal group: groove2007, or generate:BITS for a fresh one.
        #[arg(long, default_value = "groove2007")]
        group: GroupChoice,
        /// RSA signature key size.
        #[arg(long, default_value_t = 2048)]
        rsa_bits: usize,
        /// Certificate validity.
        #[arg(long, default_value_t = 3650)]
        validity_days: u64,
    },
    /// Run the relay: one engine per TCP connection, records in DIR/relay.redb
    ///
    /// Prints `LISTENING <addr>` once bound (port 0 picks one). Logs go to
    /// stderr (RUST_LOG, default info); SIGINT/SIGTERM shut down gracefully.
    Serve {
        /// The data directory.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// TOML settings (see sstp-relay's config module); flags override.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Address to listen on [default 0.0.0.0:2492].
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Concurrent connections [default 1024].
        #[arg(long, value_name = "N")]
        max_connections: Option<usize>,
        /// Seconds without a command before ConnectClose Idle [default 300].
        #[arg(long, value_name = "SECS")]
        idle_timeout: Option<u64>,
        /// Seconds a started command may take [default 30].
        #[arg(long, value_name = "SECS")]
        read_deadline: Option<u64>,
        /// Largest CommandLength accepted [default 65535].
        #[arg(long, value_name = "BYTES")]
        max_command_len: Option<usize>,
    },
    /// Provision a pre-authentication token for an account (the management
    /// server's role, [MS-GRVSSTPS] 1.3.1); run while the relay is stopped
    AddUser {
        /// The data directory.
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// The pre-authentication token (user identifier).
        #[arg(long, value_name = "T")]
        token: String,
        /// The account URL it belongs to.
        #[arg(long, value_name = "URL")]
        account: String,
    },
}

/// Reads a relay certificate: DER, or hex text.
pub fn read_certificate(path: &Path) -> anyhow::Result<RelayCertificate> {
    let bytes = std::fs::read(path)
        .map_err(|e| bad_input(format!("cannot read {}: {e}", path.display())))?;
    let der = match RelayCertificate::from_der(&bytes) {
        Ok(c) => return Ok(c),
        Err(e) => match crate::input::parse_hex(&String::from_utf8_lossy(&bytes), None) {
            Ok(der) => der,
            Err(_) => return Err(bad_input(format!("{}: {e}", path.display()))),
        },
    };
    RelayCertificate::from_der(&der).map_err(|e| bad_input(format!("{}: {e}", path.display())))
}

fn open_store(data: &Path) -> anyhow::Result<RedbStore> {
    RedbStore::open(&data.join(files::DATABASE))
        .with_context(|| format!("open {}", data.join(files::DATABASE).display()))
}

pub fn run(cmd: RelayCmd, out: &mut impl Write) -> anyhow::Result<()> {
    match cmd {
        RelayCmd::Init {
            data,
            relay_url,
            group,
            rsa_bits,
            validity_days,
        } => {
            let cert = files::init(&data, &relay_url, group, rsa_bits, validity_days)?;
            open_store(&data)?;
            writeln!(out, "relay-url: {}", cert.relay_url())?;
            writeln!(out, "fingerprint: {}", hex(cert.fingerprint()))?;
            writeln!(out, "certificate: {}", data.join(files::CERT_DER).display())?;
        }
        RelayCmd::AddUser {
            data,
            token,
            account,
        } => {
            open_store(&data)?.add_user(&token, &account)?;
            writeln!(out, "user added for {account}")?;
        }
        RelayCmd::Serve {
            data,
            config,
            listen,
            max_connections,
            idle_timeout,
            read_deadline,
            max_command_len,
        } => {
            let mut cfg = match &config {
                Some(p) => Config::load(p).map_err(|e| bad_input(format!("{e:#}")))?,
                None => Config::default(),
            };
            cfg.listen = listen.unwrap_or(cfg.listen);
            cfg.max_connections = max_connections.unwrap_or(cfg.max_connections);
            cfg.idle_timeout_secs = idle_timeout.unwrap_or(cfg.idle_timeout_secs);
            cfg.read_deadline_secs = read_deadline.unwrap_or(cfg.read_deadline_secs);
            cfg.max_command_len = max_command_len.unwrap_or(cfg.max_command_len);
            serve(&data, &cfg, out)?;
        }
    }
    Ok(())
}

fn serve(data: &Path, cfg: &Config, out: &mut impl Write) -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let identity = files::load_identity(data)?;
    let store = open_store(data)?;
    let relay = Arc::new(Relay {
        identity: Arc::new(identity),
        store,
        options: cfg.relay_options(),
        limits: cfg.limits(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&cfg.listen)
            .await
            .with_context(|| format!("bind {}", cfg.listen))?;
        writeln!(out, "LISTENING {}", listener.local_addr()?)?;
        out.flush()?;
        tracing::info!(
            relay_url = relay.identity.relay_url(),
            max_connections = relay.limits.max_connections,
            "serving"
        );
        sstp_relay::serve(listener, relay, sstp_relay::shutdown_signal()).await?;
        anyhow::Ok(())
    })
}
