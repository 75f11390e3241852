//! [MS-NLMP] 3.4 session security with extended session security (the only
//! mode this crate implements): GSS_WrapEx / GSS_UnwrapEx (3.4.6, 3.4.7),
//! GSS_GetMICEx / GSS_VerifyMICEx (3.4.8, 3.4.9), MAC per 3.4.4.2.
//!
//! Connection-oriented: each direction has its own signing key, sealing key,
//! RC4 handle (a keystream that continues across messages) and sequence
//! counter. A token is the 16-byte NTLMSSP_MESSAGE_SIGNATURE
//! (`01000000` ‖ checksum(8) ‖ SeqNum(4)) followed, for wrap, by the RC4
//! ciphertext — the layout CredSSP uses for pubKeyAuth and authInfo.

use core::fmt;

use crypto_primitives::{SecretBytes, ct_eq_bytes};

use crate::crypto::{Direction, HmacMd5Key, Key, Rc4Stream, seal_key, sign_key};
use crate::error::{Error, ErrorKind, Message, Result};
use crate::flags::NegotiateFlags;
use crate::wire::{array_at, u32_at};

/// Length of an NTLMSSP_MESSAGE_SIGNATURE.
pub const SIGNATURE_LEN: usize = 16;

/// Which side of the exchange a context belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The initiator.
    Client,
    /// The acceptor.
    Server,
}

/// Who authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// UserName (as sent by the client; empty when anonymous).
    pub user: String,
    /// DomainName (as sent by the client).
    pub domain: String,
    /// Workstation (as sent by the client; may be empty).
    pub workstation: String,
    /// Whether this was an anonymous authentication.
    pub anonymous: bool,
}

/// One direction's keys, RC4 handle and sequence counter.
struct Stream {
    /// HMAC-MD5 pre-keyed with this direction's SigningKey.
    signer: HmacMd5Key,
    seal_key: Key,
    handle: Rc4Stream,
    seq: u32,
    poisoned: bool,
}

impl Stream {
    fn new(
        exported_session_key: &Key,
        direction: Direction,
        seal_key: Key,
        handle: Rc4Stream,
    ) -> Self {
        let sign_key = sign_key(exported_session_key, direction);
        Self {
            signer: HmacMd5Key::new(sign_key.expose_secret()),
            seal_key,
            handle,
            seq: 0,
            poisoned: false,
        }
    }

    /// [MS-NLMP] 3.4.4.2 MAC with extended session security: checksum =
    /// HMAC_MD5(SigningKey, SeqNum ‖ Message)[0..8], RC4'd with the sealing
    /// handle when KEY_EXCH was negotiated.
    fn mac(&mut self, key_exch: bool, seq: u32, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let full = self.signer.mac(&[&seq.to_le_bytes(), message]);
        let [c0, c1, c2, c3, c4, c5, c6, c7, ..] = full;
        let mut checksum = [c0, c1, c2, c3, c4, c5, c6, c7];
        if key_exch {
            self.handle.apply(&mut checksum);
        }
        let [c0, c1, c2, c3, c4, c5, c6, c7] = checksum;
        let [s0, s1, s2, s3] = seq.to_le_bytes();
        // NTLMSSP_MESSAGE_SIGNATURE (2.2.2.9.1): Version 1, Checksum, SeqNum.
        [1, 0, 0, 0, c0, c1, c2, c3, c4, c5, c6, c7, s0, s1, s2, s3]
    }

    fn next_seq(&mut self) -> Result<u32> {
        let seq = self.seq;
        self.seq = seq
            .checked_add(1)
            .ok_or_else(|| Error::api(ErrorKind::InvalidState, "SeqNum", "3.4.4"))?;
        Ok(seq)
    }
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("signer", &self.signer)
            .field("seal_key", &self.seal_key)
            .field("handle", &self.handle)
            .field("seq", &self.seq)
            .field("poisoned", &self.poisoned)
            .finish()
    }
}

/// An established NTLM security context: the result of a completed
/// [`crate::NtlmClient`] or [`crate::NtlmServer`].
///
/// Outbound operations (`wrap`, `get_mic`) use this side's keys; inbound ones
/// (`unwrap`, `verify_mic`) use the peer's. After an inbound integrity failure
/// the inbound direction refuses further use ([`ErrorKind::InvalidState`]):
/// the RC4 keystream has moved on and the context should be discarded.
#[derive(Debug)]
pub struct SecurityContext {
    role: Role,
    flags: NegotiateFlags,
    identity: Identity,
    target_name: Option<String>,
    exported_session_key: Key,
    mic_provided: bool,
    outbound: Stream,
    inbound: Stream,
}

