//! Connection-level commands: Connect, ConnectResponse, ConnectAuthenticate,
//! ConnectClose.

use crate::DecodeOptions;
use crate::ansi::AnsiStr;
use crate::codec::{Reader, Writer, encode};
use crate::command::command;
use crate::command::values::{CloseReason, ConnectResponseFlags, ConnectResponseId};
use crate::consts::{
    CMD_CONNECT, CMD_CONNECT_AUTHENTICATE, CMD_CONNECT_CLOSE, CMD_CONNECT_RESPONSE,
    COMMAND_HEADER_LEN, CONNECT_AUTHENTICATE_TOKEN_LENGTH_OFFSET, CONNECT_CLOSE_LEN,
    CONNECT_CLOSE_MESSAGE_COUNT_OFFSET, CONNECT_CLOSE_REASON_OFFSET,
    CONNECT_CLOSE_RETURN_TIME_OFFSET, CONNECT_RESPONSE_OPAQUE_AFTER_TOKEN_UNLESS_OK,
    MAX_COMMAND_LEN, MAX_SMALL_COMMAND_LEN,
};
use crate::error::{Error, ErrorKind, Spec};

/// [MS-GRVSSTP] 2.2.1 Connect: the first command of a connection
/// (reference §3.1, SPEC + VERIFIED by [MS-GRVSSTPS] §4.1.1). Carries
/// SecConnect when the client authenticates its device.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connect<'a> {
    /// MajorVersion of SSTP (1). Kept as received: a newer major version is
    /// answered with a ConnectResponse, not rejected by the codec.
    pub major_version: u8,
    /// MinorVersion of SSTP (5 for 1.5, 6 for 1.6).
    pub minor_version: u8,
    /// Byte 5: Reserved (MUST be 0 per the spec; the trace decoder calls it
    /// ConnectFlags with bit 0x01 UpgradeRequired). Kept as received.
    pub flags: u8,
    /// TargetDeviceURL.
    pub target_device_url: AnsiStr<'a>,
    /// SourceDeviceURLs (behind the u8 NumSourceDeviceURLs; at most 255).
    pub source_device_urls: Vec<AnsiStr<'a>>,
    /// AuthenticationToken (behind AuthenticationTokenLength); empty when the
    /// client does not authenticate. Decode it with
    /// [`Command::security_token`](crate::Command::security_token) or
    /// `SecurityToken::parse(Carrier::Connect, ..)`.
    pub authentication_token: &'a [u8],
    /// PeerProductVersion.
    pub peer_product_version: AnsiStr<'a>,
    /// PeerProductCapabilities.
    pub peer_product_capabilities: AnsiStr<'a>,
}

