//! Sans-IO [MS-CSSP] CredSSP client and server, versions 2 to 6.
//!
//! * [`CredSspClient`] / [`CredSspServer`]: `step`-shaped state machines
//!   for [MS-CSSP] 3.1.5 with the [MS-CSSP-Diff] changes. Each step takes
//!   one whole TSRequest and returns what to do: send bytes, finished
//!   (delegated credentials), or failed (with the errorCode reply the
//!   server sends at versions 3, 4 and 6).
//! * [`frame_len`]: how long the next TSRequest on the TLS stream is (DER
//!   length; no 64 KiB cap).
//! * The pubKeyAuth binding follows the negotiated version (min of both
//!   sides' constant versions): the raw SubjectPublicKey and its "first
//!   byte + 1" echo for 2–4, the SHA-256 nonce hashes for 5–6. Both sides
//!   refuse peers below a configurable minimum (default 5).
//! * [`ServerPublicKey`] extracts SubjectPublicKey from the TLS certificate.
//! * [`Credentials`]: password, smart card and Remote Guard, UTF-16LE on
//!   the wire, secrets zeroized and redacted.
//! * [`SpnAllowList`]: the client's delegation policy ([MS-CSSP] 3.1.1).
//!
//! The endpoints drive any [`spnego::Mechanism`] (raw NTLM, SPNEGO, a
//! negotiate acceptor); TLS, sockets and randomness belong to the caller.
//!
//! ```
//! # fn demo(client_mech: Box<dyn spnego::Mechanism + Send>,
//! #         server_mech: Box<dyn spnego::Mechanism + Send>,
//! #         cert_der: &[u8]) -> Result<(), credssp_core::Error> {
//! use credssp_core::*;
//! let key = ServerPublicKey::from_certificate_der(cert_der)?;
//! let config = ClientConfig::new("TERMSRV/rdp.example.com",
//!     SpnAllowList::new().allow("TERMSRV/*.example.com"));
//! let mut client = CredSspClient::with_nonce(config,
//!     Credentials::password("TESTDOM", "alice", "Passw0rd!"), client_mech, key.clone(), [7; 32])?;
//! let mut server = CredSspServer::new(ServerConfig::default(), server_mech, key)?;
//! let mut to_server = match client.step(None) {
//!     ClientOutput::Send(bytes) => bytes,
//!     other => panic!("{other:?}"),
//! };
//! loop {
//!     match server.step(&to_server) {
//!         ServerOutput::Send(reply) => match client.step(Some(&reply)) {
//!             ClientOutput::Send(bytes) | ClientOutput::Finished(bytes) => to_server = bytes,
//!             ClientOutput::Failed(e) => return Err(e),
//!         },
//!         ServerOutput::Finished(delegation) => break,
//!         ServerOutput::Failed { error, .. } => return Err(error),
//!     }
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod client;
mod common;
mod credentials;
mod error;
mod policy;
mod public_key;
mod server;

pub use asn1_types::{NtStatus, TsRequest};
pub use client::{ClientConfig, ClientOutput, ClientState, CredSspClient};
pub use common::{DEFAULT_MIN_VERSION, MAX_SUPPORTED_VERSION, MIN_SUPPORTED_VERSION};
pub use credentials::{
    Credentials, CspDataDetail, PasswordCreds, RemoteGuardCreds, RemoteGuardPackageCred,
    SecretString, SmartCardCreds,
};
pub use error::{Error, ErrorKind, Origin};
pub use policy::SpnAllowList;
pub use public_key::{KeyAlgorithm, ServerPublicKey};
pub use server::{CredSspServer, Delegation, ServerConfig, ServerOutput, ServerState};

/// The framing hint for a stream of TSRequests: `None` while the DER header
/// is incomplete (read more), `Some(Ok(n))` once the next TSRequest's total
/// length `n` is known (read until `n` bytes are buffered; no 64 KiB cap,
/// up to [`asn1_types::DEFAULT_MAX_FRAME_LEN`]), `Some(Err(_))` when the
/// stream does not start with a DER SEQUENCE header.
pub fn frame_len(buf: &[u8]) -> Option<Result<usize, Error>> {
    TsRequest::frame_len(buf).map(|r| r.map_err(Error::decode))
}