impl SecurityContext {
    /// Builds a context from an ExportedSessionKey and the negotiated flags.
    ///
    /// The state machines call this; it is public so that a protocol that
    /// carries NTLM keys by other means (or a test replaying a recorded
    /// exchange) can reach the same session security.
    pub fn new(
        role: Role,
        flags: NegotiateFlags,
        exported_session_key: Key,
        identity: Identity,
        target_name: Option<String>,
    ) -> Self {
        let (out_dir, in_dir) = match role {
            Role::Client => (Direction::ClientToServer, Direction::ServerToClient),
            Role::Server => (Direction::ServerToClient, Direction::ClientToServer),
        };
        let out_seal = seal_key(&exported_session_key, flags, out_dir);
        let in_seal = seal_key(&exported_session_key, flags, in_dir);
        // Both handles at once: their key schedules run interleaved.
        let (out_handle, in_handle) = Rc4Stream::pair(&out_seal, &in_seal);
        Self {
            role,
            flags,
            identity,
            target_name,
            outbound: Stream::new(&exported_session_key, out_dir, out_seal, out_handle),
            inbound: Stream::new(&exported_session_key, in_dir, in_seal, in_handle),
            exported_session_key,
            mic_provided: false,
        }
    }

    pub(crate) fn with_mic_provided(mut self, mic_provided: bool) -> Self {
        self.mic_provided = mic_provided;
        self
    }

    /// Whether the AUTHENTICATE carried a MIC (on the server: one that was
    /// verified). [MS-SPNG] 3.3.5.1: when it did, the SPNEGO mechListMIC is
    /// mandatory, so a SPNEGO acceptor must not accept a missing one.
    pub fn mic_provided(&self) -> bool {
        self.mic_provided
    }

    /// This side's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The negotiated flags (those of the AUTHENTICATE message).
    pub fn flags(&self) -> NegotiateFlags {
        self.flags
    }

    /// The authenticated identity (on the client: the identity it used).
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The MsvAvTargetName (SPN) of the exchange: on the server, what the
    /// client asserted (check it against your own SPNs); on the client, what
    /// it sent.
    pub fn target_name(&self) -> Option<&str> {
        self.target_name.as_deref()
    }

    /// The ExportedSessionKey ([MS-NLMP] 3.1.5.1.2), e.g. for SPNEGO or
    /// application-level key derivation.
    pub fn exported_session_key(&self) -> &Key {
        &self.exported_session_key
    }

    /// The next outbound sequence number.
    pub fn outbound_seq(&self) -> u32 {
        self.outbound.seq
    }

    /// The next expected inbound sequence number.
    pub fn inbound_seq(&self) -> u32 {
        self.inbound.seq
    }

    fn require(&self, flag: NegotiateFlags, field: &'static str) -> Result<()> {
        if self.flags.contains(flag) {
            Ok(())
        } else {
            Err(Error::api(ErrorKind::NotNegotiated, field, "3.4"))
        }
    }

    fn key_exch(&self) -> bool {
        self.flags.contains(NegotiateFlags::KEY_EXCH)
    }

    /// GSS_WrapEx with confidentiality ([MS-NLMP] 3.4.6): returns
    /// signature(16) ‖ RC4(plaintext). Consumes one outbound sequence number.
    pub fn wrap(&mut self, plaintext: &[u8]) -> Result<Vec<u8>> {
        self.require(NegotiateFlags::SEAL, "NTLMSSP_NEGOTIATE_SEAL")?;
        let key_exch = self.key_exch();
        let seq = self.outbound.next_seq()?;
        let mut out = Vec::with_capacity(SIGNATURE_LEN + plaintext.len());
        out.extend_from_slice(&[0u8; SIGNATURE_LEN]);
        out.extend_from_slice(plaintext);
        let (sig_slot, body) = out.split_at_mut(SIGNATURE_LEN);
        // Seal first, then RC4 the checksum with the same continuing handle
        // ([MS-NLMP] 3.4.3, 4.2.4.4).
        self.outbound.handle.apply(body);
        let signature = self.outbound.mac(key_exch, seq, plaintext);
        sig_slot.copy_from_slice(&signature);
        Ok(out)
    }

