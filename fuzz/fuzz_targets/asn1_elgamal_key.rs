//! Fuzzes [MS-GRVSSTPS] 3.1.1.1 `ElgamalPublicKey` decoding (the 2010
//! `DHPublicKeyForElgamalEncryption` with optional `q`, and the Groove 2007
//! form). Properties: no panic; whatever decodes re-encodes byte for byte.
#![no_main]

use asn1_types::grvsstps::ElgamalPublicKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = ElgamalPublicKey::from_der(data) {
        assert_eq!(
            key.to_der().expect("a decoded key encodes"),
            data,
            "re-encoding differs"
        );
        let _ = (key.group(), key.y());
    }
});
