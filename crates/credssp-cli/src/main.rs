//! `credssp`: a CredSSP client and server over TLS (optionally RDP-framed)
//! and a TSRequest decoder. Glue over `credssp-tls` / `credssp-core`.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::{ArgGroup, Args, Parser, Subcommand};
use credssp_core::{
    ClientConfig, CredSspClient, Credentials, CspDataDetail, Delegation, RemoteGuardCreds,
    RemoteGuardPackageCred, ServerConfig, SmartCardCreds, SpnAllowList,
};
use credssp_tls::blocking::Acceptor;
use credssp_tls::mech::{ClientMechKind, ClientSecret, client_mechanism, server_mechanism};
use credssp_tls::rdp::{ConnectionRequest, PROTOCOL_HYBRID, PROTOCOL_HYBRID_EX, PROTOCOL_SSL};
use credssp_tls::tls::{CertPolicy, ServerIdentity};
use credssp_tls::{ClientSetup, RdpClient, RdpServer};
use zeroize::Zeroizing;

mod decode;
mod secrets;
mod users;

#[derive(Debug, Parser)]
#[command(
    name = "credssp",
    version,
    about = "CredSSP ([MS-CSSP] v2-6) client, server and decoder"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Accept CredSSP connections and print what each client delegated.
    Server(ServerArgs),
    /// Delegate credentials to a CredSSP server.
    Client(Box<ClientArgs>),
    /// Dissect TSRequests (hex), optionally decrypting with the password.
    Decode(decode::DecodeArgs),
}

#[derive(Debug, Args)]
struct ServerArgs {
    /// Address to listen on (port 0 picks one; see the LISTENING line).
    #[arg(long, default_value = "127.0.0.1:3389")]
    listen: String,
    /// PEM certificate chain (default: a generated self-signed RSA one).
    #[arg(long, requires = "key")]
    cert: Option<PathBuf>,
    /// PEM private key for --cert.
    #[arg(long, requires = "cert")]
    key: Option<PathBuf>,
    /// Users: `DOMAIN:USER:PASSWORD` or `DOMAIN:USER::NTHASH` per line.
    #[arg(long)]
    users: PathBuf,
    /// Expect the RDP X.224 Connection Request first.
    #[arg(long)]
    rdp: bool,
    /// With --rdp, select PROTOCOL_HYBRID_EX when offered.
    #[arg(long, requires = "rdp")]
    hybrid_ex: bool,
    /// CredSSP version we advertise.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(2..=6))]
    version: u32,
    /// Lowest client version accepted.
    #[arg(long, default_value_t = credssp_core::DEFAULT_MIN_VERSION)]
    min_version: u32,
    /// Exit after this many connections.
    #[arg(long)]
    count: Option<u64>,
    /// NetBIOS computer name announced in the NTLM CHALLENGE.
    #[arg(long, default_value = "CREDSSP-SRV")]
    computer: String,
    /// Per-connection timeout in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Print delegated passwords, PINs and (hex) Remote Guard credential
    /// buffers.
    #[arg(long)]
    show_secrets: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("smartcard").multiple(true)))]
