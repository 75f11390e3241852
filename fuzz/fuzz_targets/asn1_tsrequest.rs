//! Fuzzes [MS-CSSP] 2.2.1 `TsRequest` decoding and the TSRequest framing
//! hint. Properties: no panic; strict DER is canonical, so whatever decodes
//! re-encodes byte for byte and frames to exactly its length; SPNEGO tokens
//! inside behave the same.
#![no_main]

use asn1_types::TsRequest;
use asn1_types::spnego::NegotiationToken;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let frame = TsRequest::frame_len(data);
    if let Ok(req) = TsRequest::from_der(data) {
        let der = req.to_der().expect("a decoded TSRequest encodes");
        assert_eq!(der, data, "re-encoding differs");
        assert_eq!(
            frame.and_then(Result::ok),
            Some(data.len()),
            "frame_len disagrees"
        );
        let _ = req.summary();
        for token in req.nego_token_bytes() {
            if let Ok(spnego) = NegotiationToken::from_der(token) {
                assert_eq!(
                    spnego.to_der().expect("encodes"),
                    token,
                    "SPNEGO re-encoding differs"
                );
            }
        }
    }
});
