//! The NTLMv2 key and response computations of [MS-NLMP] 3.3.2, 3.4.4.2,
//! 3.4.5 and 3.1.5.1.2, on RustCrypto's `md4`, `md-5` and `hmac`, and RC4
//! (`Rc4Stream`, written here for speed and tested against RustCrypto's `rc4`).
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
use zeroize::{Zeroize, Zeroizing};

use crate::credentials::NtHash;
use crate::flags::NegotiateFlags;

/// A 16-byte NTLM key (ResponseKeyNT, SessionBaseKey, ExportedSessionKey,
/// signing and sealing keys): zeroized on drop, redacted in `Debug`.
pub type Key = SecretArray<16>;

/// HMAC-MD5 keyed with a 16-byte key over the concatenation of `parts`.
pub(crate) fn hmac_md5(key: &[u8; 16], parts: &[&[u8]]) -> [u8; 16] {
    HmacMd5Key::new(key).mac(parts)
}

/// An HMAC-MD5 state already keyed (the ipad and opad blocks absorbed), so
/// that each MAC under the same key costs two MD5 blocks fewer: clone, feed,
/// finalize.
///
/// The state is derived from the key, so it is secret: with the `zeroize`
/// features of `hmac` and `md-5` (enabled in this crate's manifest) both
/// inner MD5 states and the block buffer are zeroized when it is dropped,
/// including every per-message clone. It is never printed.
#[derive(Clone)]
pub(crate) struct HmacMd5Key(Hmac<Md5>);

impl HmacMd5Key {
    /// HMAC zero-pads keys shorter than the 64-byte MD5 block (RFC 2104 §2),
    /// so padding explicitly and using the fixed-size constructor gives the
    /// same MAC without a fallible key-length check.
    pub(crate) fn new(key: &[u8; 16]) -> Self {
        let mut block = Zeroizing::new([0u8; 64]);
        for (dst, src) in block.iter_mut().zip(key.iter()) {
            *dst = *src;
        }
        Self(<Hmac<Md5> as KeyInit>::new(&(*block).into()))
    }

    /// HMAC-MD5 under this key over the concatenation of `parts`.
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 16] {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for HmacMd5Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacMd5Key(<redacted>)")
    }
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

