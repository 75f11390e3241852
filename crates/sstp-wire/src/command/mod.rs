//! Groove SSTP command framing and the commands that carry (or sit next
//! to) security tokens.
//!
//! Every command is `CommandId u8 | CommandLength u16 LE | body`, where
//! `CommandLength` counts the whole command, header included; commands
//! follow each other in the byte stream with nothing in between (reference
//! §1.2, §1.6; VERIFIED against the [MS-GRVSSTPS] §4 traces).

use crate::codec::{Reader, Writer, encode};
use crate::consts::{
    CMD_ATTACH, CMD_ATTACH_AUTHENTICATE, CMD_ATTACH_RESPONSE, CMD_CLOSE, CMD_CONNECT,
    CMD_CONNECT_AUTHENTICATE, CMD_CONNECT_CLOSE, CMD_CONNECT_RESPONSE, CMD_NOOP, CMD_OPEN,
    CMD_OPEN_RESPONSE, CMD_REGISTER, CMD_REGISTER_RESPONSE, COMMAND_HEADER_LEN, MAX_COMMAND_LEN,
};
use crate::error::{Error, ErrorKind, Spec};
use crate::sec::{Carrier, SecurityToken};

mod connect;
mod session;
mod values;

pub(crate) use connect::FIELDS;
pub use connect::{
    Connect, ConnectAuthenticate, ConnectClose, ConnectResponse, ConnectResponseFields,
    ConnectResponseTrailer,
};
pub use session::{
    Attach, AttachAuthenticate, AttachResponse, Close, Noop, Open, OpenResponse, Register,
    RegisterResponse,
};
pub use values::{
    AttachResponseId, CloseReason, ConnectResponseFlags, ConnectResponseId, OpenResponseId,
};

pub(crate) const FRAMING: Spec = Spec::new("Command", "[MS-GRVSSTP] 2.2");

/// How many bytes the next command in `buf` is, once its 3-byte header is
/// there: the `CommandLength` field. `None` until 3 bytes are buffered.
///
/// A value below 3 means the stream is broken (no command can be that short);
/// [`Command::parse`] and [`CommandStream`] report it as an error, and a
/// byte stream cannot be resynchronised after it.
///
/// ```
/// assert_eq!(sstp_wire::frame_len(&[0x11, 0x08]), None);
/// assert_eq!(sstp_wire::frame_len(&[0x11, 0x08, 0x00, 0x0b]), Some(8));
/// ```
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    match buf.get(1..COMMAND_HEADER_LEN) {
        Some(&[lo, hi]) => Some(usize::from(u16::from_le_bytes([lo, hi]))),
        _ => None,
    }
}

/// Decoder settings. The default is strict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DecodeOptions {
    tolerate_register_token_overrun: bool,
}

impl DecodeOptions {
    /// Every rule enforced.
    pub const STRICT: Self = Self {
        tolerate_register_token_overrun: false,
    };

    /// Accept a Register whose `RegistrationTokenLength` claims more bytes
    /// than the command holds, taking the token up to the end of the command
    /// and keeping the declared value in [`Register::declared_token_length`]
    /// so that it re-encodes byte for byte.
    ///
    /// The only identity-registration trace in [MS-GRVSSTPS] (§4.1.10) does
    /// this: its token is 223 bytes, its length field says 244, and the
    /// command's own `CommandLength` (232) is consistent. The relay in the
    /// example accepted it. Strict decoding rejects it.
    #[must_use]
    pub const fn tolerate_register_token_overrun(mut self, yes: bool) -> Self {
        self.tolerate_register_token_overrun = yes;
        self
    }

    /// Whether [`Self::tolerate_register_token_overrun`] is on.
    pub const fn tolerates_register_token_overrun(&self) -> bool {
        self.tolerate_register_token_overrun
    }
}

