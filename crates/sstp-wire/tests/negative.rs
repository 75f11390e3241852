//! One test per rule: the decoder rejects the violation, and the encoder
//! refuses to produce it, each with the right kind, field and offset.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{h, load};
use sstp_wire::{
    AnsiStr, Attach, Carrier, Close, CloseReason, Command, CommandStream, Connect, ConnectResponse,
    ConnectResponseFields, ConnectResponseFlags, ConnectResponseId, ConnectResponseTrailer,
    DecodeOptions, Error, ErrorKind, MinorVersion, Open, OpenResponse, Origin, PublicKeysObject,
    Register, RegisterResponse, SecAccountOnNewDevice, SecConnect, SecConnectAuthenticate,
    SecDeviceAccountRegister, SecDeviceAccountRegisterResponse, SecIdentityRegister, SecurityToken,
};

#[track_caller]
fn check(err: &Error, kind: ErrorKind, message: &str, field: &str, offset: usize) {
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(
        (err.message(), err.field(), err.offset()),
        (message, field, offset),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.starts_with(|c: char| c.is_ascii_lowercase()), "{text}");
    assert!(!text.ends_with('.'), "{text}");
}

#[track_caller]
fn peer(err: Error, kind: ErrorKind, message: &str, field: &str, offset: usize) {
    assert_eq!(err.origin(), Origin::Peer);
    check(&err, kind, message, field, offset);
}

#[track_caller]
fn caller(err: Error, kind: ErrorKind, message: &str, field: &str, offset: usize) {
    assert_eq!(err.origin(), Origin::Caller);
    check(&err, kind, message, field, offset);
}

/// A valid SecConnect: 1.3, IV, 20-byte HMAC, nonce. 77 bytes.
fn sec_connect() -> Vec<u8> {
    let mut b = h("01 03 01 18 00");
    b.extend([0x11; 24]);
    b.extend(h("14 00"));
    b.extend([0x22; 20]);
    b.extend(h("18 00"));
    b.extend([0x33; 24]);
    assert!(SecConnect::parse(&b).is_ok());
    b
}

// ---- security header ------------------------------------------------------

#[test]
fn bad_major_version() {
    let mut b = sec_connect();
    b[0] = 2;
    peer(
        SecConnect::parse(&b).unwrap_err(),
        ErrorKind::UnsupportedMajorVersion { actual: 2 },
        "SecConnect",
        "MajorVersionNumber",
        0,
    );
    peer(
        SecurityToken::parse(Carrier::Connect, &b).unwrap_err(),
        ErrorKind::UnsupportedMajorVersion { actual: 2 },
        "Connect.AuthenticationToken",
        "MajorVersionNumber",
        0,
    );
}

#[test]
fn bad_minor_version() {
    for minor in [0, 2, 5, 0xFF] {
        let mut b = sec_connect();
        b[1] = minor;
        peer(
            SecConnect::parse(&b).unwrap_err(),
            ErrorKind::UnsupportedMinorVersion { actual: minor },
            "SecConnect",
            "MinorVersionNumber",
            1,
        );
    }
    // 3 and 4 are both accepted and kept.
    let mut b = sec_connect();
    b[1] = 4;
    assert_eq!(
        SecConnect::parse(&b).unwrap().minor_version,
        MinorVersion::V4
    );
}

#[test]
fn truncated_header() {
    peer(
        SecConnect::parse(&[1, 3]).unwrap_err(),
        ErrorKind::Truncated {
            needed: 1,
            available: 0,
        },
        "SecConnect",
        "MessageID",
        2,
    );
    peer(
        SecurityToken::parse(Carrier::Attach, &[]).unwrap_err(),
        ErrorKind::Truncated {
            needed: 1,
            available: 0,
        },
        "Attach.AuthenticationToken",
        "MajorVersionNumber",
        0,
    );
}

