//! Live interoperability with Crypto++ 8.7: the oracles in
//! `../shared/peers/cryptopp/` (`elgamal_oracle.cpp`, `sym_oracle.cpp`) are
//! built with g++ and driven with fresh keys and random inputs, both ways.
//!
//! Needs g++ and the Crypto++ headers (`apt-get install g++ libcrypto++-dev`);
//! when they are missing these tests FAIL with that command — they are never
//! skipped. `PEERS_DIR` overrides the location of the shared peers directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crypto_primitives::elgamal::{Group, PrivateKey};
use crypto_primitives::{RsaSigningKey, RsaVerifyingKey, hmac_sha1, marc4_apply};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

const INSTALL: &str = "apt-get install -y g++ libcrypto++-dev";

fn peers_dir() -> PathBuf {
    match std::env::var_os("PEERS_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/peers"),
    }
}

/// Builds `peers/cryptopp/<name>.cpp` once per test process.
fn oracle(name: &'static str) -> PathBuf {
    static ELGAMAL: OnceLock<PathBuf> = OnceLock::new();
    static SYM: OnceLock<PathBuf> = OnceLock::new();
    let cell = if name == "elgamal_oracle" {
        &ELGAMAL
    } else {
        &SYM
    };
    cell.get_or_init(|| {
        let src = peers_dir().join("cryptopp").join(format!("{name}.cpp"));
        assert!(
            src.exists(),
            "Crypto++ oracle source {} is missing: the shared peers directory \
             (../shared/peers, or $PEERS_DIR) must be present",
            src.display()
        );
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cryptopp-oracles");
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join(name);
        // Always rebuilt (so a missing g++ or Crypto++ is noticed), under a
        // process-unique name and then renamed: concurrent test binaries
        // never see a half-written oracle.
        let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
        let out = Command::new("g++")
            .args(["-O2", "-std=c++17", "-o"])
            .arg(&tmp)
            .arg(&src)
            .arg("-lcryptopp")
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run g++ ({e}); the Crypto++ interop tests need it: {INSTALL}")
            });
        assert!(
            out.status.success(),
            "building the Crypto++ oracle {name} failed (are the Crypto++ headers and \
             library installed? run: {INSTALL}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(&tmp, &exe).unwrap();
        exe
    })
    .clone()
}

/// Runs an oracle and returns its raw output.
fn run_raw(name: &'static str, args: &[&str]) -> std::process::Output {
    let exe = oracle(name);
    Command::new(&exe).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {} ({e}); is Crypto++ installed? {INSTALL}",
            exe.display()
        )
    })
}

/// Runs an oracle; returns its `key=value` lines, or `Err(stdout)` when it
/// exits non-zero.
fn run(name: &'static str, args: &[&str]) -> Result<Vec<(String, String)>, String> {
    let out = run_raw(name, args);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        return Err(stdout);
    }
    Ok(stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect())
}

fn field(kv: &[(String, String)], key: &str) -> String {
    kv.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("oracle output lacks {key}: {kv:?}"))
}

fn unhex_num(s: &str) -> Vec<u8> {
    let s = s.split_whitespace().next().unwrap();
    let s = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    hex::decode(s).unwrap()
}

fn random_bytes(rng: &mut ChaCha20Rng, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

/// Both directions with a key in `group`: Crypto++ encrypts to our key and we
/// decrypt; we encrypt and Crypto++ decrypts.
fn both_directions(group: Group, rng: &mut ChaCha20Rng) {
    let p = hex::encode(group.p_be());
    let g = hex::encode(group.g_be());
    let max = group.max_plaintext_len();
    let key = PrivateKey::generate(rng, group).unwrap();
    let y = hex::encode(key.public_key().y_be());
    let x = hex::encode(key.x_be_secret().expose_secret());
    for len in [0, 1, 24, 100, max] {
        let pt = random_bytes(rng, len);
        // Crypto++ -> us
        let kv = run(
            "elgamal_oracle",
            &["encrypt", &p, &g, &y, &hex::encode(&pt)],
        )
        .unwrap();
        let ct = hex::decode(field(&kv, "ct")).unwrap();
        assert_eq!(ct.len(), key.public_key().group().ciphertext_len());
        assert_eq!(
            key.decrypt(&ct).unwrap().expose_secret(),
            &pt[..],
            "len {len}"
        );
        // us -> Crypto++
        let ct = key.public_key().encrypt(rng, &pt).unwrap();
        let kv = run(
            "elgamal_oracle",
            &["decrypt", &p, &g, &x, &hex::encode(&ct)],
        )
        .unwrap_or_else(|out| panic!("Crypto++ rejected our ciphertext: {out}"));
        assert_eq!(field(&kv, "pt_len"), len.to_string());
        let shown = kv
            .iter()
            .find(|(k, _)| k == "pt")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        assert_eq!(shown, hex::encode(&pt));
    }
}

#[test]
fn elgamal_groove_group_both_directions() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x6007e);
    both_directions(Group::groove2007(), &mut rng);
}

