//! Cryptographic building blocks for [MS-GRVSSTPS] and the [MS-CSSP] binding
//! hashes, on audited RustCrypto crates.
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

pub mod secret;

pub use secret::{SecretArray, SecretBytes, ct_eq_bytes};
