//! Property tests: every message and command type round-trips
//! (arbitrary valid value → encode → decode → equal value), command streams
//! round-trip, and arbitrary or mutated bytes never panic the decoder and
//! re-encode to themselves whenever they decode.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use sstp_wire::{
    AccountLayerMessage, AnsiStr, Attach, AttachAuthenticate, AttachResponse, AttachResponseId,
    Carrier, Close, CloseReason, Command, CommandStream, Connect, ConnectAuthenticate,
    ConnectClose, ConnectResponse, ConnectResponseFields, ConnectResponseFlags, ConnectResponseId,
    ConnectResponseTrailer, DecodeOptions, ErrorKind, IdentityLists, MinorVersion, Noop, Open,
    OpenResponse, OpenResponseId, PublicKeysObject, Register, RegisterResponse,
    SecAccountOnNewDevice, SecAccountRegister, SecAccountRegisterResponse, SecAttach,
    SecAttachAuthenticate, SecAttachResponse, SecAttachResponseAccountRegistrationNeeded,
    SecAttachResponseAuthenticationFailed, SecAttachResponseNewDeviceRegistrationNeeded,
    SecConnect, SecConnectAuthenticate, SecConnectResponse, SecConnectResponseAuthenticationFailed,
    SecConnectResponseDeviceRegistrationNeeded, SecDeviceAccountRegister,
    SecDeviceAccountRegisterResponse, SecIdentityRegister, SecurityToken,
};

// ---- generators -----------------------------------------------------------------

fn minor() -> impl Strategy<Value = MinorVersion> {
    prop_oneof![Just(MinorVersion::V3), Just(MinorVersion::V4)]
}

fn blob(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..=max)
}

/// Bytes of a null-terminated string (no NUL inside).
fn ansi() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(1u8..=255, 0..=24)
}

fn ansis(max: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(ansi(), 0..=max)
}

fn s(b: &[u8]) -> AnsiStr<'_> {
    AnsiStr::new(b).unwrap()
}

fn ss(v: &[Vec<u8>]) -> Vec<AnsiStr<'_>> {
    v.iter().map(|b| s(b)).collect()
}

#[derive(Debug, Clone)]
struct PkoModel([Vec<u8>; 4], Vec<u8>, Vec<u8>);

fn pko() -> impl Strategy<Value = PkoModel> {
    ([ansi(), ansi(), ansi(), ansi()], blob(80), blob(80)).prop_map(|(n, a, b)| PkoModel(n, a, b))
}

impl PkoModel {
    fn view(&self) -> PublicKeysObject<'_> {
        PublicKeysObject {
            signature_algorithm_name: s(&self.0[0]),
            encryption_algorithm_name: s(&self.0[1]),
            signature_key_algorithm_name: s(&self.0[2]),
            encryption_key_algorithm_name: s(&self.0[3]),
            signature_public_key: &self.1,
            encryption_public_key: &self.2,
        }
    }
}

// ---- checks -----------------------------------------------------------------

/// Encodes `t`, decodes it through `carrier`, and compares.
fn check_token(t: &SecurityToken<'_>, carrier: Carrier) {
    assert!(carrier.accepts(t.message_id()));
    let bytes = t.to_vec().unwrap();
    assert!(bytes.len() <= sstp_wire::consts::MAX_SECURITY_MESSAGE_LEN);
    assert_eq!(&SecurityToken::parse(carrier, &bytes).unwrap(), t);
    assert_eq!(t.minor_version().to_u8(), bytes[1]);
    // A carrier that does not take this ID rejects the token for that reason.
    for other in Carrier::ALL {
        if !other.accepts(t.message_id()) {
            let e = SecurityToken::parse(other, &bytes).unwrap_err();
            assert_eq!(
                e.kind(),
                ErrorKind::MessageIdNotValidForCarrier {
                    carrier: other,
                    actual: t.message_id()
                }
            );
        }
    }
}

