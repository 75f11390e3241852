//! Sans-IO client and relay-server engines of [MS-GRVSSTPS] 3 (Groove SSTP
//! Security): relay certificate and keys ([`cert`], [`keys`]), the client
//! engine ([`client`], 3.2), the relay engine ([`relay`], 3.3) and the
//! relay's records behind [`store::RelayStore`] (3.3.1).
//!
//! Core tier: no IO, no clock, no OS randomness. Time and randomness are
//! arguments; stores are traits. See the README for how to drive it.
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
pub mod cert;
pub mod client;
mod cmd;
mod error;
pub mod keys;
pub mod proto;
pub mod relay;
pub mod store;
pub use error::{Error, ErrorKind, Origin};
