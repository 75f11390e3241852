//! Known answers from [MS-NLMP] §4.2 and other public suites, read from
//! `tests/vectors/ntlm/ms-nlmp-4.2.md` (provenance in that file).

mod common;

use std::collections::HashMap;

use common::{arr, hex, load_kv};
use crypto_primitives::SecretArray;
use ntlm::crypto::{
    Direction, channel_bindings_hash, decrypt_session_key, encrypt_session_key, lmv2_response,
    nt_owf_v2, nt_proof_str, seal_key, session_base_key, sign_key,
};
use ntlm::{
    AuthenticateMessage, AvPair, AvPairs, ChallengeMessage, ErrorKind, FileTime, Identity,
    InMemoryCredentialStore, NegotiateFlags, NegotiateMessage, NtHash, NtlmServer,
    NtlmV2ClientChallenge, NtlmV2Response, Password, Role, SecurityContext, ServerConfig,
    ServerState, Step, Version, decode_utf16le,
};

struct V(HashMap<String, String>);

impl V {
    fn load() -> Self {
        Self(load_kv("ms-nlmp-4.2.md"))
    }
    fn bytes(&self, k: &str) -> Vec<u8> {
        hex(self
            .0
            .get(k)
            .unwrap_or_else(|| panic!("missing vector {k}")))
    }
    fn arr<const N: usize>(&self, k: &str) -> [u8; N] {
        arr(self
            .0
            .get(k)
            .unwrap_or_else(|| panic!("missing vector {k}")))
    }
    fn text(&self, k: &str) -> String {
        decode_utf16le(&self.bytes(k)).unwrap()
    }
    fn flags(&self, k: &str) -> NegotiateFlags {
        NegotiateFlags::from_bits(u32::from_le_bytes(self.arr(k)))
    }
    fn nt_hash(&self) -> NtHash {
        NtHash::from_password(&Password::new(&self.text("password_utf16")))
    }
    fn response_key(&self) -> ntlm::Key {
        nt_owf_v2(
            &self.nt_hash(),
            &self.text("user_utf16"),
            &self.text("domain_utf16"),
        )
    }
}

#[test]
fn nt_owf_v1_and_v2() {
    let v = V::load();
    assert_eq!(v.nt_hash().expose_secret(), &v.arr::<16>("ntowfv1"));
    assert_eq!(v.response_key().expose_secret(), &v.arr::<16>("ntowfv2"));
    for (pw, want) in [
        ("foo1_utf16", "ntowfv1_foo1"),
        ("bar2_utf16", "ntowfv1_bar2"),
        ("passw0rd_utf16", "ntowfv1_passw0rd"),
    ] {
        let h = NtHash::from_password(&Password::new(&v.text(pw)));
        assert_eq!(h.expose_secret(), &v.arr::<16>(want), "{pw}");
    }
    let h = NtHash::from_password(&Password::new(&v.text("pwd1_utf16")));
    let k = nt_owf_v2(&h, &v.text("user1_utf16"), &v.text("domain1_utf16"));
    assert_eq!(k.expose_secret(), &v.arr::<16>("ntowfv2_user1"));
}

#[test]
fn ntlmv2_response_and_keys() {
    let v = V::load();
    let temp = NtlmV2ClientChallenge::encode(
        FileTime(u64::from_le_bytes(v.arr("time"))),
        &v.arr("client_challenge"),
        &v.bytes("server_av_pairs"),
    );
    assert_eq!(temp, v.bytes("temp"));
    let key = v.response_key();
    let proof = nt_proof_str(&key, &v.arr("server_challenge"), &temp);
    assert_eq!(proof, v.arr::<16>("nt_proof_str"));
    assert_eq!(
        lmv2_response(&key, &v.arr("server_challenge"), &v.arr("client_challenge")).to_vec(),
        v.bytes("lmv2_response")
    );
    let sbk = session_base_key(&key, &proof);
    assert_eq!(sbk.expose_secret(), &v.arr::<16>("session_base_key"));
    let rsk = SecretArray::new(v.arr("random_session_key"));
    let enc = encrypt_session_key(&sbk, &rsk);
    assert_eq!(enc, v.arr::<16>("encrypted_random_session_key"));
    assert_eq!(decrypt_session_key(&sbk, &enc), rsk);
}

