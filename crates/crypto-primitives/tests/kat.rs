//! Known-answer tests for MARC4, HMAC-SHA1, RSA-SHA1 signatures, the relay
//! fingerprint and the CredSSP binding hashes. Every expected value comes
//! from a file in `tests/vectors/crypto/` whose `README.md` says how it was
//! produced (RFC tables, Crypto++, OpenSSL, Python, real pyspnego traffic).

use crypto_primitives::elgamal::{KeyForm, PublicKey};
use crypto_primitives::{
    ErrorKind, Marc4, Origin, RsaSigningKey, RsaVerifyingKey, client_server_binding_hash,
    hmac_sha1, hmac_sha1_of_sha1, marc4_apply, pre_v5_server_public_key,
    relay_certificate_fingerprint, relay_certificate_fingerprint_utf16le,
    server_client_binding_hash, sha1_of_fields, verify_hmac_sha1_of_sha1,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;

macro_rules! vector {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/vectors/crypto/",
            $name
        ))
    };
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("vector file is json")
}

fn hx(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

fn list(v: &Value) -> &Vec<Value> {
    v.as_array().expect("array")
}

fn fields(v: &Value) -> Vec<Vec<u8>> {
    list(v).iter().map(hx).collect()
}

fn refs(f: &[Vec<u8>]) -> Vec<&[u8]> {
    f.iter().map(Vec::as_slice).collect()
}

// ---------------------------------------------------------------------------
// MARC4

#[test]
fn marc4_rfc6229_rows() {
    let doc = json(vector!("marc4.json"));
    let rows = list(&doc["rfc6229"]);
    assert_eq!(rows.len(), 32);
    for row in rows {
        let key = hx(&row["key"]);
        let offset = row["offset"].as_u64().unwrap() as usize;
        let expected = hx(&row["keystream"]);
        // MARC4 output byte i is RC4 keystream byte 256 + i.
        let mut data = vec![0u8; offset - 256 + 16];
        marc4_apply(&key, &vec![0u8; key.len()], &mut data).unwrap();
        assert_eq!(
            &data[offset - 256..],
            &expected[..],
            "key {} offset {offset}",
            row["key"]
        );
    }
}

#[test]
fn marc4_oracle_vectors() {
    let doc = json(vector!("marc4.json"));
    let vectors = list(&doc["vectors"]);
    assert_eq!(vectors.len(), 11);
    for v in vectors {
        let (key, iv, data, out) = (
            hx(&v["key"]),
            hx(&v["iv"]),
            hx(&v["data"]),
            hx(&v["output"]),
        );
        let mut buf = data.clone();
        marc4_apply(&key, &iv, &mut buf).unwrap();
        assert_eq!(buf, out, "{v}");
        // Decryption is the same operation.
        let mut back = out.clone();
        Marc4::new(&key, &iv).unwrap().apply_keystream(&mut back);
        assert_eq!(back, data);
    }
}

// ---------------------------------------------------------------------------
// HMAC-SHA1

#[test]
fn hmac_sha1_rfc2202() {
    let doc = json(vector!("hmac_sha1.json"));
    let cases = list(&doc["rfc2202"]);
    assert_eq!(cases.len(), 7);
    for c in cases {
        assert_eq!(
            hmac_sha1(&hx(&c["key"]), &hx(&c["data"])).to_vec(),
            hx(&c["mac"]),
            "rfc 2202 case {}",
            c["case"]
        );
    }
}

#[test]
fn hmac_sha1_of_sha1_field_lists() {
    let doc = json(vector!("hmac_sha1.json"));
    let cases = list(&doc["hmac_sha1_of_sha1"]);
    assert_eq!(cases.len(), 4);
    for c in cases {
        let key = hx(&c["key"]);
        let f = fields(&c["fields"]);
        let mac = hx(&c["mac"]);
        assert_eq!(sha1_of_fields(&refs(&f)).to_vec(), hx(&c["sha1_of_fields"]));
        assert_eq!(
            hmac_sha1_of_sha1(&key, &refs(&f)).to_vec(),
            mac,
            "{}",
            c["label"]
        );
        verify_hmac_sha1_of_sha1(&key, &refs(&f), &mac).unwrap();
        let mut bad = mac.clone();
        bad[0] ^= 0x80;
        let e = verify_hmac_sha1_of_sha1(&key, &refs(&f), &bad).unwrap_err();
        assert_eq!(
            (e.kind, e.origin),
            (ErrorKind::VerificationFailed, Origin::Peer)
        );
    }
}

// ---------------------------------------------------------------------------
// RSA PKCS#1 v1.5 SHA-1

const RSA_KEY: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/crypto/rsa/key.pk8.der"
));
const RSA_PUB: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/crypto/rsa/pub.spki.der"
));

