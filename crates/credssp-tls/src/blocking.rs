//! Blocking drivers over `std::net::TcpStream` and rustls `StreamOwned`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use credssp_core::{
    ClientOutput, CredSspClient, CredSspServer, ServerConfig, ServerOutput, ServerPublicKey,
};
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ServerConnection, StreamOwned};

use crate::rdp::{self, ConnectionConfirm, ConnectionRequest, PROTOCOL_HYBRID_EX};
use crate::tls::{ServerIdentity, fingerprint};
use crate::{
    ClientSetup, ClientSummary, Error, Framer, RdpClient, RdpServer, ServerSummary, describe_tls,
    u32_le,
};

/// Reads the next whole TSRequest.
pub(crate) fn read_frame<S: Read>(
    stream: &mut S,
    framer: &mut Framer,
    waiting_for: &'static str,
) -> Result<Vec<u8>, Error> {
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(frame) = framer.take()? {
            return Ok(frame);
        }
        let n = stream.read(&mut chunk).map_err(Error::io(waiting_for))?;
        if n == 0 {
            return Err(Error::Closed { waiting_for });
        }
        framer.extend(&chunk[..n]);
    }
}

/// Writes one TSRequest with one TLS write, then flushes it to the socket.
pub(crate) fn write_frame<S: Write>(stream: &mut S, bytes: &[u8]) -> Result<(), Error> {
    stream
        .write_all(bytes)
        .and_then(|()| stream.flush())
        .map_err(Error::io("sending a TSRequest"))
}

/// Connects as a CredSSP client over `tcp` (already connected; set its
/// timeouts first): optional X.224, TLS with `tls`, then CredSSP. Returns
/// once authInfo is sent (and, with `HYBRID_EX`, the server's Early User
/// Authorization Result is read).
pub fn connect(
    mut tcp: TcpStream,
    tls: Arc<rustls::ClientConfig>,
    server_name: &str,
    rdp: Option<&RdpClient>,
    setup: ClientSetup,
) -> Result<ClientSummary, Error> {
    // Small request/response messages: no Nagle delay.
    let _ = tcp.set_nodelay(true);
    let mut selected_protocol = None;
    if let Some(rdp) = rdp {
        write_raw(&mut tcp, &rdp.request.encode())?;
        let cc = ConnectionConfirm::decode(&rdp::read_tpkt(&mut tcp)?)?;
        selected_protocol = Some(check_confirm(cc)?);
    }
    let name = ServerName::try_from(server_name.to_owned())
        .map_err(|e| Error::Config(format!("server name {server_name:?}: {e}")))?;
    let conn = ClientConnection::new(tls, name).map_err(Error::Tls)?;
    let mut stream = StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .map_err(Error::io("the TLS handshake"))?;
    }
    let cert = stream
        .conn
        .peer_certificates()
        .and_then(|c| c.first())
        .ok_or_else(|| Error::Config("the server sent no certificate".into()))?
        .clone();
    let key = ServerPublicKey::from_certificate_der(&cert)?;
    let mut rng = crate::mech::os_rng()?;
    let mut client = CredSspClient::new(
        setup.config,
        setup.credentials,
        setup.mechanism,
        key,
        &mut rng,
    )?;
    let tls_desc = describe_tls(
        stream.conn.protocol_version(),
        stream.conn.negotiated_cipher_suite(),
    );
    let mut framer = Framer::default();
    let mut out = client.step(None);
    loop {
        match out {
            ClientOutput::Send(bytes) => {
                write_frame(&mut stream, &bytes)?;
                let reply = read_frame(&mut stream, &mut framer, "the CredSSP exchange")?;
                out = client.step(Some(&reply));
            }
            ClientOutput::Finished(bytes) => {
                write_frame(&mut stream, &bytes)?;
                break;
            }
            ClientOutput::Failed(e) => return Err(e.into()),
        }
    }
    let mut early_user_authorization = None;
    if selected_protocol == Some(PROTOCOL_HYBRID_EX) {
        let mut chunk = [0u8; 64];
        let result = loop {
            if let Some(b) = framer.take_raw(4) {
                break b;
            }
            let n = stream
                .read(&mut chunk)
                .map_err(Error::io("the Early User Authorization Result"))?;
            if n == 0 {
                return Err(Error::Closed {
                    waiting_for: "the Early User Authorization Result",
                });
            }
            framer.extend(&chunk[..n]);
        };
        early_user_authorization = Some(u32_le(&result));
    }
    stream.conn.send_close_notify();
    let _ = stream.flush();
    Ok(ClientSummary {
        version: client.negotiated_version(),
        tls: tls_desc,
        server_cert_sha256: fingerprint(&cert),
        selected_protocol,
        early_user_authorization,
    })
}

