//! Property tests: no parser or state machine panics on arbitrary input, and
//! every message type round-trips.

use crypto_primitives::SecretArray;
use ntlm::{
    AuthenticateMessage, AvFlags, AvPair, AvPairs, ChallengeMessage, ClientConfig, ClientRandom,
    FileTime, Identity, InMemoryCredentialStore, MessageType, NegotiateFlags, NegotiateMessage,
    NtlmClient, NtlmServer, NtlmV2Response, Password, Role, SecurityContext, ServerConfig, Step,
    Version, encode_av_pairs,
};
use proptest::prelude::*;

/// Arbitrary bytes, sometimes behind a valid signature and message type so
/// the deeper parsers are reached.
fn ntlm_like() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        (1u32..=3, proptest::collection::vec(any::<u8>(), 0..300)).prop_map(|(t, rest)| {
            let mut v = b"NTLMSSP\0".to_vec();
            v.extend_from_slice(&t.to_le_bytes());
            v.extend_from_slice(&rest);
            v
        }),
    ]
}

fn check_parsers(bytes: &[u8]) {
    let _ = MessageType::of(bytes);
    let _ = AvPairs::parse(bytes).map(|p| p.iter().count());
    let _ = NtlmV2Response::parse(bytes);
    // A successfully parsed message re-serializes (with its layout) into bytes
    // that parse to the same message.
    if let Ok(m) = NegotiateMessage::parse(bytes) {
        let again = m.to_bytes().unwrap();
        assert_eq!(NegotiateMessage::parse(&again).unwrap(), m);
    }
    if let Ok(m) = ChallengeMessage::parse(bytes) {
        let again = m.to_bytes().unwrap();
        assert_eq!(ChallengeMessage::parse(&again).unwrap(), m);
        let _ = m.target_name_string();
    }
    if let Ok(m) = AuthenticateMessage::parse(bytes) {
        let again = m.to_bytes().unwrap();
        assert_eq!(AuthenticateMessage::parse(&again).unwrap(), m);
        let _ = (
            m.user_name_string(),
            m.domain_name_string(),
            m.workstation_string(),
        );
        let _ = NtlmV2Response::parse(m.nt_challenge_response);
    }
}

