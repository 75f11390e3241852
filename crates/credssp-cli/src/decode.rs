//! `credssp decode`: dissects TSRequests (one hex DER TSRequest per line or
//! argument) and the SPNEGO / NTLM messages in their `negoTokens`, using the
//! core crates' decoders (`asn1-types`, `ntlm`). Sizes and public fields
//! only: no signatures, nonces or ciphertexts are printed.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use asn1_types::TsRequest;
use asn1_types::spnego::{NegoTokenKind, NegotiationToken, mech_name};
use clap::Args;
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Hex TSRequests (one per argument); `-` reads lines from stdin.
    hex: Vec<String>,
    /// Read hex TSRequests, one per line, from this file.
    #[arg(long)]
    file: Option<PathBuf>,
    /// JSON output (one object per TSRequest).
    #[arg(long)]
    json: bool,
}

fn inputs(a: &DecodeArgs) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    if let Some(f) = &a.file {
        let text = std::fs::read_to_string(f).with_context(|| format!("{}", f.display()))?;
        lines.extend(text.lines().map(str::to_owned));
    }
    for h in &a.hex {
        if h == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            lines.extend(text.lines().map(str::to_owned));
        } else {
            lines.push(h.clone());
        }
    }
    let lines: Vec<String> = lines
        .into_iter()
        .map(|l| l.split_whitespace().collect::<String>())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        bail!("no TSRequest given (HEX arguments, --file or -)");
    }
    Ok(lines)
}

pub fn run(a: DecodeArgs) -> Result<ExitCode> {
    let mut failed = false;
    for (i, line) in inputs(&a)?.iter().enumerate() {
        let v = match hex::decode(line) {
            Ok(bytes) => dissect(&bytes),
            Err(e) => json!({ "error": format!("not hex: {e}") }),
        };
        failed |= v.get("error").is_some();
        if a.json {
            println!("{v}");
        } else {
            println!("#{} {}", i + 1, render(&v));
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Human rendering: `key=value` pairs, nested objects in braces.
fn render(v: &Value) -> String {
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                Value::Object(_) => format!("{k}={{{}}}", render(v)),
                Value::Array(items) => format!(
                    "{k}=[{}]",
                    items.iter().map(render).collect::<Vec<_>>().join(", ")
                ),
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One TSRequest as JSON.
pub fn dissect(bytes: &[u8]) -> Value {
    let req = match TsRequest::from_der(bytes) {
        Ok(r) => r,
        Err(e) => return json!({ "error": format!("not a TSRequest: {e}") }),
    };
    let mut out = serde_json::Map::new();
    out.insert("version".into(), json!(req.version));
    if let Some(tokens) = &req.nego_tokens {
        let items: Vec<Value> = tokens
            .iter()
            .map(|t| nego_token(t.nego_token.as_bytes()))
            .collect();
        out.insert("negoTokens".into(), Value::Array(items));
    }
    if let Some(p) = &req.pub_key_auth {
        out.insert(
            "pubKeyAuth".into(),
            json!(format!("{}B", p.as_bytes().len())),
        );
    }
    if let Some(a) = &req.auth_info {
        out.insert("authInfo".into(), json!(format!("{}B", a.as_bytes().len())));
    }
    if let Some(e) = &req.error_code {
        out.insert("errorCode".into(), json!(e.to_string()));
    }
    if let Some(n) = &req.client_nonce {
        out.insert(
            "clientNonce".into(),
            json!(format!("{}B", n.as_bytes().len())),
        );
    }
    Value::Object(out)
}

fn nego_token(token: &[u8]) -> Value {
    match NegoTokenKind::of(token) {
        NegoTokenKind::Ntlmssp => json!({ "ntlm": ntlm_message(token) }),
        NegoTokenKind::SpnegoInit | NegoTokenKind::SpnegoResp => spnego(token),
        other => json!({ "kind": other.to_string(), "len": token.len() }),
    }
}

fn spnego(token: &[u8]) -> Value {
    let tok = match NegotiationToken::from_der(token) {
        Ok(t) => t,
        Err(e) => return json!({ "spnego_error": e.to_string() }),
    };
    let mut m = serde_json::Map::new();
    match &tok {
        NegotiationToken::NegTokenInit(_) => m.insert("spnego".into(), json!("NegTokenInit")),
        NegotiationToken::NegTokenInit2(_) => m.insert("spnego".into(), json!("NegTokenInit2")),
        NegotiationToken::NegTokenResp(r) => {
            m.insert("spnego".into(), json!("NegTokenResp"));
            if let Some(s) = &r.neg_state {
                m.insert("negState".into(), json!(format!("{s:?}")));
            }
            if let Some(oid) = &r.supported_mech {
                m.insert(
                    "supportedMech".into(),
                    json!(mech_name(oid).map_or_else(|| oid.to_string(), str::to_owned)),
                );
            }
            None
        }
    };
    if let Some(types) = tok.mech_types() {
        let names: Vec<String> = types
            .0
            .iter()
            .map(|o| mech_name(o).map_or_else(|| o.to_string(), str::to_owned))
            .collect();
        m.insert("mechTypes".into(), json!(names));
    }
    if let Some(inner) = tok.mech_token() {
        m.insert("token".into(), ntlm_message(inner));
    }
    if let Some(mic) = tok.mech_list_mic() {
        m.insert("mechListMIC".into(), json!(format!("{}B", mic.len())));
    }
    Value::Object(m)
}

fn utf16(bytes: &[u8]) -> String {
    ntlm::decode_utf16le(bytes).unwrap_or_else(|_| format!("<{} bytes>", bytes.len()))
}

fn ntlm_message(token: &[u8]) -> Value {
    if !token.starts_with(b"NTLMSSP\0") {
        return json!({ "kind": NegoTokenKind::of(token).to_string(), "len": token.len() });
    }
    let kind = token
        .get(8..12)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    match kind {
        Some(1) => match ntlm::NegotiateMessage::parse(token) {
            Ok(m) => {
                json!({ "type": "NEGOTIATE", "len": token.len(), "flags": format!("{:?}", m.flags) })
            }
            Err(e) => json!({ "type": "NEGOTIATE", "error": e.to_string() }),
        },
        Some(2) => match ntlm::ChallengeMessage::parse(token) {
            Ok(m) => json!({
                "type": "CHALLENGE",
                "len": token.len(),
                "target": utf16(m.target_name),
                "flags": format!("{:?}", m.flags),
            }),
            Err(e) => json!({ "type": "CHALLENGE", "error": e.to_string() }),
        },
        Some(3) => match ntlm::AuthenticateMessage::parse(token) {
            Ok(m) => json!({
                "type": "AUTHENTICATE",
                "len": token.len(),
                "domain": utf16(m.domain_name),
                "user": utf16(m.user_name),
                "workstation": utf16(m.workstation),
                "ntResponse": format!("{}B", m.nt_challenge_response.len()),
                "mic": m.mic.is_some(),
            }),
            Err(e) => json!({ "type": "AUTHENTICATE", "error": e.to_string() }),
        },
        _ => json!({ "type": "unknown NTLMSSP", "len": token.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dissects_error_code_sample() {
        // samples/v6_badpass: the server's errorCode TSRequest.
        let v = dissect(&hex::decode("300da003020106a40602048009030c").unwrap());
        assert_eq!(v["version"], 6);
        assert!(v["errorCode"].as_str().unwrap().contains("8009030C"), "{v}");
        assert!(dissect(&[0x31, 0x00]).get("error").is_some());
    }
}
