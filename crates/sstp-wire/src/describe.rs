//! A generic, dependency-free description of every decoded value, for
//! tools that print them (trees, JSON) without a match per type.
//!
//! [`Describe::describe`] turns a command, a security token, a nested
//! account-layer message or a public keys object into a [`Node`]: the
//! structure's name and specification section, and its fields **in wire
//! order, every wire field included** (length and count fields too), named as
//! in the specification (`CommandId`, `CommandLength`, `MajorVersionNumber`,
//! `MessageID`, `IVLength`, ...). The [`Value`]s borrow from the decoded
//! input, like the decoded types themselves.
//!
//! Because every field is listed with its wire width, a node knows its own
//! size ([`Node::wire_len`]), and a printer can give each field its byte
//! offset by adding up the widths of the fields before it. For a decoded
//! value, `wire_len` equals the bytes it was decoded from (the crate's tests
//! and the `sstp_describe` fuzz target check this).
//!
//! Length and count fields are computed from the value, which for decoded
//! values is what was received, with one exception kept on purpose: a
//! Register decoded with
//! [`DecodeOptions::tolerate_register_token_overrun`](crate::DecodeOptions::tolerate_register_token_overrun)
//! shows the declared `RegistrationTokenLength`, not the token's length. For
//! values built by a caller that could not be encoded (a list of more than 255
//! URLs, a token above 65535 bytes), length fields saturate.
//!
//! The wire format carries no plaintext secret (see the README), so a node
//! holds nothing that must not be printed.
//!
//! ```
//! use sstp_wire::{Command, Describe, Value};
//!
//! // [MS-GRVSSTPS] §4.1.9: Close of session 11, no reason.
//! let bytes = [0x11, 0x08, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00];
//! let node = Command::parse(&bytes).unwrap().describe();
//! assert_eq!(node.name, "Close");
//! assert_eq!(node.field("CommandLength"), Some(&Value::U16(8)));
//! assert_eq!(node.field("SessionId"), Some(&Value::U32(11)));
//! assert_eq!(
//!     node.field("ReasonId"),
//!     Some(&Value::Enum { value: 0, name: Some("NoReason") })
//! );
//! assert_eq!(node.wire_len(), bytes.len());
//! ```

use crate::ansi::AnsiStr;
use crate::codec::Nonce;
use crate::command::{
    Attach, AttachAuthenticate, AttachResponse, Close, Command, Connect, ConnectAuthenticate,
    ConnectClose, ConnectResponse, ConnectResponseFields, ConnectResponseFlags,
    ConnectResponseTrailer, FRAMING, Noop, Open, OpenResponse, Register, RegisterResponse,
};
use crate::consts::{
    CMD_ATTACH, CMD_ATTACH_AUTHENTICATE, CMD_ATTACH_RESPONSE, CMD_CLOSE, CMD_CONNECT,
    CMD_CONNECT_AUTHENTICATE, CMD_CONNECT_CLOSE, CMD_CONNECT_RESPONSE, CMD_DATA, CMD_END_MESSAGE,
    CMD_FANOUT_OPEN, CMD_MESSAGE, CMD_NOOP, CMD_OPEN, CMD_OPEN_RESPONSE, CMD_REGISTER,
    CMD_REGISTER_RESPONSE, CMD_SESSION_STATUS, CONNECT_CLOSE_MESSAGE_COUNT_OFFSET,
    CONNECT_CLOSE_REASON_OFFSET, CONNECT_CLOSE_RETURN_TIME_OFFSET, SEC_MAJOR_VERSION,
};
use crate::error::{Error, Spec};
use crate::sec::{
    AccountLayerMessage, Carrier, IdentityLists, MinorVersion, PublicKeysObject,
    SecAccountOnNewDevice, SecAccountRegister, SecAccountRegisterResponse, SecAttach,
    SecAttachAuthenticate, SecAttachResponse, SecAttachResponseAccountRegistrationNeeded,
    SecAttachResponseAuthenticationFailed, SecAttachResponseNewDeviceRegistrationNeeded,
    SecConnect, SecConnectAuthenticate, SecConnectResponse, SecConnectResponseAuthenticationFailed,
    SecConnectResponseDeviceRegistrationNeeded, SecDeviceAccountRegister,
    SecDeviceAccountRegisterResponse, SecIdentityRegister, SecurityToken, each_token,
};

