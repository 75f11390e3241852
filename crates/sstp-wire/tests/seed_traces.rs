//! The [MS-GRVSSTPS] §4 hex traces (`tests/vectors/sstp/*.hex`) decode to
//! the values the seed's annotations and prose give, and re-encode to the
//! same bytes. Provenance and repairs of each vector: its `.md` note.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{h, load, offset_in, vectors_dir};
use sstp_wire::{
    AccountLayerMessage, AttachResponseId, Carrier, CloseReason, Command, CommandStream,
    ConnectAuthenticate, ConnectResponseId, ConnectResponseTrailer, DecodeOptions, ErrorKind,
    MinorVersion, OpenResponseId, PublicKeysObject, Register, SecAccountOnNewDevice,
    SecConnectAuthenticate, SecDeviceAccountRegister, SecurityToken,
};

const RELAY_URL: &str = "grooveDNS://relay.contoso.com";
const DEVICE_URL: &str = "dpp:///7gws9khpet9z4ezajvnhb5d9fpmcwqrjv3wzez2";
const ACCOUNT_URL: &str = "grooveAccount://ngmjwbazm9xiz4ets65rr4c9kbxkxphdw6gpk6s@";

/// Decodes every command of `bytes`, which must hold only whole commands,
/// and checks that re-encoding them gives `bytes` back.
fn decode_all(bytes: &[u8], opts: DecodeOptions) -> Vec<Command<'_>> {
    let mut stream = CommandStream::with_options(bytes, opts);
    let cmds: Vec<_> = stream.by_ref().map(|c| c.unwrap()).collect();
    assert!(stream.remainder().is_empty() && !stream.is_broken());
    let mut again = Vec::new();
    for c in &cmds {
        c.serialize_into(&mut again).unwrap();
    }
    assert_eq!(again, bytes, "re-encoding differs");
    cmds
}

/// The command's token, decoded through its carrier; re-encoding it gives
/// the token bytes back.
fn token<'a>(cmd: &Command<'a>) -> SecurityToken<'a> {
    let (_, raw, _) = cmd.token().expect("command carries a token");
    let t = cmd.security_token().unwrap().unwrap();
    assert_eq!(t.to_vec().unwrap(), raw);
    t
}

#[test]
fn every_vector_has_a_note() {
    let mut hexes = 0;
    for entry in std::fs::read_dir(vectors_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "hex") {
            hexes += 1;
            assert!(
                path.with_extension("md").exists(),
                "{} has no note",
                path.display()
            );
        }
    }
    assert_eq!(hexes, 14);
}

#[test]
fn connect_4_1_1() {
    let bytes = load("4.1.1").bytes();
    assert_eq!(bytes.len(), 187);
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!("{cmds:?}") };
    let Command::Connect(c) = cmd else {
        panic!("{cmd:?}")
    };
    assert_eq!((c.major_version, c.minor_version, c.flags), (1, 5, 0));
    assert_eq!(c.target_device_url, RELAY_URL);
    assert_eq!(c.source_device_urls, [DEVICE_URL]);
    assert_eq!(c.authentication_token.len(), 77);
    assert_eq!(c.token_offset(), 0x56);
    assert_eq!(c.peer_product_version, "Groove Client 4.2 2623");
    assert_eq!(c.peer_product_capabilities, "");
    let SecurityToken::SecConnect(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V3);
    assert_eq!(
        t.iv[..],
        h("6A 2E 32 1C 7A 29 0A 27 16 3D 2B 67 A7 00 F9 7E 1B 70 A5 7C CC 4D F8 F9")
    );
    assert_eq!(
        t.hmac,
        h("C6 8D 0B D9 70 66 8D 39 A0 85 81 72 20 0D 09 07 83 76 A0 85")
    );
    assert_eq!(
        t.encrypted_device_nonce[..],
        h("2C EF D1 93 1E FB 46 4B 49 ED 18 22 0E CB DC 5A 29 44 B4 E1 30 EA A1 C9")
    );
}

