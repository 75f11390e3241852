//! Zero-copy codec for the [MS-GRVSSTPS] 2.2 security messages and the
//! Groove SSTP commands that carry them.
//!
//! Core tier: no IO, no clock, no randomness, no other workspace crate.
//! Decoding borrows from the input (`&'a [u8]`): the only allocations are the
//! `Vec`s of borrowed URL strings in the few list fields. Every rule of
//! [MS-GRVSSTPS] 2.2 is checked on decode and refused on encode, with an
//! [`Error`] naming the message, its section, the field and the byte offset.
//! Decoding then re-encoding gives back the same bytes.
//!
//! * **Framing** — [`frame_len`] (how long the next command is),
//!   [`CommandStream`] (commands of a buffer, one after another),
//!   [`Command`] (one command: Connect … OpenResponse, or `Unknown`).
//! * **Tokens** — [`SecurityToken::parse`] with the [`Carrier`] that brought
//!   the token: device-layer and account-layer message IDs overlap, so the
//!   carrier decides ([MS-GRVSSTPS] 3.1.3). Every message type also has its
//!   own `parse`/`serialize_into`/`to_vec`.
//! * **Describing** — [`Describe`] gives any decoded value as a [`Node`] of
//!   named [`Value`]s in wire order, for printers (the `sstp` CLI renders
//!   them as trees and JSON).
//! * **Constants** — [`consts`] holds every ID and size, and is the only
//!   place for the layouts that are INFERRED rather than published.
//!
//! ```
//! use sstp_wire::{Command, CommandStream, SecurityToken};
//!
//! // [MS-GRVSSTPS] §4.1.8: AttachAuthenticate carrying SecAttachAuthenticate.
//! let mut bytes = vec![0x0a, 0x40, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x37, 0x00, 0x01, 0x04, 0x03];
//! bytes.extend([0x18, 0x00]);
//! bytes.extend([0xaa; 24]);
//! bytes.extend([0x18, 0x00]);
//! bytes.extend([0xbb; 24]);
//!
//! let cmd = CommandStream::new(&bytes).next().unwrap().unwrap();
//! let Command::AttachAuthenticate(aa) = &cmd else { unreachable!() };
//! assert_eq!(aa.event_id, 11);
//! let Some(Ok(SecurityToken::SecAttachAuthenticate(token))) = cmd.security_token() else {
//!     unreachable!()
//! };
//! assert_eq!(token.relay_device_nonce, &[0xbb; 24]);
//! assert_eq!(cmd.to_vec().unwrap(), bytes);
//! ```
#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod ansi;
mod codec;
mod command;
pub mod consts;
mod describe;
mod error;
mod sec;

/// The README's examples are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use ansi::AnsiStr;
pub use codec::Nonce;
pub use command::{
    Attach, AttachAuthenticate, AttachResponse, AttachResponseId, Close, CloseReason, Command,
    CommandStream, Connect, ConnectAuthenticate, ConnectClose, ConnectResponse,
    ConnectResponseFields, ConnectResponseFlags, ConnectResponseId, ConnectResponseTrailer,
    DecodeOptions, Noop, Open, OpenResponse, OpenResponseId, Register, RegisterResponse, frame_len,
};
pub use describe::{Describe, Field, Node, Value, command_name};
pub use error::{Error, ErrorKind, Origin};
pub use sec::{
    AccountLayerMessage, Carrier, IdentityLists, Layer, MinorVersion, PublicKeysObject,
    SecAccountOnNewDevice, SecAccountRegister, SecAccountRegisterResponse, SecAttach,
    SecAttachAuthenticate, SecAttachResponse, SecAttachResponseAccountRegistrationNeeded,
    SecAttachResponseAuthenticationFailed, SecAttachResponseNewDeviceRegistrationNeeded,
    SecConnect, SecConnectAuthenticate, SecConnectResponse, SecConnectResponseAuthenticationFailed,
    SecConnectResponseDeviceRegistrationNeeded, SecDeviceAccountRegister,
    SecDeviceAccountRegisterResponse, SecIdentityRegister, SecurityToken,
};
