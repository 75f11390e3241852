//! rustls drivers for the sans-IO CredSSP endpoints of `credssp-core`
//! ([MS-CSSP] 3.1.5): blocking ([`blocking`], `std::net::TcpStream`) and
//! async ([`asynch`], tokio + tokio-rustls).
//!
//! Adapter tier: glue only. The drivers run the TLS handshake (TLS 1.2/1.3,
//! `ring` provider, no session resumption — [MS-CSSP-Diff] 3.1.5 step 1),
//! hand the server's certificate to `credssp-core` (the client the peer's
//! end-entity certificate, the server its own), then carry TSRequests: each
//! one written with one TLS write (one record up to 16 KiB, [MS-CSSP-Diff]
//! 2.2.1 product note), read tolerantly (framed by DER length through
//! [`credssp_core::frame_len`] across records and reads). [`rdp`] adds the
//! optional X.224 Connection Request/Confirm that precedes TLS on RDP.
//!
//! Timeouts: set them on the `TcpStream` (blocking) or wrap the futures in
//! `tokio::time::timeout` (async).

use std::io;

pub mod asynch;
pub mod blocking;
pub mod mech;
pub mod rdp;
pub mod tls;

pub use credssp_core;
pub use rustls;

use credssp_core::Delegation;

/// Everything that can end a CredSSP-over-TLS connection.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A socket error (or a TLS error surfaced through the socket).
    Io {
        /// What we were doing.
        context: &'static str,
        /// The error.
        source: io::Error,
    },
    /// The peer closed the connection.
    Closed {
        /// What we were waiting for.
        waiting_for: &'static str,
    },
    /// TLS configuration or handshake failure.
    Tls(rustls::Error),
    /// The CredSSP exchange failed (includes the peer's errorCode, a
    /// refused downgrade, a binding mismatch).
    CredSsp(credssp_core::Error),
    /// The RDP X.224 negotiation failed.
    Rdp(String),
    /// Bad local configuration (certificate files, fingerprints, ...).
    Config(String),
}

impl Error {
    pub(crate) fn io(context: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |source| {
            if source.kind() == io::ErrorKind::UnexpectedEof {
                return Self::Closed {
                    waiting_for: context,
                };
            }
            match source
                .get_ref()
                .and_then(|e| e.downcast_ref::<rustls::Error>())
            {
                Some(tls) => Self::Tls(tls.clone()),
                None => Self::Io { context, source },
            }
        }
    }

    /// The CredSSP error, when that is what this is.
    pub fn credssp(&self) -> Option<&credssp_core::Error> {
        match self {
            Self::CredSsp(e) => Some(e),
            _ => None,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::Closed { waiting_for } => {
                write!(f, "the peer closed the connection during {waiting_for}")
            }
            Self::Tls(e) => write!(f, "tls failure: {e}"),
            Self::CredSsp(e) => write!(f, "credssp: {e}"),
            Self::Rdp(e) => write!(f, "rdp negotiation: {e}"),
            Self::Config(e) => write!(f, "configuration: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<credssp_core::Error> for Error {
    fn from(e: credssp_core::Error) -> Self {
        Self::CredSsp(e)
    }
}

/// RDP framing for a client: the X.224 Connection Request to send.
#[derive(Debug, Clone)]
pub struct RdpClient {
    /// The request (cookie and `requestedProtocols`).
    pub request: rdp::ConnectionRequest,
}

/// RDP framing for a server.
#[derive(Debug, Clone, Copy, Default)]
pub struct RdpServer {
    /// Select `PROTOCOL_HYBRID_EX` when the client offers it (and send the
    /// Early User Authorization Result after CredSSP).
    pub allow_hybrid_ex: bool,
}

/// What a successful client connection negotiated.
#[derive(Debug, Clone)]
pub struct ClientSummary {
    /// The negotiated CredSSP version (min of both sides).
    pub version: Option<u32>,
    /// TLS version and cipher suite.
    pub tls: String,
    /// SHA-256 of the server's end-entity certificate.
    pub server_cert_sha256: [u8; 32],
    /// `selectedProtocol` from the X.224 Connection Confirm, with `--rdp`.
    pub selected_protocol: Option<u32>,
    /// The Early User Authorization Result, with `HYBRID_EX`.
    pub early_user_authorization: Option<u32>,
}

/// What a successful server connection received.
#[derive(Debug)]
pub struct ServerSummary {
    /// The delegated credentials (secrets redacted in `Debug`).
    pub delegation: Box<Delegation>,
    /// TLS version and cipher suite.
    pub tls: String,
    /// The X.224 cookie line, with RDP framing.
    pub rdp_cookie: Option<String>,
    /// `selectedProtocol`, with RDP framing.
    pub selected_protocol: Option<u32>,
}

/// What a client needs besides the server key (known only after TLS).
#[derive(Debug)]
pub struct ClientSetup {
    /// CredSSP client policy (version, minimum, SPN and allow-list).
    pub config: credssp_core::ClientConfig,
    /// What to delegate.
    pub credentials: credssp_core::Credentials,
    /// The initiator (raw NTLM or SPNEGO), e.g. from [`mech::client_mechanism`].
    pub mechanism: spnego::BoxedMechanism,
}

/// Buffers bytes read from TLS and cuts them into whole TSRequests.
#[derive(Debug, Default)]
pub(crate) struct Framer {
    buf: Vec<u8>,
}

impl Framer {
    /// The next whole TSRequest if buffered.
    pub(crate) fn take(&mut self) -> Result<Option<Vec<u8>>, Error> {
        match credssp_core::frame_len(&self.buf) {
            None => Ok(None),
            Some(Err(e)) => Err(Error::CredSsp(e)),
            Some(Ok(n)) if self.buf.len() >= n => Ok(Some(self.buf.drain(..n).collect())),
            Some(Ok(_)) => Ok(None),
        }
    }

    /// `n` raw bytes if buffered (the Early User Authorization Result).
    pub(crate) fn take_raw(&mut self, n: usize) -> Option<Vec<u8>> {
        (self.buf.len() >= n).then(|| self.buf.drain(..n).collect())
    }

    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
}

pub(crate) fn describe_tls(
    version: Option<rustls::ProtocolVersion>,
    suite: Option<rustls::SupportedCipherSuite>,
) -> String {
    let v = match version {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
        Some(other) => format!("{other:?}"),
        None => "none".to_owned(),
    };
    match suite {
        Some(s) => format!("{v} {:?}", s.suite()),
        None => v,
    }
}

pub(crate) fn u32_le(bytes: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    for (d, s) in b.iter_mut().zip(bytes) {
        *d = *s;
    }
    u32::from_le_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framer_cuts_across_reads() {
        // Two TSRequests (30 03 02 01 06 ...) split at every position.
        let one = [0x30u8, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06];
        let stream: Vec<u8> = one.iter().chain(one.iter()).copied().collect();
        for cut in 0..stream.len() {
            let mut f = Framer::default();
            let mut got = Vec::new();
            for part in [&stream[..cut], &stream[cut..]] {
                f.extend(part);
                while let Some(m) = f.take().unwrap() {
                    got.push(m);
                }
            }
            assert_eq!(got, vec![one.to_vec(), one.to_vec()], "cut at {cut}");
        }
        let mut f = Framer::default();
        f.extend(&[0x31, 0x00]);
        assert!(f.take().is_err());
    }
}
