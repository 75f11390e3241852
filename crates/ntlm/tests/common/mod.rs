//! Test-only helpers: a minimal DER TLV walker to pull NTLMSSP tokens,
//! pubKeyAuth and authInfo out of recorded TSRequests (MS-CSSP 2.2.1) and
//! SPNEGO tokens (RFC 4178), and readers for `tests/vectors/ntlm/*.md`.
//!
//! Deliberately tiny and independent of the workspace's `asn1-types`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/ntlm")
}

pub fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.trim()).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

pub fn arr<const N: usize>(s: &str) -> [u8; N] {
    hex(s).try_into().unwrap()
}

/// The lines of the first ```text block of a vectors markdown file.
fn text_block(name: &str) -> Vec<String> {
    let path = vectors_dir().join(name);
    let md = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    md.split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("{path:?}: no ```text block"))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `key = value` lines (MS-NLMP vectors file).
pub fn load_kv(name: &str) -> HashMap<String, String> {
    text_block(name)
        .iter()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// `label : value` lines of decode_samples.py output (first ':' splits).
pub fn load_decoder_output(name: &str) -> (HashMap<String, String>, Vec<String>) {
    let lines = text_block(name);
    let map = lines
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    (map, lines)
}

// ---------------------------------------------------------------------------
// DER

/// One TLV at `off`: (tag, value, full TLV, next offset).
pub fn tlv(b: &[u8], off: usize) -> (u8, &[u8], &[u8], usize) {
    let tag = b[off];
    let mut p = off + 1;
    let first = b[p] as usize;
    p += 1;
    let len = if first & 0x80 == 0 {
        first
    } else {
        let n = first & 0x7f;
        assert!((1..=4).contains(&n), "unsupported DER length at {off}");
        let mut l = 0usize;
        for _ in 0..n {
            l = (l << 8) | b[p] as usize;
            p += 1;
        }
        l
    };
    (tag, &b[p..p + len], &b[off..p + len], p + len)
}

pub fn children(v: &[u8]) -> Vec<(u8, &[u8], &[u8])> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < v.len() {
        let (t, val, full, next) = tlv(v, off);
        out.push((t, val, full));
        off = next;
    }
    out
}

/// The value inside an EXPLICIT context tag.
fn inner(v: &[u8]) -> &[u8] {
    tlv(v, 0).1
}

#[derive(Debug, Default, Clone)]
pub struct TsRequest {
    pub version: i64,
    pub nego_tokens: Vec<Vec<u8>>,
    pub auth_info: Option<Vec<u8>>,
    pub pub_key_auth: Option<Vec<u8>>,
    pub error_code: Option<Vec<u8>>,
    pub client_nonce: Option<Vec<u8>>,
}

pub fn ts_request(der: &[u8]) -> TsRequest {
    let (tag, seq, _, _) = tlv(der, 0);
    assert_eq!(tag, 0x30, "TSRequest is a SEQUENCE");
    let mut r = TsRequest::default();
    for (t, v, _) in children(seq) {
        let body = inner(v);
        match t {
            0xa0 => r.version = body.iter().fold(0i64, |a, &b| (a << 8) | i64::from(b)),
            0xa1 => {
                for (_, item, _) in children(body) {
                    let a0 = tlv(item, 0).1;
                    r.nego_tokens.push(inner(a0).to_vec());
                }
            }
            0xa2 => r.auth_info = Some(body.to_vec()),
            0xa3 => r.pub_key_auth = Some(body.to_vec()),
            0xa4 => r.error_code = Some(body.to_vec()),
            0xa5 => r.client_nonce = Some(body.to_vec()),
            other => panic!("unexpected TSRequest field {other:#x}"),
        }
    }
    r
}

#[derive(Debug, Default, Clone)]
pub struct Spnego {
    /// The full DER of mechTypes (what mechListMIC signs).
    pub mech_types_der: Option<Vec<u8>>,
    pub token: Option<Vec<u8>>,
    pub mech_list_mic: Option<Vec<u8>>,
}