#[test]
fn elgamal_cryptopp_key_in_groove_group() {
    // Crypto++ generates the key (keygen-in); we import x and must derive its y.
    let g = Group::groove2007();
    let (p, gg) = (hex::encode(g.p_be()), hex::encode(g.g_be()));
    let kv = run("elgamal_oracle", &["keygen-in", &p, &gg]).unwrap();
    let x = unhex_num(&field(&kv, "x"));
    let key = PrivateKey::from_x_be(g, &x).unwrap();
    assert_eq!(key.public_key().y_be(), unhex_num(&field(&kv, "y")));
    let kv = run(
        "elgamal_oracle",
        &[
            "encrypt",
            &p,
            &gg,
            &field(&kv, "y"),
            "48656c6c6f2c2047726f6f766521",
        ],
    )
    .unwrap();
    let ct = hex::decode(field(&kv, "ct")).unwrap();
    assert_eq!(key.decrypt(&ct).unwrap().expose_secret(), b"Hello, Groove!");
}

#[test]
fn elgamal_fresh_cryptopp_safe_prime_group() {
    // A fresh 1024-bit safe-prime group from Crypto++ (GenerateRandomWithKeySize).
    let kv = run("elgamal_oracle", &["keygen", "1024"]).unwrap();
    let (p, g) = (unhex_num(&field(&kv, "p")), unhex_num(&field(&kv, "g")));
    let group = Group::new(&p, &g).unwrap();
    assert_eq!(group.q_be(), unhex_num(&field(&kv, "q")));
    let key = PrivateKey::from_x_be(group.clone(), &unhex_num(&field(&kv, "x"))).unwrap();
    assert_eq!(key.public_key().y_be(), unhex_num(&field(&kv, "y")));
    let mut rng = ChaCha20Rng::seed_from_u64(1024);
    both_directions(group, &mut rng);
}

#[test]
fn elgamal_our_fresh_group_works_with_cryptopp() {
    // Our safe-prime group generator; Crypto++ must accept and use the group.
    // The search time is random; this (deterministic) seed finds a prime after
    // a short search, which keeps the unoptimised test build fast.
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let group = Group::generate(&mut rng, 1024).unwrap();
    assert_eq!(group.modulus_bits(), 1024);
    group.validate().unwrap();
    let (p, g) = (hex::encode(group.p_be()), hex::encode(group.g_be()));
    let kv = run("elgamal_oracle", &["keygen-in", &p, &g]).unwrap();
    let key = PrivateKey::from_x_be(group.clone(), &unhex_num(&field(&kv, "x"))).unwrap();
    assert_eq!(key.public_key().y_be(), unhex_num(&field(&kv, "y")));
    both_directions(group, &mut rng);
}

