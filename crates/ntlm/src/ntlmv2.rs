//! [MS-NLMP] 2.2.2.8 NTLMv2_RESPONSE and 2.2.2.7 NTLMv2_CLIENT_CHALLENGE.

use crate::av_pair::{AvPairs, FileTime};
use crate::error::{Error, ErrorKind, Message, Result};
use crate::wire::{array_at, u64_at};

/// [MS-NLMP] 2.2.2.8 NTLMv2_RESPONSE: NTProofStr followed by the client's
/// NTLMv2_CLIENT_CHALLENGE ("temp" in [MS-NLMP] 3.3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NtlmV2Response<'a> {
    /// Response (NTProofStr).
    pub nt_proof_str: [u8; 16],
    /// The NTLMv2_CLIENT_CHALLENGE that follows.
    pub client_challenge: NtlmV2ClientChallenge<'a>,
}

/// [MS-NLMP] 2.2.2.7 NTLMv2_CLIENT_CHALLENGE.
///
/// [`Self::as_bytes`] is the blob exactly as received — what NTProofStr is
/// computed over. Bytes after MsvAvEOL (FreeRDP pads with zeros there, and
/// every client appends the 4 reserved zero bytes) stay part of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NtlmV2ClientChallenge<'a> {
    raw: &'a [u8],
    /// TimeStamp.
    pub timestamp: FileTime,
    /// ChallengeFromClient.
    pub challenge_from_client: [u8; 8],
    /// AvPairs (validated up to MsvAvEOL).
    pub av_pairs: AvPairs<'a>,
}

impl<'a> NtlmV2ClientChallenge<'a> {
    /// RespType, HiRespType (both 0x01), Reserved1..2, TimeStamp,
    /// ChallengeFromClient, Reserved3.
    pub const HEADER_LEN: usize = 28;

    /// The blob exactly as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// Builds the blob: `01 01 Z(6) TimeStamp ChallengeFromClient Z(4)
    /// AvPairs Z(4)` ([MS-NLMP] 3.3.2 `temp`). `av_pairs` must already end
    /// with MsvAvEOL.
    pub fn encode(
        timestamp: FileTime,
        challenge_from_client: &[u8; 8],
        av_pairs: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::HEADER_LEN + av_pairs.len() + 4);
        out.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&timestamp.0.to_le_bytes());
        out.extend_from_slice(challenge_from_client);
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(av_pairs);
        out.extend_from_slice(&[0; 4]);
        out
    }
}

impl<'a> NtlmV2Response<'a> {
    /// Parses an NtChallengeResponse as an NTLMv2_RESPONSE. Offsets in errors
    /// are relative to the start of the response.
    pub fn parse(nt_response: &'a [u8]) -> Result<Self> {
        let err = |field, at| {
            Error::new(
                ErrorKind::InvalidNtlmV2Response,
                Message::NtlmV2Response,
                field,
                "2.2.2.7",
            )
            .at(at)
        };
        let nt_proof_str = array_at::<16>(nt_response, 0).ok_or_else(|| err("Response", 0))?;
        let raw = nt_response.get(16..).unwrap_or_default();
        if raw.len() < NtlmV2ClientChallenge::HEADER_LEN {
            return Err(err("NTLMv2_CLIENT_CHALLENGE", nt_response.len()));
        }
        if raw.first() != Some(&1) {
            return Err(err("RespType", 16));
        }
        if raw.get(1) != Some(&1) {
            return Err(err("HiRespType", 17));
        }
        let timestamp = FileTime(u64_at(raw, 8).ok_or_else(|| err("TimeStamp", 24))?);
        let challenge_from_client =
            array_at::<8>(raw, 16).ok_or_else(|| err("ChallengeFromClient", 32))?;
        let pairs = raw
            .get(NtlmV2ClientChallenge::HEADER_LEN..)
            .unwrap_or_default();
        let av_pairs = AvPairs::parse(pairs).map_err(|e| {
            e.shifted(
                16 + NtlmV2ClientChallenge::HEADER_LEN,
                Message::NtlmV2Response,
            )
        })?;
        if av_pairs.as_bytes().is_empty() {
            return Err(err("AvPairs", nt_response.len()));
        }
        Ok(Self {
            nt_proof_str,
            client_challenge: NtlmV2ClientChallenge {
                raw,
                timestamp,
                challenge_from_client,
                av_pairs,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::av_pair::{AvFlags, AvPair, encode_av_pairs};

    #[test]
    fn encode_parse_round_trip() {
        let pairs = encode_av_pairs(&[AvPair::Flags(AvFlags::MIC_PROVIDED)]).unwrap();
        let blob = NtlmV2ClientChallenge::encode(FileTime(5), &[0xaa; 8], &pairs);
        let mut resp = vec![0x11; 16];
        resp.extend_from_slice(&blob);
        let p = NtlmV2Response::parse(&resp).unwrap();
        assert_eq!(p.nt_proof_str, [0x11; 16]);
        assert_eq!(p.client_challenge.as_bytes(), &blob[..]);
        assert_eq!(p.client_challenge.timestamp, FileTime(5));
        assert_eq!(p.client_challenge.challenge_from_client, [0xaa; 8]);
        assert_eq!(
            p.client_challenge.av_pairs.flags(),
            Some(AvFlags::MIC_PROVIDED)
        );
    }

    #[test]
    fn malformed_responses() {
        let e = NtlmV2Response::parse(&[0; 24]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidNtlmV2Response);
        let mut resp = vec![0; 16];
        resp.extend_from_slice(&NtlmV2ClientChallenge::encode(
            FileTime(0),
            &[0; 8],
            &[0; 4],
        ));
        assert!(NtlmV2Response::parse(&resp).is_ok());
        resp[16] = 2;
        assert_eq!(NtlmV2Response::parse(&resp).unwrap_err().offset(), Some(16));
        resp[16] = 1;
        // AV pairs without MsvAvEOL: located inside the response.
        let mut bad = vec![0; 16];
        bad.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 0]);
        bad.extend_from_slice(&[0; 20]);
        bad.extend_from_slice(&[1, 0, 4, 0]);
        let e = NtlmV2Response::parse(&bad).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::InvalidAvPair, Some(46)));
    }
}
