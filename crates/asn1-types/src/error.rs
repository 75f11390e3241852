//! The crate's one error type.
//!
//! Every decoding error names the structure and its specification section,
//! the field when it can be told, and the byte offset into the input given to
//! the `from_der` call. [`Error::is_peer_error`] separates "the bytes from the
//! peer are bad" from "the caller asked for something that cannot be encoded".

use core::fmt;

/// What went wrong while decoding or encoding a structure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The DER layer rejected the input (wrong tag, bad length, trailing
    /// bytes, non-minimal encoding, indefinite length, truncation, ...).
    Der(der::ErrorKind),
    /// A required field is absent.
    MissingField,
    /// An element the structure does not define at this place: an unknown
    /// tag, a duplicate, or a field out of order.
    UnexpectedElement(der::Tag),
    /// The input was DER, but a value broke a rule of the specification.
    InvalidValue(&'static str),
    /// A DER length announces more bytes than the caller's limit allows.
    FrameTooLarge {
        /// Bytes the TLV would occupy (header included).
        len: u64,
        /// The limit in force.
        max: u64,
    },
    /// Encoding failed: the value cannot be represented (caller error).
    Encode(der::ErrorKind),
}

/// A decode/encode failure, naming the structure, the field (when known) and
/// the specification section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// What failed.
    pub kind: ErrorKind,
    /// The structure being processed, e.g. `"TSRequest"`.
    pub structure: &'static str,
    /// The field, when it can be told, e.g. `"negoTokens"`.
    pub field: Option<&'static str>,
    /// The specification section, e.g. `"[MS-CSSP] 2.2.1"`.
    pub section: &'static str,
    /// Byte offset into the decoded input where the problem was found, when
    /// known.
    pub offset: Option<usize>,
}

impl Error {
    /// Wraps a `der` decoding error for `structure` at `section`.
    pub fn der(err: der::Error, structure: &'static str, section: &'static str) -> Self {
        Self {
            kind: ErrorKind::Der(err.kind()),
            structure,
            field: None,
            section,
            offset: err.position().map(length_to_usize),
        }
    }

    /// Wraps a `der` encoding error (the caller's value cannot be encoded).
    pub fn encode(err: der::Error, structure: &'static str, section: &'static str) -> Self {
        Self {
            kind: ErrorKind::Encode(err.kind()),
            structure,
            field: None,
            section,
            offset: None,
        }
    }

    /// A rule violation in an otherwise well-formed structure.
    pub fn invalid(
        structure: &'static str,
        field: &'static str,
        section: &'static str,
        what: &'static str,
    ) -> Self {
        Self {
            kind: ErrorKind::InvalidValue(what),
            structure,
            field: Some(field),
            section,
            offset: None,
        }
    }

    /// Sets the field name.
    #[must_use]
    pub fn with_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// Sets the byte offset.
    #[must_use]
    pub fn at(mut self, offset: usize) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Moves the offset by `base` bytes (for errors found in an inner
    /// buffer that starts at `base` in the caller's input).
    #[must_use]
    pub(crate) fn shifted(mut self, base: usize) -> Self {
        self.offset = Some(self.offset.unwrap_or(0).saturating_add(base));
        self
    }

    /// `true` when the input bytes were at fault (a misbehaving or
    /// incompatible peer); `false` when the caller's value could not be
    /// encoded.
    pub fn is_peer_error(&self) -> bool {
        !matches!(self.kind, ErrorKind::Encode(_))
    }
}

pub(crate) fn length_to_usize(len: der::Length) -> usize {
    usize::try_from(u32::from(len)).unwrap_or(usize::MAX)
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Der(k) => write!(f, "{k}"),
            Self::MissingField => f.write_str("required field missing"),
            Self::UnexpectedElement(tag) => {
                write!(
                    f,
                    "unexpected element {tag} (unknown, duplicate or out of order)"
                )
            }
            Self::InvalidValue(what) => f.write_str(what),
            Self::FrameTooLarge { len, max } => {
                write!(f, "element of {len} bytes exceeds the limit of {max}")
            }
            Self::Encode(k) => write!(f, "cannot encode: {k}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.structure, self.section)?;
        if let Some(field) = self.field {
            write!(f, " field {field}")?;
        }
        write!(f, ": {}", self.kind)?;
        if let Some(off) = self.offset {
            write!(f, " at byte {off}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