/// Encodes `c`, decodes it (alone and as a one-command stream), compares.
fn check_command(c: &Command<'_>) {
    let bytes = c.to_vec().unwrap();
    assert_eq!(sstp_wire::frame_len(&bytes), Some(bytes.len()));
    assert_eq!(&Command::parse(&bytes).unwrap(), c);
    let mut stream = CommandStream::new(&bytes);
    assert_eq!(&stream.next().unwrap().unwrap(), c);
    assert!(stream.next().is_none() && stream.remainder().is_empty());
    // The token offset each command computes points at the token.
    if let Some((carrier, raw, at)) = c.token() {
        assert_eq!(&bytes[at..at + raw.len()], raw);
        let _ = SecurityToken::parse(carrier, raw);
    }
}

macro_rules! direct {
    ($ty:ident, $m:expr) => {{
        let m = $m;
        let b = m.to_vec().unwrap();
        assert_eq!($ty::parse(&b).unwrap(), m);
    }};
}

// ---- every security message -------------------------------------------------

proptest! {
    #[test]
    fn sec_connect(minor in minor(), iv in any::<[u8; 24]>(), hmac in blob(40), n in any::<[u8; 24]>()) {
        let m = SecConnect { minor_version: minor, iv: &iv, hmac: &hmac, encrypted_device_nonce: &n };
        direct!(SecConnect, m);
        check_token(&SecurityToken::SecConnect(m), Carrier::Connect);
    }

    #[test]
    fn sec_connect_response(minor in minor(), iv in any::<[u8; 24]>(), hmac in blob(40),
                            a in any::<[u8; 24]>(), b in any::<[u8; 24]>()) {
        let m = SecConnectResponse { minor_version: minor, iv: &iv, hmac: &hmac, device_nonce: &a, encrypted_relay_nonce: &b };
        direct!(SecConnectResponse, m);
        check_token(&SecurityToken::SecConnectResponse(m), Carrier::ConnectResponse);
    }

    #[test]
    fn header_only_messages(minor in minor()) {
        let v = minor;
        direct!(SecConnectResponseDeviceRegistrationNeeded, SecConnectResponseDeviceRegistrationNeeded { minor_version: v });
        direct!(SecConnectResponseAuthenticationFailed, SecConnectResponseAuthenticationFailed { minor_version: v });
        direct!(SecAttachResponseAccountRegistrationNeeded, SecAttachResponseAccountRegistrationNeeded { minor_version: v });
        direct!(SecAttachResponseNewDeviceRegistrationNeeded, SecAttachResponseNewDeviceRegistrationNeeded { minor_version: v });
        direct!(SecAttachResponseAuthenticationFailed, SecAttachResponseAuthenticationFailed { minor_version: v });
        check_token(&SecurityToken::SecConnectResponseDeviceRegistrationNeeded(
            SecConnectResponseDeviceRegistrationNeeded { minor_version: v }), Carrier::ConnectResponse);
        check_token(&SecurityToken::SecConnectResponseAuthenticationFailed(
            SecConnectResponseAuthenticationFailed { minor_version: v }), Carrier::ConnectResponse);
        check_token(&SecurityToken::SecAttachResponseAccountRegistrationNeeded(
            SecAttachResponseAccountRegistrationNeeded { minor_version: v }), Carrier::AttachResponse);
        check_token(&SecurityToken::SecAttachResponseNewDeviceRegistrationNeeded(
            SecAttachResponseNewDeviceRegistrationNeeded { minor_version: v }), Carrier::AttachResponse);
        check_token(&SecurityToken::SecAttachResponseAuthenticationFailed(
            SecAttachResponseAuthenticationFailed { minor_version: v }), Carrier::AttachResponse);
    }

    #[test]
    fn sec_connect_authenticate(minor in minor(), n in any::<[u8; 24]>()) {
        let m = SecConnectAuthenticate { minor_version: minor, relay_nonce: &n };
        direct!(SecConnectAuthenticate, m);
        check_token(&SecurityToken::SecConnectAuthenticate(m), Carrier::ConnectAuthenticate);
    }

    #[test]
    fn sec_attach(minor in minor(), iv in any::<[u8; 24]>(), hmac in blob(40), n in any::<[u8; 24]>()) {
        let m = SecAttach { minor_version: minor, iv: &iv, hmac: &hmac, encrypted_account_nonce: &n };
        direct!(SecAttach, m);
        check_token(&SecurityToken::SecAttach(m), Carrier::Attach);
    }

    #[test]
    fn sec_attach_response(minor in minor(), iv in any::<[u8; 24]>(), hmac in blob(40),
                           a in any::<[u8; 24]>(), b in any::<[u8; 24]>()) {
        let m = SecAttachResponse { minor_version: minor, iv: &iv, hmac: &hmac, account_nonce: &a, encrypted_relay_nonce: &b };
        direct!(SecAttachResponse, m);
        check_token(&SecurityToken::SecAttachResponse(m), Carrier::AttachResponse);
    }

    #[test]
    fn sec_attach_authenticate(minor in minor(), a in any::<[u8; 24]>(), b in any::<[u8; 24]>()) {
        let m = SecAttachAuthenticate { minor_version: minor, relay_account_nonce: &a, relay_device_nonce: &b };
        direct!(SecAttachAuthenticate, m);
        check_token(&SecurityToken::SecAttachAuthenticate(m), Carrier::AttachAuthenticate);
    }

    #[test]
    fn public_keys_object(p in pko()) {
        let v = p.view();
        let b = v.to_vec().unwrap();
        prop_assert_eq!(PublicKeysObject::parse(&b).unwrap(), v);
    }

    #[test]
    fn sec_account_register(minor in minor(), key in blob(80), sig in blob(80), p in pko(),
                            reserved2 in any::<u8>(), token in ansi()) {
        let m = SecAccountRegister {
            minor_version: minor, encrypted_relay_account_key: &key, signature: &sig,
            account_public_keys_object: p.view(), reserved1: 1, reserved2, user_pre_auth_token: s(&token),
        };
        direct!(SecAccountRegister, m.clone());
        check_token(&SecurityToken::SecAccountRegister(m), Carrier::SecDeviceAccountRegister);
    }

    #[test]
    fn sec_account_on_new_device(minor in minor(), hmac in blob(40)) {
        let m = SecAccountOnNewDevice { minor_version: minor, hmac: &hmac };
        direct!(SecAccountOnNewDevice, m);
        let b = m.to_vec().unwrap();
        prop_assert_eq!(AccountLayerMessage::parse(&b).unwrap(), AccountLayerMessage::AccountOnNewDevice(m));
        check_token(&SecurityToken::SecAccountOnNewDevice(m), Carrier::SecDeviceAccountRegister);
    }

    #[test]
    fn sec_account_register_response(minor in minor(), reserved in any::<u8>(), ts in any::<u32>(), hmac in blob(40)) {
        let m = SecAccountRegisterResponse { minor_version: minor, reserved, timestamp: ts, hmac: &hmac };
        direct!(SecAccountRegisterResponse, m);
        check_token(&SecurityToken::SecAccountRegisterResponse(m), Carrier::SecDeviceAccountRegisterResponse);
    }

    #[test]
    fn sec_device_account_register(
        minor in minor(), nested_minor in minor(), ts in any::<u32>(), url in ansi(), fp in blob(24),
        dkey in blob(80), on_new_device in any::<bool>(), akey in blob(80), asig in blob(80),
        apko in pko(), ar2 in any::<u8>(), token in ansi(), hmac in blob(24),
        r1 in any::<u16>(), r2 in any::<u8>(), sig in blob(80), dpko in pko(),
        iv in any::<[u8; 24]>(), n in any::<[u8; 24]>(),
    ) {
        let account_layer_message = if on_new_device {
            AccountLayerMessage::AccountOnNewDevice(SecAccountOnNewDevice { minor_version: nested_minor, hmac: &hmac })
        } else {
            AccountLayerMessage::AccountRegister(SecAccountRegister {
                minor_version: nested_minor, encrypted_relay_account_key: &akey, signature: &asig,
                account_public_keys_object: apko.view(), reserved1: 1, reserved2: ar2, user_pre_auth_token: s(&token),
            })
        };
        let m = SecDeviceAccountRegister {
            minor_version: minor, timestamp: ts, account_url: s(&url), fingerprint: &fp,
            encrypted_relay_device_key: &dkey, account_layer_message, reserved1: r1, reserved2: r2,
            signature: &sig, device_public_keys_object: dpko.view(), iv: &iv, encrypted_device_nonce: &n,
        };
        direct!(SecDeviceAccountRegister, m.clone());
        check_token(&SecurityToken::SecDeviceAccountRegister(m), Carrier::Register);
    }

    #[test]
    fn sec_device_account_register_response(
        minor in minor(), nm in minor(), nr in any::<u8>(), ts in any::<u32>(), nh in blob(40),
        reserved in any::<u8>(), iv in any::<[u8; 24]>(), hmac in blob(40),
        a in any::<[u8; 24]>(), b in any::<[u8; 24]>(),
    ) {
        let m = SecDeviceAccountRegisterResponse {
            minor_version: minor,
            account_layer_message: SecAccountRegisterResponse { minor_version: nm, reserved: nr, timestamp: ts, hmac: &nh },
            reserved, iv: &iv, hmac: &hmac, device_nonce: &a, encrypted_relay_nonce: &b,
        };
        direct!(SecDeviceAccountRegisterResponse, m);
        check_token(&SecurityToken::SecDeviceAccountRegisterResponse(m), Carrier::RegisterResponse);
    }

    #[test]
    fn sec_identity_register(minor in minor(), ts in any::<u32>(), url in ansi(), hmac in blob(40),
                             reserved in any::<u8>(), add in ansis(6), remove in ansis(6), relay in ansi()) {
        let m = SecIdentityRegister {
            minor_version: minor, timestamp: ts, account_url: s(&url), hmac: &hmac, reserved,
            identity_lists: IdentityLists { to_add: ss(&add), to_remove: ss(&remove) },
            relay_url: s(&relay),
        };
        direct!(SecIdentityRegister, m.clone());
        check_token(&SecurityToken::SecIdentityRegister(m), Carrier::Register);
    }
}