/// A value that can describe itself as a [`Node`].
///
/// The lifetime is the input's: a node outlives the value it was made from,
/// so a token decoded on the fly can be nested into its command's node
/// ([`Command::describe_with_token`]).
pub trait Describe<'a> {
    /// The value's name, section and fields in wire order.
    fn describe(&self) -> Node<'a>;
}

/// One structure: its name, its specification section and its fields in wire
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<'a> {
    /// The structure's name, e.g. `"RegisterResponse"`, `"SecConnect"`.
    pub name: &'static str,
    /// Its specification section, e.g. `"[MS-GRVSSTPS] 2.2.1"`.
    pub section: &'static str,
    /// Its fields, in wire order.
    pub fields: Vec<Field<'a>>,
}

/// One field of a [`Node`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The field's name as in the specification, e.g. `"IVLength"`.
    pub name: &'static str,
    /// Its value.
    pub value: Value<'a>,
}

/// A field's value. Each variant has a fixed wire width or knows it
/// ([`Value::wire_len`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// A 1-byte unsigned integer.
    U8(u8),
    /// A 2-byte little-endian unsigned integer.
    U16(u16),
    /// A 4-byte little-endian unsigned integer.
    U32(u32),
    /// A 4-byte little-endian count of seconds since 1970-01-01 00:00 UTC
    /// (the `Timestamp` fields of [MS-GRVSSTPS] 2.2).
    Timestamp(u32),
    /// Opaque bytes (IVs, HMACs, encrypted nonces and keys, signatures, DER
    /// public keys, undecoded command bodies).
    Bytes(&'a [u8]),
    /// A null-terminated ANSI string (the terminator is not part of the
    /// value, but counts in the wire width).
    Ansi(AnsiStr<'a>),
    /// A 1-byte code with its name; `None` for a value without a known name.
    Enum {
        /// The byte on the wire.
        value: u8,
        /// Its name, e.g. `"Register"`, `"AwaitingRegister"`.
        name: Option<&'static str>,
    },
    /// A 1-byte set of flags with the names of the known bits that are set.
    Flags {
        /// The byte on the wire.
        value: u8,
        /// The names of the known bits set, lowest bit first.
        names: &'static [&'static str],
    },
    /// A sequence of values that follow each other with nothing in between
    /// (its count, if any, is a field of its own).
    List(Vec<Value<'a>>),
    /// A nested structure.
    Node(Node<'a>),
}

impl<'a> Node<'a> {
    /// A node without fields.
    pub const fn new(name: &'static str, section: &'static str) -> Self {
        Self {
            name,
            section,
            fields: Vec::new(),
        }
    }

    fn of(spec: Spec) -> Self {
        Self::new(spec.name, spec.section)
    }

    /// Appends a field.
    pub fn push(&mut self, name: &'static str, value: Value<'a>) {
        self.fields.push(Field { name, value });
    }

    /// The first field called `name`.
    pub fn field(&self, name: &str) -> Option<&Value<'a>> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| &f.value)
    }

    /// The bytes the structure takes on the wire: the sum of its fields'
    /// widths.
    pub fn wire_len(&self) -> usize {
        self.fields.iter().map(|f| f.value.wire_len()).sum()
    }

    /// A u16 length field for `bytes`, then `bytes`.
    fn bytes16(&mut self, len_name: &'static str, name: &'static str, bytes: &'a [u8]) {
        self.push(len_name, len16(bytes.len()));
        self.push(name, Value::Bytes(bytes));
    }

    /// A u32 length field for `bytes`, then `bytes`.
    fn bytes32(&mut self, len_name: &'static str, name: &'static str, bytes: &'a [u8]) {
        self.push(
            len_name,
            Value::U32(u32::try_from(bytes.len()).unwrap_or(u32::MAX)),
        );
        self.push(name, Value::Bytes(bytes));
    }

    /// A u16 length field for a nested structure, then the structure.
    fn nested16(&mut self, len_name: &'static str, name: &'static str, node: Node<'a>) {
        self.push(len_name, len16(node.wire_len()));
        self.push(name, Value::Node(node));
    }

    fn nonce(&mut self, len_name: &'static str, name: &'static str, nonce: Nonce<'a>) {
        self.bytes16(len_name, name, nonce);
    }

    fn ansi(&mut self, name: &'static str, s: AnsiStr<'a>) {
        self.push(name, Value::Ansi(s));
    }

    /// A u8 count field, then the strings as one list.
    fn ansi_list(&mut self, count_name: &'static str, name: &'static str, list: &[AnsiStr<'a>]) {
        self.push(
            count_name,
            Value::U8(u8::try_from(list.len()).unwrap_or(u8::MAX)),
        );
        self.push(
            name,
            Value::List(list.iter().map(|s| Value::Ansi(*s)).collect()),
        );
    }
}

impl Value<'_> {
    /// The bytes the value takes on the wire.
    pub fn wire_len(&self) -> usize {
        match self {
            Self::U8(_) | Self::Enum { .. } | Self::Flags { .. } => 1,
            Self::U16(_) => 2,
            Self::U32(_) | Self::Timestamp(_) => 4,
            Self::Bytes(b) => b.len(),
            Self::Ansi(s) => s.wire_len(),
            Self::List(items) => items.iter().map(Value::wire_len).sum(),
            Self::Node(node) => node.wire_len(),
        }
    }
}

fn len16(n: usize) -> Value<'static> {
    Value::U16(u16::try_from(n).unwrap_or(u16::MAX))
}

