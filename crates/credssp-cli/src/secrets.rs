//! Reading the client's secrets: the password (environment variable, file,
//! or a prompt) and Remote Credential Guard credential buffers (files).
//!
//! Everything is held in zeroizing buffers from the moment it is read.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use asn1_types::SecretBytes;
use credssp_core::RemoteGuardPackageCred;
use zeroize::Zeroizing;

/// Room reserved up front for a line read from stdin, so that typical
/// passwords never make the buffer reallocate (which would leave an
/// unzeroized copy behind).
const LINE_CAPACITY: usize = 1024;

/// The first line of `text`, without its line ending, as a fresh
/// zeroizing string.
fn first_line(text: &str) -> Zeroizing<String> {
    let line = text.lines().next().unwrap_or("");
    let mut out = Zeroizing::new(String::with_capacity(line.len()));
    out.push_str(line);
    out
}

/// Reads a secret from `$env` (the whole value), else the first line of `file`, else a
/// prompt: without echo when stdin is a terminal (via `/dev/tty`), else
/// one line from stdin.
pub fn read_secret(
    env: Option<&String>,
    file: Option<&PathBuf>,
    what: &str,
) -> Result<Zeroizing<String>> {
    if let Some(var) = env {
        return Ok(Zeroizing::new(
            std::env::var(var).with_context(|| format!("{what}: ${var} is not set"))?,
        ));
    }
    if let Some(path) = file {
        let text = Zeroizing::new(
            std::fs::read_to_string(path).with_context(|| format!("{what}: {}", path.display()))?,
        );
        return Ok(first_line(&text));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let typed = Zeroizing::new(
            rpassword::prompt_password(format!("{what}: "))
                .with_context(|| format!("{what}: reading from the terminal"))?,
        );
        return Ok(first_line(&typed));
    }
    read_line(&mut stdin.lock()).with_context(|| format!("{what}: reading stdin"))
}

/// One line from `input`, line ending removed, in a zeroizing buffer.
fn read_line(input: &mut impl BufRead) -> Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::with_capacity(LINE_CAPACITY));
    input.read_line(&mut line)?;
    let end = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(end);
    Ok(line)
}

/// A credential buffer from a file's bytes: hex when the file holds only
/// hex digits and ASCII whitespace (at least one digit, an even count),
/// else the raw bytes.
pub fn cred_buffer(bytes: Zeroizing<Vec<u8>>) -> Result<SecretBytes> {
    let digits = Zeroizing::new(
        bytes
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect::<Vec<u8>>(),
    );
    let is_hex = !digits.is_empty() && digits.iter().all(u8::is_ascii_hexdigit);
    if !is_hex {
        let mut bytes = bytes;
        return Ok(SecretBytes::new(std::mem::take(&mut *bytes)));
    }
    if !digits.len().is_multiple_of(2) {
        bail!("odd number of hex digits ({})", digits.len());
    }
    let mut out = Zeroizing::new(vec![0u8; digits.len() / 2]);
    hex::decode_to_slice(&*digits, &mut out[..]).map_err(|e| anyhow!("bad hex: {e}"))?;
    Ok(SecretBytes::new(std::mem::take(&mut *out)))
}

/// A Remote Guard package credential: `package` and the buffer in `path`.
pub fn package_cred(package: &str, path: &Path) -> Result<RemoteGuardPackageCred> {
    if package.is_empty() {
        bail!("Remote Guard package name is empty");
    }
    let bytes = Zeroizing::new(
        std::fs::read(path)
            .with_context(|| format!("Remote Guard {package} credential: {}", path.display()))?,
    );
    Ok(RemoteGuardPackageCred {
        package_name: package.to_owned(),
        cred_buffer: cred_buffer(bytes)
            .with_context(|| format!("Remote Guard {package} credential: {}", path.display()))?,
    })
}

/// Parses `--remote-guard-supplemental NAME=PATH`.
pub fn parse_supplemental(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_owned(), PathBuf::from(path)))
        }
        _ => Err("want NAME=PATH (e.g. NTLM=ntlm.bin)".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(b: &[u8]) -> Vec<u8> {
        cred_buffer(Zeroizing::new(b.to_vec()))
            .unwrap()
            .expose_secret()
            .to_vec()
    }

    #[test]
    fn cred_buffers_are_hex_or_raw() {
        assert_eq!(buf(b"0a0B ff\n"), [0x0a, 0x0b, 0xff]);
        assert_eq!(buf(b"\x00\xffAB"), [0x00, 0xff, b'A', b'B']);
        assert_eq!(buf(b"not hex\n"), b"not hex\n");
        assert_eq!(buf(b""), b"");
        assert_eq!(buf(b"  \n"), b"  \n");
        assert!(cred_buffer(Zeroizing::new(b"abc".to_vec())).is_err());
    }

    #[test]
    fn lines_and_supplementals() {
        let mut input = std::io::Cursor::new(b"Passw0rd!\r\nsecond\n".to_vec());
        assert_eq!(read_line(&mut input).unwrap().as_str(), "Passw0rd!");
        let mut empty = std::io::Cursor::new(Vec::new());
        assert_eq!(read_line(&mut empty).unwrap().as_str(), "");
        assert_eq!(first_line("a b\nc").as_str(), "a b");
        assert_eq!(
            parse_supplemental("NTLM=/x/y=z").unwrap(),
            ("NTLM".to_owned(), PathBuf::from("/x/y=z"))
        );
        assert!(parse_supplemental("NTLM").is_err());
        assert!(parse_supplemental("=p").is_err());
        assert!(parse_supplemental("N=").is_err());
    }
}
