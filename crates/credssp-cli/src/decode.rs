//! `credssp decode`: dissects TSRequests (one hex DER TSRequest per line or
//! argument) and the SPNEGO / NTLM messages in their `negoTokens`, using the
//! core crates' decoders (`asn1-types`, `ntlm`). Sizes and public fields
//! only: no signatures, nonces or ciphertexts are printed.
//!
//! With `--password` (or `--nt-hash`) and a whole conversation (the
//! TSRequests in captured order, or the client's and the server's given
//! separately with `--server-file`), it rebuilds the NTLM session security
//! (`ntlm::replay`: NTProofStr and MIC verified), checks the SPNEGO
//! mechListMICs, unwraps both pubKeyAuth values and authInfo, and shows the
//! delegated credentials (secrets only with `--show-secrets`).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use asn1_types::spnego::{NegoTokenKind, NegotiationToken, mech_name};
use asn1_types::{TsCredentials, TsRequest, from_utf16le};
use clap::Args;
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Hex TSRequests (one per argument); `-` reads lines from stdin.
    hex: Vec<String>,
    /// Read hex TSRequests, one per line, from this file.
    #[arg(long)]
    file: Option<PathBuf>,
    /// The server's TSRequests (hex, one per line): the other inputs are then
    /// the client's, and the conversation is client, server, client, ...
    #[arg(long)]
    server_file: Option<PathBuf>,
    /// Decrypt with this password: rebuild the NTLM keys from the
    /// NEGOTIATE/CHALLENGE/AUTHENTICATE in the conversation.
    #[arg(long, conflicts_with = "nt_hash")]
    password: Option<String>,
    /// Decrypt with this NT hash (32 hex digits) instead of a password.
    #[arg(long)]
    nt_hash: Option<String>,
    /// With --password/--nt-hash, also print delegated passwords and PINs.
    #[arg(long)]
    show_secrets: bool,
    /// JSON output (one object per TSRequest).
    #[arg(long)]
    json: bool,
}

fn read_lines(text: &str) -> impl Iterator<Item = String> + '_ {
    text.lines()
        .map(|l| l.split_whitespace().collect::<String>())
        .filter(|l| !l.is_empty())
}

/// The TSRequests in conversation order, each with its sender when known.
fn inputs(a: &DecodeArgs) -> Result<Vec<(Option<&'static str>, String)>> {
    let mut lines = Vec::new();
    if let Some(f) = &a.file {
        let text = std::fs::read_to_string(f).with_context(|| format!("{}", f.display()))?;
        lines.extend(read_lines(&text));
    }
    for h in &a.hex {
        if h == "-" {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text)?;
            lines.extend(read_lines(&text));
        } else {
            lines.extend(read_lines(h));
        }
    }
    let Some(server_file) = &a.server_file else {
        if lines.is_empty() {
            bail!("no TSRequest given (HEX arguments, --file or -)");
        }
        return Ok(lines.into_iter().map(|l| (None, l)).collect());
    };
    let text = std::fs::read_to_string(server_file)
        .with_context(|| format!("{}", server_file.display()))?;
    let server: Vec<String> = read_lines(&text).collect();
    if lines.is_empty() {
        bail!("--server-file needs the client's TSRequests too (HEX arguments, --file or -)");
    }
    // CredSSP alternates strictly, the client first.
    let mut client = lines.into_iter();
    let mut server = server.into_iter();
    let mut out = Vec::new();
    loop {
        let c = client.next();
        let s = server.next();
        if c.is_none() && s.is_none() {
            break;
        }
        out.extend(c.map(|l| (Some("client"), l)));
        out.extend(s.map(|l| (Some("server"), l)));
    }
    Ok(out)
}