/// The name of an SSTP `CommandId`, including the commands this crate frames
/// but does not decode (Message, Data, ...); `None` for an unassigned ID.
///
/// ```
/// assert_eq!(sstp_wire::command_name(0x0c), Some("RegisterResponse"));
/// assert_eq!(sstp_wire::command_name(0x0d), Some("Message"));
/// assert_eq!(sstp_wire::command_name(0x42), None);
/// ```
pub const fn command_name(id: u8) -> Option<&'static str> {
    Some(match id {
        CMD_CONNECT => "Connect",
        CMD_CONNECT_RESPONSE => "ConnectResponse",
        CMD_CONNECT_AUTHENTICATE => "ConnectAuthenticate",
        CMD_CONNECT_CLOSE => "ConnectClose",
        CMD_OPEN => "Open",
        CMD_FANOUT_OPEN => "FanoutOpen",
        CMD_OPEN_RESPONSE => "OpenResponse",
        CMD_ATTACH => "Attach",
        CMD_ATTACH_RESPONSE => "AttachResponse",
        CMD_ATTACH_AUTHENTICATE => "AttachAuthenticate",
        CMD_REGISTER => "Register",
        CMD_REGISTER_RESPONSE => "RegisterResponse",
        CMD_MESSAGE => "Message",
        CMD_DATA => "Data",
        CMD_END_MESSAGE => "EndMessage",
        CMD_NOOP => "Noop",
        CMD_CLOSE => "Close",
        CMD_SESSION_STATUS => "SessionStatus",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// A command node: `CommandId`, `CommandLength` (the node's own size, filled
/// in once `body` has added the other fields), then the body.
fn command_node<'a>(spec: Spec, id: u8, body: impl FnOnce(&mut Node<'a>)) -> Node<'a> {
    let mut node = Node::of(spec);
    node.push(
        "CommandId",
        Value::Enum {
            value: id,
            name: command_name(id),
        },
    );
    node.push("CommandLength", Value::U16(0));
    body(&mut node);
    let total = len16(node.wire_len());
    if let Some(field) = node.fields.get_mut(1) {
        field.value = total;
    }
    node
}

impl<'a> Describe<'a> for Connect<'a> {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("MajorVersion", Value::U8(self.major_version));
            n.push("MinorVersion", Value::U8(self.minor_version));
            n.push("Reserved", Value::U8(self.flags));
            n.ansi("TargetDeviceURL", self.target_device_url);
            n.ansi_list(
                "NumSourceDeviceURLs",
                "SourceDeviceURLs",
                &self.source_device_urls,
            );
            n.bytes16(
                "AuthenticationTokenLength",
                "AuthenticationToken",
                self.authentication_token,
            );
            n.ansi("PeerProductVersion", self.peer_product_version);
            n.ansi("PeerProductCapabilities", self.peer_product_capabilities);
        })
    }
}

fn flags_value(flags: ConnectResponseFlags) -> Value<'static> {
    const NAMES: [&[&str]; 4] = [
        &[],
        &["MultiDrop"],
        &["SingleHop"],
        &["MultiDrop", "SingleHop"],
    ];
    let known = usize::from(flags.multi_drop()) | usize::from(flags.single_hop()) << 1;
    Value::Flags {
        value: flags.0,
        names: NAMES.get(known).copied().unwrap_or_default(),
    }
}

