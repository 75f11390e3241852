//! Session-level commands: Attach, AttachResponse, AttachAuthenticate,
//! Register, RegisterResponse, Open, OpenResponse, Close, Noop.

use crate::DecodeOptions;
use crate::ansi::AnsiStr;
use crate::codec::{Reader, Writer};
use crate::command::command;
use crate::command::values::{AttachResponseId, CloseReason, OpenResponseId};
use crate::consts::{
    CLOSE_LEN, CMD_ATTACH, CMD_ATTACH_AUTHENTICATE, CMD_ATTACH_RESPONSE, CMD_CLOSE, CMD_NOOP,
    CMD_OPEN, CMD_OPEN_RESPONSE, CMD_REGISTER, CMD_REGISTER_RESPONSE, COMMAND_HEADER_LEN,
    MAX_COMMAND_LEN, MAX_SMALL_COMMAND_LEN, NOOP_LEN, NOOP_MESSAGE_COUNT_OFFSET, OPEN_RESPONSE_LEN,
    REGISTER_RESPONSE_WITHOUT_TOKEN_FIELD_LEN,
};
use crate::error::{Error, ErrorKind};

/// [MS-GRVSSTP] 2.2.14 Attach: opens an Attach session to authenticate an
/// account (reference §3.5, VERIFIED by [MS-GRVSSTPS] §4.1.3). Carries
/// SecAttach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attach<'a> {
    /// EventId: names the Attach session.
    pub event_id: u32,
    /// ResourceURL: the relay URL of the authenticating relay.
    pub resource_url: AnsiStr<'a>,
    /// AccountURL (the §4.1.3 decoder labels it IdentityURL).
    pub account_url: AnsiStr<'a>,
    /// AuthenticationToken (behind AuthenticationTokenLength).
    pub authentication_token: &'a [u8],
}

impl<'a> Attach<'a> {
    fn decode_body(r: &mut Reader<'a>, _: DecodeOptions) -> Result<Self, Error> {
        Ok(Self {
            event_id: r.u32("EventId")?,
            resource_url: r.cstr("ResourceURL")?,
            account_url: r.cstr("AccountURL")?,
            authentication_token: r
                .u16_prefixed("AuthenticationTokenLength", "AuthenticationToken")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.event_id);
        w.cstr(self.resource_url);
        w.cstr(self.account_url);
        w.u16_prefixed("AuthenticationTokenLength", self.authentication_token)
    }

    /// Offset of the token in the encoded command.
    pub fn token_offset(&self) -> usize {
        COMMAND_HEADER_LEN + 4 + self.resource_url.wire_len() + self.account_url.wire_len() + 2
    }
}

command!(
    Attach<'a>,
    "Attach",
    "[MS-GRVSSTP] 2.2.14",
    CMD_ATTACH,
    COMMAND_HEADER_LEN,
    MAX_COMMAND_LEN
);

/// [MS-GRVSSTP] AttachResponse (2.2.15, presumed): the relay's answer in an
/// Attach session (reference §3.6, VERIFIED by [MS-GRVSSTPS] §4.1.4, §4.1.7,
/// §4.2.1). Carries SecAttachResponse or one of its other forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttachResponse<'a> {
    /// EventId of the Attach.
    pub event_id: u32,
    /// ResponseId.
    pub response_id: AttachResponseId,
    /// AuthenticationToken (behind AuthenticationTokenLength).
    pub authentication_token: &'a [u8],
}

impl<'a> AttachResponse<'a> {
    /// Offset of the token in the encoded command.
    pub const TOKEN_OFFSET: usize = COMMAND_HEADER_LEN + 4 + 1 + 2;

