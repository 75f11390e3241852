//! Every TSRequest recorded in `../shared/peers/samples` (real pyspnego and
//! FreeRDP traffic, see `../shared/peers/README.md`) decodes, re-encodes byte
//! for byte, and agrees with the independent summary in the `.txt` file next
//! to it. Every SPNEGO negoToken inside decodes as a `NegotiationToken` and
//! re-encodes byte for byte too.
//!
//! No line is skipped: all 89 lines of the 44 `.hex` files are DER
//! TSRequests (the X.224/TPKT bytes of the RDP runs were not logged in these
//! files). The counts below fail the test if a sample is added or lost.

use std::fs;
use std::path::{Path, PathBuf};

use asn1_types::spnego::{NegoTokenKind, NegotiationToken, OID_NTLMSSP};
use asn1_types::{NtStatus, TsRequest, TsRequestRef};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/peers/samples");

const EXPECTED_HEX_FILES: usize = 44;
const EXPECTED_TS_REQUESTS: usize = 89;
const EXPECTED_SPNEGO_TOKENS: usize = 55;
const EXPECTED_RAW_NTLM_TOKENS: usize = 15;
const EXPECTED_UNKNOWN_TOKENS: usize = 1;

/// The DER `mechTypes` pyspnego's mechListMIC covers (peers README §1).
const PYSPNEGO_MECH_TYPES_DER: &str = "300c060a2b06010401823702020a";

fn sample_files() -> Vec<PathBuf> {
    let dir = Path::new(SAMPLES);
    assert!(
        dir.is_dir(),
        "sample directory {} is missing: the TSRequest interop tests need ../shared beside the repository",
        dir.display()
    );
    let mut files = Vec::new();
    for scenario in fs::read_dir(dir).expect("read samples dir") {
        let scenario = scenario.expect("dir entry").path();
        if !scenario.is_dir() {
            continue;
        }
        for file in fs::read_dir(&scenario).expect("read scenario dir") {
            let file = file.expect("dir entry").path();
            if file.extension().is_some_and(|e| e == "hex") {
                files.push(file);
            }
        }
    }
    files.sort();
    files
}

/// One line of a `.txt` summary, e.g.
/// `#2 466B version=6 negoTokens=[SPNEGO NegTokenResp+NTLM AUTHENTICATE(349B)] pubKeyAuth=48B clientNonce=1e5a…`.
#[derive(Debug, Default)]
struct Summary {
    len: usize,
    version: u32,
    tokens: Vec<TokenSummary>,
    auth_info: Option<usize>,
    pub_key_auth: Option<usize>,
    error_code: Option<u32>,
    client_nonce: Option<String>,
}

#[derive(Debug)]
struct TokenSummary {
    kind: &'static str,
    /// The NTLM message type inside (SPNEGO) or as the token (raw).
    ntlm: Option<u32>,
    /// Length of the whole negoToken (the `(nB)` of the summary).
    token_len: usize,
}

