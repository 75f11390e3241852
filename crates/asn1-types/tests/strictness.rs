//! Strict DER: every rejection is typed and names the structure, section,
//! field (where it can be told) and byte offset.

use asn1_types::der::{ErrorKind as DerKind, Tag, TagNumber};
use asn1_types::spnego::NegotiationToken;
use asn1_types::{Error, ErrorKind, TsCredentials, TsRequest, TsRequestRef};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("test hex")
}

fn ts_err(hex: &str) -> Error {
    let bytes = h(hex);
    let err = TsRequest::from_der(&bytes).expect_err("must be rejected");
    // The zero-copy form rejects the same input with the same report.
    let ref_err = TsRequestRef::from_der(&bytes).expect_err("Ref must reject too");
    assert_eq!(ref_err, err, "TsRequestRef error differs");
    assert_eq!(err.section.split(' ').next(), Some("[MS-CSSP]"), "{err}");
    assert!(err.is_peer_error());
    err
}

fn assert_err(err: &Error, structure: &str, field: Option<&str>, offset: usize) {
    assert_eq!(err.structure, structure, "{err}");
    assert_eq!(err.field, field, "{err}");
    assert_eq!(err.offset, Some(offset), "{err}");
}

fn ctx(n: u32) -> Tag {
    Tag::ContextSpecific {
        constructed: true,
        number: TagNumber(n),
    }
}

// The valid baseline: pyspnego's errorCode answer (samples/v6_badpass).
const BASE: &str = "300d a003020106 a40602048009030c";

#[test]
fn baseline_is_accepted() {
    let req = TsRequest::from_der(&h(BASE)).expect("baseline decodes");
    assert_eq!(req.version, 6);
    let base = h(BASE);
    let r = TsRequestRef::from_der(&base).expect("baseline decodes (Ref)");
    assert_eq!(r.to_owned_request().unwrap(), req);
}

#[test]
fn non_minimal_outer_length() {
    let err = ts_err("30810d a003020106 a40602048009030c");
    assert_err(&err, "TSRequest", None, 0);
    assert_eq!(
        err.kind,
        ErrorKind::Der(DerKind::Length { tag: Tag::Sequence })
    );
}

#[test]
fn non_minimal_field_length() {
    // version's [0] written with a long-form length.
    let err = ts_err("300e a08103020106 a40602048009030c");
    assert_err(&err, "TSRequest", Some("version"), 2);
    assert_eq!(err.kind, ErrorKind::Der(DerKind::Length { tag: ctx(0) }));
}

#[test]
fn non_minimal_integer() {
    let err = ts_err("300e a00402020006 a40602048009030c");
    assert_err(&err, "TSRequest", Some("version"), 4);
    assert_eq!(
        err.kind,
        ErrorKind::Der(DerKind::Noncanonical { tag: Tag::Integer })
    );
}

#[test]
fn indefinite_outer_length() {
    let err = ts_err("3080 a003020106 a40602048009030c 0000");
    assert_err(&err, "TSRequest", None, 0);
    assert_eq!(err.kind, ErrorKind::Der(DerKind::IndefiniteLength));
}

#[test]
fn indefinite_field_length() {
    let err = ts_err("3011 a003020106 a1800000 a40602048009030c");
    assert_err(&err, "TSRequest", Some("negoTokens"), 7);
    assert_eq!(err.kind, ErrorKind::Der(DerKind::IndefiniteLength));
}

#[test]
fn trailing_bytes_after_the_request() {
    let err = ts_err("300d a003020106 a40602048009030c 00");
    assert_err(&err, "TSRequest", None, 15);
    assert!(
        matches!(err.kind, ErrorKind::Der(DerKind::TrailingData { .. })),
        "{err}"
    );
}

#[test]
fn trailing_bytes_inside_an_explicit_tag() {
    let err = ts_err("300e a00402010600 a40602048009030c");
    assert_err(&err, "TSRequest", Some("version"), 7);
    assert!(
        matches!(err.kind, ErrorKind::Der(DerKind::TrailingData { .. })),
        "{err}"
    );
}