    fn decode_body(r: &mut Reader<'a>, _: DecodeOptions) -> Result<Self, Error> {
        Ok(Self {
            event_id: r.u32("EventId")?,
            response_id: AttachResponseId::from_u8(r.u8("ResponseId")?),
            authentication_token: r
                .u16_prefixed("AuthenticationTokenLength", "AuthenticationToken")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.event_id);
        w.u8(self.response_id.to_u8());
        w.u16_prefixed("AuthenticationTokenLength", self.authentication_token)
    }
}

command!(
    AttachResponse<'a>,
    "AttachResponse",
    "[MS-GRVSSTP] 2.2.15 (presumed)",
    CMD_ATTACH_RESPONSE,
    COMMAND_HEADER_LEN,
    MAX_COMMAND_LEN
);

/// [MS-GRVSSTP] AttachAuthenticate (2.2.16, presumed): the client's answer
/// in an Attach session (reference §3.7, VERIFIED by [MS-GRVSSTPS] §4.1.8).
/// Carries SecAttachAuthenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttachAuthenticate<'a> {
    /// EventId of the Attach.
    pub event_id: u32,
    /// AuthenticationToken (behind AuthenticationTokenLength).
    pub authentication_token: &'a [u8],
}

impl<'a> AttachAuthenticate<'a> {
    /// Offset of the token in the encoded command.
    pub const TOKEN_OFFSET: usize = COMMAND_HEADER_LEN + 4 + 2;

    fn decode_body(r: &mut Reader<'a>, _: DecodeOptions) -> Result<Self, Error> {
        Ok(Self {
            event_id: r.u32("EventId")?,
            authentication_token: r
                .u16_prefixed("AuthenticationTokenLength", "AuthenticationToken")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.event_id);
        w.u16_prefixed("AuthenticationTokenLength", self.authentication_token)
    }
}

command!(
    AttachAuthenticate<'a>,
    "AttachAuthenticate",
    "[MS-GRVSSTP] 2.2.16 (presumed)",
    CMD_ATTACH_AUTHENTICATE,
    COMMAND_HEADER_LEN,
    MAX_COMMAND_LEN
);

/// [MS-GRVSSTP] Register (2.2.17, presumed): registration in an Attach or
/// Register session (reference §3.8, VERIFIED by [MS-GRVSSTPS] §4.1.5,
/// §4.1.10). Carries SecDeviceAccountRegister or SecIdentityRegister.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Register<'a> {
    /// EventId: the Attach session's, or a new Register session's.
    pub event_id: u32,
    /// RegistrationToken (behind RegistrationTokenLength).
    pub registration_token: &'a [u8],
    /// `None` normally: RegistrationTokenLength is the token's length.
    /// `Some(n)` only from a decode with
    /// [`DecodeOptions::tolerate_register_token_overrun`] of a command whose
    /// RegistrationTokenLength `n` claimed more bytes than the command holds;
    /// encoding writes `n` back, so the bytes round-trip. Encoding refuses an
    /// `n` smaller than the token.
    pub declared_token_length: Option<u16>,
}

impl<'a> Register<'a> {
    /// Offset of the token in the encoded command.
    pub const TOKEN_OFFSET: usize = COMMAND_HEADER_LEN + 4 + 2;

    /// Decodes exactly one Register with `opts`.
    pub fn parse_with(frame: &'a [u8], opts: DecodeOptions) -> Result<Self, Error> {
        Self::decode_with(frame, opts)
    }

