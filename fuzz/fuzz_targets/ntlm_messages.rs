//! Fuzzes the [MS-NLMP] 2.2 decoders: NEGOTIATE, CHALLENGE and AUTHENTICATE
//! messages, AV_PAIR lists and NTLMv2 responses. Properties: no panic; a
//! message that parses re-serializes (with its recorded layout) into bytes
//! that parse to the same message; string and AV-pair accessors never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntlm::{
    AuthenticateMessage, AvPairs, ChallengeMessage, MessageType, NegotiateMessage, NtlmV2Response,
};

fuzz_target!(|data: &[u8]| {
    let _ = MessageType::of(data);
    if let Ok(pairs) = AvPairs::parse(data) {
        for pair in pairs.iter() {
            let _ = pair.text();
        }
        let _ = (pairs.timestamp(), pairs.flags(), pairs.channel_bindings());
    }
    if let Ok(resp) = NtlmV2Response::parse(data) {
        let _ = resp.client_challenge.av_pairs.iter().count();
    }
    if let Ok(m) = NegotiateMessage::parse(data) {
        let again = m.to_bytes().expect("a parsed NEGOTIATE serializes");
        assert_eq!(NegotiateMessage::parse(&again).expect("re-parses"), m);
    }
    if let Ok(m) = ChallengeMessage::parse(data) {
        let again = m.to_bytes().expect("a parsed CHALLENGE serializes");
        assert_eq!(ChallengeMessage::parse(&again).expect("re-parses"), m);
        let _ = m.target_name_string();
        let _ = m.target_info.iter().count();
    }
    if let Ok(m) = AuthenticateMessage::parse(data) {
        let again = m.to_bytes().expect("a parsed AUTHENTICATE serializes");
        assert_eq!(AuthenticateMessage::parse(&again).expect("re-parses"), m);
        let _ = (
            m.user_name_string(),
            m.domain_name_string(),
            m.workstation_string(),
        );
        let _ = NtlmV2Response::parse(m.nt_challenge_response);
    }
});