impl<'a> Connect<'a> {
    fn decode_body(r: &mut Reader<'a>, _: DecodeOptions) -> Result<Self, Error> {
        let major_version = r.u8("MajorVersion")?;
        let minor_version = r.u8("MinorVersion")?;
        let flags = r.u8("Reserved")?;
        let target_device_url = r.cstr("TargetDeviceURL")?;
        let n = usize::from(r.u8("NumSourceDeviceURLs")?);
        Ok(Self {
            major_version,
            minor_version,
            flags,
            target_device_url,
            source_device_urls: r.cstrs(n, "SourceDeviceURL")?,
            authentication_token: r
                .u16_prefixed("AuthenticationTokenLength", "AuthenticationToken")?,
            peer_product_version: r.cstr("PeerProductVersion")?,
            peer_product_capabilities: r.cstr("PeerProductCapabilities")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.major_version);
        w.u8(self.minor_version);
        w.u8(self.flags);
        w.cstr(self.target_device_url);
        w.count_u8("NumSourceDeviceURLs", self.source_device_urls.len())?;
        w.cstrs(&self.source_device_urls);
        w.u16_prefixed("AuthenticationTokenLength", self.authentication_token)?;
        w.cstr(self.peer_product_version);
        w.cstr(self.peer_product_capabilities);
        Ok(())
    }

    /// Offset of the token in the encoded command.
    pub fn token_offset(&self) -> usize {
        COMMAND_HEADER_LEN
            + 3
            + self.target_device_url.wire_len()
            + 1
            + self
                .source_device_urls
                .iter()
                .map(AnsiStr::wire_len)
                .sum::<usize>()
            + 2
    }
}

command!(
    Connect<'a>,
    "Connect",
    "[MS-GRVSSTP] 2.2.1",
    CMD_CONNECT,
    COMMAND_HEADER_LEN,
    MAX_COMMAND_LEN
);

/// The fields of a ConnectResponse after its token, in the form both §4
/// traces show (reference §3.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ConnectResponseFields<'a> {
    /// Flags (0x01 MultiDrop, 0x02 SingleHop fanout supported).
    pub flags: ConnectResponseFlags,
    /// PeerProductVersion.
    pub peer_product_version: AnsiStr<'a>,
    /// PeerProductCapabilities.
    pub peer_product_capabilities: AnsiStr<'a>,
    /// TargetDeviceURLs (behind the u8 NumberOfTargetDeviceURLs).
    pub target_device_urls: Vec<AnsiStr<'a>>,
    /// RedirectMapEntries.
    pub redirect_map_entries: u8,
    /// The entries themselves, whose format is unknown (**INFERRED**, see
    /// [`crate::consts::CONNECT_RESPONSE_OPAQUE_AFTER_TOKEN_UNLESS_OK`]):
    /// the rest of the command, kept opaque. Empty when
    /// `redirect_map_entries` is 0.
    pub redirect_map: &'a [u8],
}

pub(crate) const FIELDS: Spec = Spec::new("ConnectResponse", "[MS-GRVSSTP] 2.2.2");

impl<'a> ConnectResponseFields<'a> {
    /// Decodes `bytes` (everything after the token) as these fields; useful
    /// for a non-Ok response, whose trailer is kept opaque.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, 0, FIELDS);
        let fields = Self::decode(&mut r)?;
        r.finish()?;
        Ok(fields)
    }

    fn decode(r: &mut Reader<'a>) -> Result<Self, Error> {
        let flags = ConnectResponseFlags(r.u8("Flags")?);
        let peer_product_version = r.cstr("PeerProductVersion")?;
        let peer_product_capabilities = r.cstr("PeerProductCapabilities")?;
        let n = usize::from(r.u8("NumberOfTargetDeviceURLs")?);
        let target_device_urls = r.cstrs(n, "TargetDeviceURL")?;
        let redirect_map_entries = r.u8("RedirectMapEntries")?;
        let redirect_map = if redirect_map_entries == 0 {
            &[]
        } else {
            r.take(r.remaining(), "RedirectMap")?
        };
        Ok(Self {
            flags,
            peer_product_version,
            peer_product_capabilities,
            target_device_urls,
            redirect_map_entries,
            redirect_map,
        })
    }

    fn encode(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        if self.redirect_map_entries == 0 && !self.redirect_map.is_empty() {
            return Err(w.err(
                "RedirectMap",
                ErrorKind::TrailingBytes {
                    count: self.redirect_map.len(),
                },
            ));
        }
        w.u8(self.flags.0);
        w.cstr(self.peer_product_version);
        w.cstr(self.peer_product_capabilities);
        w.count_u8("NumberOfTargetDeviceURLs", self.target_device_urls.len())?;
        w.cstrs(&self.target_device_urls);
        w.u8(self.redirect_map_entries);
        w.bytes(self.redirect_map);
        Ok(())
    }

    /// Appends the encoded fields to `out` (left unchanged on error).
    pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        encode(out, FIELDS, |w| self.encode(w))
    }
}

