//! Malformed peer tokens never panic the acceptors or the initiator; a
//! first token never yields a caller (Usage) error. Replays the fuzz seeds
//! (`fuzz/seeds/spnego_acceptor/`) and any minimized crashes
//! (`fuzz/regressions/spnego/`) through the same driver as
//! `fuzz/fuzz_targets/spnego_acceptor.rs`.

mod common;

use std::path::PathBuf;

use common::{ntlm_client, ntlm_server};
use proptest::prelude::*;
use spnego::{
    MechError, MechErrorKind, MechStep, Mechanism, NegotiateAcceptor, SpnegoAcceptor,
    SpnegoInitiator,
};

fn not_usage(r: Result<MechStep, MechError>) {
    if let Err(e) = r {
        assert_ne!(e.kind, MechErrorKind::Usage, "{e}");
    }
}

fn first_token(m: &mut dyn Mechanism) -> Vec<u8> {
    match m.step(None).unwrap() {
        MechStep::Continue(t) => t,
        other => panic!("{other:?}"),
    }
}

/// The fuzz target's body.
fn drive(data: &[u8]) {
    let (first, second) = match data {
        [hi, lo, rest @ ..] => {
            rest.split_at(usize::from(u16::from_be_bytes([*hi, *lo])).min(rest.len()))
        }
        _ => (data, &[][..]),
    };
    let mut a = NegotiateAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    not_usage(a.step(Some(first)));
    let _ = a.step(Some(second));
    let _ = a.take_error_token();
    let _ = a.unwrap(second);

    for raw in [false, true] {
        let mut init: Box<dyn Mechanism> = if raw {
            Box::new(ntlm_client("Passw0rd!"))
        } else {
            Box::new(SpnegoInitiator::new(vec![Box::new(ntlm_client("Passw0rd!"))]).unwrap())
        };
        let mut a = NegotiateAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
        let token = first_token(&mut *init);
        not_usage(a.step(Some(&token)));
        not_usage(a.step(Some(data)));
        if a.is_complete() {
            let _ = a.unwrap(data);
            let _ = a.verify_mic(data, data);
        }
    }

    let mut init = SpnegoInitiator::new(vec![Box::new(ntlm_client("Passw0rd!"))]).unwrap();
    let _ = first_token(&mut init);
    not_usage(init.step(Some(data)));
}

/// Tokens of a real exchange with one byte changed or the token cut short,
/// fed to the SPNEGO acceptor at the step where they belong.
fn mutated_exchange(which: usize, at: usize, xor: u8, cut: bool) {
    let mut i = SpnegoInitiator::new(vec![Box::new(ntlm_client("Passw0rd!"))]).unwrap();
    let mut a = SpnegoAcceptor::new(vec![Box::new(ntlm_server())]).unwrap();
    let MechStep::Continue(mut init) = i.step(None).unwrap() else {
        panic!()
    };
    let mutate = |t: &mut Vec<u8>| {
        let at = at % t.len();
        if cut {
            t.truncate(at);
        } else {
            t[at] ^= xor;
        }
    };
    if which == 0 {
        mutate(&mut init);
        not_usage(a.step(Some(&init)));
        return;
    }
    let MechStep::Continue(challenge) = a.step(Some(&init)).unwrap() else {
        panic!()
    };
    let MechStep::Continue(mut auth) = i.step(Some(&challenge)).unwrap() else {
        panic!()
    };
    mutate(&mut auth);
    // Whatever the change, a peer error or (for changes the acceptor does
    // not read, such as the initiator's negState value) success; never a
    // panic or a caller error.
    not_usage(a.step(Some(&auth)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        drive(&data);
    }

    #[test]
    fn spnego_shaped_bytes_never_panic(
        head in prop::sample::select(vec![0x60u8, 0xa1, 0xa0, 0x30]),
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut token = vec![head];
        token.extend(body);
        drive(&token);
    }

    #[test]
    fn mutated_real_tokens_never_panic(
        which in 0usize..2, at in any::<usize>(), xor in any::<u8>(), cut in any::<bool>(),
    ) {
        mutated_exchange(which, at, xor, cut);
    }
}

fn files(dir: PathBuf) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect()
}

#[test]
fn fuzz_seeds_and_regressions_replay() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let seeds = files(root.join("seeds/spnego_acceptor"));
    assert!(seeds.len() >= 10, "seed corpus missing");
    for data in seeds.iter().chain(&files(root.join("regressions/spnego"))) {
        drive(data);
    }
}
