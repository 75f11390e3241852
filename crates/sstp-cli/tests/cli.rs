//! Runs the real `sstp` binary on the seed vectors (`tests/vectors/sstp/`)
//! and the crypto known answers (`tests/vectors/crypto/`, from the Crypto++
//! and Python oracles).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn sstp_vector(name: &str) -> String {
    vectors()
        .join(format!("sstp/{name}.hex"))
        .to_string_lossy()
        .into_owned()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_with(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sstp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or_default()).unwrap();
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, None)
}

/// Exit 0, nothing on stderr; the stdout.
fn ok(r: Run) -> String {
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "stdout: {}", r.stdout);
    r.stdout
}

/// Exit 2 with exactly one `error: ` line on stderr that contains every
/// needle, and no panic. Returns the line.
fn input_error(r: &Run, needles: &[&str]) -> String {
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let lines: Vec<_> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {:?}", r.stderr);
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    for n in needles {
        assert!(lines[0].contains(n), "{n:?} missing from {:?}", lines[0]);
    }
    lines[0].to_string()
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A vector's bytes, as the binary reads them (hex text rows).
fn vector_bytes(name: &str) -> Vec<u8> {
    let r = run(&["decode", "--json", "-f", &sstp_vector(name)]);
    let total: u64 = json_lines(&ok(r))
        .iter()
        .map(|c| c["CommandLength"].as_u64().unwrap())
        .sum();
    let text = std::fs::read_to_string(sstp_vector(name)).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap();
        if let Some((_, row)) = line.split_once(':') {
            out.extend(unhex(&row.split_whitespace().collect::<String>()));
        }
    }
    assert_eq!(out.len() as u64, total);
    out
}

// ---- decode: trees and JSON ---------------------------------------------------

#[test]
fn tree_of_register_response_4_1_6_shows_the_annotated_fields_with_offsets() {
    let out = ok(run(&["decode", "--file", &sstp_vector("4.1.6")]));
    for line in [
        "#1 RegisterResponse ([MS-GRVSSTP] 2.2.18 (presumed)), 145 bytes at 0x0000",
        "0000  CommandId: 0x0c RegisterResponse",
        "0001  CommandLength: 145 (0x91)",
        "0003  EventId: 11 (0xb)",
        "0007  RegistrationTokenLength: 136 (0x88)",
        "0009  RegistrationToken: SecDeviceAccountRegisterResponse ([MS-GRVSSTPS] 2.2.13), 136 bytes",
        "000b    MessageID: 0x05 SecDeviceAccountRegisterResponse",
        "000c    AccountLayerMessageLength: 30 (0x1e)",
        "000e    AccountLayerMessage: SecAccountRegisterResponse ([MS-GRVSSTPS] 2.2.16), 30 bytes",
        "000f      MinorVersionNumber: 3",
        "0012      Timestamp: 1200690387 (0x479114d3) 2008-01-18T21:06:27Z",
        "0018      HMAC: 0767ccc4c01ccee133c81e679891dd45981c3acd",
        "002f    IV: b67c7159ef63f886b9268096ed20eb10ba8c3a0916a30ac4",
        "005f    DeviceNonce: 50d515c81ad9b1d8c3febd979c30f5eabe33e1e950337eaf",
        "0079    EncryptedRelayNonce: a578bd4a57e36c24981429803f533ee8bd3202efb528cd25",
    ] {
        assert!(out.lines().any(|l| l == line), "{line:?} not in\n{out}");
    }
}

