//! RDP connection-sequence framing before TLS: [MS-RDPBCGR] 2.2.1.1 X.224
//! Connection Request (TPKT, [RFC 1006]/[T.123]; X.224 CR TPDU with the
//! routing cookie and `RDP_NEG_REQ`) and 2.2.1.2 Connection Confirm
//! (`RDP_NEG_RSP` / `RDP_NEG_FAILURE`), plus the 4-byte Early User
//! Authorization Result of 2.2.10.2 sent after CredSSP with `HYBRID_EX`.
//!
//! A codec only: `encode`/`decode` on whole TPKT packets, [`tpkt_len`] as the
//! framing hint, and tiny blocking/async helpers that read one packet.

use std::io::Read;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::Error;

/// [MS-RDPBCGR] 2.2.1.1.1 `PROTOCOL_RDP`: standard RDP security.
pub const PROTOCOL_RDP: u32 = 0x0;
/// `PROTOCOL_SSL`: TLS only.
pub const PROTOCOL_SSL: u32 = 0x1;
/// `PROTOCOL_HYBRID`: TLS + CredSSP.
pub const PROTOCOL_HYBRID: u32 = 0x2;
/// `PROTOCOL_HYBRID_EX`: TLS + CredSSP + Early User Authorization Result.
pub const PROTOCOL_HYBRID_EX: u32 = 0x8;
/// [MS-RDPBCGR] 2.2.1.2.2 `HYBRID_REQUIRED_BY_SERVER`.
pub const HYBRID_REQUIRED_BY_SERVER: u32 = 0x5;
/// [MS-RDPBCGR] 2.2.10.2 Early User Authorization Result `AUTHZ_SUCCESS`.
pub const AUTHZ_SUCCESS: u32 = 0x0;
/// [MS-RDPBCGR] 2.2.10.2 `AUTHZ_ACCESS_DENIED`.
pub const AUTHZ_ACCESS_DENIED: u32 = 0x5;

const TPKT_VERSION: u8 = 3;
const X224_CR: u8 = 0xE0;
const X224_CC: u8 = 0xD0;
const TYPE_RDP_NEG_REQ: u8 = 0x01;
const TYPE_RDP_NEG_RSP: u8 = 0x02;
const TYPE_RDP_NEG_FAILURE: u8 = 0x03;
/// Fixed part of an X.224 CR/CC TPDU after the length indicator.
const X224_FIXED: usize = 6;

/// The framing hint for TPKT ([RFC 1006] 6): `None` until the 4-byte
/// header is there, then the whole packet length (header included).
pub fn tpkt_len(buf: &[u8]) -> Option<Result<usize, Error>> {
    let header = buf.get(..4)?;
    if header[0] != TPKT_VERSION {
        return Some(Err(Error::Rdp(format!(
            "not a TPKT packet: version byte 0x{:02x} at offset 0 ([RFC 1006] 6)",
            header[0]
        ))));
    }
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    if len < 4 + 1 + X224_FIXED {
        return Some(Err(Error::Rdp(format!(
            "TPKT length {len} too short for an X.224 TPDU"
        ))));
    }
    Some(Ok(len))
}

fn tpkt(x224: &[u8]) -> Vec<u8> {
    let len = u16::try_from(4 + x224.len()).unwrap_or(u16::MAX);
    let mut out = vec![TPKT_VERSION, 0];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(x224);
    out
}

/// Splits a TPKT packet into the X.224 TPDU code and its variable part.
fn x224_body(packet: &[u8], want_code: u8, what: &str) -> Result<(u8, Vec<u8>), Error> {
    let len = match tpkt_len(packet) {
        Some(r) => r?,
        None => return Err(Error::Rdp(format!("{what}: truncated TPKT header"))),
    };
    if len != packet.len() {
        return Err(Error::Rdp(format!(
            "{what}: TPKT length {len} but {} bytes",
            packet.len()
        )));
    }
    let li = usize::from(packet[4]);
    let tpdu = packet
        .get(5..5 + li)
        .ok_or_else(|| Error::Rdp(format!("{what}: X.224 length indicator {li} past the end")))?;
    if li < X224_FIXED || tpdu[0] & 0xF0 != want_code {
        return Err(Error::Rdp(format!(
            "{what}: unexpected X.224 TPDU code 0x{:02x} at offset 5",
            tpdu.first().copied().unwrap_or(0)
        )));
    }
    Ok((tpdu[0], tpdu[X224_FIXED..].to_vec()))
}