#[test]
fn elgamal_random_ciphertexts_accepted_and_rejected_alike() {
    // Differential: random (often invalid) ciphertexts must get the same
    // verdict, and the same plaintext when accepted, from both sides.
    let mut rng = ChaCha20Rng::seed_from_u64(0xd1ff);
    let group = Group::groove2007();
    let (p, g) = (hex::encode(group.p_be()), hex::encode(group.g_be()));
    let key = PrivateKey::generate(&mut rng, group).unwrap();
    let x = hex::encode(key.x_be_secret().expose_secret());
    let valid = key
        .public_key()
        .encrypt(&mut rng, b"0123456789abcdef")
        .unwrap();
    let mut cases: Vec<Vec<u8>> = (0..24).map(|_| random_bytes(&mut rng, 384)).collect();
    // Valid a with random b: passes the a checks, then hits the length byte.
    for _ in 0..24 {
        let mut c = valid[..192].to_vec();
        c.extend(random_bytes(&mut rng, 192));
        cases.push(c);
    }
    let mut two = vec![0u8; 192];
    two[191] = 2;
    two.extend_from_slice(&valid[192..]);
    cases.extend([valid.clone(), valid[..383].to_vec(), two]);
    let (mut accepted, mut rejected) = (0, 0);
    for ct in &cases {
        let ours = key.decrypt(ct);
        let theirs = run("elgamal_oracle", &["decrypt", &p, &g, &x, &hex::encode(ct)]);
        match (ours, theirs) {
            (Ok(pt), Ok(kv)) => {
                accepted += 1;
                let shown = kv
                    .iter()
                    .find(|(k, _)| k == "pt")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                assert_eq!(hex::encode(pt.expose_secret()), shown);
            }
            (Err(_), Err(out)) => {
                rejected += 1;
                assert!(out.contains("INVALID"), "{out}");
            }
            (ours, theirs) => panic!(
                "verdicts differ on {}: ours {ours:?}, Crypto++ {theirs:?}",
                hex::encode(ct)
            ),
        }
    }
    assert!(
        accepted >= 1 && rejected >= 3,
        "accepted {accepted} rejected {rejected}"
    );
}

#[test]
fn marc4_and_hmac_random_inputs_match_cryptopp() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x4c4);
    for i in 0..16 {
        let key_len = if i < 8 {
            24
        } else {
            1 + (rng.next_u32() % 64) as usize
        };
        let key = random_bytes(&mut rng, key_len);
        let iv = random_bytes(&mut rng, key_len);
        let data_len = 1 + (rng.next_u32() % 300) as usize;
        let data = random_bytes(&mut rng, data_len);
        // sym_oracle prints bare hex, not key=value.
        let out = run_raw(
            "sym_oracle",
            &[
                "marc4",
                &hex::encode(&key),
                &hex::encode(&iv),
                &hex::encode(&data),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut ours = data.clone();
        marc4_apply(&key, &iv, &mut ours).unwrap();
        assert_eq!(
            hex::encode(&ours),
            String::from_utf8_lossy(&out.stdout).trim()
        );

        let mac_key_len = 1 + (rng.next_u32() % 100) as usize;
        let mac_key = random_bytes(&mut rng, mac_key_len);
        let out = run_raw(
            "sym_oracle",
            &["hmac-sha1", &hex::encode(&mac_key), &hex::encode(&data)],
        );
        assert_eq!(
            hex::encode(hmac_sha1(&mac_key, &data)),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
}

#[test]
fn rsa_our_key_and_signatures_match_cryptopp() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x25a);
    let key = RsaSigningKey::generate(&mut rng, 1024).unwrap();
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rsa-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pk8 = dir.join("key.pk8.der");
    let spki = dir.join("pub.spki.der");
    std::fs::write(&pk8, key.to_pkcs8_der().unwrap().expose_secret()).unwrap();
    std::fs::write(&spki, key.verifying_key().to_spki_der().unwrap()).unwrap();
    for len in [0usize, 20, 100] {
        let msg = random_bytes(&mut rng, len);
        let ours = key.sign_sha1(&mut rng, &msg).unwrap();
        let out = run_raw(
            "sym_oracle",
            &["rsa-sign", pk8.to_str().unwrap(), &hex::encode(&msg)],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            hex::encode(&ours),
            String::from_utf8_lossy(&out.stdout).trim()
        );
        let out = run_raw(
            "sym_oracle",
            &[
                "rsa-verify",
                spki.to_str().unwrap(),
                &hex::encode(&msg),
                &hex::encode(&ours),
            ],
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "VALID");
        RsaVerifyingKey::from_der(&std::fs::read(&spki).unwrap())
            .unwrap()
            .verify_sha1(&msg, &ours)
            .unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