    fn decode_body(r: &mut Reader<'a>, opts: DecodeOptions) -> Result<Self, Error> {
        let event_id = r.u32("EventId")?;
        let len_at = r.offset();
        let declared = r.u16("RegistrationTokenLength")?;
        let available = r.remaining();
        if usize::from(declared) > available && opts.tolerates_register_token_overrun() {
            return Ok(Self {
                event_id,
                registration_token: r.take(available, "RegistrationToken")?,
                declared_token_length: Some(declared),
            });
        }
        Ok(Self {
            event_id,
            registration_token: r.take_declared(
                usize::from(declared),
                "RegistrationTokenLength",
                len_at,
                "RegistrationToken",
            )?,
            declared_token_length: None,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.event_id);
        match self.declared_token_length {
            None => w.u16_prefixed("RegistrationTokenLength", self.registration_token),
            Some(declared) if usize::from(declared) >= self.registration_token.len() => {
                w.u16(declared);
                w.bytes(self.registration_token);
                Ok(())
            }
            Some(declared) => Err(w.err(
                "RegistrationTokenLength",
                ErrorKind::DeclaredLengthTooSmall {
                    declared: usize::from(declared),
                    actual: self.registration_token.len(),
                },
            )),
        }
    }
}

command!(
    Register<'a>,
    "Register",
    "[MS-GRVSSTP] 2.2.17 (presumed)",
    CMD_REGISTER,
    COMMAND_HEADER_LEN,
    MAX_COMMAND_LEN
);

/// [MS-GRVSSTP] RegisterResponse (2.2.18, presumed): the relay's answer to a
/// Register (reference §3.9, VERIFIED by [MS-GRVSSTPS] §4.1.6). Carries
/// SecDeviceAccountRegisterResponse, or nothing after an identity
/// registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegisterResponse<'a> {
    /// EventId of the Register.
    pub event_id: u32,
    /// RegistrationToken. The "no authentication token" form (3.2.5.9) has no
    /// hex in the seed; both readings decode and re-encode as received
    /// (**INFERRED**, see
    /// [`crate::consts::REGISTER_RESPONSE_WITHOUT_TOKEN_FIELD_LEN`]):
    /// `Some(&[])` for a RegistrationTokenLength of 0, `None` for a 7-byte
    /// command without the length field.
    pub registration_token: Option<&'a [u8]>,
}

impl<'a> RegisterResponse<'a> {
    /// Offset of the token in the encoded command.
    pub const TOKEN_OFFSET: usize = COMMAND_HEADER_LEN + 4 + 2;

    fn decode_body(r: &mut Reader<'a>, _: DecodeOptions) -> Result<Self, Error> {
        let event_id = r.u32("EventId")?;
        let registration_token =
            if r.offset() == REGISTER_RESPONSE_WITHOUT_TOKEN_FIELD_LEN && r.remaining() == 0 {
                None
            } else {
                Some(r.u16_prefixed("RegistrationTokenLength", "RegistrationToken")?)
            };
        Ok(Self {
            event_id,
            registration_token,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.event_id);
        match self.registration_token {
            Some(token) => w.u16_prefixed("RegistrationTokenLength", token),
            None => Ok(()),
        }
    }
}

command!(
    RegisterResponse<'a>,
    "RegisterResponse",
    "[MS-GRVSSTP] 2.2.18 (presumed)",
    CMD_REGISTER_RESPONSE,
    COMMAND_HEADER_LEN,
    MAX_COMMAND_LEN
);

/// [MS-GRVSSTP] 2.2.5 Open: opens a data session (reference §3.12, SPEC).
/// At most 2055 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Open<'a> {
    /// SessionId.
    pub session_id: u32,
    /// ResourceURL.
    pub resource_url: AnsiStr<'a>,
    /// IdentityURL.
    pub identity_url: AnsiStr<'a>,
    /// DeviceURL (empty for identity-targeted sessions).
    pub device_url: AnsiStr<'a>,
    /// Flags: seven reserved bits and bit 0x01 (I, unused). Kept as received.
    pub flags: u8,
    /// Reserved (u16, sent as 0). Kept as received.
    pub reserved: u16,
}

impl<'a> Open<'a> {
    fn decode_body(r: &mut Reader<'a>, _: DecodeOptions) -> Result<Self, Error> {
        Ok(Self {
            session_id: r.u32("SessionId")?,
            resource_url: r.cstr("ResourceURL")?,
            identity_url: r.cstr("IdentityURL")?,
            device_url: r.cstr("DeviceURL")?,
            flags: r.u8("Flags")?,
            reserved: r.u16("Reserved")?,
        })
    }

    #[allow(clippy::unnecessary_wraps)]
    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.session_id);
        w.cstr(self.resource_url);
        w.cstr(self.identity_url);
        w.cstr(self.device_url);
        w.u8(self.flags);
        w.u16(self.reserved);
        Ok(())
    }
}