// ---- every command -------------------------------------------------------------

#[derive(Debug, Clone)]
enum CmdModel {
    Connect(u8, u8, u8, Vec<u8>, Vec<Vec<u8>>, Vec<u8>, Vec<u8>, Vec<u8>),
    ConnectResponse {
        version: (u8, u8),
        response: u8,
        token: Vec<u8>,
        flags: u8,
        strings: (Vec<u8>, Vec<u8>),
        urls: Vec<Vec<u8>>,
        redirect: (u8, Vec<u8>),
    },
    ConnectAuthenticate(Vec<u8>),
    ConnectClose(u8, u32, u32),
    Open(u32, [Vec<u8>; 3], u8, u16),
    OpenResponse(u32, u8),
    Attach(u32, Vec<u8>, Vec<u8>, Vec<u8>),
    AttachResponse(u32, u8, Vec<u8>),
    AttachAuthenticate(u32, Vec<u8>),
    Register(u32, Vec<u8>),
    RegisterResponse(u32, Option<Vec<u8>>),
    Noop(u32),
    Close(u32, u8),
    Unknown(u8, Vec<u8>),
}

fn is_typed(id: u8) -> bool {
    matches!(id, 0x01..=0x05 | 0x07..=0x0C | 0x10 | 0x11)
}