#[test]
fn sign_and_seal_keys_all_strengths() {
    let v = V::load();
    let esk = SecretArray::new(v.arr("random_session_key"));
    let f128 = v.flags("flags_v2");
    assert!(f128.contains(NegotiateFlags::NEGOTIATE_128));
    let f56 = f128.difference(NegotiateFlags::NEGOTIATE_128);
    let f40 = f56.difference(NegotiateFlags::NEGOTIATE_56);
    let c2s = Direction::ClientToServer;
    let s2c = Direction::ServerToClient;
    let cases = [
        (sign_key(&esk, c2s), "client_signing_key"),
        (sign_key(&esk, s2c), "server_signing_key"),
        (seal_key(&esk, f128, c2s), "client_sealing_key"),
        (seal_key(&esk, f128, s2c), "server_sealing_key"),
        (seal_key(&esk, f56, c2s), "client_sealing_key_56"),
        (seal_key(&esk, f56, s2c), "server_sealing_key_56"),
        (seal_key(&esk, f40, c2s), "client_sealing_key_40"),
        (seal_key(&esk, f40, s2c), "server_sealing_key_40"),
    ];
    for (got, name) in cases {
        assert_eq!(got.expose_secret(), &v.arr::<16>(name), "{name}");
    }
}

fn spec_context(v: &V, role: Role, flags: NegotiateFlags) -> SecurityContext {
    SecurityContext::new(
        role,
        flags,
        SecretArray::new(v.arr("random_session_key")),
        Identity {
            user: v.text("user_utf16"),
            domain: v.text("domain_utf16"),
            workstation: String::new(),
            anonymous: false,
        },
        None,
    )
}

#[test]
fn gss_wrap_ex_4_2_4_4() {
    let v = V::load();
    let plaintext = v.bytes("plaintext");
    let mut client = spec_context(&v, Role::Client, v.flags("flags_v2"));
    let token = client.wrap(&plaintext).unwrap();
    assert_eq!(token[..16], v.bytes("signature_key_exch")[..]);
    assert_eq!(token[4..12], v.bytes("checksum_rc4")[..]);
    assert_eq!(token[16..], v.bytes("sealed_plaintext")[..]);

    // The acceptor side of the same example: the server's inbound keys are the
    // client-to-server ones.
    let mut server = spec_context(&v, Role::Server, v.flags("flags_v2"));
    assert_eq!(
        server.unwrap(&token).unwrap().expose_secret(),
        &plaintext[..]
    );

    // Without KEY_EXCH the checksum is not RC4'd; the data stream is the same.
    let no_kx = v.flags("flags_v2").difference(NegotiateFlags::KEY_EXCH);
    let mut client = spec_context(&v, Role::Client, no_kx);
    let token = client.wrap(&plaintext).unwrap();
    assert_eq!(token[..16], v.bytes("signature_no_key_exch")[..]);
    assert_eq!(token[4..12], v.bytes("checksum")[..]);
    assert_eq!(token[16..], v.bytes("sealed_plaintext")[..]);
}

#[test]
fn challenge_message_4_2_4_3() {
    let v = V::load();
    let bytes = v.bytes("challenge_message");
    let m = ChallengeMessage::parse(&bytes).unwrap();
    assert_eq!(m.flags, v.flags("flags_v2"));
    assert_eq!(m.server_challenge, v.arr::<8>("server_challenge"));
    assert_eq!(m.target_name, &v.bytes("server_utf16")[..]);
    assert_eq!(m.target_info.as_bytes(), &v.bytes("server_av_pairs")[..]);
    let pairs: Vec<_> = m.target_info.iter().collect();
    let dom = v.bytes("domain_utf16");
    let srv = v.bytes("server_utf16");
    assert_eq!(
        pairs,
        [AvPair::NbDomainName(&dom), AvPair::NbComputerName(&srv)]
    );
    assert_eq!(
        m.version,
        Some(Version::from_bytes([6, 0, 0x70, 0x17, 0, 0, 0, 0x0f]))
    );
    // Byte-exact with the recorded layout, and with the canonical one.
    assert_eq!(m.to_bytes().unwrap(), bytes);
    let canonical = ChallengeMessage { layout: None, ..m };
    assert_eq!(canonical.to_bytes().unwrap(), bytes);
}

