//! The [MS-CSSP] §4 smart-card `TSCredentials` dump
//! (`tests/vectors/cssp/smartcard_tscredentials.{hex,md}`).

use asn1_types::{TsCredentials, from_utf16le, utf16le};

const VECTOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/cssp/smartcard_tscredentials.hex"
);

fn vector() -> Vec<u8> {
    let text = std::fs::read_to_string(VECTOR)
        .unwrap_or_else(|e| panic!("test vector {VECTOR} is missing: {e}"));
    let hex: String = text.split_whitespace().collect();
    hex::decode(hex).expect("vector is hex")
}

fn text(field: Option<&asn1_types::der::asn1::OctetString>) -> Option<String> {
    field.map(|o| from_utf16le(o.as_bytes()).expect("UTF-16LE text"))
}

#[test]
fn spec_smart_card_dump_decodes_to_the_listed_values() {
    let bytes = vector();
    // "Total Size: 275", "tscredentials_len: 0X10F", "creds_len: 0X106".
    assert_eq!(bytes.len(), 275);
    assert_eq!(&bytes[..4], &[0x30, 0x82, 0x01, 0x0f]);
    assert_eq!(&bytes[9..13], &[0xa1, 0x82, 0x01, 0x06]);

    let creds = TsCredentials::from_der(&bytes).expect("decode §4 dump");
    assert_eq!(creds.cred_type(), 2);
    let TsCredentials::SmartCard(sc) = &creds else {
        panic!("credType 2 must decode as smart-card credentials");
    };
    assert_eq!(sc.pin.expose_secret(), utf16le("bbbbbbbbbbbb"));
    assert_eq!(sc.pin.len(), 24);
    let csp = &sc.csp_data;
    assert_eq!(csp.key_spec, 1);
    assert_eq!(text(csp.card_name.as_ref()), None);
    assert_eq!(
        text(csp.reader_name.as_ref()).as_deref(),
        Some("OMNIKEY CardMan 3x21 0")
    );
    assert_eq!(
        text(csp.container_name.as_ref()).as_deref(),
        Some("le-MSSmartcardUser-8bda019f-1266--53268")
    );
    assert_eq!(
        text(csp.csp_name.as_ref()).as_deref(),
        Some("Microsoft Base Smart Card Crypto Provider")
    );
    assert!(sc.user_hint.is_none());
    assert!(sc.domain_hint.is_none());
}

#[test]
fn spec_smart_card_dump_re_encodes_byte_identically() {
    let bytes = vector();
    let creds = TsCredentials::from_der(&bytes).expect("decode");
    assert_eq!(creds.to_der().expect("encode").expose_secret(), &bytes[..]);
}

#[test]
fn spec_smart_card_dump_rejects_every_truncation_and_extension() {
    let bytes = vector();
    for len in 0..bytes.len() {
        assert!(
            TsCredentials::from_der(&bytes[..len]).is_err(),
            "a {len}-byte prefix decoded"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    let err = TsCredentials::from_der(&longer).unwrap_err();
    assert_eq!(err.structure, "TSCredentials");
    assert_eq!(err.offset, Some(275));
}
