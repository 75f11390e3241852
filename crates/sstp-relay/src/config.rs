//! `relay.toml`: the daemon's settings. Every key is optional; command-line
//! flags override the file.
//!
//! ```toml
//! listen = "0.0.0.0:2492"
//! max_connections = 1024       # more are refused with ConnectClose Resting
//! idle_timeout_secs = 300      # no command (a Noop counts): ConnectClose Idle
//! read_deadline_secs = 30      # a started command not complete: ConnectClose ProtocolError
//! write_timeout_secs = 30      # a peer that does not read: dropped
//! max_command_len = 65535      # larger CommandLength: ConnectClose ProtocolError
//! resting_return_secs = 60     # ReturnTime of ConnectClose Resting
//! groove_server_compat = false # product notes <10>-<13> (RelayOptions::groove_server)
//! ```

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;
use sstp_security_core::relay::RelayOptions;

/// The file's contents.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Concurrent connections.
    pub max_connections: usize,
    /// Seconds without a command before the relay closes the connection.
    pub idle_timeout_secs: u64,
    /// Seconds a started command may take to arrive completely.
    pub read_deadline_secs: u64,
    /// Seconds a write may block.
    pub write_timeout_secs: u64,
    /// Largest accepted CommandLength.
    pub max_command_len: usize,
    /// ReturnTime sent with ConnectClose Resting.
    pub resting_return_secs: u32,
    /// Behave like the shipped Groove Server (notes <10>–<13>).
    pub groove_server_compat: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "0.0.0.0:2492".into(),
            max_connections: 1024,
            idle_timeout_secs: 300,
            read_deadline_secs: 30,
            write_timeout_secs: 30,
            max_command_len: sstp_wire::consts::MAX_COMMAND_LEN,
            resting_return_secs: 60,
            groove_server_compat: false,
        }
    }
}

impl Config {
    /// Reads a TOML file.
    ///
    /// # Errors
    /// The file cannot be read or parsed.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parse {}", path.display()))
    }

    /// The connection limits.
    pub fn limits(&self) -> Limits {
        Limits {
            max_connections: self.max_connections.max(1),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs.max(1)),
            read_deadline: Duration::from_secs(self.read_deadline_secs.max(1)),
            write_timeout: Duration::from_secs(self.write_timeout_secs.max(1)),
            max_command_len: self.max_command_len.clamp(
                sstp_wire::consts::COMMAND_HEADER_LEN,
                sstp_wire::consts::MAX_COMMAND_LEN,
            ),
            resting_return_secs: self.resting_return_secs,
        }
    }

    /// The engine options.
    pub fn relay_options(&self) -> RelayOptions {
        if self.groove_server_compat {
            RelayOptions::groove_server()
        } else {
            RelayOptions::default()
        }
    }
}

/// Per-connection resource limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Concurrent connections.
    pub max_connections: usize,
    /// Time without a command.
    pub idle_timeout: Duration,
    /// Time for one command to arrive once started.
    pub read_deadline: Duration,
    /// Time one write may block.
    pub write_timeout: Duration,
    /// Largest CommandLength.
    pub max_command_len: usize,
    /// ReturnTime of ConnectClose Resting.
    pub resting_return_secs: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Config::default().limits()
    }
}