fn push_connect_response_fields<'a>(n: &mut Node<'a>, f: &ConnectResponseFields<'a>) {
    n.push("Flags", flags_value(f.flags));
    n.ansi("PeerProductVersion", f.peer_product_version);
    n.ansi("PeerProductCapabilities", f.peer_product_capabilities);
    n.ansi_list(
        "NumberOfTargetDeviceURLs",
        "TargetDeviceURLs",
        &f.target_device_urls,
    );
    n.push("RedirectMapEntries", Value::U8(f.redirect_map_entries));
    if f.redirect_map_entries != 0 || !f.redirect_map.is_empty() {
        n.push("RedirectMap", Value::Bytes(f.redirect_map));
    }
}

impl<'a> Describe<'a> for ConnectResponseFields<'a> {
    fn describe(&self) -> Node<'a> {
        let mut n = Node::of(crate::command::FIELDS);
        push_connect_response_fields(&mut n, self);
        n
    }
}

impl<'a> Describe<'a> for ConnectResponse<'a> {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("MajorVersion", Value::U8(self.major_version));
            n.push("MinorVersion", Value::U8(self.minor_version));
            n.push(
                "ResponseId",
                Value::Enum {
                    value: self.response_id.to_u8(),
                    name: self.response_id.name(),
                },
            );
            n.bytes16(
                "AuthenticationTokenLength",
                "AuthenticationToken",
                self.authentication_token,
            );
            match &self.trailer {
                ConnectResponseTrailer::Fields(f) => push_connect_response_fields(n, f),
                // INFERRED: where RetryTime sits is unknown; see consts.
                ConnectResponseTrailer::Opaque(bytes) => {
                    n.push("OpaqueAfterToken", Value::Bytes(bytes));
                }
            }
        })
    }
}

impl<'a> Describe<'a> for ConnectAuthenticate<'a> {
    fn describe(&self) -> Node<'a> {
        // The INFERRED layout puts nothing between the header and the token
        // length (CONNECT_AUTHENTICATE_TOKEN_LENGTH_OFFSET is 3); the decoder
        // keeps no bytes from there, so there is nothing to describe. The
        // wire_len tests catch a change of that constant.
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.bytes16(
                "AuthenticationTokenLength",
                "AuthenticationToken",
                self.authentication_token,
            );
        })
    }
}

impl<'a> Describe<'a> for ConnectClose {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            // INFERRED offsets (consts): listed in offset order, whatever it is.
            let mut fields = [
                (
                    CONNECT_CLOSE_REASON_OFFSET,
                    "ReasonId",
                    Value::Enum {
                        value: self.reason.to_u8(),
                        name: self.reason.name(),
                    },
                ),
                (
                    CONNECT_CLOSE_RETURN_TIME_OFFSET,
                    "ReturnTime",
                    Value::U32(self.return_time),
                ),
                (
                    CONNECT_CLOSE_MESSAGE_COUNT_OFFSET,
                    "MessageCount",
                    Value::U32(self.message_count),
                ),
            ];
            fields.sort_by_key(|(offset, _, _)| *offset);
            for (_, name, value) in fields {
                n.push(name, value);
            }
        })
    }
}

impl<'a> Describe<'a> for Open<'a> {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("SessionId", Value::U32(self.session_id));
            n.ansi("ResourceURL", self.resource_url);
            n.ansi("IdentityURL", self.identity_url);
            n.ansi("DeviceURL", self.device_url);
            n.push("Flags", Value::U8(self.flags));
            n.push("Reserved", Value::U16(self.reserved));
        })
    }
}

impl<'a> Describe<'a> for OpenResponse {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("SessionId", Value::U32(self.session_id));
            n.push(
                "ResponseId",
                Value::Enum {
                    value: self.response_id.to_u8(),
                    name: self.response_id.name(),
                },
            );
        })
    }
}

impl<'a> Describe<'a> for Attach<'a> {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("EventId", Value::U32(self.event_id));
            n.ansi("ResourceURL", self.resource_url);
            n.ansi("AccountURL", self.account_url);
            n.bytes16(
                "AuthenticationTokenLength",
                "AuthenticationToken",
                self.authentication_token,
            );
        })
    }
}