#[test]
fn wrong_outer_tag() {
    let err = ts_err("310d a003020106 a40602048009030c");
    assert_err(&err, "TSRequest", None, 0);
    assert_eq!(
        err.kind,
        ErrorKind::Der(DerKind::TagUnexpected {
            expected: Some(Tag::Sequence),
            actual: Tag::Set
        })
    );
}

#[test]
fn wrong_field_type() {
    // version as an OCTET STRING (tshark accepts this silently).
    let err = ts_err("300d a003040106 a40602048009030c");
    assert_err(&err, "TSRequest", Some("version"), 4);
    assert_eq!(
        err.kind,
        ErrorKind::Der(DerKind::TagUnexpected {
            expected: Some(Tag::Integer),
            actual: Tag::OctetString
        })
    );
}

#[test]
fn primitive_explicit_tag() {
    let err = ts_err("300b 800106 a40602048009030c");
    assert_err(&err, "TSRequest", Some("version"), 2);
    assert!(
        matches!(err.kind, ErrorKind::Der(DerKind::Noncanonical { .. })),
        "{err}"
    );
}

#[test]
fn negative_version() {
    let err = ts_err("300d a0030201fa a40602048009030c");
    assert_err(&err, "TSRequest", Some("version"), 4);
    assert!(
        matches!(
            err.kind,
            ErrorKind::Der(DerKind::Value { tag: Tag::Integer })
        ),
        "{err}"
    );
}

#[test]
fn error_code_beyond_32_bits() {
    let err = ts_err("300e a003020106 a407020500c000006d");
    assert_err(&err, "TSRequest", Some("errorCode"), 9);
    assert!(
        err.to_string()
            .starts_with("TSRequest ([MS-CSSP] 2.2.1) field errorCode: "),
        "{err}"
    );
    assert!(matches!(err.kind, ErrorKind::Der(_)), "{err}");
}

#[test]
fn missing_required_field() {
    let err = ts_err("3008 a40602048009030c");
    assert_err(&err, "TSRequest", Some("version"), 2);
    assert_eq!(err.kind, ErrorKind::MissingField);
    let err = ts_err("3000");
    assert_err(&err, "TSRequest", Some("version"), 2);
    assert_eq!(err.kind, ErrorKind::MissingField);
}

#[test]
fn unknown_field() {
    let err = ts_err("3012 a003020106 a40602048009030c a6030201 00");
    assert_err(&err, "TSRequest", None, 15);
    assert_eq!(err.kind, ErrorKind::UnexpectedElement(ctx(6)));
}

#[test]
fn duplicate_field() {
    let err = ts_err("3015 a003020106 a40602048009030c a40602048009030c");
    assert_err(&err, "TSRequest", Some("errorCode"), 15);
    assert_eq!(err.kind, ErrorKind::UnexpectedElement(ctx(4)));
}

#[test]
fn fields_out_of_order() {
    let err = ts_err("3011 a003020106 a30404020102 a20404020304");
    assert_err(&err, "TSRequest", Some("authInfo"), 13);
    assert_eq!(err.kind, ErrorKind::UnexpectedElement(ctx(2)));
}

#[test]
fn truncated_input() {
    let full = h(BASE);
    let err = TsRequest::from_der(&full[..full.len() - 1]).unwrap_err();
    assert_eq!(
        TsRequestRef::from_der(&full[..full.len() - 1]).unwrap_err(),
        err
    );
    assert_err(&err, "TSRequest", None, 0);
    assert!(
        matches!(err.kind, ErrorKind::Der(DerKind::Incomplete { .. })),
        "{err}"
    );
    // A field whose length runs past its SEQUENCE.
    let err = ts_err("300d a003020106 a40702048009030c");
    assert_err(&err, "TSRequest", Some("errorCode"), 7);
}

