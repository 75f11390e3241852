//! The `Describe` API: every field of every seed trace is described in wire
//! order (the node's `wire_len` is the bytes it was decoded from, nested
//! tokens and lengths included), the values are the decoded ones, and
//! arbitrary or mutated input that decodes describes consistently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{h, load};
use proptest::prelude::*;
use sstp_wire::{
    AnsiStr, Carrier, Close, CloseReason, Command, CommandStream, ConnectClose, ConnectResponse,
    ConnectResponseFields, ConnectResponseFlags, ConnectResponseId, ConnectResponseTrailer,
    DecodeOptions, Describe, Node, SecurityToken, Value, command_name,
};

const TOLERANT: DecodeOptions = DecodeOptions::STRICT.tolerate_register_token_overrun(true);

/// Every vector that is a command stream, as bytes (4.1.5-* filled).
fn streams() -> Vec<(&'static str, Vec<u8>)> {
    [
        "4.1.1", "4.1.2", "4.1.3", "4.1.4", "4.1.6", "4.1.7", "4.1.8", "4.1.9", "4.1.10", "4.2.1",
        "4.3.1",
    ]
    .into_iter()
    .map(|n| (n, load(n).bytes()))
    .chain(["4.1.5-elgamal", "4.1.5-rsa"].map(|n| (n, load(n).filled(0))))
    .collect()
}

fn node<'n, 'a>(v: Option<&'n Value<'a>>) -> &'n Node<'a> {
    match v {
        Some(Value::Node(n)) => n,
        other => panic!("not a node: {other:?}"),
    }
}

/// Checks `node` against the bytes it describes: widths add up, and every
/// length field in front of a nested node or byte field matches it.
fn check_consistent(node: &Node<'_>, bytes: &[u8]) {
    assert_eq!(node.wire_len(), bytes.len(), "{}", node.name);
    let mut at = 0;
    for (i, f) in node.fields.iter().enumerate() {
        let len = f.value.wire_len();
        let field_bytes = &bytes[at..at + len];
        match &f.value {
            Value::U8(v) => assert_eq!([*v], field_bytes, "{}.{}", node.name, f.name),
            Value::U16(v) => assert_eq!(v.to_le_bytes(), field_bytes, "{}.{}", node.name, f.name),
            Value::U32(v) | Value::Timestamp(v) => {
                assert_eq!(v.to_le_bytes(), field_bytes, "{}.{}", node.name, f.name);
            }
            Value::Enum { value, .. } | Value::Flags { value, .. } => {
                assert_eq!([*value], field_bytes);
            }
            Value::Bytes(b) => {
                assert_eq!(*b, field_bytes);
                check_length_field(node, i, len);
            }
            Value::Ansi(s) => {
                assert_eq!(s.as_bytes(), &field_bytes[..s.len()]);
                assert_eq!(field_bytes[s.len()], 0);
            }
            Value::List(items) => {
                let mut j = 0;
                for item in items {
                    let Value::Ansi(s) = item else {
                        panic!("{}: lists hold strings", f.name)
                    };
                    assert_eq!(s.as_bytes(), &field_bytes[j..j + s.len()]);
                    j += s.wire_len();
                }
            }
            Value::Node(inner) => {
                check_consistent(inner, field_bytes);
                // The field before a nested structure is its length.
                assert!(node.fields[i - 1].name.ends_with("Length"));
                check_length_field(node, i, len);
            }
        }
        at += len;
    }
}

/// If the field before field `i` is its length (`<Name>Length`), it says
/// `len`; a tolerated Register overrun declares more.
fn check_length_field(node: &Node<'_>, i: usize, len: usize) {
    let Some(prev) = i.checked_sub(1).map(|p| &node.fields[p]) else {
        return;
    };
    let name = node.fields[i].name;
    if prev.name.strip_suffix("Length") != Some(name) {
        return;
    }
    let declared = match prev.value {
        Value::U16(v) => usize::from(v),
        Value::U32(v) => v as usize,
        ref other => panic!("{}.{}: {other:?}", node.name, prev.name),
    };
    if node.name == "Register" && declared > len {
        assert_eq!(name, "RegistrationToken");
    } else {
        assert_eq!(declared, len, "{}.{}", node.name, prev.name);
    }
}