#[command(group(ArgGroup::new("remoteguard").multiple(true).conflicts_with("smartcard")))]
struct ClientArgs {
    /// HOST:PORT of the server.
    #[arg(long)]
    connect: String,
    /// `DOMAIN\user` (or `user`).
    #[arg(long)]
    user: String,
    /// Read the password from this environment variable. Without it or
    /// --password-file the password is prompted for: without echo when
    /// stdin is a terminal, else one line is read from stdin.
    #[arg(long, conflicts_with = "password_file")]
    password_env: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long)]
    password_file: Option<PathBuf>,
    /// Authenticate NTLM with this NT hash (hex) instead of the password;
    /// the password is still what is delegated (not asked for when
    /// delegating smart-card or Remote Guard credentials).
    #[arg(long)]
    nt_hash_env: Option<String>,
    /// RDP X.224 negotiation before TLS.
    #[arg(long)]
    rdp: bool,
    /// With --rdp, also offer PROTOCOL_HYBRID_EX.
    #[arg(long, requires = "rdp")]
    hybrid_ex: bool,
    /// Raw NTLMSSP in negoTokens (FreeRDP style) instead of SPNEGO.
    #[arg(long)]
    raw_ntlm: bool,
    /// CredSSP version we advertise.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(2..=6))]
    version: u32,
    /// Lowest server version accepted.
    #[arg(long, default_value_t = credssp_core::DEFAULT_MIN_VERSION)]
    min_version: u32,
    /// Target SPN (default TERMSRV/<host>).
    #[arg(long)]
    spn: Option<String>,
    /// SPN patterns credentials may be delegated to (default: the SPN).
    #[arg(long)]
    allow: Vec<String>,
    /// Only accept the server certificate with this SHA-256 fingerprint.
    #[arg(long, conflicts_with = "roots")]
    pin: Option<String>,
    /// Verify the server certificate against these PEM roots.
    #[arg(long)]
    roots: Option<PathBuf>,
    /// Delegate smart-card credentials: the PIN comes from this variable.
    #[arg(long, group = "smartcard")]
    smartcard_pin_env: Option<String>,
    /// Smart-card reader name.
    #[arg(long, requires = "smartcard_pin_env", group = "smartcard")]
    reader: Option<String>,
    /// Smart-card card name.
    #[arg(long, requires = "smartcard_pin_env", group = "smartcard")]
    card: Option<String>,
    /// Smart-card key container name.
    #[arg(long, requires = "smartcard_pin_env", group = "smartcard")]
    container: Option<String>,
    /// Smart-card CSP name.
    #[arg(long, requires = "smartcard_pin_env", group = "smartcard")]
    csp: Option<String>,
    /// Delegate Remote Credential Guard credentials ([MS-CSSP] 2.2.1.2.3):
    /// the logon credential's security package (e.g. `Kerberos`).
    #[arg(
        long,
        value_name = "NAME",
        requires = "remote_guard_cred_file",
        group = "remoteguard"
    )]
    remote_guard_package: Option<String>,
    /// The logon credential's credBuffer: a file of raw bytes, or of hex
    /// digits (only hex digits and whitespace: decoded as hex).
    #[arg(
        long,
        value_name = "PATH",
        requires = "remote_guard_package",
        group = "remoteguard"
    )]
    remote_guard_cred_file: Option<PathBuf>,
    /// A supplemental package credential, `NAME=PATH` (file as for
    /// --remote-guard-cred-file); repeatable, in order.
    #[arg(
        long,
        value_name = "NAME=PATH",
        value_parser = secrets::parse_supplemental,
        requires = "remote_guard_package",
        group = "remoteguard"
    )]
    remote_guard_supplemental: Vec<(String, PathBuf)>,
    /// Timeout in seconds for connect and each read/write.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Server(a) => server(a),
        Command::Client(a) => client(*a),
        Command::Decode(a) => decode::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("CREDSSP_FAIL {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn describe_delegation(d: &Delegation, show_secrets: bool) -> String {
    match &d.credentials {
        Credentials::Password(p) => {
            let mut line = format!(
                "DELEGATED domain={} user={} cred_type=password version={}",
                p.domain, p.user, d.version
            );
            if show_secrets {
                line.push_str(&format!(" password={}", p.password.expose_secret()));
            }
            line
        }
        Credentials::SmartCard(s) => {
            let mut line = format!(
                "DELEGATED domain={} user={} cred_type=smartcard version={} reader={} card={}",
                s.domain_hint.as_deref().unwrap_or(""),
                s.user_hint.as_deref().unwrap_or(""),
                d.version,
                s.csp_data.reader_name.as_deref().unwrap_or(""),
                s.csp_data.card_name.as_deref().unwrap_or(""),
            );
            if show_secrets {
                line.push_str(&format!(" pin={}", s.pin.expose_secret()));
            }
            line
        }
        Credentials::RemoteGuard(r) => {
            let supplemental = r.supplemental_creds.as_deref().unwrap_or_default();
            let names: Vec<&str> = supplemental
                .iter()
                .map(|c| c.package_name.as_str())
                .collect();
            let mut line = format!(
                "DELEGATED domain= user= cred_type=remoteguard version={} package={} supplemental={}",
                d.version,
                r.logon_cred.package_name,
                names.join(",")
            );
            if show_secrets {
                let hex = |c: &RemoteGuardPackageCred| {
                    Zeroizing::new(hex::encode(c.cred_buffer.expose_secret()))
                };
                line.push_str(&format!(" logon_cred={}", *hex(&r.logon_cred)));
                let creds: Vec<Zeroizing<String>> = supplemental
                    .iter()
                    .map(|c| Zeroizing::new(format!("{}:{}", c.package_name, *hex(c))))
                    .collect();
                let joined = Zeroizing::new(
                    creds
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                );
                line.push_str(&format!(" supplemental_creds={}", *joined));
            }
            line
        }
        other => format!(
            "DELEGATED cred_type={} version={}",
            other.cred_type(),
            d.version
        ),
    }
}

