//! NTLMv2 ([MS-NLMP]) for CredSSP and SPNEGO: message codecs, a sans-IO
//! initiator and acceptor, and extended session security.
//!
//! * [`messages`] — [MS-NLMP] 2.2.1 NEGOTIATE / CHALLENGE / AUTHENTICATE,
//!   parsed borrowing and validated, serialized byte-exact.
//! * [`av_pair`] — [MS-NLMP] 2.2.2.1 AV_PAIR lists; [`ntlmv2`] — 2.2.2.7/8
//!   NTLMv2 responses.
//! * [`crypto`] — [MS-NLMP] 3.3.2 / 3.4.5 NTOWFv2, NTProofStr, session keys,
//!   MIC, sign/seal keys.
//! * [`NtlmClient`] / [`NtlmServer`] — `step(Option<&[u8]>) -> Step` state
//!   machines ([MS-NLMP] 3.1, 3.2); no IO, no clock, no OS randomness: the
//!   random values and the time are inputs.
//! * [`SecurityContext`] — [MS-NLMP] 3.4 sign / seal / verify / unseal, the
//!   exported session key and the authenticated identity.
//! * [`replay`] — the session security of a recorded exchange, from its three
//!   messages and the NT hash (decoders, forensics).
//!
//! **NTLM is weak**: MD4, MD5, HMAC-MD5 and RC4 throughout, NT hashes are
//! password equivalents, and responses can be cracked offline. Only NTLMv2
//! with extended session security is implemented; NTLMv1/LM is refused.
//!
//! ```
//! use ntlm::{ClientConfig, ClientRandom, InMemoryCredentialStore, NtlmClient, NtlmServer,
//!            Password, ServerConfig, FileTime, Step};
//! use crypto_primitives::SecretArray;
//!
//! let password = Password::new("Passw0rd!");
//! let mut store = InMemoryCredentialStore::new();
//! store.insert_password("TESTDOM", "alice", &password);
//!
//! let random = ClientRandom { client_challenge: [1; 8], exported_session_key: SecretArray::new([2; 16]) };
//! let mut client = NtlmClient::with_random(ClientConfig::new("alice", "TESTDOM", &password), random);
//! let mut server = NtlmServer::with_server_challenge(
//!     ServerConfig::new("SRV", "TESTDOM", FileTime(0x01dc_0000_0000_0000)), &store, [3; 8]);
//!
//! let Step::Continue(negotiate) = client.step(None)? else { unreachable!() };
//! let Step::Continue(challenge) = server.step(Some(&negotiate))? else { unreachable!() };
//! let Step::Complete(Some(authenticate)) = client.step(Some(&challenge))? else { unreachable!() };
//! assert!(matches!(server.step(Some(&authenticate))?, Step::Complete(None)));
//!
//! let mut c = client.take_context()?;
//! let mut s = server.take_context()?;
//! let sealed = c.wrap(b"hello")?;
//! assert_eq!(s.unwrap(&sealed)?.expose_secret(), b"hello");
//! assert_eq!(s.identity().user, "alice");
//! # Ok::<(), ntlm::Error>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

/// `context`, `context_mut` and `take_context` of [`NtlmClient`] and
/// [`NtlmServer`], over their `inner: Inner` state with its
/// `Complete(Box<SecurityContext>)` and `Taken` variants. `$who` names the
/// side in the docs; `$section` is the [MS-NLMP] section `take_context`
/// reports when there is no context to take.
macro_rules! context_accessors {
    ($who:literal, $section:literal) => {
        /// The established context, once complete.
        pub fn context(&self) -> Option<&$crate::SecurityContext> {
            match &self.inner {
                Inner::Complete(c) => Some(c),
                _ => None,
            }
        }

        /// The established context, mutably.
        pub fn context_mut(&mut self) -> Option<&mut $crate::SecurityContext> {
            match &mut self.inner {
                Inner::Complete(c) => Some(c),
                _ => None,
            }
        }

        #[doc = concat!("Takes the established context out of the ", $who, ".")]
        pub fn take_context(&mut self) -> $crate::Result<$crate::SecurityContext> {
            match core::mem::replace(&mut self.inner, Inner::Taken) {
                Inner::Complete(c) => Ok(*c),
                other => {
                    self.inner = other;
                    Err($crate::Error::api(
                        $crate::ErrorKind::InvalidState,
                        "take_context",
                        $section,
                    ))
                }
            }
        }
    };
}

pub mod av_pair;
mod client;
mod credentials;
pub mod crypto;
mod error;
mod flags;
pub mod messages;
pub mod ntlmv2;
pub mod replay;
mod server;
mod session;
mod wire;

pub use av_pair::{AvFlags, AvId, AvPair, AvPairs, FileTime, encode_av_pairs};
pub use client::{ClientConfig, ClientRandom, ClientState, NtlmClient};
pub use credentials::{CredentialStore, InMemoryCredentialStore, NtHash, Password};
pub use crypto::{Direction, Key};
pub use error::{Error, ErrorKind, Message, Origin, Result};
pub use flags::NegotiateFlags;
pub use messages::{
    AuthenticateMessage, ChallengeMessage, FieldDescriptor, MessageType, NegotiateMessage,
    PayloadLayout, Version,
};
pub use ntlmv2::{NtlmV2ClientChallenge, NtlmV2Response};
pub use server::{NtlmServer, ServerConfig, ServerState, TargetType};
pub use session::{Identity, Role, SIGNATURE_LEN, SecurityContext};
pub use wire::{decode_utf16le, encode_utf16le, upper_case};

/// What a `step` call produced.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Send this token to the peer and call `step` again with its reply.
    Continue(Vec<u8>),
    /// The exchange is complete on this side; send the token, if any. The
    /// [`SecurityContext`] is available from `context()` / `take_context()`.
    Complete(Option<Vec<u8>>),
}