#[test]
fn every_seed_trace_describes_every_byte() {
    for (name, bytes) in streams() {
        let mut stream = CommandStream::with_options(&bytes, TOLERANT);
        let mut at = 0;
        let mut commands = 0;
        while let Some(cmd) = stream.next() {
            let cmd = cmd.unwrap_or_else(|e| panic!("{name}: {e}"));
            let frame = &bytes[at..stream.consumed()];
            at = stream.consumed();
            commands += 1;

            let shallow = cmd.describe();
            check_consistent(&shallow, frame);
            let deep = cmd.describe_with_token().unwrap();
            check_consistent(&deep, frame);
            assert_eq!(
                deep.field("CommandLength"),
                Some(&Value::U16(frame.len() as u16))
            );
            // The token, where there is one, became a node.
            if let Some((_, raw, offset)) = cmd.token() {
                let field = deep
                    .fields
                    .iter()
                    .find(|f| f.name.ends_with("Token"))
                    .unwrap();
                let Value::Node(token) = &field.value else {
                    panic!("{name}: token not decoded")
                };
                assert_eq!(token.wire_len(), raw.len());
                assert_eq!(&frame[offset..offset + raw.len()], raw);
                let direct = cmd.security_token().unwrap().unwrap().describe();
                assert_eq!(&direct, token);
            }
        }
        assert!(stream.remainder().is_empty(), "{name}");
        assert!(commands >= 1, "{name}");
    }
}

#[test]
fn register_response_4_1_6_values() {
    let bytes = load("4.1.6").bytes();
    let cmd = Command::parse(&bytes).unwrap();
    let n = cmd.describe_with_token().unwrap();
    assert_eq!(
        (n.name, n.section),
        ("RegisterResponse", "[MS-GRVSSTP] 2.2.18 (presumed)")
    );
    assert_eq!(
        n.field("CommandId"),
        Some(&Value::Enum {
            value: 0x0c,
            name: Some("RegisterResponse")
        })
    );
    assert_eq!(n.field("CommandLength"), Some(&Value::U16(145)));
    assert_eq!(n.field("EventId"), Some(&Value::U32(11)));
    assert_eq!(n.field("RegistrationTokenLength"), Some(&Value::U16(136)));

    let t = node(n.field("RegistrationToken"));
    assert_eq!(t.name, "SecDeviceAccountRegisterResponse");
    assert_eq!(t.field("MajorVersionNumber"), Some(&Value::U8(1)));
    assert_eq!(t.field("MinorVersionNumber"), Some(&Value::U8(3)));
    assert_eq!(
        t.field("MessageID"),
        Some(&Value::Enum {
            value: 5,
            name: Some("SecDeviceAccountRegisterResponse")
        })
    );
    assert_eq!(t.field("AccountLayerMessageLength"), Some(&Value::U16(30)));
    let a = node(t.field("AccountLayerMessage"));
    assert_eq!(a.name, "SecAccountRegisterResponse");
    assert_eq!(a.field("MinorVersionNumber"), Some(&Value::U8(3)));
    assert_eq!(a.field("Timestamp"), Some(&Value::Timestamp(0x4791_14D3)));
    assert_eq!(
        a.field("HMAC"),
        Some(&Value::Bytes(&h(
            "07 67 cc c4 c0 1c ce e1 33 c8 1e 67 98 91 dd 45 98 1c 3a cd"
        )))
    );
    assert_eq!(t.field("Reserved"), Some(&Value::U8(0)));
    assert_eq!(t.field("IVLength"), Some(&Value::U16(24)));
    let field_names: Vec<_> = t.fields.iter().map(|f| f.name).collect();
    assert_eq!(
        field_names,
        [
            "MajorVersionNumber",
            "MinorVersionNumber",
            "MessageID",
            "AccountLayerMessageLength",
            "AccountLayerMessage",
            "Reserved",
            "IVLength",
            "IV",
            "HMACLength",
            "HMAC",
            "DeviceNonceLength",
            "DeviceNonce",
            "EncryptedRelayNonceLength",
            "EncryptedRelayNonce",
        ]
    );
}

