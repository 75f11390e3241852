//! ElGamal against the 12 deterministic Crypto++ 8.7 vectors
//! (`tests/vectors/crypto/elgamal_cryptopp.json`, a copy of
//! `peers/cryptopp/vectors.json`) and the recorded Crypto++ RNG streams
//! (`elgamal_rng_replay.json`). See that directory's README for provenance.

use core::convert::Infallible;

use crypto_primitives::crypto_bigint::BoxedUint;
use crypto_primitives::crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_primitives::elgamal::{Group, KeyForm, PrivateKey, PublicKey};
use crypto_primitives::{ErrorKind, Origin};
use rand_core::{TryCryptoRng, TryRng};
use serde_json::Value;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/crypto/elgamal_cryptopp.json"
));
const REPLAY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/crypto/elgamal_rng_replay.json"
));

struct Vector {
    group: String,
    p: Vec<u8>,
    g: Vec<u8>,
    x: Vec<u8>,
    y: Vec<u8>,
    plaintext: Vec<u8>,
    k: Vec<u8>,
    padding: Vec<u8>,
    block: Vec<u8>,
    ciphertext: Vec<u8>,
}

/// Crypto++ prints numbers as hex with possibly an odd digit count.
fn num(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    let s = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_string()
    };
    hex::decode(s).unwrap()
}

fn vectors() -> Vec<Vector> {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    doc.as_array()
        .unwrap()
        .iter()
        .map(|v| Vector {
            group: v["group"].as_str().unwrap().to_string(),
            p: num(&v["p"]),
            g: num(&v["g"]),
            x: num(&v["x"]),
            y: num(&v["y"]),
            plaintext: num(&v["plaintext"]),
            k: num(&v["k"]),
            padding: num(&v["padding"]),
            block: num(&v["block"]),
            ciphertext: num(&v["ciphertext"]),
        })
        .collect()
}

fn group_of(v: &Vector) -> Group {
    if v.group == "groove2007" {
        Group::groove2007()
    } else {
        Group::new(&v.p, &v.g).unwrap()
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[i..]
}

#[test]
fn all_twelve_cryptopp_vectors() {
    let vs = vectors();
    assert_eq!(vs.len(), 12);
    assert_eq!(vs.iter().filter(|v| v.group == "groove2007").count(), 6);
    for (i, v) in vs.iter().enumerate() {
        let group = group_of(v);
        assert_eq!(group.p_be(), trim(&v.p), "vector {i}: p");
        let key = PrivateKey::from_x_be(group, &v.x).unwrap();
        let public = key.public_key();
        // y = g^x, as Crypto++ computed it.
        assert_eq!(public.y_be(), trim(&v.y), "vector {i}: y");
        // The block layout is the spec's: padding || plaintext || LenP.
        let mut block = v.padding.clone();
        block.extend_from_slice(&v.plaintext);
        block.push(v.plaintext.len() as u8);
        assert_eq!(block, v.block, "vector {i}: block");
        // Encryption with Crypto++'s k and padding is byte-identical.
        let ct = public.encrypt_with(&v.plaintext, &v.k, &v.padding).unwrap();
        assert_eq!(ct, v.ciphertext, "vector {i}: ciphertext");
        assert_eq!(ct.len(), public.group().ciphertext_len());
        // Decryption of Crypto++'s ciphertext gives the plaintext back.
        assert_eq!(
            key.decrypt(&v.ciphertext).unwrap().expose_secret(),
            &v.plaintext[..]
        );
        // The public key alone (as a peer would send it) encrypts the same.
        let peer = PublicKey::from_der(&public.to_der().unwrap()).unwrap();
        assert_eq!(
            peer.encrypt_with(&v.plaintext, &v.k, &v.padding).unwrap(),
            v.ciphertext
        );
        let expected_form = if v.group == "groove2007" {
            KeyForm::Groove2007
        } else {
            KeyForm::Standard
        };
        assert_eq!(peer.form(), expected_form);
    }
}

/// Replays the exact byte stream Crypto++'s RNG produced.
struct ReplayRng {
    bytes: Vec<u8>,
    pos: usize,
}

impl TryRng for ReplayRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let end = self.pos + dst.len();
        assert!(end <= self.bytes.len(), "replay stream exhausted");
        dst.copy_from_slice(&self.bytes[self.pos..end]);
        self.pos = end;
        Ok(())
    }
}

