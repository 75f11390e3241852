//! The protocol glue both engines share: which fields go into each MAC and
//! signature ([MS-GRVSSTPS] 2.2), MARC4 nonce encryption (3.1.1.4), and the
//! constants this crate has to choose.
//!
//! Keeping every field list in one place is what makes the client and the
//! relay agree: each list is written once and used by both sides.

use crypto_primitives::mac::{hmac_sha1_of_sha1, verify_hmac_sha1_of_sha1};
use crypto_primitives::marc4::marc4_apply;
use crypto_primitives::secret::{SecretArray, ct_eq_bytes};
use rand_core::CryptoRng;
use sstp_wire::consts::{
    SEC_ACCOUNT_ON_NEW_DEVICE, SEC_ACCOUNT_REGISTER, SEC_ACCOUNT_REGISTER_RESPONSE, SEC_ATTACH,
    SEC_ATTACH_RESPONSE, SEC_CONNECT, SEC_CONNECT_RESPONSE, SEC_DEVICE_ACCOUNT_REGISTER,
    SEC_DEVICE_ACCOUNT_REGISTER_RESPONSE, SEC_IDENTITY_REGISTER,
};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::keys::{SECRET_KEY_LEN, SecretKey, SecretNonce};

/// What one call of an engine produced
/// ([`crate::client::ClientOutput`], [`crate::relay::RelayOutput`]).
#[derive(Debug)]
pub struct EngineOutput<E> {
    /// Commands to send, in order.
    pub send: Vec<Vec<u8>>,
    /// What happened.
    pub events: Vec<E>,
    /// The transport should be closed after sending.
    pub close_connection: bool,
}

impl<E> Default for EngineOutput<E> {
    fn default() -> Self {
        Self {
            send: Vec::new(),
            events: Vec::new(),
            close_connection: false,
        }
    }
}

/// A null-terminated ANSI string as the MAC and signature inputs use it
/// (2.2: "for an ANSI string the terminating NULL character is included").
pub(crate) fn z(s: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s);
    v.push(0);
    v
}

/// A fresh 24-byte random value (nonce or IV).
fn random24<R: CryptoRng + ?Sized>(rng: &mut R) -> SecretNonce {
    let mut b = Zeroizing::new([0u8; SECRET_KEY_LEN]);
    rng.fill_bytes(b.as_mut());
    SecretArray::new(*b)
}

/// MARC4 (3.1.1.4) of a 24-byte block with `key` and `iv`. MARC4 with a
/// 24-byte key and IV cannot fail; the error branch is unreachable in
/// practice and yields `None`.
pub(crate) fn marc4(key: &SecretKey, iv: &[u8; 24], data: &[u8; 24]) -> Option<SecretNonce> {
    let mut out = Zeroizing::new(*data);
    marc4_apply(key.expose_secret(), iv, out.as_mut()).ok()?;
    Some(SecretArray::new(*out))
}

/// A fresh nonce with the fresh IV and MARC4 key that encrypt it (3.1.1.4),
/// as every message that sends a nonce carries it.
pub(crate) struct EncryptedNonce {
    /// The nonce in clear (kept by the sender).
    pub nonce: SecretNonce,
    /// The IV, sent in clear.
    pub iv: SecretNonce,
    /// `MARC4(key, iv, nonce)`, sent.
    pub encrypted: SecretNonce,
}

/// Draws a nonce, then an IV, from `rng` and encrypts the nonce with `key`
/// and the IV ([`marc4`]); `section` names the step for the (unreachable)
/// MARC4 failure.
pub(crate) fn fresh_encrypted_nonce<R: CryptoRng + ?Sized>(
    rng: &mut R,
    key: &SecretKey,
    section: &'static str,
) -> Result<EncryptedNonce, Error> {
    let nonce = random24(rng);
    let iv = random24(rng);
    let encrypted = marc4(key, iv.expose_secret(), nonce.expose_secret())
        .ok_or_else(|| Error::state("marc4 failed", section))?;
    Ok(EncryptedNonce {
        nonce,
        iv,
        encrypted,
    })
}

/// Constant-time comparison of a kept nonce with received bytes.
pub(crate) fn nonce_eq(kept: &SecretNonce, received: &[u8]) -> bool {
    ct_eq_bytes(kept.expose_secret(), received)
}

/// The MAC inputs of each message, in the order of its section.
pub(crate) mod fields {
    use super::*;

