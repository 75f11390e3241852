//! `sstp-wire` describe API: every command that decodes from a byte stream,
//! and its security token, describes exactly the bytes it came from. The
//! node's wire widths add up to the frame, `CommandLength` is the frame
//! length, and a nested token's node is as long as the token (the offsets
//! the `sstp` CLI prints rest on this).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sstp_wire::{CommandStream, DecodeOptions, Describe, Value};

fuzz_target!(|data: &[u8]| {
    for opts in [
        DecodeOptions::STRICT,
        DecodeOptions::STRICT.tolerate_register_token_overrun(true),
    ] {
        let mut stream = CommandStream::with_options(data, opts);
        let mut at = 0;
        while let Some(item) = stream.next() {
            let frame_len = stream.consumed() - at;
            at = stream.consumed();
            let Ok(cmd) = item else { continue };
            let node = cmd.describe();
            assert_eq!(node.wire_len(), frame_len);
            assert_eq!(
                node.field("CommandLength"),
                Some(&Value::U16(
                    u16::try_from(frame_len).expect("a frame fits a u16")
                ))
            );
            if let Ok(deep) = cmd.describe_with_token() {
                assert_eq!(deep.wire_len(), frame_len);
                if let (Some((_, raw, _)), Some(Ok(token))) = (cmd.token(), cmd.security_token()) {
                    assert_eq!(token.describe().wire_len(), raw.len());
                }
            }
        }
    }
});