    /// GSS_UnwrapEx ([MS-NLMP] 3.4.7): verifies and decrypts
    /// signature(16) ‖ ciphertext. The plaintext may be a secret (CredSSP
    /// authInfo carries a password), so it comes back as [`SecretBytes`].
    pub fn unwrap(&mut self, token: &[u8]) -> Result<SecretBytes> {
        self.require(NegotiateFlags::SEAL, "NTLMSSP_NEGOTIATE_SEAL")?;
        self.inbound_usable()?;
        let (signature, ciphertext) = split_token(token)?;
        let mut plaintext = SecretBytes::from_slice(ciphertext);
        self.inbound.handle.apply(plaintext.expose_secret_mut());
        self.check_inbound(&signature, plaintext.expose_secret())?;
        Ok(plaintext)
    }

    /// GSS_GetMICEx ([MS-NLMP] 3.4.8): the 16-byte signature of `message`.
    /// Consumes one outbound sequence number (and, with KEY_EXCH, 8 bytes of
    /// the outbound RC4 keystream).
    pub fn get_mic(&mut self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN]> {
        self.require(NegotiateFlags::SIGN, "NTLMSSP_NEGOTIATE_SIGN")?;
        let key_exch = self.key_exch();
        let seq = self.outbound.next_seq()?;
        Ok(self.outbound.mac(key_exch, seq, message))
    }

    /// GSS_VerifyMICEx ([MS-NLMP] 3.4.9).
    pub fn verify_mic(&mut self, message: &[u8], signature: &[u8]) -> Result<()> {
        self.require(NegotiateFlags::SIGN, "NTLMSSP_NEGOTIATE_SIGN")?;
        self.inbound_usable()?;
        let signature: [u8; SIGNATURE_LEN] = array_at(signature, 0)
            .filter(|_| signature.len() == SIGNATURE_LEN)
            .ok_or_else(|| malformed("NTLMSSP_MESSAGE_SIGNATURE", 0))?;
        self.check_inbound(&signature, message)
    }

    /// Re-initialises the outbound RC4 handle from the sealing key, keeping
    /// the sequence counter.
    ///
    /// This models the SPNEGO mechListMIC behaviour of Windows (and pyspnego):
    /// after producing the mechListMIC with [`Self::get_mic`] the initiator
    /// (or acceptor) resets its sealing handle, but the next token still uses
    /// the next sequence number (mechListMIC seq 0, then pubKeyAuth seq 1).
    pub fn reset_outbound_seal_state(&mut self) {
        self.outbound.handle = Rc4Stream::new(&self.outbound.seal_key);
    }

    /// Re-initialises the inbound RC4 handle (the receiving side of
    /// [`Self::reset_outbound_seal_state`]: call it after verifying the
    /// peer's mechListMIC).
    pub fn reset_inbound_seal_state(&mut self) {
        self.inbound.handle = Rc4Stream::new(&self.inbound.seal_key);
    }

    fn inbound_usable(&self) -> Result<()> {
        if self.inbound.poisoned {
            Err(Error::api(ErrorKind::InvalidState, "inbound stream", "3.4"))
        } else {
            Ok(())
        }
    }

    fn check_inbound(&mut self, signature: &[u8; SIGNATURE_LEN], message: &[u8]) -> Result<()> {
        let key_exch = self.key_exch();
        let expected_seq = self.inbound.seq;
        let version = u32_at(signature, 0);
        let their_seq = u32_at(signature, 12);
        // Compute the MAC even on a bad header so that the keystream advances
        // the same way whatever is wrong with the token.
        let expected = self.inbound.mac(key_exch, expected_seq, message);
        if version != Some(1) {
            self.inbound.poisoned = true;
            return Err(malformed("Version", 0));
        }
        if their_seq != Some(expected_seq) {
            self.inbound.poisoned = true;
            return Err(Error::new(
                ErrorKind::SequenceMismatch,
                Message::MessageSignature,
                "SeqNum",
                "3.4.4.2",
            )
            .at(12));
        }
        if !ct_eq_bytes(&expected, signature) {
            self.inbound.poisoned = true;
            return Err(Error::new(
                ErrorKind::MessageSignatureMismatch,
                Message::MessageSignature,
                "Checksum",
                "3.4.4.2",
            )
            .at(4));
        }
        self.inbound.seq = expected_seq.wrapping_add(1);
        Ok(())
    }
}