#[test]
fn rsa_single_hash_signatures_match_cryptopp_and_openssl() {
    let msg = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/crypto/rsa/msg.bin"
    ));
    let sig_cpp = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/crypto/rsa/sig_cpp.bin"
    ));
    let sig_openssl = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/crypto/rsa/sig_openssl.bin"
    ));
    let key = RsaSigningKey::from_pkcs8_der(RSA_KEY).unwrap();
    let public = RsaVerifyingKey::from_spki_der(RSA_PUB).unwrap();
    assert_eq!(key.verifying_key(), public);
    assert_eq!(public.modulus_bits(), 2048);
    public.verify_sha1(msg, sig_cpp).unwrap();
    public.verify_sha1(msg, sig_openssl).unwrap();
    // PKCS#1 v1.5 is deterministic: our signature is byte-identical.
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    assert_eq!(key.sign_sha1(&mut rng, msg).unwrap(), sig_cpp.to_vec());
    // A changed message or signature does not verify.
    let mut other = msg.to_vec();
    other[0] ^= 1;
    assert!(public.verify_sha1(&other, sig_cpp).is_err());
    let mut bad = sig_cpp.to_vec();
    bad[100] ^= 1;
    let e = public.verify_sha1(msg, &bad).unwrap_err();
    assert_eq!(
        (e.kind, e.origin),
        (ErrorKind::VerificationFailed, Origin::Peer)
    );
    assert!(public.verify_sha1(msg, &sig_cpp[1..]).is_err());
}

#[test]
fn rsa_grvsstps_double_hash_signatures_match_cryptopp() {
    let doc = json(vector!("rsa_sha1.json"));
    let key = RsaSigningKey::from_pkcs8_der(RSA_KEY).unwrap();
    let public = RsaVerifyingKey::from_der(RSA_PUB).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let cases = list(&doc["cases"]);
    assert_eq!(cases.len(), 3);
    for c in cases {
        let f = fields(&c["fields"]);
        let sig = hx(&c["signature"]);
        let step1: [u8; 20] = hx(&c["sha1_of_fields"]).try_into().unwrap();
        let step2: [u8; 20] = hx(&c["sha1_sha1_of_fields"]).try_into().unwrap();
        assert_eq!(sha1_of_fields(&refs(&f)), step1);
        assert_eq!(
            key.sign_grvsstps(&mut rng, &refs(&f)).unwrap(),
            sig,
            "{}",
            c["label"]
        );
        assert_eq!(key.sign_sha1_prehash(&mut rng, &step2).unwrap(), sig);
        public.verify_grvsstps(&refs(&f), &sig).unwrap();
        public.verify_sha1_prehash(&step2, &sig).unwrap();
        // The single-hash reading of the spec gives a different signature.
        assert!(public.verify_sha1_prehash(&step1, &sig).is_err());
        let mut f2 = f.clone();
        f2[0].push(0);
        assert!(public.verify_grvsstps(&refs(&f2), &sig).is_err());
    }
}

