//! crypto-primitives: one bench per primitive, sized as the protocols use
//! them. Peer baselines (Crypto++ 8.7 / OpenSSL 3 on the same kind of 2-core
//! machine) are in `../shared/peers/README.md` §5:
//! Crypto++ ElGamal-1536 encrypt 2482 µs / decrypt 1405 µs, MARC4 key setup
//! incl. drop 0.82 µs, OpenSSL RSA-2048 verify 12.0 µs / sign 198 µs,
//! HMAC-SHA1 16 B 0.145 µs.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crypto_primitives::elgamal::{Group, PrivateKey};
use crypto_primitives::{RsaSigningKey, hmac_sha1_of_sha1, marc4_apply};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const RSA_KEY: &[u8] = include_bytes!("../../tests/vectors/crypto/rsa/key.pk8.der");

fn marc4(c: &mut Criterion) {
    let mut g = c.benchmark_group("marc4");
    g.throughput(Throughput::Bytes(24));
    let key = [0x42u8; 24];
    let iv = [0x17u8; 24];
    // One nonce operation: key XOR IV, RC4 key schedule, 256-byte drop, 24 bytes.
    g.bench_function("nonce_24B_incl_key_setup", |b| {
        b.iter(|| {
            let mut nonce = [0x5Au8; 24];
            marc4_apply(black_box(&key), black_box(&iv), &mut nonce).unwrap();
            nonce
        })
    });
    g.finish();
}

fn elgamal(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1536);
    let key = PrivateKey::generate(&mut rng, Group::groove2007()).unwrap();
    let device_key = [0xA5u8; 24];
    let ct = key.public_key().encrypt(&mut rng, &device_key).unwrap();
    let mut g = c.benchmark_group("elgamal_groove1536");
    g.sample_size(20);
    g.bench_function("encrypt_24B", |b| {
        b.iter(|| {
            key.public_key()
                .encrypt(&mut rng, black_box(&device_key))
                .unwrap()
        })
    });
    g.bench_function("decrypt_24B", |b| {
        b.iter(|| key.decrypt(black_box(&ct)).unwrap())
    });
    g.finish();
}

fn rsa(c: &mut Criterion) {
    let key = RsaSigningKey::from_pkcs8_der(RSA_KEY).unwrap();
    let public = key.verifying_key();
    let mut rng = ChaCha20Rng::seed_from_u64(2048);
    let fields: [&[u8]; 3] = [&[0x04], b"grooveAccount://x@\0", &[7u8; 100]];
    let sig = key.sign_grvsstps(&mut rng, &fields).unwrap();
    let mut g = c.benchmark_group("rsa2048_sha1");
    g.bench_function("verify_grvsstps", |b| {
        b.iter(|| {
            public
                .verify_grvsstps(black_box(&fields), black_box(&sig))
                .unwrap()
        })
    });
    g.sample_size(20);
    g.bench_function("sign_grvsstps", |b| {
        b.iter(|| key.sign_grvsstps(&mut rng, black_box(&fields)).unwrap())
    });
    g.finish();
}

fn hmac(c: &mut Criterion) {
    let key = [0x42u8; 24];
    // A SecConnect-sized MAC input: id, device URL, fingerprint, nonce (~100 B).
    let url = b"dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2ab\0";
    let fields: [&[u8]; 4] = [&[0x01], url, &[0x11; 20], &[0x22; 24]];
    let total: usize = fields.iter().map(|f| f.len()).sum();
    let mut g = c.benchmark_group("hmac_sha1_of_sha1");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function(format!("{total}B_in_4_fields"), |b| {
        b.iter(|| hmac_sha1_of_sha1(black_box(&key), black_box(&fields)))
    });
    g.finish();
}

criterion_group!(benches, marc4, elgamal, rsa, hmac);
criterion_main!(benches);