#[test]
fn wrong_message_id_for_type() {
    let mut b = sec_connect();
    b[2] = 0x02;
    peer(
        SecConnect::parse(&b).unwrap_err(),
        ErrorKind::UnexpectedMessageId {
            expected: 1,
            actual: 2,
        },
        "SecConnect",
        "MessageID",
        2,
    );
}

#[test]
fn message_id_not_valid_for_carrier() {
    // 0x0B is SecAttachResponseNewDeviceRegistrationNeeded in an
    // AttachResponse, but means nothing in a ConnectResponse.
    assert!(SecurityToken::parse(Carrier::AttachResponse, &[1, 3, 0x0B]).is_ok());
    peer(
        SecurityToken::parse(Carrier::ConnectResponse, &[1, 3, 0x0B]).unwrap_err(),
        ErrorKind::MessageIdNotValidForCarrier {
            carrier: Carrier::ConnectResponse,
            actual: 0x0B,
        },
        "ConnectResponse.AuthenticationToken",
        "MessageID",
        2,
    );
    // SecConnect's ID in an Attach is SecAttach, with SecAttach's layout.
    let b = sec_connect();
    let t = SecurityToken::parse(Carrier::Attach, &b).unwrap();
    assert_eq!(t.name(), "SecAttach");
}

#[test]
fn oversize_message() {
    // A SecAccountOnNewDevice whose HMAC makes it 6145 bytes.
    let mut b = h("01 04 05");
    b.extend(6140u16.to_le_bytes());
    b.extend(vec![0; 6140]);
    assert_eq!(b.len(), 6145);
    peer(
        SecAccountOnNewDevice::parse(&b).unwrap_err(),
        ErrorKind::MessageTooLarge {
            actual: 6145,
            max: 6144,
        },
        "SecAccountOnNewDevice",
        "(whole message)",
        0,
    );
    // 6144 is fine.
    b.truncate(6144);
    b[3..5].copy_from_slice(&6139u16.to_le_bytes());
    assert!(SecAccountOnNewDevice::parse(&b).is_ok());
}

// ---- lengths ----------------------------------------------------------------

#[test]
fn length_overruns_input() {
    let mut b = sec_connect();
    b[29..31].copy_from_slice(&200u16.to_le_bytes()); // HMACLength
    peer(
        SecConnect::parse(&b).unwrap_err(),
        ErrorKind::LengthOverrun {
            declared: 200,
            available: 46,
        },
        "SecConnect",
        "HMACLength",
        29,
    );
}

#[test]
fn length_bounded_by_enclosing_field() {
    // §4.1.6: the nested SecAccountRegisterResponse's HMACLength (20, at
    // command offset 0x16) raised to 21 would still fit the token, but not
    // the 30-byte account layer message that encloses it.
    let mut b = load("4.1.6").bytes();
    assert_eq!(b[0x16], 20);
    b[0x16] = 21;
    let cmd = Command::parse(&b).unwrap();
    peer(
        cmd.security_token().unwrap().unwrap_err(),
        ErrorKind::LengthOverrun {
            declared: 21,
            available: 20,
        },
        "SecAccountRegisterResponse",
        "HMACLength",
        0x16,
    );
    // And the enclosing length itself is bounded by the token.
    let mut b = load("4.1.6").bytes();
    b[0x0c] = 0xF0; // AccountLayerMessageLength
    let tok = &b[9..];
    peer(
        SecDeviceAccountRegisterResponse::parse(tok).unwrap_err(),
        ErrorKind::LengthOverrun {
            declared: 0xF0,
            available: 131,
        },
        "SecDeviceAccountRegisterResponse",
        "AccountLayerMessageLength",
        3,
    );
}

#[test]
fn public_keys_object_length_overrun() {
    let mut pko = b"RSA\0RSA\0RSA\0RSA\0".to_vec();
    pko.extend(0xFFFF_FFF0u32.to_le_bytes());
    pko.extend([0x30; 8]);
    peer(
        PublicKeysObject::parse(&pko).unwrap_err(),
        ErrorKind::LengthOverrun {
            declared: 0xFFFF_FFF0,
            available: 8,
        },
        "PublicKeysObject",
        "SignaturePublicKeyLength",
        16,
    );
}

