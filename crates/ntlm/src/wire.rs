//! Byte-level helpers shared by the codecs: little-endian reads that never
//! panic, UTF-16LE strings, and the upper-casing NTLM applies to user names.

use crate::error::{Error, ErrorKind, Message, Result};

/// `buf[offset..offset + N]` as an array, or `None` past the end.
pub(crate) fn array_at<const N: usize>(buf: &[u8], offset: usize) -> Option<[u8; N]> {
    let end = offset.checked_add(N)?;
    buf.get(offset..end)?.try_into().ok()
}

pub(crate) fn u16_at(buf: &[u8], offset: usize) -> Option<u16> {
    array_at::<2>(buf, offset).map(u16::from_le_bytes)
}

pub(crate) fn u32_at(buf: &[u8], offset: usize) -> Option<u32> {
    array_at::<4>(buf, offset).map(u32::from_le_bytes)
}

pub(crate) fn u64_at(buf: &[u8], offset: usize) -> Option<u64> {
    array_at::<8>(buf, offset).map(u64::from_le_bytes)
}

/// Overwrites `buf[offset..offset + bytes.len()]`; `false` when out of range.
pub(crate) fn write_at(buf: &mut [u8], offset: usize, bytes: &[u8]) -> bool {
    let Some(end) = offset.checked_add(bytes.len()) else {
        return false;
    };
    match buf.get_mut(offset..end) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

/// Encodes `s` as UTF-16LE (the `UNICODE(...)` of [MS-NLMP] 3.3 and 2.2.2.1).
pub fn encode_utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Decodes UTF-16LE bytes (odd lengths and unpaired surrogates are errors).
pub fn decode_utf16le(bytes: &[u8]) -> Result<String> {
    let err = || {
        Error::new(
            ErrorKind::InvalidString,
            Message::Api,
            "utf-16le string",
            "2.2",
        )
    };
    if !bytes.len().is_multiple_of(2) {
        return Err(err().at(bytes.len().saturating_sub(1)));
    }
    // `chunks_exact(2)` only yields two-byte chunks; the `_` arm is unreachable.
    let units = bytes.chunks_exact(2).map(|c| match c {
        [lo, hi] => u16::from_le_bytes([*lo, *hi]),
        _ => 0xFFFF,
    });
    char::decode_utf16(units)
        .collect::<core::result::Result<String, _>>()
        .map_err(|_| err())
}

/// Decodes an OEM-code-page string. The code page is the peer's and is not
/// knowable from the message; this maps bytes as ISO-8859-1, which is exact
/// for ASCII.
pub fn decode_oem(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The upper-casing NTLM applies to the user name in NTOWFv2 ([MS-NLMP]
/// 3.3.2) and that this crate uses for case-insensitive name matching.
///
/// Windows upper-cases one UTF-16 code unit at a time; this maps each
/// character to its Unicode upper case only when that is a single character
/// (so `ß` stays `ß` instead of becoming `SS`), which matches Windows for
/// the characters that occur in account names.
pub fn upper_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_round_trip_and_errors() {
        let b = encode_utf16le("User");
        assert_eq!(b, [0x55, 0, 0x73, 0, 0x65, 0, 0x72, 0]);
        assert_eq!(decode_utf16le(&b).ok().as_deref(), Some("User"));
        assert_eq!(
            decode_utf16le(&[0x41]).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidString)
        );
        // An unpaired high surrogate.
        assert_eq!(
            decode_utf16le(&[0x00, 0xd8]).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidString)
        );
    }

    #[test]
    fn upper_case_is_per_character() {
        assert_eq!(upper_case("alice"), "ALICE");
        assert_eq!(upper_case("straße"), "STRAßE");
        assert_eq!(upper_case("élodie"), "ÉLODIE");
    }

    #[test]
    fn reads_never_panic() {
        assert_eq!(u16_at(&[1], 0), None);
        assert_eq!(u32_at(&[1, 2, 3, 4], 1), None);
        assert_eq!(u32_at(&[1, 0, 0, 0], 0), Some(1));
        assert_eq!(u64_at(&[0; 8], usize::MAX), None);
        let mut b = [0u8; 4];
        assert!(!write_at(&mut b, 3, &[1, 2]));
        assert!(write_at(&mut b, 2, &[1, 2]));
        assert_eq!(b, [0, 0, 1, 2]);
    }
}
