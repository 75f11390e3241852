//! Round trips: proptest for TSRequest, TSCredentials (all three credential
//! types) and NegotiationToken; plus lengths far beyond 64 KiB.

use asn1_types::der::asn1::{ObjectIdentifier, OctetString};
use asn1_types::spnego::{
    ContextFlags, GeneralString, MechTypeList, NegHints, NegState, NegTokenInit, NegTokenInit2,
    NegTokenResp, NegotiationToken, OID_KRB5, OID_KRB5_U2U, OID_MS_KRB5, OID_NEGOEX, OID_NTLMSSP,
    OID_SPNEGO,
};
use asn1_types::{
    NegoDataItem, NtStatus, SecretBytes, TsCredentials, TsCspDataDetail, TsPasswordCreds,
    TsRemoteGuardCreds, TsRemoteGuardPackageCred, TsRequest, TsSmartCardCreds, der_frame_len,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    // Mostly short; up to `max` for the 0x81 and 0x82 length forms.
    prop_oneof![
        4 => vec(any::<u8>(), 0..max.min(40)),
        1 => vec(any::<u8>(), 0..max),
    ]
}

fn octets(max: usize) -> impl Strategy<Value = OctetString> {
    bytes(max).prop_map(|b| OctetString::new(b).expect("octets"))
}

fn secret(max: usize) -> impl Strategy<Value = SecretBytes> {
    bytes(max).prop_map(SecretBytes::new)
}