fn write_raw(tcp: &mut TcpStream, bytes: &[u8]) -> Result<(), Error> {
    tcp.write_all(bytes)
        .and_then(|()| tcp.flush())
        .map_err(Error::io("sending the X.224 PDU"))
}

pub(crate) fn check_confirm(cc: ConnectionConfirm) -> Result<u32, Error> {
    match cc {
        ConnectionConfirm::Selected { protocol, .. }
            if protocol == rdp::PROTOCOL_HYBRID || protocol == PROTOCOL_HYBRID_EX =>
        {
            Ok(protocol)
        }
        ConnectionConfirm::Selected { protocol, .. } => Err(Error::Rdp(format!(
            "the server selected protocol 0x{protocol:x}, not CredSSP (HYBRID)"
        ))),
        ConnectionConfirm::Failure(code) => Err(Error::Rdp(format!(
            "the server sent RDP_NEG_FAILURE code {code}"
        ))),
        ConnectionConfirm::Legacy => Err(Error::Rdp(
            "the server answered without RDP_NEG_RSP (standard RDP security only)".into(),
        )),
    }
}

/// A CredSSP server endpoint: TLS identity, CredSSP policy, RDP framing.
#[derive(Debug, Clone)]
pub struct Acceptor {
    pub(crate) tls: Arc<rustls::ServerConfig>,
    pub(crate) key: ServerPublicKey,
    pub(crate) config: ServerConfig,
    pub(crate) rdp: Option<RdpServer>,
}

impl Acceptor {
    /// A server presenting `identity`, with CredSSP `config`, optionally
    /// expecting the X.224 exchange first.
    pub fn new(
        identity: &ServerIdentity,
        config: ServerConfig,
        rdp: Option<RdpServer>,
    ) -> Result<Self, Error> {
        Ok(Self {
            tls: crate::tls::server_config(identity)?,
            key: ServerPublicKey::from_certificate_der(identity.certificate())?,
            config,
            rdp,
        })
    }

    pub(crate) fn select(
        &self,
        cr_bytes: &[u8],
    ) -> Result<(ConnectionConfirm, Option<String>), Error> {
        let cr = ConnectionRequest::decode(cr_bytes)?;
        let allow_ex = self.rdp.is_some_and(|r| r.allow_hybrid_ex);
        Ok((rdp::server_select(&cr, allow_ex), cr.cookie))
    }

    /// Serves one connection (set `tcp`'s timeouts first), authenticating
    /// with `mechanism` (e.g. [`crate::mech::server_mechanism`]). On a
    /// failure the errorCode reply (versions 3, 4, 6) is sent before closing.
    pub fn accept(
        &self,
        mut tcp: TcpStream,
        mechanism: spnego::BoxedMechanism,
    ) -> Result<ServerSummary, Error> {
        let _ = tcp.set_nodelay(true);
        let mut rdp_cookie = None;
        let mut selected_protocol = None;
        if self.rdp.is_some() {
            let cr = rdp::read_tpkt(&mut tcp)?;
            let (cc, cookie) = self.select(&cr)?;
            rdp_cookie = cookie;
            write_raw(&mut tcp, &cc.encode())?;
            selected_protocol = Some(check_confirm(cc)?);
        }
        let mut server = CredSspServer::new(self.config, mechanism, self.key.clone())?;
        let conn = ServerConnection::new(self.tls.clone()).map_err(Error::Tls)?;
        let mut stream = StreamOwned::new(conn, tcp);
        while stream.conn.is_handshaking() {
            stream
                .conn
                .complete_io(&mut stream.sock)
                .map_err(Error::io("the TLS handshake"))?;
        }
        let tls = describe_tls(
            stream.conn.protocol_version(),
            stream.conn.negotiated_cipher_suite(),
        );
        let mut framer = Framer::default();
        let delegation = loop {
            let msg = read_frame(&mut stream, &mut framer, "the CredSSP exchange")?;
            match server.step(&msg) {
                ServerOutput::Send(reply) => write_frame(&mut stream, &reply)?,
                ServerOutput::Finished(d) => break d,
                ServerOutput::Failed { reply, error } => {
                    if let Some(reply) = reply {
                        // Best effort: the peer may already be gone.
                        let _ = write_frame(&mut stream, &reply);
                    }
                    stream.conn.send_close_notify();
                    let _ = stream.flush();
                    return Err(error.into());
                }
            }
        };
        if selected_protocol == Some(PROTOCOL_HYBRID_EX) {
            write_frame(&mut stream, &rdp::AUTHZ_SUCCESS.to_le_bytes())?;
        }
        stream.conn.send_close_notify();
        let _ = stream.flush();
        Ok(ServerSummary {
            delegation,
            tls,
            rdp_cookie,
            selected_protocol,
        })
    }
}