/// SPNEGO NegTokenInit (inside an InitialContextToken) or NegTokenResp; raw
/// NTLMSSP (FreeRDP style) comes back as `token`.
pub fn spnego(tok: &[u8]) -> Spnego {
    let mut out = Spnego::default();
    if tok.starts_with(b"NTLMSSP\0") {
        out.token = Some(tok.to_vec());
        return out;
    }
    let (tag, val, _, _) = tlv(tok, 0);
    // The NegTokenInit / NegTokenResp SEQUENCE contents.
    let seq = match tag {
        // InitialContextToken: OID, then [0] { NegTokenInit SEQUENCE }.
        0x60 => tlv(children(val)[1].1, 0).1,
        // [1] { NegTokenResp SEQUENCE }.
        0xa1 => tlv(val, 0).1,
        other => panic!("not SPNEGO: {other:#x}"),
    };
    for (t, v, _) in children(seq) {
        match (tag, t) {
            (0x60, 0xa0) => out.mech_types_der = Some(tlv(v, 0).2.to_vec()),
            (_, 0xa2) => out.token = Some(inner(v).to_vec()),
            (_, 0xa3) => out.mech_list_mic = Some(inner(v).to_vec()),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------
// samples

pub struct Sample {
    pub name: &'static str,
    pub client: Vec<TsRequest>,
    pub server: Vec<TsRequest>,
    pub pubkey: Vec<u8>,
    pub expected: HashMap<String, String>,
    pub decoder_lines: Vec<String>,
}

fn hex_lines(path: PathBuf) -> Vec<Vec<u8>> {
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path:?}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(hex)
        .collect()
}

impl Sample {
    pub fn load(name: &'static str) -> Self {
        let dir = vectors_dir().join("samples").join(name);
        let (expected, decoder_lines) = load_decoder_output(&format!("{name}.md"));
        Self {
            name,
            client: hex_lines(dir.join("client.hex"))
                .iter()
                .map(|m| ts_request(m))
                .collect(),
            server: hex_lines(dir.join("server.hex"))
                .iter()
                .map(|m| ts_request(m))
                .collect(),
            pubkey: std::fs::read(dir.join("server_pubkey.der")).unwrap(),
            expected,
            decoder_lines,
        }
    }

    /// A decoder value by label, as hex bytes.
    pub fn value(&self, label: &str) -> Vec<u8> {
        let v = self
            .expected
            .get(label)
            .unwrap_or_else(|| panic!("{}: no {label:?} in decoder output", self.name));
        hex(v.trim_end_matches("..."))
    }

    /// A decoder value that may be shown truncated ("..."): (bytes, truncated).
    pub fn maybe_truncated(&self, label: &str) -> Option<(Vec<u8>, bool)> {
        let v = self.expected.get(label)?;
        Some((hex(v.trim_end_matches("...")), v.ends_with("...")))
    }

    /// Whether the decoder reported `check` as OK (true) or MISMATCH (false).
    pub fn check(&self, check: &str) -> bool {
        let line = self
            .decoder_lines
            .iter()
            .find(|l| l.trim_start().starts_with(check))
            .unwrap_or_else(|| panic!("{}: no check {check:?}", self.name));
        if line.trim_end().ends_with(" OK") {
            true
        } else {
            assert!(line.trim_end().ends_with("MISMATCH"), "{line}");
            false
        }
    }

    pub fn client_spnego(&self, i: usize) -> Spnego {
        spnego(&self.client[i].nego_tokens[0])
    }

    pub fn server_spnego(&self, i: usize) -> Spnego {
        spnego(&self.server[i].nego_tokens[0])
    }

    pub fn negotiate(&self) -> Vec<u8> {
        self.client_spnego(0).token.unwrap()
    }

    pub fn challenge(&self) -> Vec<u8> {
        self.server_spnego(0).token.unwrap()
    }

    pub fn authenticate(&self) -> Vec<u8> {
        self.client_spnego(1).token.unwrap()
    }

    pub fn is_spnego(&self) -> bool {
        !self.client[0].nego_tokens[0].starts_with(b"NTLMSSP\0")
    }
}
