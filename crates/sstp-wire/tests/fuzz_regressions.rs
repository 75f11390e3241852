//! Replays every input in `fuzz/regressions/sstp/` (and the fuzz seed
//! corpora) through the checks of the `sstp_command_stream` and `sstp_token`
//! fuzz targets: nothing panics, and whatever decodes re-encodes to the same
//! bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use sstp_wire::{Carrier, CommandStream, DecodeOptions, SecurityToken};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// The body of `fuzz/fuzz_targets/sstp_command_stream.rs`. Returns how many
/// commands decoded.
fn command_stream(data: &[u8]) -> usize {
    let _ = sstp_wire::frame_len(data);
    let mut decoded = 0;
    for opts in [
        DecodeOptions::STRICT,
        DecodeOptions::STRICT.tolerate_register_token_overrun(true),
    ] {
        let mut stream = CommandStream::with_options(data, opts);
        let mut at = 0;
        while let Some(item) = stream.next() {
            let frame = &data[at..stream.consumed()];
            at = stream.consumed();
            let Ok(cmd) = item else { continue };
            decoded += 1;
            assert_eq!(cmd.to_vec().unwrap(), frame);
            if let (Some((_, raw, _)), Some(Ok(token))) = (cmd.token(), cmd.security_token()) {
                assert_eq!(token.to_vec().unwrap(), raw);
            }
        }
        assert_eq!(stream.consumed() + stream.remainder().len(), data.len());
    }
    decoded
}

/// The body of `fuzz/fuzz_targets/sstp_token.rs`.
fn token(data: &[u8]) -> bool {
    let Some((&selector, token)) = data.split_first() else {
        return false;
    };
    let carrier = Carrier::ALL[usize::from(selector) % Carrier::ALL.len()];
    match SecurityToken::parse(carrier, token) {
        Ok(t) => {
            assert!(carrier.accepts(t.message_id()));
            assert_eq!(t.to_vec().unwrap(), token);
            true
        }
        Err(_) => false,
    }
}

#[test]
fn regressions_do_not_panic() {
    let files = inputs(&fuzz_dir().join("regressions/sstp"));
    assert!(files.len() >= 10, "the hand-made regressions are missing");
    for (path, data) in &files {
        eprintln!("{}", path.display());
        command_stream(data);
        token(data);
        for selector in 0..u8::try_from(Carrier::ALL.len()).unwrap() {
            let mut with = vec![selector];
            with.extend(data);
            token(&with);
        }
    }
}

#[test]
fn regressions_hit_what_their_names_say() {
    let dir = fuzz_dir().join("regressions/sstp");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    // Broken framing: nothing decodes, the stream stops.
    let b = read("command-length-below-header.bin");
    let mut s = CommandStream::new(&b);
    assert!(s.next().unwrap().is_err());
    assert!(s.is_broken());
    // The 4.1.10 trace decodes only when the overrun is tolerated.
    let b = read("register-token-overrun-4.1.10.bin");
    assert!(CommandStream::new(&b).next().unwrap().is_err());
    let opts = DecodeOptions::STRICT.tolerate_register_token_overrun(true);
    let cmd = CommandStream::with_options(&b, opts)
        .next()
        .unwrap()
        .unwrap();
    assert!(cmd.security_token().unwrap().is_ok());
    // The unknown IDs are skipped by length and the partial header is kept.
    let b = read("unknown-ids-then-partial.bin");
    let mut s = CommandStream::new(&b);
    assert_eq!(s.by_ref().filter(Result::is_ok).count(), 3);
    assert_eq!(s.remainder(), [0x12]);
}

#[test]
fn seed_corpora_decode() {
    let seeds = fuzz_dir().join("seeds");
    let streams = inputs(&seeds.join("sstp_command_stream"));
    assert!(streams.len() >= 13);
    for (path, data) in &streams {
        assert!(
            command_stream(data) > 0,
            "{} decodes nothing",
            path.display()
        );
    }
    let tokens = inputs(&seeds.join("sstp_token"));
    assert!(tokens.len() >= 10);
    for (path, data) in &tokens {
        assert!(token(data), "{} does not decode", path.display());
    }
}
