//! The CredSSP server ([MS-CSSP] 3.1.5, server side of steps 2, 4 and 5).

use core::fmt;

use asn1_types::{NtStatus, TsRequestRef};
use spnego::{MechStep, Mechanism, PeerIdentity};

use crate::common::{
    self, DEFAULT_MIN_VERSION, MAX_SUPPORTED_VERSION, check_versions, has_error_code,
    track_peer_version,
};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::public_key::ServerPublicKey;

/// How a [`CredSspServer`] behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerConfig {
    /// The version we send in every TSRequest (2 to 6; default 6).
    pub version: u32,
    /// The lowest client version accepted (default 5, [MS-CSSP-Diff] 5.1).
    pub min_version: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            version: MAX_SUPPORTED_VERSION,
            min_version: DEFAULT_MIN_VERSION,
        }
    }
}

/// Where a [`CredSspServer`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    /// Exchanging negoTokens.
    Negotiating,
    /// pubKeyAuth answered; waiting for authInfo.
    AwaitingCredentials,
    /// Credentials delivered.
    Finished,
    /// Failed; the connection should be closed.
    Failed,
}

/// The result of a successful exchange.
#[derive(Debug)]
pub struct Delegation {
    /// The delegated credentials.
    pub credentials: Credentials,
    /// Who authenticated, as the mechanism reports it.
    pub peer: Option<PeerIdentity>,
    /// The negotiated CredSSP version.
    pub version: u32,
}

/// What one [`CredSspServer::step`] produced.
#[derive(Debug)]
#[must_use]
pub enum ServerOutput {
    /// Send these bytes (one DER TSRequest), then call `step` with the
    /// client's next TSRequest.
    Send(Vec<u8>),
    /// The client delegated these credentials; the exchange is over.
    Finished(Box<Delegation>),
    /// The exchange failed. Send `reply` if there is one (a TSRequest with
    /// `errorCode`, at versions 3, 4 and 6), then close the connection.
    Failed {
        /// The errorCode TSRequest to send before closing, if any.
        reply: Option<Vec<u8>>,
        /// Why.
        error: Error,
    },
}

/// A sans-IO CredSSP server.
pub struct CredSspServer {
    config: ServerConfig,
    mech: Box<dyn Mechanism + Send>,
    server_key: ServerPublicKey,
    state: ServerState,
    peer_version: Option<u32>,
    negotiated: Option<u32>,
}

impl fmt::Debug for CredSspServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredSspServer")
            .field("config", &self.config)
            .field("mech", &self.mech)
            .field("server_key", &self.server_key)
            .field("state", &self.state)
            .field("negotiated", &self.negotiated)
            .finish()
    }
}

/// A failure and whether to answer it with `errorCode`.
struct Failure {
    error: Error,
    status: Option<NtStatus>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self {
            error,
            status: None,
        }
    }
}

impl CredSspServer {
    /// A server whose TLS key is `server_key`, authenticating clients with
    /// `mech` (an NTLM, SPNEGO or negotiate acceptor).
    pub fn new(
        config: ServerConfig,
        mech: Box<dyn Mechanism + Send>,
        server_key: ServerPublicKey,
    ) -> Result<Self, Error> {
        check_versions(config.version, config.min_version)?;
        Ok(Self {
            config,
            mech,
            server_key,
            state: ServerState::Negotiating,
            peer_version: None,
            negotiated: None,
        })
    }

    /// Where the exchange is.
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// The negotiated version (min of both), once the client has spoken.
    pub fn negotiated_version(&self) -> Option<u32> {
        self.negotiated
    }

    /// The mechanism, e.g. for its session after the exchange.
    pub fn mechanism(&self) -> &(dyn Mechanism + Send) {
        self.mech.as_ref()
    }

    /// Advances the exchange with one whole TSRequest from the client.
    pub fn step(&mut self, input: &[u8]) -> ServerOutput {
        let result = match self.state {
            ServerState::Negotiating => self.negotiate(input),
            ServerState::AwaitingCredentials => self.credentials(input),
            ServerState::Finished | ServerState::Failed => {
                Err(Error::usage("the exchange is over").into())
            }
        };
        match result {
            Ok(out) => out,
            Err(Failure { error, status }) => {
                self.state = ServerState::Failed;
                let reply = status.and_then(|s| common::error_request(self.config.version, s).ok());
                ServerOutput::Failed { reply, error }
            }
        }
    }