impl<'a> Describe<'a> for AttachResponse<'a> {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("EventId", Value::U32(self.event_id));
            n.push(
                "ResponseId",
                Value::Enum {
                    value: self.response_id.to_u8(),
                    name: self.response_id.name(),
                },
            );
            n.bytes16(
                "AuthenticationTokenLength",
                "AuthenticationToken",
                self.authentication_token,
            );
        })
    }
}

impl<'a> Describe<'a> for AttachAuthenticate<'a> {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("EventId", Value::U32(self.event_id));
            n.bytes16(
                "AuthenticationTokenLength",
                "AuthenticationToken",
                self.authentication_token,
            );
        })
    }
}

impl<'a> Describe<'a> for Register<'a> {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("EventId", Value::U32(self.event_id));
            match self.declared_token_length {
                // Tolerated overrun: show what the peer declared.
                Some(declared) => {
                    n.push("RegistrationTokenLength", Value::U16(declared));
                    n.push("RegistrationToken", Value::Bytes(self.registration_token));
                }
                None => n.bytes16(
                    "RegistrationTokenLength",
                    "RegistrationToken",
                    self.registration_token,
                ),
            }
        })
    }
}

impl<'a> Describe<'a> for RegisterResponse<'a> {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("EventId", Value::U32(self.event_id));
            // INFERRED: `None` is the 7-byte form without a length field.
            if let Some(token) = self.registration_token {
                n.bytes16("RegistrationTokenLength", "RegistrationToken", token);
            }
        })
    }
}

impl<'a> Describe<'a> for Close {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("SessionId", Value::U32(self.session_id));
            n.push(
                "ReasonId",
                Value::Enum {
                    value: self.reason.to_u8(),
                    name: self.reason.name(),
                },
            );
        })
    }
}

impl<'a> Describe<'a> for Noop {
    fn describe(&self) -> Node<'a> {
        command_node(Self::SPEC, Self::COMMAND_ID, |n| {
            n.push("MessageCount", Value::U32(self.message_count));
        })
    }
}

impl<'a> Describe<'a> for Command<'a> {
    /// The command's fields; a security token stays raw bytes (see
    /// [`Command::describe_with_token`]).
    fn describe(&self) -> Node<'a> {
        match self {
            Self::Connect(c) => c.describe(),
            Self::ConnectResponse(c) => c.describe(),
            Self::ConnectAuthenticate(c) => c.describe(),
            Self::ConnectClose(c) => c.describe(),
            Self::Open(c) => c.describe(),
            Self::OpenResponse(c) => c.describe(),
            Self::Attach(c) => c.describe(),
            Self::AttachResponse(c) => c.describe(),
            Self::AttachAuthenticate(c) => c.describe(),
            Self::Register(c) => c.describe(),
            Self::RegisterResponse(c) => c.describe(),
            Self::Noop(c) => c.describe(),
            Self::Close(c) => c.describe(),
            Self::Unknown { id, body } => {
                let name = command_name(*id).unwrap_or("Unknown");
                command_node(Spec::new(name, FRAMING.section), *id, |n| {
                    n.push("Body", Value::Bytes(body));
                })
            }
        }
    }
}

impl<'a> Command<'a> {
    /// [`Describe::describe`], with the security token decoded through its
    /// carrier and nested in place of its bytes (the `AuthenticationToken` or
    /// `RegistrationToken` field becomes a [`Value::Node`]). A command
    /// without a token describes as with `describe`.
    ///
    /// Fails when the token does not decode, with the error of
    /// [`Command::security_token`] (offsets from the start of the command).
    pub fn describe_with_token(&self) -> Result<Node<'a>, Error> {
        let mut node = self.describe();
        let Some((carrier, _, _)) = self.token() else {
            return Ok(node);
        };
        let Some(token) = self.security_token() else {
            return Ok(node);
        };
        let token = token?.describe();
        let name = match carrier {
            Carrier::Register | Carrier::RegisterResponse => "RegistrationToken",
            _ => "AuthenticationToken",
        };
        if let Some(field) = node.fields.iter_mut().find(|f| f.name == name) {
            field.value = Value::Node(token);
        }
        Ok(node)
    }
}

// ---------------------------------------------------------------------------
// Security messages
// ---------------------------------------------------------------------------