fn cmd_model() -> impl Strategy<Value = CmdModel> {
    prop_oneof![
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            ansi(),
            ansis(4),
            blob(120),
            ansi(),
            ansi()
        )
            .prop_map(|(a, b, c, d, e, f, g, h)| CmdModel::Connect(a, b, c, d, e, f, g, h)),
        (
            any::<(u8, u8)>(),
            any::<u8>(),
            blob(120),
            any::<u8>(),
            (ansi(), ansi()),
            ansis(4),
            (any::<u8>(), blob(20))
        )
            .prop_map(
                |(version, response, token, flags, strings, urls, redirect)| {
                    CmdModel::ConnectResponse {
                        version,
                        response,
                        token,
                        flags,
                        strings,
                        urls,
                        redirect,
                    }
                }
            ),
        blob(120).prop_map(CmdModel::ConnectAuthenticate),
        (any::<u8>(), any::<u32>(), any::<u32>())
            .prop_map(|(a, b, c)| CmdModel::ConnectClose(a, b, c)),
        (
            any::<u32>(),
            [ansi(), ansi(), ansi()],
            any::<u8>(),
            any::<u16>()
        )
            .prop_map(|(a, b, c, d)| CmdModel::Open(a, b, c, d)),
        (any::<u32>(), any::<u8>()).prop_map(|(a, b)| CmdModel::OpenResponse(a, b)),
        (any::<u32>(), ansi(), ansi(), blob(120))
            .prop_map(|(a, b, c, d)| CmdModel::Attach(a, b, c, d)),
        (any::<u32>(), any::<u8>(), blob(120))
            .prop_map(|(a, b, c)| CmdModel::AttachResponse(a, b, c)),
        (any::<u32>(), blob(120)).prop_map(|(a, b)| CmdModel::AttachAuthenticate(a, b)),
        (any::<u32>(), blob(300)).prop_map(|(a, b)| CmdModel::Register(a, b)),
        (any::<u32>(), proptest::option::of(blob(120)))
            .prop_map(|(a, b)| CmdModel::RegisterResponse(a, b)),
        any::<u32>().prop_map(CmdModel::Noop),
        (any::<u32>(), any::<u8>()).prop_map(|(a, b)| CmdModel::Close(a, b)),
        (
            any::<u8>().prop_filter("untyped id", |id| !is_typed(*id)),
            blob(60)
        )
            .prop_map(|(a, b)| CmdModel::Unknown(a, b)),
    ]
}

