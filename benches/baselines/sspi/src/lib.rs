//! Holder crate for the sspi-rs baseline benches (see `benches/`).