/// A message node with its 3-byte header.
fn message_node<'a>(spec: Spec, id: u8, minor: MinorVersion) -> Node<'a> {
    let mut n = Node::of(spec);
    n.push("MajorVersionNumber", Value::U8(SEC_MAJOR_VERSION));
    n.push("MinorVersionNumber", Value::U8(minor.to_u8()));
    n.push(
        "MessageID",
        Value::Enum {
            value: id,
            name: Some(spec.name),
        },
    );
    n
}

/// Implements `Describe` for a message type: header, then `$body`.
macro_rules! describe_message {
    ($ty:ident $(<$lt:lifetime>)?, |$m:ident, $n:ident| $body:block) => {
        impl<'a> Describe<'a> for $ty $(<$lt>)? {
            fn describe(&self) -> Node<'a> {
                let $m = self;
                #[allow(unused_mut)]
                let mut $n = message_node(Self::SPEC, Self::MESSAGE_ID, $m.minor_version);
                $body
                $n
            }
        }
    };
}

describe_message!(SecConnect<'a>, |m, n| {
    n.nonce("IVLength", "IV", m.iv);
    n.bytes16("HMACLength", "HMAC", m.hmac);
    n.nonce(
        "EncryptedDeviceNonceLength",
        "EncryptedDeviceNonce",
        m.encrypted_device_nonce,
    );
});

describe_message!(SecConnectResponse<'a>, |m, n| {
    n.nonce("IVLength", "IV", m.iv);
    n.bytes16("HMACLength", "HMAC", m.hmac);
    n.nonce("DeviceNonceLength", "DeviceNonce", m.device_nonce);
    n.nonce(
        "EncryptedRelayNonceLength",
        "EncryptedRelayNonce",
        m.encrypted_relay_nonce,
    );
});

describe_message!(SecConnectResponseDeviceRegistrationNeeded, |m, n| {});
describe_message!(SecConnectResponseAuthenticationFailed, |m, n| {});

describe_message!(SecConnectAuthenticate<'a>, |m, n| {
    n.nonce("RelayNonceLength", "RelayNonce", m.relay_nonce);
});

describe_message!(SecDeviceAccountRegister<'a>, |m, n| {
    n.push("Timestamp", Value::Timestamp(m.timestamp));
    n.ansi("AccountURL", m.account_url);
    n.bytes16("FingerprintLength", "Fingerprint", m.fingerprint);
    n.bytes16(
        "EncryptedRelayDeviceKeyLength",
        "EncryptedRelayDeviceKey",
        m.encrypted_relay_device_key,
    );
    n.nested16(
        "AccountLayerMessageLength",
        "AccountLayerMessage",
        m.account_layer_message.describe(),
    );
    n.push("Reserved1", Value::U16(m.reserved1));
    n.push("Reserved2", Value::U8(m.reserved2));
    n.bytes16("SignatureLength", "Signature", m.signature);
    n.nested16(
        "DevicePublicKeysObjectLength",
        "DevicePublicKeysObject",
        m.device_public_keys_object.describe(),
    );
    n.nonce("IVLength", "IV", m.iv);
    n.nonce(
        "EncryptedDeviceNonceLength",
        "EncryptedDeviceNonce",
        m.encrypted_device_nonce,
    );
});

describe_message!(SecDeviceAccountRegisterResponse<'a>, |m, n| {
    n.nested16(
        "AccountLayerMessageLength",
        "AccountLayerMessage",
        m.account_layer_message.describe(),
    );
    n.push("Reserved", Value::U8(m.reserved));
    n.nonce("IVLength", "IV", m.iv);
    n.bytes16("HMACLength", "HMAC", m.hmac);
    n.nonce("DeviceNonceLength", "DeviceNonce", m.device_nonce);
    n.nonce(
        "EncryptedRelayNonceLength",
        "EncryptedRelayNonce",
        m.encrypted_relay_nonce,
    );
});

describe_message!(SecAttach<'a>, |m, n| {
    n.nonce("IVLength", "IV", m.iv);
    n.bytes16("HMACLength", "HMAC", m.hmac);
    n.nonce(
        "EncryptedAccountNonceLength",
        "EncryptedAccountNonce",
        m.encrypted_account_nonce,
    );
});

describe_message!(SecAttachResponse<'a>, |m, n| {
    n.nonce("IVLength", "IV", m.iv);
    n.bytes16("HMACLength", "HMAC", m.hmac);
    n.nonce("AccountNonceLength", "AccountNonce", m.account_nonce);
    n.nonce(
        "EncryptedRelayNonceLength",
        "EncryptedRelayNonce",
        m.encrypted_relay_nonce,
    );
});

