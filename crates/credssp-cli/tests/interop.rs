//! Live interop with the pyspnego CredSSP peers in
//! `/work/shared/peers/credssp/` on 127.0.0.1 (ephemeral ports): our client
//! against `pyspnego_server.py` and `pyspnego_client.py` against our server,
//! over CredSSP versions 2, 3, 5, 6, SPNEGO and raw NTLM, with and without
//! RDP X.224 framing, plus wrong passwords and refused downgrades.
//!
//! Requires `python3` with pyspnego 0.12.4; the tests fail (never skip) if
//! it is missing. Every child is killed on every path (`Child` guard).

mod common;

use common::{Child, scratch};
use std::process::{Command, Stdio};

const PEERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/peers/credssp");
const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/peers/samples/v6_tls13"
);
const OURS: &str = env!("CARGO_BIN_EXE_credssp");

fn require_pyspnego() {
    let ok = Command::new("python3")
        .args(["-c", "import spnego"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "python3 cannot import spnego: pip install pyspnego==0.12.4"
    );
}

fn py(script: &str) -> String {
    format!("{PEERS}/{script}")
}

/// Our client against a fresh pyspnego server; returns (our exit code,
/// our output incl. stderr, server stdout).
fn our_client_vs_pyspnego(
    name: &str,
    server_version: u32,
    mech: &str,
    rdp: bool,
    password: &str,
    client_extra: &[&str],
) -> (i32, String, String) {
    let dir = scratch(name);
    let out = dir.to_str().unwrap().to_owned();
    let version = server_version.to_string();
    let mut args = vec![
        py("pyspnego_server.py"),
        "--port".into(),
        "0".into(),
        "--user".into(),
        "TESTDOM\\alice".into(),
        "--password".into(),
        "Passw0rd!".into(),
        "--version".into(),
        version,
        "--mech".into(),
        mech.into(),
        "--out".into(),
        out,
        "--timeout".into(),
        "20".into(),
        "--linger".into(),
        "0".into(),
    ];
    if rdp {
        args.push("--rdp".into());
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut server = Child::spawn("python3", &argv, &[], None, &dir);
    let port = server.port();
    let connect = format!("127.0.0.1:{port}");
    let mut cargs = vec![
        "client",
        "--connect",
        &connect,
        "--user",
        "TESTDOM\\alice",
        "--password-env",
        "CREDSSP_TEST_PW",
        "--timeout",
        "20",
    ];
    if mech == "ntlm" {
        cargs.push("--raw-ntlm");
    }
    if rdp {
        cargs.push("--rdp");
    }
    cargs.extend_from_slice(client_extra);
    let client = Child::spawn(OURS, &cargs, &[("CREDSSP_TEST_PW", password)], None, &dir);
    let client_err_path = client.stderr.clone();
    let (code, stdout) = client.finish();
    let stderr = std::fs::read_to_string(client_err_path).unwrap_or_default();
    let (_, server_out) = server.finish();
    (code, format!("{stdout}\n{stderr}"), server_out)
}

fn client_matrix(mech: &str, rdp: bool) {
    require_pyspnego();
    for version in [2u32, 3, 5, 6] {
        let name = format!("c-{mech}-{rdp}-{version}");
        let (code, ours, server) = our_client_vs_pyspnego(
            &name,
            version,
            mech,
            rdp,
            "Passw0rd!",
            &["--min-version", "2"],
        );
        assert_eq!(code, 0, "{name}: ours: {ours}\nserver: {server}");
        assert!(
            ours.contains(&format!("CREDSSP_OK version={version} ")),
            "{name}: {ours}"
        );
        assert!(
            server.contains(&format!("CREDSSP_OK version={version} ")),
            "{name}: {server}"
        );
        assert!(
            server.contains("DELEGATED domain='TESTDOM' user='alice' password='Passw0rd!'"),
            "{name}: {server}"
        );
    }
}

#[test]
fn our_client_to_pyspnego_server_spnego() {
    client_matrix("negotiate", false);
}

#[test]
fn our_client_to_pyspnego_server_raw_ntlm() {
    client_matrix("ntlm", false);
}

#[test]
fn our_client_to_pyspnego_server_rdp() {
    client_matrix("negotiate", true);
    client_matrix("ntlm", true);
}

#[test]
fn our_client_failures_against_pyspnego() {
    require_pyspnego();
    // Wrong password at v6: pyspnego answers errorCode SEC_E_LOGON_DENIED.
    let (code, ours, server) =
        our_client_vs_pyspnego("c-bad6", 6, "negotiate", false, "wrong", &[]);
    assert_ne!(code, 0);
    assert!(
        ours.contains("CREDSSP_FAIL") && ours.contains("errorCode"),
        "{ours}"
    );
    assert!(ours.contains("8009030C"), "{ours}");
    assert!(!server.contains("DELEGATED"), "{server}");
    // Wrong password at v2 (pre-errorCode): the server just closes.
    let (code, ours, _) = our_client_vs_pyspnego(
        "c-bad2",
        2,
        "negotiate",
        false,
        "wrong",
        &["--min-version", "2"],
    );
    assert_ne!(code, 0);
    assert!(ours.contains("closed the connection"), "{ours}");
    // Default minimum version 5: a v3 server is a refused downgrade, and no
    // credentials leave the client.
    let (code, ours, server) =
        our_client_vs_pyspnego("c-downgrade", 3, "negotiate", false, "Passw0rd!", &[]);
    assert_ne!(code, 0);
    assert!(ours.contains("downgrade refused"), "{ours}");
    assert!(!server.contains("DELEGATED"), "{server}");
}

/// Runs pyspnego clients, one after another, against one of our servers.
/// Each entry: (client version, mech, password, expect success).
fn pyspnego_clients_vs_ours(name: &str, rdp: bool, runs: &[(u32, &str, &str, bool)]) {
    require_pyspnego();
    let dir = scratch(name);
    let users = dir.join("users");
    std::fs::write(&users, "TESTDOM:alice:Passw0rd!\n").unwrap();
    let count = runs.len().to_string();
    let mut args = vec![
        "server",
        "--listen",
        "127.0.0.1:0",
        "--cert",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/peers/samples/v6_tls13/server_cert.pem"
        ),
        "--key",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/peers/samples/v6_tls13/server_key.pem"
        ),
        "--users",
        users.to_str().unwrap(),
        "--min-version",
        "2",
        "--count",
        &count,
        "--timeout",
        "20",
        "--show-secrets",
    ];
    if rdp {
        args.push("--rdp");
    }
    let _ = SAMPLE;
    let mut server = Child::spawn(OURS, &args, &[], None, &dir);
    let port = server.port();
    for (i, (version, mech, password, ok)) in runs.iter().enumerate() {
        let v = version.to_string();
        let script = py("pyspnego_client.py");
        let mut cargs = vec![
            script.as_str(),
            "127.0.0.1",
            &port,
            "TESTDOM\\alice",
            password,
            "--version",
            &v,
            "--mech",
            mech,
            "--timeout",
            "20",
        ];
        if rdp {
            cargs.push("--rdp");
        }
        let client = Child::spawn("python3", &cargs, &[], None, &dir);
        let err_path = client.stderr.clone();
        let (code, out) = client.finish();
        let err = std::fs::read_to_string(err_path).unwrap_or_default();
        let label = format!("{name} #{i} v{version} {mech} ok={ok}");
        if *ok {
            assert_eq!(code, 0, "{label}: {out}\n{err}");
            assert!(
                out.contains(&format!("CREDSSP_OK version={version} ")),
                "{label}: {out}"
            );
            let line = server.line("DELEGATED ");
            assert_eq!(
                line,
                format!(
                    "DELEGATED domain=TESTDOM user=alice cred_type=password version={version} password=Passw0rd!"
                ),
                "{label}"
            );
        } else {
            assert_ne!(code, 0, "{label}: {out}");
            assert!(out.contains("CREDSSP_FAIL"), "{label}: {out}");
            // errorCode at v3/v4/v6, a plain close at v2/v5.
            let expect = if matches!(version, 3 | 4 | 6) {
                "Received NTStatus in TSRequest"
            } else {
                "server closed the connection"
            };
            assert!(out.contains(expect), "{label}: {out}");
            let line = server.line("CONN ");
            assert!(
                line.contains("result=fail") && line.contains("LogonFailure"),
                "{label}: {line}"
            );
        }
    }
    let (code, out) = server.finish();
    let all_ok = runs.iter().all(|r| r.3);
    assert_eq!(code == 0, all_ok, "server exit {code}: {out}");
    assert!(!out.contains("Passw0rd!") || out.contains("password=Passw0rd!"));
}

#[test]
fn pyspnego_client_to_our_server() {
    let mut runs = Vec::new();
    for mech in ["negotiate", "ntlm"] {
        for v in [2, 3, 5, 6] {
            runs.push((v, mech, "Passw0rd!", true));
        }
    }
    pyspnego_clients_vs_ours("s-plain", false, &runs);
}

#[test]
fn pyspnego_client_to_our_server_rdp() {
    let mut runs = Vec::new();
    for mech in ["negotiate", "ntlm"] {
        for v in [2, 3, 5, 6] {
            runs.push((v, mech, "Passw0rd!", true));
        }
    }
    pyspnego_clients_vs_ours("s-rdp", true, &runs);
}

#[test]
fn pyspnego_client_wrong_password_to_our_server() {
    pyspnego_clients_vs_ours(
        "s-bad",
        false,
        &[
            (6, "negotiate", "wrong", false),
            (5, "negotiate", "wrong", false),
            (2, "ntlm", "wrong", false),
            (6, "ntlm", "Passw0rd!", true),
        ],
    );
}
