//! Differential tests of the TSRequest fast path against the `der` derive:
//! whatever `TsRequest::from_der` / `TsRequestRef::from_der` accept, the
//! derive accepts with the same value (and vice versa), and the one-pass
//! encoder writes the derive's exact bytes.

use asn1_types::der::asn1::OctetString;
use asn1_types::der::{Decode, Encode};
use asn1_types::{NegoDataItem, NegoDataRef, NtStatus, TsRequest, TsRequestRef};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn octets(max: usize) -> impl Strategy<Value = OctetString> {
    // Sizes across the 1-, 2- and 3-byte length forms.
    prop_oneof![
        vec(any::<u8>(), 0..max),
        vec(any::<u8>(), 250..300),
        Just(vec![7u8; 70_000])
    ]
    .prop_map(|b| OctetString::new(b).expect("small"))
}

fn ts_request() -> impl Strategy<Value = TsRequest> {
    (
        any::<u32>(),
        option::of(vec(
            octets(200).prop_map(|t| NegoDataItem { nego_token: t }),
            0..3,
        )),
        option::of(octets(150)),
        option::of(octets(150)),
        option::of(any::<u32>().prop_map(NtStatus)),
        option::of(octets(40)),
    )
        .prop_map(
            |(version, nego_tokens, auth_info, pub_key_auth, error_code, client_nonce)| TsRequest {
                version,
                nego_tokens,
                auth_info,
                pub_key_auth,
                error_code,
                client_nonce,
            },
        )
}

/// Both decoders, compared: same acceptance, same value.
fn agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    let derive = <TsRequest as Decode>::from_der(bytes);
    let ours = TsRequest::from_der(bytes);
    prop_assert_eq!(derive.is_ok(), ours.is_ok(), "owned acceptance differs");
    let derive_ref = <TsRequestRef<'_> as Decode>::from_der(bytes);
    let ours_ref = TsRequestRef::from_der(bytes);
    prop_assert_eq!(
        derive_ref.is_ok(),
        ours_ref.is_ok(),
        "Ref acceptance differs"
    );
    prop_assert_eq!(derive.is_ok(), derive_ref.is_ok());
    if let (Ok(d), Ok(o), Ok(dr), Ok(or)) = (derive, ours, derive_ref, ours_ref) {
        prop_assert_eq!(&d, &o);
        prop_assert_eq!(dr, or);
        prop_assert_eq!(or.to_owned_request().unwrap(), d);
        prop_assert_eq!(or.encode_to_vec().unwrap(), bytes);
    } else if let (Err(o), Err(or)) = (TsRequest::from_der(bytes), TsRequestRef::from_der(bytes)) {
        prop_assert_eq!(o, or);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encoder_writes_the_derive_bytes(req in ts_request()) {
        let derive = Encode::to_der(&req).unwrap();
        prop_assert_eq!(&req.to_der().unwrap(), &derive);
        let r = TsRequestRef::from(&req);
        prop_assert_eq!(&r.encode_to_vec().unwrap(), &derive);
        prop_assert_eq!(&Encode::to_der(&r).unwrap(), &derive);
        let mut out = vec![0xEE];
        r.encode_into(&mut out).unwrap();
        prop_assert_eq!(&out[1..], &derive[..]);
        agree(&derive)?;
    }

    #[test]
    fn mutated_requests_decode_like_the_derive(
        req in ts_request(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
    ) {
        let mut bytes = Encode::to_der(&req).unwrap();
        for (at, byte, op) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes[i] ^= 1 << (byte % 8),
                2 => bytes.insert(i, byte),
                _ => { bytes.truncate(i); }
            }
        }
        agree(&bytes)?;
    }

    #[test]
    fn random_bytes_decode_like_the_derive(bytes in vec(any::<u8>(), 0..64)) {
        agree(&bytes)?;
    }
}

#[test]
fn integer_edges_agree() {
    // version / errorCode INTEGER contents of every interesting shape.
    let contents: &[&[u8]] = &[
        &[],
        &[0],
        &[0x7F],
        &[0x80],
        &[0, 0x80],
        &[0, 0x7F],
        &[0xFF],
        &[0xFF, 0x7F],
        &[0xFF, 0x80],
        &[1, 2, 3, 4],
        &[0, 0xFF, 0xFF, 0xFF, 0xFF],
        &[1, 0, 0, 0, 0],
        &[0x80, 0, 0, 0],
        &[0, 0x80, 0, 0, 0],
    ];
    for c in contents {
        for tag in [0xA0u8, 0xA4] {
            let int = [&[0x02, c.len() as u8][..], c].concat();
            let field = [&[tag, int.len() as u8][..], &int].concat();
            let body = if tag == 0xA0 {
                field
            } else {
                [&[0xA0, 3, 2, 1, 6][..], &field].concat()
            };
            let der = [&[0x30, body.len() as u8][..], &body].concat();
            agree(&der).unwrap();
        }
    }
}

#[test]
fn single_token_helper_encodes_like_an_item() {
    let mut owned = TsRequest::new(6);
    owned.nego_tokens = Some(vec![NegoDataItem::new(vec![1u8, 2, 3]).unwrap()]);
    let mut r = TsRequestRef::new(6);
    r.nego_tokens = Some(NegoDataRef::single(&[1, 2, 3]).unwrap());
    assert_eq!(r.encode_to_vec().unwrap(), owned.to_der().unwrap());
    assert_eq!(Encode::to_der(&r).unwrap(), owned.to_der().unwrap());
    assert_eq!(r, TsRequestRef::from(&owned));
    assert_eq!(r.nego_token_bytes().collect::<Vec<_>>(), [&[1u8, 2, 3][..]]);
    let nego = r.nego_tokens.unwrap();
    assert_eq!(nego.len(), 1);
    assert!(!nego.is_empty());
}