fn ts_request() -> impl Strategy<Value = TsRequest> {
    (
        any::<u32>(),
        option::of(vec(
            octets(400).prop_map(|t| NegoDataItem { nego_token: t }),
            0..4,
        )),
        option::of(octets(300)),
        option::of(octets(300)),
        option::of(any::<u32>().prop_map(NtStatus)),
        option::of(octets(64)),
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

fn package_cred() -> impl Strategy<Value = TsRemoteGuardPackageCred> {
    (octets(64), secret(300)).prop_map(|(package_name, cred_buffer)| TsRemoteGuardPackageCred {
        package_name,
        cred_buffer,
    })
}

fn ts_credentials() -> impl Strategy<Value = TsCredentials> {
    let password = (octets(64), octets(64), secret(200)).prop_map(|(d, u, p)| {
        TsCredentials::Password(TsPasswordCreds {
            domain_name: d,
            user_name: u,
            password: p,
        })
    });
    let csp = (
        any::<u32>(),
        option::of(octets(64)),
        option::of(octets(64)),
        option::of(octets(300)),
        option::of(octets(64)),
    )
        .prop_map(
            |(key_spec, card_name, reader_name, container_name, csp_name)| TsCspDataDetail {
                key_spec,
                card_name,
                reader_name,
                container_name,
                csp_name,
            },
        );
    let smart_card = (
        secret(40),
        csp,
        option::of(octets(64)),
        option::of(octets(64)),
    )
        .prop_map(|(pin, csp_data, user_hint, domain_hint)| {
            TsCredentials::SmartCard(TsSmartCardCreds {
                pin,
                csp_data,
                user_hint,
                domain_hint,
            })
        });
    let remote_guard = (package_cred(), option::of(vec(package_cred(), 0..3))).prop_map(
        |(logon_cred, supplemental_creds)| {
            TsCredentials::RemoteGuard(TsRemoteGuardCreds {
                logon_cred,
                supplemental_creds,
            })
        },
    );
    prop_oneof![password, smart_card, remote_guard]
}

fn oid() -> impl Strategy<Value = ObjectIdentifier> {
    let known = prop_oneof![
        Just(OID_NTLMSSP),
        Just(OID_KRB5),
        Just(OID_MS_KRB5),
        Just(OID_KRB5_U2U),
        Just(OID_NEGOEX),
        Just(OID_SPNEGO),
    ];
    let random = (0u32..=2, 0u32..40, vec(any::<u32>(), 0..6)).prop_filter_map(
        "OID must fit",
        |(first, second, rest)| {
            let arcs = [first, second].into_iter().chain(rest);
            ObjectIdentifier::from_arcs(arcs).ok()
        },
    );
    prop_oneof![known, random]
}

fn context_flags() -> impl Strategy<Value = ContextFlags> {
    prop_oneof![
        vec(0usize..40, 0..7).prop_map(|bits| ContextFlags::new(&bits)),
        (0u8..8, vec(any::<u8>(), 1..5)).prop_map(|(unused, mut raw)| {
            if let Some(last) = raw.last_mut() {
                *last &= !((1u8 << unused) - 1);
            }
            ContextFlags::from_raw(unused, raw).expect("DER bits")
        }),
        Just(ContextFlags::from_raw(0, Vec::new()).expect("empty")),
    ]
}

fn mech_types() -> impl Strategy<Value = MechTypeList> {
    vec(oid(), 0..5).prop_map(MechTypeList)
}

fn neg_state() -> impl Strategy<Value = NegState> {
    prop_oneof![
        Just(NegState::AcceptCompleted),
        Just(NegState::AcceptIncomplete),
        Just(NegState::Reject),
        Just(NegState::RequestMic),
    ]
}

fn negotiation_token() -> impl Strategy<Value = NegotiationToken> {
    let init = (
        mech_types(),
        option::of(context_flags()),
        option::of(octets(400)),
        option::of(octets(40)),
    )
        .prop_map(|(mech_types, req_flags, mech_token, mech_list_mic)| {
            NegotiationToken::NegTokenInit(NegTokenInit {
                mech_types,
                req_flags,
                mech_token,
                mech_list_mic,
            })
        });
    let hints = (
        option::of(bytes(60).prop_map(GeneralString)),
        option::of(octets(30)),
    )
        .prop_map(|(hint_name, hint_address)| NegHints {
            hint_name,
            hint_address,
        });
    let init2 = (
        option::of(mech_types()),
        option::of(context_flags()),
        option::of(octets(400)),
        option::of(hints),
        option::of(octets(40)),
    )
        .prop_map(
            |(mech_types, req_flags, mech_token, neg_hints, mech_list_mic)| NegTokenInit2 {
                mech_types,
                req_flags,
                mech_token,
                neg_hints,
                mech_list_mic,
            },
        )
        // With mechTypes and neither negHints nor mechListMIC, a
        // NegTokenInit2 is byte-identical to a NegTokenInit and decodes as
        // one (see `init2_that_is_also_an_init_decodes_as_init`).
        .prop_filter("distinguishable from NegTokenInit", |t| {
            t.mech_types.is_none() || t.neg_hints.is_some() || t.mech_list_mic.is_some()
        })
        .prop_map(NegotiationToken::NegTokenInit2);
    let resp = (
        option::of(neg_state()),
        option::of(oid()),
        option::of(octets(400)),
        option::of(octets(40)),
    )
        .prop_map(
            |(neg_state, supported_mech, response_token, mech_list_mic)| {
                NegotiationToken::NegTokenResp(NegTokenResp {
                    neg_state,
                    supported_mech,
                    response_token,
                    mech_list_mic,
                })
            },
        );
    prop_oneof![init, init2, resp]
}

proptest! {
    #[test]
    fn ts_request_round_trips(req in ts_request()) {
        let der = req.to_der().expect("encode");
        prop_assert_eq!(TsRequest::frame_len(&der).and_then(Result::ok), Some(der.len()));
        let back = TsRequest::from_der(&der).expect("decode");
        prop_assert_eq!(&back, &req);
        prop_assert_eq!(back.to_der().expect("re-encode"), der);
    }

    #[test]
    fn ts_credentials_round_trip(creds in ts_credentials()) {
        let der = creds.to_der().expect("encode");
        let back = TsCredentials::from_der(der.expose_secret()).expect("decode");
        prop_assert_eq!(&back, &creds);
        prop_assert_eq!(back.to_der().expect("re-encode"), der);
    }

    #[test]
    fn negotiation_token_round_trips(token in negotiation_token()) {
        let der = token.to_der().expect("encode");
        let back = NegotiationToken::from_der(&der).expect("decode");
        prop_assert_eq!(&back, &token);
        prop_assert_eq!(back.to_der().expect("re-encode"), der);
    }

    #[test]
    fn mech_list_mic_input_is_the_list_der(types in mech_types()) {
        let der = types.to_der().expect("encode");
        let token = NegotiationToken::NegTokenInit(NegTokenInit {
            mech_types: types.clone(),
            req_flags: None,
            mech_token: None,
            mech_list_mic: None,
        });
        let wire = token.to_der().expect("encode token");
        // The list appears verbatim inside the framed token.
        prop_assert!(wire.windows(der.len()).any(|w| w == der.as_slice()));
    }
}

#[test]
fn init2_that_is_also_an_init_decodes_as_init() {
    let init2 = NegotiationToken::NegTokenInit2(NegTokenInit2 {
        mech_types: Some(MechTypeList(vec![OID_NTLMSSP])),
        req_flags: None,
        mech_token: Some(OctetString::new(vec![1, 2, 3]).expect("octets")),
        neg_hints: None,
        mech_list_mic: None,
    });
    let der = init2.to_der().expect("encode");
    let decoded = NegotiationToken::from_der(&der).expect("decode");
    assert!(
        matches!(decoded, NegotiationToken::NegTokenInit(_)),
        "{decoded:?}"
    );
    assert_eq!(decoded.to_der().expect("re-encode"), der);
}

/// The NegTokenInit2 Windows servers send (e.g. in the SMB2 NEGOTIATE
/// response): mechTypes NegoEx, MS Kerberos, Kerberos, Kerberos U2U, NTLM, and
/// the [MS-SPNG] hint name `not_defined_in_RFC4178@please_ignore`. Every
/// length in it was checked by hand against its contents.
const WINDOWS_NEG_TOKEN_INIT2: &str = "607606062b0601050502a06c306aa03c303a060a2b06010401823702021e06092a864882f71201020206092a864886f712010202060a2a864886f71201020203060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c656173655f69676e6f7265";

#[test]
fn ms_spng_neg_token_init2_with_hints() {
    let der = hex::decode(WINDOWS_NEG_TOKEN_INIT2).expect("hex");
    let token = NegotiationToken::from_der(&der).expect("decode");
    let NegotiationToken::NegTokenInit2(init2) = &token else {
        panic!("expected NegTokenInit2, got {token:?}");
    };
    assert_eq!(
        init2.mech_types.as_ref().map(|m| m.0.clone()),
        Some(vec![
            OID_NEGOEX,
            OID_MS_KRB5,
            OID_KRB5,
            OID_KRB5_U2U,
            OID_NTLMSSP
        ])
    );
    assert_eq!(
        init2.neg_hints.as_ref().and_then(|h| h.hint_name.clone()),
        Some(GeneralString(
            b"not_defined_in_RFC4178@please_ignore".to_vec()
        ))
    );
    assert!(init2.mech_token.is_none() && init2.mech_list_mic.is_none());
    assert_eq!(token.to_der().expect("re-encode"), der);
}

/// 100 KiB, well past the 64 KiB where hand-rolled BER (sspi-rs) stops.
const BIG: usize = 100 * 1024;

#[test]
fn ts_request_with_a_100_kib_token_round_trips() {
    let token: Vec<u8> = (0..BIG).map(|i| (i % 251) as u8).collect();
    let mut req = TsRequest::new(6);
    req.nego_tokens = Some(vec![NegoDataItem::new(token.clone()).expect("token")]);
    req.pub_key_auth = Some(OctetString::new(vec![0xAB; BIG]).expect("octets"));
    let der = req.to_der().expect("encode");
    // 3-byte long-form lengths, outer and inner.
    assert_eq!(&der[..2], &[0x30, 0x83]);
    assert_eq!(
        der_frame_len(&der).expect("header").expect("DER"),
        der.len()
    );
    assert!(der_frame_len(&der[..4]).is_none(), "header incomplete");
    assert_eq!(
        der_frame_len(&der[..5]).expect("header").expect("DER"),
        der.len()
    );
    let back = TsRequest::from_der(&der).expect("decode");
    assert_eq!(back.nego_token_bytes().next(), Some(&token[..]));
    assert_eq!(back.to_der().expect("re-encode"), der);
    // One byte short is rejected, not misread.
    assert!(TsRequest::from_der(&der[..der.len() - 1]).is_err());
}

#[test]
fn big_spnego_and_credentials_round_trip() {
    let token = NegotiationToken::NegTokenResp(NegTokenResp {
        neg_state: Some(NegState::AcceptIncomplete),
        supported_mech: Some(OID_KRB5),
        response_token: Some(OctetString::new(vec![0x5A; BIG]).expect("octets")),
        mech_list_mic: None,
    });
    let der = token.to_der().expect("encode");
    assert_eq!(NegotiationToken::from_der(&der).expect("decode"), token);

    let creds = TsCredentials::RemoteGuard(TsRemoteGuardCreds {
        logon_cred: TsRemoteGuardPackageCred {
            package_name: OctetString::new(b"K\0e\0r\0b\0".to_vec()).expect("octets"),
            cred_buffer: SecretBytes::new(vec![7; BIG]),
        },
        supplemental_creds: None,
    });
    let der = creds.to_der().expect("encode");
    assert_eq!(
        TsCredentials::from_der(der.expose_secret()).expect("decode"),
        creds
    );
}