    fn receive<'a>(&mut self, bytes: &'a [u8]) -> Result<TsRequestRef<'a>, Failure> {
        let req = common::decode(bytes)?;
        if let Some(status) = req.error_code {
            return Err(Error::new(
                ErrorKind::PeerErrorCode(status),
                Some("errorCode"),
                "[MS-CSSP] 2.2.1",
            )
            .into());
        }
        let first = self.peer_version.is_none();
        match track_peer_version(
            &mut self.peer_version,
            req.version,
            self.config.version,
            self.config.min_version,
        ) {
            Ok(v) => self.negotiated = Some(v),
            Err(error) => {
                // "The server SHOULD set the errorCode to STATUS_NOT_SUPPORTED
                // if the server does not support the requested version."
                let status = (first
                    && matches!(error.kind, ErrorKind::VersionTooLow { .. })
                    && has_error_code(req.version))
                .then_some(NtStatus::STATUS_NOT_SUPPORTED);
                return Err(Failure { error, status });
            }
        }
        Ok(req)
    }

    fn negotiate(&mut self, bytes: &[u8]) -> Result<ServerOutput, Failure> {
        let req = self.receive(bytes)?;
        if req.auth_info.is_some() {
            return Err(Error::unexpected("authInfo", "[MS-CSSP] 3.1.5 step 2").into());
        }
        let token = common::single_token(&req)?
            .ok_or_else(|| Error::missing("negoTokens", "[MS-CSSP] 3.1.5 step 2"))?;
        let negotiated = self.negotiated.unwrap_or(self.config.version);
        let step = self.mech.step(Some(token)).map_err(|e| {
            let error = Error::mech(e, "negoTokens");
            // errorCode exists at negotiated versions 3, 4 and 6.
            let status = has_error_code(negotiated).then(|| error.to_ntstatus());
            Failure { error, status }
        })?;
        let mut out = TsRequestRef::new(self.config.version);
        match step {
            MechStep::Continue(token) => {
                if req.pub_key_auth.is_some() {
                    return Err(Error::invalid(
                        "pubKeyAuth",
                        "[MS-CSSP] 3.1.5 step 3",
                        "pubKeyAuth came before the client's last token",
                    )
                    .into());
                }
                common::with_token(&mut out, &token)?;
                Ok(ServerOutput::Send(common::encode(&out)?))
            }
            MechStep::Complete(token) => {
                let sealed = req
                    .pub_key_auth
                    .ok_or_else(|| Error::missing("pubKeyAuth", "[MS-CSSP] 3.1.5 step 3"))?;
                // v5+: the nonce from this request; pre-v5 does not use one.
                let nonce = if negotiated >= 5 {
                    common::nonce_of(&req)?
                } else {
                    crypto_primitives::SecretArray::new([0; 32])
                };
                let got = self
                    .mech
                    .unwrap(sealed.as_bytes())
                    .map_err(|e| Error::mech(e, "pubKeyAuth"))?;
                let spk = self.server_key.subject_public_key();
                let want = common::client_binding(negotiated, spk, &nonce);
                if !crypto_primitives::ct_eq_bytes(got.expose_secret(), &want) {
                    return Err(Error::new(
                        ErrorKind::PublicKeyMismatch,
                        Some("pubKeyAuth"),
                        "[MS-CSSP] 3.1.5 step 4",
                    )
                    .into());
                }
                if let Some(token) = &token {
                    common::with_token(&mut out, token)?;
                }
                let reply = common::server_binding(negotiated, spk, &nonce);
                let sealed = self
                    .mech
                    .wrap(&reply)
                    .map_err(|e| Error::mech(e, "pubKeyAuth"))?;
                out.pub_key_auth = Some(common::octets(&sealed, "pubKeyAuth")?);
                self.state = ServerState::AwaitingCredentials;
                Ok(ServerOutput::Send(common::encode(&out)?))
            }
        }
    }

    fn credentials(&mut self, bytes: &[u8]) -> Result<ServerOutput, Failure> {
        let req = self.receive(bytes)?;
        if req.nego_tokens.is_some() {
            return Err(Error::unexpected("negoTokens", "[MS-CSSP] 3.1.5 step 5").into());
        }
        if req.pub_key_auth.is_some() {
            return Err(Error::unexpected("pubKeyAuth", "[MS-CSSP] 3.1.5 step 5").into());
        }
        let sealed = req
            .auth_info
            .ok_or_else(|| Error::missing("authInfo", "[MS-CSSP] 3.1.5 step 5"))?;
        let plain = self
            .mech
            .unwrap(sealed.as_bytes())
            .map_err(|e| Error::mech(e, "authInfo"))?;
        let credentials = Credentials::from_der(plain.expose_secret())?;
        self.state = ServerState::Finished;
        Ok(ServerOutput::Finished(Box::new(Delegation {
            credentials,
            peer: self.mech.peer_identity(),
            version: self.negotiated.unwrap_or(self.config.version),
        })))
    }
}
