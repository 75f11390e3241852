//! Null-terminated ANSI strings ([MS-GRVSSTPS] 2.2; reference §1.4).

use core::fmt;

use crate::error::{Error, ErrorKind, Spec};

const SPEC: Spec = Spec::new("AnsiStr", "[MS-GRVSSTPS] 2.2");

/// A borrowed single-byte string that travels as its bytes plus one `0x00`
/// terminator. It never contains a NUL byte itself, so it always encodes.
///
/// The bytes are kept as received: "ANSI" may be any single-byte code page,
/// so no UTF-8 or ASCII check is made. [`AnsiStr::to_str`] gives a `&str`
/// when the bytes happen to be UTF-8 (all URLs in the traces are ASCII).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnsiStr<'a>(&'a [u8]);

impl<'a> AnsiStr<'a> {
    /// The empty string (one `0x00` on the wire).
    pub const EMPTY: AnsiStr<'static> = AnsiStr(&[]);

    /// Wraps `bytes` (without terminator). Fails if they contain a NUL.
    pub fn new(bytes: &'a [u8]) -> Result<Self, Error> {
        match bytes.iter().position(|&b| b == 0) {
            Some(at) => Err(Error::caller(SPEC, "bytes", at, ErrorKind::InteriorNul)),
            None => Ok(Self(bytes)),
        }
    }

    /// Decoder side: the caller has split at the first NUL already.
    pub(crate) const fn from_terminated_prefix(bytes: &'a [u8]) -> Self {
        Self(bytes)
    }

    /// The bytes, without the terminator.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The bytes as `&str`, if they are UTF-8.
    pub fn to_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.0).ok()
    }

    /// Length without the terminator.
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the string is empty.
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Length on the wire, terminator included.
    pub const fn wire_len(&self) -> usize {
        self.0.len() + 1
    }
}

impl<'a> TryFrom<&'a str> for AnsiStr<'a> {
    type Error = Error;

    fn try_from(s: &'a str) -> Result<Self, Error> {
        Self::new(s.as_bytes())
    }
}

impl<'a> TryFrom<&'a [u8]> for AnsiStr<'a> {
    type Error = Error;

    fn try_from(b: &'a [u8]) -> Result<Self, Error> {
        Self::new(b)
    }
}

impl PartialEq<str> for AnsiStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for AnsiStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<[u8]> for AnsiStr<'_> {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == other
    }
}

impl fmt::Debug for AnsiStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}

impl fmt::Display for AnsiStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.escape_ascii())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn rejects_interior_nul_with_its_offset() {
        let err = AnsiStr::new(b"ab\0c").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InteriorNul);
        assert_eq!(err.offset(), 2);
    }

    #[test]
    fn compares_and_prints() {
        let s = AnsiStr::try_from("grooveDNS://relay").unwrap();
        assert_eq!(s, "grooveDNS://relay");
        assert_eq!(s.wire_len(), 18);
        assert_eq!(format!("{s:?}"), "\"grooveDNS://relay\"");
        assert_eq!(AnsiStr::new(&[0xE9]).unwrap().to_str(), None);
        assert_eq!(format!("{}", AnsiStr::new(&[0xE9]).unwrap()), "\\xe9");
    }
}
