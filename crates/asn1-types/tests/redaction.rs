//! House style rule 9: every secret-bearing type redacts in `Debug`, also
//! when nested inside a derived `Debug` parent, and in every form the bytes
//! could leak (text, hex, decimal lists, UTF-8 or UTF-16LE).

use asn1_types::der::asn1::OctetString;
use asn1_types::{
    SecretBytes, TsCredentials, TsCspDataDetail, TsPasswordCreds, TsRemoteGuardCreds,
    TsRemoteGuardPackageCred, TsSmartCardCreds, utf16le,
};

const PASSWORD: &str = "Zq7!Passw0rd#Xy";
const PIN: &str = "8264-1379";
const REMOTE_GUARD_BLOB: &[u8] = b"\x8f\x13TGT-session-key\x42\x99";

/// Every rendering of `secret` that must not appear in a `Debug` output
/// (compared with whitespace removed, so `{:#?}` is covered too).
fn forbidden_forms(secret: &[u8]) -> Vec<String> {
    let mut forms = vec![
        hex::encode(secret),
        hex::encode_upper(secret),
        secret
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(","),
        secret
            .iter()
            .map(|b| format!("{b:#04x}"))
            .collect::<Vec<_>>()
            .join(","),
    ];
    if let Ok(text) = std::str::from_utf8(secret) {
        forms.push(text.to_string());
        forms.push(text.chars().map(|c| format!("{c}\\0")).collect());
        forms.push(text.chars().map(|c| format!("{c}\\u{{0}}")).collect());
    }
    forms.retain(|f| f.len() >= 6);
    forms
}

fn strip(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_redacted(debug_of: &str, what: &str, secrets: &[&[u8]]) {
    let compact = strip(debug_of);
    assert!(
        compact.contains("<redacted>"),
        "{what}: no <redacted> in {debug_of}"
    );
    for secret in secrets {
        for form in forbidden_forms(secret) {
            assert!(
                !compact.contains(&strip(&form)),
                "{what}: secret leaked as {form:?} in {debug_of}"
            );
        }
    }
}

fn octets(bytes: &[u8]) -> OctetString {
    OctetString::new(bytes).expect("octets")
}

fn password_creds() -> TsCredentials {
    TsCredentials::Password(
        TsPasswordCreds::new_utf16("TESTDOM", "alice", PASSWORD).expect("creds"),
    )
}

fn smart_card_creds() -> TsCredentials {
    TsCredentials::SmartCard(TsSmartCardCreds {
        pin: SecretBytes::from_utf16le(PIN),
        csp_data: TsCspDataDetail {
            key_spec: 1,
            card_name: None,
            reader_name: Some(octets(&utf16le("OMNIKEY CardMan 3x21 0"))),
            container_name: None,
            csp_name: Some(octets(&utf16le(
                "Microsoft Base Smart Card Crypto Provider",
            ))),
        },
        user_hint: Some(octets(&utf16le("alice"))),
        domain_hint: None,
    })
}

fn remote_guard_creds() -> TsCredentials {
    TsCredentials::RemoteGuard(TsRemoteGuardCreds {
        logon_cred: TsRemoteGuardPackageCred {
            package_name: octets(&utf16le("Kerberos")),
            cred_buffer: SecretBytes::from_slice(REMOTE_GUARD_BLOB),
        },
        supplemental_creds: Some(vec![TsRemoteGuardPackageCred {
            package_name: octets(&utf16le("NTLM")),
            cred_buffer: SecretBytes::from_slice(REMOTE_GUARD_BLOB),
        }]),
    })
}

fn all_secrets() -> Vec<Vec<u8>> {
    vec![
        PASSWORD.as_bytes().to_vec(),
        utf16le(PASSWORD),
        PIN.as_bytes().to_vec(),
        utf16le(PIN),
        REMOTE_GUARD_BLOB.to_vec(),
    ]
}

#[test]
fn the_forbidden_forms_would_catch_a_leak() {
    // Guard against a vacuous test: an unredacted rendering is caught.
    let leaky = format!("{:?}", utf16le(PASSWORD));
    let compact = strip(&leaky);
    assert!(
        forbidden_forms(&utf16le(PASSWORD))
            .iter()
            .any(|f| compact.contains(&strip(f)))
    );
    let leaky = format!("{:?}", OctetString::new(PIN.as_bytes()).expect("octets"));
    assert!(
        forbidden_forms(PIN.as_bytes())
            .iter()
            .any(|f| strip(&leaky).contains(&strip(f)))
    );
}

#[test]
fn each_credential_type_redacts_its_secret() {
    let secrets = all_secrets();
    let secrets: Vec<&[u8]> = secrets.iter().map(Vec::as_slice).collect();
    for creds in [password_creds(), smart_card_creds(), remote_guard_creds()] {
        assert_redacted(&format!("{creds:?}"), "Debug", &secrets);
        assert_redacted(&format!("{creds:#?}"), "pretty Debug", &secrets);
    }
    // The non-secret fields are still shown.
    let debug = format!("{:?}", password_creds());
    assert!(
        debug.contains("TsPasswordCreds") && debug.contains("user_name"),
        "{debug}"
    );
}

#[test]
fn nested_in_a_derived_parent_redacts() {
    #[derive(Debug)]
    #[allow(dead_code)] // read through Debug only
    struct Session {
        delegated: Vec<TsCredentials>,
        pending: Option<TsCredentials>,
        raw: SecretBytes,
    }
    let session = Session {
        delegated: vec![password_creds(), smart_card_creds()],
        pending: Some(remote_guard_creds()),
        raw: SecretBytes::from_utf16le(PASSWORD),
    };
    let secrets = all_secrets();
    let secrets: Vec<&[u8]> = secrets.iter().map(Vec::as_slice).collect();
    assert_redacted(&format!("{session:?}"), "nested Debug", &secrets);
    assert_redacted(&format!("{session:#?}"), "nested pretty Debug", &secrets);
}

#[test]
fn decoded_credentials_redact_too() {
    let der = password_creds().to_der().expect("encode");
    assert_eq!(format!("{der:?}"), "<redacted>");
    let decoded = TsCredentials::from_der(der.expose_secret()).expect("decode");
    let secrets = all_secrets();
    let secrets: Vec<&[u8]> = secrets.iter().map(Vec::as_slice).collect();
    assert_redacted(&format!("{decoded:#?}"), "decoded", &secrets);
}