#[test]
fn wrong_nonce_size() {
    // IVLength 23 (the IV MUST be 24 bytes).
    let mut b = sec_connect();
    b[3] = 23;
    peer(
        SecConnect::parse(&b).unwrap_err(),
        ErrorKind::WrongFieldLength {
            expected: 24,
            actual: 23,
        },
        "SecConnect",
        "IVLength",
        3,
    );
    // RelayNonceLength 25.
    let mut b = h("01 03 03 19 00");
    b.extend([0; 25]);
    peer(
        SecConnectAuthenticate::parse(&b).unwrap_err(),
        ErrorKind::WrongFieldLength {
            expected: 24,
            actual: 25,
        },
        "SecConnectAuthenticate",
        "RelayNonceLength",
        3,
    );
}

#[test]
fn truncated_nonce() {
    let b = sec_connect();
    peer(
        SecConnect::parse(&b[..70]).unwrap_err(),
        ErrorKind::LengthOverrun {
            declared: 24,
            available: 17,
        },
        "SecConnect",
        "EncryptedDeviceNonceLength",
        51,
    );
}

#[test]
fn trailing_bytes_in_token() {
    let mut b = h("01 03 03 18 00");
    b.extend([7; 24]);
    b.push(0);
    peer(
        SecConnectAuthenticate::parse(&b).unwrap_err(),
        ErrorKind::TrailingBytes { count: 1 },
        "SecConnectAuthenticate",
        "(end of message)",
        29,
    );
    // Header-only messages too.
    peer(
        SecurityToken::parse(Carrier::ConnectResponse, &[1, 3, 0x0A, 0]).unwrap_err(),
        ErrorKind::TrailingBytes { count: 1 },
        "SecConnectResponseDeviceRegistrationNeeded",
        "(end of message)",
        3,
    );
}

// ---- strings -----------------------------------------------------------------

fn identity_register(lists: &[u8], relay: &[u8]) -> Vec<u8> {
    let mut b = h("01 04 06 d3 14 91 47");
    b.extend(b"grooveAccount://a@\0");
    b.extend(h("14 00"));
    b.extend([0xAB; 20]);
    b.push(0);
    b.extend(u16::try_from(lists.len()).unwrap().to_le_bytes());
    b.extend(lists);
    b.extend(relay);
    b
}

#[test]
fn non_terminated_string() {
    let b = h("01 04 06 d3 14 91 47 67 72 6f 6f 76 65");
    peer(
        SecIdentityRegister::parse(&b).unwrap_err(),
        ErrorKind::UnterminatedString { searched: 6 },
        "SecIdentityRegister",
        "AccountURL",
        7,
    );
}

#[test]
fn string_must_terminate_inside_its_field() {
    // The identity URL's NUL lies after the IdentityLists field (in the
    // RelayURL), which does not count.
    let b = identity_register(b"\x01\x00grooveIdentity://x", b"@\0");
    let lists_at = 3 + 4 + 19 + 2 + 20 + 1 + 2;
    peer(
        SecIdentityRegister::parse(&b).unwrap_err(),
        ErrorKind::UnterminatedString { searched: 18 },
        "SecIdentityRegister.IdentityLists",
        "IdentityURL",
        lists_at + 2,
    );
    // Counted URLs must fill the field exactly.
    let b = identity_register(b"\x01\x00a\0b\0", b"r\0");
    peer(
        SecIdentityRegister::parse(&b).unwrap_err(),
        ErrorKind::TrailingBytes { count: 2 },
        "SecIdentityRegister.IdentityLists",
        "(end of message)",
        lists_at + 4,
    );
    let b = identity_register(b"\x01\x01a\0b\0", b"r\0");
    let t = SecIdentityRegister::parse(&b).unwrap();
    assert_eq!(
        (t.identity_lists.to_add, t.identity_lists.to_remove),
        (
            vec![AnsiStr::try_from("a").unwrap()],
            vec![AnsiStr::try_from("b").unwrap()]
        )
    );
}