fn version() -> impl Strategy<Value = Option<Version>> {
    proptest::option::of(any::<[u8; 8]>().prop_map(Version::from_bytes))
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn av_pairs() -> impl Strategy<Value = Vec<u8>> {
    (
        bytes(20),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<[u8; 16]>()),
    )
        .prop_map(|(name, ts, flags, cb)| {
            let mut pairs = vec![AvPair::NbComputerName(&name), AvPair::DnsTreeName(&name)];
            if let Some(t) = ts {
                pairs.push(AvPair::Timestamp(FileTime(t)));
            }
            if let Some(f) = flags {
                pairs.push(AvPair::Flags(AvFlags::from_bits(f)));
            }
            if let Some(h) = cb {
                pairs.push(AvPair::ChannelBindings(h));
            }
            pairs.push(AvPair::Other {
                id: 0x1234,
                value: &name,
            });
            encode_av_pairs(&pairs).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_never_panic(b in ntlm_like()) {
        check_parsers(&b);
    }

    #[test]
    fn state_machines_never_panic(b in ntlm_like()) {
        let mut store = InMemoryCredentialStore::new();
        store.insert_password("D", "u", &Password::new("p"));
        // Server: arbitrary NEGOTIATE, and arbitrary AUTHENTICATE after a real NEGOTIATE.
        let mut server = NtlmServer::with_server_challenge(ServerConfig::new("S", "D", FileTime(1)), &store, [1; 8]);
        let _ = server.step(Some(&b));
        let random = ClientRandom { client_challenge: [2; 8], exported_session_key: SecretArray::new([3; 16]) };
        let mut client = NtlmClient::with_random(ClientConfig::new("u", "D", &Password::new("p")), random);
        let Ok(Step::Continue(neg)) = client.step(None) else { panic!("negotiate") };
        let mut server = NtlmServer::with_server_challenge(ServerConfig::new("S", "D", FileTime(1)), &store, [1; 8]);
        let _ = server.step(Some(&neg));
        let _ = server.step(Some(&b));
        // Client: arbitrary CHALLENGE.
        let _ = client.step(Some(&b));
        // Context: arbitrary tokens.
        let id = Identity { user: String::new(), domain: String::new(), workstation: String::new(), anonymous: false };
        let mut ctx = SecurityContext::new(Role::Server, NegotiateFlags::from_bits(0xe28a_8235), SecretArray::new([4; 16]), id, None);
        let _ = ctx.unwrap(&b);
        let _ = ctx.verify_mic(&b, &b);
    }

    #[test]
    fn negotiate_round_trip(flags in any::<u32>(), domain in bytes(40), ws in bytes(40), version in version()) {
        let m = NegotiateMessage { flags: NegotiateFlags::from_bits(flags), domain_name: &domain, workstation: &ws, version, layout: None };
        let b = m.to_bytes().unwrap();
        let p = NegotiateMessage::parse(&b).unwrap();
        prop_assert_eq!(p.to_bytes().unwrap(), b.clone());
        prop_assert_eq!(NegotiateMessage { layout: None, ..p }, m);
    }

    #[test]
    fn challenge_round_trip(flags in any::<u32>(), name in bytes(40), sc in any::<[u8; 8]>(), reserved in any::<[u8; 8]>(), info in av_pairs(), version in version()) {
        let m = ChallengeMessage {
            target_name: &name,
            flags: NegotiateFlags::from_bits(flags),
            server_challenge: sc,
            reserved,
            target_info: AvPairs::parse(&info).unwrap(),
            version,
            layout: None,
        };
        let b = m.to_bytes().unwrap();
        let p = ChallengeMessage::parse(&b).unwrap();
        prop_assert_eq!(p.to_bytes().unwrap(), b.clone());
        prop_assert_eq!(ChallengeMessage { layout: None, ..p }, m);
    }

    #[test]
    fn authenticate_round_trip(
        flags in any::<u32>(),
        lm in bytes(30), nt in bytes(120), domain in bytes(30), user in bytes(30), ws in bytes(30), key in bytes(20),
        version in version(),
        mic in proptest::option::of(any::<[u8; 16]>()),
    ) {
        let m = AuthenticateMessage {
            lm_challenge_response: &lm,
            nt_challenge_response: &nt,
            domain_name: &domain,
            user_name: &user,
            workstation: &ws,
            encrypted_random_session_key: &key,
            flags: NegotiateFlags::from_bits(flags),
            version,
            mic,
            layout: None,
        };
        let b = m.to_bytes().unwrap();
        let p = AuthenticateMessage::parse(&b).unwrap();
        prop_assert_eq!(p.to_bytes().unwrap(), b.clone());
        // A MIC implies the VERSION slot: zeros when no version was given.
        let expected_version = match (version, mic) {
            (None, Some(_)) => Some(Version::from_bytes([0; 8])),
            (v, _) => v,
        };
        prop_assert_eq!(AuthenticateMessage { layout: None, ..p }, AuthenticateMessage { version: expected_version, ..m });
    }

    /// Parsing with a shuffled (non-canonical) payload order and serializing
    /// gives back the same bytes.
    #[test]
    fn authenticate_foreign_layout_round_trip(domain in bytes(20), user in bytes(20), nt in bytes(60), pad in 0usize..16) {
        // Payload in pyspnego's order (LM, NT, domain, user, workstation, key) with padding gaps.
        let lm = [0u8; 24];
        let header = 88usize;
        let mut msg = vec![0u8; header];
        msg[..8].copy_from_slice(b"NTLMSSP\0");
        msg[8] = 3;
        let mut cursor = header + pad;
        for (slot, value) in [(12usize, &lm[..]), (20, &nt), (28, &domain), (36, &user), (44, &[][..]), (52, &[][..])] {
            let len = value.len() as u16;
            msg[slot..slot + 2].copy_from_slice(&len.to_le_bytes());
            msg[slot + 2..slot + 4].copy_from_slice(&len.to_le_bytes());
            msg[slot + 4..slot + 8].copy_from_slice(&(cursor as u32).to_le_bytes());
            msg.resize(cursor, 0);
            msg.extend_from_slice(value);
            cursor += value.len() + pad;
        }
        let p = AuthenticateMessage::parse(&msg).unwrap();
        prop_assert_eq!(p.to_bytes().unwrap(), msg);
    }
}

fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The seed corpus (every real NTLM message from the recorded samples, and
/// the MS-NLMP §4.2.4.3 messages) replayed by plain `cargo test`: each must
/// round-trip byte for byte.
#[test]
fn seed_corpus_round_trips() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/ntlm/fuzz_seeds");
    let files = files_in(&dir);
    assert!(
        files.len() >= 28,
        "seed corpus missing: {} files in {dir:?}",
        files.len()
    );
    for path in files {
        let b = std::fs::read(&path).unwrap();
        check_parsers(&b);
        let again = match MessageType::of(&b).unwrap() {
            MessageType::Negotiate => NegotiateMessage::parse(&b).unwrap().to_bytes(),
            MessageType::Challenge => ChallengeMessage::parse(&b).unwrap().to_bytes(),
            MessageType::Authenticate => AuthenticateMessage::parse(&b).unwrap().to_bytes(),
        };
        assert_eq!(again.unwrap(), b, "{path:?}");
    }
}

/// Minimized fuzz crashes (`fuzz/regressions/ntlm/`, the fuzz package's
/// convention) and the fuzz corpora (`fuzz/seeds/ntlm_*/`), when present,
/// must not panic any parser.
#[test]
fn fuzz_regressions_do_not_panic() {
    let fuzz = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut dirs = vec![fuzz.join("regressions/ntlm")];
    if let Ok(entries) = std::fs::read_dir(fuzz.join("seeds")) {
        dirs.extend(entries.map(|e| e.unwrap().path()).filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("ntlm_"))
        }));
    }
    for dir in dirs {
        for path in files_in(&dir) {
            check_parsers(&std::fs::read(&path).unwrap());
        }
    }
}