#[test]
fn register_4_1_5_nests_account_message_and_public_keys_objects() {
    let bytes = load("4.1.5-elgamal").filled(0);
    let n = Command::parse(&bytes)
        .unwrap()
        .describe_with_token()
        .unwrap();
    let d = node(n.field("RegistrationToken"));
    assert_eq!(d.name, "SecDeviceAccountRegister");
    assert_eq!(d.field("Timestamp"), Some(&Value::Timestamp(0x4791_14D1)));
    assert_eq!(
        d.field("AccountLayerMessageLength"),
        Some(&Value::U16(1513))
    );
    let a = node(d.field("AccountLayerMessage"));
    assert_eq!(a.name, "SecAccountRegister");
    assert_eq!(
        a.field("UserPreAuthToken"),
        Some(&Value::Ansi(
            AnsiStr::new(b"4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973").unwrap()
        ))
    );
    let apko = node(a.field("AccountPublicKeysObject"));
    assert_eq!(apko.name, "PublicKeysObject");
    assert_eq!(
        apko.field("EncryptionAlgorithmName"),
        Some(&Value::Ansi(AnsiStr::new(b"ELGAMAL").unwrap()))
    );
    assert_eq!(
        apko.field("EncryptionPublicKeyLength"),
        Some(&Value::U32(529))
    );
    let dpko = node(d.field("DevicePublicKeysObject"));
    assert_eq!(
        dpko.field("SignaturePublicKeyLength"),
        Some(&Value::U32(268))
    );
    assert_eq!(
        d.field("DevicePublicKeysObjectLength"),
        Some(&Value::U16(823))
    );
}

#[test]
fn identity_register_4_1_10_shows_the_declared_length() {
    let bytes = load("4.1.10").bytes();
    let cmd = Command::parse_with(&bytes, TOLERANT).unwrap();
    let n = cmd.describe_with_token().unwrap();
    // The peer declared 244; the command holds 223.
    assert_eq!(n.field("RegistrationTokenLength"), Some(&Value::U16(244)));
    let t = node(n.field("RegistrationToken"));
    assert_eq!(t.name, "SecIdentityRegister");
    assert_eq!(t.wire_len(), 223);
    let lists = node(t.field("IdentityLists"));
    let Some(Value::List(add)) = lists.field("IdentityURLsToAdd") else {
        panic!()
    };
    assert_eq!(
        lists.field("IdentitiesToAddCount"),
        Some(&Value::U8(u8::try_from(add.len()).unwrap()))
    );
}

#[test]
fn connect_4_1_1_lists_and_response_flags_4_3_1() {
    let bytes = load("4.1.1").bytes();
    let n = Command::parse(&bytes).unwrap().describe();
    assert_eq!(n.field("NumSourceDeviceURLs"), Some(&Value::U8(1)));
    let Some(Value::List(urls)) = n.field("SourceDeviceURLs") else {
        panic!()
    };
    assert_eq!(
        urls[..],
        [Value::Ansi(
            AnsiStr::new(b"dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2").unwrap()
        )]
    );
    // The shallow form keeps the token as bytes.
    assert!(matches!(
        n.field("AuthenticationToken"),
        Some(Value::Bytes(_))
    ));

    let bytes = load("4.3.1").bytes();
    let n = Command::parse(&bytes).unwrap().describe();
    assert_eq!(
        n.field("ResponseId"),
        Some(&Value::Enum {
            value: 0,
            name: Some("Ok")
        })
    );
    assert_eq!(
        n.field("Flags"),
        Some(&Value::Flags {
            value: 3,
            names: &["MultiDrop", "SingleHop"]
        })
    );
}