fn neg_block(kind: u8, flags: u8, value: u32) -> [u8; 8] {
    let v = value.to_le_bytes();
    [kind, flags, 8, 0, v[0], v[1], v[2], v[3]]
}

fn parse_neg_block(var: &[u8]) -> Result<Option<(u8, u8, u32)>, Error> {
    match var {
        [] => Ok(None),
        [kind, flags, 8, 0, a, b, c, d] => {
            Ok(Some((*kind, *flags, u32::from_le_bytes([*a, *b, *c, *d]))))
        }
        _ => Err(Error::Rdp(format!(
            "malformed RDP negotiation block of {} bytes ([MS-RDPBCGR] 2.2.1.1.1)",
            var.len()
        ))),
    }
}

/// [MS-RDPBCGR] 2.2.1.1 Client X.224 Connection Request PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRequest {
    /// The routing token or cookie line without its CR LF, e.g.
    /// `Cookie: mstshash=alice`.
    pub cookie: Option<String>,
    /// `RDP_NEG_REQ` flags and `requestedProtocols`, when present.
    pub negotiation: Option<(u8, u32)>,
}

impl ConnectionRequest {
    /// A request with `Cookie: mstshash=<user>` asking for `protocols`.
    pub fn new(user: &str, protocols: u32) -> Self {
        Self {
            cookie: (!user.is_empty()).then(|| format!("Cookie: mstshash={user}")),
            negotiation: Some((0, protocols)),
        }
    }

    /// `requestedProtocols` (`PROTOCOL_RDP` when there is no `RDP_NEG_REQ`).
    pub fn requested_protocols(&self) -> u32 {
        self.negotiation.map_or(PROTOCOL_RDP, |(_, p)| p)
    }

    /// The whole TPKT packet.
    pub fn encode(&self) -> Vec<u8> {
        let mut var = Vec::new();
        if let Some(c) = &self.cookie {
            var.extend_from_slice(c.as_bytes());
            var.extend_from_slice(b"\r\n");
        }
        if let Some((flags, protocols)) = self.negotiation {
            var.extend_from_slice(&neg_block(TYPE_RDP_NEG_REQ, flags, protocols));
        }
        let li = u8::try_from(X224_FIXED + var.len()).unwrap_or(u8::MAX);
        let mut x224 = vec![li, X224_CR, 0, 0, 0, 0, 0];
        x224.extend_from_slice(&var);
        tpkt(&x224)
    }

    /// Decodes one whole TPKT packet.
    pub fn decode(packet: &[u8]) -> Result<Self, Error> {
        let (_, mut var) = x224_body(packet, X224_CR, "X.224 Connection Request")?;
        let mut cookie = None;
        if var.starts_with(b"Cookie:") {
            let end = var
                .windows(2)
                .position(|w| w == b"\r\n")
                .ok_or_else(|| Error::Rdp("X.224 CR cookie without CR LF".into()))?;
            cookie = Some(String::from_utf8_lossy(&var[..end]).into_owned());
            var.drain(..end + 2);
        }
        let negotiation = match parse_neg_block(&var)? {
            None => None,
            Some((TYPE_RDP_NEG_REQ, flags, protocols)) => Some((flags, protocols)),
            Some((kind, _, _)) => {
                return Err(Error::Rdp(format!(
                    "X.224 CR: expected RDP_NEG_REQ, got type 0x{kind:02x}"
                )));
            }
        };
        Ok(Self {
            cookie,
            negotiation,
        })
    }
}

