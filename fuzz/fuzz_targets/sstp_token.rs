//! `sstp-wire`: one security token. The first byte picks the carrier
//! (index into `Carrier::ALL`), the rest is the token. Whatever decodes must
//! re-encode to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sstp_wire::{Carrier, SecurityToken};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, token)) = data.split_first() else {
        return;
    };
    let carrier = Carrier::ALL[usize::from(selector) % Carrier::ALL.len()];
    if let Ok(t) = SecurityToken::parse(carrier, token) {
        assert!(carrier.accepts(t.message_id()));
        assert_eq!(t.to_vec().expect("a decoded token re-encodes"), token);
    }
});