#[test]
fn opaque_trailer_unknown_values_and_unknown_commands() {
    let r = ConnectResponse {
        major_version: 1,
        minor_version: 5,
        response_id: ConnectResponseId::from_u8(0x07),
        authentication_token: &[],
        trailer: ConnectResponseTrailer::Opaque(&[1, 2, 3]),
    };
    let n = r.describe();
    assert_eq!(
        n.field("ResponseId"),
        Some(&Value::Enum {
            value: 7,
            name: None
        })
    );
    assert_eq!(n.field("OpaqueAfterToken"), Some(&Value::Bytes(&[1, 2, 3])));
    check_consistent(&n, &r.to_vec().unwrap());

    let f = ConnectResponseFields {
        flags: ConnectResponseFlags(0x82),
        redirect_map_entries: 1,
        redirect_map: &[9, 9],
        ..ConnectResponseFields::default()
    };
    let n = f.describe();
    assert_eq!(
        n.field("Flags"),
        Some(&Value::Flags {
            value: 0x82,
            names: &["SingleHop"]
        })
    );
    let mut bytes = Vec::new();
    f.serialize_into(&mut bytes).unwrap();
    check_consistent(&n, &bytes);

    let c = ConnectClose {
        reason: CloseReason::Resting,
        return_time: 60,
        message_count: 2,
    };
    check_consistent(&c.describe(), &c.to_vec().unwrap());
    let close = Close {
        session_id: 1,
        reason: CloseReason::from_u8(0x42),
    };
    assert_eq!(
        close.describe().field("ReasonId"),
        Some(&Value::Enum {
            value: 0x42,
            name: None
        })
    );

    // Message (0x0D) is framed, not decoded.
    let bytes = [0x0d, 0x05, 0x00, 0xaa, 0xbb];
    let n = Command::parse(&bytes)
        .unwrap()
        .describe_with_token()
        .unwrap();
    assert_eq!((n.name, n.section), ("Message", "[MS-GRVSSTP] 2.2"));
    assert_eq!(n.field("Body"), Some(&Value::Bytes(&[0xaa, 0xbb])));
    let bytes = [0x42, 0x03, 0x00];
    assert_eq!(Command::parse(&bytes).unwrap().describe().name, "Unknown");
    assert_eq!(command_name(0x42), None);
}

#[test]
fn describe_with_token_reports_token_errors_from_the_command_start() {
    // 4.1.8 AttachAuthenticate with the token's major version set to 2.
    let mut bytes = load("4.1.8").bytes();
    bytes[9] = 2;
    let cmd = Command::parse(&bytes).unwrap();
    let err = cmd.describe_with_token().unwrap_err();
    assert_eq!(
        (err.message(), err.field(), err.offset()),
        (
            "AttachAuthenticate.AuthenticationToken",
            "MajorVersionNumber",
            9
        )
    );
    // The shallow description does not decode the token.
    assert_eq!(cmd.describe().wire_len(), bytes.len());
}

#[test]
fn bare_tokens_describe_through_their_carrier() {
    // 4.2.2: AccountLayerMessageLength (2 bytes) then SecAccountOnNewDevice.
    let bytes = load("4.2.2").bytes();
    let t = SecurityToken::parse(Carrier::SecDeviceAccountRegister, &bytes[2..]).unwrap();
    let n = t.describe();
    assert_eq!(n.name, "SecAccountOnNewDevice");
    check_consistent(&n, &bytes[2..]);
    // Header-only forms: just the header.
    let t = SecurityToken::parse(Carrier::AttachResponse, &[1, 4, 0x0b]).unwrap();
    let n = t.describe();
    assert_eq!(n.name, "SecAttachResponseNewDeviceRegistrationNeeded");
    assert_eq!(n.fields.len(), 3);
    assert_eq!(n.field("MinorVersionNumber"), Some(&Value::U8(4)));
}

/// Every command that decodes from `data` describes exactly its bytes.
fn describe_all(data: &[u8]) {
    for opts in [DecodeOptions::STRICT, TOLERANT] {
        let mut stream = CommandStream::with_options(data, opts);
        let mut at = 0;
        while let Some(item) = stream.next() {
            let frame = &data[at..stream.consumed()];
            at = stream.consumed();
            let Ok(cmd) = item else { continue };
            check_consistent(&cmd.describe(), frame);
            if let Ok(n) = cmd.describe_with_token() {
                check_consistent(&n, frame);
            }
        }
    }
}

/// The inputs of `fuzz/regressions/sstp/` and the `sstp_describe` seed
/// corpus, through the checks of the `sstp_describe` fuzz target.
#[test]
fn fuzz_regressions_and_seeds_describe_consistently() {
    let fuzz = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["regressions/sstp", "seeds/sstp_describe"] {
        for entry in std::fs::read_dir(fuzz.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            describe_all(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    assert!(n >= 20, "{n} inputs");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_describe_consistently(data in prop::collection::vec(any::<u8>(), 0..300)) {
        describe_all(&data);
    }

    #[test]
    fn mutated_traces_describe_consistently(
        which in 0usize..13,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let (_, mut bytes) = streams().swap_remove(which);
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        describe_all(&bytes);
    }
}