impl TryCryptoRng for ReplayRng {}

#[test]
fn encrypt_consumes_randomness_like_cryptopp() {
    let vs = vectors();
    let replay: Value = serde_json::from_str(REPLAY).unwrap();
    let streams = replay["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 12);
    for s in streams {
        let i = s["vector"].as_u64().unwrap() as usize;
        let v = &vs[i];
        let key = PrivateKey::from_x_be(group_of(v), &v.x).unwrap();
        let bytes = hex::decode(s["rng_stream"].as_str().unwrap()).unwrap();
        let mut rng = ReplayRng { bytes, pos: 0 };
        let ct = key.public_key().encrypt(&mut rng, &v.plaintext).unwrap();
        assert_eq!(ct, v.ciphertext, "vector {i}");
        assert_eq!(
            rng.pos,
            rng.bytes.len(),
            "vector {i}: all recorded bytes used"
        );
    }
}

fn be(x: &BoxedUint, len: usize) -> Vec<u8> {
    let b = x.to_be_bytes();
    b[b.len() - len..].to_vec()
}

#[test]
fn decryption_applies_cryptopp_checks() {
    let v = &vectors()[2]; // groove2007, 14-byte plaintext
    let key = PrivateKey::from_x_be(Group::groove2007(), &v.x).unwrap();
    let ct = &v.ciphertext;
    let peer_err = |ct: &[u8]| {
        let e = key.decrypt(ct).unwrap_err();
        assert_eq!(e.origin, Origin::Peer, "{e}");
        e
    };
    // Length must be exactly 2 * LenM.
    for len in [0, 1, 383, 385, 768] {
        let mut c = ct.clone();
        c.resize(len, 0);
        let e = peer_err(&c);
        assert_eq!(
            e.kind,
            ErrorKind::LengthMismatch {
                expected: 384,
                actual: len
            }
        );
    }
    // 1 < a < p.
    let p = Group::groove2007().p_be();
    for a in [
        vec![0u8; 192],
        {
            let mut one = vec![0u8; 192];
            one[191] = 1;
            one
        },
        p.clone(),
        vec![0xFF; 192],
    ] {
        let mut c = a.clone();
        c.extend_from_slice(&ct[192..]);
        let e = peer_err(&c);
        assert_eq!(e.kind, ErrorKind::InvalidCiphertext("a is not in (1, p)"));
    }
    // a must be a quadratic residue: 2 is a non-residue mod the Groove prime,
    // and so is p - 1 (p = 3 mod 4).
    let mut p_minus_1 = p.clone();
    p_minus_1[191] -= 1;
    let mut two = vec![0u8; 192];
    two[191] = 2;
    for a in [two, p_minus_1] {
        let mut c = a;
        c.extend_from_slice(&ct[192..]);
        assert!(
            matches!(peer_err(&c).kind, ErrorKind::InvalidCiphertext(m) if m.contains("quadratic residue"))
        );
    }
    // b is not range-checked (Crypto++ reduces it mod p): b = 2^1536 - 1 > p
    // gets past every check up to the length byte.
    let mut c = ct[..192].to_vec();
    c.extend_from_slice(&[0xFF; 192]);
    match key.decrypt(&c) {
        Ok(_) => {}
        Err(e) => assert_eq!(
            e.kind,
            ErrorKind::InvalidCiphertext("length byte exceeds the maximum plaintext length")
        ),
    }
    // Length byte above min(255, LenM - 3) = 189 is rejected; exactly 189 is
    // accepted and yields the 189 bytes above it (padding ignored).
    let params = BoxedMontyParams::new(
        BoxedUint::from_be_slice_vartime(&p)
            .to_odd()
            .into_option()
            .unwrap(),
    );
    let monty = |x: &[u8]| BoxedMontyForm::new(BoxedUint::from_be_slice(x, 1536).unwrap(), &params);
    let y = key.public_key().y_be();
    let shared = monty(&y).pow(&BoxedUint::from_be_slice(&v.k, 1536).unwrap());
    for (len_byte, ok) in [(190u8, false), (255, false), (189, true)] {
        let mut block = v.block.clone();
        *block.last_mut().unwrap() = len_byte;
        let b = shared.mul(&monty(&block)).retrieve();
        let mut c = ct[..192].to_vec();
        c.extend_from_slice(&be(&b, 192));
        if ok {
            let pt = key.decrypt(&c).unwrap();
            assert_eq!(pt.expose_secret(), &block[190 - 189..190]);
        } else {
            let e = peer_err(&c);
            assert_eq!(
                e.kind,
                ErrorKind::InvalidCiphertext("length byte exceeds the maximum plaintext length")
            );
        }
    }
}

#[test]
fn caller_errors_for_bad_deterministic_inputs() {
    let v = &vectors()[0];
    let key = PrivateKey::from_x_be(Group::groove2007(), &v.x).unwrap();
    let pk = key.public_key();
    let caller = |r: Result<Vec<u8>, crypto_primitives::Error>| {
        let e = r.unwrap_err();
        assert_eq!(e.origin, Origin::Caller, "{e}");
        e.field
    };
    assert_eq!(caller(pk.encrypt_with(&[], &[0], &v.padding)), Some("k"));
    assert_eq!(
        caller(pk.encrypt_with(&[], &pk.group().q_be(), &v.padding)),
        Some("k")
    );
    assert_eq!(
        caller(pk.encrypt_with(&[], &v.k, &v.padding[1..])),
        Some("padding")
    );
    assert_eq!(
        caller(pk.encrypt_with(&[1; 190], &v.k, &[])),
        Some("plaintext")
    );
    // k = q - 1 is the top of the range and is accepted.
    let mut q_minus_1 = pk.group().q_be();
    *q_minus_1.last_mut().unwrap() -= 1;
    let ct = pk.encrypt_with(b"top", &q_minus_1, &[7; 187]).unwrap();
    assert_eq!(key.decrypt(&ct).unwrap().expose_secret(), b"top");
    // x must be in [1, p - 2].
    assert!(PrivateKey::from_x_be(Group::groove2007(), &[0]).is_err());
    let p = Group::groove2007().p_be();
    assert!(PrivateKey::from_x_be(Group::groove2007(), &p).is_err());
    let mut p_minus_2 = p.clone();
    p_minus_2[191] -= 2;
    assert!(PrivateKey::from_x_be(Group::groove2007(), &p_minus_2).is_ok());
}

#[test]
fn public_key_import_rejects_bad_numbers() {
    let groove = Group::groove2007();
    let p = groove.p_be();
    let peer = |der: &[u8]| {
        let e = PublicKey::from_der(der).unwrap_err();
        assert_eq!(e.origin, Origin::Peer, "{e}");
        e
    };
    // Not DER at all.
    assert!(matches!(peer(&[0x30, 0x03, 0x02]).kind, ErrorKind::Der(_)));
    // y = 1 and y = 2 (2 is not a quadratic residue) in the Groove form.
    for y in [vec![1u8], vec![2u8], p.clone()] {
        let k = asn1_types::grvsstps::ElgamalPublicKey::Groove2007(
            asn1_types::grvsstps::Groove2007DhPublicKey {
                size: 1536,
                y: asn1_types::der::asn1::Uint::new(&y).unwrap(),
            },
        );
        assert!(matches!(
            peer(&k.to_der().unwrap()).kind,
            ErrorKind::InvalidPublicKey(_)
        ));
    }
    // A standard-form key with an even or too small modulus.
    for (pp, g) in [(vec![0xFF; 192], vec![3u8]), (vec![0xFF; 64], vec![3u8])] {
        let k = asn1_types::grvsstps::ElgamalPublicKey::Standard(
            asn1_types::grvsstps::DhPublicKeyForElgamalEncryption {
                p: asn1_types::der::asn1::Uint::new(&pp).unwrap(),
                q: None,
                g: asn1_types::der::asn1::Uint::new(&g).unwrap(),
                y: asn1_types::der::asn1::Uint::new(&[4]).unwrap(),
            },
        );
        peer(&k.to_der().unwrap());
    }
    // Group::new is a caller API: same rule, caller origin.
    let e = Group::new(&p, &[2]).unwrap_err();
    assert_eq!(e.origin, Origin::Caller);
    assert_eq!(e.field, Some("g"));
}

#[test]
fn groove_group_passes_full_validation() {
    Group::groove2007().validate().unwrap();
    let v = &vectors()[6];
    Group::new(&v.p, &v.g).unwrap().validate().unwrap();
}