/// [MS-RDPBCGR] 2.2.1.2 Server X.224 Connection Confirm PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionConfirm {
    /// `RDP_NEG_RSP`: flags and `selectedProtocol`.
    Selected {
        /// `RDP_NEG_RSP` flags.
        flags: u8,
        /// `selectedProtocol`.
        protocol: u32,
    },
    /// `RDP_NEG_FAILURE` with its `failureCode`.
    Failure(u32),
    /// No negotiation block: standard RDP security.
    Legacy,
}

impl ConnectionConfirm {
    /// The whole TPKT packet (source reference 0x1234, as pyspnego sends).
    pub fn encode(&self) -> Vec<u8> {
        let mut x224 = vec![0, X224_CC, 0, 0, 0x12, 0x34, 0];
        match *self {
            Self::Selected { flags, protocol } => {
                x224.extend_from_slice(&neg_block(TYPE_RDP_NEG_RSP, flags, protocol));
            }
            Self::Failure(code) => {
                x224.extend_from_slice(&neg_block(TYPE_RDP_NEG_FAILURE, 0, code));
            }
            Self::Legacy => {}
        }
        x224[0] = u8::try_from(x224.len() - 1).unwrap_or(u8::MAX);
        tpkt(&x224)
    }

    /// Decodes one whole TPKT packet.
    pub fn decode(packet: &[u8]) -> Result<Self, Error> {
        let (_, var) = x224_body(packet, X224_CC, "X.224 Connection Confirm")?;
        match parse_neg_block(&var)? {
            None => Ok(Self::Legacy),
            Some((TYPE_RDP_NEG_RSP, flags, protocol)) => Ok(Self::Selected { flags, protocol }),
            Some((TYPE_RDP_NEG_FAILURE, _, code)) => Ok(Self::Failure(code)),
            Some((kind, _, _)) => Err(Error::Rdp(format!(
                "X.224 CC: unknown negotiation type 0x{kind:02x}"
            ))),
        }
    }
}

/// What the server selects for a request: HYBRID_EX when both allow it,
/// else HYBRID, else `RDP_NEG_FAILURE(HYBRID_REQUIRED_BY_SERVER)`.
pub fn server_select(request: &ConnectionRequest, allow_hybrid_ex: bool) -> ConnectionConfirm {
    let requested = request.requested_protocols();
    if allow_hybrid_ex && requested & PROTOCOL_HYBRID_EX != 0 {
        ConnectionConfirm::Selected {
            flags: 0,
            protocol: PROTOCOL_HYBRID_EX,
        }
    } else if requested & PROTOCOL_HYBRID != 0 {
        ConnectionConfirm::Selected {
            flags: 0,
            protocol: PROTOCOL_HYBRID,
        }
    } else {
        ConnectionConfirm::Failure(HYBRID_REQUIRED_BY_SERVER)
    }
}

/// Reads one TPKT packet from a blocking stream.
pub fn read_tpkt<R: Read>(r: &mut R) -> Result<Vec<u8>, Error> {
    let mut packet = vec![0u8; 4];
    r.read_exact(&mut packet).map_err(Error::io("X.224 read"))?;
    let len = tpkt_len(&packet).unwrap_or(Ok(0))?;
    packet.resize(len, 0);
    r.read_exact(&mut packet[4..])
        .map_err(Error::io("X.224 read"))?;
    Ok(packet)
}

