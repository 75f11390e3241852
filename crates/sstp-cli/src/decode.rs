//! `sstp decode`: a command stream (or one bare token) as trees or JSON.

use std::io::{Read, Write};
use std::path::PathBuf;

use sstp_wire::{Carrier, Command, CommandStream, DecodeOptions, Describe, Node, SecurityToken};

use crate::input::{self, InputFormat};
use crate::render;
use crate::{BadInput, bad_input};

/// Decode an SSTP command stream (or one bare token) into trees or JSON
///
/// Decodes every command and every security token inside. Prints one tree per command (every field with its byte offset in the
/// input, tokens decoded through their carrier, nested account-layer
/// messages and public keys objects included), or with --json one JSON
/// object per line per command (JSON Lines).
///
/// Input: HEX arguments (hex digits, whitespace allowed, may be split over
/// several arguments), `-` for stdin, or --file PATH. Stdin and files are
/// read as hex text when they are UTF-8 without control characters (tabs and
/// line breaks aside), and as raw binary otherwise (--input forces either;
/// a binary stream has a NUL or control byte in its first three bytes
/// unless its first CommandLength is above 0x2008). Hex text may
/// hold `#` comments, `0x` prefixes and `OFFSET:` row labels (the format of
/// tests/vectors/sstp/*.hex).
///
/// Malformed input: exit status 2 and one line on stderr naming the command
/// or message, its spec section, the field and the byte offset in the input.
/// The commands before the malformed one have been printed by then.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// The command stream (or, with --token, nothing) as hex; `-` reads stdin.
    #[arg(value_name = "HEX", conflicts_with_all = ["file", "token"])]
    hex: Vec<String>,

    /// Read the command stream from a file (hex text or raw binary).
    #[arg(short, long, value_name = "PATH", conflicts_with = "token")]
    file: Option<PathBuf>,

    /// How to read --file and stdin.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    input: InputFormat,

    /// Fill the offsets that `OFFSET:`-labelled hex rows skip with this byte
    /// (hex, e.g. 00); without it a skipped range is an error.
    #[arg(long, value_name = "BYTE", value_parser = parse_byte)]
    fill_gaps: Option<u8>,

    /// Decode one bare security token given as hex (`-`: stdin) instead of a
    /// command stream; needs --carrier.
    #[arg(long, value_name = "HEX", requires = "carrier")]
    token: Option<String>,

    /// The command (or device-layer message) the --token arrived in: it
    /// decides which message an ID means ([MS-GRVSSTPS] 3.1.3).
    #[arg(long, value_enum, ignore_case = true, requires = "token")]
    carrier: Option<CarrierArg>,

    /// Print JSON Lines: one object per command, fields named as in the
    /// specification, bytes as lowercase hex, enums as {value, name}.
    #[arg(long)]
    json: bool,

    /// Accept a Register whose RegistrationTokenLength claims more bytes than
    /// the command holds, as the seed's §4.1.10 trace does (sstp-wire
    /// DecodeOptions::tolerate_register_token_overrun; the declared length
    /// is shown).
    #[arg(long, conflicts_with = "token")]
    tolerate_register_overrun: bool,
}

/// The carriers of [MS-GRVSSTPS] 3.1.3, by command (or message) name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CarrierArg {
    #[value(name = "Connect")]
    Connect,
    #[value(name = "ConnectResponse", alias = "connect-response")]
    ConnectResponse,
    #[value(name = "ConnectAuthenticate", alias = "connect-authenticate")]
    ConnectAuthenticate,
    #[value(name = "Attach")]
    Attach,
    #[value(name = "AttachResponse", alias = "attach-response")]
    AttachResponse,
    #[value(name = "AttachAuthenticate", alias = "attach-authenticate")]
    AttachAuthenticate,
    #[value(name = "Register")]
    Register,
    #[value(name = "RegisterResponse", alias = "register-response")]
    RegisterResponse,
    /// The AccountLayerMessage of a SecDeviceAccountRegister.
    #[value(
        name = "SecDeviceAccountRegister",
        alias = "sec-device-account-register"
    )]
    SecDeviceAccountRegister,
    /// The AccountLayerMessage of a SecDeviceAccountRegisterResponse.
    #[value(
        name = "SecDeviceAccountRegisterResponse",
        alias = "sec-device-account-register-response"
    )]
    SecDeviceAccountRegisterResponse,
}