#[test]
fn connect_response_device_registration_needed_4_1_2() {
    let bytes = load("4.1.2").bytes();
    // The annotation says "CommandLength: 44 (0x2C)"; the hex says 0x44.
    assert_eq!(bytes.len(), 68);
    assert_eq!(sstp_wire::frame_len(&bytes), Some(68));
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::ConnectResponse(c) = cmd else {
        panic!()
    };
    assert_eq!((c.major_version, c.minor_version), (1, 5));
    assert_eq!(c.response_id, ConnectResponseId::Ok);
    assert_eq!(c.authentication_token, [1, 3, 0x0A]);
    let SecurityToken::SecConnectResponseDeviceRegistrationNeeded(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V3);
    let ConnectResponseTrailer::Fields(f) = &c.trailer else {
        panic!()
    };
    assert_eq!(f.flags.0, 0x03);
    assert!(f.flags.single_hop() && f.flags.multi_drop());
    assert_eq!(f.peer_product_version, "Groove Relay 12.0 1501");
    assert_eq!(f.peer_product_capabilities, "");
    assert_eq!(f.target_device_urls, [RELAY_URL]);
    assert_eq!((f.redirect_map_entries, f.redirect_map), (0, &[][..]));
}

#[test]
fn attach_4_1_3() {
    let bytes = load("4.1.3").bytes();
    // The annotation says "CommandLength: 172 (0xAD)"; 0xAD is 173.
    assert_eq!(bytes.len(), 173);
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::Attach(a) = cmd else { panic!() };
    assert_eq!(a.event_id, 11);
    assert_eq!(a.resource_url, RELAY_URL);
    assert_eq!(a.account_url, ACCOUNT_URL);
    assert_eq!(a.authentication_token.len(), 77);
    let SecurityToken::SecAttach(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V4);
    assert_eq!(
        t.iv[..],
        h("ce d0 75 0e 87 0e 20 d2 58 91 80 f7 c4 a5 43 65 8c 45 85 74 cb d5 06 ab")
    );
    assert_eq!(
        t.hmac,
        h("fa 79 bf b1 ef 3f 33 1c 58 05 98 f8 df 1b 0f 5e 70 f7 74 9b")
    );
    assert_eq!(
        t.encrypted_account_nonce[..],
        h("61 9b 6a c5 6d c6 c7 f2 8b b7 66 cf b4 f5 5f 5b ae ec 13 fe d7 ff a8 b8")
    );
}

#[test]
fn attach_response_account_registration_needed_then_open_response_4_1_4() {
    let bytes = load("4.1.4").bytes();
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [attach_response, open_response] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    let Command::AttachResponse(a) = attach_response else {
        panic!()
    };
    assert_eq!(a.event_id, 11);
    assert_eq!(a.response_id, AttachResponseId::AwaitingRegister);
    let SecurityToken::SecAttachResponseAccountRegistrationNeeded(t) = token(attach_response)
    else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V3);
    let Command::OpenResponse(o) = open_response else {
        panic!()
    };
    assert_eq!((o.session_id, o.response_id), (1, OpenResponseId::Ok));
}

