//! [MS-GRVSSTPS] 3.1.1.4 MARC4 ("Modified Alleged RC4").
//!
//! MARC4 is RC4 keyed with `key XOR IV` (the IV has the key's length and is
//! fresh for every encryption), with the first 256 keystream bytes thrown
//! away. It is Crypto++'s `Weak::MARC4` with the IV XOR done outside. The
//! protocol uses it to encrypt the 24-byte nonces of the device and account
//! authentication exchanges under the 24-byte device or account key.
//!
//! **Weak algorithm.** RC4 has well-known keystream biases ([MS-GRVSSTPS]
//! 5.1.2 calls MARC4 "somewhat weak"); dropping 256 bytes removes only the
//! worst of them. Use it only to speak this protocol.
//!
//! RC4 itself is the audited `rc4` crate (any key length from 1 to 256
//! bytes); this module adds the IV XOR and the drop.

use rc4::{KeyInit, Rc4, StreamCipher};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};

const SECTION: &str = "[MS-GRVSSTPS] 3.1.1.4";
const OPERATION: &str = "marc4";

/// Number of initial keystream bytes MARC4 discards.
pub const MARC4_DISCARD: usize = 256;
/// Length of the Groove device and account keys, and of their IVs.
pub const GROOVE_KEY_LEN: usize = 24;
/// Smallest RC4 key length.
pub const MIN_KEY_LEN: usize = 1;
/// Largest RC4 key length.
pub const MAX_KEY_LEN: usize = 256;

/// A MARC4 keystream, keyed and with the first 256 bytes already dropped.
///
/// Encryption and decryption are the same operation
/// ([`Marc4::apply_keystream`]). One instance per IV: a new IV means a new
/// instance. The RC4 state is wiped on drop and `Debug` is redacted.
pub struct Marc4 {
    rc4: Rc4,
}

impl Marc4 {
    /// Keys RC4 with `key XOR iv` and discards the first 256 keystream
    /// bytes.
    ///
    /// # Errors
    /// * the key is empty or longer than 256 bytes ([`Origin::Caller`]),
    /// * the IV length differs from the key length ([`Origin::Peer`]: in the
    ///   protocol the IV is the value that arrives from the wire).
    ///
    /// [`Origin::Caller`]: crate::Origin::Caller
    /// [`Origin::Peer`]: crate::Origin::Peer
    pub fn new(key: &[u8], iv: &[u8]) -> Result<Self, Error> {
        if key.len() < MIN_KEY_LEN || key.len() > MAX_KEY_LEN {
            return Err(Error::caller(
                ErrorKind::LengthOutOfRange {
                    min: MIN_KEY_LEN,
                    max: MAX_KEY_LEN,
                    actual: key.len(),
                },
                OPERATION,
                SECTION,
            )
            .field("key"));
        }
        if iv.len() != key.len() {
            return Err(Error::peer(
                ErrorKind::LengthMismatch {
                    expected: key.len(),
                    actual: iv.len(),
                },
                OPERATION,
                SECTION,
            )
            .field("iv"));
        }
        let mixed: Zeroizing<Vec<u8>> =
            Zeroizing::new(key.iter().zip(iv).map(|(k, v)| k ^ v).collect());
        let mut rc4 = Rc4::new_from_slice(&mixed)
            .map_err(|_| Error::internal("rc4 rejected the key length", OPERATION, SECTION))?;
        let mut discard = Zeroizing::new([0u8; MARC4_DISCARD]);
        rc4.apply_keystream(discard.as_mut_slice());
        Ok(Self { rc4 })
    }

    /// XORs the next `data.len()` keystream bytes into `data` (encrypts or
    /// decrypts in place).
    pub fn apply_keystream(&mut self, data: &mut [u8]) {
        self.rc4.apply_keystream(data);
    }
}

impl core::fmt::Debug for Marc4 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Marc4(<redacted>)")
    }
}

/// One-shot MARC4: encrypts or decrypts `data` in place under `key` and `iv`.
///
/// # Errors
/// As [`Marc4::new`].
pub fn marc4_apply(key: &[u8], iv: &[u8], data: &mut [u8]) -> Result<(), Error> {
    Marc4::new(key, iv)?.apply_keystream(data);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    #[test]
    fn rfc6229_40_bit_key_offset_256() {
        // RFC 6229 section 2, key 0x0102030405, row "DEC 256 HEX 100".
        let mut data = [0u8; 16];
        marc4_apply(&hex::decode("0102030405").unwrap(), &[0; 5], &mut data).unwrap();
        assert_eq!(hex::encode(data), "1cfcf62b03eddb641d77dfcf7f8d8c93");
    }

    #[test]
    fn streaming_equals_one_shot() {
        let key = [7u8; GROOVE_KEY_LEN];
        let iv = [9u8; GROOVE_KEY_LEN];
        let mut whole = [0x5Au8; 50];
        marc4_apply(&key, &iv, &mut whole).unwrap();
        let mut parts = [0x5Au8; 50];
        let mut c = Marc4::new(&key, &iv).unwrap();
        let (a, b) = parts.split_at_mut(17);
        c.apply_keystream(a);
        c.apply_keystream(b);
        assert_eq!(whole, parts);
    }

    #[test]
    fn iv_length_must_equal_key_length() {
        let e = Marc4::new(&[1; 24], &[2; 23]).unwrap_err();
        assert_eq!(e.origin, Origin::Peer);
        assert_eq!(e.field, Some("iv"));
        assert_eq!(
            e.kind,
            ErrorKind::LengthMismatch {
                expected: 24,
                actual: 23
            }
        );
    }

    #[test]
    fn key_length_limits() {
        assert_eq!(Marc4::new(&[], &[]).unwrap_err().origin, Origin::Caller);
        assert!(Marc4::new(&[1; 257], &[0; 257]).is_err());
        assert!(Marc4::new(&[1; 256], &[0; 256]).is_ok());
        assert!(Marc4::new(&[1], &[0]).is_ok());
    }

    #[test]
    fn debug_is_redacted() {
        let c = Marc4::new(&[0xAB; 24], &[0; 24]).unwrap();
        assert_eq!(format!("{c:?}"), "Marc4(<redacted>)");
    }
}
