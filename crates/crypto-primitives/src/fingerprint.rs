//! [MS-GRVSSTPS] 3.1.1.2 relay server certificate fingerprint.
//!
//! ```text
//! fingerprint = SHA-1( EncryptionPublicKeyAlgorithmName   -- UTF-16LE, no NUL ("DH")
//!                   || EncryptionAlgorithmName            -- UTF-16LE, no NUL ("ELGAMAL")
//!                   || EncryptionPublicKey )              -- DER
//! ```
//!
//! The three values come from the relay certificate's Groove extensions
//! (3.1.1.1, OIDs `2.16.840.1.114227.1.1.{2,3,1}`). Parsing the certificate is
//! not this crate's job: callers pass the extension values in.
//!
//! **Weak algorithm.** SHA-1; see [MS-GRVSSTPS] 5.1.1.

use sha1::{Digest, Sha1};

/// Length of the fingerprint (a SHA-1 digest).
pub const FINGERPRINT_LEN: usize = 20;

/// The relay certificate fingerprint from the two algorithm names (as text)
/// and the DER encryption public key.
///
/// The names are hashed as UTF-16LE without a terminating NUL; one trailing
/// `'\0'` in a name, if the caller kept it, is dropped (3.1.1.2: "the
/// null-terminators are not included").
pub fn relay_certificate_fingerprint(
    encryption_key_algorithm_name: &str,
    encryption_algorithm_name: &str,
    encryption_public_key_der: &[u8],
) -> [u8; FINGERPRINT_LEN] {
    let mut h = Sha1::new();
    for name in [encryption_key_algorithm_name, encryption_algorithm_name] {
        let name = name.strip_suffix('\0').unwrap_or(name);
        for unit in name.encode_utf16() {
            h.update(unit.to_le_bytes());
        }
    }
    h.update(encryption_public_key_der);
    h.finalize().into()
}

/// The fingerprint from the names already encoded as UTF-16LE bytes (as a
/// certificate may carry them). The bytes are hashed as given: strip any
/// NUL terminator first.
pub fn relay_certificate_fingerprint_utf16le(
    encryption_key_algorithm_name_utf16le: &[u8],
    encryption_algorithm_name_utf16le: &[u8],
    encryption_public_key_der: &[u8],
) -> [u8; FINGERPRINT_LEN] {
    let mut h = Sha1::new();
    h.update(encryption_key_algorithm_name_utf16le);
    h.update(encryption_algorithm_name_utf16le);
    h.update(encryption_public_key_der);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_utf16le_forms_agree_and_nul_is_excluded() {
        let key = [0x30, 0x03, 0x02, 0x01, 0x05];
        let a = relay_certificate_fingerprint("DH", "ELGAMAL", &key);
        let b = relay_certificate_fingerprint("DH\0", "ELGAMAL\0", &key);
        let c = relay_certificate_fingerprint_utf16le(
            &[b'D', 0, b'H', 0],
            &[
                b'E', 0, b'L', 0, b'G', 0, b'A', 0, b'M', 0, b'A', 0, b'L', 0,
            ],
            &key,
        );
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_ne!(a, relay_certificate_fingerprint("DH", "ELGAMAL", &key[..4]));
    }
}
