//! Peer input never panics a decoder, and strict DER is canonical: whatever
//! decodes re-encodes to exactly the input. Three sources of input:
//! arbitrary bytes, mutations of real encodings (the fuzz seeds, which come
//! from the peer samples and the spec), and the committed fuzz corpora
//! themselves (`fuzz/seeds/asn1_*`), replayed by plain `cargo test`.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use asn1_types::grvsstps::ElgamalPublicKey;
use asn1_types::spnego::{NegoTokenKind, NegotiationToken};
use asn1_types::{TsCredentials, TsRequest, der_frame_len};
use proptest::collection::vec;
use proptest::prelude::*;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds");

/// Runs every decoder of the crate on `data`; returns how many accepted it.
fn exercise(data: &[u8]) -> usize {
    let mut accepted = 0;
    let frame = der_frame_len(data);
    let ts_frame = TsRequest::frame_len(data);
    if let Ok(req) = TsRequest::from_der(data) {
        accepted += 1;
        assert_eq!(
            req.to_der().expect("encode"),
            data,
            "TSRequest not canonical"
        );
        assert_eq!(ts_frame.and_then(Result::ok), Some(data.len()));
        assert_eq!(frame.and_then(Result::ok), Some(data.len()));
        let _ = req.summary();
    }
    if let Ok(creds) = TsCredentials::from_der(data) {
        accepted += 1;
        assert_eq!(creds.to_der().expect("encode").expose_secret(), data);
        let _ = format!("{creds:?}");
    }
    let kind = NegoTokenKind::of(data);
    if let Ok(token) = NegotiationToken::from_der(data) {
        accepted += 1;
        assert_eq!(
            token.to_der().expect("encode"),
            data,
            "SPNEGO not canonical"
        );
        assert!(matches!(
            kind,
            NegoTokenKind::SpnegoInit | NegoTokenKind::SpnegoResp
        ));
    }
    if let Ok(key) = ElgamalPublicKey::from_der(data) {
        accepted += 1;
        assert_eq!(key.to_der().expect("encode"), data, "key not canonical");
    }
    accepted
}

/// Minimized fuzz findings for this crate, if any were committed
/// (`fuzz/regressions/asn1*/`, the fuzz package's convention).
const REGRESSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/regressions");

fn regression_files() -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let Ok(dirs) = fs::read_dir(REGRESSIONS) else {
        return found; // no regressions committed yet
    };
    for dir in dirs.flatten() {
        let path = dir.path();
        let is_ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("asn1"));
        if !is_ours || !path.is_dir() {
            continue;
        }
        for file in fs::read_dir(&path).expect("read regression dir").flatten() {
            let data = fs::read(file.path()).expect("read regression");
            found.push((file.path().display().to_string(), data));
        }
    }
    found
}

fn seed_files() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(SEEDS);
    assert!(
        root.is_dir(),
        "fuzz seed directory {} is missing",
        root.display()
    );
    let mut seeds = Vec::new();
    for dir in fs::read_dir(root).expect("read seeds") {
        let dir = dir.expect("entry").path();
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !name.starts_with("asn1_") {
            continue;
        }
        for file in fs::read_dir(&dir).expect("read seed dir") {
            let file = file.expect("entry").path();
            let data = fs::read(&file).expect("read seed");
            seeds.push((format!("{name}/{}", file.display()), data));
        }
    }
    seeds.sort();
    seeds
}

#[test]
fn fuzz_seeds_replay_and_each_is_accepted() {
    let seeds = seed_files();
    assert!(seeds.len() >= 70, "only {} seeds", seeds.len());
    for (name, data) in &seeds {
        // Every committed seed is a valid encoding of its target's type.
        assert!(exercise(data) >= 1, "{name} was rejected by every decoder");
    }
    // Committed fuzz findings must not panic; acceptance is up to the decoders.
    for (_name, data) in regression_files() {
        exercise(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_bytes_never_panic(data in vec(any::<u8>(), 0..600)) {
        exercise(&data);
    }

    #[test]
    fn der_shaped_bytes_never_panic(
        tag in prop_oneof![Just(0x30u8), Just(0x60), Just(0xa0), Just(0xa1), any::<u8>()],
        body in vec(any::<u8>(), 0..300),
    ) {
        // A plausible outer header over random contents.
        let mut data = vec![tag];
        match body.len() {
            n @ 0..=0x7f => data.push(n as u8),
            n => data.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
        }
        data.extend_from_slice(&body);
        exercise(&data);
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        (
            any::<usize>(),
            prop_oneof![
                Just(0x00u8),
                Just(0x80),
                Just(0x81),
                Just(0x82),
                Just(0xff),
                any::<u8>()
            ]
        )
            .prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    let len = data.len().max(1);
    match *m {
        Mutation::Flip(i, mask) => {
            if let Some(b) = data.get_mut(i % len) {
                *b ^= mask;
            }
        }
        Mutation::Set(i, v) => {
            if let Some(b) = data.get_mut(i % len) {
                *b = v;
            }
        }
        Mutation::Insert(i, v) => data.insert(i % (data.len() + 1), v),
        Mutation::Remove(i) => {
            if !data.is_empty() {
                data.remove(i % len);
            }
        }
        Mutation::Truncate(i) => data.truncate(i % len),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn mutated_real_encodings_never_panic(
        pick in any::<prop::sample::Index>(),
        mutations in vec(mutation(), 1..4),
    ) {
        static SEEDS_CACHE: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
        let seeds = SEEDS_CACHE.get_or_init(seed_files);
        let (_, original) = &seeds[pick.index(seeds.len())];
        let mut data = original.clone();
        for m in &mutations {
            apply(&mut data, m);
        }
        exercise(&data);
    }
}
