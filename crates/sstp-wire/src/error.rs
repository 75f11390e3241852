//! The crate's one error type.
//!
//! Every failure names the structure (`SecConnect`, `Register`, ...), its
//! specification section, the field, and the byte offset of that field, and
//! says whether the bytes came from the peer (a decode error: the peer
//! misbehaved) or from the caller (an encode error: the caller asked for
//! something the format cannot carry).

use core::fmt;

use crate::sec::Carrier;

/// Who is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Decoding: the input bytes break a rule of the format.
    Peer,
    /// Encoding or constructing: the caller's value cannot be put on the wire.
    Caller,
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended inside a fixed-size field.
    Truncated {
        /// Bytes the field needs.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// A length field claims more bytes than the enclosing field, message,
    /// command or input holds.
    LengthOverrun {
        /// The value of the length field.
        declared: usize,
        /// Bytes actually left inside the enclosing boundary.
        available: usize,
    },
    /// A length lies outside the range the specification allows for it
    /// (a `CommandLength` below 3, a Close that is not 8 bytes, ...).
    LengthOutOfRange {
        /// The length found.
        actual: usize,
        /// Smallest allowed value.
        min: usize,
        /// Largest allowed value.
        max: usize,
    },
    /// A field whose size the specification fixes (the 24-byte nonces and
    /// IVs of [MS-GRVSSTPS] 2.2) has another size.
    WrongFieldLength {
        /// The size the specification requires.
        expected: usize,
        /// The size found.
        actual: usize,
    },
    /// A security message is larger than the 6144 bytes of [MS-GRVSSTPS] 2.2.
    MessageTooLarge {
        /// Its size.
        actual: usize,
        /// The limit.
        max: usize,
    },
    /// The security header's major version is not 1.
    UnsupportedMajorVersion {
        /// The value found.
        actual: u8,
    },
    /// The security header's minor version is neither 3 nor 4.
    UnsupportedMinorVersion {
        /// The value found.
        actual: u8,
    },
    /// A message was decoded as one type but carries another type's ID.
    UnexpectedMessageId {
        /// The ID of the type being decoded.
        expected: u8,
        /// The ID found.
        actual: u8,
    },
    /// The message ID is not one the carrying command may hold
    /// ([MS-GRVSSTPS] 3.1.3).
    MessageIdNotValidForCarrier {
        /// The carrier the token came in.
        carrier: Carrier,
        /// The ID found.
        actual: u8,
    },
    /// A command was decoded as one type but carries another `CommandId`.
    UnexpectedCommandId {
        /// The ID of the type being decoded.
        expected: u8,
        /// The ID found.
        actual: u8,
    },
    /// A null-terminated ANSI string has no terminator inside its field.
    UnterminatedString {
        /// Bytes searched for the terminator.
        searched: usize,
    },
    /// Bytes are left after the last field of a message or list.
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A reserved field that the receiver may not ignore holds a value
    /// other than the one the specification requires.
    InvalidReserved {
        /// The required value.
        expected: u32,
        /// The value found.
        actual: u32,
    },
    /// A value does not fit the length or count field that must describe it.
    FieldTooLong {
        /// The length or count to be written.
        actual: usize,
        /// The largest the field can hold.
        max: usize,
    },
    /// A string to be written as null-terminated ANSI contains a NUL byte.
    InteriorNul,
    /// A declared token length is smaller than the token it describes.
    DeclaredLengthTooSmall {
        /// The declared length.
        declared: usize,
        /// The token's real length.
        actual: usize,
    },
    /// Fields of a value to be encoded contradict each other.
    InconsistentValue {
        /// Why.
        reason: &'static str,
    },
    /// `Command::Unknown` was given an ID that has a typed command; encode
    /// the typed command instead, or the bytes would not decode back.
    KnownCommandId {
        /// The ID.
        id: u8,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} left")
            }
            Self::LengthOverrun {
                declared,
                available,
            } => write!(f, "length {declared} overruns the {available} bytes left"),
            Self::LengthOutOfRange { actual, min, max } => {
                write!(f, "length {actual} is outside {min}..={max}")
            }
            Self::WrongFieldLength { expected, actual } => {
                write!(f, "length {actual}, the specification requires {expected}")
            }
            Self::MessageTooLarge { actual, max } => {
                write!(f, "message is {actual} bytes, the limit is {max}")
            }
            Self::UnsupportedMajorVersion { actual } => {
                write!(f, "major version {actual}, only 1 is defined")
            }
            Self::UnsupportedMinorVersion { actual } => {
                write!(f, "minor version {actual}, only 3 and 4 are defined")
            }
            Self::UnexpectedMessageId { expected, actual } => {
                write!(f, "message id {actual:#04x}, expected {expected:#04x}")
            }
            Self::MessageIdNotValidForCarrier { carrier, actual } => write!(
                f,
                "message id {actual:#04x} is not carried by {}",
                carrier.name()
            ),
            Self::UnexpectedCommandId { expected, actual } => {
                write!(f, "command id {actual:#04x}, expected {expected:#04x}")
            }
            Self::UnterminatedString { searched } => {
                write!(f, "no NUL terminator in the {searched} bytes of the field")
            }
            Self::TrailingBytes { count } => write!(f, "{count} trailing bytes"),
            Self::InvalidReserved { expected, actual } => {
                write!(f, "reserved value {actual:#x}, must be {expected:#x}")
            }
            Self::FieldTooLong { actual, max } => {
                write!(f, "{actual} does not fit a field whose maximum is {max}")
            }
            Self::InteriorNul => f.write_str("string contains a NUL byte"),
            Self::DeclaredLengthTooSmall { declared, actual } => write!(
                f,
                "declared length {declared} is smaller than the {actual}-byte token"
            ),
            Self::InconsistentValue { reason } => f.write_str(reason),
            Self::KnownCommandId { id } => {
                write!(f, "command id {id:#04x} has a typed command")
            }
        }
    }
}