/// What the test knows about one 4.1.5 trace.
struct RegisterTrace {
    name: &'static str,
    len: usize,
    event_id: u32,
    minor: MinorVersion,
    timestamp: u32,
    account_url: &'static str,
    fingerprint: &'static str,
    account_layer_len: usize,
    account_names: [&'static str; 4],
    account_keys: (usize, usize),
    account_pko_len: usize,
    pre_auth_token: &'static str,
    device_names: [&'static str; 4],
    device_keys: (usize, usize),
    device_pko_len: usize,
    iv: &'static str,
    nonce: &'static str,
}

fn check_register_trace(t: &RegisterTrace, fill: u8) {
    let v = load(t.name);
    let gaps = v.gaps();
    assert_eq!(gaps.len(), 8, "{}: eight elided ranges", t.name);
    let bytes = v.filled(fill);
    assert_eq!(bytes.len(), t.len);

    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::Register(reg) = cmd else {
        panic!()
    };
    // The prefix these three come from is rebuilt from the annotation (the
    // seed does not print it); that the printed rows then chain to exactly
    // `t.len` bytes is what the rest of this test checks.
    assert_eq!(reg.event_id, t.event_id);
    assert_eq!(reg.registration_token.len(), t.len - 9);
    assert_eq!(reg.declared_token_length, None);

    let SecurityToken::SecDeviceAccountRegister(d) = token(cmd) else {
        panic!()
    };
    assert_eq!(d.minor_version, t.minor);
    assert_eq!(d.timestamp, t.timestamp);
    assert_eq!(d.account_url, t.account_url);
    assert_eq!(d.fingerprint, h(t.fingerprint));
    assert_eq!(offset_in(&bytes, d.fingerprint), 0x4b..0x5f);
    assert_eq!(d.encrypted_relay_device_key.len(), 384);

    let AccountLayerMessage::AccountRegister(a) = &d.account_layer_message else {
        panic!()
    };
    assert_eq!(a.minor_version, MinorVersion::V4);
    assert_eq!(
        d.account_layer_message.to_vec().unwrap().len(),
        t.account_layer_len
    );
    assert_eq!(
        u16::from_le_bytes([bytes[0x1e1], bytes[0x1e2]]) as usize,
        t.account_layer_len
    );
    assert_eq!(a.encrypted_relay_account_key.len(), 384);
    assert_eq!(a.signature.len(), 256);
    check_pko(
        &a.account_public_keys_object,
        t.account_names,
        t.account_keys,
        t.account_pko_len,
    );
    assert_eq!((a.reserved1, a.reserved2), (1, 0));
    assert_eq!(a.user_pre_auth_token, t.pre_auth_token);

    assert_eq!((d.reserved1, d.reserved2), (1, 0));
    assert_eq!(d.signature.len(), 256);
    check_pko(
        &d.device_public_keys_object,
        t.device_names,
        t.device_keys,
        t.device_pko_len,
    );
    assert_eq!(d.iv[..], h(t.iv));
    assert_eq!(d.encrypted_device_nonce[..], h(t.nonce));
    assert_eq!(offset_in(&bytes, d.encrypted_device_nonce).end, t.len);

    // Every byte the seed did not show lies inside an opaque field, so the
    // filler cannot have steered the decode.
    let opaque = [
        d.encrypted_relay_device_key,
        a.encrypted_relay_account_key,
        a.signature,
        a.account_public_keys_object.signature_public_key,
        a.account_public_keys_object.encryption_public_key,
        d.signature,
        d.device_public_keys_object.signature_public_key,
        d.device_public_keys_object.encryption_public_key,
    ]
    .map(|f| offset_in(&bytes, f));
    // Each DER key whose first byte the seed shows starts with a SEQUENCE.
    let mut der_tags_shown = 0;
    for key in [&opaque[3], &opaque[4], &opaque[6], &opaque[7]] {
        if !gaps.iter().any(|g| g.contains(&key.start)) {
            assert_eq!(
                bytes[key.start], 0x30,
                "{}: DER key at {:#x}",
                t.name, key.start
            );
            der_tags_shown += 1;
        }
    }
    assert!(der_tags_shown >= 3);
    for gap in &gaps {
        assert!(
            opaque
                .iter()
                .any(|f| f.start <= gap.start && gap.end <= f.end),
            "{}: elided {gap:x?} is not inside an opaque field {opaque:x?}",
            t.name
        );
    }
}

fn check_pko(p: &PublicKeysObject<'_>, names: [&str; 4], keys: (usize, usize), len: usize) {
    assert_eq!(
        [
            p.signature_algorithm_name,
            p.encryption_algorithm_name,
            p.signature_key_algorithm_name,
            p.encryption_key_algorithm_name,
        ],
        names
    );
    assert!(p.names_are_specified());
    assert_eq!(
        (p.signature_public_key.len(), p.encryption_public_key.len()),
        keys
    );
    assert_eq!(p.to_vec().unwrap().len(), len);
}

const ELGAMAL: RegisterTrace = RegisterTrace {
    name: "4.1.5-elgamal",
    len: 3134,
    event_id: 11,
    minor: MinorVersion::V3,
    timestamp: 0x4791_14D1,
    account_url: ACCOUNT_URL,
    // The hex, not the prose (which drops `7b` and appends `80 01`).
    fingerprint: "a9 7a de 47 6e 85 32 3b 78 7b 6f e9 56 b0 f6 2c 88 b5 82 24",
    // The hex (`e9 05`), not the annotation's "1477".
    account_layer_len: 1513,
    account_names: ["RSA", "ELGAMAL", "RSA", "DH"],
    account_keys: (268, 529),
    account_pko_len: 824,
    pre_auth_token: "4D6D95D9-0412-44B7-AA8B-4F8F1E1C4973",
    device_names: ["RSA", "ELGAMAL", "RSA", "DH"],
    device_keys: (268, 528),
    device_pko_len: 823,
    iv: "7D 4E A9 FC 3A 71 15 93 49 15 76 91 84 D4 08 00 23 CF 69 30 97 E5 14 55",
    nonce: "CA 97 B0 E6 DF 91 05 A1 34 9F C9 89 21 42 A7 40 90 DF 29 8A F3 80 A7 42",
};

const RSA: RegisterTrace = RegisterTrace {
    name: "4.1.5-rsa",
    len: 2615,
    event_id: 2,
    minor: MinorVersion::V4,
    timestamp: 0x49F0_B426,
    account_url: "grooveAccount://m8kzfysmuiqzch3jfznfea9hemknutkrv7mvuta@",
    fingerprint: "73 c5 db 0d 39 b2 33 d7 14 f7 aa d7 28 88 80 b3 5d 43 22 17",
    account_layer_len: 1253,
    account_names: ["RSA", "RSA", "RSA", "RSA"],
    account_keys: (270, 270),
    account_pko_len: 564,
    pre_auth_token: "0601F434-8A25-4A42-87DC-CB92F3709BD3",
    device_names: ["RSA", "RSA", "RSA", "RSA"],
    device_keys: (270, 270),
    device_pko_len: 564,
    iv: "44 99 40 c0 71 24 af 6a 31 4d fb 78 07 8f 58 5a b7 7c cf 0d 84 8b 52 be",
    nonce: "3f 00 c4 67 ea 9c c9 88 82 d8 b6 77 d5 8e 33 8f 37 49 a2 56 26 cf cf f0",
};

#[test]
fn register_device_and_account_elgamal_4_1_5() {
    check_register_trace(&ELGAMAL, 0x00);
    check_register_trace(&ELGAMAL, 0xFF);
}

#[test]
fn register_device_and_account_rsa_4_1_5() {
    check_register_trace(&RSA, 0x00);
    check_register_trace(&RSA, 0xA5);
}

#[test]
fn register_4_1_5_printed_rows_alone_are_consistent() {
    // Without the rebuilt prefix: the rows the seed prints are decoded from
    // where the first printed length field sits.
    let v = load("4.1.5-elgamal");
    let bytes = v.filled(0);
    // FingerprintLength at 0x49 is printed; everything from there on is
    // either printed or opaque. Re-decoding the tail of the token alone:
    // Fingerprint, EncryptedRelayDeviceKey, AccountLayerMessage ...
    let nested_len = u16::from_le_bytes([bytes[0x1e1], bytes[0x1e2]]) as usize;
    let nested = &bytes[0x1e3..0x1e3 + nested_len];
    let m = AccountLayerMessage::parse(nested).unwrap();
    assert_eq!(m.minor_version(), MinorVersion::V4);
    assert_eq!(m.to_vec().unwrap(), nested);
    let dpko_len = u16::from_le_bytes([bytes[0x8d1], bytes[0x8d2]]) as usize;
    assert_eq!(dpko_len, 823);
    let pko = PublicKeysObject::parse(&bytes[0x8d3..0x8d3 + dpko_len]).unwrap();
    assert_eq!(pko.encryption_algorithm_name, "ELGAMAL");
}

#[test]
fn register_response_4_1_6() {
    let bytes = load("4.1.6").bytes();
    assert_eq!(bytes.len(), 145);
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::RegisterResponse(r) = cmd else {
        panic!()
    };
    assert_eq!(r.event_id, 11);
    assert_eq!(r.registration_token.map(<[u8]>::len), Some(136));
    let SecurityToken::SecDeviceAccountRegisterResponse(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V3);
    let a = t.account_layer_message;
    assert_eq!(a.minor_version, MinorVersion::V3);
    assert_eq!(a.to_vec().unwrap().len(), 30);
    assert_eq!(a.reserved, 0);
    assert_eq!(a.timestamp, 0x4791_14D3);
    assert_eq!(a.timestamp, 1_200_690_387);
    assert_eq!(
        a.hmac,
        h("07 67 CC C4 C0 1C CE E1 33 C8 1E 67 98 91 DD 45 98 1C 3A CD")
    );
    assert_eq!(t.reserved, 0);
    assert_eq!(
        t.iv[..],
        h("B6 7C 71 59 EF 63 F8 86 B9 26 80 96 ED 20 EB 10 BA 8C 3A 09 16 A3 0A C4")
    );
    assert_eq!(
        t.hmac,
        h("95 CC B0 6D C1 32 65 4D D6 CF FB 00 AA A0 A3 34 D3 C1 02 C2")
    );
    assert_eq!(
        t.device_nonce[..],
        h("50 D5 15 C8 1A D9 B1 D8 C3 FE BD 97 9C 30 F5 EA BE 33 E1 E9 50 33 7E AF")
    );
    assert_eq!(
        t.encrypted_relay_nonce[..],
        h("A5 78 BD 4A 57 E3 6C 24 98 14 29 80 3F 53 3E E8 BD 32 02 EF B5 28 CD 25")
    );
}

#[test]
fn attach_response_ok_4_1_7() {
    let bytes = load("4.1.7").bytes();
    assert_eq!(bytes.len(), 113);
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::AttachResponse(a) = cmd else {
        panic!()
    };
    assert_eq!((a.event_id, a.response_id), (11, AttachResponseId::Ok));
    assert_eq!(a.authentication_token.len(), 103);
    let SecurityToken::SecAttachResponse(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V3);
    assert_eq!(
        t.iv[..],
        h("6C 95 AC 96 EC EE F8 5D 37 A8 83 97 C8 3E 13 2D 36 08 05 69 A7 55 00 AF")
    );
    assert_eq!(
        t.hmac,
        h("3C 2A D3 49 4F A4 3D 6B 7D F6 E6 83 E8 CD 41 3A F6 1A D7 A8")
    );
    assert_eq!(
        t.account_nonce[..],
        h("BF 0E B1 E0 D2 0B EB AB E0 A5 86 05 C7 5C 4C EB 9A B9 DD 3D 34 EC 96 F4")
    );
    assert_eq!(
        t.encrypted_relay_nonce[..],
        h("59 55 1B 13 FD 2F 70 F8 4C 0F A5 50 FA B1 3A 17 A6 26 4F 8E 65 1C 51 5F")
    );
}

#[test]
fn attach_authenticate_4_1_8() {
    let bytes = load("4.1.8").bytes();
    assert_eq!(bytes.len(), 64);
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::AttachAuthenticate(a) = cmd else {
        panic!()
    };
    assert_eq!(a.event_id, 11);
    assert_eq!(a.authentication_token.len(), 55);
    let SecurityToken::SecAttachAuthenticate(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V4);
    assert_eq!(
        t.relay_account_nonce[..],
        h("DC 6C B9 C6 9A C9 14 7F 9D 81 8E 2A 84 79 17 D3 33 21 03 2D 2E 1E 70 BB")
    );
    assert_eq!(
        t.relay_device_nonce[..],
        h("15 A7 55 66 11 03 20 89 75 A8 7A D5 5F 2A BE 3A 21 11 F7 06 A2 02 D1 9D")
    );
}

#[test]
fn close_4_1_9() {
    let bytes = load("4.1.9").bytes();
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [Command::Close(c)] = &cmds[..] else {
        panic!()
    };
    assert_eq!((c.session_id, c.reason), (11, CloseReason::NoReason));
}

#[test]
fn register_identities_4_1_10_is_rejected_strictly() {
    let bytes = load("4.1.10").bytes();
    assert_eq!(bytes.len(), 232);
    let err = Register::parse(&bytes).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::LengthOverrun {
            declared: 244,
            available: 223
        }
    );
    assert_eq!(
        (err.message(), err.field(), err.offset()),
        ("Register", "RegistrationTokenLength", 7)
    );
    // The stream reports the same error for this command.
    let e = CommandStream::new(&bytes).next().unwrap().unwrap_err();
    assert_eq!(e, err);
}

#[test]
fn register_identities_4_1_10_tolerated() {
    let bytes = load("4.1.10").bytes();
    let opts = DecodeOptions::STRICT.tolerate_register_token_overrun(true);
    let cmds = decode_all(&bytes, opts);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::Register(r) = cmd else { panic!() };
    assert_eq!(r.event_id, 12);
    assert_eq!(r.declared_token_length, Some(244));
    assert_eq!(r.registration_token.len(), 223);
    let SecurityToken::SecIdentityRegister(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V4);
    assert_eq!(t.timestamp, 0x4791_14D3);
    assert_eq!(t.account_url, ACCOUNT_URL);
    assert_eq!(
        t.hmac,
        h("B4 12 CD E2 0B BF 4D 88 D9 4C 5B 3F 4D 80 6B 53 FB 2D AB 88")
    );
    assert_eq!(t.reserved, 0);
    assert_eq!(
        t.identity_lists.to_add,
        [
            "grooveIdentity://tvxab6hv8g6knhmw3vxaujspwshc4g9h@",
            "grooveIdentity://dpud65cyv5h5z4s2nbvfnna26wy2zy35@"
        ]
    );
    assert!(t.identity_lists.to_remove.is_empty());
    // IdentityListsLength, printed at 0x60: 104.
    assert_eq!(u16::from_le_bytes([bytes[0x60], bytes[0x61]]), 104);
    assert_eq!(t.relay_url, RELAY_URL);
}

#[test]
fn attach_response_new_device_registration_needed_4_2_1() {
    let bytes = load("4.2.1").bytes();
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::AttachResponse(a) = cmd else {
        panic!()
    };
    assert_eq!(
        (a.event_id, a.response_id),
        (7, AttachResponseId::AwaitingRegister)
    );
    let SecurityToken::SecAttachResponseNewDeviceRegistrationNeeded(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V3);
}

#[test]
fn account_on_new_device_4_2_2() {
    let bytes = load("4.2.2").bytes();
    let (len, msg) = bytes.split_at(2);
    assert_eq!(u16::from_le_bytes([len[0], len[1]]), 25);
    assert_eq!(msg.len(), 25);
    let SecurityToken::SecAccountOnNewDevice(t) =
        SecurityToken::parse(Carrier::SecDeviceAccountRegister, msg).unwrap()
    else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V4);
    assert_eq!(
        t.hmac,
        h("75 fd 1a 0a 48 6c 02 5d 6b f5 05 a3 ea c0 0e 52 6e 7d 62 ca")
    );
    assert_eq!(t.to_vec().unwrap(), msg);
    assert_eq!(
        AccountLayerMessage::parse(msg).unwrap(),
        AccountLayerMessage::AccountOnNewDevice(t)
    );
    assert_eq!(SecAccountOnNewDevice::parse(msg).unwrap(), t);
}