// ---- reserved fields ---------------------------------------------------------

#[test]
fn reserved_field_that_may_not_be_ignored() {
    // SecAccountRegister Reserved1 MUST be 0x0001 (bytes 01 00).
    let mut b = load("4.1.5-elgamal").filled(0);
    assert_eq!(b[0x7a4..0x7a6], [1, 0]);
    b[0x7a4] = 2;
    let cmd = Command::parse(&b).unwrap();
    peer(
        cmd.security_token().unwrap().unwrap_err(),
        ErrorKind::InvalidReserved {
            expected: 1,
            actual: 2,
        },
        "SecAccountRegister",
        "Reserved1",
        0x7a4,
    );
    // And the encoder refuses to write it.
    let b = load("4.1.5-elgamal").filled(0);
    let d = SecDeviceAccountRegister::parse(&b[9..]).unwrap();
    let sstp_wire::AccountLayerMessage::AccountRegister(mut a) = d.account_layer_message else {
        panic!()
    };
    a.reserved1 = 0;
    caller(
        a.to_vec().unwrap_err(),
        ErrorKind::InvalidReserved {
            expected: 1,
            actual: 0,
        },
        "SecAccountRegister",
        "Reserved1",
        0x7a4 - 0x1e3,
    );
}

#[test]
fn ignored_reserved_fields_are_kept() {
    // SecDeviceAccountRegister Reserved1/Reserved2 (relay MUST ignore).
    let mut b = load("4.1.5-elgamal").filled(0);
    b[0x7cc..0x7cf].copy_from_slice(&[0x34, 0x12, 0x99]);
    let tok = &b[9..];
    let d = SecDeviceAccountRegister::parse(tok).unwrap();
    assert_eq!((d.reserved1, d.reserved2), (0x1234, 0x99));
    assert_eq!(d.to_vec().unwrap(), tok);
    // SecDeviceAccountRegisterResponse Reserved and the nested
    // SecAccountRegisterResponse Reserved (client MUST ignore).
    let mut b = load("4.1.6").bytes();
    b[0x11] = 0x55;
    b[0x2c] = 0x66;
    let t = SecDeviceAccountRegisterResponse::parse(&b[9..]).unwrap();
    assert_eq!((t.account_layer_message.reserved, t.reserved), (0x55, 0x66));
    assert_eq!(t.to_vec().unwrap(), &b[9..]);
}

#[test]
fn nested_message_must_fit_its_carrier() {
    // The account layer message of a SecDeviceAccountRegisterResponse set to
    // ID 0x04 (SecAccountRegister, which only SecDeviceAccountRegister carries).
    let mut b = load("4.1.6").bytes();
    b[0x10] = 0x04;
    peer(
        SecDeviceAccountRegisterResponse::parse(&b[9..]).unwrap_err(),
        ErrorKind::MessageIdNotValidForCarrier {
            carrier: Carrier::SecDeviceAccountRegisterResponse,
            actual: 4,
        },
        "SecDeviceAccountRegisterResponse.AccountLayerMessage",
        "MessageID",
        7,
    );
}

// ---- command framing ---------------------------------------------------------

#[test]
fn truncated_command_header() {
    peer(
        Command::parse(&[0x11, 0x08]).unwrap_err(),
        ErrorKind::Truncated {
            needed: 2,
            available: 1,
        },
        "Close",
        "CommandLength",
        1,
    );
    peer(
        Command::parse(&[]).unwrap_err(),
        ErrorKind::Truncated {
            needed: 3,
            available: 0,
        },
        "Command",
        "CommandId",
        0,
    );
}