/// A decode or encode failure.
///
/// ```
/// # use sstp_wire::{ErrorKind, SecConnect};
/// let err = SecConnect::parse(&[0x02, 0x03, 0x01]).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnsupportedMajorVersion { actual: 2 });
/// assert_eq!((err.message(), err.field(), err.offset()), ("SecConnect", "MajorVersionNumber", 0));
/// assert_eq!(
///     err.to_string(),
///     "malformed SecConnect ([MS-GRVSSTPS] 2.2.1) field MajorVersionNumber at byte 0: major version 2, only 1 is defined"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Error {
    origin: Origin,
    message: &'static str,
    section: &'static str,
    field: &'static str,
    offset: usize,
    kind: ErrorKind,
}

impl Error {
    pub(crate) fn peer(spec: Spec, field: &'static str, offset: usize, kind: ErrorKind) -> Self {
        Self {
            origin: Origin::Peer,
            message: spec.name,
            section: spec.section,
            field,
            offset,
            kind,
        }
    }

    pub(crate) fn caller(spec: Spec, field: &'static str, offset: usize, kind: ErrorKind) -> Self {
        Self {
            origin: Origin::Caller,
            message: spec.name,
            section: spec.section,
            field,
            offset,
            kind,
        }
    }

    /// Moves the offset by `base` bytes, for an error found inside a nested
    /// structure that sits `base` bytes into the outer one.
    ///
    /// Adapters use it to report offsets in their own buffer: a token error
    /// from [`Command::security_token`](crate::Command::security_token)
    /// counts from the start of the command, so shifting it by the
    /// command's position in a stream gives the offset in the stream.
    #[must_use]
    pub fn shifted(mut self, base: usize) -> Self {
        self.offset = self.offset.saturating_add(base);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the peer's bytes or the caller's value is at fault.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The message or command being processed, e.g. `"SecConnect"`.
    pub fn message(&self) -> &'static str {
        self.message
    }

    /// The specification section of that message, e.g. `"[MS-GRVSSTPS] 2.2.1"`.
    pub fn section(&self) -> &'static str {
        self.section
    }

    /// The field, named as in the specification, e.g. `"IVLength"`.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// Byte offset of the field. Offsets count from the start of the buffer
    /// handed to the decoder (a token decoded through a command's
    /// `security_token` counts from the start of the command; a command from
    /// a [`CommandStream`](crate::CommandStream) counts from the start of
    /// the stream). For encode errors, from the start of the structure being
    /// written.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.origin {
            Origin::Peer => "malformed",
            Origin::Caller => "cannot encode",
        };
        write!(
            f,
            "{what} {} ({}) field {} at byte {}: {}",
            self.message, self.section, self.field, self.offset, self.kind
        )
    }
}

impl std::error::Error for Error {}

/// A structure's name and specification section, for error reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    pub(crate) name: &'static str,
    pub(crate) section: &'static str,
}

impl Spec {
    pub(crate) const fn new(name: &'static str, section: &'static str) -> Self {
        Self { name, section }
    }
}
