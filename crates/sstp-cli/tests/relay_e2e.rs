//! End to end: the real `sstp` binary as relay daemon and as client, over
//! 127.0.0.1, through the three [MS-GRVSSTPS] §4 scenarios, identity
//! registration, a graceful restart, a `kill -9` crash, and hostile
//! clients. Every child is killed on every path (Drop guard); every wait
//! is bounded.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sstp");
const ACCOUNT: &str = "grooveAccount://e2e@";
const TOKEN: &str = "4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973";
const ID_1: &str = "grooveIdentity://one@";
const ID_2: &str = "grooveIdentity://two@";

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sstp-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `sstp` to completion, killed after `limit`.
fn sstp(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "sstp {args:?} timed out; stdout: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn ok(args: &[&str]) -> String {
    let out = sstp(args, Duration::from_secs(120));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "sstp {args:?} failed: {}\nstdout:\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A running `sstp relay serve`, SIGKILLed on drop.
struct Daemon {
    child: Child,
    addr: String,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn start(data: &Path, extra: &[&str]) -> Self {
        let mut args = vec![
            "relay",
            "serve",
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(extra);
        let mut child = Command::new(BIN)
            .args(&args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut daemon = Self {
            child,
            addr: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("no LISTENING line within 30 s");
        daemon.addr = line
            .trim()
            .strip_prefix("LISTENING ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        daemon
    }

    /// SIGTERM, then wait (bounded) for a clean exit.
    fn stop_gracefully(mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let start = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "no exit on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(self.child.try_wait().unwrap().unwrap().success());
    }

    /// SIGKILL (std's `Child::kill`), no chance to clean up.
    fn crash(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn init_relay(dir: &Path) -> PathBuf {
    let data = dir.join("relay");
    let d = data.to_str().unwrap();
    let out = ok(&[
        "relay",
        "init",
        "--data",
        d,
        "--relay-url",
        "grooveDNS://relay.e2e",
        "--rsa-bits",
        "1024",
    ]);
    assert!(out.contains("fingerprint: "), "{out}");
    ok(&[
        "relay",
        "add-user",
        "--data",
        d,
        "--token",
        TOKEN,
        "--account",
        ACCOUNT,
    ]);
    // Key files are private.
    use std::os::unix::fs::PermissionsExt;
    for f in ["relay-signature-key.p8", "relay-encryption-key.hex"] {
        let mode = std::fs::metadata(data.join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    data
}

fn keygen(profile: &Path, device: &str, account_from: Option<&Path>) {
    let p = profile.to_str().unwrap();
    let mut args = vec![
        "client",
        "keygen",
        "--profile",
        p,
        "--device-url",
        device,
        "--rsa-bits",
        "1024",
    ];
    match account_from {
        Some(src) => args.extend_from_slice(&["--account-from", src.to_str().unwrap()]),
        None => args.extend_from_slice(&["--account-url", ACCOUNT]),
    }
    ok(&args);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(profile.join("secrets.toml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

fn connect(profile: &Path, relay: &Daemon, cert: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "client",
        "connect",
        "--profile",
        profile.to_str().unwrap(),
        "--relay",
        &relay.addr,
        "--relay-cert",
        cert.to_str().unwrap(),
        "--timeout",
        "60",
    ];
    args.extend_from_slice(extra);
    sstp(&args, Duration::from_secs(90))
}

fn authenticated(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && stdout.ends_with("AUTHENTICATED\n"),
        "not authenticated (status {:?}): {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn section_4_scenarios_identities_restart_and_crash() {
    let dir = temp("scenarios");
    let data = init_relay(&dir);
    let cert = data.join("relay-cert.der");
    let pa = dir.join("profile-a");
    let pb = dir.join("profile-b");
    keygen(&pa, "dpp:///device-a", None);

    // A wrong token is refused (UserAuthenticationFailed): exit non-zero.
    let relay = Daemon::start(&data, &[]);
    let refused = connect(&pa, &relay, &cert, &["--pre-auth-token", "WRONG"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stdout).contains("UserAuthenticationFailed"));

    // §4.1 new account and device, with two identities.
    let s = authenticated(&connect(
        &pa,
        &relay,
        &cert,
        &[
            "--pre-auth-token",
            TOKEN,
            "--add-identity",
            ID_1,
            "--add-identity",
            ID_2,
        ],
    ));
    assert!(s.contains("event: DeviceRegistrationNeeded"), "{s}");
    assert!(s.contains("on_new_device: false"), "{s}");
    assert!(s.contains("DeviceAccountRegistering"), "{s}");
    assert!(s.contains("IdentitiesRegistered"), "{s}");
    let profile = std::fs::read_to_string(pa.join("profile.toml")).unwrap();
    assert!(
        profile.contains(ID_1) && profile.contains(ID_2),
        "{profile}"
    );

    // Graceful restart between registration and reconnect.
    relay.stop_gracefully();
    let relay = Daemon::start(&data, &[]);

    // §4.3 reconnecting client, removing one identity.
    let s = authenticated(&connect(&pa, &relay, &cert, &["--remove-identity", ID_2]));
    assert!(s.contains("event: DeviceAuthenticated"), "{s}");
    assert!(s.contains("connection: ConnectAuthenticated"), "{s}");
    assert!(
        !s.contains("Registering"),
        "reconnect must not register: {s}"
    );
    let profile = std::fs::read_to_string(pa.join("profile.toml")).unwrap();
    assert!(
        profile.contains(ID_1) && !profile.contains(ID_2),
        "{profile}"
    );

    // §4.2 the account on a new device.
    keygen(&pb, "dpp:///device-b", Some(&pa));
    let s = authenticated(&connect(&pb, &relay, &cert, &[]));
    assert!(s.contains("AccountOnNewDeviceRegistering"), "{s}");
    assert!(s.contains("on_new_device: true"), "{s}");

    // Crash: SIGKILL right after an acknowledged registration, restart,
    // both devices authenticate without registering.
    relay.crash();
    let relay = Daemon::start(&data, &[]);
    for p in [&pa, &pb] {
        let s = authenticated(&connect(p, &relay, &cert, &[]));
        assert!(s.contains("event: DeviceAuthenticated"), "{s}");
        assert!(!s.contains("Registering"), "{s}");
    }
    drop(relay);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads until EOF or `limit`; returns the bytes and whether EOF came.
fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    s.set_read_timeout(Some(limit)).unwrap();
    let mut all = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (all, true),
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(_) => return (all, false),
        }
    }
}

/// ConnectClose: CommandId 0x04; its ReasonId follows the 3-byte header.
fn connect_close_reason(bytes: &[u8]) -> Option<u8> {
    match sstp_wire::Command::parse(bytes).ok()? {
        sstp_wire::Command::ConnectClose(c) => Some(c.reason.to_u8()),
        _ => None,
    }
}

#[test]
fn hostile_clients_are_closed_and_do_not_disturb_a_good_one() {
    let dir = temp("hostile");
    let data = init_relay(&dir);
    let cert = data.join("relay-cert.der");
    let pa = dir.join("profile");
    keygen(&pa, "dpp:///device-h", None);
    let config = dir.join("relay.toml");
    std::fs::write(
        &config,
        "idle_timeout_secs = 3\nread_deadline_secs = 1\nmax_command_len = 4096\n",
    )
    .unwrap();
    let relay = Daemon::start(&data, &["--config", config.to_str().unwrap()]);

    // Slowloris: two bytes of a header, then nothing.
    let mut slow = TcpStream::connect(&relay.addr).unwrap();
    slow.write_all(&[0x01, 0x40]).unwrap();
    // Garbage: a command whose CommandLength (2) is below the header size.
    let mut garbage = TcpStream::connect(&relay.addr).unwrap();
    garbage.write_all(&[0xEE, 0x02, 0x00, 0xFF, 0xFF]).unwrap();
    // Oversized: CommandLength 0x2000 above max_command_len.
    let mut big = TcpStream::connect(&relay.addr).unwrap();
    big.write_all(&[0x01, 0x00, 0x20]).unwrap();
    // Idle: connects and says nothing.
    let mut idle = TcpStream::connect(&relay.addr).unwrap();

    // Meanwhile a good client registers and authenticates.
    let good = connect(&pa, &relay, &cert, &["--pre-auth-token", TOKEN]);

    let protocol_error = sstp_wire::CloseReason::ProtocolError.to_u8();
    let (bytes, eof) = read_until_closed(&mut garbage, Duration::from_secs(10));
    assert!(eof, "garbage client not closed");
    assert_eq!(
        connect_close_reason(&bytes),
        Some(protocol_error),
        "{bytes:02x?}"
    );
    let (bytes, eof) = read_until_closed(&mut big, Duration::from_secs(10));
    assert!(eof, "oversized client not closed");
    assert_eq!(
        connect_close_reason(&bytes),
        Some(protocol_error),
        "{bytes:02x?}"
    );
    let (bytes, eof) = read_until_closed(&mut slow, Duration::from_secs(10));
    assert!(eof, "slowloris not closed");
    assert_eq!(
        connect_close_reason(&bytes),
        Some(protocol_error),
        "{bytes:02x?}"
    );
    let (bytes, eof) = read_until_closed(&mut idle, Duration::from_secs(10));
    assert!(eof, "idle client not closed");
    assert_eq!(
        connect_close_reason(&bytes),
        Some(sstp_wire::CloseReason::Idle.to_u8()),
        "{bytes:02x?}"
    );
    authenticated(&good);
    drop(relay);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn connection_limit_answers_resting() {
    let dir = temp("limit");
    let data = init_relay(&dir);
    let relay = Daemon::start(&data, &["--max-connections", "1"]);
    let _first = TcpStream::connect(&relay.addr).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let mut second = TcpStream::connect(&relay.addr).unwrap();
    let (bytes, eof) = read_until_closed(&mut second, Duration::from_secs(10));
    assert!(eof);
    assert_eq!(
        connect_close_reason(&bytes),
        Some(sstp_wire::CloseReason::Resting.to_u8())
    );
    drop(relay);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn crypto_fingerprint_reads_the_relay_certificate() {
    let dir = temp("fingerprint");
    let data = init_relay(&dir);
    let cert = data.join("relay-cert.der");
    let fp = ok(&["crypto", "fingerprint", "--cert", cert.to_str().unwrap()]);
    let hex_cert = data.join("relay-cert.hex");
    let fp_hex = ok(&[
        "crypto",
        "fingerprint",
        "--cert",
        hex_cert.to_str().unwrap(),
    ]);
    assert_eq!(fp, fp_hex);
    assert_eq!(fp.trim().len(), 40);
    let init_line = std::fs::read(&cert).unwrap();
    let parsed = sstp_security_core::cert::RelayCertificate::from_der(&init_line).unwrap();
    assert_eq!(fp.trim(), hex::encode(parsed.fingerprint()));
    let _ = std::fs::remove_dir_all(&dir);
}
