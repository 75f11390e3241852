//! Bounded little-endian reader and writer shared by every message.
//!
//! The reader never indexes: every access goes through `get`, so a length
//! field can never make it read outside the slice it was given, and the
//! slice it is given is always the enclosing field (a token, an account
//! layer message, a public keys object, an identity list).

use crate::ansi::AnsiStr;
use crate::consts::NONCE_LEN;
use crate::error::{Error, ErrorKind, Spec};

/// A 24-byte nonce or IV borrowed from the input.
pub type Nonce<'a> = &'a [u8; NONCE_LEN];

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf[0]` in the buffer the caller handed us, for errors.
    base: usize,
    spec: Spec,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], base: usize, spec: Spec) -> Self {
        Self {
            buf,
            pos: 0,
            base,
            spec,
        }
    }

    /// Offset of the next byte, counted like error offsets.
    pub(crate) fn offset(&self) -> usize {
        self.base + self.pos
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }

    pub(crate) fn remaining(&self) -> usize {
        self.rest().len()
    }

    /// A reader over the same bytes starting at `offset` (counted like
    /// error offsets), for fixed layouts read field by field.
    pub(crate) fn at(&self, offset: usize) -> Self {
        let buf = offset
            .checked_sub(self.base)
            .and_then(|i| self.buf.get(i..))
            .unwrap_or_default();
        Self {
            buf,
            pos: 0,
            base: offset,
            spec: self.spec,
        }
    }

    pub(crate) fn err(&self, field: &'static str, offset: usize, kind: ErrorKind) -> Error {
        Error::peer(self.spec, field, offset, kind)
    }

    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], Error> {
        let rest = self.rest();
        match rest.get(..n) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.err(
                field,
                self.offset(),
                ErrorKind::Truncated {
                    needed: n,
                    available: rest.len(),
                },
            )),
        }
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], Error> {
        let at = self.offset();
        let bytes = self.take(N, field)?;
        <[u8; N]>::try_from(bytes).map_err(|_| {
            self.err(
                field,
                at,
                ErrorKind::Truncated {
                    needed: N,
                    available: bytes.len(),
                },
            )
        })
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, Error> {
        let [b] = self.array::<1>(field)?;
        Ok(b)
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, Error> {
        self.array::<2>(field).map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, Error> {
        self.array::<4>(field).map(u32::from_le_bytes)
    }

    /// Takes `declared` bytes, reporting an overrun at the length field
    /// (`len_at`) when fewer are left.
    pub(crate) fn take_declared(
        &mut self,
        declared: usize,
        len_field: &'static str,
        len_at: usize,
        field: &'static str,
    ) -> Result<&'a [u8], Error> {
        let available = self.remaining();
        if declared > available {
            return Err(self.err(
                len_field,
                len_at,
                ErrorKind::LengthOverrun {
                    declared,
                    available,
                },
            ));
        }
        self.take(declared, field)
    }

    /// A u16 length followed by that many bytes.
    pub(crate) fn u16_prefixed(
        &mut self,
        len_field: &'static str,
        field: &'static str,
    ) -> Result<&'a [u8], Error> {
        let at = self.offset();
        let n = usize::from(self.u16(len_field)?);
        self.take_declared(n, len_field, at, field)
    }

    /// A u32 length followed by that many bytes.
    pub(crate) fn u32_prefixed(
        &mut self,
        len_field: &'static str,
        field: &'static str,
    ) -> Result<&'a [u8], Error> {
        let at = self.offset();
        let n = self.u32(len_field)?;
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        self.take_declared(n, len_field, at, field)
    }

    /// A u16 length that must be 24, followed by the 24 bytes.
    pub(crate) fn nonce(
        &mut self,
        len_field: &'static str,
        field: &'static str,
    ) -> Result<Nonce<'a>, Error> {
        let at = self.offset();
        let n = usize::from(self.u16(len_field)?);
        if n != NONCE_LEN {
            return Err(self.err(
                len_field,
                at,
                ErrorKind::WrongFieldLength {
                    expected: NONCE_LEN,
                    actual: n,
                },
            ));
        }
        let body_at = self.offset();
        let bytes = self.take_declared(n, len_field, at, field)?;
        <&[u8; NONCE_LEN]>::try_from(bytes).map_err(|_| {
            self.err(
                field,
                body_at,
                ErrorKind::WrongFieldLength {
                    expected: NONCE_LEN,
                    actual: bytes.len(),
                },
            )
        })
    }

    /// A null-terminated string that must end inside this reader's slice.
    pub(crate) fn cstr(&mut self, field: &'static str) -> Result<AnsiStr<'a>, Error> {
        let rest = self.rest();
        let Some(nul) = rest.iter().position(|&b| b == 0) else {
            return Err(self.err(
                field,
                self.offset(),
                ErrorKind::UnterminatedString {
                    searched: rest.len(),
                },
            ));
        };
        let s = self.take(nul, field)?;
        self.take(1, field)?;
        Ok(AnsiStr::from_terminated_prefix(s))
    }

    /// `count` null-terminated strings.
    pub(crate) fn cstrs(
        &mut self,
        count: usize,
        field: &'static str,
    ) -> Result<Vec<AnsiStr<'a>>, Error> {
        // Each string takes at least its terminator, so `count` is bounded
        // by the input before anything is allocated.
        let mut out = Vec::with_capacity(count.min(self.remaining()));
        for _ in 0..count {
            out.push(self.cstr(field)?);
        }
        Ok(out)
    }

    /// Everything after the current position must have been consumed.
    pub(crate) fn finish(&self) -> Result<(), Error> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(self.err(
                "(end of message)",
                self.offset(),
                ErrorKind::TrailingBytes { count },
            )),
        }
    }
}

pub(crate) struct Writer<'o> {
    out: &'o mut Vec<u8>,
    start: usize,
    spec: Spec,
}

impl<'o> Writer<'o> {
    /// Offset of the next byte from the start of the structure being written.
    pub(crate) fn offset(&self) -> usize {
        self.out.len() - self.start
    }

    pub(crate) fn err(&self, field: &'static str, kind: ErrorKind) -> Error {
        Error::caller(self.spec, field, self.offset(), kind)
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    pub(crate) fn cstr(&mut self, s: AnsiStr<'_>) {
        self.out.extend_from_slice(s.as_bytes());
        self.out.push(0);
    }

    pub(crate) fn cstrs(&mut self, list: &[AnsiStr<'_>]) {
        for s in list {
            self.cstr(*s);
        }
    }

    /// A count that must fit one byte.
    pub(crate) fn count_u8(&mut self, field: &'static str, n: usize) -> Result<(), Error> {
        let v = u8::try_from(n).map_err(|_| {
            self.err(
                field,
                ErrorKind::FieldTooLong {
                    actual: n,
                    max: usize::from(u8::MAX),
                },
            )
        })?;
        self.u8(v);
        Ok(())
    }

    pub(crate) fn len_u16(&mut self, field: &'static str, n: usize) -> Result<(), Error> {
        let v = u16::try_from(n).map_err(|_| {
            self.err(
                field,
                ErrorKind::FieldTooLong {
                    actual: n,
                    max: usize::from(u16::MAX),
                },
            )
        })?;
        self.u16(v);
        Ok(())
    }

    pub(crate) fn len_u32(&mut self, field: &'static str, n: usize) -> Result<(), Error> {
        let v = u32::try_from(n).map_err(|_| {
            self.err(
                field,
                ErrorKind::FieldTooLong {
                    actual: n,
                    max: usize::try_from(u32::MAX).unwrap_or(usize::MAX),
                },
            )
        })?;
        self.u32(v);
        Ok(())
    }

    pub(crate) fn u16_prefixed(&mut self, len_field: &'static str, b: &[u8]) -> Result<(), Error> {
        self.len_u16(len_field, b.len())?;
        self.bytes(b);
        Ok(())
    }

    pub(crate) fn u32_prefixed(&mut self, len_field: &'static str, b: &[u8]) -> Result<(), Error> {
        self.len_u32(len_field, b.len())?;
        self.bytes(b);
        Ok(())
    }

    pub(crate) fn nonce(&mut self, n: Nonce<'_>) {
        const LEN: [u8; 2] = (NONCE_LEN as u16).to_le_bytes();
        self.bytes(&LEN);
        self.bytes(n);
    }

    /// Writes a nested structure behind a u16 length that is filled in
    /// once the structure is written.
    pub(crate) fn u16_prefixed_with(
        &mut self,
        len_field: &'static str,
        f: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let len_at = self.out.len();
        let field_offset = self.offset();
        self.u16(0);
        let body_start = self.out.len();
        f(self.out).map_err(|e| e.shifted(field_offset + 2))?;
        let n = self.out.len() - body_start;
        let v = u16::try_from(n).map_err(|_| {
            Error::caller(
                self.spec,
                len_field,
                field_offset,
                ErrorKind::FieldTooLong {
                    actual: n,
                    max: usize::from(u16::MAX),
                },
            )
        })?;
        if let Some(slot) = self.out.get_mut(len_at..len_at + 2) {
            slot.copy_from_slice(&v.to_le_bytes());
        }
        Ok(())
    }

    /// Overwrites the u16 at `offset` (from the structure start).
    pub(crate) fn patch_u16(&mut self, offset: usize, v: u16) {
        let at = self.start + offset;
        if let Some(slot) = self.out.get_mut(at..at + 2) {
            slot.copy_from_slice(&v.to_le_bytes());
        }
    }
}

/// Runs `f` to append one structure to `out`; on error, `out` is left as it
/// was.
pub(crate) fn encode(
    out: &mut Vec<u8>,
    spec: Spec,
    f: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let start = out.len();
    let mut w = Writer { out, start, spec };
    let result = f(&mut w);
    if result.is_err() {
        w.out.truncate(start);
    }
    result
}
