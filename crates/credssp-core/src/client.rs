//! The CredSSP client ([MS-CSSP] 3.1.5, client side of steps 2, 3 and 5).

use core::fmt;

use asn1_types::TsRequestRef;
use crypto_primitives::SecretArray;
use crypto_primitives::credssp::CREDSSP_NONCE_LEN;
use rand_core::CryptoRng;
use spnego::{MechStep, Mechanism};
use zeroize::Zeroize;

use crate::common::{
    self, DEFAULT_MIN_VERSION, MAX_SUPPORTED_VERSION, SEQ, check_versions, track_peer_version,
};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::policy::SpnAllowList;
use crate::public_key::ServerPublicKey;

/// How a [`CredSspClient`] behaves.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The version we send in every TSRequest (2 to 6; default 6).
    pub version: u32,
    /// The lowest server version accepted (default 5, [MS-CSSP-Diff] 5.1).
    pub min_version: u32,
    /// The target's SPN, e.g. `TERMSRV/rdp.example.com`.
    pub target_spn: String,
    /// Where credentials may go ([MS-CSSP] 3.1.1).
    pub delegation: SpnAllowList,
}

impl ClientConfig {
    /// Version 6, minimum 5, delegating to `target_spn` if `delegation`
    /// allows it.
    pub fn new(target_spn: &str, delegation: SpnAllowList) -> Self {
        Self {
            version: MAX_SUPPORTED_VERSION,
            min_version: DEFAULT_MIN_VERSION,
            target_spn: target_spn.to_owned(),
            delegation,
        }
    }
}

/// Where a [`CredSspClient`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientState {
    /// Nothing sent yet: call `step(None)`.
    Start,
    /// Exchanging negoTokens.
    Negotiating,
    /// pubKeyAuth sent; waiting for the server's.
    AwaitingServerBinding,
    /// authInfo produced; the exchange is over.
    Finished,
    /// Failed; the connection should be closed.
    Failed,
}

/// What one [`CredSspClient::step`] produced.
#[derive(Debug)]
#[must_use]
pub enum ClientOutput {
    /// Send these bytes (one DER TSRequest), then call `step` with the
    /// server's next TSRequest ([`crate::frame_len`] frames it).
    Send(Vec<u8>),
    /// Send these bytes (the TSRequest with `authInfo`): credentials are
    /// delegated and the exchange is over.
    Finished(Vec<u8>),
    /// The exchange failed: close the connection. Nothing is sent.
    Failed(Error),
}

/// A sans-IO CredSSP client.
pub struct CredSspClient {
    config: ClientConfig,
    mech: Box<dyn Mechanism + Send>,
    server_key: ServerPublicKey,
    nonce: SecretArray<CREDSSP_NONCE_LEN>,
    credentials: Option<Credentials>,
    state: ClientState,
    peer_version: Option<u32>,
    negotiated: Option<u32>,
}

impl fmt::Debug for CredSspClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredSspClient")
            .field("config", &self.config)
            .field("mech", &self.mech)
            .field("server_key", &self.server_key)
            .field("nonce", &self.nonce)
            .field("credentials", &self.credentials)
            .field("state", &self.state)
            .field("negotiated", &self.negotiated)
            .finish()
    }
}