#[test]
fn command_length_below_header_breaks_the_stream() {
    let b = h("11 02 00 11 08 00 0b 00 00 00 00");
    let mut s = CommandStream::new(&b);
    peer(
        s.next().unwrap().unwrap_err(),
        ErrorKind::LengthOutOfRange {
            actual: 2,
            min: 3,
            max: 65535,
        },
        "Command",
        "CommandLength",
        1,
    );
    assert!(s.next().is_none());
    assert!(s.is_broken());
    assert_eq!(s.consumed(), 0);
}

#[test]
fn command_length_overruns_frame() {
    peer(
        Command::parse(&h("11 09 00 0b 00 00 00 00")).unwrap_err(),
        ErrorKind::LengthOutOfRange {
            actual: 9,
            min: 8,
            max: 8,
        },
        "Close",
        "CommandLength",
        1,
    );
    peer(
        Command::parse(&h("0b 0a 00 0b 00 00 00 00 00")).unwrap_err(),
        ErrorKind::LengthOverrun {
            declared: 10,
            available: 9,
        },
        "Register",
        "CommandLength",
        1,
    );
    peer(
        Command::parse(&h("0b 09 00 0b 00 00 00 00 00 ff")).unwrap_err(),
        ErrorKind::TrailingBytes { count: 1 },
        "Register",
        "CommandLength",
        9,
    );
}

#[test]
fn fixed_and_maximum_command_sizes() {
    // Close is exactly 8.
    peer(
        Close::parse(&h("11 07 00 0b 00 00 00")).unwrap_err(),
        ErrorKind::LengthOutOfRange {
            actual: 7,
            min: 8,
            max: 8,
        },
        "Close",
        "CommandLength",
        1,
    );
    // Open is at most 2055.
    let mut b = vec![0x05, 0, 0, 1, 0, 0, 0];
    b.extend(vec![b'a'; 2043]);
    b.extend([0, 0, 0, 0, 0, 0]);
    let n = u16::try_from(b.len()).unwrap();
    b[1..3].copy_from_slice(&n.to_le_bytes());
    peer(
        Open::parse(&b).unwrap_err(),
        ErrorKind::LengthOutOfRange {
            actual: 2056,
            min: 3,
            max: 2055,
        },
        "Open",
        "CommandLength",
        1,
    );
}

#[test]
fn wrong_command_id_for_type() {
    peer(
        Close::parse(&h("07 08 00 01 00 00 00 00")).unwrap_err(),
        ErrorKind::UnexpectedCommandId {
            expected: 0x11,
            actual: 0x07,
        },
        "Close",
        "CommandId",
        0,
    );
}

#[test]
fn command_token_length_overrun_and_stream_recovery() {
    // An Attach whose token length claims 9 bytes but has 2, then a Close:
    // the Attach is an error at its stream offset, the Close still decodes.
    let b = h("08 0d 00 0b 00 00 00 00 00 09 00 01 11  11 08 00 0b 00 00 00 00");
    let mut s = CommandStream::new(&b);
    let mut e = None;
    if let Some(Err(err)) = s.next() {
        e = Some(err);
    }
    peer(
        e.unwrap(),
        ErrorKind::LengthOverrun {
            declared: 9,
            available: 2,
        },
        "Attach",
        "AuthenticationTokenLength",
        9,
    );
    let b2 = h("11 08 00 0b 00 00 00 00  08 0c 00 0b 00 00 00 00 00 09 00 01");
    let mut s2 = CommandStream::new(&b2);
    assert!(matches!(s2.next(), Some(Ok(Command::Close(_)))));
    peer(
        s2.next().unwrap().unwrap_err(),
        ErrorKind::LengthOverrun {
            declared: 9,
            available: 1,
        },
        "Attach",
        "AuthenticationTokenLength",
        8 + 9,
    );
    assert!(s2.next().is_none());
    assert!(matches!(s.next(), Some(Ok(Command::Close(_)))));
}

