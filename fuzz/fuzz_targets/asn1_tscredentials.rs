//! Fuzzes [MS-CSSP] 2.2.1.2 `TsCredentials` decoding (password, smart-card
//! and Remote Guard credentials inside the `credentials` OCTET STRING).
//! Properties: no panic; whatever decodes re-encodes byte for byte; `Debug`
//! never fails.
#![no_main]

use asn1_types::TsCredentials;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(creds) = TsCredentials::from_der(data) {
        let der = creds.to_der().expect("decoded credentials encode");
        assert_eq!(der.expose_secret(), data, "re-encoding differs");
        let _ = format!("{creds:?}");
    }
});