/// Checks the header of one command frame and returns a reader positioned
/// after it. `frame` must be exactly the command.
pub(crate) fn open_frame<'a>(
    frame: &'a [u8],
    spec: Spec,
    expected_id: Option<u8>,
    min: usize,
    max: usize,
) -> Result<Reader<'a>, Error> {
    let mut r = Reader::new(frame, 0, spec);
    let id = r.u8("CommandId")?;
    if let Some(expected) = expected_id
        && id != expected
    {
        return Err(r.err(
            "CommandId",
            0,
            ErrorKind::UnexpectedCommandId {
                expected,
                actual: id,
            },
        ));
    }
    let declared = usize::from(r.u16("CommandLength")?);
    if declared < min || declared > max {
        return Err(r.err(
            "CommandLength",
            1,
            ErrorKind::LengthOutOfRange {
                actual: declared,
                min,
                max,
            },
        ));
    }
    if declared > frame.len() {
        return Err(r.err(
            "CommandLength",
            1,
            ErrorKind::LengthOverrun {
                declared,
                available: frame.len(),
            },
        ));
    }
    if declared < frame.len() {
        return Err(r.err(
            "CommandLength",
            declared,
            ErrorKind::TrailingBytes {
                count: frame.len() - declared,
            },
        ));
    }
    Ok(r)
}

/// Writes one command: header, `body`, then the length, which must land in
/// `min..=max`.
pub(crate) fn encode_frame(
    out: &mut Vec<u8>,
    spec: Spec,
    id: u8,
    min: usize,
    max: usize,
    body: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    encode(out, spec, |w| {
        w.u8(id);
        w.u16(0);
        body(w)?;
        let n = w.offset();
        match u16::try_from(n) {
            Ok(v) if (min..=max).contains(&n) => {
                w.patch_u16(1, v);
                Ok(())
            }
            _ => Err(Error::caller(
                spec,
                "CommandLength",
                1,
                ErrorKind::LengthOutOfRange {
                    actual: n,
                    min,
                    max,
                },
            )),
        }
    })
}

/// Implements `parse`, `serialize_into` and `to_vec` for one command type.
macro_rules! command {
    ($ty:ident $(<$lt:lifetime>)?, $name:literal, $section:literal, $id:path, $min:expr, $max:expr) => {
        impl<'a> $ty $(<$lt>)? {
            /// The `CommandId`.
            pub const COMMAND_ID: u8 = $id;
            pub(crate) const SPEC: $crate::error::Spec =
                $crate::error::Spec::new($name, $section);

            /// Decodes exactly one command; `frame` must be the whole
            /// command (see [`crate::frame_len`]).
            pub fn parse(frame: &'a [u8]) -> Result<Self, $crate::Error> {
                Self::decode_with(frame, $crate::DecodeOptions::STRICT)
            }

            pub(crate) fn decode_with(
                frame: &'a [u8],
                opts: $crate::DecodeOptions,
            ) -> Result<Self, $crate::Error> {
                let mut r = $crate::command::open_frame(
                    frame,
                    Self::SPEC,
                    Some(Self::COMMAND_ID),
                    $min,
                    $max,
                )?;
                let cmd = Self::decode_body(&mut r, opts)?;
                r.finish()?;
                Ok(cmd)
            }

            /// Appends the encoded command to `out` (left unchanged on error).
            pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), $crate::Error> {
                $crate::command::encode_frame(
                    out,
                    Self::SPEC,
                    Self::COMMAND_ID,
                    $min,
                    $max,
                    |w| self.encode_body(w),
                )
            }

            /// The encoded command.
            pub fn to_vec(&self) -> Result<Vec<u8>, $crate::Error> {
                let mut out = Vec::new();
                self.serialize_into(&mut out)?;
                Ok(out)
            }
        }
    };
}

pub(crate) use command;

