//! Async (tokio + tokio-rustls) drivers; the same exchange as
//! [`crate::blocking`]. Wrap the futures in `tokio::time::timeout`.

use std::sync::Arc;

use credssp_core::{ClientOutput, CredSspClient, CredSspServer, ServerOutput, ServerPublicKey};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::blocking::{Acceptor, check_confirm};
use crate::rdp::{self, ConnectionConfirm, PROTOCOL_HYBRID_EX};
use crate::tls::fingerprint;
use crate::{
    ClientSetup, ClientSummary, Error, Framer, RdpClient, ServerSummary, describe_tls, u32_le,
};

async fn fill<S: AsyncRead + Unpin>(
    stream: &mut S,
    framer: &mut Framer,
    waiting_for: &'static str,
) -> Result<(), Error> {
    let mut chunk = [0u8; 8192];
    let n = stream
        .read(&mut chunk)
        .await
        .map_err(Error::io(waiting_for))?;
    if n == 0 {
        return Err(Error::Closed { waiting_for });
    }
    framer.extend(&chunk[..n]);
    Ok(())
}

async fn read_frame<S: AsyncRead + Unpin>(
    stream: &mut S,
    framer: &mut Framer,
    waiting_for: &'static str,
) -> Result<Vec<u8>, Error> {
    loop {
        if let Some(frame) = framer.take()? {
            return Ok(frame);
        }
        fill(stream, framer, waiting_for).await?;
    }
}

async fn write_all<S: AsyncWrite + Unpin>(
    stream: &mut S,
    bytes: &[u8],
    context: &'static str,
) -> Result<(), Error> {
    stream.write_all(bytes).await.map_err(Error::io(context))?;
    stream.flush().await.map_err(Error::io(context))
}

/// Async [`crate::blocking::connect`].
pub async fn connect(
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
        write_all(&mut tcp, &rdp.request.encode(), "sending the X.224 PDU").await?;
        let cc = ConnectionConfirm::decode(&rdp::read_tpkt_async(&mut tcp).await?)?;
        selected_protocol = Some(check_confirm(cc)?);
    }
    let name = ServerName::try_from(server_name.to_owned())
        .map_err(|e| Error::Config(format!("server name {server_name:?}: {e}")))?;
    let mut stream = TlsConnector::from(tls)
        .connect(name, tcp)
        .await
        .map_err(Error::io("the TLS handshake"))?;
    let (cert, tls_desc) = {
        let conn = stream.get_ref().1;
        let cert = conn
            .peer_certificates()
            .and_then(|c| c.first())
            .ok_or_else(|| Error::Config("the server sent no certificate".into()))?
            .clone();
        let desc = describe_tls(conn.protocol_version(), conn.negotiated_cipher_suite());
        (cert, desc)
    };
    let key = ServerPublicKey::from_certificate_der(&cert)?;
    let mut rng = crate::mech::os_rng()?;
    let mut client = CredSspClient::new(
        setup.config,
        setup.credentials,
        setup.mechanism,
        key,
        &mut rng,
    )?;
    let mut framer = Framer::default();
    let mut out = client.step(None);
    loop {
        match out {
            ClientOutput::Send(bytes) => {
                write_all(&mut stream, &bytes, "sending a TSRequest").await?;
                let reply = read_frame(&mut stream, &mut framer, "the CredSSP exchange").await?;
                out = client.step(Some(&reply));
            }
            ClientOutput::Finished(bytes) => {
                write_all(&mut stream, &bytes, "sending a TSRequest").await?;
                break;
            }
            ClientOutput::Failed(e) => return Err(e.into()),
        }
    }
    let mut early_user_authorization = None;
    if selected_protocol == Some(PROTOCOL_HYBRID_EX) {
        let waiting = "the Early User Authorization Result";
        let result = loop {
            if let Some(b) = framer.take_raw(4) {
                break b;
            }
            fill(&mut stream, &mut framer, waiting).await?;
        };
        early_user_authorization = Some(u32_le(&result));
    }
    let _ = stream.shutdown().await;
    Ok(ClientSummary {
        version: client.negotiated_version(),
        tls: tls_desc,
        server_cert_sha256: fingerprint(&cert),
        selected_protocol,
        early_user_authorization,
    })
}

impl Acceptor {
    /// Async [`Acceptor::accept`].
    pub async fn accept_async(
        &self,
        mut tcp: TcpStream,
        mechanism: spnego::BoxedMechanism,
    ) -> Result<ServerSummary, Error> {
        let _ = tcp.set_nodelay(true);
        let mut rdp_cookie = None;
        let mut selected_protocol = None;
        if self.rdp.is_some() {
            let cr = rdp::read_tpkt_async(&mut tcp).await?;
            let (cc, cookie) = self.select(&cr)?;
            rdp_cookie = cookie;
            write_all(&mut tcp, &cc.encode(), "sending the X.224 PDU").await?;
            selected_protocol = Some(check_confirm(cc)?);
        }
        let mut server = CredSspServer::new(self.config, mechanism, self.key.clone())?;
        let mut stream = TlsAcceptor::from(self.tls.clone())
            .accept(tcp)
            .await
            .map_err(Error::io("the TLS handshake"))?;
        let tls = {
            let conn = stream.get_ref().1;
            describe_tls(conn.protocol_version(), conn.negotiated_cipher_suite())
        };
        let mut framer = Framer::default();
        let delegation = loop {
            let msg = read_frame(&mut stream, &mut framer, "the CredSSP exchange").await?;
            match server.step(&msg) {
                ServerOutput::Send(reply) => {
                    write_all(&mut stream, &reply, "sending a TSRequest").await?;
                }
                ServerOutput::Finished(d) => break d,
                ServerOutput::Failed { reply, error } => {
                    if let Some(reply) = reply {
                        let _ = write_all(&mut stream, &reply, "sending the errorCode").await;
                    }
                    let _ = stream.shutdown().await;
                    return Err(error.into());
                }
            }
        };
        if selected_protocol == Some(PROTOCOL_HYBRID_EX) {
            let result = rdp::AUTHZ_SUCCESS.to_le_bytes();
            write_all(&mut stream, &result, "sending the authorization result").await?;
        }
        let _ = stream.shutdown().await;
        Ok(ServerSummary {
            delegation,
            tls,
            rdp_cookie,
            selected_protocol,
        })
    }
}