describe_message!(SecAttachResponseAccountRegistrationNeeded, |m, n| {});
describe_message!(SecAttachResponseNewDeviceRegistrationNeeded, |m, n| {});
describe_message!(SecAttachResponseAuthenticationFailed, |m, n| {});

describe_message!(SecAttachAuthenticate<'a>, |m, n| {
    n.nonce(
        "RelayAccountNonceLength",
        "RelayAccountNonce",
        m.relay_account_nonce,
    );
    n.nonce(
        "RelayDeviceNonceLength",
        "RelayDeviceNonce",
        m.relay_device_nonce,
    );
});

describe_message!(SecAccountRegister<'a>, |m, n| {
    n.bytes16(
        "EncryptedRelayAccountKeyLength",
        "EncryptedRelayAccountKey",
        m.encrypted_relay_account_key,
    );
    n.bytes16("SignatureLength", "Signature", m.signature);
    n.nested16(
        "AccountPublicKeysObjectLength",
        "AccountPublicKeysObject",
        m.account_public_keys_object.describe(),
    );
    n.push("Reserved1", Value::U16(m.reserved1));
    n.push("Reserved2", Value::U8(m.reserved2));
    n.ansi("UserPreAuthToken", m.user_pre_auth_token);
});

describe_message!(SecAccountOnNewDevice<'a>, |m, n| {
    n.bytes16("HMACLength", "HMAC", m.hmac);
});

describe_message!(SecAccountRegisterResponse<'a>, |m, n| {
    n.push("Reserved", Value::U8(m.reserved));
    n.push("Timestamp", Value::Timestamp(m.timestamp));
    n.bytes16("HMACLength", "HMAC", m.hmac);
});

describe_message!(SecIdentityRegister<'a>, |m, n| {
    n.push("Timestamp", Value::Timestamp(m.timestamp));
    n.ansi("AccountURL", m.account_url);
    n.bytes16("HMACLength", "HMAC", m.hmac);
    n.push("Reserved", Value::U8(m.reserved));
    n.nested16(
        "IdentityListsLength",
        "IdentityLists",
        m.identity_lists.describe(),
    );
    n.ansi("RelayURL", m.relay_url);
});

impl<'a> Describe<'a> for IdentityLists<'a> {
    fn describe(&self) -> Node<'a> {
        let mut n = Node::of(crate::sec::IDENTITY_LISTS);
        let count = |list: &[AnsiStr<'a>]| Value::U8(u8::try_from(list.len()).unwrap_or(u8::MAX));
        n.push("IdentitiesToAddCount", count(&self.to_add));
        n.push("IdentitiesToRemoveCount", count(&self.to_remove));
        let list =
            |list: &[AnsiStr<'a>]| Value::List(list.iter().map(|s| Value::Ansi(*s)).collect());
        n.push("IdentityURLsToAdd", list(&self.to_add));
        n.push("IdentityURLsToRemove", list(&self.to_remove));
        n
    }
}

impl<'a> Describe<'a> for PublicKeysObject<'a> {
    fn describe(&self) -> Node<'a> {
        let mut n = Node::of(crate::sec::PUBLIC_KEYS_OBJECT);
        n.ansi("SignatureAlgorithmName", self.signature_algorithm_name);
        n.ansi("EncryptionAlgorithmName", self.encryption_algorithm_name);
        n.ansi(
            "SignatureKeyAlgorithmName",
            self.signature_key_algorithm_name,
        );
        n.ansi(
            "EncryptionKeyAlgorithmName",
            self.encryption_key_algorithm_name,
        );
        n.bytes32(
            "SignaturePublicKeyLength",
            "SignaturePublicKey",
            self.signature_public_key,
        );
        n.bytes32(
            "EncryptionPublicKeyLength",
            "EncryptionPublicKey",
            self.encryption_public_key,
        );
        n
    }
}

impl<'a> Describe<'a> for AccountLayerMessage<'a> {
    fn describe(&self) -> Node<'a> {
        match self {
            Self::AccountRegister(m) => m.describe(),
            Self::AccountOnNewDevice(m) => m.describe(),
        }
    }
}

impl<'a> Describe<'a> for SecurityToken<'a> {
    fn describe(&self) -> Node<'a> {
        each_token!(self, m => m.describe())
    }
}
