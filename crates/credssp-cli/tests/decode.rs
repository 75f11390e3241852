//! `credssp decode --password`: recorded conversations decrypted with the
//! password (`tests/vectors/ntlm/samples/`), values from the independent
//! Python decoder (`tests/vectors/ntlm/<sample>.md`).

use std::process::{Command, Output};

const OURS: &str = env!("CARGO_BIN_EXE_credssp");
const SAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/ntlm/samples"
);

fn sample(name: &str, side: &str) -> String {
    format!("{SAMPLES}/{name}/{side}.hex")
}

fn decode(args: &[&str]) -> Output {
    Command::new(OURS)
        .arg("decode")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn spnego_sample_with_server_file() {
    let (c, s) = (sample("v6_tls13", "client"), sample("v6_tls13", "server"));
    let o = decode(&["--file", &c, "--server-file", &s, "--password", "Passw0rd!"]);
    assert!(o.status.success(), "{o:?}");
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines[2].contains("mechListMICVerified=true"), "{out}");
    assert!(
        lines[2]
            .contains("ntlmVerified={domain=TESTDOM mic=true spn=TERMSRV/127.0.0.1 user=alice}"),
        "{out}"
    );
    assert!(
        lines[2].contains(
            "pubKeyAuthPlain=seq=1 171e3bcef718a5757b18020c5ca124889eb55e0b79b3f9d31aa9dc7c81a1b5d0"
        ),
        "{out}"
    );
    assert!(
        lines[3].starts_with("#4 from=server mechListMICVerified=true"),
        "{out}"
    );
    assert!(
        lines[3].contains(
            "pubKeyAuthPlain=seq=1 dc6f34bc00ad25242b1aa40d366c413f36363ae4edd57c0ec00bcfdb3dc2e6c5"
        ),
        "{out}"
    );
    assert!(
        lines[4].contains("delegated={credType=password domain=TESTDOM user=alice}"),
        "{out}"
    );
    assert!(
        !out.contains("Passw0rd!"),
        "no secrets without --show-secrets"
    );
}

#[test]
fn raw_ntlm_sample_interleaved_json_with_secrets() {
    let name = "xfreerdp_vs_pyspnego_rawblob";
    let c = std::fs::read_to_string(sample(name, "client")).unwrap();
    let s = std::fs::read_to_string(sample(name, "server")).unwrap();
    // As captured: client, server, client, server, client.
    let mut args = vec![];
    let (c, s): (Vec<&str>, Vec<&str>) = (c.lines().collect(), s.lines().collect());
    for (i, &line) in c.iter().enumerate() {
        args.push(line);
        if let Some(&l) = s.get(i) {
            args.push(l);
        }
    }
    args.extend(["--password", "Passw0rd!", "--show-secrets", "--json"]);
    let o = decode(&args);
    assert!(o.status.success(), "{o:?}");
    let v: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(v.len(), 5);
    assert_eq!(
        v[2]["pubKeyAuthPlain"],
        "seq=0 eaf4917b5dca4d2b602aeb3cc660ea7f13a7e92f428a5c1e1df1398b133b250e"
    );
    assert_eq!(
        v[3]["pubKeyAuthPlain"],
        "seq=0 ca76ff54e266f05dd6c09d37afc18ae8160c4fd52eb7a6de2eebdb3907a47105"
    );
    assert!(v[2].get("mechListMICVerified").is_none());
    assert_eq!(v[4]["delegated"]["user"], "alice");
    assert_eq!(v[4]["delegated"]["domain"], "TESTDOM");
    assert_eq!(v[4]["delegated"]["password"], "Passw0rd!");
}

#[test]
fn wrong_password_is_one_clear_line() {
    let (c, s) = (sample("v6_tls13", "client"), sample("v6_tls13", "server"));
    let o = decode(&["--file", &c, "--server-file", &s, "--password", "wrong"]);
    assert!(!o.status.success());
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("wrong password or NT hash for TESTDOM\\alice"),
        "{err}"
    );
}

#[test]
fn client_side_only_cannot_decrypt() {
    let o = decode(&[
        "--file",
        &sample("v6_tls13", "client"),
        "--password",
        "Passw0rd!",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no NTLM CHALLENGE") && err.contains("--server-file"),
        "{err}"
    );
}