command!(
    Open<'a>,
    "Open",
    "[MS-GRVSSTP] 2.2.5",
    CMD_OPEN,
    COMMAND_HEADER_LEN,
    MAX_SMALL_COMMAND_LEN
);

/// [MS-GRVSSTP] OpenResponse (2.2.7, presumed): `SessionId u32 |
/// ResponseId u8`, 8 bytes (reference §3.12, VERIFIED by the one
/// OpenResponse in [MS-GRVSSTPS] §4.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenResponse {
    /// SessionId of the Open.
    pub session_id: u32,
    /// ResponseId.
    pub response_id: OpenResponseId,
}

impl OpenResponse {
    fn decode_body(r: &mut Reader<'_>, _: DecodeOptions) -> Result<Self, Error> {
        Ok(Self {
            session_id: r.u32("SessionId")?,
            response_id: OpenResponseId::from_u8(r.u8("ResponseId")?),
        })
    }

    #[allow(clippy::unnecessary_wraps)]
    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.session_id);
        w.u8(self.response_id.to_u8());
        Ok(())
    }
}

command!(
    OpenResponse,
    "OpenResponse",
    "[MS-GRVSSTP] 2.2.7 (presumed)",
    CMD_OPEN_RESPONSE,
    OPEN_RESPONSE_LEN,
    OPEN_RESPONSE_LEN
);

/// [MS-GRVSSTP] 2.2.9 Close: ends one session; exactly 8 bytes (reference
/// §3.10, SPEC + VERIFIED by [MS-GRVSSTPS] §4.1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Close {
    /// SessionId (for the security flows: the Attach/Register EventId).
    pub session_id: u32,
    /// ReasonId.
    pub reason: CloseReason,
}

impl Close {
    fn decode_body(r: &mut Reader<'_>, _: DecodeOptions) -> Result<Self, Error> {
        Ok(Self {
            session_id: r.u32("SessionId")?,
            reason: CloseReason::from_u8(r.u8("ReasonId")?),
        })
    }

    #[allow(clippy::unnecessary_wraps)]
    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.session_id);
        w.u8(self.reason.to_u8());
        Ok(())
    }
}

command!(
    Close,
    "Close",
    "[MS-GRVSSTP] 2.2.9",
    CMD_CLOSE,
    CLOSE_LEN,
    CLOSE_LEN
);

/// [MS-GRVSSTP] 2.2.13 Noop: keep-alive and connection-level
/// acknowledgement.
///
/// **INFERRED** ID and layout `Id | Length | MessageCount u32`, 7 bytes
/// (see [`crate::consts::CMD_NOOP`] and [`crate::consts::NOOP_LEN`]); the
/// §4.1.6 annotation "NOOP: # Of Messages Acked: 0x3" shows the field, not
/// the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Noop {
    /// MessageCount: inbound message sequences processed.
    pub message_count: u32,
}

impl Noop {
    fn decode_body(r: &mut Reader<'_>, _: DecodeOptions) -> Result<Self, Error> {
        let message_count = r.at(NOOP_MESSAGE_COUNT_OFFSET).u32("MessageCount")?;
        r.take(r.remaining(), "(fields)")?;
        Ok(Self { message_count })
    }

    #[allow(clippy::unnecessary_wraps)]
    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut body = [0u8; NOOP_LEN - COMMAND_HEADER_LEN];
        let at = NOOP_MESSAGE_COUNT_OFFSET - COMMAND_HEADER_LEN;
        if let Some(slot) = body.get_mut(at..at + 4) {
            slot.copy_from_slice(&self.message_count.to_le_bytes());
        }
        w.bytes(&body);
        Ok(())
    }
}

command!(
    Noop,
    "Noop",
    "[MS-GRVSSTP] 2.2.13",
    CMD_NOOP,
    NOOP_LEN,
    NOOP_LEN
);