impl CredSspClient {
    /// A client that will delegate `credentials` to the server whose TLS
    /// key is `server_key`, authenticating with `mech` (an NTLM or SPNEGO
    /// initiator). The 32-byte clientNonce is drawn from `rng`.
    pub fn new<R: CryptoRng + ?Sized>(
        config: ClientConfig,
        credentials: Credentials,
        mech: Box<dyn Mechanism + Send>,
        server_key: ServerPublicKey,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let mut nonce = [0u8; CREDSSP_NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let client = Self::with_nonce(config, credentials, mech, server_key, nonce);
        nonce.zeroize();
        client
    }

    /// Like [`CredSspClient::new`] with an explicit clientNonce (tests,
    /// replays).
    pub fn with_nonce(
        config: ClientConfig,
        credentials: Credentials,
        mech: Box<dyn Mechanism + Send>,
        server_key: ServerPublicKey,
        nonce: [u8; CREDSSP_NONCE_LEN],
    ) -> Result<Self, Error> {
        check_versions(config.version, config.min_version)?;
        let client = Self {
            config,
            mech,
            server_key,
            nonce: SecretArray::new(nonce),
            credentials: Some(credentials),
            state: ClientState::Start,
            peer_version: None,
            negotiated: None,
        };
        client.check_delegation()?;
        Ok(client)
    }

    /// Where the exchange is.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// The negotiated version (min of both), once the server has answered.
    pub fn negotiated_version(&self) -> Option<u32> {
        self.negotiated
    }

    /// The mechanism, e.g. to use its session after the exchange.
    pub fn mechanism(&self) -> &(dyn Mechanism + Send) {
        self.mech.as_ref()
    }

    /// Advances the exchange: `None` for the first call, then each
    /// TSRequest the server sent, whole.
    pub fn step(&mut self, input: Option<&[u8]>) -> ClientOutput {
        let result = match (self.state, input) {
            (ClientState::Start, None) => self.start(),
            (ClientState::Start, Some(_)) => Err(Error::usage("the first step takes no input")),
            (ClientState::Negotiating | ClientState::AwaitingServerBinding, None) => {
                Err(Error::usage("this step needs the server's TSRequest"))
            }
            (ClientState::Negotiating, Some(bytes)) => self.negotiate(bytes),
            (ClientState::AwaitingServerBinding, Some(bytes)) => self.finish(bytes),
            (ClientState::Finished | ClientState::Failed, _) => {
                Err(Error::usage("the exchange is over"))
            }
        };
        match result {
            Ok(out) => out,
            Err(e) => {
                self.state = ClientState::Failed;
                self.credentials = None;
                ClientOutput::Failed(e)
            }
        }
    }

    fn check_delegation(&self) -> Result<(), Error> {
        if self.config.delegation.allows(&self.config.target_spn) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::DelegationRefused {
                    target: self.config.target_spn.clone(),
                },
                None,
                "[MS-CSSP] 3.1.1",
            ))
        }
    }

    fn start(&mut self) -> Result<ClientOutput, Error> {
        let step = self
            .mech
            .step(None)
            .map_err(|e| Error::mech(e, "negoTokens"))?;
        self.state = ClientState::Negotiating;
        match step {
            MechStep::Continue(token) => {
                let mut req = TsRequestRef::new(self.config.version);
                common::with_token(&mut req, &token)?;
                Ok(ClientOutput::Send(common::encode(&req)?))
            }
            MechStep::Complete(_) => Err(Error::new(
                ErrorKind::Usage("the mechanism completed before any server token"),
                Some("negoTokens"),
                SEQ,
            )),
        }
    }

    /// Checks errorCode and version on every server message.
    fn receive<'a>(&mut self, bytes: &'a [u8]) -> Result<TsRequestRef<'a>, Error> {
        let req = common::decode(bytes)?;
        if let Some(status) = req.error_code {
            return Err(Error::new(
                ErrorKind::PeerErrorCode(status),
                Some("errorCode"),
                "[MS-CSSP] 3.1.5 step 2",
            ));
        }
        let negotiated = track_peer_version(
            &mut self.peer_version,
            req.version,
            self.config.version,
            self.config.min_version,
        )?;
        self.negotiated = Some(negotiated);
        if req.auth_info.is_some() {
            return Err(Error::unexpected("authInfo", SEQ));
        }
        Ok(req)
    }

    fn negotiate(&mut self, bytes: &[u8]) -> Result<ClientOutput, Error> {
        let req = self.receive(bytes)?;
        if req.pub_key_auth.is_some() {
            return Err(Error::unexpected("pubKeyAuth", "[MS-CSSP] 3.1.5 step 2"));
        }
        let token = common::single_token(&req)?
            .ok_or_else(|| Error::missing("negoTokens", "[MS-CSSP] 3.1.5 step 2"))?;
        let step = self
            .mech
            .step(Some(token))
            .map_err(|e| Error::mech(e, "negoTokens"))?;
        // The token and pubKeyAuth to send (owned here, borrowed by `out`).
        let (token, bind) = match step {
            MechStep::Continue(token) => {
                // Bind as soon as the mechanism can seal: a SPNEGO initiator
                // sends its last token before it is complete (GSS prot_ready).
                let bind = if self.mech.protection_ready() {
                    Some(self.bind()?)
                } else {
                    None
                };
                (Some(token), bind)
            }
            MechStep::Complete(token) => (token, Some(self.bind()?)),
        };
        let mut out = TsRequestRef::new(self.config.version);
        if let Some(token) = &token {
            common::with_token(&mut out, token)?;
        }
        if let Some(pub_key_auth) = &bind {
            out.pub_key_auth = Some(common::octets(pub_key_auth, "pubKeyAuth")?);
            if self.negotiated.unwrap_or(0) >= 5 {
                out.client_nonce = Some(common::octets(self.nonce.expose_secret(), "clientNonce")?);
            }
            self.state = ClientState::AwaitingServerBinding;
        }
        Ok(ClientOutput::Send(common::encode(&out)?))
    }

    fn bind(&mut self) -> Result<Vec<u8>, Error> {
        let version = self.negotiated.unwrap_or(self.config.version);
        let plain =
            common::client_binding(version, self.server_key.subject_public_key(), &self.nonce);
        self.mech
            .wrap(&plain)
            .map_err(|e| Error::mech(e, "pubKeyAuth"))
    }

    fn finish(&mut self, bytes: &[u8]) -> Result<ClientOutput, Error> {
        let req = self.receive(bytes)?;
        if let Some(token) = common::single_token(&req)? {
            match self
                .mech
                .step(Some(token))
                .map_err(|e| Error::mech(e, "negoTokens"))?
            {
                MechStep::Complete(None) => {}
                MechStep::Complete(Some(_)) | MechStep::Continue(_) => {
                    return Err(Error::invalid(
                        "negoTokens",
                        "[MS-CSSP] 3.1.5 step 4",
                        "the server's last token asks for another round after pubKeyAuth",
                    ));
                }
            }
        }
        if !self.mech.is_complete() {
            return Err(Error::invalid(
                "negoTokens",
                "[MS-CSSP] 3.1.5 step 4",
                "the security mechanism is not complete at the server's pubKeyAuth",
            ));
        }
        let sealed = req
            .pub_key_auth
            .ok_or_else(|| Error::missing("pubKeyAuth", "[MS-CSSP] 3.1.5 step 4"))?;
        let got = self
            .mech
            .unwrap(sealed.as_bytes())
            .map_err(|e| Error::mech(e, "pubKeyAuth"))?;
        let version = self.negotiated.unwrap_or(self.config.version);
        let want =
            common::server_binding(version, self.server_key.subject_public_key(), &self.nonce);
        if !crypto_primitives::ct_eq_bytes(got.expose_secret(), &want) {
            return Err(Error::new(
                ErrorKind::PublicKeyMismatch,
                Some("pubKeyAuth"),
                "[MS-CSSP] 3.1.5 step 5",
            ));
        }

        // Step 5: the policy again, right before the credentials are sealed.
        self.check_delegation()?;
        let credentials = self
            .credentials
            .take()
            .ok_or_else(|| Error::usage("credentials already delegated"))?;
        let plain = credentials.to_der()?;
        drop(credentials);
        let sealed = self
            .mech
            .wrap(plain.expose_secret())
            .map_err(|e| Error::mech(e, "authInfo"))?;
        let mut out = TsRequestRef::new(self.config.version);
        out.auth_info = Some(common::octets(&sealed, "authInfo")?);
        self.state = ClientState::Finished;
        Ok(ClientOutput::Finished(common::encode(&out)?))
    }
}
