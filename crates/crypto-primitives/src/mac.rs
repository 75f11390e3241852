//! HMAC-SHA1 as the [MS-GRVSSTPS] security messages use it.
//!
//! Every message HMAC in [MS-GRVSSTPS] (2.2.1 SecConnect, 2.2.2
//! SecConnectResponse, 2.2.6 SecAttach, 2.2.7 SecAttachResponse, 2.2.13
//! SecDeviceAccountRegisterResponse, 2.2.15 SecAccountOnNewDevice, 2.2.16
//! SecAccountRegisterResponse, 2.2.17 SecIdentityRegister) is built the same
//! way:
//!
//! 1. apply SHA-1 to the concatenation of the listed elements, in order;
//! 2. apply HMAC-SHA1 (RFC 2104 / RFC 4634) to the 20-byte hash from step 1,
//!    keyed with the secret device or account key.
//!
//! So the MAC is `HMAC-SHA1(key, SHA-1(field_1 || ... || field_n))` — the
//! HMAC input is the 20-byte digest, not the fields themselves.
//! [`hmac_sha1_of_sha1`] takes the fields as a list of slices, so callers do
//! not concatenate. Which elements go in (message id byte, null-terminated
//! ANSI URLs with their NUL, fingerprint, nonce, 4-byte timestamp) is the
//! protocol layer's business.
//!
//! **Weak algorithms.** SHA-1 is broken for collision resistance and
//! [MS-GRVSSTPS] 5.1.1 calls SHA-1/HMAC-SHA1 "semi-weak". HMAC-SHA1 itself is
//! not affected by the known SHA-1 collision attacks, but the inner SHA-1
//! step of this construction is: two colliding field lists get the same MAC.

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};

const SECTION: &str = "[MS-GRVSSTPS] 2.2.1";

/// Length of an HMAC-SHA1 tag and of a SHA-1 digest.
pub const HMAC_SHA1_LEN: usize = 20;
/// SHA-1 block length; longer HMAC keys are hashed first (RFC 2104).
const SHA1_BLOCK_LEN: usize = 64;

/// SHA-1 over the concatenation of `fields` (step 1 of every message MAC and
/// signature in [MS-GRVSSTPS]).
pub fn sha1_of_fields(fields: &[&[u8]]) -> [u8; 20] {
    let mut h = Sha1::new();
    for f in fields {
        h.update(f);
    }
    h.finalize().into()
}

/// Builds an HMAC-SHA1 instance for any key length, without a fallible call.
///
/// RFC 2104: a key longer than the block is replaced by its hash, and the key
/// is then zero-padded to the block length; padding it here first gives the
/// same MAC.
fn keyed(key: &[u8]) -> Hmac<Sha1> {
    let mut block = Zeroizing::new([0u8; SHA1_BLOCK_LEN]);
    if key.len() > SHA1_BLOCK_LEN {
        let digest = Zeroizing::new(<[u8; 20]>::from(Sha1::digest(key)));
        for (d, s) in block.iter_mut().zip(digest.iter()) {
            *d = *s;
        }
    } else {
        for (d, s) in block.iter_mut().zip(key) {
            *d = *s;
        }
    }
    let key_block = Zeroizing::new(hmac::digest::Key::<Hmac<Sha1>>::from(*block));
    <Hmac<Sha1> as KeyInit>::new(&key_block)
}

/// Plain HMAC-SHA1 (RFC 2104) of `data` under `key`.
pub fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut mac = keyed(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The [MS-GRVSSTPS] message MAC: `HMAC-SHA1(key, SHA-1(fields[0] || ...))`.
pub fn hmac_sha1_of_sha1(key: &[u8], fields: &[&[u8]]) -> [u8; 20] {
    hmac_sha1(key, &sha1_of_fields(fields))
}

/// Recomputes the message MAC over `fields` and compares it with `mac` in
/// constant time.
///
/// # Errors
/// [`ErrorKind::VerificationFailed`] ([`Origin::Peer`]) when `mac` is not the
/// 20-byte MAC of the fields under `key`.
///
/// [`Origin::Peer`]: crate::Origin::Peer
pub fn verify_hmac_sha1_of_sha1(key: &[u8], fields: &[&[u8]], mac: &[u8]) -> Result<(), Error> {
    let mut m = keyed(key);
    m.update(&sha1_of_fields(fields));
    // `verify_slice` compares in constant time and rejects wrong lengths.
    m.verify_slice(mac).map_err(|_| {
        Error::peer(ErrorKind::VerificationFailed, "hmac-sha1 verify", SECTION).field("hmac")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2202_case_2() {
        // RFC 2202 section 3, test case 2.
        assert_eq!(
            hex::encode(hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn of_sha1_is_hmac_of_the_digest_of_the_concatenation() {
        let key = [0x42u8; 24];
        let fields: [&[u8]; 3] = [&[0x01], b"dpp://device\0", &[9u8; 24]];
        let concat: Vec<u8> = fields.concat();
        let expected = hmac_sha1(&key, &Sha1::digest(&concat));
        assert_eq!(hmac_sha1_of_sha1(&key, &fields), expected);
        // Splitting the same bytes differently gives the same MAC.
        let (a, b) = concat.split_at(5);
        assert_eq!(hmac_sha1_of_sha1(&key, &[a, b]), expected);
        verify_hmac_sha1_of_sha1(&key, &fields, &expected).unwrap();
    }

    #[test]
    fn verify_rejects_wrong_tag_and_length() {
        let key = [1u8; 24];
        let fields: [&[u8]; 1] = [b"x"];
        let mut tag = hmac_sha1_of_sha1(&key, &fields);
        tag[19] ^= 1;
        let e = verify_hmac_sha1_of_sha1(&key, &fields, &tag).unwrap_err();
        assert_eq!(e.kind, ErrorKind::VerificationFailed);
        assert!(e.is_peer_error());
        tag[19] ^= 1;
        assert!(verify_hmac_sha1_of_sha1(&key, &fields, &tag[..19]).is_err());
        assert!(verify_hmac_sha1_of_sha1(&[2u8; 24], &fields, &tag).is_err());
    }
}