/// Rebuilds the 232-byte AUTHENTICATE from the §4.2.4 computations and the
/// canonical layout, then verifies it with the acceptor.
#[test]
fn authenticate_message_4_2_4_3() {
    let v = V::load();
    let bytes = v.bytes("authenticate_message");
    let key = v.response_key();
    let temp = v.bytes("temp");
    let proof = nt_proof_str(&key, &v.arr("server_challenge"), &temp);
    let nt = [proof.as_slice(), &temp].concat();
    let lm = lmv2_response(&key, &v.arr("server_challenge"), &v.arr("client_challenge"));
    let sbk = session_base_key(&key, &proof);
    let enc = encrypt_session_key(&sbk, &SecretArray::new(v.arr("random_session_key")));
    let (dom, user, ws) = (
        v.bytes("domain_utf16"),
        v.bytes("user_utf16"),
        v.bytes("workstation_utf16"),
    );
    let built = AuthenticateMessage {
        lm_challenge_response: &lm,
        nt_challenge_response: &nt,
        domain_name: &dom,
        user_name: &user,
        workstation: &ws,
        encrypted_random_session_key: &enc,
        flags: v.flags("authenticate_flags"),
        version: Some(Version::from_bytes(v.arr("authenticate_version"))),
        mic: None,
        layout: None,
    };
    assert_eq!(built.to_bytes().unwrap(), bytes);

    let parsed = AuthenticateMessage::parse(&bytes).unwrap();
    assert_eq!(parsed.mic, None, "no MIC in the §4.2.4.3 example");
    assert_eq!(parsed.to_bytes().unwrap(), bytes);
    assert_eq!(
        AuthenticateMessage {
            layout: None,
            ..parsed.clone()
        },
        built
    );
    let resp = NtlmV2Response::parse(parsed.nt_challenge_response).unwrap();
    assert_eq!(resp.nt_proof_str, v.arr::<16>("nt_proof_str"));
    assert_eq!(resp.client_challenge.as_bytes(), &temp[..]);
    assert_eq!(resp.client_challenge.av_pairs.as_bytes(), &temp[28..]);
    assert!(AvPairs::parse(&v.bytes("server_av_pairs")).is_ok());

    // The acceptor verifies it (the example has no MIC, so require_mic is off;
    // the NEGOTIATE is not covered by anything here).
    let mut store = InMemoryCredentialStore::new();
    store.insert_password(
        &v.text("domain_utf16"),
        &v.text("user_utf16"),
        &Password::new(&v.text("password_utf16")),
    );
    let negotiate = NegotiateMessage::new(v.flags("flags_v2"), None)
        .to_bytes()
        .unwrap();
    let mut config = ServerConfig::new("Server", "Domain", FileTime(0));
    config.require_mic = false;
    let mut server = NtlmServer::resume(
        config.clone(),
        &store,
        &negotiate,
        &v.bytes("challenge_message"),
    )
    .unwrap();
    assert_eq!(server.step(Some(&bytes)).unwrap(), Step::Complete(None));
    let ctx = server.take_context().unwrap();
    assert_eq!(
        ctx.exported_session_key().expose_secret(),
        &v.arr::<16>("random_session_key")
    );
    assert_eq!(ctx.identity().workstation, v.text("workstation_utf16"));
    assert!(!ctx.mic_provided());

    // With require_mic (the default) the same message is refused.
    config.require_mic = true;
    let mut server =
        NtlmServer::resume(config, &store, &negotiate, &v.bytes("challenge_message")).unwrap();
    assert_eq!(
        server.step(Some(&bytes)).unwrap_err().kind(),
        ErrorKind::MicMissing
    );
    assert_eq!(server.state(), ServerState::Failed);
}

#[test]
fn channel_bindings_hash_epa() {
    let v = V::load();
    assert_eq!(
        channel_bindings_hash(&v.bytes("cbt_application_data")),
        v.arr::<16>("cbt_hash")
    );
}