#[test]
fn connect_response_ok_4_3_1() {
    let bytes = load("4.3.1").bytes();
    // The annotation says "167 (0xA8)"; 0xA8 is 168.
    assert_eq!(bytes.len(), 168);
    let cmds = decode_all(&bytes, DecodeOptions::STRICT);
    let [cmd] = &cmds[..] else { panic!() };
    let Command::ConnectResponse(c) = cmd else {
        panic!()
    };
    assert_eq!(
        (c.major_version, c.minor_version, c.response_id),
        (1, 5, ConnectResponseId::Ok)
    );
    assert_eq!(c.authentication_token.len(), 103);
    let SecurityToken::SecConnectResponse(t) = token(cmd) else {
        panic!()
    };
    assert_eq!(t.minor_version, MinorVersion::V3);
    assert_eq!(
        t.iv[..],
        h("0C 82 7B 10 AA F3 3C 92 B2 DF F7 C6 10 8A 89 8E A7 D6 C9 2B F7 BD C2 5D")
    );
    assert_eq!(
        t.hmac,
        h("CE FF 54 50 5C 96 EE CF 79 91 4D FA 6D 62 32 3F D5 83 8A 4B")
    );
    assert_eq!(
        t.device_nonce[..],
        h("5B 71 5B 38 69 DD E2 BB 8E 61 2C 94 CD B0 A3 BF B6 DB 5B E0 DF 92 3F 04")
    );
    assert_eq!(
        t.encrypted_relay_nonce[..],
        h("8E 96 DD 74 C4 5B 11 70 DB B6 A4 53 3B CE 58 00 06 B5 DF A5 D1 A7 2B 70")
    );
    let ConnectResponseTrailer::Fields(f) = &c.trailer else {
        panic!()
    };
    assert_eq!(f.flags.0, 0x03);
    assert_eq!(f.peer_product_version, "Groove Relay 12.0 1501");
    assert_eq!(f.target_device_urls, [RELAY_URL]);
    assert_eq!(f.redirect_map_entries, 0);
}