impl CmdModel {
    fn view(&self) -> Command<'_> {
        match self {
            Self::Connect(major, minor, flags, target, sources, token, version, caps) => {
                Command::Connect(Connect {
                    major_version: *major,
                    minor_version: *minor,
                    flags: *flags,
                    target_device_url: s(target),
                    source_device_urls: ss(sources),
                    authentication_token: token,
                    peer_product_version: s(version),
                    peer_product_capabilities: s(caps),
                })
            }
            Self::ConnectResponse {
                version,
                response,
                token,
                flags,
                strings,
                urls,
                redirect,
            } => {
                let response_id = ConnectResponseId::from_u8(*response);
                let trailer = if response_id == ConnectResponseId::Ok {
                    let (entries, map) = redirect;
                    ConnectResponseTrailer::Fields(ConnectResponseFields {
                        flags: ConnectResponseFlags(*flags),
                        peer_product_version: s(&strings.0),
                        peer_product_capabilities: s(&strings.1),
                        target_device_urls: ss(urls),
                        redirect_map_entries: *entries,
                        redirect_map: if *entries == 0 { &[] } else { map },
                    })
                } else {
                    ConnectResponseTrailer::Opaque(&redirect.1)
                };
                Command::ConnectResponse(ConnectResponse {
                    major_version: version.0,
                    minor_version: version.1,
                    response_id,
                    authentication_token: token,
                    trailer,
                })
            }
            Self::ConnectAuthenticate(t) => Command::ConnectAuthenticate(ConnectAuthenticate {
                authentication_token: t,
            }),
            Self::ConnectClose(r, t, c) => Command::ConnectClose(ConnectClose {
                reason: CloseReason::from_u8(*r),
                return_time: *t,
                message_count: *c,
            }),
            Self::Open(id, [a, b, c], flags, reserved) => Command::Open(Open {
                session_id: *id,
                resource_url: s(a),
                identity_url: s(b),
                device_url: s(c),
                flags: *flags,
                reserved: *reserved,
            }),
            Self::OpenResponse(id, r) => Command::OpenResponse(OpenResponse {
                session_id: *id,
                response_id: OpenResponseId::from_u8(*r),
            }),
            Self::Attach(id, a, b, t) => Command::Attach(Attach {
                event_id: *id,
                resource_url: s(a),
                account_url: s(b),
                authentication_token: t,
            }),
            Self::AttachResponse(id, r, t) => Command::AttachResponse(AttachResponse {
                event_id: *id,
                response_id: AttachResponseId::from_u8(*r),
                authentication_token: t,
            }),
            Self::AttachAuthenticate(id, t) => Command::AttachAuthenticate(AttachAuthenticate {
                event_id: *id,
                authentication_token: t,
            }),
            Self::Register(id, t) => Command::Register(Register {
                event_id: *id,
                registration_token: t,
                declared_token_length: None,
            }),
            Self::RegisterResponse(id, t) => Command::RegisterResponse(RegisterResponse {
                event_id: *id,
                registration_token: t.as_deref(),
            }),
            Self::Noop(c) => Command::Noop(Noop { message_count: *c }),
            Self::Close(id, r) => Command::Close(Close {
                session_id: *id,
                reason: CloseReason::from_u8(*r),
            }),
            Self::Unknown(id, body) => Command::Unknown { id: *id, body },
        }
    }
}