/// One character of `wire::upper_case` (a character whose upper case is
/// not a single character stays as it is).
fn upper_char(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// NTOWFv2 = HMAC_MD5(NTOWFv1(Passwd), UNICODE(Uppercase(User) ‖ UserDom))
/// ([MS-NLMP] 3.3.2). Also LMOWFv2. The domain is used exactly as given.
pub fn nt_owf_v2(nt_hash: &NtHash, user: &str, domain: &str) -> Key {
    // Streams UTF-16LE(upper_case(user) ‖ domain) into the MAC through a
    // small zeroized buffer instead of building the String and the Vec.
    let mut block = Zeroizing::new([0u8; 64]);
    for (dst, src) in block.iter_mut().zip(nt_hash.expose_secret().iter()) {
        *dst = *src;
    }
    let mut mac = <Hmac<Md5> as KeyInit>::new(&(*block).into());
    let mut buf = Zeroizing::new([0u8; 64]);
    let mut len = 0;
    let mut units = [0u16; 2];
    let chars = user.chars().map(upper_char).chain(domain.chars());
    for c in chars {
        for unit in c.encode_utf16(&mut units).iter() {
            if len + 2 > buf.len() {
                mac.update(buf.get(..len).unwrap_or_default());
                len = 0;
            }
            if let Some(dst) = buf.get_mut(len..len + 2) {
                dst.copy_from_slice(&unit.to_le_bytes());
            }
            len += 2;
        }
    }
    mac.update(buf.get(..len).unwrap_or_default());
    SecretArray::new(mac.finalize().into_bytes().into())
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
    out.zeroize();
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
/// zeroized on drop and never printed.
///
/// RC4 is implemented here rather than with the `rc4` crate (which the tests
/// check it against) for speed: the key schedule is specialised to the
/// 16-byte NTLM keys, and [`Rc4Stream::pair`] runs two schedules
/// interleaved, so that their serial dependency chains overlap — a session
/// needs both directions' handles at once, and the key schedules were 15% of
/// a CredSSP handshake.
pub(crate) struct Rc4Stream {
    s: [u8; 256],
    i: u8,
    j: u8,
}

/// `s[x]`; `x` is a `u8`, so always in bounds (the check compiles away).
#[inline(always)]
fn sbox(s: &[u8; 256], x: u8) -> u8 {
    s.get(usize::from(x)).copied().unwrap_or(0)
}

/// `s[x] = v`.
#[inline(always)]
fn set_sbox(s: &mut [u8; 256], x: u8, v: u8) {
    if let Some(dst) = s.get_mut(usize::from(x)) {
        *dst = v;
    }
}

/// The identity permutation RC4's key schedule starts from.
// Evaluated at compile time: an out-of-bounds index would fail the build.
#[allow(clippy::indexing_slicing)]
const IDENTITY: [u8; 256] = {
    let mut s = [0u8; 256];
    let mut n = 0;
    while n < 256 {
        s[n] = n as u8;
        n += 1;
    }
    s
};

impl Rc4Stream {
    /// RC4 keyed with a 16-byte key.
    pub(crate) fn new(key: &Key) -> Self {
        let mut s = IDENTITY;
        let mut i = 0u8;
        let mut j = 0u8;
        // 256 steps: the key 16 times (KSA: key[i mod keylen]).
        for _ in 0..16 {
            for &k in key.expose_secret() {
                let si = sbox(&s, i);
                j = j.wrapping_add(si).wrapping_add(k);
                let sj = sbox(&s, j);
                set_sbox(&mut s, i, sj);
                set_sbox(&mut s, j, si);
                i = i.wrapping_add(1);
            }
        }
        Self { s, i: 0, j: 0 }
    }

    /// `(Self::new(a), Self::new(b))`, with the two key schedules
    /// interleaved.
    pub(crate) fn pair(a: &Key, b: &Key) -> (Self, Self) {
        let mut s = IDENTITY;
        let mut t = IDENTITY;
        let mut i = 0u8;
        let mut j = 0u8;
        let mut k = 0u8;
        for _ in 0..16 {
            for (&ka, &kb) in a.expose_secret().iter().zip(b.expose_secret()) {
                let si = sbox(&s, i);
                let ti = sbox(&t, i);
                j = j.wrapping_add(si).wrapping_add(ka);
                k = k.wrapping_add(ti).wrapping_add(kb);
                let sj = sbox(&s, j);
                let tk = sbox(&t, k);
                set_sbox(&mut s, i, sj);
                set_sbox(&mut t, i, tk);
                set_sbox(&mut s, j, si);
                set_sbox(&mut t, k, ti);
                i = i.wrapping_add(1);
            }
        }
        (Self { s, i: 0, j: 0 }, Self { s: t, i: 0, j: 0 })
    }

    /// XORs the next `data.len()` keystream bytes into `data`.
    pub(crate) fn apply(&mut self, data: &mut [u8]) {
        let (mut i, mut j) = (self.i, self.j);
        for b in data {
            i = i.wrapping_add(1);
            let si = sbox(&self.s, i);
            j = j.wrapping_add(si);
            let sj = sbox(&self.s, j);
            set_sbox(&mut self.s, i, sj);
            set_sbox(&mut self.s, j, si);
            *b ^= sbox(&self.s, si.wrapping_add(sj));
        }
        self.i = i;
        self.j = j;
    }
}

impl Drop for Rc4Stream {
    fn drop(&mut self) {
        self.s.zeroize();
        self.i.zeroize();
        self.j.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for Rc4Stream {}

impl fmt::Debug for Rc4Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rc4Stream(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc4_rfc6229_key_128_bit() {
        // RFC 6229 key 0x0102...10 (128-bit), offset 0.
        let key = SecretArray::new(core::array::from_fn(|i| (i as u8) + 1));
        let mut ks = [0u8; 16];
        Rc4Stream::new(&key).apply(&mut ks);
        assert_eq!(hex(&ks), "9ac7cc9a609d1ef7b2932899cde41b97");
    }

    #[test]
    fn rc4_matches_the_rc4_crate_in_pieces_and_pairs() {
        use rc4::{Rc4, StreamCipher};
        for seed in 0u8..32 {
            let a: Key = SecretArray::new(core::array::from_fn(|i| {
                seed.wrapping_mul(37) ^ (i as u8).wrapping_mul(11)
            }));
            let b: Key = SecretArray::new(core::array::from_fn(|i| {
                seed.wrapping_add(i as u8).wrapping_mul(101)
            }));
            let mut want_a = [0u8; 700];
            let mut want_b = [0u8; 700];
            <Rc4 as rc4::KeyInit>::new_from_slice(a.expose_secret())
                .unwrap()
                .apply_keystream(&mut want_a);
            <Rc4 as rc4::KeyInit>::new_from_slice(b.expose_secret())
                .unwrap()
                .apply_keystream(&mut want_b);
            let (mut pa, mut pb) = Rc4Stream::pair(&a, &b);
            let mut single = Rc4Stream::new(&a);
            let (mut got_a, mut got_b, mut got_single) = ([0u8; 700], [0u8; 700], [0u8; 700]);
            // The keystream continues across calls of any length.
            let mut at = 0;
            for len in [0usize, 1, 7, 16, 100, 255, 321] {
                pa.apply(&mut got_a[at..at + len]);
                pb.apply(&mut got_b[at..at + len]);
                single.apply(&mut got_single[at..at + len]);
                at += len;
            }
            pa.apply(&mut got_a[at..]);
            pb.apply(&mut got_b[at..]);
            single.apply(&mut got_single[at..]);
            assert_eq!(got_a, want_a);
            assert_eq!(got_b, want_b);
            assert_eq!(got_single, want_a);
        }
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
    fn nt_owf_v2_streams_the_same_bytes_as_upper_case_and_encode() {
        use crate::wire::{encode_utf16le, upper_case};
        let hash = NtHash::from_password(&crate::Password::new("Passw0rd!"));
        let long = "\u{1F600}x".repeat(40);
        for (user, domain) in [
            ("alice", "TESTDOM"),
            ("", ""),
            ("stra\u{df}e-\u{131}i\u{1F600}", "d\u{f6}m\u{1F600}"),
            (long.as_str(), long.as_str()),
        ] {
            let mut who = upper_case(user);
            who.push_str(domain);
            let want = hmac_md5(hash.expose_secret(), &[&encode_utf16le(&who)]);
            assert_eq!(nt_owf_v2(&hash, user, domain).expose_secret(), &want);
        }
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