fn server(a: ServerArgs) -> Result<ExitCode> {
    let store = users::load(&a.users)?;
    let domain = store.first_domain.clone();
    let store: Arc<dyn ntlm::CredentialStore + Send + Sync> = Arc::new(store.store);
    let identity = match (&a.cert, &a.key) {
        (Some(c), Some(k)) => ServerIdentity::from_pem_files(c, k)?,
        _ => {
            let id = ServerIdentity::self_signed(&["localhost".to_owned()])?;
            print!("{}", id.certificate_pem());
            id
        }
    };
    let sha = credssp_tls::tls::fingerprint(identity.certificate());
    let config = ServerConfig {
        version: a.version,
        min_version: a.min_version,
    };
    let rdp = a.rdp.then_some(RdpServer {
        allow_hybrid_ex: a.hybrid_ex,
    });
    let acceptor = Arc::new(Acceptor::new(&identity, config, rdp)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&a.listen)
            .await
            .with_context(|| format!("listen on {}", a.listen))?;
        println!(
            "LISTENING {} cert_sha256={}",
            listener.local_addr()?,
            hex::encode(sha)
        );
        let mut tasks = tokio::task::JoinSet::new();
        let mut accepted = 0u64;
        let mut failures = 0u64;
        while a.count.is_none_or(|n| accepted < n) {
            let (tcp, peer) = listener.accept().await?;
            accepted += 1;
            let acceptor = acceptor.clone();
            let mech = server_mechanism(store.clone(), &a.computer, &domain)?;
            let timeout = Duration::from_secs(a.timeout);
            let show = a.show_secrets;
            tasks.spawn(async move {
                let result = tokio::time::timeout(timeout, acceptor.accept_async(tcp, mech)).await;
                match result {
                    Ok(Ok(summary)) => {
                        println!(
                            "CONN peer={peer} result=ok version={} tls={}{}",
                            summary.delegation.version,
                            summary.tls,
                            summary
                                .rdp_cookie
                                .map(|c| format!(" rdp_cookie={c:?}"))
                                .unwrap_or_default()
                        );
                        println!("{}", describe_delegation(&summary.delegation, show));
                        true
                    }
                    Ok(Err(e)) => {
                        println!("CONN peer={peer} result=fail reason={e}");
                        false
                    }
                    Err(_) => {
                        println!("CONN peer={peer} result=fail reason=timeout after {timeout:?}");
                        false
                    }
                }
            });
            while let Some(done) = tasks.try_join_next() {
                failures += u64::from(!done.unwrap_or(false));
            }
        }
        while let Some(done) = tasks.join_next().await {
            failures += u64::from(!done.unwrap_or(false));
        }
        anyhow::Ok(if failures == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        })
    })
}