#[test]
fn json_of_register_response_4_1_6() {
    let out = ok(run(&["decode", "--json", "--file", &sstp_vector("4.1.6")]));
    let cmds = json_lines(&out);
    let [c] = &cmds[..] else { panic!("{out}") };
    assert_eq!(c["offset"], 0);
    assert_eq!(c["type"], "RegisterResponse");
    assert_eq!(
        c["CommandId"],
        serde_json::json!({"value": 12, "name": "RegisterResponse"})
    );
    assert_eq!(c["CommandLength"], 145);
    assert_eq!(c["EventId"], 11);
    assert_eq!(c["RegistrationTokenLength"], 136);
    let t = &c["RegistrationToken"];
    assert_eq!(t["type"], "SecDeviceAccountRegisterResponse");
    assert_eq!(t["section"], "[MS-GRVSSTPS] 2.2.13");
    assert_eq!(t["MajorVersionNumber"], 1);
    assert_eq!(t["MinorVersionNumber"], 3);
    assert_eq!(
        t["MessageID"],
        serde_json::json!({"value": 5, "name": "SecDeviceAccountRegisterResponse"})
    );
    let a = &t["AccountLayerMessage"];
    assert_eq!(a["type"], "SecAccountRegisterResponse");
    assert_eq!(a["Reserved"], 0);
    assert_eq!(a["Timestamp"], 0x4791_14D3);
    assert_eq!(a["HMAC"], "0767ccc4c01ccee133c81e679891dd45981c3acd");
    assert_eq!(t["IVLength"], 24);
    assert_eq!(t["IV"], "b67c7159ef63f886b9268096ed20eb10ba8c3a0916a30ac4");
    assert_eq!(t["HMAC"], "95ccb06dc132654dd6cffb00aaa0a334d3c102c2");
    assert_eq!(
        t["DeviceNonce"],
        "50d515c81ad9b1d8c3febd979c30f5eabe33e1e950337eaf"
    );
    assert_eq!(
        t["EncryptedRelayNonce"],
        "a578bd4a57e36c24981429803f533ee8bd3202efb528cd25"
    );
}

#[test]
fn every_seed_trace_decodes_as_tree_and_json() {
    // (vector, extra flags, commands)
    let cases: [(&str, &[&str], usize); 13] = [
        ("4.1.1", &[], 1),
        ("4.1.2", &[], 1),
        ("4.1.3", &[], 1),
        ("4.1.4", &[], 2),
        ("4.1.5-elgamal", &["--fill-gaps", "00"], 1),
        ("4.1.5-rsa", &["--fill-gaps", "ff"], 1),
        ("4.1.6", &[], 1),
        ("4.1.7", &[], 1),
        ("4.1.8", &[], 1),
        ("4.1.9", &[], 1),
        ("4.1.10", &["--tolerate-register-overrun"], 1),
        ("4.2.1", &[], 1),
        ("4.3.1", &[], 1),
    ];
    for (name, flags, n) in cases {
        let path = sstp_vector(name);
        let mut args = vec!["decode", "-f", path.as_str()];
        args.extend(flags);
        let tree = ok(run(&args));
        assert_eq!(
            tree.lines().filter(|l| l.starts_with('#')).count(),
            n,
            "{name}"
        );
        args.push("--json");
        let cmds = json_lines(&ok(run(&args)));
        assert_eq!(cmds.len(), n, "{name}");
        for c in &cmds {
            assert!(c["CommandId"]["name"].is_string(), "{name}");
        }
    }
}

#[test]
fn register_4_1_5_nests_the_account_message_and_both_public_keys_objects() {
    let path = sstp_vector("4.1.5-elgamal");
    let out = ok(run(&["decode", "--json", "--fill-gaps", "00", "-f", &path]));
    let c = &json_lines(&out)[0];
    assert_eq!(c["CommandLength"], 3134);
    let d = &c["RegistrationToken"];
    assert_eq!(d["type"], "SecDeviceAccountRegister");
    assert_eq!(d["Timestamp"], 0x4791_14D1);
    assert_eq!(
        d["AccountURL"],
        "grooveAccount://ngmjwbazm9xiz4ets65rr4c9kbxkxphdw6gpk6s@"
    );
    assert_eq!(d["Fingerprint"], "a97ade476e85323b787b6fe956b0f62c88b58224");
    assert_eq!(d["AccountLayerMessageLength"], 1513);
    let a = &d["AccountLayerMessage"];
    assert_eq!(a["type"], "SecAccountRegister");
    assert_eq!(
        a["UserPreAuthToken"],
        "4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973"
    );
    assert_eq!(a["Reserved1"], 1);
    let apko = &a["AccountPublicKeysObject"];
    assert_eq!(apko["type"], "PublicKeysObject");
    assert_eq!(apko["EncryptionAlgorithmName"], "ELGAMAL");
    assert_eq!(apko["EncryptionKeyAlgorithmName"], "DH");
    assert_eq!(apko["EncryptionPublicKeyLength"], 529);
    assert_eq!(apko["EncryptionPublicKey"].as_str().unwrap().len(), 2 * 529);
    let dpko = &d["DevicePublicKeysObject"];
    assert_eq!(d["DevicePublicKeysObjectLength"], 823);
    assert_eq!(dpko["SignatureAlgorithmName"], "RSA");
    assert_eq!(
        d["EncryptedDeviceNonce"],
        "ca97b0e6df9105a1349fc9892142a74090df298af380a742"
    );
}

