//! Rebuilding the session security of a recorded exchange (decoders,
//! forensics, test tools).
//!
//! Given the three recorded messages and the user's NT hash (or password),
//! [`server_context`] verifies the AUTHENTICATE exactly as the acceptor did
//! (NTProofStr over the blob as received, the MIC when MsvAvFlags announces
//! one, [MS-NLMP] 3.2.5.1.2) and returns the acceptor's [`SecurityContext`]:
//! it unwraps what the client sealed (CredSSP pubKeyAuth and authInfo) and
//! verifies the client's MICs. [`client_context`] returns the initiator's
//! view with the same keys, for what the server sealed.
//!
//! Both contexts start fresh (sequence 0, RC4 handles at their start), so
//! tokens must be replayed in their original order per direction, including
//! any SPNEGO mechListMIC (then call
//! [`SecurityContext::reset_inbound_seal_state`], see the `spnego` crate).
//!
//! ```
//! # fn demo(negotiate: &[u8], challenge: &[u8], authenticate: &[u8], pub_key_auth: &[u8])
//! # -> ntlm::Result<()> {
//! use ntlm::{NtHash, Password, replay};
//! let hash = NtHash::from_password(&Password::new("Passw0rd!"));
//! let mut server = replay::server_context(negotiate, challenge, authenticate, &hash)?;
//! let plaintext = server.unwrap(pub_key_auth)?; // raw NTLM CredSSP: pubKeyAuth is seq 0
//! # let _ = plaintext; Ok(()) }
//! ```
//!
//! A wrong password fails with [`crate::ErrorKind::NtProofMismatch`].

use crate::av_pair::FileTime;
use crate::credentials::{CredentialStore, NtHash};
use crate::error::Result;
use crate::server::{NtlmServer, ServerConfig};
use crate::session::{Role, SecurityContext};

/// A store answering every user with one hash: the replay checks the hash
/// against what the recorded AUTHENTICATE proves, whoever it names.
struct OneHash<'a>(&'a NtHash);

impl CredentialStore for OneHash<'_> {
    fn nt_hash(&self, _domain: &str, _user: &str) -> Option<NtHash> {
        Some(self.0.dangerous_clone())
    }
}

/// The acceptor's context of a recorded exchange.
///
/// `negotiate`, `challenge` and `authenticate` are the raw NTLMSSP messages
/// as sent (unwrapped from SPNEGO / CredSSP). The AUTHENTICATE is verified:
/// NTProofStr with `nt_hash` (whatever user and domain it names), and the MIC
/// when the client announced one (a missing MIC is accepted: this checks a
/// recording, it enforces no policy). Anonymous exchanges are refused.
pub fn server_context(
    negotiate: &[u8],
    challenge: &[u8],
    authenticate: &[u8],
    nt_hash: &NtHash,
) -> Result<SecurityContext> {
    let mut config = ServerConfig::new("", "", FileTime(0));
    config.require_mic = false;
    config.version = None;
    let mut server = NtlmServer::resume(config, OneHash(nt_hash), negotiate, challenge)?;
    server.step(Some(authenticate))?;
    server.take_context()
}

/// The initiator's context of a recorded exchange: the same verification as
/// [`server_context`], then a fresh client-side context with the same
/// ExportedSessionKey, flags, identity and target name (it unwraps what the
/// server sealed).
pub fn client_context(
    negotiate: &[u8],
    challenge: &[u8],
    authenticate: &[u8],
    nt_hash: &NtHash,
) -> Result<SecurityContext> {
    let server = server_context(negotiate, challenge, authenticate, nt_hash)?;
    Ok(SecurityContext::new(
        Role::Client,
        server.flags(),
        server.exported_session_key().dangerous_clone(),
        server.identity().clone(),
        server.target_name().map(str::to_owned),
    )
    .with_mic_provided(server.mic_provided()))
}
