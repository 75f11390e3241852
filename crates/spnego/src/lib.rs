//! SPNEGO ([RFC 4178], [MS-SPNG]) initiator and acceptor over the
//! [`Mechanism`] trait.
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

pub use mechanism::{Direction, MechError, MechErrorKind, MechStep, Mechanism, PeerIdentity};