pub fn run(a: DecodeArgs) -> Result<ExitCode> {
    let lines = inputs(&a)?;
    let mut values: Vec<Value> = lines
        .iter()
        .map(|(from, line)| {
            let mut v = match hex::decode(line) {
                Ok(bytes) => dissect(&bytes),
                Err(e) => json!({ "error": format!("not hex: {e}") }),
            };
            if let (Some(from), Value::Object(m)) = (from, &mut v) {
                m.insert("from".into(), json!(from));
            }
            v
        })
        .collect();
    // Decrypt before printing anything: a wrong password is one error line.
    let secret = match (&a.password, &a.nt_hash) {
        (Some(p), _) => Some(ntlm::NtHash::from_password(&ntlm::Password::new(p))),
        (None, Some(h)) => Some(crate::users::parse_nt_hash(h)?),
        (None, None) => None,
    };
    if let Some(hash) = &secret {
        let requests: Vec<Option<TsRequest>> = lines
            .iter()
            .map(|(_, l)| {
                hex::decode(l)
                    .ok()
                    .and_then(|b| TsRequest::from_der(&b).ok())
            })
            .collect();
        for (i, extra) in decrypt(&requests, hash, a.show_secrets)? {
            if let Some(Value::Object(m)) = values.get_mut(i) {
                m.extend(extra);
            }
        }
    }
    let mut failed = false;
    for (i, v) in values.iter().enumerate() {
        failed |= v.get("error").is_some();
        if a.json {
            println!("{v}");
        } else {
            println!("#{} {}", i + 1, render(v));
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The NTLM message inside a negoToken (raw NTLMSSP or in SPNEGO), with the
/// SPNEGO token when there is one.
fn ntlm_in(token: &[u8]) -> (Option<Vec<u8>>, Option<NegotiationToken>) {
    if token.starts_with(b"NTLMSSP\0") {
        return (Some(token.to_vec()), None);
    }
    match NegotiationToken::from_der(token) {
        Ok(t) => (
            t.mech_token()
                .filter(|m| m.starts_with(b"NTLMSSP\0"))
                .map(<[u8]>::to_vec),
            Some(t),
        ),
        Err(_) => (None, None),
    }
}

type Extra = serde_json::Map<String, Value>;

/// What the conversation carries, located by TSRequest index.
#[derive(Default)]
struct Found {
    negotiate: Option<Vec<u8>>,
    challenge: Option<Vec<u8>>,
    authenticate: Option<(usize, Vec<u8>)>,
    mech_types: Option<Vec<u8>>,
    client_mech_list_mic: Option<(usize, Vec<u8>)>,
    server_mech_list_mic: Option<(usize, Vec<u8>)>,
    client_pub_key_auth: Option<(usize, Vec<u8>)>,
    server_pub_key_auth: Option<(usize, Vec<u8>)>,
    auth_info: Option<(usize, Vec<u8>)>,
}

fn survey(requests: &[Option<TsRequest>]) -> Result<Found> {
    let mut f = Found::default();
    for (i, req) in requests.iter().enumerate() {
        let Some(req) = req else { continue };
        for item in req.nego_tokens.iter().flatten() {
            let (ntlm, spnego) = ntlm_in(item.nego_token.as_bytes());
            let kind = ntlm.as_deref().and_then(|m| ntlm::MessageType::of(m).ok());
            if let Some(t) = &spnego {
                if let Some(types) = t.mech_types()
                    && f.mech_types.is_none()
                {
                    f.mech_types = Some(types.to_der().map_err(|e| anyhow!("mechTypes: {e}"))?);
                }
                if let Some(mic) = t.mech_list_mic() {
                    let slot = if f.authenticate.is_some() && kind.is_none() {
                        &mut f.server_mech_list_mic
                    } else {
                        &mut f.client_mech_list_mic
                    };
                    slot.get_or_insert((i, mic.to_vec()));
                }
            }
            match (kind, ntlm) {
                (Some(ntlm::MessageType::Negotiate), Some(m)) => {
                    f.negotiate.get_or_insert(m);
                }
                (Some(ntlm::MessageType::Challenge), Some(m)) => {
                    f.challenge.get_or_insert(m);
                }
                (Some(ntlm::MessageType::Authenticate), Some(m)) => {
                    f.authenticate.get_or_insert((i, m));
                }
                _ => {}
            }
        }
        // pubKeyAuth: the client's travels with (or after) the AUTHENTICATE,
        // the server's answers it; authInfo is the client's last message.
        if let (Some(p), Some(_)) = (&req.pub_key_auth, &f.authenticate) {
            let p = (i, p.as_bytes().to_vec());
            if f.client_pub_key_auth.is_none() {
                f.client_pub_key_auth = Some(p);
            } else if f.server_pub_key_auth.is_none() {
                f.server_pub_key_auth = Some(p);
            }
        }
        if let (Some(a), Some(_)) = (&req.auth_info, &f.authenticate) {
            f.auth_info.get_or_insert((i, a.as_bytes().to_vec()));
        }
    }
    Ok(f)
}

/// Rebuilds both sides' session security and decrypts; returns the fields to
/// add to each TSRequest's output.
fn decrypt(
    requests: &[Option<TsRequest>],
    hash: &ntlm::NtHash,
    show_secrets: bool,
) -> Result<Vec<(usize, Extra)>> {
    let f = survey(requests)?;
    let missing = |what: &str| {
        anyhow!(
            "cannot decrypt: no NTLM {what} in the conversation (give the server's TSRequests with --server-file, or all of them in captured order)"
        )
    };
    let negotiate = f.negotiate.as_deref().ok_or_else(|| missing("NEGOTIATE"))?;
    let challenge = f.challenge.as_deref().ok_or_else(|| missing("CHALLENGE"))?;
    let (auth_at, authenticate) = f
        .authenticate
        .as_ref()
        .ok_or_else(|| missing("AUTHENTICATE"))?;
    let parsed = ntlm::AuthenticateMessage::parse(authenticate)?;
    let who = format!(
        "{}\\{}",
        parsed.domain_name_string().unwrap_or_default(),
        parsed.user_name_string().unwrap_or_default()
    );
    let mut server = ntlm::replay::server_context(negotiate, challenge, authenticate, hash)
        .map_err(|e| match e.kind() {
            ntlm::ErrorKind::NtProofMismatch => {
                anyhow!("wrong password or NT hash for {who}: NTProofStr does not match")
            }
            _ => anyhow!("cannot rebuild the NTLM session of {who}: {e}"),
        })?;
    let mut client = ntlm::replay::client_context(negotiate, challenge, authenticate, hash)?;

    let mut out: Vec<(usize, Extra)> = Vec::new();
    let mut add = |i: usize, k: &str, v: Value| match out.iter_mut().find(|(j, _)| *j == i) {
        Some((_, m)) => {
            m.insert(k.into(), v);
        }
        None => out.push((i, Extra::from_iter([(k.to_owned(), v)]))),
    };
    add(
        *auth_at,
        "ntlmVerified",
        json!({
            "user": server.identity().user,
            "domain": server.identity().domain,
            "mic": server.mic_provided(),
            "spn": server.target_name().unwrap_or(""),
        }),
    );

    // SPNEGO: each side's mechListMIC (seq 0) restarts its RC4 handle.
    for (ctx, mic, side) in [
        (&mut server, &f.client_mech_list_mic, "client"),
        (&mut client, &f.server_mech_list_mic, "server"),
    ] {
        if let Some((i, mic)) = mic {
            let types = f
                .mech_types
                .as_deref()
                .ok_or_else(|| anyhow!("{side} mechListMIC without the client's mechTypes"))?;
            ctx.verify_mic(types, mic)
                .map_err(|e| anyhow!("{side} mechListMIC does not verify: {e}"))?;
            ctx.reset_inbound_seal_state();
            add(*i, "mechListMICVerified", json!(true));
        }
    }
    for (ctx, pka, side) in [
        (&mut server, &f.client_pub_key_auth, "client"),
        (&mut client, &f.server_pub_key_auth, "server"),
    ] {
        if let Some((i, token)) = pka {
            let seq = ctx.inbound_seq();
            let plain = ctx
                .unwrap(token)
                .map_err(|e| anyhow!("{side} pubKeyAuth does not unwrap: {e}"))?;
            add(
                *i,
                "pubKeyAuthPlain",
                json!(format!("seq={seq} {}", hex::encode(plain.expose_secret()))),
            );
        }
    }
    if let Some((i, token)) = &f.auth_info {
        let plain = server
            .unwrap(token)
            .map_err(|e| anyhow!("authInfo does not unwrap: {e}"))?;
        let creds = TsCredentials::from_der(plain.expose_secret())
            .map_err(|e| anyhow!("authInfo is not TSCredentials: {e}"))?;
        add(*i, "delegated", credentials(&creds, show_secrets));
    }
    Ok(out)
}

fn text(bytes: &[u8]) -> String {
    from_utf16le(bytes).unwrap_or_else(|| format!("<{} bytes>", bytes.len()))
}

fn credentials(c: &TsCredentials, show_secrets: bool) -> Value {
    let mut m = Extra::new();
    match c {
        TsCredentials::Password(p) => {
            m.insert("credType".into(), json!("password"));
            m.insert("domain".into(), json!(text(p.domain_name.as_bytes())));
            m.insert("user".into(), json!(text(p.user_name.as_bytes())));
            if show_secrets {
                m.insert("password".into(), json!(text(p.password.expose_secret())));
            }
        }
        TsCredentials::SmartCard(s) => {
            m.insert("credType".into(), json!("smartcard"));
            let opt = |o: &Option<asn1_types::der::asn1::OctetString>| {
                o.as_ref().map(|v| text(v.as_bytes())).unwrap_or_default()
            };
            m.insert("domain".into(), json!(opt(&s.domain_hint)));
            m.insert("user".into(), json!(opt(&s.user_hint)));
            m.insert("reader".into(), json!(opt(&s.csp_data.reader_name)));
            m.insert("card".into(), json!(opt(&s.csp_data.card_name)));
            if show_secrets {
                m.insert("pin".into(), json!(text(s.pin.expose_secret())));
            }
        }
        TsCredentials::RemoteGuard(r) => {
            m.insert("credType".into(), json!("remoteguard"));
            m.insert(
                "package".into(),
                json!(text(r.logon_cred.package_name.as_bytes())),
            );
        }
    }
    Value::Object(m)
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