/// What follows the token of a ConnectResponse.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConnectResponseTrailer<'a> {
    /// The decoded fields (always, for `ResponseId` Ok).
    Fields(ConnectResponseFields<'a>),
    /// The raw bytes, for any other `ResponseId`: where `RetryTime` sits is
    /// not known (**INFERRED**, see
    /// [`crate::consts::CONNECT_RESPONSE_OPAQUE_AFTER_TOKEN_UNLESS_OK`]).
    Opaque(&'a [u8]),
}

/// [MS-GRVSSTP] 2.2.2 ConnectResponse: the relay's answer to Connect
/// (reference §3.2, VERIFIED by [MS-GRVSSTPS] §4.1.2 and §4.3.1). Carries
/// SecConnectResponse or one of its failure forms.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnectResponse<'a> {
    /// MajorVersion of SSTP.
    pub major_version: u8,
    /// MinorVersion of SSTP.
    pub minor_version: u8,
    /// ResponseId.
    pub response_id: ConnectResponseId,
    /// AuthenticationToken (behind AuthenticationTokenLength).
    pub authentication_token: &'a [u8],
    /// Everything after the token.
    pub trailer: ConnectResponseTrailer<'a>,
}

impl<'a> ConnectResponse<'a> {
    /// Offset of the token in the encoded command.
    pub const TOKEN_OFFSET: usize = COMMAND_HEADER_LEN + 3 + 2;

    fn decode_body(r: &mut Reader<'a>, _: DecodeOptions) -> Result<Self, Error> {
        let major_version = r.u8("MajorVersion")?;
        let minor_version = r.u8("MinorVersion")?;
        let response_id = ConnectResponseId::from_u8(r.u8("ResponseId")?);
        let authentication_token =
            r.u16_prefixed("AuthenticationTokenLength", "AuthenticationToken")?;
        let trailer = if response_id == ConnectResponseId::Ok
            || !CONNECT_RESPONSE_OPAQUE_AFTER_TOKEN_UNLESS_OK
        {
            ConnectResponseTrailer::Fields(ConnectResponseFields::decode(r)?)
        } else {
            ConnectResponseTrailer::Opaque(r.take(r.remaining(), "(after token)")?)
        };
        Ok(Self {
            major_version,
            minor_version,
            response_id,
            authentication_token,
            trailer,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.major_version);
        w.u8(self.minor_version);
        w.u8(self.response_id.to_u8());
        w.u16_prefixed("AuthenticationTokenLength", self.authentication_token)?;
        match &self.trailer {
            ConnectResponseTrailer::Fields(f) => f.encode(w),
            ConnectResponseTrailer::Opaque(_) if self.response_id == ConnectResponseId::Ok => {
                Err(w.err(
                    "(after token)",
                    ErrorKind::InconsistentValue {
                        reason: "an Ok ConnectResponse is decoded into fields, so it must be built from them",
                    },
                ))
            }
            ConnectResponseTrailer::Opaque(bytes) => {
                w.bytes(bytes);
                Ok(())
            }
        }
    }
}

command!(
    ConnectResponse<'a>,
    "ConnectResponse",
    "[MS-GRVSSTP] 2.2.2",
    CMD_CONNECT_RESPONSE,
    COMMAND_HEADER_LEN,
    MAX_COMMAND_LEN
);

/// [MS-GRVSSTP] 2.2.3 ConnectAuthenticate: the client's answer to the
/// relay's device challenge, carrying SecConnectAuthenticate.
///
/// **INFERRED** ID and layout `Id | Length | AuthenticationTokenLength u16 |
/// AuthenticationToken` (see [`crate::consts::CMD_CONNECT_AUTHENTICATE`] and
/// [`crate::consts::CONNECT_AUTHENTICATE_TOKEN_LENGTH_OFFSET`]). At most
/// 2055 bytes (SPEC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectAuthenticate<'a> {
    /// AuthenticationToken (behind AuthenticationTokenLength).
    pub authentication_token: &'a [u8],
}

impl<'a> ConnectAuthenticate<'a> {
    /// Offset of the token in the encoded command.
    pub const TOKEN_OFFSET: usize = CONNECT_AUTHENTICATE_TOKEN_LENGTH_OFFSET + 2;

