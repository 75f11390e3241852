//! DER types for every ASN.1 structure of the seeds: [MS-CSSP] `TSRequest`
//! and the credential structures, SPNEGO ([RFC 4178]) tokens, and the
//! [MS-GRVSSTPS] ElGamal public key forms.
//!
//! All decoding is strict DER through the `der` crate's derive.
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

mod error;
pub mod grvsstps;

pub use der;
pub use error::{Error, ErrorKind};
