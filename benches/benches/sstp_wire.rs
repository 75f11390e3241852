//! sstp-wire: full decodes (command, then its security token through the
//! carrier, nested account-layer message and public keys objects included)
//! of the [MS-GRVSSTPS] §4 traces, reported as input throughput.
//!
//! * §4.1.6 RegisterResponse (145 bytes: SecDeviceAccountRegisterResponse
//!   nesting SecAccountRegisterResponse);
//! * §4.1.5 Register, first trace (3134 bytes: SecDeviceAccountRegister
//!   nesting SecAccountRegister, two public keys objects with ElGamal keys);
//!   the bytes the seed elides are filled with zeros, as in sstp-wire's
//!   `tests/seed_traces.rs` (they lie inside opaque fields only);
//! * the same two, plus describing them (`Command::describe_with_token`,
//!   what the `sstp` CLI does before rendering).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sstp_wire::{CommandStream, SecurityToken};

const TRACE_4_1_6: &str = include_str!("../../tests/vectors/sstp/4.1.6.hex");
const TRACE_4_1_5_ELGAMAL: &str = include_str!("../../tests/vectors/sstp/4.1.5-elgamal.hex");

/// The bytes of an `OFFSET: bytes` vector (format: tests/vectors/sstp/README.md),
/// elided ranges filled with zeros.
fn vector(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let Some((offset, row)) = line.split_once(':') else {
            continue;
        };
        let offset = usize::from_str_radix(offset.trim(), 16).expect("row offset");
        let row = hex::decode(row.split_whitespace().collect::<String>()).expect("row bytes");
        if out.len() < offset + row.len() {
            out.resize(offset + row.len(), 0);
        }
        out[offset..offset + row.len()].copy_from_slice(&row);
    }
    out
}

/// Decodes every command of `bytes` and the token inside; returns a value
/// that depends on all of it.
fn decode_all(bytes: &[u8]) -> usize {
    let mut n = 0;
    for cmd in CommandStream::new(bytes) {
        let cmd = cmd.expect("the trace decodes");
        if let Some(token) = cmd.security_token() {
            let token: SecurityToken<'_> = token.expect("the token decodes");
            n += usize::from(token.message_id());
        }
        n += usize::from(cmd.id());
    }
    n
}

fn describe_all(bytes: &[u8]) -> usize {
    CommandStream::new(bytes)
        .map(|cmd| {
            let node = cmd
                .expect("the trace decodes")
                .describe_with_token()
                .expect("the token decodes");
            node.fields.len()
        })
        .sum()
}

fn decode(c: &mut Criterion) {
    let traces = [
        ("register_response_4_1_6_145B", vector(TRACE_4_1_6)),
        ("register_4_1_5_elgamal_3134B", vector(TRACE_4_1_5_ELGAMAL)),
    ];
    assert_eq!(traces[0].1.len(), 145);
    assert_eq!(traces[1].1.len(), 3134);

    let mut g = c.benchmark_group("sstp_wire_decode");
    for (name, bytes) in &traces {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(*name, |b| b.iter(|| decode_all(black_box(bytes))));
    }
    g.finish();

    let mut g = c.benchmark_group("sstp_wire_decode_and_describe");
    for (name, bytes) in &traces {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(*name, |b| b.iter(|| describe_all(black_box(bytes))));
    }
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