#[test]
fn identity_register_4_1_10_needs_the_tolerance_and_shows_the_declared_length() {
    let path = sstp_vector("4.1.10");
    let r = run(&["decode", "-f", &path]);
    input_error(
        &r,
        &[
            "malformed Register",
            "RegistrationTokenLength",
            "at byte 7",
            "244",
        ],
    );
    let out = ok(run(&[
        "decode",
        "--json",
        "--tolerate-register-overrun",
        "-f",
        &path,
    ]));
    let c = &json_lines(&out)[0];
    assert_eq!(c["RegistrationTokenLength"], 244);
    let t = &c["RegistrationToken"];
    assert_eq!(t["type"], "SecIdentityRegister");
    assert!(t["IdentityLists"]["IdentityURLsToAdd"].is_array());
}

#[test]
fn multi_command_streams_from_arguments_stdin_and_binary() {
    // §4.1.4 holds two commands.
    let out = ok(run(&["decode", "--json", "-f", &sstp_vector("4.1.4")]));
    let cmds = json_lines(&out);
    assert_eq!(
        cmds.iter().map(|c| c["type"].clone()).collect::<Vec<_>>(),
        ["AttachResponse", "OpenResponse"]
    );
    assert_eq!(
        (cmds[0]["offset"].clone(), cmds[1]["offset"].clone()),
        (0.into(), 13.into())
    );
    assert_eq!(
        cmds[0]["AuthenticationToken"]["type"],
        "SecAttachResponseAccountRegistrationNeeded"
    );

    // Three traces back to back, as hex text on stdin.
    let mut stream = vector_bytes("4.1.1");
    stream.extend(vector_bytes("4.1.2"));
    stream.extend(vector_bytes("4.1.9"));
    let text = format!("# three commands\n{}\n", hex(&stream));
    let out = ok(run_with(&["decode", "--json", "-"], Some(text.as_bytes())));
    let cmds = json_lines(&out);
    let offsets: Vec<_> = cmds.iter().map(|c| c["offset"].as_u64().unwrap()).collect();
    assert_eq!(offsets, [0, 187, 255]);
    assert_eq!(cmds[0]["AuthenticationToken"]["type"], "SecConnect");
    assert_eq!(
        cmds[2]["ReasonId"],
        serde_json::json!({"value": 0, "name": "NoReason"})
    );

    // The same bytes raw on stdin (auto-detected binary), and as separate
    // hex arguments.
    assert_eq!(ok(run_with(&["decode", "--json", "-"], Some(&stream))), out);
    let h = hex(&stream);
    let (a, b) = h.split_at(100);
    assert_eq!(ok(run(&["decode", "--json", a, b])), out);

    // The tree lists the commands with their offsets.
    let tree = ok(run_with(&["decode", "-"], Some(&stream)));
    let titles: Vec<_> = tree.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        titles,
        [
            "#1 Connect ([MS-GRVSSTP] 2.2.1), 187 bytes at 0x0000",
            "#2 ConnectResponse ([MS-GRVSSTP] 2.2.2), 68 bytes at 0x00bb",
            "#3 Close ([MS-GRVSSTP] 2.2.9), 8 bytes at 0x00ff",
        ]
    );
}

