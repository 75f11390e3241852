//! Criterion benches; see `benches/benches/`.
