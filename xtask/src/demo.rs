//! `cargo xtask demo`: both protocols end to end over loopback, with the
//! real binaries, printing a readable transcript.
//!
//! 1. CredSSP v6 over TLS: `credssp server` and `credssp client`
//!    (SPNEGO/NTLM, a password delegated).
//! 2. Groove SSTP security: `sstp relay` with a fresh store and
//!    `sstp client` through new account registration, reconnect
//!    authentication and identity registration.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A server child process, killed when dropped whatever happens.
struct Server {
    name: &'static str,
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `cmd` and waits for its `LISTENING <addr>` line.
    fn start(name: &'static str, cmd: &mut Command) -> Result<(Self, String), String> {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting {name}: {e}"))?;
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        forward(stdout, tx.clone());
        forward(stderr, tx);
        let server = Self {
            name,
            child,
            lines: rx,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match server.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("LISTENING ") {
                        say(name, &line);
                        let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                        return Ok((server, addr));
                    }
                }
                Err(_) => return Err(format!("{name} did not print LISTENING within 30 s")),
            }
        }
    }

    /// Prints what the server logged so far (lines other than PEM blocks).
    fn drain(&self, wait: Duration) {
        let deadline = Instant::now() + wait;
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if !is_pem_noise(&line) {
                say(self.name, &line);
            }
        }
    }
}

/// Sends each line `from` produces to `to`, on a thread of its own.
fn forward(from: impl Read + Send + 'static, to: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if to.send(line).is_err() {
                break;
            }
        }
    });
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_pem_noise(line: &str) -> bool {
    line.starts_with("-----")
        || (!line.is_empty()
            && line.len() >= 60
            && line
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
}

fn say(who: &str, line: &str) {
    println!("  {who:>14} | {line}");
}

fn heading(text: &str) {
    println!("\n== {text} ==");
}

/// Runs a client command to completion, printing its output; fails on a
/// non-zero exit.
fn client(who: &'static str, cmd: &mut Command) -> Result<(), String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {who}: {e}"))?;
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {who}: {e}"))?;
    for line in out.lines().chain(err.lines()) {
        if !is_pem_noise(line) {
            say(who, line);
        }
    }
    if status.success() {
        Ok(())
    } else {
        Err(format!("{who} failed with {status}"))
    }
}

pub fn run(root: &Path) -> Result<(), String> {
    heading("building the credssp and sstp tools (release)");
    crate::cargo(
        root,
        &[
            "build",
            "--release",
            "--quiet",
            "-p",
            "credssp-cli",
            "-p",
            "sstp-cli",
        ],
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let bin = target.join("release");
    let work = target.join("demo");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let started = Instant::now();
    credssp(&bin.join("credssp"), &work)?;
    groove(&bin.join("sstp"), &work)?;
    println!(
        "\ndemo finished in {:.1?}: both protocols ran end to end over 127.0.0.1",
        started.elapsed()
    );
    Ok(())
}

fn credssp(credssp: &Path, work: &Path) -> Result<(), String> {
    heading("CredSSP v6 over TLS: SPNEGO/NTLM, a password delegated");
    let users = work.join("credssp-users.txt");
    std::fs::write(&users, "TESTDOM:alice:Passw0rd!\n").map_err(|e| e.to_string())?;
    let (server, addr) = Server::start(
        "credssp server",
        Command::new(credssp)
            .args([
                "server",
                "--listen",
                "127.0.0.1:0",
                "--count",
                "1",
                "--users",
            ])
            .arg(&users),
    )?;
    client(
        "credssp client",
        Command::new(credssp)
            .args([
                "client",
                "--connect",
                &addr,
                "--user",
                "TESTDOM\\alice",
                "--password-env",
            ])
            .arg("XTASK_DEMO_PASSWORD")
            .env("XTASK_DEMO_PASSWORD", "Passw0rd!"),
    )?;
    server.drain(Duration::from_secs(2));
    Ok(())
}

fn groove(sstp: &Path, work: &Path) -> Result<(), String> {
    heading("Groove SSTP security: relay with a fresh store, one client");
    let data = work.join("relay");
    let profile = work.join("client-profile");
    let relay_url = "grooveDNS://relay.demo.invalid";
    let account = "grooveAccount://demo-account@";
    let token = "demo-pre-auth-token";
    client(
        "sstp relay init",
        Command::new(sstp)
            .args(["relay", "init", "--relay-url", relay_url, "--data"])
            .arg(&data),
    )?;
    client(
        "sstp relay",
        Command::new(sstp)
            .args([
                "relay",
                "add-user",
                "--token",
                token,
                "--account",
                account,
                "--data",
            ])
            .arg(&data),
    )?;
    let (relay, addr) = Server::start(
        "sstp relay",
        Command::new(sstp)
            .args(["relay", "serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data),
    )?;
    client(
        "sstp client",
        Command::new(sstp)
            .args([
                "client",
                "keygen",
                "--device-url",
                "dpp:///demo-device",
                "--account-url",
                account,
            ])
            .arg("--profile")
            .arg(&profile),
    )?;
    let cert = data.join("relay-cert.der");
    let connect = |extra: &[&str]| {
        let mut cmd = Command::new(sstp);
        cmd.args(["client", "connect", "--relay", &addr, "--profile"])
            .arg(&profile)
            .arg("--relay-cert")
            .arg(&cert)
            .args(extra);
        cmd
    };
    heading("1. new account and device registration (Figure 7)");
    client("sstp client", &mut connect(&["--pre-auth-token", token]))?;
    relay.drain(Duration::from_millis(500));
    heading("2. reconnect: device and account authentication (Figure 9)");
    client("sstp client", &mut connect(&[]))?;
    relay.drain(Duration::from_millis(500));
    heading("3. identity registration");
    client(
        "sstp client",
        &mut connect(&["--add-identity", "grooveIdentity://alice@demo"]),
    )?;
    relay.drain(Duration::from_millis(500));
    Ok(())
}