#[test]
fn binary_file_and_forced_input_formats() {
    let dir = std::env::temp_dir().join(format!("sstp-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("4.1.6.bin");
    std::fs::write(&bin, vector_bytes("4.1.6")).unwrap();
    let bin = bin.to_string_lossy().into_owned();
    let from_bin = ok(run(&["decode", "--json", "-f", &bin]));
    let from_hex = ok(run(&["decode", "--json", "-f", &sstp_vector("4.1.6")]));
    assert_eq!(from_bin, from_hex);
    // Forced hex on a binary file: a hex error, not a decode of garbage
    // (0x0c, form feed, is whitespace; 0x91 is not UTF-8).
    input_error(
        &run(&["decode", "--input", "hex", "-f", &bin]),
        &["invalid hex input", "not UTF-8", "line 1, column 2"],
    );
    // Forced binary on hex text: the text's bytes are decoded as commands.
    input_error(
        &run(&["decode", "--input", "binary", "-f", &sstp_vector("4.1.9")]),
        &["malformed", "CommandLength"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bare_tokens_with_their_carrier() {
    // The SecAttachAuthenticate inside §4.1.8 (after 9 bytes of command).
    let token = hex(&vector_bytes("4.1.8")[9..]);
    for carrier in [
        "AttachAuthenticate",
        "attach-authenticate",
        "attachauthenticate",
    ] {
        let out = ok(run(&[
            "decode",
            "--json",
            "--token",
            &token,
            "--carrier",
            carrier,
        ]));
        let t = &json_lines(&out)[0];
        assert_eq!(t["type"], "SecAttachAuthenticate");
        assert_eq!(t["RelayAccountNonceLength"], 24);
    }
    let tree = ok(run(&[
        "decode",
        "--token",
        &token,
        "--carrier",
        "AttachAuthenticate",
    ]));
    assert!(
        tree.starts_with("token SecAttachAuthenticate ([MS-GRVSSTPS] 2.2.11), 55 bytes at 0x0000")
    );
    assert!(tree.contains("\n0003  RelayAccountNonceLength: 24 (0x18)\n"));

    // §4.2.2: AccountLayerMessageLength, then a SecAccountOnNewDevice.
    let fragment = vector_bytes_raw("4.2.2");
    let out = ok(run(&[
        "decode",
        "--json",
        "--token",
        &hex(&fragment[2..]),
        "--carrier",
        "SecDeviceAccountRegister",
    ]));
    assert_eq!(json_lines(&out)[0]["type"], "SecAccountOnNewDevice");

    // The same ID means another message in another carrier: 0x0A.
    let out = ok(run(&[
        "decode",
        "--json",
        "--token",
        "01030a",
        "--carrier",
        "ConnectResponse",
    ]));
    assert_eq!(
        json_lines(&out)[0]["type"],
        "SecConnectResponseDeviceRegistrationNeeded"
    );
    let out = ok(run(&[
        "decode",
        "--json",
        "--token",
        "01030a",
        "--carrier",
        "AttachResponse",
    ]));
    assert_eq!(
        json_lines(&out)[0]["type"],
        "SecAttachResponseAccountRegistrationNeeded"
    );

    // A token on stdin.
    let out = ok(run_with(
        &[
            "decode",
            "--json",
            "--token",
            "-",
            "--carrier",
            "AttachAuthenticate",
        ],
        Some(token.as_bytes()),
    ));
    assert_eq!(json_lines(&out)[0]["type"], "SecAttachAuthenticate");

    // A token its carrier does not carry.
    input_error(
        &run(&["decode", "--token", &token, "--carrier", "Connect"]),
        &[
            "Connect.AuthenticationToken",
            "MessageID",
            "at byte 2",
            "0x03",
        ],
    );
    // --token without --carrier is a usage error (exit 2).
    let r = run(&["decode", "--token", &token]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--carrier"));
}

/// The bytes of a vector file that is not a command stream.
fn vector_bytes_raw(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(sstp_vector(name)).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some((_, row)) = line.split('#').next().unwrap().split_once(':') {
            out.extend(unhex(&row.split_whitespace().collect::<String>()));
        }
    }
    out
}

// ---- decode: malformed input --------------------------------------------------

#[test]
fn truncated_streams_name_the_command_field_and_offset() {
    let full = vector_bytes("4.1.6");
    // Missing the last byte.
    let r = run(&["decode", &hex(&full[..full.len() - 1])]);
    input_error(
        &r,
        &[
            "malformed RegisterResponse",
            "field CommandLength at byte 1",
            "145",
            "144",
        ],
    );
    assert_eq!(r.stdout, "");
    // A whole Close, then 10 bytes of a RegisterResponse: the Close is
    // printed first, the error counts from the start of the stream.
    let mut s = vector_bytes("4.1.9");
    s.extend(&full[..10]);
    let r = run(&["decode", "--json", &hex(&s)]);
    input_error(
        &r,
        &["malformed RegisterResponse", "CommandLength at byte 9"],
    );
    assert_eq!(json_lines(&r.stdout).len(), 1);
    assert_eq!(json_lines(&r.stdout)[0]["type"], "Close");
    // Two bytes: the header itself is cut.
    input_error(
        &run(&["decode", "0c91"]),
        &["RegisterResponse", "CommandLength at byte 1", "truncated"],
    );
}

#[test]
fn bad_versions_and_broken_framing() {
    // §4.1.8 with the token's MajorVersionNumber (byte 9) set to 2.
    let mut aa = vector_bytes("4.1.8");
    aa[9] = 2;
    input_error(
        &run(&["decode", &hex(&aa)]),
        &[
            "AttachAuthenticate.AuthenticationToken",
            "MajorVersionNumber at byte 9",
            "major version 2",
        ],
    );
    // After a Close: the offset is in the stream.
    let mut s = vector_bytes("4.1.9");
    s.extend(&aa);
    input_error(
        &run(&["decode", &hex(&s)]),
        &["MajorVersionNumber at byte 17"],
    );
    // Minor version 5 in the nested account-layer message of §4.1.6.
    let mut rr = vector_bytes("4.1.6");
    rr[0x0f] = 5;
    input_error(
        &run(&["decode", &hex(&rr)]),
        &["MinorVersionNumber at byte 15", "minor version 5"],
    );
    // A CommandLength below 3 breaks the framing.
    input_error(
        &run(&["decode", "110200"]),
        &["CommandLength at byte 1", "outside 3..=65535"],
    );
}

#[test]
fn bad_hex_and_empty_input() {
    let line = input_error(
        &run(&["decode", "11 08 00 zb"]),
        &["invalid hex input", "'z'", "line 1, column 10"],
    );
    assert!(!line.contains("panicked"));
    input_error(
        &run(&["decode", "110800b00000000"]),
        &["invalid hex input", "odd number of hex digits (15)"],
    );
    input_error(
        &run_with(&["decode", "-"], Some(b"0000: 11 08\n0004: 00\n")),
        &["0x0002..0x0004", "--fill-gaps"],
    );
    input_error(
        &run(&["decode", "-f", &sstp_vector("4.1.5-elgamal")]),
        &["--fill-gaps"],
    );
    input_error(&run_with(&["decode", "-"], Some(b"")), &["no bytes"]);
    input_error(&run(&["decode"]), &["no input"]);
    input_error(
        &run(&["decode", "-f", "/nonexistent/sstp-capture.hex"]),
        &["cannot read /nonexistent/sstp-capture.hex"],
    );
}

#[test]
fn arbitrary_garbage_never_panics() {
    // A handful of deterministic pseudo-random streams, raw on stdin.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for len in [1usize, 2, 3, 7, 50, 300] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let r = run_with(&["decode", "--input", "binary", "-"], Some(&bytes));
        assert!(r.code == 0 || r.code == 2, "{len}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
        if r.code == 2 {
            input_error(&r, &["at byte"]);
        }
    }
}

// ---- crypto ----------------------------------------------------------------------

fn crypto_json(name: &str) -> Value {
    let path = vectors().join("crypto").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap()
}

/// `sstp crypto <sub> --<field> <v[field]>...` for each of `fields`, which
/// must succeed: its stdout.
fn crypto_with(sub: &str, v: &Value, fields: &[&str]) -> String {
    let flags: Vec<String> = fields.iter().map(|f| format!("--{f}")).collect();
    let mut args = vec!["crypto", sub];
    for (flag, field) in flags.iter().zip(fields) {
        args.push(flag);
        args.push(s(v, field));
    }
    ok(run(&args))
}

#[test]
fn marc4_known_answers() {
    let file = crypto_json("marc4.json");
    let vectors = file["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 11);
    for v in vectors {
        let out = crypto_with("marc4", v, &["key", "iv", "data"]);
        assert_eq!(out.trim_end(), s(v, "output"), "{}", s(v, "source"));
    }
    // RFC 6229 rows: a zero IV gives the keystream from byte 256 on.
    let row = &file["rfc6229"][0];
    assert_eq!(row["offset"], 256);
    let key = s(row, "key");
    let out = ok(run(&[
        "crypto",
        "marc4",
        "--key",
        key,
        "--iv",
        &"00".repeat(key.len() / 2),
        "--data",
        &"00".repeat(16),
    ]));
    assert_eq!(out.trim_end(), s(row, "keystream"));
}

/// `tests/vectors/crypto/elgamal_cryptopp.json` is a verbatim copy of
/// `peers/cryptopp/vectors.json` (Crypto++ 8.7 `ElGamal::Encryptor`).
#[test]
fn elgamal_encrypt_reproduces_every_cryptopp_vector_and_decrypt_inverts_it() {
    let vectors = crypto_json("elgamal_cryptopp.json");
    let vectors = vectors.as_array().unwrap();
    assert_eq!(vectors.len(), 12);
    for v in vectors {
        let ct = crypto_with(
            "elgamal-encrypt",
            v,
            &["p", "g", "y", "plaintext", "k", "padding"],
        );
        assert_eq!(
            ct.trim_end(),
            s(v, "ciphertext"),
            "{} {}",
            s(v, "group"),
            s(v, "plaintext")
        );
        let pt = crypto_with("elgamal-decrypt", v, &["p", "g", "x", "ciphertext"]);
        assert_eq!(pt.trim_end(), s(v, "plaintext"));
    }
}

#[test]
fn elgamal_encrypt_from_a_der_key_and_fingerprints() {
    let fp = crypto_json("fingerprint.json");
    let cases = fp["cases"].as_array().unwrap();
    assert!(cases.len() >= 3);
    for c in cases {
        let out = ok(run(&[
            "crypto",
            "fingerprint",
            "--key-algorithm",
            s(c, "encryption_key_algorithm_name"),
            "--algorithm",
            s(c, "encryption_algorithm_name"),
            "--public-key-der",
            s(c, "encryption_public_key_der"),
        ]));
        assert_eq!(out.trim_end(), s(c, "fingerprint"), "{}", s(c, "label"));
    }
    // DH / ELGAMAL are the defaults.
    let c = &cases[0];
    let out = ok(run(&[
        "crypto",
        "fingerprint",
        "--public-key-der",
        s(c, "encryption_public_key_der"),
    ]));
    assert_eq!(out.trim_end(), s(c, "fingerprint"));

    // The first case is the first Groove 2007 Crypto++ key, in DER.
    let v = &crypto_json("elgamal_cryptopp.json")[1];
    assert_eq!(s(v, "group"), "groove2007");
    let ct = ok(run(&[
        "crypto",
        "elgamal-encrypt",
        "--public-key-der",
        s(c, "encryption_public_key_der"),
        "--plaintext",
        s(v, "plaintext"),
        "--k",
        s(v, "k"),
        "--padding",
        s(v, "padding"),
    ]));
    assert_eq!(ct.trim_end(), s(v, "ciphertext"));
}

fn keygen_fields(out: &str) -> std::collections::HashMap<String, String> {
    out.lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn keygen_encrypt_decrypt_round_trip_through_the_binary() {
    let key = keygen_fields(&ok(run(&["crypto", "elgamal-keygen"])));
    let mut names: Vec<_> = key.keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["der", "g", "p", "x", "y"]);
    assert_eq!(key["g"], "03");
    assert_eq!(key["p"].len(), 2 * 192);
    assert!(key["p"].ends_with("e90fab"));
    // The Groove 2007 DER form: SEQUENCE { 1536, y }.
    assert!(key["der"].starts_with("3081"), "{}", key["der"]);
    // Fresh keys each time.
    let other = keygen_fields(&ok(run(&[
        "crypto",
        "elgamal-keygen",
        "--group",
        "groove2007",
    ])));
    assert_ne!(other["x"], key["x"]);

    let plaintext = "000102030405060708090a0b0c0d0e0f1011121314151617";
    let ct = ok(run(&[
        "crypto",
        "elgamal-encrypt",
        "--p",
        &key["p"],
        "--g",
        &key["g"],
        "--y",
        &key["y"],
        "--plaintext",
        plaintext,
    ]));
    assert_eq!(ct.trim_end().len(), 2 * 384);
    // Random k and padding: two encryptions differ.
    let ct2 = ok(run(&[
        "crypto",
        "elgamal-encrypt",
        "--public-key-der",
        &key["der"],
        "--plaintext",
        plaintext,
    ]));
    assert_ne!(ct, ct2);
    for c in [&ct, &ct2] {
        let pt = ok(run(&[
            "crypto",
            "elgamal-decrypt",
            "--p",
            &key["p"],
            "--g",
            &key["g"],
            "--x",
            &key["x"],
            "--ciphertext",
            c.trim_end(),
        ]));
        assert_eq!(pt.trim_end(), plaintext);
    }
}

#[test]
fn bad_crypto_input_exits_2_with_one_line() {
    let v = &crypto_json("elgamal_cryptopp.json")[0];
    let (p, g, x, y) = (s(v, "p"), s(v, "g"), s(v, "x"), s(v, "y"));
    let ct = s(v, "ciphertext");
    input_error(
        &run(&[
            "crypto", "marc4", "--key", "0102", "--iv", "010203", "--data", "00",
        ]),
        &["marc4", "field iv", "length is 3, must be 2"],
    );
    input_error(
        &run(&["crypto", "marc4", "--key", "", "--iv", "", "--data", "00"]),
        &["marc4", "field key"],
    );
    // A bad digit in a secret argument is located but not quoted.
    let line = input_error(
        &run(&[
            "crypto", "marc4", "--key", "01q2", "--iv", "0102", "--data", "00",
        ]),
        &["--key: invalid hex", "column 3"],
    );
    assert!(!line.contains('q'), "{line}");
    input_error(
        &run(&[
            "crypto",
            "elgamal-decrypt",
            "--p",
            p,
            "--g",
            g,
            "--x",
            x,
            "--ciphertext",
            &ct[2..],
        ]),
        &["elgamal decrypt", "ciphertext"],
    );
    input_error(
        &run(&[
            "crypto",
            "elgamal-decrypt",
            "--p",
            p,
            "--g",
            g,
            "--x",
            "00",
            "--ciphertext",
            ct,
        ]),
        &["field x"],
    );
    input_error(
        &run(&[
            "crypto",
            "elgamal-decrypt",
            "--p",
            "ff",
            "--g",
            g,
            "--x",
            x,
            "--ciphertext",
            ct,
        ]),
        &["elgamal group"],
    );
    input_error(
        &run(&[
            "crypto",
            "elgamal-encrypt",
            "--p",
            p,
            "--g",
            g,
            "--y",
            y,
            "--plaintext",
            "00",
            "--k",
            s(v, "k"),
            "--padding",
            "00",
        ]),
        &["field padding"],
    );
    input_error(
        &run(&[
            "crypto",
            "elgamal-encrypt",
            "--p",
            p,
            "--g",
            g,
            "--y",
            y,
            "--plaintext",
            &"00".repeat(190),
        ]),
        &["elgamal encrypt"],
    );
    input_error(
        &run(&[
            "crypto",
            "elgamal-encrypt",
            "--public-key-der",
            "3000",
            "--plaintext",
            "00",
        ]),
        &["elgamal public key"],
    );
    input_error(
        &run(&["crypto", "fingerprint", "--public-key-der", "30 0"]),
        &["--public-key-der: invalid hex", "odd number"],
    );
    input_error(
        &run(&["crypto", "elgamal-keygen", "--bits", "512"]),
        &["field bits", "1024..=4096"],
    );
    // --k without --padding is a usage error, also exit 2.
    let r = run(&[
        "crypto",
        "elgamal-encrypt",
        "--p",
        p,
        "--g",
        g,
        "--y",
        y,
        "--plaintext",
        "00",
        "--k",
        "01",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--padding") && !r.stderr.contains("panicked"));
}
