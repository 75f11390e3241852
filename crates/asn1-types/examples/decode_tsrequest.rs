//! Decodes DER TSRequests given as hex and prints a summary: sizes, versions,
//! the SPNEGO structure and error codes. Never prints token, signature or
//! credential bytes.
//!
//! ```sh
//! cargo run -p asn1-types --example decode_tsrequest                  # built-in samples
//! cargo run -p asn1-types --example decode_tsrequest -- 300da003020106a40602048009030c
//! cargo run -p asn1-types --example decode_tsrequest -- --credentials 3082010fa0...
//! ```

use std::process::ExitCode;

use asn1_types::spnego::{NegoTokenKind, NegotiationToken, mech_name};
use asn1_types::{Error, TsCredentials, TsRequest, from_utf16le};

/// pyspnego's first TSRequest (SPNEGO NegTokenInit + NTLM NEGOTIATE) and its
/// errorCode answer to a wrong password, from `../shared/peers/samples`.
const BUILT_IN: [&str; 2] = [
    "3059a003020106a1523050304ea04c044a604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d5353500001000000378208e200000000280000000000000028000000000c04000000000f",
    "300da003020106a40602048009030c",
];

fn ntlm_type(token: &[u8]) -> &'static str {
    match token.get(8..12) {
        _ if !token.starts_with(b"NTLMSSP\0") => "opaque",
        Some([1, 0, 0, 0]) => "NTLM NEGOTIATE",
        Some([2, 0, 0, 0]) => "NTLM CHALLENGE",
        Some([3, 0, 0, 0]) => "NTLM AUTHENTICATE",
        _ => "NTLM (unknown type)",
    }
}

fn describe_spnego(token: &[u8]) -> Result<String, Error> {
    let spnego = NegotiationToken::from_der(token)?;
    let mut out = match &spnego {
        NegotiationToken::NegTokenInit(_) => "NegTokenInit".to_string(),
        NegotiationToken::NegTokenInit2(_) => "NegTokenInit2".to_string(),
        NegotiationToken::NegTokenResp(resp) => match resp.neg_state {
            Some(state) => format!("NegTokenResp negState={state:?}"),
            None => "NegTokenResp".to_string(),
        },
    };
    if let Some(types) = spnego.mech_types() {
        let names: Vec<String> = types
            .0
            .iter()
            .map(|oid| mech_name(oid).map_or_else(|| oid.to_string(), str::to_string))
            .collect();
        out.push_str(&format!(" mechTypes=[{}]", names.join(", ")));
    }
    if let NegotiationToken::NegTokenResp(resp) = &spnego
        && let Some(mech) = &resp.supported_mech
    {
        let name = mech_name(mech).map_or_else(|| mech.to_string(), str::to_string);
        out.push_str(&format!(" supportedMech={name}"));
    }
    if let Some(inner) = spnego.mech_token() {
        out.push_str(&format!(" token={} {}B", ntlm_type(inner), inner.len()));
    }
    if let Some(mic) = spnego.mech_list_mic() {
        out.push_str(&format!(" mechListMIC={}B", mic.len()));
    }
    Ok(out)
}

fn show_request(bytes: &[u8]) -> Result<(), Error> {
    let req = TsRequest::from_der(bytes)?;
    println!("{} ({} bytes)", req.summary(), bytes.len());
    for (i, token) in req.nego_token_bytes().enumerate() {
        let detail = match NegoTokenKind::of(token) {
            NegoTokenKind::SpnegoInit | NegoTokenKind::SpnegoResp => {
                describe_spnego(token).unwrap_or_else(|e| format!("malformed SPNEGO: {e}"))
            }
            NegoTokenKind::Ntlmssp => format!("raw {}", ntlm_type(token)),
            other => other.to_string(),
        };
        println!("  negoToken {i}: {detail}");
    }
    Ok(())
}

fn text(bytes: &[u8]) -> String {
    from_utf16le(bytes).unwrap_or_else(|| format!("<{} bytes, not UTF-16LE>", bytes.len()))
}

fn show_credentials(bytes: &[u8]) -> Result<(), Error> {
    let creds = TsCredentials::from_der(bytes)?;
    match &creds {
        TsCredentials::Password(p) => println!(
            "TSCredentials password: domain={:?} user={:?} password={:?}",
            text(p.domain_name.as_bytes()),
            text(p.user_name.as_bytes()),
            p.password,
        ),
        TsCredentials::SmartCard(s) => println!(
            "TSCredentials smart card: pin={:?} keySpec={} reader={:?} csp={:?}",
            s.pin,
            s.csp_data.key_spec,
            s.csp_data.reader_name.as_ref().map(|r| text(r.as_bytes())),
            s.csp_data.csp_name.as_ref().map(|c| text(c.as_bytes())),
        ),
        TsCredentials::RemoteGuard(r) => println!(
            "TSCredentials remote guard: logon package={:?} credBuffer={:?} supplemental={}",
            text(r.logon_cred.package_name.as_bytes()),
            r.logon_cred.cred_buffer,
            r.supplemental_creds.as_ref().map_or(0, Vec::len),
        ),
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let credentials = args.first().is_some_and(|a| a == "--credentials");
    if credentials {
        args.remove(0);
    }
    let inputs: Vec<String> = if args.is_empty() {
        BUILT_IN.iter().map(|s| s.to_string()).collect()
    } else {
        args
    };
    let mut status = ExitCode::SUCCESS;
    for input in inputs {
        let hex: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = match decode_hex(&hex) {
            Some(bytes) => bytes,
            None => {
                eprintln!("not hex: {input:.32}");
                status = ExitCode::FAILURE;
                continue;
            }
        };
        let result = if credentials {
            show_credentials(&bytes)
        } else {
            show_request(&bytes)
        };
        if let Err(e) = result {
            eprintln!("rejected: {e}");
            status = ExitCode::FAILURE;
        }
    }
    status
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