#[test]
fn unknown_commands_are_skipped_by_length() {
    let b = h("0d 06 00 aa bb cc  11 08 00 0b 00 00 00 05");
    let cmds: Vec<_> = CommandStream::new(&b).map(Result::unwrap).collect();
    assert_eq!(
        cmds,
        [
            Command::Unknown {
                id: 0x0D,
                body: &[0xaa, 0xbb, 0xcc]
            },
            Command::Close(Close {
                session_id: 11,
                reason: CloseReason::UserAuthenticationFailed
            })
        ]
    );
}

// ---- encoder refusals ----------------------------------------------------------

#[test]
fn encoder_refuses_oversize_message_and_leaves_output_alone() {
    let hmac = vec![0; 6142];
    let m = SecAccountOnNewDevice {
        minor_version: MinorVersion::V4,
        hmac: &hmac,
    };
    let mut out = vec![1, 2, 3];
    caller(
        m.serialize_into(&mut out).unwrap_err(),
        ErrorKind::MessageTooLarge {
            actual: 6147,
            max: 6144,
        },
        "SecAccountOnNewDevice",
        "(whole message)",
        0,
    );
    assert_eq!(out, [1, 2, 3]);
}

#[test]
fn encoder_refuses_length_overflow() {
    let hmac = vec![0; 70_000];
    let iv = [0; 24];
    let m = SecConnect {
        minor_version: MinorVersion::V3,
        iv: &iv,
        hmac: &hmac,
        encrypted_device_nonce: &iv,
    };
    caller(
        m.to_vec().unwrap_err(),
        ErrorKind::FieldTooLong {
            actual: 70_000,
            max: 65535,
        },
        "SecConnect",
        "HMACLength",
        29,
    );
}

#[test]
fn encoder_refuses_count_overflow() {
    let urls = vec![AnsiStr::try_from("u").unwrap(); 256];
    let c = Connect {
        major_version: 1,
        minor_version: 5,
        flags: 0,
        target_device_url: AnsiStr::EMPTY,
        source_device_urls: urls,
        authentication_token: &[],
        peer_product_version: AnsiStr::EMPTY,
        peer_product_capabilities: AnsiStr::EMPTY,
    };
    caller(
        c.to_vec().unwrap_err(),
        ErrorKind::FieldTooLong {
            actual: 256,
            max: 255,
        },
        "Connect",
        "NumSourceDeviceURLs",
        7,
    );
}

#[test]
fn encoder_refuses_command_over_u16_and_over_maximum() {
    let token = vec![0; 65535];
    let r = Register {
        event_id: 1,
        registration_token: &token,
        declared_token_length: None,
    };
    caller(
        r.to_vec().unwrap_err(),
        ErrorKind::LengthOutOfRange {
            actual: 65544,
            min: 3,
            max: 65535,
        },
        "Register",
        "CommandLength",
        1,
    );
    let long = vec![b'x'; 2100];
    let o = Open {
        session_id: 1,
        resource_url: AnsiStr::new(&long).unwrap(),
        identity_url: AnsiStr::EMPTY,
        device_url: AnsiStr::EMPTY,
        flags: 0,
        reserved: 0,
    };
    caller(
        o.to_vec().unwrap_err(),
        ErrorKind::LengthOutOfRange {
            actual: 2113,
            min: 3,
            max: 2055,
        },
        "Open",
        "CommandLength",
        1,
    );
}

#[test]
fn strings_cannot_hold_nul() {
    caller(
        AnsiStr::try_from("a\0b").unwrap_err(),
        ErrorKind::InteriorNul,
        "AnsiStr",
        "bytes",
        1,
    );
}