proptest! {
    #[test]
    fn every_command_round_trips(m in cmd_model()) {
        check_command(&m.view());
    }

    #[test]
    fn register_with_declared_overrun_round_trips(id in any::<u32>(), token in blob(100), extra in 1u16..200) {
        let declared = u16::try_from(token.len()).unwrap() + extra;
        let r = Register { event_id: id, registration_token: &token, declared_token_length: Some(declared) };
        let b = r.to_vec().unwrap();
        let opts = DecodeOptions::STRICT.tolerate_register_token_overrun(true);
        prop_assert_eq!(Register::parse_with(&b, opts).unwrap(), r);
        prop_assert!(Register::parse(&b).is_err());
    }

    #[test]
    fn command_streams_round_trip(models in prop::collection::vec(cmd_model(), 0..8), cut in any::<prop::sample::Index>()) {
        let cmds: Vec<Command<'_>> = models.iter().map(CmdModel::view).collect();
        let mut bytes = Vec::new();
        for c in &cmds {
            c.serialize_into(&mut bytes).unwrap();
        }
        let decoded: Vec<_> = CommandStream::new(&bytes).map(Result::unwrap).collect();
        prop_assert_eq!(&decoded, &cmds);

        // Any prefix decodes to the commands it holds whole, and keeps the rest.
        let cut = cut.index(bytes.len() + 1);
        let mut stream = CommandStream::new(&bytes[..cut]);
        let whole: Vec<_> = stream.by_ref().map(Result::unwrap).collect();
        prop_assert_eq!(&whole[..], &cmds[..whole.len()]);
        prop_assert_eq!(stream.consumed() + stream.remainder().len(), cut);
        prop_assert!(stream.remainder().len() < cmds.get(whole.len()).map_or(1, |c| c.to_vec().unwrap().len()));
    }
}

// ---- arbitrary and mutated bytes --------------------------------------------------