    /// 2.2.1 SecConnect: id, device URL, fingerprint, DeviceNonce.
    pub(crate) fn sec_connect(device_url: &[u8], fp: &[u8], device_nonce: &[u8]) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_CONNECT],
            z(device_url),
            fp.to_vec(),
            device_nonce.to_vec(),
        ]
    }

    /// 2.2.2 SecConnectResponse: id, device URL, fingerprint, RelayNonce.
    pub(crate) fn sec_connect_response(
        device_url: &[u8],
        fp: &[u8],
        relay_nonce: &[u8],
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_CONNECT_RESPONSE],
            z(device_url),
            fp.to_vec(),
            relay_nonce.to_vec(),
        ]
    }

    /// 2.2.6 SecAttach: id, account URL, relay URL, device URL, AccountNonce.
    pub(crate) fn sec_attach(
        account_url: &[u8],
        relay_url: &[u8],
        device_url: &[u8],
        account_nonce: &[u8],
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_ATTACH],
            z(account_url),
            z(relay_url),
            z(device_url),
            account_nonce.to_vec(),
        ]
    }

    /// 2.2.7 SecAttachResponse: id, account URL, relay URL, device URL,
    /// RelayNonce.
    pub(crate) fn sec_attach_response(
        account_url: &[u8],
        relay_url: &[u8],
        device_url: &[u8],
        relay_nonce: &[u8],
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_ATTACH_RESPONSE],
            z(account_url),
            z(relay_url),
            z(device_url),
            relay_nonce.to_vec(),
        ]
    }

    /// 2.2.12 SecDeviceAccountRegister signature: id, account URL, device
    /// URL, fingerprint, EncryptedDeviceNonce, EncryptedRelayDeviceKey,
    /// Timestamp, DevicePublicKeysObject.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sec_device_account_register(
        account_url: &[u8],
        device_url: &[u8],
        fp: &[u8],
        encrypted_device_nonce: &[u8],
        encrypted_device_key: &[u8],
        timestamp: u32,
        device_pko: &[u8],
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_DEVICE_ACCOUNT_REGISTER],
            z(account_url),
            z(device_url),
            fp.to_vec(),
            encrypted_device_nonce.to_vec(),
            encrypted_device_key.to_vec(),
            timestamp.to_le_bytes().to_vec(),
            device_pko.to_vec(),
        ]
    }

    /// 2.2.14 SecAccountRegister signature: id, account URL, device URL,
    /// fingerprint, Timestamp, EncryptedRelayAccountKey,
    /// AccountPublicKeysObject.
    pub(crate) fn sec_account_register(
        account_url: &[u8],
        device_url: &[u8],
        fp: &[u8],
        timestamp: u32,
        encrypted_account_key: &[u8],
        account_pko: &[u8],
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_ACCOUNT_REGISTER],
            z(account_url),
            z(device_url),
            fp.to_vec(),
            timestamp.to_le_bytes().to_vec(),
            encrypted_account_key.to_vec(),
            account_pko.to_vec(),
        ]
    }

    /// 2.2.15 SecAccountOnNewDevice: id, account URL, device URL,
    /// fingerprint, Timestamp.
    pub(crate) fn sec_account_on_new_device(
        account_url: &[u8],
        device_url: &[u8],
        fp: &[u8],
        timestamp: u32,
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_ACCOUNT_ON_NEW_DEVICE],
            z(account_url),
            z(device_url),
            fp.to_vec(),
            timestamp.to_le_bytes().to_vec(),
        ]
    }

    /// 2.2.16 SecAccountRegisterResponse: id, 0x00, account URL, device URL,
    /// fingerprint, Timestamp.
    pub(crate) fn sec_account_register_response(
        account_url: &[u8],
        device_url: &[u8],
        fp: &[u8],
        timestamp: u32,
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_ACCOUNT_REGISTER_RESPONSE, 0x00],
            z(account_url),
            z(device_url),
            fp.to_vec(),
            timestamp.to_le_bytes().to_vec(),
        ]
    }

    /// 2.2.13 SecDeviceAccountRegisterResponse: id, 0x00, account URL,
    /// device URL, fingerprint, RelayNonce.
    pub(crate) fn sec_device_account_register_response(
        account_url: &[u8],
        device_url: &[u8],
        fp: &[u8],
        relay_nonce: &[u8],
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_DEVICE_ACCOUNT_REGISTER_RESPONSE, 0x00],
            z(account_url),
            z(device_url),
            fp.to_vec(),
            relay_nonce.to_vec(),
        ]
    }

    /// 2.2.17 SecIdentityRegister: id, account URL, relay URL, device URL,
    /// Timestamp.
    pub(crate) fn sec_identity_register(
        account_url: &[u8],
        relay_url: &[u8],
        device_url: &[u8],
        timestamp: u32,
    ) -> Vec<Vec<u8>> {
        vec![
            vec![SEC_IDENTITY_REGISTER],
            z(account_url),
            z(relay_url),
            z(device_url),
            timestamp.to_le_bytes().to_vec(),
        ]
    }
}

fn refs(fields: &[Vec<u8>]) -> Vec<&[u8]> {
    fields.iter().map(Vec::as_slice).collect()
}

/// `HMAC-SHA1(key, SHA-1(fields))`.
pub(crate) fn mac(key: &SecretKey, fields: &[Vec<u8>]) -> [u8; 20] {
    hmac_sha1_of_sha1(key.expose_secret(), &refs(fields))
}

/// Verifies a received MAC in constant time.
pub(crate) fn mac_ok(key: &SecretKey, fields: &[Vec<u8>], received: &[u8]) -> bool {
    verify_hmac_sha1_of_sha1(key.expose_secret(), &refs(fields), received).is_ok()
}

/// The field list as slices, for the RSA signature helpers.
pub(crate) fn field_refs(fields: &[Vec<u8>]) -> Vec<&[u8]> {
    refs(fields)
}