/// One SSTP command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command<'a> {
    /// 0x01.
    Connect(Connect<'a>),
    /// 0x02.
    ConnectResponse(ConnectResponse<'a>),
    /// 0x03 (INFERRED ID).
    ConnectAuthenticate(ConnectAuthenticate<'a>),
    /// 0x04 (INFERRED ID and layout).
    ConnectClose(ConnectClose),
    /// 0x05.
    Open(Open<'a>),
    /// 0x07.
    OpenResponse(OpenResponse),
    /// 0x08.
    Attach(Attach<'a>),
    /// 0x09.
    AttachResponse(AttachResponse<'a>),
    /// 0x0A.
    AttachAuthenticate(AttachAuthenticate<'a>),
    /// 0x0B.
    Register(Register<'a>),
    /// 0x0C.
    RegisterResponse(RegisterResponse<'a>),
    /// 0x10 (INFERRED ID and layout).
    Noop(Noop),
    /// 0x11.
    Close(Close),
    /// Any other `CommandId` (FanoutOpen, Message, Data, EndMessage,
    /// SessionStatus, or one nobody knows), skipped by its length.
    Unknown {
        /// The `CommandId`.
        id: u8,
        /// Everything after the 3-byte header.
        body: &'a [u8],
    },
}

impl<'a> Command<'a> {
    /// Decodes exactly one command, strictly; `frame` must be the whole
    /// command (see [`frame_len`]).
    pub fn parse(frame: &'a [u8]) -> Result<Self, Error> {
        Self::parse_with(frame, DecodeOptions::STRICT)
    }

    /// Decodes exactly one command with `opts`.
    pub fn parse_with(frame: &'a [u8], opts: DecodeOptions) -> Result<Self, Error> {
        let Some(&id) = frame.first() else {
            return Err(Error::peer(
                FRAMING,
                "CommandId",
                0,
                ErrorKind::Truncated {
                    needed: COMMAND_HEADER_LEN,
                    available: 0,
                },
            ));
        };
        Ok(match id {
            CMD_CONNECT => Self::Connect(Connect::decode_with(frame, opts)?),
            CMD_CONNECT_RESPONSE => {
                Self::ConnectResponse(ConnectResponse::decode_with(frame, opts)?)
            }
            CMD_CONNECT_AUTHENTICATE => {
                Self::ConnectAuthenticate(ConnectAuthenticate::decode_with(frame, opts)?)
            }
            CMD_CONNECT_CLOSE => Self::ConnectClose(ConnectClose::decode_with(frame, opts)?),
            CMD_OPEN => Self::Open(Open::decode_with(frame, opts)?),
            CMD_OPEN_RESPONSE => Self::OpenResponse(OpenResponse::decode_with(frame, opts)?),
            CMD_ATTACH => Self::Attach(Attach::decode_with(frame, opts)?),
            CMD_ATTACH_RESPONSE => Self::AttachResponse(AttachResponse::decode_with(frame, opts)?),
            CMD_ATTACH_AUTHENTICATE => {
                Self::AttachAuthenticate(AttachAuthenticate::decode_with(frame, opts)?)
            }
            CMD_REGISTER => Self::Register(Register::decode_with(frame, opts)?),
            CMD_REGISTER_RESPONSE => {
                Self::RegisterResponse(RegisterResponse::decode_with(frame, opts)?)
            }
            CMD_NOOP => Self::Noop(Noop::decode_with(frame, opts)?),
            CMD_CLOSE => Self::Close(Close::decode_with(frame, opts)?),
            _ => {
                let r = open_frame(frame, FRAMING, None, COMMAND_HEADER_LEN, MAX_COMMAND_LEN)?;
                Self::Unknown { id, body: r.rest() }
            }
        })
    }

    /// Appends the encoded command to `out` (left unchanged on error).
    pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        match self {
            Self::Connect(c) => c.serialize_into(out),
            Self::ConnectResponse(c) => c.serialize_into(out),
            Self::ConnectAuthenticate(c) => c.serialize_into(out),
            Self::ConnectClose(c) => c.serialize_into(out),
            Self::Open(c) => c.serialize_into(out),
            Self::OpenResponse(c) => c.serialize_into(out),
            Self::Attach(c) => c.serialize_into(out),
            Self::AttachResponse(c) => c.serialize_into(out),
            Self::AttachAuthenticate(c) => c.serialize_into(out),
            Self::Register(c) => c.serialize_into(out),
            Self::RegisterResponse(c) => c.serialize_into(out),
            Self::Noop(c) => c.serialize_into(out),
            Self::Close(c) => c.serialize_into(out),
            Self::Unknown { id, body } => {
                if is_typed(*id) {
                    return Err(Error::caller(
                        FRAMING,
                        "CommandId",
                        0,
                        ErrorKind::KnownCommandId { id: *id },
                    ));
                }
                encode_frame(
                    out,
                    FRAMING,
                    *id,
                    COMMAND_HEADER_LEN,
                    MAX_COMMAND_LEN,
                    |w| {
                        w.bytes(body);
                        Ok(())
                    },
                )
            }
        }
    }

    /// The encoded command.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.serialize_into(&mut out)?;
        Ok(out)
    }

    /// The `CommandId`.
    pub fn id(&self) -> u8 {
        match self {
            Self::Connect(_) => CMD_CONNECT,
            Self::ConnectResponse(_) => CMD_CONNECT_RESPONSE,
            Self::ConnectAuthenticate(_) => CMD_CONNECT_AUTHENTICATE,
            Self::ConnectClose(_) => CMD_CONNECT_CLOSE,
            Self::Open(_) => CMD_OPEN,
            Self::OpenResponse(_) => CMD_OPEN_RESPONSE,
            Self::Attach(_) => CMD_ATTACH,
            Self::AttachResponse(_) => CMD_ATTACH_RESPONSE,
            Self::AttachAuthenticate(_) => CMD_ATTACH_AUTHENTICATE,
            Self::Register(_) => CMD_REGISTER,
            Self::RegisterResponse(_) => CMD_REGISTER_RESPONSE,
            Self::Noop(_) => CMD_NOOP,
            Self::Close(_) => CMD_CLOSE,
            Self::Unknown { id, .. } => *id,
        }
    }

    /// The raw security token this command carries, with its carrier and its
    /// offset in the command. `None` for commands that carry no token, and
    /// when the token is absent (length 0, or no length field at all): a
    /// connection that does not authenticate sends none, and whether that
    /// is acceptable is the security layer's decision.
    pub fn token(&self) -> Option<(Carrier, &'a [u8], usize)> {
        let (carrier, bytes, offset) = match self {
            Self::Connect(c) => (Carrier::Connect, c.authentication_token, c.token_offset()),
            Self::ConnectResponse(c) => (
                Carrier::ConnectResponse,
                c.authentication_token,
                ConnectResponse::TOKEN_OFFSET,
            ),
            Self::ConnectAuthenticate(c) => (
                Carrier::ConnectAuthenticate,
                c.authentication_token,
                ConnectAuthenticate::TOKEN_OFFSET,
            ),
            Self::Attach(c) => (Carrier::Attach, c.authentication_token, c.token_offset()),
            Self::AttachResponse(c) => (
                Carrier::AttachResponse,
                c.authentication_token,
                AttachResponse::TOKEN_OFFSET,
            ),
            Self::AttachAuthenticate(c) => (
                Carrier::AttachAuthenticate,
                c.authentication_token,
                AttachAuthenticate::TOKEN_OFFSET,
            ),
            Self::Register(c) => (
                Carrier::Register,
                c.registration_token,
                Register::TOKEN_OFFSET,
            ),
            Self::RegisterResponse(c) => (
                Carrier::RegisterResponse,
                c.registration_token?,
                RegisterResponse::TOKEN_OFFSET,
            ),
            Self::ConnectClose(_)
            | Self::Open(_)
            | Self::OpenResponse(_)
            | Self::Noop(_)
            | Self::Close(_)
            | Self::Unknown { .. } => return None,
        };
        (!bytes.is_empty()).then_some((carrier, bytes, offset))
    }

    /// Decodes the security token this command carries, through its carrier
    /// ([MS-GRVSSTPS] 3.1.3). Error offsets count from the start of the
    /// command. `None` when [`Self::token`] is `None`.
    pub fn security_token(&self) -> Option<Result<SecurityToken<'a>, Error>> {
        self.token()
            .map(|(carrier, bytes, at)| SecurityToken::parse_at(carrier, bytes, at))
    }
}

fn is_typed(id: u8) -> bool {
    matches!(
        id,
        CMD_CONNECT
            | CMD_CONNECT_RESPONSE
            | CMD_CONNECT_AUTHENTICATE
            | CMD_CONNECT_CLOSE
            | CMD_OPEN
            | CMD_OPEN_RESPONSE
            | CMD_ATTACH
            | CMD_ATTACH_RESPONSE
            | CMD_ATTACH_AUTHENTICATE
            | CMD_REGISTER
            | CMD_REGISTER_RESPONSE
            | CMD_NOOP
            | CMD_CLOSE
    )
}

/// Decodes the commands of a byte buffer one after another.
///
/// Yields `Ok(command)` for each complete command, `Err` for a complete
/// command whose body breaks a rule (the stream goes on with the next
/// command: the length field still delimits it), and stops at the first
/// incomplete command, which [`Self::remainder`] returns so that an adapter
/// can keep it and read more. A `CommandLength` below 3 breaks the framing:
/// it is yielded as an error and the iteration ends, with
/// [`Self::is_broken`] set.
///
/// ```
/// # use sstp_wire::{Command, CommandStream};
/// // §4.1.4: an AttachResponse and an OpenResponse in one segment, and the
/// // first 2 bytes of a third command.
/// let bytes = [
///     0x09, 0x0d, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x01, 0x03, 0x0a,
///     0x07, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
///     0x11, 0x08,
/// ];
/// let mut stream = CommandStream::new(&bytes);
/// assert!(matches!(stream.next(), Some(Ok(Command::AttachResponse(_)))));
/// assert!(matches!(stream.next(), Some(Ok(Command::OpenResponse(_)))));
/// assert!(stream.next().is_none());
/// assert_eq!(stream.remainder(), &[0x11, 0x08]);
/// ```
#[derive(Debug, Clone)]
pub struct CommandStream<'a> {
    buf: &'a [u8],
    pos: usize,
    opts: DecodeOptions,
    broken: bool,
}

impl<'a> CommandStream<'a> {
    /// Decodes `buf` strictly.
    pub fn new(buf: &'a [u8]) -> Self {
        Self::with_options(buf, DecodeOptions::STRICT)
    }

    /// Decodes `buf` with `opts`.
    pub fn with_options(buf: &'a [u8], opts: DecodeOptions) -> Self {
        Self {
            buf,
            pos: 0,
            opts,
            broken: false,
        }
    }

    /// The bytes not yet consumed: an incomplete command (or nothing) once
    /// the iterator has returned `None`.
    pub fn remainder(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    /// Bytes consumed so far.
    pub fn consumed(&self) -> usize {
        self.pos
    }

    /// Whether a `CommandLength` below 3 ended the stream.
    pub fn is_broken(&self) -> bool {
        self.broken
    }
}

impl<'a> Iterator for CommandStream<'a> {
    type Item = Result<Command<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.broken {
            return None;
        }
        let rest = self.remainder();
        let len = frame_len(rest)?;
        let start = self.pos;
        if len < COMMAND_HEADER_LEN {
            self.broken = true;
            return Some(Err(Error::peer(
                FRAMING,
                "CommandLength",
                start + 1,
                ErrorKind::LengthOutOfRange {
                    actual: len,
                    min: COMMAND_HEADER_LEN,
                    max: MAX_COMMAND_LEN,
                },
            )));
        }
        let frame = rest.get(..len)?;
        self.pos += len;
        Some(Command::parse_with(frame, self.opts).map_err(|e| e.shifted(start)))
    }
}
