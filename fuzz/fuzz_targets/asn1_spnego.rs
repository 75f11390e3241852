//! Fuzzes SPNEGO `NegotiationToken` decoding (RFC 4178 4.2 inside the RFC 2743
//! 3.1 framing, and [MS-SPNG] NegTokenInit2) and negoToken classification.
//! Properties: no panic; whatever decodes re-encodes byte for byte; the
//! mechTypes DER (the mechListMIC input) appears verbatim in the token.
#![no_main]

use asn1_types::spnego::{NegoTokenKind, NegotiationToken};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let kind = NegoTokenKind::of(data);
    let _ = kind.to_string();
    if let Ok(token) = NegotiationToken::from_der(data) {
        let der = token.to_der().expect("a decoded token encodes");
        assert_eq!(der, data, "re-encoding differs");
        assert!(matches!(
            kind,
            NegoTokenKind::SpnegoInit | NegoTokenKind::SpnegoResp
        ));
        if let Some(types) = token.mech_types() {
            let list = types.to_der().expect("mechTypes encode");
            assert!(data.windows(list.len()).any(|w| w == list.as_slice()));
        }
    }
});