fn bytes_suffix(s: &str) -> usize {
    s.strip_suffix('B')
        .unwrap_or_else(|| panic!("no B suffix in {s:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("bad length {s:?}: {e}"))
}

fn parse_token(item: &str) -> TokenSummary {
    let (head, paren) = item
        .split_once('(')
        .unwrap_or_else(|| panic!("no ( in token summary {item:?}"));
    let len = bytes_suffix(paren.trim_end_matches(')'));
    let (kind, ntlm_type) = match head.split_once('+') {
        Some((kind, ntlm)) => {
            let ty = match ntlm {
                "NTLM NEGOTIATE" => 1,
                "NTLM CHALLENGE" => 2,
                "NTLM AUTHENTICATE" => 3,
                other => panic!("unknown NTLM kind {other:?}"),
            };
            (kind, Some(ty))
        }
        None => (head, None),
    };
    let kind = match kind {
        "SPNEGO NegTokenInit" => "init",
        "SPNEGO NegTokenResp" => "resp",
        "raw" => "raw",
        "?" => "unknown",
        other => panic!("unknown token kind {other:?}"),
    };
    TokenSummary {
        kind,
        ntlm: ntlm_type,
        token_len: len,
    }
}

fn parse_summary(line: &str) -> Summary {
    let mut rest = line.to_string();
    let mut summary = Summary::default();
    if let Some(start) = rest.find("negoTokens=[") {
        let end = start + rest[start..].find(']').expect("closing ]");
        let inner = rest[start + "negoTokens=[".len()..end].to_string();
        summary.tokens = inner.split(", ").map(parse_token).collect();
        rest.replace_range(start..=end, "");
    }
    let mut words = rest.split_whitespace();
    let _index = words.next().expect("#n");
    summary.len = bytes_suffix(words.next().expect("length"));
    for word in words {
        let (key, value) = word
            .split_once('=')
            .unwrap_or_else(|| panic!("not key=value: {word:?} in {line:?}"));
        match key {
            "version" => summary.version = value.parse().expect("version"),
            "authInfo" => summary.auth_info = Some(bytes_suffix(value)),
            "pubKeyAuth" => summary.pub_key_auth = Some(bytes_suffix(value)),
            "errorCode" => {
                let hex = value.strip_prefix("0x").expect("0x");
                summary.error_code = Some(u32::from_str_radix(hex, 16).expect("hex errorCode"));
            }
            "clientNonce" => summary.client_nonce = Some(value.to_string()),
            other => panic!("unknown summary key {other:?} in {line:?}"),
        }
    }
    summary
}

fn ntlm_message_type(msg: &[u8]) -> u32 {
    assert!(msg.starts_with(b"NTLMSSP\0"), "not an NTLM message");
    let ty: [u8; 4] = msg[8..12].try_into().expect("4 bytes");
    u32::from_le_bytes(ty)
}

#[derive(Default)]
struct Counts {
    files: usize,
    requests: usize,
    spnego: usize,
    raw_ntlm: usize,
    unknown: usize,
}

fn check_token(where_: &str, token: &[u8], expected: &TokenSummary, counts: &mut Counts) {
    assert_eq!(
        token.len(),
        expected.token_len,
        "{where_}: negoToken length"
    );
    let kind = NegoTokenKind::of(token);
    match expected.kind {
        "init" | "resp" => {
            counts.spnego += 1;
            assert_eq!(
                kind,
                if expected.kind == "init" {
                    NegoTokenKind::SpnegoInit
                } else {
                    NegoTokenKind::SpnegoResp
                },
                "{where_}"
            );
            let spnego = NegotiationToken::from_der(token)
                .unwrap_or_else(|e| panic!("{where_}: SPNEGO decode failed: {e}"));
            assert_eq!(
                spnego.to_der().expect("encode SPNEGO"),
                token,
                "{where_}: SPNEGO re-encoding differs"
            );
            match (&spnego, expected.kind) {
                (NegotiationToken::NegTokenInit(init), "init") => {
                    assert!(init.mech_types.contains(&OID_NTLMSSP), "{where_}");
                    assert_eq!(
                        hex::encode(init.mech_types_der().expect("mechTypes DER")),
                        PYSPNEGO_MECH_TYPES_DER,
                        "{where_}"
                    );
                }
                (NegotiationToken::NegTokenResp(_), "resp") => {}
                (other, want) => panic!("{where_}: expected {want}, decoded {other:?}"),
            }
            match expected.ntlm {
                Some(ty) => {
                    let inner = spnego.mech_token().expect("inner NTLM token");
                    assert_eq!(ntlm_message_type(inner), ty, "{where_}: NTLM type");
                }
                None => assert!(spnego.mech_token().is_none(), "{where_}: unexpected token"),
            }
        }
        "raw" => {
            counts.raw_ntlm += 1;
            assert_eq!(kind, NegoTokenKind::Ntlmssp, "{where_}");
            let ty = expected.ntlm.expect("raw tokens are NTLM");
            assert_eq!(ntlm_message_type(token), ty, "{where_}: NTLM type");
            assert!(NegotiationToken::from_der(token).is_err(), "{where_}");
        }
        "unknown" => {
            // FreeRDP's 12 256-byte all-zero negoToken (peers README §4b).
            counts.unknown += 1;
            assert_eq!(kind, NegoTokenKind::Unknown, "{where_}");
            assert!(token.iter().all(|&b| b == 0), "{where_}");
            assert!(NegotiationToken::from_der(token).is_err(), "{where_}");
        }
        other => unreachable!("{other}"),
    }
}

fn check_request(where_: &str, bytes: &[u8], expected: &Summary, counts: &mut Counts) {
    assert_eq!(bytes.len(), expected.len, "{where_}: length");
    assert_eq!(
        TsRequest::frame_len(bytes)
            .expect("header complete")
            .expect("DER header"),
        bytes.len(),
        "{where_}: frame_len"
    );
    let req = TsRequest::from_der(bytes).unwrap_or_else(|e| panic!("{where_}: decode failed: {e}"));
    assert_eq!(
        req.to_der().expect("encode"),
        bytes,
        "{where_}: re-encoding differs"
    );
    // The zero-copy form: same value, same bytes back.
    let r = TsRequestRef::from_der(bytes).unwrap_or_else(|e| panic!("{where_}: Ref decode: {e}"));
    assert_eq!(
        r.to_owned_request().expect("owned"),
        req,
        "{where_}: Ref value"
    );
    assert_eq!(
        r.encode_to_vec().expect("encode"),
        bytes,
        "{where_}: Ref re-encoding"
    );
    assert_eq!(TsRequestRef::from(&req), r, "{where_}: as_ref_request");
    assert_eq!(req.version, expected.version, "{where_}: version");
    assert_eq!(
        req.auth_info.as_ref().map(|a| a.as_bytes().len()),
        expected.auth_info,
        "{where_}: authInfo"
    );
    assert_eq!(
        req.pub_key_auth.as_ref().map(|a| a.as_bytes().len()),
        expected.pub_key_auth,
        "{where_}: pubKeyAuth"
    );
    assert_eq!(
        req.error_code,
        expected.error_code.map(NtStatus),
        "{where_}: errorCode"
    );
    assert_eq!(
        req.client_nonce.as_ref().map(|n| hex::encode(n.as_bytes())),
        expected.client_nonce,
        "{where_}: clientNonce"
    );
    let tokens: Vec<&[u8]> = req.nego_token_bytes().collect();
    assert_eq!(
        tokens.len(),
        expected.tokens.len(),
        "{where_}: negoToken count"
    );
    for (i, (token, summary)) in tokens.iter().zip(&expected.tokens).enumerate() {
        check_token(&format!("{where_} token {i}"), token, summary, counts);
    }
    counts.requests += 1;
}

#[test]
fn every_sample_ts_request_round_trips_and_matches_its_summary() {
    let mut counts = Counts::default();
    for hex_path in sample_files() {
        counts.files += 1;
        let txt_path = hex_path.with_extension("txt");
        let hex_text = fs::read_to_string(&hex_path).expect("read .hex");
        let txt =
            fs::read_to_string(&txt_path).unwrap_or_else(|e| panic!("{}: {e}", txt_path.display()));
        let lines: Vec<&str> = hex_text.lines().filter(|l| !l.trim().is_empty()).collect();
        let summaries: Vec<&str> = txt.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(
            lines.len(),
            summaries.len(),
            "{}: one summary per TSRequest",
            hex_path.display()
        );
        for (n, (line, summary)) in lines.iter().zip(&summaries).enumerate() {
            let where_ = format!("{} line {}", hex_path.display(), n + 1);
            let bytes = hex::decode(line.trim()).unwrap_or_else(|e| panic!("{where_}: {e}"));
            check_request(&where_, &bytes, &parse_summary(summary), &mut counts);
        }
    }
    assert_eq!(counts.files, EXPECTED_HEX_FILES, "hex files");
    assert_eq!(counts.requests, EXPECTED_TS_REQUESTS, "TSRequests");
    assert_eq!(counts.spnego, EXPECTED_SPNEGO_TOKENS, "SPNEGO tokens");
    assert_eq!(counts.raw_ntlm, EXPECTED_RAW_NTLM_TOKENS, "raw NTLM tokens");
    assert_eq!(
        counts.unknown, EXPECTED_UNKNOWN_TOKENS,
        "unclassified tokens"
    );
}

#[test]
fn sample_stream_frames_back_to_back() {
    // The server-received side of v6_tls13, concatenated as on the wire.
    let path = Path::new(SAMPLES).join("v6_tls13/server_recv.hex");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    let messages: Vec<Vec<u8>> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| hex::decode(l).expect("hex"))
        .collect();
    assert_eq!(messages.len(), 3);
    let stream: Vec<u8> = messages.concat();
    let mut rest = &stream[..];
    let mut decoded = Vec::new();
    // Feed one byte at a time until each frame is complete.
    while !rest.is_empty() {
        let mut have = 0;
        let len = loop {
            have += 1;
            if let Some(len) = TsRequest::frame_len(&rest[..have]) {
                break len.expect("valid header");
            }
        };
        assert!(have <= 4, "header needed {have} bytes");
        decoded.push(TsRequest::from_der(&rest[..len]).expect("decode"));
        rest = &rest[len..];
    }
    assert_eq!(decoded.len(), 3);
    for (req, original) in decoded.iter().zip(&messages) {
        assert_eq!(&req.to_der().expect("encode"), original);
    }
}
