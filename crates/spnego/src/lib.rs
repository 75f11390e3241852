//! SPNEGO ([RFC 4178], [MS-SPNG]) initiator and acceptor over the
//! [`Mechanism`] trait, with NTLM as the first mechanism.
//!
//! * [`Mechanism`] — the GSS-API-style interface SPNEGO negotiates over and
//!   CredSSP drives (`step`, `wrap`/`unwrap`, `get_mic`/`verify_mic`).
//! * [`NtlmMechanism`] — the `ntlm` crate's client and server as mechanisms.
//! * [`SpnegoInitiator`] / [`SpnegoAcceptor`] — [RFC 4178] negotiation with
//!   the mechListMIC of section 5 and the NTLM rules of [MS-SPNG] 3.3.5.1;
//!   both are mechanisms themselves.
//! * [`NegotiateAcceptor`] — follows the client: raw NTLMSSP (mstsc, FreeRDP)
//!   or SPNEGO, decided on the first token.
//!
//! Sans-IO and deterministic: no IO, no clock, no randomness of its own (the
//! NTLM client and server get theirs from the caller).
//!
//! ```
//! use ntlm::{ClientConfig, ClientRandom, FileTime, InMemoryCredentialStore, NtlmClient,
//!            NtlmServer, Password, ServerConfig};
//! use spnego::{MechStep, Mechanism, NtlmMechanism, SpnegoAcceptor, SpnegoInitiator};
//!
//! let password = Password::new("Passw0rd!");
//! let mut store = InMemoryCredentialStore::new();
//! store.insert_password("TESTDOM", "alice", &password);
//! let client = NtlmClient::with_random(
//!     ClientConfig::new("alice", "TESTDOM", &password),
//!     ClientRandom::from_bytes([1; 8], [2; 16]),
//! );
//! let server = NtlmServer::with_server_challenge(
//!     ServerConfig::new("SRV", "TESTDOM", FileTime(0x01dc_0000_0000_0000)), store, [3; 8]);
//!
//! let mut initiator = SpnegoInitiator::new(vec![Box::new(NtlmMechanism::initiator(client))])?;
//! let mut acceptor = SpnegoAcceptor::new(vec![Box::new(NtlmMechanism::acceptor(server))])?;
//!
//! let MechStep::Continue(init) = initiator.step(None)? else { unreachable!() };
//! let MechStep::Continue(challenge) = acceptor.step(Some(&init))? else { unreachable!() };
//! let MechStep::Continue(authenticate) = initiator.step(Some(&challenge))? else { unreachable!() };
//! assert!(initiator.protection_ready()); // pubKeyAuth may travel with AUTHENTICATE
//! let sealed = initiator.wrap(b"pubKeyAuth")?;
//! let MechStep::Complete(Some(done)) = acceptor.step(Some(&authenticate))? else { unreachable!() };
//! assert_eq!(acceptor.unwrap(&sealed)?.expose_secret(), b"pubKeyAuth");
//! assert_eq!(initiator.step(Some(&done))?, MechStep::Complete(None));
//! assert_eq!(acceptor.peer_identity().unwrap().user, "alice");
//! # Ok::<(), spnego::MechError>(())
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

mod mechanism;
mod negotiate;
mod negotiation;
mod ntlm_mech;

pub use mechanism::{Direction, MechError, MechErrorKind, MechStep, Mechanism, PeerIdentity};
pub use negotiate::{NegotiateAcceptor, NegotiateMode};
pub use negotiation::{BoxedMechanism, SpnegoAcceptor, SpnegoInitiator};
pub use ntlm_mech::{NtlmMechanism, mech_error};