#[test]
fn encoder_refuses_inconsistent_values() {
    caller(
        Command::Unknown {
            id: 0x11,
            body: &[0; 5],
        }
        .to_vec()
        .unwrap_err(),
        ErrorKind::KnownCommandId { id: 0x11 },
        "Command",
        "CommandId",
        0,
    );
    let r = Register {
        event_id: 1,
        registration_token: &[1, 2, 3],
        declared_token_length: Some(2),
    };
    caller(
        r.to_vec().unwrap_err(),
        ErrorKind::DeclaredLengthTooSmall {
            declared: 2,
            actual: 3,
        },
        "Register",
        "RegistrationTokenLength",
        7,
    );
    let c = ConnectResponse {
        major_version: 1,
        minor_version: 5,
        response_id: ConnectResponseId::Ok,
        authentication_token: &[],
        trailer: ConnectResponseTrailer::Opaque(&[0]),
    };
    let e = c.to_vec().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InconsistentValue { .. }));
    assert_eq!((e.field(), e.offset()), ("(after token)", 8));
    let f = ConnectResponseFields {
        flags: ConnectResponseFlags(3),
        redirect_map_entries: 0,
        redirect_map: &[1, 2],
        ..ConnectResponseFields::default()
    };
    caller(
        f.serialize_into(&mut Vec::new()).unwrap_err(),
        ErrorKind::TrailingBytes { count: 2 },
        "ConnectResponse",
        "RedirectMap",
        0,
    );
}

#[test]
fn nested_encode_errors_point_into_the_parent() {
    let big = vec![0; 70_000];
    let iv = [0; 24];
    let t = SecDeviceAccountRegisterResponse {
        minor_version: MinorVersion::V3,
        account_layer_message: sstp_wire::SecAccountRegisterResponse {
            minor_version: MinorVersion::V3,
            reserved: 0,
            timestamp: 0,
            hmac: &big,
        },
        reserved: 0,
        iv: &iv,
        hmac: &[],
        device_nonce: &iv,
        encrypted_relay_nonce: &iv,
    };
    // HMACLength of the nested message: nested offset 8, parent offset 5 + 8.
    caller(
        t.to_vec().unwrap_err(),
        ErrorKind::FieldTooLong {
            actual: 70_000,
            max: 65535,
        },
        "SecAccountRegisterResponse",
        "HMACLength",
        13,
    );
}

#[test]
fn register_response_without_token_forms() {
    // Length field 0 (9 bytes) and no length field (7 bytes): both decode
    // and re-encode as received.
    for b in [h("0c 09 00 0c 00 00 00 00 00"), h("0c 07 00 0c 00 00 00")] {
        let r = RegisterResponse::parse(&b).unwrap();
        assert_eq!(r.event_id, 12);
        assert_eq!(r.registration_token.map(<[u8]>::len).unwrap_or(0), 0);
        assert_eq!(r.to_vec().unwrap(), b);
        assert!(Command::parse(&b).unwrap().security_token().is_none());
    }
    // A lone byte where the length field would be is truncation.
    peer(
        RegisterResponse::parse(&h("0c 08 00 0c 00 00 00 00")).unwrap_err(),
        ErrorKind::Truncated {
            needed: 2,
            available: 1,
        },
        "RegisterResponse",
        "RegistrationTokenLength",
        7,
    );
}

#[test]
fn open_response_and_options_defaults() {
    assert_eq!(DecodeOptions::default(), DecodeOptions::STRICT);
    assert!(!DecodeOptions::STRICT.tolerates_register_token_overrun());
    assert_eq!(
        OpenResponse::parse(&h("07 08 00 01 00 00 00 07"))
            .unwrap()
            .response_id,
        sstp_wire::OpenResponseId::Other(7)
    );
    let a = Attach::parse(&h("08 0a 00 01 00 00 00 00 00 00")).unwrap_err();
    assert_eq!(
        a.kind(),
        ErrorKind::Truncated {
            needed: 2,
            available: 1
        }
    );
}

#[test]
fn error_display_names_message_section_field_and_offset() {
    let err = Close::parse(&h("11 07 00 0b 00 00 00")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed Close ([MS-GRVSSTP] 2.2.9) field CommandLength at byte 1: length 7 is outside 8..=8"
    );
    assert_eq!(err.section(), "[MS-GRVSSTP] 2.2.9");
}
