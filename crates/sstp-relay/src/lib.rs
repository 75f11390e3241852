//! IO glue around the [MS-GRVSSTPS] engines of `sstp-security-core`: the
//! relay daemon (tokio TCP server, one `RelayEngine` per connection,
//! [`server`]), the relay's records in redb ([`store`], 3.3.1), the relay
//! certificate and key files ([`files`]), the daemon's settings
//! ([`config`]), and an async driver for the client engine ([`client`]).
//!
//! Adapter tier: no protocol logic lives here. The engines decide every
//! answer; this crate frames the byte stream, keeps time, supplies OS
//! randomness, persists records and enforces resource limits.

pub mod client;
pub mod config;
pub mod files;
pub mod server;
pub mod store;

pub use config::{Config, Limits};
pub use server::{Relay, serve, shutdown_signal};
pub use store::{RedbStore, StoreError};