fn client(a: ClientArgs) -> Result<ExitCode> {
    let (domain, user) = match a.user.split_once('\\') {
        Some((d, u)) => (d.to_owned(), u.to_owned()),
        None => (String::new(), a.user.clone()),
    };
    // The password authenticates NTLM (unless --nt-hash-env) and is what is
    // delegated as password credentials; otherwise it is not needed.
    let delegates_password = a.smartcard_pin_env.is_none() && a.remote_guard_package.is_none();
    let password = if a.nt_hash_env.is_none() || delegates_password {
        secrets::read_secret(
            a.password_env.as_ref(),
            a.password_file.as_ref(),
            "password",
        )?
    } else {
        Zeroizing::new(String::new())
    };
    let host = a
        .connect
        .rsplit_once(':')
        .map(|(h, _)| h.trim_start_matches('[').trim_end_matches(']').to_owned())
        .ok_or_else(|| anyhow!("--connect wants HOST:PORT"))?;
    let spn = a.spn.clone().unwrap_or_else(|| format!("TERMSRV/{host}"));
    let mut allow = SpnAllowList::new();
    for p in if a.allow.is_empty() {
        std::slice::from_ref(&spn)
    } else {
        &a.allow[..]
    } {
        allow = allow.allow(p);
    }
    let mut config = ClientConfig::new(&spn, allow);
    config.version = a.version;
    config.min_version = a.min_version;
    let credentials = match (&a.smartcard_pin_env, &a.remote_guard_package) {
        (Some(var), _) => Credentials::SmartCard(SmartCardCreds {
            pin: credssp_core::SecretString::new(&Zeroizing::new(
                std::env::var(var).with_context(|| format!("PIN: ${var} is not set"))?,
            )),
            csp_data: CspDataDetail {
                key_spec: 1,
                card_name: a.card.clone(),
                reader_name: a.reader.clone(),
                container_name: a.container.clone(),
                csp_name: a.csp.clone(),
            },
            user_hint: Some(user.clone()),
            domain_hint: Some(domain.clone()),
        }),
        (None, Some(package)) => {
            let path = a
                .remote_guard_cred_file
                .as_ref()
                .ok_or_else(|| anyhow!("--remote-guard-package needs --remote-guard-cred-file"))?;
            let supplemental = a
                .remote_guard_supplemental
                .iter()
                .map(|(name, path)| secrets::package_cred(name, path))
                .collect::<Result<Vec<_>>>()?;
            Credentials::RemoteGuard(RemoteGuardCreds {
                logon_cred: secrets::package_cred(package, path)?,
                // Absent on the wire unless given.
                supplemental_creds: (!supplemental.is_empty()).then_some(supplemental),
            })
        }
        (None, None) => Credentials::password(&domain, &user, &password),
    };
    let ntlm_password = ntlm::Password::new(&password);
    let secret = match &a.nt_hash_env {
        Some(var) => ClientSecret::NtHash(users::parse_nt_hash(&Zeroizing::new(
            std::env::var(var).with_context(|| format!("NT hash: ${var} is not set"))?,
        ))?),
        None => ClientSecret::Password(&ntlm_password),
    };
    let kind = if a.raw_ntlm {
        ClientMechKind::RawNtlm
    } else {
        ClientMechKind::Spnego
    };
    let mechanism = client_mechanism(&domain, &user, secret, &spn, kind)?;
    // Fail on policy before touching the network.
    check_policy(&config, &credentials)?;
    let policy = match (&a.pin, &a.roots) {
        (Some(pin), _) => CertPolicy::PinSha256(credssp_tls::tls::parse_fingerprint(pin)?),
        (None, Some(roots)) => CertPolicy::Roots(credssp_tls::tls::load_roots(roots)?),
        (None, None) => CertPolicy::Any,
    };
    let tls = credssp_tls::tls::client_config(&policy)?;
    let timeout = Duration::from_secs(a.timeout);
    let addr = a
        .connect
        .to_socket_addrs()
        .with_context(|| format!("resolve {}", a.connect))?
        .next()
        .ok_or_else(|| anyhow!("{} resolves to nothing", a.connect))?;
    let tcp =
        TcpStream::connect_timeout(&addr, timeout).with_context(|| format!("connect to {addr}"))?;
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))?;
    let rdp = a.rdp.then(|| RdpClient {
        request: ConnectionRequest::new(
            &user,
            PROTOCOL_SSL | PROTOCOL_HYBRID | if a.hybrid_ex { PROTOCOL_HYBRID_EX } else { 0 },
        ),
    });
    let setup = ClientSetup {
        config,
        credentials,
        mechanism,
    };
    let summary = credssp_tls::blocking::connect(tcp, tls, &host, rdp.as_ref(), setup)?;
    if let Some(code) = summary.early_user_authorization
        && code != credssp_tls::rdp::AUTHZ_SUCCESS
    {
        bail!("credentials delivered but the server denied authorization (result 0x{code:x})");
    }
    println!(
        "CREDSSP_OK version={} tls={} cert_sha256={}{}",
        summary.version.map_or("?".to_owned(), |v| v.to_string()),
        summary.tls,
        hex::encode(summary.server_cert_sha256),
        summary
            .selected_protocol
            .map(|p| format!(" rdp_selected=0x{p:x}"))
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `credssp-core`'s constructor checks (versions, SPN allow-list)
/// with a throwaway key, so a refused delegation never opens a socket.
fn check_policy(config: &ClientConfig, credentials: &Credentials) -> Result<()> {
    let key = credssp_core::ServerPublicKey::from_raw_subject_public_key(&[0x30, 0x00])?;
    let mech = Box::new(spnego::NtlmMechanism::initiator(
        ntlm::NtlmClient::with_random(
            ntlm::ClientConfig::new("", "", &ntlm::Password::new("")),
            ntlm::ClientRandom::from_bytes([0; 8], [0; 16]),
        ),
    ));
    CredSspClient::with_nonce(
        config.clone(),
        credentials.dangerous_clone(),
        mech,
        key,
        [0; 32],
    )?;
    Ok(())
}
