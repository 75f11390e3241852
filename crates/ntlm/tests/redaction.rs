//! Debug output of every secret-bearing type — also nested in the client,
//! server and context — contains no secret bytes (house style rule 9).

use crypto_primitives::SecretArray;
use ntlm::crypto::{Direction, nt_owf_v2, seal_key, sign_key};
use ntlm::{
    ClientConfig, ClientRandom, FileTime, InMemoryCredentialStore, NtHash, NtlmClient, NtlmServer,
    Password, ServerConfig, Step,
};

const PASSWORD: &str = "Sup3r-Secret-Pw";
const ESK: [u8; 16] = [
    0xd3, 0x5a, 0x91, 0x07, 0xee, 0x42, 0xb8, 0x6c, 0x19, 0xf0, 0x2d, 0x83, 0x5e, 0xa4, 0x77, 0xc1,
];

/// Every way 4 consecutive bytes of `secret` could show up in a Debug string.
fn forbidden(secret: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for w in secret.windows(4) {
        out.push(
            format!("{w:?}")
                .trim_matches(|c| c == '[' || c == ']')
                .to_owned(),
        ); // "211, 90, 145, 7"
        out.push(w.iter().map(|b| format!("{b:02x}")).collect()); // "d35a9107"
        out.push(w.iter().map(|b| format!("{b:02X}")).collect());
        out.push(
            w.iter()
                .map(|b| format!("{b:#04x}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    out
}

fn assert_clean(what: &str, shown: &str, secrets: &[(&str, Vec<u8>)]) {
    // Pretty-printed (`{:#?}`) arrays put each byte on its own line.
    let shown = &shown.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        !shown.contains(PASSWORD),
        "{what}: password leaked: {shown}"
    );
    for (name, bytes) in secrets {
        for pattern in forbidden(bytes) {
            assert!(
                !shown.contains(&pattern),
                "{what}: {name} leaked ({pattern}) in {shown}"
            );
        }
    }
}

#[test]
fn no_secret_in_debug() {
    let nt_hash = NtHash::from_password(&Password::new(PASSWORD));
    let response_key = nt_owf_v2(&nt_hash, "alice", "TESTDOM");
    let esk = SecretArray::new(ESK);
    let mut secrets: Vec<(&str, Vec<u8>)> = vec![
        ("password utf-16", ntlm::encode_utf16le(PASSWORD)),
        ("password utf-8", PASSWORD.as_bytes().to_vec()),
        ("nt hash", nt_hash.expose_secret().to_vec()),
        ("response key", response_key.expose_secret().to_vec()),
        ("exported session key", ESK.to_vec()),
    ];
    let mut store = InMemoryCredentialStore::new();
    store.insert_password("TESTDOM", "alice", &Password::new(PASSWORD));
    let config = ClientConfig::new("alice", "TESTDOM", &Password::new(PASSWORD));
    let random = ClientRandom {
        client_challenge: [0x33; 8],
        exported_session_key: esk,
    };
    let mut client = NtlmClient::with_random(config, random);
    let mut server = NtlmServer::with_server_challenge(
        ServerConfig::new("SRV", "TESTDOM", FileTime(1)),
        &store,
        [0x44; 8],
    );

    let before = format!(
        "{client:?} {client:#?} {server:?} {store:?} {:?}",
        Password::new(PASSWORD)
    );
    let Step::Continue(neg) = client.step(None).unwrap() else {
        panic!()
    };
    let Step::Continue(chal) = server.step(Some(&neg)).unwrap() else {
        panic!()
    };
    let Step::Complete(Some(auth)) = client.step(Some(&chal)).unwrap() else {
        panic!()
    };
    server.step(Some(&auth)).unwrap();

    let flags = client.context().unwrap().flags();
    let esk = client
        .context()
        .unwrap()
        .exported_session_key()
        .dangerous_clone();
    assert_eq!(esk.expose_secret(), &ESK, "KEY_EXCH carried the chosen key");
    for dir in [Direction::ClientToServer, Direction::ServerToClient] {
        secrets.push(("sign key", sign_key(&esk, dir).expose_secret().to_vec()));
        secrets.push((
            "seal key",
            seal_key(&esk, flags, dir).expose_secret().to_vec(),
        ));
    }
    let after = format!(
        "{client:?} {client:#?} {server:?} {server:#?} {:?} {:#?} {nt_hash:?} {response_key:?}",
        client.context().unwrap(),
        server.context().unwrap(),
    );
    assert!(after.contains("<redacted"), "{after}");
    assert!(
        after.contains("alice"),
        "non-secret fields stay visible: {after}"
    );
    assert_clean("before", &before, &secrets);
    assert_clean("after", &after, &secrets);

    // The harness itself must be able to see a leak.
    let leaky = format!("{:#?}", nt_hash.expose_secret());
    assert!(std::panic::catch_unwind(|| assert_clean("probe", &leaky, &secrets)).is_err());
}
