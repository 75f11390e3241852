//! Framing hint for IO adapters reading DER messages (such as TSRequests,
//! which CredSSP sends back to back over TLS with no other framing).
//!
//! [`der_frame_len`] looks at the start of a buffer and says how many bytes
//! the first DER TLV occupies, once its header (tag and length) is complete.
//! It checks only the header: indefinite, non-minimal and over-long lengths
//! are errors, and so is a length above the caller's limit, so an adapter
//! never buffers more than it agreed to.

use der::{Decode, Encode, Header, SliceReader};

use crate::Error;
use crate::error::{ErrorKind, length_to_usize};

/// The default limit of [`der_frame_len`]: 16 MiB, far above any real
/// TSRequest (a Kerberos PAC-laden ticket is tens of KiB).
pub const DEFAULT_MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// A DER header is at most 6 tag bytes (for a 32-bit tag number) plus 5
/// length bytes.
const MAX_HEADER_LEN: usize = 11;

const STRUCTURE: &str = "DER TLV";
const SECTION: &str = "[X.690] 8.1.1, 10.1";

/// How many bytes the DER TLV at the start of `buf` occupies, header
/// included: `None` while the header is incomplete (read more),
/// `Some(Ok(n))` once known (wait until `buf.len() >= n`), `Some(Err(_))`
/// when the header is not DER or `n` exceeds [`DEFAULT_MAX_FRAME_LEN`].
pub fn der_frame_len(buf: &[u8]) -> Option<Result<usize, Error>> {
    der_frame_len_max(buf, DEFAULT_MAX_FRAME_LEN)
}

/// [`der_frame_len`] with a caller-chosen limit on the whole TLV.
pub fn der_frame_len_max(buf: &[u8], max: usize) -> Option<Result<usize, Error>> {
    if buf.is_empty() {
        return None;
    }
    let head = buf.get(..MAX_HEADER_LEN).unwrap_or(buf);
    let mut reader = match SliceReader::new(head) {
        Ok(reader) => reader,
        Err(e) => return Some(Err(Error::der(e, STRUCTURE, SECTION))),
    };
    let header = match Header::decode(&mut reader) {
        Ok(header) => header,
        Err(e) if matches!(e.kind(), der::ErrorKind::Incomplete { .. }) => return None,
        Err(e) => return Some(Err(Error::der(e, STRUCTURE, SECTION))),
    };
    let header_len = header.encoded_len().map_or(MAX_HEADER_LEN, length_to_usize);
    let total = u64::from(u32::from(header.length())).saturating_add(header_len as u64);
    let max_u64 = u64::try_from(max).unwrap_or(u64::MAX);
    if total > max_u64 {
        return Some(Err(Error {
            kind: ErrorKind::FrameTooLarge {
                len: total,
                max: max_u64,
            },
            structure: STRUCTURE,
            field: None,
            section: SECTION,
            offset: Some(0),
        }));
    }
    Some(usize::try_from(total).map_err(|_| Error {
        kind: ErrorKind::FrameTooLarge {
            len: total,
            max: max_u64,
        },
        structure: STRUCTURE,
        field: None,
        section: SECTION,
        offset: Some(0),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_forms() {
        assert_eq!(der_frame_len(&[]).map(Result::ok), None);
        assert!(der_frame_len(&[0x30]).is_none());
        assert_eq!(der_frame_len(&[0x30, 0x00]).unwrap().unwrap(), 2);
        assert_eq!(der_frame_len(&[0x30, 0x7F]).unwrap().unwrap(), 0x81);
        assert!(der_frame_len(&[0x30, 0x82, 0x01]).is_none());
        assert_eq!(
            der_frame_len(&[0x30, 0x82, 0x01, 0x00]).unwrap().unwrap(),
            260
        );
        assert_eq!(
            der_frame_len(&[0x30, 0x83, 0x01, 0x90, 0x00, 0xA0])
                .unwrap()
                .unwrap(),
            0x019000 + 5
        );
    }

    #[test]
    fn rejects_non_der_headers() {
        for bad in [
            &[0x30, 0x80][..],            // indefinite
            &[0x30, 0x81, 0x05],          // non-minimal
            &[0x30, 0x82, 0x00, 0x80],    // non-minimal
            &[0x30, 0x85, 1, 0, 0, 0, 0], // 5 length octets
        ] {
            let err = der_frame_len(bad).unwrap().unwrap_err();
            assert!(matches!(err.kind, ErrorKind::Der(_)), "{bad:02x?}: {err}");
        }
    }

    #[test]
    fn enforces_the_limit() {
        let buf = [0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF];
        let err = der_frame_len(&buf).unwrap().unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::FrameTooLarge {
                len: 0x7FFF_FFFF + 6,
                max: DEFAULT_MAX_FRAME_LEN as u64
            }
        );
        assert_eq!(der_frame_len_max(&[0x30, 0x03], 5).unwrap().unwrap(), 5);
        assert!(der_frame_len_max(&[0x30, 0x04], 5).unwrap().is_err());
    }
}