/// Reads one TPKT packet from an async stream.
pub async fn read_tpkt_async<R: AsyncRead + Unpin>(r: &mut R) -> Result<Vec<u8>, Error> {
    let mut packet = vec![0u8; 4];
    r.read_exact(&mut packet)
        .await
        .map_err(Error::io("X.224 read"))?;
    let len = tpkt_len(&packet).unwrap_or(Ok(0))?;
    packet.resize(len, 0);
    r.read_exact(&mut packet[4..])
        .await
        .map_err(Error::io("X.224 read"))?;
    Ok(packet)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Bytes from /work/shared/peers/README.md §4 (xfreerdp /sec:nla CR and
    // freerdp-shadow-cli CC, FreeRDP 2.11.7).
    const XFREERDP_CR: &str =
        "0300002b26e00000000000436f6f6b69653a206d737473686173683d616c6963650d0a0100080003000000";
    const FREERDP_CC: &str = "030000130ed000000000000203080002000000";

    #[test]
    fn decodes_xfreerdp_connection_request() {
        let bytes = hex::decode(XFREERDP_CR).unwrap();
        assert_eq!(tpkt_len(&bytes).unwrap().unwrap(), bytes.len());
        let cr = ConnectionRequest::decode(&bytes).unwrap();
        assert_eq!(cr.cookie.as_deref(), Some("Cookie: mstshash=alice"));
        assert_eq!(cr.requested_protocols(), PROTOCOL_SSL | PROTOCOL_HYBRID);
        // Our encoder produces the same bytes for the same request.
        assert_eq!(
            hex::encode(ConnectionRequest::new("alice", 3).encode()),
            XFREERDP_CR
        );
        assert_eq!(
            server_select(&cr, true),
            ConnectionConfirm::Selected {
                flags: 0,
                protocol: PROTOCOL_HYBRID
            }
        );
    }

    #[test]
    fn decodes_freerdp_connection_confirm() {
        let bytes = hex::decode(FREERDP_CC).unwrap();
        assert_eq!(
            ConnectionConfirm::decode(&bytes).unwrap(),
            ConnectionConfirm::Selected {
                flags: 3,
                protocol: PROTOCOL_HYBRID
            }
        );
    }

    #[test]
    fn confirm_matches_pyspnego_layout_and_round_trips() {
        let cc = ConnectionConfirm::Selected {
            flags: 0,
            protocol: PROTOCOL_HYBRID,
        };
        // pyspnego's rdp_server_negotiate: 0e d0 0000 1234 00 | 02 00 0800 02000000.
        assert_eq!(
            hex::encode(cc.encode()),
            "030000130ed000001234000200080002000000"
        );
        for cc in [cc, ConnectionConfirm::Failure(5), ConnectionConfirm::Legacy] {
            assert_eq!(ConnectionConfirm::decode(&cc.encode()).unwrap(), cc);
        }
    }

    #[test]
    fn hybrid_ex_and_failure_selection() {
        let ex = ConnectionRequest::new("bob", PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX);
        assert_eq!(ConnectionRequest::decode(&ex.encode()).unwrap(), ex);
        assert!(matches!(
            server_select(&ex, true),
            ConnectionConfirm::Selected {
                protocol: PROTOCOL_HYBRID_EX,
                ..
            }
        ));
        assert!(matches!(
            server_select(&ex, false),
            ConnectionConfirm::Selected {
                protocol: PROTOCOL_HYBRID,
                ..
            }
        ));
        let ssl = ConnectionRequest::new("", PROTOCOL_SSL);
        assert_eq!(ssl.cookie, None);
        assert_eq!(
            server_select(&ssl, true),
            ConnectionConfirm::Failure(HYBRID_REQUIRED_BY_SERVER)
        );
    }

    #[test]
    fn rejects_malformed_packets() {
        let good = hex::decode(XFREERDP_CR).unwrap();
        assert!(tpkt_len(&good[..3]).is_none());
        let mut bad_version = good.clone();
        bad_version[0] = 4;
        assert!(ConnectionRequest::decode(&bad_version).is_err());
        assert!(ConnectionRequest::decode(&good[..good.len() - 1]).is_err());
        let mut bad_li = good.clone();
        bad_li[4] = 0xff;
        assert!(ConnectionRequest::decode(&bad_li).is_err());
        // A CC is not a CR and vice versa.
        assert!(ConnectionRequest::decode(&hex::decode(FREERDP_CC).unwrap()).is_err());
        assert!(ConnectionConfirm::decode(&good).is_err());
        // Every truncation and every single-byte change: errors, never panics.
        for i in 0..good.len() {
            let _ = ConnectionRequest::decode(&good[..i]);
            for b in [0u8, 0x7f, 0xff] {
                let mut m = good.clone();
                m[i] = b;
                let _ = ConnectionRequest::decode(&m);
                let _ = ConnectionConfirm::decode(&m);
            }
        }
    }
}
