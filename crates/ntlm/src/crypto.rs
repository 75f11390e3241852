//! The NTLMv2 key and response computations of [MS-NLMP] 3.3.2, 3.4.4.2,
//! 3.4.5 and 3.1.5.1.2, on RustCrypto's `md4`, `md-5`, `hmac` and `rc4`.
//!
//! **These algorithms are weak.** NTLM builds on MD4, MD5, HMAC-MD5 and RC4;
//! an NT hash is a password equivalent and NTLMv2 responses can be attacked
//! offline. Use NTLM only where a peer requires it, inside an authenticated
//! TLS channel (as CredSSP does), and prefer Kerberos.
//!
//! The functions are exposed as building blocks (and for known-answer tests);
//! the [`crate::NtlmClient`] / [`crate::NtlmServer`] state machines use them.

use core::fmt;

use crypto_primitives::SecretArray;
use hmac::{Hmac, KeyInit, Mac};
use md4::{Digest, Md4};
use md5::Md5;
use rc4::{Rc4, StreamCipher};
use zeroize::Zeroizing;

use crate::credentials::NtHash;
use crate::flags::NegotiateFlags;
use crate::wire::{encode_utf16le, upper_case};

/// A 16-byte NTLM key (ResponseKeyNT, SessionBaseKey, ExportedSessionKey,
/// signing and sealing keys): zeroized on drop, redacted in `Debug`.
pub type Key = SecretArray<16>;

/// HMAC-MD5 keyed with a 16-byte key over the concatenation of `parts`.
///
/// HMAC zero-pads keys shorter than the 64-byte MD5 block (RFC 2104 §2), so
/// padding explicitly and using the fixed-size constructor gives the same MAC
/// without a fallible key-length check.
pub(crate) fn hmac_md5(key: &[u8; 16], parts: &[&[u8]]) -> [u8; 16] {
    let mut block = Zeroizing::new([0u8; 64]);
    for (dst, src) in block.iter_mut().zip(key.iter()) {
        *dst = *src;
    }
    let mut mac = <Hmac<Md5> as KeyInit>::new(&(*block).into());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for part in parts {
        h.update(part);
    }
    h.finalize().into()
}

/// NTOWFv1 = MD4(UNICODE(Passwd)) ([MS-NLMP] 3.3.1), from the UTF-16LE password.
pub(crate) fn md4_utf16(password_utf16le: &[u8]) -> Key {
    SecretArray::new(Md4::digest(password_utf16le).into())
}

/// NTOWFv2 = HMAC_MD5(NTOWFv1(Passwd), UNICODE(Uppercase(User) ‖ UserDom))
/// ([MS-NLMP] 3.3.2). Also LMOWFv2. The domain is used exactly as given.
pub fn nt_owf_v2(nt_hash: &NtHash, user: &str, domain: &str) -> Key {
    let mut who = upper_case(user);
    who.push_str(domain);
    let who = Zeroizing::new(encode_utf16le(&who));
    SecretArray::new(hmac_md5(nt_hash.expose_secret(), &[&who]))
}

/// NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge ‖ temp)
/// ([MS-NLMP] 3.3.2), where `temp` is the NTLMv2_CLIENT_CHALLENGE blob —
/// on the acceptor side, exactly as received.
pub fn nt_proof_str(response_key: &Key, server_challenge: &[u8; 8], temp: &[u8]) -> [u8; 16] {
    hmac_md5(response_key.expose_secret(), &[server_challenge, temp])
}

/// SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr) ([MS-NLMP] 3.3.2).
/// For NTLMv2, KeyExchangeKey = SessionBaseKey ([MS-NLMP] 3.4.5.1).
pub fn session_base_key(response_key: &Key, nt_proof_str: &[u8; 16]) -> Key {
    SecretArray::new(hmac_md5(response_key.expose_secret(), &[nt_proof_str]))
}

/// LMv2 response = HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ClientChallenge)
/// ‖ ClientChallenge ([MS-NLMP] 3.3.2).
pub fn lmv2_response(
    response_key: &Key,
    server_challenge: &[u8; 8],
    client_challenge: &[u8; 8],
) -> [u8; 24] {
    let mac = hmac_md5(
        response_key.expose_secret(),
        &[server_challenge, client_challenge],
    );
    let mut out = [0u8; 24];
    for (dst, src) in out
        .iter_mut()
        .zip(mac.iter().chain(client_challenge.iter()))
    {
        *dst = *src;
    }
    out
}

/// EncryptedRandomSessionKey = RC4K(KeyExchangeKey, ExportedSessionKey)
/// ([MS-NLMP] 3.1.5.1.2, NTLMSSP_NEGOTIATE_KEY_EXCH).
pub fn encrypt_session_key(key_exchange_key: &Key, exported_session_key: &Key) -> [u8; 16] {
    let mut out = *exported_session_key.expose_secret();
    Rc4Stream::new(key_exchange_key).apply(&mut out);
    out
}

/// ExportedSessionKey = RC4K(KeyExchangeKey, EncryptedRandomSessionKey)
/// ([MS-NLMP] 3.2.5.1.2).
pub fn decrypt_session_key(key_exchange_key: &Key, encrypted: &[u8; 16]) -> Key {
    let mut out = *encrypted;
    Rc4Stream::new(key_exchange_key).apply(&mut out);
    let key = SecretArray::new(out);
    zeroize::Zeroize::zeroize(&mut out);
    key
}

/// MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE),
/// the AUTHENTICATE with its MIC field zeroed ([MS-NLMP] 3.1.5.1.2).
pub fn mic(
    exported_session_key: &Key,
    negotiate: &[u8],
    challenge: &[u8],
    authenticate_zero_mic: &[u8],
) -> [u8; 16] {
    hmac_md5(
        exported_session_key.expose_secret(),
        &[negotiate, challenge, authenticate_zero_mic],
    )
}

/// The direction a session-security key protects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Client to server ("client-to-server" magic constants).
    ClientToServer,
    /// Server to client ("server-to-client" magic constants).
    ServerToClient,
}

/// SIGNKEY ([MS-NLMP] 3.4.5.2, extended session security):
/// MD5(ExportedSessionKey ‖ "session key to {client-to-server|server-to-client}
/// signing key magic constant" ‖ 0x00).
pub fn sign_key(exported_session_key: &Key, direction: Direction) -> Key {
    let magic: &[u8] = match direction {
        Direction::ClientToServer => {
            b"session key to client-to-server signing key magic constant\0"
        }
        Direction::ServerToClient => {
            b"session key to server-to-client signing key magic constant\0"
        }
    };
    SecretArray::new(md5(&[exported_session_key.expose_secret(), magic]))
}

/// SEALKEY ([MS-NLMP] 3.4.5.3, extended session security): MD5 of the
/// ExportedSessionKey — all 16 bytes with NTLMSSP_NEGOTIATE_128, else the
/// first 7 with NTLMSSP_NEGOTIATE_56, else the first 5 — followed by the
/// "... sealing key magic constant" and a 0x00.
pub fn seal_key(exported_session_key: &Key, flags: NegotiateFlags, direction: Direction) -> Key {
    let magic: &[u8] = match direction {
        Direction::ClientToServer => {
            b"session key to client-to-server sealing key magic constant\0"
        }
        Direction::ServerToClient => {
            b"session key to server-to-client sealing key magic constant\0"
        }
    };
    let key = exported_session_key.expose_secret();
    let strength = if flags.contains(NegotiateFlags::NEGOTIATE_128) {
        16
    } else if flags.contains(NegotiateFlags::NEGOTIATE_56) {
        7
    } else {
        5
    };
    let truncated = key.get(..strength).unwrap_or(key);
    SecretArray::new(md5(&[truncated, magic]))
}

/// MsvAvChannelBindings value: MD5 of a gss_channel_bindings_struct with no
/// initiator/acceptor addresses ([MS-NLMP] 2.2.2.1, RFC 2744 §3.11):
/// 16 zero bytes ‖ LE32(len) ‖ application_data. For TLS,
/// `application_data` is `"tls-server-end-point:"` ‖ the certificate hash
/// (RFC 5929).
pub fn channel_bindings_hash(application_data: &[u8]) -> [u8; 16] {
    let len = u32::try_from(application_data.len()).unwrap_or(u32::MAX);
    md5(&[&[0u8; 16], &len.to_le_bytes(), application_data])
}

/// An RC4 keystream ("the sealing handle" of [MS-NLMP] 3.4.4). The state is
/// zeroized on drop (rc4's `zeroize` feature) and never printed.
pub(crate) struct Rc4Stream(Rc4);

impl Rc4Stream {
    pub(crate) fn new(key: &Key) -> Self {
        // RC4's key schedule reads key[i mod keylen]: the 16-byte key repeated
        // to 32 bytes gives the identical state, and lets us use the
        // infallible fixed-size (32-byte) constructor.
        let mut doubled = Zeroizing::new([0u8; 32]);
        for (dst, src) in doubled.iter_mut().zip(key.expose_secret().iter().cycle()) {
            *dst = *src;
        }
        Self(<Rc4 as rc4::KeyInit>::new(&(*doubled).into()))
    }

    pub(crate) fn apply(&mut self, data: &mut [u8]) {
        self.0.apply_keystream(data);
    }
}

impl fmt::Debug for Rc4Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rc4Stream(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubled_key_rc4_equals_rc4_with_16_byte_key() {
        // RFC 6229 key 0x0102...10 (128-bit), offset 0: 9ac7cc9a609d1ef7b2932899cde41b97.
        let key = SecretArray::new(core::array::from_fn(|i| (i as u8) + 1));
        let mut ks = [0u8; 16];
        Rc4Stream::new(&key).apply(&mut ks);
        assert_eq!(hex(&ks), "9ac7cc9a609d1ef7b2932899cde41b97");
        let mut direct = <Rc4 as rc4::KeyInit>::new_from_slice(key.expose_secret()).unwrap();
        let mut ks2 = [0u8; 16];
        direct.apply_keystream(&mut ks2);
        assert_eq!(ks, ks2);
    }

    #[test]
    fn hmac_md5_rfc2202_case_2() {
        // RFC 2202 test case 2 uses the 4-byte key "Jefe"; zero-padding to 16
        // bytes is the same HMAC key.
        let mut key = [0u8; 16];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex(&hmac_md5(&key, &[b"what do ya want ", b"for nothing?"])),
            "750c783e6ab0b503eaa86e310a5db738"
        );
    }

    #[test]
    fn md4_rfc1320() {
        assert_eq!(
            hex(md4_utf16(b"message digest").expose_secret()),
            "d9130a8164549fe818874806e1c7014b"
        );
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