#[test]
fn rsa_der_round_trips() {
    let key = RsaSigningKey::from_pkcs8_der(RSA_KEY).unwrap();
    assert_eq!(key.to_pkcs8_der().unwrap().expose_secret(), RSA_KEY);
    let public = key.verifying_key();
    assert_eq!(public.to_spki_der().unwrap(), RSA_PUB);
    let pkcs1 = public.to_pkcs1_der().unwrap();
    assert_eq!(RsaVerifyingKey::from_pkcs1_der(&pkcs1).unwrap(), public);
    assert_eq!(RsaVerifyingKey::from_der(&pkcs1).unwrap(), public);
    // The SPKI wraps the PKCS#1 key in a BIT STRING: it ends with it.
    assert!(RSA_PUB.ends_with(&pkcs1));
    let e = RsaVerifyingKey::from_der(&RSA_PUB[1..]).unwrap_err();
    assert_eq!(e.origin, Origin::Peer);
    let e = RsaSigningKey::from_pkcs8_der(&RSA_KEY[..100]).unwrap_err();
    assert_eq!(e.origin, Origin::Caller);
}

#[test]
fn rsa_generated_key_signs_and_verifies() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let key = RsaSigningKey::generate(&mut rng, 1024).unwrap();
    assert_eq!(key.modulus_bits(), 1024);
    let fields: [&[u8]; 2] = [b"\x04", b"grooveAccount://x@\0"];
    let sig = key.sign_grvsstps(&mut rng, &fields).unwrap();
    let public =
        RsaVerifyingKey::from_spki_der(&key.verifying_key().to_spki_der().unwrap()).unwrap();
    public.verify_grvsstps(&fields, &sig).unwrap();
    let reloaded =
        RsaSigningKey::from_pkcs8_der(key.to_pkcs8_der().unwrap().expose_secret()).unwrap();
    assert_eq!(reloaded.sign_grvsstps(&mut rng, &fields).unwrap(), sig);
    assert!(RsaSigningKey::generate(&mut rng, 512).is_err());
}

// ---------------------------------------------------------------------------
// Relay certificate fingerprint

#[test]
fn relay_fingerprint_matches_hashlib() {
    let doc = json(vector!("fingerprint.json"));
    let cases = list(&doc["cases"]);
    assert_eq!(cases.len(), 3);
    for c in cases {
        let der = hx(&c["encryption_public_key_der"]);
        let expected = hx(&c["fingerprint"]);
        let alg = c["encryption_key_algorithm_name"].as_str().unwrap();
        let enc = c["encryption_algorithm_name"].as_str().unwrap();
        assert_eq!(
            relay_certificate_fingerprint(alg, enc, &der).to_vec(),
            expected
        );
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        assert_eq!(
            relay_certificate_fingerprint_utf16le(&utf16(alg), &utf16(enc), &der).to_vec(),
            expected
        );
        // The independently encoded DER key decodes and re-encodes identically.
        let key = PublicKey::from_der(&der).unwrap();
        assert_eq!(key.to_der().unwrap(), der, "{}", c["label"]);
    }
    let groove = PublicKey::from_der(&hx(&cases[0]["encryption_public_key_der"])).unwrap();
    assert_eq!(groove.form(), KeyForm::Groove2007);
}

// ---------------------------------------------------------------------------
// CredSSP binding hashes

#[test]
fn credssp_binding_hashes_match_real_pyspnego_exchanges() {
    let doc = json(vector!("credssp_binding.json"));
    let cases = list(&doc["cases"]);
    assert_eq!(cases.len(), 5);
    let mut v5 = 0;
    for c in cases {
        let spk = hx(&c["subject_public_key"]);
        if c["version"] == "5+" {
            v5 += 1;
            let nonce: [u8; 32] = hx(&c["nonce"]).try_into().unwrap();
            assert_eq!(
                client_server_binding_hash(&nonce, &spk).to_vec(),
                hx(&c["client_server_hash"]),
                "{}",
                c["sample"]
            );
            assert_eq!(
                server_client_binding_hash(&nonce, &spk).to_vec(),
                hx(&c["server_client_hash"])
            );
        } else {
            assert_eq!(hx(&c["client_pub_key_auth"]), spk);
            assert_eq!(
                pre_v5_server_public_key(&spk),
                hx(&c["server_pub_key_auth"])
            );
        }
    }
    assert_eq!(v5, 3);
}