    fn decode_body(r: &mut Reader<'a>, _: DecodeOptions) -> Result<Self, Error> {
        // Whatever the inferred layout puts between the header and the token
        // length (nothing, today) is not modelled; it must be absent.
        r.take(
            CONNECT_AUTHENTICATE_TOKEN_LENGTH_OFFSET - COMMAND_HEADER_LEN,
            "(before AuthenticationTokenLength)",
        )?;
        Ok(Self {
            authentication_token: r
                .u16_prefixed("AuthenticationTokenLength", "AuthenticationToken")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.bytes(&[0; CONNECT_AUTHENTICATE_TOKEN_LENGTH_OFFSET - COMMAND_HEADER_LEN]);
        w.u16_prefixed("AuthenticationTokenLength", self.authentication_token)
    }
}

command!(
    ConnectAuthenticate<'a>,
    "ConnectAuthenticate",
    "[MS-GRVSSTP] 2.2.3",
    CMD_CONNECT_AUTHENTICATE,
    COMMAND_HEADER_LEN,
    MAX_SMALL_COMMAND_LEN
);

/// [MS-GRVSSTP] 2.2.4 ConnectClose: ends the connection.
///
/// The three fields are SPEC; their order, widths and the command's size
/// are **INFERRED** (`ReasonId u8 | ReturnTime u32 | MessageCount u32`, 12
/// bytes; see [`crate::consts::CONNECT_CLOSE_LEN`] and the offsets next to
/// it). A peer that sends another layout gets a decode error for this one
/// command; the stream goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectClose {
    /// ReasonId.
    pub reason: CloseReason,
    /// ReturnTime: seconds to wait before reconnecting (with Resting).
    pub return_time: u32,
    /// MessageCount: inbound message sequences processed.
    pub message_count: u32,
}

impl ConnectClose {
    /// A ConnectClose with `reason`, ReturnTime 0 and MessageCount 0: what
    /// the security engines and the relay daemon send. A Resting close sets
    /// `return_time` on top (`ConnectClose { return_time, ..with_reason }`).
    pub const fn with_reason(reason: CloseReason) -> Self {
        Self {
            reason,
            return_time: 0,
            message_count: 0,
        }
    }

    fn decode_body(r: &mut Reader<'_>, _: DecodeOptions) -> Result<Self, Error> {
        // The frame is exactly CONNECT_CLOSE_LEN bytes (checked by the
        // header); each field is read at its configured offset.
        let reason = CloseReason::from_u8(r.at(CONNECT_CLOSE_REASON_OFFSET).u8("ReasonId")?);
        let return_time = r.at(CONNECT_CLOSE_RETURN_TIME_OFFSET).u32("ReturnTime")?;
        let message_count = r
            .at(CONNECT_CLOSE_MESSAGE_COUNT_OFFSET)
            .u32("MessageCount")?;
        r.take(r.remaining(), "(fields)")?;
        Ok(Self {
            reason,
            return_time,
            message_count,
        })
    }

    #[allow(clippy::unnecessary_wraps)]
    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        let mut body = [0u8; CONNECT_CLOSE_LEN - COMMAND_HEADER_LEN];
        let mut put = |off: usize, bytes: &[u8]| {
            let at = off.saturating_sub(COMMAND_HEADER_LEN);
            if let Some(slot) = body.get_mut(at..at + bytes.len()) {
                slot.copy_from_slice(bytes);
            }
        };
        put(CONNECT_CLOSE_REASON_OFFSET, &[self.reason.to_u8()]);
        put(
            CONNECT_CLOSE_RETURN_TIME_OFFSET,
            &self.return_time.to_le_bytes(),
        );
        put(
            CONNECT_CLOSE_MESSAGE_COUNT_OFFSET,
            &self.message_count.to_le_bytes(),
        );
        w.bytes(&body);
        Ok(())
    }
}

command!(
    ConnectClose,
    "ConnectClose",
    "[MS-GRVSSTP] 2.2.4",
    CMD_CONNECT_CLOSE,
    CONNECT_CLOSE_LEN,
    CONNECT_CLOSE_LEN
);
