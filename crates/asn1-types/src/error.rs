//! The crate's one error type.

use core::fmt;

/// What went wrong while decoding or encoding a structure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The DER layer rejected the input (wrong tag, bad length, trailing
    /// bytes, non-minimal encoding, missing field, ...).
    Der(der::ErrorKind),
    /// The input was DER, but a value broke a rule of the specification.
    InvalidValue(&'static str),
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
    /// Byte offset into the input where the DER layer stopped, when known.
    pub offset: Option<usize>,
}

impl Error {
    /// Wraps a `der` error for `structure` at `section`.
    pub fn der(err: der::Error, structure: &'static str, section: &'static str) -> Self {
        Self {
            kind: ErrorKind::Der(err.kind()),
            structure,
            field: None,
            section,
            offset: err
                .position()
                .map(|p| usize::try_from(u32::from(p)).unwrap_or(usize::MAX)),
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.structure, self.section)?;
        if let Some(field) = self.field {
            write!(f, " field {field}")?;
        }
        match &self.kind {
            ErrorKind::Der(k) => write!(f, ": {k}")?,
            ErrorKind::InvalidValue(what) => write!(f, ": {what}")?,
        }
        if let Some(off) = self.offset {
            write!(f, " at byte {off}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