/// §4.3.2 prints no hex; with the INFERRED ConnectAuthenticate layout the
/// prose's relay nonce encodes to the bytes the SSTP reference predicts.
#[test]
fn connect_authenticate_4_3_2_inferred_encoding() {
    let nonce: [u8; 24] =
        h("BB D7 6B 00 C9 74 B0 28 41 C0 00 9D 9B 31 E0 F3 C5 D1 F8 0E 40 DD B3 FD")
            .try_into()
            .unwrap();
    let token = SecConnectAuthenticate {
        minor_version: MinorVersion::V3,
        relay_nonce: &nonce,
    }
    .to_vec()
    .unwrap();
    let cmd = ConnectAuthenticate {
        authentication_token: &token,
    }
    .to_vec()
    .unwrap();
    assert_eq!(
        cmd,
        h(
            "03 22 00 1d 00 01 03 03 18 00 bb d7 6b 00 c9 74 b0 28 41 c0 00 9d 9b 31 e0 f3 c5 d1 f8 0e 40 dd b3 fd"
        )
    );
}

/// The §4.1 session, as far as it is printed, read as one byte stream: the
/// commands follow each other, and every EventId/SessionId of the Attach
/// session is 11.
#[test]
fn new_account_session_as_one_stream() {
    let mut stream = Vec::new();
    for name in ["4.1.1", "4.1.2", "4.1.3", "4.1.4"] {
        stream.extend(load(name).bytes());
    }
    stream.extend(load("4.1.5-elgamal").filled(0));
    for name in ["4.1.6", "4.1.7", "4.1.8", "4.1.9"] {
        stream.extend(load(name).bytes());
    }
    let cmds = decode_all(&stream, DecodeOptions::STRICT);
    let ids: Vec<u8> = cmds.iter().map(Command::id).collect();
    assert_eq!(
        ids,
        [0x01, 0x02, 0x08, 0x09, 0x07, 0x0B, 0x0C, 0x09, 0x0A, 0x11]
    );
    let session_ids: Vec<u32> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Attach(a) => Some(a.event_id),
            Command::AttachResponse(a) => Some(a.event_id),
            Command::AttachAuthenticate(a) => Some(a.event_id),
            Command::Register(r) => Some(r.event_id),
            Command::RegisterResponse(r) => Some(r.event_id),
            Command::Close(c) => Some(c.session_id),
            _ => None,
        })
        .collect();
    assert_eq!(session_ids, [11; 7]);
    for c in &cmds {
        if let Some(t) = c.security_token() {
            t.unwrap();
        }
    }
    // Split at every byte: the prefix decodes to the whole commands it
    // holds and keeps the partial one as its remainder.
    for cut in 0..stream.len() {
        let mut s = CommandStream::new(&stream[..cut]);
        let whole: Vec<_> = s.by_ref().map(Result::unwrap).collect();
        assert!(whole.len() + usize::from(!s.remainder().is_empty()) <= cmds.len());
        assert_eq!(s.consumed() + s.remainder().len(), cut);
        assert_eq!(whole[..], cmds[..whole.len()]);
    }
}

#[test]
fn sec_device_account_register_parses_standalone() {
    let bytes = load("4.1.5-rsa").filled(0);
    let d = SecDeviceAccountRegister::parse(&bytes[9..]).unwrap();
    assert_eq!(d.to_vec().unwrap(), &bytes[9..]);
}