#[test]
fn nested_errors_name_the_inner_structure() {
    // negoTokens = [ SEQUENCE {} ]: negoToken [0] missing.
    let err = ts_err("300b a003020106 a104 3002 3000");
    assert_err(&err, "NegoData", Some("negoToken"), 13);
    assert_eq!(err.kind, ErrorKind::MissingField);
    // negoTokens = [ SEQUENCE { [1] ... } ]: an element NegoData lacks.
    let err = ts_err("3011 a003020106 a10a 3008 3006 a1040402aabb");
    assert_err(&err, "NegoData", None, 13);
    assert_eq!(err.kind, ErrorKind::UnexpectedElement(ctx(1)));
    // negoTokens holding an INTEGER instead of a SEQUENCE.
    let err = ts_err("300c a003020106 a105 3003 020100");
    assert_err(&err, "NegoData", None, 11);
}

#[test]
fn credentials_errors_point_into_the_credentials() {
    // The §4 dump with readerName's OCTET STRING tag (offset 61) made a
    // UTF8String.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/cssp/smartcard_tscredentials.hex"
    );
    let text = std::fs::read_to_string(path).expect("vector");
    let mut bytes = h(&text.split_whitespace().collect::<String>());
    assert_eq!(bytes[59..62], [0xa2, 0x2e, 0x04]);
    bytes[61] = 0x0c;
    let err = TsCredentials::from_der(&bytes).unwrap_err();
    assert_err(&err, "TSCspDataDetail", Some("readerName"), 61);
    assert_eq!(err.section, "[MS-CSSP] 2.2.1.2.2.1");
    assert_eq!(
        err.to_string(),
        "TSCspDataDetail ([MS-CSSP] 2.2.1.2.2.1) field readerName: unexpected ASN.1 DER tag: expected OCTET STRING, got UTF8String at byte 61"
    );
}

#[test]
fn spnego_framing_rules() {
    // The initial token without its GSS-API framing.
    let bare_init = h(
        "a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d5353500001000000378208e200000000280000000000000028000000000c04000000000f",
    );
    let err = NegotiationToken::from_der(&bare_init).unwrap_err();
    assert_eq!(err.field, Some("negTokenInit"));
    assert!(matches!(err.kind, ErrorKind::InvalidValue(_)));

    // Framed with the Kerberos OID instead of SPNEGO.
    let krb = h("600d 06092a864886f712010202 0100");
    let err = NegotiationToken::from_der(&krb).unwrap_err();
    assert_err(&err, "InitialContextToken", Some("thisMech"), 2);

    // Framed, but holding a NegTokenResp.
    let framed_resp = h("600c 06062b0601050502 a1023000");
    let err = NegotiationToken::from_der(&framed_resp).unwrap_err();
    assert_eq!(err.field, Some("innerContextToken"));
    assert_eq!(err.kind, ErrorKind::UnexpectedElement(ctx(1)));

    // A negState outside the ENUMERATED.
    let resp = h("a1073005a0030a0107");
    let err = NegotiationToken::from_der(&resp).unwrap_err();
    assert_err(&err, "NegTokenResp", Some("negState"), 6);

    // Trailing bytes after a NegTokenResp.
    let resp = h("a1073005a0030a010000");
    let err = NegotiationToken::from_der(&resp).unwrap_err();
    assert_eq!(err.offset, Some(9));
    assert!(
        matches!(err.kind, ErrorKind::Der(DerKind::TrailingData { .. })),
        "{err}"
    );
}

#[test]
fn spnego_init_errors_name_the_field() {
    // A framed [0] whose mechTypes holds an INTEGER: neither a NegTokenInit
    // nor a NegTokenInit2.
    let token = h("6013 06062b0601050502 a009 3007 a005 3003 020100");
    let err = NegotiationToken::from_der(&token).unwrap_err();
    assert_eq!(err.structure, "NegTokenInit", "{err}");
    assert_eq!(err.field, Some("mechTypes"), "{err}");
    assert_eq!(err.offset, Some(16), "{err}");

    // Without mechTypes the [0] body is a (valid) NegTokenInit2.
    let token = h("6012 06062b0601050502 a008 3006 a2040402aabb");
    match NegotiationToken::from_der(&token).expect("NegTokenInit2") {
        NegotiationToken::NegTokenInit2(init2) => assert!(init2.mech_types.is_none()),
        other => panic!("{other:?}"),
    }
}