fn malformed(field: &'static str, at: usize) -> Error {
    Error::new(
        ErrorKind::MalformedMessageSignature,
        Message::MessageSignature,
        field,
        "2.2.2.9.1",
    )
    .at(at)
}

fn split_token(token: &[u8]) -> Result<([u8; SIGNATURE_LEN], &[u8])> {
    let signature = array_at::<SIGNATURE_LEN>(token, 0)
        .ok_or_else(|| malformed("NTLMSSP_MESSAGE_SIGNATURE", token.len()))?;
    Ok((signature, token.get(SIGNATURE_LEN..).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_primitives::SecretArray;

    fn pair() -> (SecurityContext, SecurityContext) {
        let flags = NegotiateFlags::from_bits(0xe28a_8235);
        let id = Identity {
            user: "u".into(),
            domain: "d".into(),
            workstation: String::new(),
            anonymous: false,
        };
        (
            SecurityContext::new(
                Role::Client,
                flags,
                SecretArray::new([9; 16]),
                id.clone(),
                None,
            ),
            SecurityContext::new(Role::Server, flags, SecretArray::new([9; 16]), id, None),
        )
    }

    #[test]
    fn wrap_unwrap_both_ways_and_sequence() {
        let (mut c, mut s) = pair();
        for i in 0..3u8 {
            let t = c.wrap(&[i; 5]).unwrap();
            assert_eq!(u32_at(&t, 12), Some(u32::from(i)));
            assert_eq!(s.unwrap(&t).unwrap().expose_secret(), &[i; 5]);
            let m = s.get_mic(b"hello").unwrap();
            c.verify_mic(b"hello", &m).unwrap();
        }
        assert_eq!((c.outbound_seq(), c.inbound_seq()), (3, 3));
    }

    #[test]
    fn replay_and_tamper_are_rejected_then_poisoned() {
        let (mut c, mut s) = pair();
        let t0 = c.wrap(b"one").unwrap();
        s.unwrap(&t0).unwrap();
        // Replaying the same token: wrong sequence number.
        assert_eq!(
            s.unwrap(&t0).unwrap_err().kind(),
            ErrorKind::SequenceMismatch
        );
        // Poisoned afterwards.
        let t1 = c.wrap(b"two").unwrap();
        assert_eq!(s.unwrap(&t1).unwrap_err().kind(), ErrorKind::InvalidState);

        let (mut c, mut s) = pair();
        let mut t = c.wrap(b"payload").unwrap();
        if let Some(b) = t.last_mut() {
            *b ^= 1;
        }
        assert_eq!(
            s.unwrap(&t).unwrap_err().kind(),
            ErrorKind::MessageSignatureMismatch
        );
        assert_eq!(
            pair().1.unwrap(&[1, 0, 0]).unwrap_err().kind(),
            ErrorKind::MalformedMessageSignature
        );
    }

    #[test]
    fn reset_keeps_sequence_numbers() {
        let (mut c, mut s) = pair();
        let mic = c.get_mic(b"mechTypes").unwrap();
        c.reset_outbound_seal_state();
        s.verify_mic(b"mechTypes", &mic).unwrap();
        s.reset_inbound_seal_state();
        let t = c.wrap(b"x").unwrap();
        assert_eq!(u32_at(&t, 12), Some(1));
        assert_eq!(s.unwrap(&t).unwrap().expose_secret(), b"x");
    }

    #[test]
    fn needs_negotiated_flags() {
        let id = Identity {
            user: String::new(),
            domain: String::new(),
            workstation: String::new(),
            anonymous: false,
        };
        let mut c = SecurityContext::new(
            Role::Client,
            NegotiateFlags::EXTENDED_SESSIONSECURITY,
            SecretArray::new([0; 16]),
            id,
            None,
        );
        assert_eq!(c.wrap(b"x").unwrap_err().kind(), ErrorKind::NotNegotiated);
        assert_eq!(
            c.get_mic(b"x").unwrap_err().kind(),
            ErrorKind::NotNegotiated
        );
    }
}
