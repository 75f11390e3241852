//! `credssp client` options end to end against our own `credssp server` on
//! 127.0.0.1 (ephemeral port): Remote Credential Guard delegation
//! (`--remote-guard-*`), its exclusion from the smart-card options, and the
//! password prompt's non-terminal path (one line from piped stdin).
//!
//! Every child is killed and reaped on every path (`Child` guard); waits
//! are bounded.

mod common;

use common::{Child, scratch};
use std::path::Path;

const OURS: &str = env!("CARGO_BIN_EXE_credssp");
const SAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/peers/samples/v6_tls13"
);

/// Logon credential: raw binary (not UTF-8, not hex).
const LOGON: &[u8] = &[0x00, 0xff, 0x4b, 0x52, 0x42, 0x9e, 0x01, 0x02, 0x03];
/// NTLM supplemental credential, stored as hex text in its file.
const NTLM_HEX_FILE: &str = "5e c7 7a 11 22 33\n44556677\n";
const NTLM_BYTES: &str = "5ec77a11223344556677";

/// Starts our server for one connection; returns it and `127.0.0.1:PORT`.
fn server(dir: &Path, show_secrets: bool) -> (Child, String) {
    let users = dir.join("users");
    std::fs::write(&users, "TESTDOM:alice:Passw0rd!\n").unwrap();
    let cert = format!("{SAMPLES}/server_cert.pem");
    let key = format!("{SAMPLES}/server_key.pem");
    let mut args = vec![
        "server",
        "--listen",
        "127.0.0.1:0",
        "--cert",
        &cert,
        "--key",
        &key,
        "--users",
        users.to_str().unwrap(),
        "--count",
        "1",
        "--timeout",
        "20",
    ];
    if show_secrets {
        args.push("--show-secrets");
    }
    let mut s = Child::spawn(OURS, &args, &[], None, dir);
    let l = s.line("LISTENING ");
    let addr = l.split_whitespace().nth(1).unwrap().to_owned();
    (s, addr)
}

fn write_cred_files(dir: &Path) -> (String, String, String) {
    let logon = dir.join("kerberos.bin");
    let ntlm = dir.join("ntlm.hex");
    let cloud = dir.join("cloudap.bin");
    std::fs::write(&logon, LOGON).unwrap();
    std::fs::write(&ntlm, NTLM_HEX_FILE).unwrap();
    std::fs::write(&cloud, b"CloudAP opaque blob").unwrap();
    (
        logon.to_str().unwrap().to_owned(),
        format!("NTLM={}", ntlm.to_str().unwrap()),
        format!("CloudAP={}", cloud.to_str().unwrap()),
    )
}

/// Runs a Remote Guard delegation; returns (client output, server output,
/// the server's DELEGATED line).
fn remote_guard_run(name: &str, show_secrets: bool) -> (String, String, String) {
    let dir = scratch(name);
    let (logon, ntlm, cloud) = write_cred_files(&dir);
    let (mut srv, addr) = server(&dir, show_secrets);
    let client = Child::spawn(
        OURS,
        &[
            "client",
            "--connect",
            &addr,
            "--user",
            "TESTDOM\\alice",
            "--password-env",
            "CREDSSP_TEST_PW",
            "--timeout",
            "20",
            "--remote-guard-package",
            "Kerberos",
            "--remote-guard-cred-file",
            &logon,
            "--remote-guard-supplemental",
            &ntlm,
            "--remote-guard-supplemental",
            &cloud,
        ],
        &[("CREDSSP_TEST_PW", "Passw0rd!")],
        None,
        &dir,
    );
    let (code, out) = client.finish_all();
    assert_eq!(code, 0, "client: {out}");
    assert!(out.contains("CREDSSP_OK version=6 "), "{out}");
    let delegated = srv.line("DELEGATED ");
    let (scode, sout) = srv.finish_all();
    assert_eq!(scode, 0, "server: {sout}");
    (out, sout, delegated)
}

#[test]
fn remote_guard_delegation_reports_package_names_only() {
    let (_, sout, line) = remote_guard_run("rg-quiet", false);
    assert_eq!(
        line,
        "DELEGATED domain= user= cred_type=remoteguard version=6 package=Kerberos supplemental=NTLM,CloudAP"
    );
    let logon_hex = hex(LOGON);
    for secret in [
        logon_hex.as_str(),
        NTLM_BYTES,
        "5ec77a",
        "CloudAP opaque",
        &hex(b"CloudAP opaque blob"),
        "Passw0rd!",
    ] {
        assert!(!sout.contains(secret), "{secret:?} leaked: {sout}");
    }
}

#[test]
fn remote_guard_delegation_shows_buffers_as_hex_with_show_secrets() {
    let (_, _, line) = remote_guard_run("rg-show", true);
    assert_eq!(
        line,
        format!(
            "DELEGATED domain= user= cred_type=remoteguard version=6 package=Kerberos supplemental=NTLM,CloudAP \
             logon_cred={} supplemental_creds=NTLM:{NTLM_BYTES},CloudAP:{}",
            hex(LOGON),
            hex(b"CloudAP opaque blob")
        )
    );
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn remote_guard_options_are_checked_by_clap() {
    let dir = scratch("rg-clap");
    let (logon, ntlm, _) = write_cred_files(&dir);
    let base = [
        "client",
        "--connect",
        "127.0.0.1:9",
        "--user",
        "alice",
        "--password-env",
        "CREDSSP_TEST_PW",
    ];
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "--remote-guard-package",
                "Kerberos",
                "--remote-guard-cred-file",
                &logon,
                "--smartcard-pin-env",
                "PIN",
            ],
            "cannot be used with",
        ),
        (
            &[
                "--remote-guard-supplemental",
                &ntlm,
                "--reader",
                "R",
                "--smartcard-pin-env",
                "PIN",
            ],
            "cannot be used with",
        ),
        (&["--remote-guard-package", "Kerberos"], "required"),
        (
            &[
                "--remote-guard-package",
                "Kerberos",
                "--remote-guard-cred-file",
                &logon,
                "--remote-guard-supplemental",
                "NTLM",
            ],
            "NAME=PATH",
        ),
    ];
    for (extra, expect) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let c = Child::spawn(OURS, &args, &[("CREDSSP_TEST_PW", "x")], None, &dir);
        let (code, out) = c.finish_all();
        assert_eq!(code, 2, "{extra:?}: {out}");
        assert!(out.contains(expect), "{extra:?}: {out}");
    }
}

#[test]
fn password_prompt_reads_one_line_from_piped_stdin() {
    let dir = scratch("pw-stdin");
    let (mut srv, addr) = server(&dir, true);
    let client = Child::spawn(
        OURS,
        &[
            "client",
            "--connect",
            &addr,
            "--user",
            "TESTDOM\\alice",
            "--timeout",
            "20",
        ],
        &[],
        Some("Passw0rd!\nnot-this-line\n"),
        &dir,
    );
    let (code, out) = client.finish_all();
    assert_eq!(code, 0, "client: {out}");
    assert!(out.contains("CREDSSP_OK version=6 "), "{out}");
    assert!(!out.contains("Passw0rd!"), "echoed: {out}");
    assert_eq!(
        srv.line("DELEGATED "),
        "DELEGATED domain=TESTDOM user=alice cred_type=password version=6 password=Passw0rd!"
    );
    let (scode, sout) = srv.finish_all();
    assert_eq!(scode, 0, "server: {sout}");
}
