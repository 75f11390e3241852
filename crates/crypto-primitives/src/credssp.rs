//! [MS-CSSP] 3.1.5 public-key binding values (pubKeyAuth plaintexts).
//!
//! Versions 5 and 6 bind the TLS server key with a nonce hash:
//!
//! ```text
//! ClientServerHash = SHA256("CredSSP Client-To-Server Binding Hash\0" || Nonce || SubjectPublicKey)
//! ServerClientHash = SHA256("CredSSP Server-To-Client Binding Hash\0" || Nonce || SubjectPublicKey)
//! ```
//!
//! The magic strings include their NUL ("The hash MUST include the null
//! terminator"). The prose of 3.1.5 lists the inputs in another order, but the
//! pseudocode's order above is the one real peers use (checked against the
//! pyspnego v5/v6 samples in the tests). `SubjectPublicKey` is the content of
//! the certificate's `subjectPublicKey` BIT STRING (for RSA, the PKCS#1
//! `RSAPublicKey` DER); the nonce is the 32-byte `TSRequest.clientNonce`.
//!
//! Versions 2 to 4 send the raw key one way and the key with its first byte
//! incremented (wrapping) the other way: [`pre_v5_server_public_key`].

use sha2::{Digest, Sha256};

/// The client-to-server magic, NUL included.
pub const CLIENT_SERVER_HASH_MAGIC: &[u8] = b"CredSSP Client-To-Server Binding Hash\0";
/// The server-to-client magic, NUL included.
pub const SERVER_CLIENT_HASH_MAGIC: &[u8] = b"CredSSP Server-To-Client Binding Hash\0";
/// Length of the CredSSP nonce.
pub const CREDSSP_NONCE_LEN: usize = 32;

fn binding_hash(magic: &[u8], nonce: &[u8; CREDSSP_NONCE_LEN], spk: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(magic);
    h.update(nonce);
    h.update(spk);
    h.finalize().into()
}

/// The v5/v6 client-to-server binding hash (what the client encrypts into
/// `pubKeyAuth`).
pub fn client_server_binding_hash(
    nonce: &[u8; CREDSSP_NONCE_LEN],
    subject_public_key: &[u8],
) -> [u8; 32] {
    binding_hash(CLIENT_SERVER_HASH_MAGIC, nonce, subject_public_key)
}

/// The v5/v6 server-to-client binding hash (what the server encrypts into
/// its `pubKeyAuth`).
pub fn server_client_binding_hash(
    nonce: &[u8; CREDSSP_NONCE_LEN],
    subject_public_key: &[u8],
) -> [u8; 32] {
    binding_hash(SERVER_CLIENT_HASH_MAGIC, nonce, subject_public_key)
}

/// The v2–v4 server reply value: the `SubjectPublicKey` with 1 added to its
/// first byte (wrapping at 0xFF). An empty key stays empty.
pub fn pre_v5_server_public_key(subject_public_key: &[u8]) -> Vec<u8> {
    let mut out = subject_public_key.to_vec();
    if let Some(first) = out.first_mut() {
        *first = first.wrapping_add(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magics_carry_their_nul() {
        assert_eq!(CLIENT_SERVER_HASH_MAGIC.len(), 38);
        assert_eq!(CLIENT_SERVER_HASH_MAGIC.last(), Some(&0));
        assert_eq!(SERVER_CLIENT_HASH_MAGIC.last(), Some(&0));
    }

    #[test]
    fn plus_one_wraps() {
        assert_eq!(pre_v5_server_public_key(&[0x30, 0x82]), vec![0x31, 0x82]);
        assert_eq!(pre_v5_server_public_key(&[0xFF, 1]), vec![0x00, 1]);
        assert!(pre_v5_server_public_key(&[]).is_empty());
    }
}
