//! Decodes one of the [MS-GRVSSTPS] §4 trace vectors and prints every
//! command and the security token inside it.
//!
//! ```text
//! cargo run -p sstp-wire --example decode_trace            # §4.1.6 RegisterResponse
//! cargo run -p sstp-wire --example decode_trace -- 4.1.4   # any tests/vectors/sstp/<name>.hex
//! ```
//!
//! The vectors the seed shows only in part (4.1.5-*) have their elided bytes
//! filled with zeros. The codec itself does no IO: this example reads the
//! file and hands the bytes over.

use std::fmt::Write as _;
use std::path::PathBuf;

use sstp_wire::{Command, CommandStream, DecodeOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "4.1.6".to_string());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/sstp")
        .join(format!("{name}.hex"));
    let bytes = read_vector(&std::fs::read_to_string(&path)?)?;
    println!("{} ({} bytes)", path.display(), bytes.len());

    // §4.1.10's token length overruns its command; accept it, as the relay did.
    let opts = DecodeOptions::STRICT.tolerate_register_token_overrun(true);
    let mut stream = CommandStream::with_options(&bytes, opts);
    for item in stream.by_ref() {
        match item {
            Ok(cmd) => print_command(&cmd)?,
            Err(e) => println!("  error: {e}"),
        }
    }
    if !stream.remainder().is_empty() {
        println!(
            "  {} bytes left over (not a whole command){}",
            stream.remainder().len(),
            if name == "4.2.2" {
                ": §4.2.2 is a SecAccountOnNewDevice fragment, not a command"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn print_command(cmd: &Command<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let encoded = cmd.to_vec()?;
    println!("command {:#04x}, {} bytes", cmd.id(), encoded.len());
    println!("{}", indent(&format!("{cmd:#?}"), 2));
    match cmd.security_token() {
        None => {}
        Some(Ok(token)) => {
            println!(
                "  token: {} ({}), version 1.{}",
                token.name(),
                token.section(),
                token.minor_version().to_u8()
            );
            println!("{}", indent(&format!("{token:#?}"), 4));
        }
        Some(Err(e)) => println!("  token error: {e}"),
    }
    Ok(())
}

/// `OFFSET: bytes` rows, `#` comments; gaps (elided bytes) become zeros.
fn read_vector(text: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        let Some((offset, hex)) = line.split_once(':') else {
            continue;
        };
        let offset = usize::from_str_radix(offset.trim(), 16)?;
        let row = hex
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16))
            .collect::<Result<Vec<u8>, _>>()?;
        if out.len() < offset + row.len() {
            out.resize(offset + row.len(), 0);
        }
        if let Some(slot) = out.get_mut(offset..offset + row.len()) {
            slot.copy_from_slice(&row);
        }
    }
    Ok(out)
}

/// Indents, and prints byte arrays (one number per line in `{:#?}`) as hex,
/// 24 bytes per line.
fn indent(text: &str, by: usize) -> String {
    let mut out = String::new();
    // (indentation of the `[` line, bytes so far) while inside an array.
    let mut bytes: Option<(usize, Vec<String>)> = None;
    let pad = " ".repeat(by);
    for line in text.lines() {
        let t = line.trim();
        if let Some((depth, acc)) = bytes.as_mut() {
            if let Ok(b) = t.trim_end_matches(',').parse::<u8>() {
                acc.push(format!("{b:02x}"));
                continue;
            }
            let inner = " ".repeat(by + *depth + 4);
            for chunk in acc.chunks(24) {
                let _ = writeln!(out, "{inner}{}", chunk.join(" "));
            }
            bytes = None;
        }
        let _ = writeln!(out, "{pad}{line}");
        if t.ends_with('[') {
            bytes = Some((line.len() - line.trim_start().len(), Vec::new()));
        }
    }
    out.trim_end().to_string()
}