/// Decodes `bytes` every way the crate offers. Nothing may panic, and
/// whatever decodes must re-encode to exactly the bytes it came from.
fn decode_everything(bytes: &[u8]) {
    let _ = sstp_wire::frame_len(bytes);
    for opts in [
        DecodeOptions::STRICT,
        DecodeOptions::STRICT.tolerate_register_token_overrun(true),
    ] {
        let mut stream = CommandStream::with_options(bytes, opts);
        let mut at = 0;
        while let Some(item) = stream.next() {
            let frame = &bytes[at..stream.consumed()];
            at = stream.consumed();
            if let Ok(cmd) = item {
                assert_eq!(cmd.to_vec().unwrap(), frame);
                if let Some(Ok(token)) = cmd.security_token() {
                    assert_eq!(
                        Some(token.to_vec().unwrap().as_slice()),
                        cmd.token().map(|t| t.1)
                    );
                }
            }
        }
        assert!(stream.consumed() + stream.remainder().len() == bytes.len());
        if let Ok(cmd) = Command::parse_with(bytes, opts) {
            assert_eq!(cmd.to_vec().unwrap(), bytes);
        }
    }
    for carrier in Carrier::ALL {
        if let Ok(t) = SecurityToken::parse(carrier, bytes) {
            assert_eq!(t.to_vec().unwrap(), bytes);
        }
    }
    if let Ok(p) = PublicKeysObject::parse(bytes) {
        assert_eq!(p.to_vec().unwrap(), bytes);
    }
}

/// Valid encodings to mutate: one of each command and of the big tokens.
fn seeds() -> Vec<Vec<u8>> {
    let iv = [7u8; 24];
    let name = |x: &'static str| AnsiStr::try_from(x).unwrap();
    let pko = PublicKeysObject {
        signature_algorithm_name: name("RSA"),
        encryption_algorithm_name: name("ELGAMAL"),
        signature_key_algorithm_name: name("RSA"),
        encryption_key_algorithm_name: name("DH"),
        signature_public_key: &[0x30, 3, 2, 1, 5],
        encryption_public_key: &[0x30, 0],
    };
    let dar = SecDeviceAccountRegister {
        minor_version: MinorVersion::V3,
        timestamp: 9,
        account_url: name("grooveAccount://a@"),
        fingerprint: &[1; 20],
        encrypted_relay_device_key: &[2; 16],
        account_layer_message: AccountLayerMessage::AccountRegister(SecAccountRegister {
            minor_version: MinorVersion::V4,
            encrypted_relay_account_key: &[3; 16],
            signature: &[4; 16],
            account_public_keys_object: pko,
            reserved1: 1,
            reserved2: 0,
            user_pre_auth_token: name("T"),
        }),
        reserved1: 1,
        reserved2: 0,
        signature: &[5; 16],
        device_public_keys_object: pko,
        iv: &iv,
        encrypted_device_nonce: &iv,
    }
    .to_vec()
    .unwrap();
    let idr = SecIdentityRegister {
        minor_version: MinorVersion::V4,
        timestamp: 1,
        account_url: name("a"),
        hmac: &[1; 20],
        reserved: 0,
        identity_lists: IdentityLists {
            to_add: vec![name("x"), name("y")],
            to_remove: vec![name("z")],
        },
        relay_url: name("r"),
    }
    .to_vec()
    .unwrap();
    let mut out = vec![dar.clone(), idr.clone()];
    for t in [dar, idr] {
        out.push(
            Register {
                event_id: 11,
                registration_token: &t,
                declared_token_length: None,
            }
            .to_vec()
            .unwrap(),
        );
    }
    out
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in blob(600)) {
        decode_everything(&bytes);
    }

    #[test]
    fn arbitrary_command_shaped_bytes_never_panic(id in 0u8..0x14, body in blob(300)) {
        let mut b = vec![id, 0, 0];
        b.extend(&body);
        let n = u16::try_from(b.len()).unwrap();
        b[1..3].copy_from_slice(&n.to_le_bytes());
        decode_everything(&b);
        // And as a token after a plausible header.
        let mut t = vec![1, 3 + (id & 1), id];
        t.extend(&body);
        decode_everything(&t);
    }

    #[test]
    fn mutated_encodings_never_panic(
        which in any::<prop::sample::Index>(),
        cmd in cmd_model(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut all = seeds();
        all.push(cmd.view().to_vec().unwrap());
        let mut b = all[which.index(all.len())].clone();
        for (at, v) in edits {
            let i = at.index(b.len());
            b[i] = v;
        }
        decode_everything(&b);
    }
}