impl From<CarrierArg> for Carrier {
    fn from(c: CarrierArg) -> Self {
        match c {
            CarrierArg::Connect => Self::Connect,
            CarrierArg::ConnectResponse => Self::ConnectResponse,
            CarrierArg::ConnectAuthenticate => Self::ConnectAuthenticate,
            CarrierArg::Attach => Self::Attach,
            CarrierArg::AttachResponse => Self::AttachResponse,
            CarrierArg::AttachAuthenticate => Self::AttachAuthenticate,
            CarrierArg::Register => Self::Register,
            CarrierArg::RegisterResponse => Self::RegisterResponse,
            CarrierArg::SecDeviceAccountRegister => Self::SecDeviceAccountRegister,
            CarrierArg::SecDeviceAccountRegisterResponse => Self::SecDeviceAccountRegisterResponse,
        }
    }
}

fn parse_byte(s: &str) -> Result<u8, String> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    u8::from_str_radix(digits, 16).map_err(|_| format!("{s:?} is not a byte in hex (00 to ff)"))
}

/// The bytes to decode, from wherever the arguments say.
fn read_bytes(args: &DecodeArgs, hex_arg: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let hex_error = |e: input::HexError| bad_input(format!("invalid hex input: {e}"));
    let contents = match (hex_arg, &args.file) {
        (Some("-"), _) => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| bad_input(format!("cannot read stdin: {e}")))?;
            buf
        }
        (Some(hex), _) => return input::parse_hex(hex, args.fill_gaps).map_err(hex_error),
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| bad_input(format!("cannot read {}: {e}", path.display())))?,
        (None, None) => {
            return Err(bad_input(
                "no input: give HEX, `-` for stdin, or --file PATH (see sstp decode --help)",
            ));
        }
    };
    input::from_contents(contents, args.input, args.fill_gaps).map_err(hex_error)
}

pub fn run(args: &DecodeArgs, out: &mut impl Write) -> anyhow::Result<()> {
    if let Some(token) = &args.token {
        let bytes = read_bytes(args, Some(token))?;
        let carrier = args
            .carrier
            .map(Carrier::from)
            .ok_or_else(|| bad_input("--token needs --carrier"))?;
        let node = SecurityToken::parse(carrier, &bytes)?.describe();
        return emit(out, &node, 0, "token ", args.json);
    }

    let joined = (!args.hex.is_empty()).then(|| args.hex.join(" "));
    let bytes = read_bytes(args, joined.as_deref())?;
    if bytes.is_empty() {
        return Err(bad_input("the input holds no bytes"));
    }
    let opts =
        DecodeOptions::STRICT.tolerate_register_token_overrun(args.tolerate_register_overrun);
    let mut stream = CommandStream::with_options(&bytes, opts);
    let mut count = 0usize;
    loop {
        let start = stream.consumed();
        let Some(item) = stream.next() else { break };
        // Command errors count from the start of the input already; token
        // errors from the start of their command.
        let node = item?.describe_with_token().map_err(|e| e.shifted(start))?;
        count += 1;
        if count > 1 && !args.json {
            writeln!(out)?;
        }
        emit(out, &node, start, &format!("#{count} "), args.json)?;
    }
    let rest = stream.remainder();
    if !rest.is_empty() {
        // An incomplete last command: decoding it alone names the field.
        let at = stream.consumed();
        return Err(match Command::parse_with(rest, opts) {
            Err(e) => e.shifted(at).into(),
            Ok(_) => BadInput(format!(
                "the {} bytes at {at:#06x} are not a whole command",
                rest.len()
            ))
            .into(),
        });
    }
    Ok(())
}

fn emit(
    out: &mut impl Write,
    node: &Node<'_>,
    offset: usize,
    title: &str,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        let obj = render::Json {
            node,
            offset: Some(offset),
        };
        // To a string first, so that a closed stdout stays an io::Error.
        let line = serde_json::to_string(&obj)?;
        writeln!(out, "{line}")?;
    } else {
        out.write_all(render::tree(node, offset, title).as_bytes())?;
    }
    Ok(())
}
