//! `sstp-wire`: a byte stream of SSTP commands, and every security token
//! inside them through its carrier. Whatever decodes must re-encode to the
//! same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sstp_wire::{CommandStream, DecodeOptions};

fuzz_target!(|data: &[u8]| {
    let _ = sstp_wire::frame_len(data);
    for opts in [
        DecodeOptions::STRICT,
        DecodeOptions::STRICT.tolerate_register_token_overrun(true),
    ] {
        let mut stream = CommandStream::with_options(data, opts);
        let mut at = 0;
        while let Some(item) = stream.next() {
            let frame = &data[at..stream.consumed()];
            at = stream.consumed();
            let Ok(cmd) = item else { continue };
            assert_eq!(cmd.to_vec().expect("a decoded command re-encodes"), frame);
            if let (Some((_, raw, _)), Some(Ok(token))) = (cmd.token(), cmd.security_token()) {
                assert_eq!(token.to_vec().expect("a decoded token re-encodes"), raw);
            }
        }
        assert_eq!(stream.consumed() + stream.remainder().len(), data.len());
    }
});
