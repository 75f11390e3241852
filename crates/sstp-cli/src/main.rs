//! `sstp`: decode Groove SSTP command streams and [MS-GRVSSTPS] security
//! tokens from captures, and run the protocol's crypto by hand.
//!
//! An adapter: the decoding is `sstp-wire`'s (through its `Describe` API),
//! the crypto `crypto-primitives`'; this crate reads input, renders, and
//! supplies OS randomness.
//!
//! Exit status: 0 on success, 2 when the input is at fault (malformed
//! command or token, bad hex, unreadable file, bad crypto argument, or a
//! usage error), 1 when writing the output failed.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod client;
mod crypto;
mod decode;
mod input;
mod relay;
mod render;

#[derive(Debug, Parser)]
#[command(
    name = "sstp",
    version,
    about = "Decode Groove SSTP commands and [MS-GRVSSTPS] security tokens; run the protocol's crypto",
    long_about = "Decode Groove SSTP (Simple Symmetric Transport Protocol, not the VPN \
        protocol [MS-SSTP]) command streams and the [MS-GRVSSTPS] security tokens inside \
        them, and run the protocol's crypto (MARC4, Crypto++-compatible ElGamal, relay \
        certificate fingerprint) by hand.\n\n\
        Exit status: 0 on success; 2 when the input is at fault (malformed command or \
        token, bad hex, unreadable file, bad crypto argument, usage error), with one line \
        on stderr; 1 when writing the output failed."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    Decode(decode::DecodeArgs),
    /// Run the protocol's crypto by hand: MARC4, ElGamal, relay fingerprint
    #[command(subcommand)]
    Crypto(crypto::CryptoCmd),
    /// Run a Groove relay ([MS-GRVSSTPS] 3.3): init keys, add users, serve
    #[command(subcommand)]
    Relay(relay::RelayCmd),
    /// A Groove client ([MS-GRVSSTPS] 3.2): make a profile, connect to a relay
    #[command(subcommand)]
    Client(client::ClientCmd),
}

/// An error the user's input caused (exit status 2).
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Shorthand for a [`BadInput`] error.
pub fn bad_input(msg: impl Into<String>) -> anyhow::Error {
    BadInput(msg.into()).into()
}

fn is_input_error(e: &anyhow::Error) -> bool {
    e.is::<BadInput>() || e.is::<sstp_wire::Error>() || e.is::<crypto_primitives::Error>()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = BufWriter::new(io::stdout().lock());
    let result = match cli.command {
        Cmd::Decode(args) => decode::run(&args, &mut out),
        Cmd::Crypto(cmd) => crypto::run(&cmd, &mut out),
        Cmd::Relay(cmd) => relay::run(cmd, &mut out),
        Cmd::Client(cmd) => client::run(cmd, &mut out),
    };
    // What was printed before an error goes out first.
    let flushed = out.flush();
    let result = result.and_then(|()| flushed.map_err(anyhow::Error::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `sstp decode ... | head`: the reader left; not an error.
        Err(e)
            if e.downcast_ref::<io::Error>()
                .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            let code = if is_input_error(&e) { 2 } else { 1 };
            // One line, whatever the error's text holds.
            let msg = e.to_string().replace(['\n', '\r'], " ");
            let _ = writeln!(io::stderr(), "error: {msg}");
            ExitCode::from(code)
        }
    }
}
