//! The relay-server engine of [MS-GRVSSTPS] 3.3: one sans-IO state machine
//! per SSTP connection.
//!
//! Feed it every command the client sends ([`RelayEngine::handle`] with the
//! bytes of one command, or [`RelayEngine::handle_command`] with a parsed
//! one) together with a [`RelayIo`] (the relay's identity, its store, a
//! random generator and the current time); it returns the commands to send,
//! in order, and what happened. Peer misbehaviour never yields `Err`: it is
//! answered exactly as 3.3.5 prescribes and reported as
//! [`RelayEvent::Rejected`]. `Err` means the store failed or an internal
//! encoding failed; the adapter should then drop the connection.
//!
//! Authentication state lives in the engine, so it lasts exactly as long as
//! the connection (1.3: "A successful authentication is valid only for the
//! duration of the current SSTP connection"); nothing is shared between
//! engines except the store.
//!
//! # Normative rules and the shipped Groove Server behaviour
//!
//! By default the engine follows the specification's normative text. The
//! product notes <10>–<13> describe what Office Groove Server 2007 and
//! Groove Server 2010 do instead; each is a switch in [`GrooveServerCompat`]
//! ([`RelayOptions::groove_server`] turns them all on):
//!
//! | note | default (normative) | with the switch |
//! |---|---|---|
//! | <10> 3.3.5 | a second SecConnectAuthenticate is out of order: ConnectClose ProtocolError | a duplicate that validates is accepted silently |
//! | <11> 3.3.5.1 | malformed SecConnect: ConnectResponse AuthenticationFailed + SecConnectResponseAuthenticationFailed | ConnectResponse Ok + SecConnectResponseDeviceRegistrationNeeded |
//! | <12> 3.3.5.4 | the device nonce of SecAttachAuthenticate is always checked | checked only if a SecDeviceAccountRegisterResponse was sent on this connection |
//! | <13> 3.3.5.5 | unparseable SecDeviceAccountRegister: Close ProtocolError | the Register command is ignored |
//!
//! # Choices where the specification is silent
//!
//! * ResponseId of the AttachResponse carrying
//!   SecAttachResponseAccountRegistrationNeeded: 3.3.5.3 step 3 says Ok,
//!   the §4.1.4 trace shows AwaitingRegister (0x03). Default Ok;
//!   [`RelayOptions::account_registration_needed_response_id`].
//! * AttachRejected and AccountUnknown have no published numbers; see
//!   [`AttachResponseId::ATTACH_REJECTED`] and
//!   [`AttachResponseId::ACCOUNT_UNKNOWN`] (INFERRED, in `sstp-wire`).
//! * Close reasons the text leaves open (an unparseable
//!   SecDeviceAccountRegister, an out-of-order AttachAuthenticate): ProtocolError.
//! * After a successful SecAttachAuthenticate the relay closes the Attach
//!   session with Close NoReason (§4.1.9 trace); that Close is how the client
//!   learns that its account is authenticated.
//! * Any command before Connect, or a second Connect: ConnectClose
//!   ProtocolError (3.3.5.1: Connect "MUST be the first command"). An
//!   Attach reusing a live EventId: ConnectClose TooManyUnknownSessionCmds
//!   ([MS-GRVSSTP] 3.3.5.14, reference §3.5).
//! * SecIdentityRegister is accepted only for an account authenticated on
//!   this connection (3.3.5.6: "an authenticated account"; 3.3.5 lets the
//!   relay treat out-of-order messages as violations), and its RelayURL
//!   must be this relay's. Otherwise Close ProtocolError, as for a bad HMAC.
//! * A Register whose EventId names an Attach session of another account, or
//!   one already past registration: Close ProtocolError.

use std::collections::{BTreeMap, BTreeSet};

use crypto_primitives::secret::ct_eq_bytes;
use rand_core::CryptoRng;
use sstp_wire::consts::SEC_IDENTITY_REGISTER;
use sstp_wire::{
    AccountLayerMessage, AnsiStr, AttachResponseId, Carrier, CloseReason, Command,
    ConnectResponseId, DecodeOptions, MinorVersion, SecAccountRegister, SecAccountRegisterResponse,
    SecAttachResponse, SecAttachResponseAccountRegistrationNeeded,
    SecAttachResponseAuthenticationFailed, SecAttachResponseNewDeviceRegistrationNeeded,
    SecConnectResponse, SecConnectResponseAuthenticationFailed,
    SecConnectResponseDeviceRegistrationNeeded, SecDeviceAccountRegister,
    SecDeviceAccountRegisterResponse, SecIdentityRegister, SecurityToken,
};

use crate::cert::RelayIdentity;
use crate::cmd;
use crate::error::Error;
use crate::keys::{SecretKey, SecretNonce, elgamal_plaintext_to_key, validate_public_keys_object};
use crate::proto::{
    EncryptedNonce, EngineOutput, field_refs, fields, fresh_encrypted_nonce, mac, mac_ok, marc4,
    nonce_eq,
};
use crate::store::{
    AccountRegistration, CommitOutcome, DeviceRegistration, Registration, RelayStore,
};

/// Switches for the Groove Server product behaviour (notes <10>–<13>).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GrooveServerCompat {
    /// <10>: accept a valid duplicate SecConnectAuthenticate at any time.
    pub duplicate_connect_authenticate: bool,
    /// <11>: answer a malformed SecConnect with Ok + DeviceRegistrationNeeded.
    pub malformed_connect_needs_registration: bool,
    /// <12>: check the SecAttachAuthenticate device nonce only after a
    /// SecDeviceAccountRegisterResponse on this connection.
    pub device_nonce_only_after_registration: bool,
    /// <13>: ignore a Register whose SecDeviceAccountRegister cannot be parsed.
    pub ignore_malformed_register: bool,
}

/// Relay engine settings.
#[derive(Debug, Clone)]
pub struct RelayOptions {
    /// Product-note behaviour; all off by default.
    pub compat: GrooveServerCompat,
    /// ResponseId sent with SecAttachResponseAccountRegistrationNeeded.
    pub account_registration_needed_response_id: AttachResponseId,
    /// Minor version of the security messages the relay sends (note <1>:
    /// Groove relays always send 4).
    pub minor_version: MinorVersion,
    /// SSTP minor version in ConnectResponse.
    pub sstp_minor_version: u8,
    /// PeerProductVersion in ConnectResponse.
    pub product_version: String,
}

impl Default for RelayOptions {
    fn default() -> Self {
        Self {
            compat: GrooveServerCompat::default(),
            account_registration_needed_response_id: AttachResponseId::Ok,
            minor_version: MinorVersion::V4,
            sstp_minor_version: 5,
            product_version: String::from("sstp-security-core relay"),
        }
    }
}

impl RelayOptions {
    /// What Groove Server 2007/2010 do: notes <10>–<13> on, and the §4.1.4
    /// AwaitingRegister ResponseId with AccountRegistrationNeeded.
    pub fn groove_server() -> Self {
        Self {
            compat: GrooveServerCompat {
                duplicate_connect_authenticate: true,
                malformed_connect_needs_registration: true,
                device_nonce_only_after_registration: true,
                ignore_malformed_register: true,
            },
            account_registration_needed_response_id: AttachResponseId::AwaitingRegister,
            ..Self::default()
        }
    }
}

/// Where the connection is, device-wise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayState {
    /// Nothing received yet; Connect must come first.
    AwaitingConnect,
    /// Connected; the device is not (yet) authenticated.
    Connected,
    /// SecConnectResponse sent; waiting for SecConnectAuthenticate.
    DeviceChallenged,
    /// The device is authenticated on this connection.
    DeviceAuthenticated,
    /// The connection is closed (ConnectClose sent or received).
    Closed,
}

/// Something the relay engine did or saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayEvent {
    /// The device proved knowledge of its key on this connection.
    DeviceAuthenticated {
        /// Its URL.
        device_url: String,
    },
    /// An account is authenticated on this connection (3.3.5.4).
    AccountAuthenticated {
        /// Its URL.
        account_url: String,
    },
    /// A SecDeviceAccountRegister was verified and committed.
    Registered {
        /// The device URL.
        device_url: String,
        /// The account URL.
        account_url: String,
        /// Whether it was an account-on-new-device registration (3.3.5.5.2).
        on_new_device: bool,
    },
    /// A SecIdentityRegister was applied.
    IdentitiesUpdated {
        /// The account URL.
        account_url: String,
        /// Identities added.
        added: Vec<String>,
        /// Identities removed.
        removed: Vec<String>,
    },
    /// A client message was refused; the response is in the output.
    Rejected {
        /// The section whose rule applied.
        section: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The client closed the connection (ConnectClose).
    PeerClosedConnection {
        /// Its reason.
        reason: CloseReason,
    },
}

/// What one call produced.
pub type RelayOutput = EngineOutput<RelayEvent>;

/// What the engine needs from its environment for one call.
#[derive(Debug)]
pub struct RelayIo<'a, S: ?Sized, R: ?Sized> {
    /// The relay's certificate and private keys.
    pub identity: &'a RelayIdentity,
    /// The record store.
    pub store: &'a mut S,
    /// Randomness for nonces and IVs.
    pub rng: &'a mut R,
    /// Now, seconds since 1970 (the SecAccountRegisterResponse Timestamp).
    pub now: u32,
}

/// The fields of a SecAttach the relay could not answer yet (registration
/// needed); all of them travelled in clear.
#[derive(Debug)]
struct PendingAttach {
    account_url: String,
    iv: [u8; 24],
    hmac: Vec<u8>,
    encrypted_nonce: [u8; 24],
}

#[derive(Debug)]
enum AttachSession {
    AwaitingRegistration(PendingAttach),
    Challenged {
        account_url: String,
        relay_nonce: SecretNonce,
        /// The relay device nonce of a registration made in this session;
        /// SecAttachAuthenticate must echo it (several accounts may register
        /// on one connection, each getting its own).
        device_nonce: Option<SecretNonce>,
    },
}

/// One connection's relay-side state machine. `Debug` shows no secret.
#[derive(Debug)]
pub struct RelayEngine {
    options: RelayOptions,
    state: RelayState,
    device_url: Option<String>,
    /// Relay nonce of the pending SecConnectResponse.
    connect_nonce: Option<SecretNonce>,
    /// Relay nonce of an answered SecConnectResponse (note <10>).
    answered_connect_nonce: Option<SecretNonce>,
    /// The relay device nonce SecAttachAuthenticate must echo.
    relay_device_nonce: Option<SecretNonce>,
    device_nonce_from_registration: bool,
    sessions: BTreeMap<u32, AttachSession>,
    authenticated_accounts: BTreeSet<String>,
}

const S_FRAMING: &str = "[MS-GRVSSTPS] 3.3.5";
const S_CONNECT: &str = "[MS-GRVSSTPS] 3.3.5.1";
const S_CONNECT_AUTH: &str = "[MS-GRVSSTPS] 3.3.5.2";
const S_ATTACH: &str = "[MS-GRVSSTPS] 3.3.5.3";
const S_ATTACH_AUTH: &str = "[MS-GRVSSTPS] 3.3.5.4";
const S_REGISTER: &str = "[MS-GRVSSTPS] 3.3.5.5";
const S_NEW_ACCOUNT: &str = "[MS-GRVSSTPS] 3.3.5.5.1";
const S_NEW_DEVICE: &str = "[MS-GRVSSTPS] 3.3.5.5.2";
const S_IDENTITY: &str = "[MS-GRVSSTPS] 3.3.5.6";

fn wire_err(e: sstp_wire::Error) -> Error {
    Error::wire(e, S_FRAMING)
}

fn ansi_string(s: AnsiStr<'_>) -> Option<String> {
    s.to_str().map(str::to_owned)
}

/// Why a SecDeviceAccountRegister was refused: the Close reason and text.
struct RegFail(CloseReason, &'static str, &'static str);

fn dev_fail(section: &'static str, why: &'static str) -> RegFail {
    RegFail(CloseReason::DeviceAuthenticationFailed, section, why)
}

fn user_fail(section: &'static str, why: &'static str) -> RegFail {
    RegFail(CloseReason::UserAuthenticationFailed, section, why)
}

impl RelayEngine {
    /// A new engine for a freshly accepted connection.
    pub fn new(options: RelayOptions) -> Self {
        Self {
            options,
            state: RelayState::AwaitingConnect,
            device_url: None,
            connect_nonce: None,
            answered_connect_nonce: None,
            relay_device_nonce: None,
            device_nonce_from_registration: false,
            sessions: BTreeMap::new(),
            authenticated_accounts: BTreeSet::new(),
        }
    }

    /// The connection's state.
    pub fn state(&self) -> RelayState {
        self.state
    }

    /// The device URL from Connect, if any.
    pub fn device_url(&self) -> Option<&str> {
        self.device_url.as_deref()
    }

    /// Whether the device is authenticated on this connection.
    pub fn is_device_authenticated(&self) -> bool {
        self.state == RelayState::DeviceAuthenticated
    }

    /// Whether `account_url` is authenticated on this connection.
    pub fn is_account_authenticated(&self, account_url: &str) -> bool {
        self.authenticated_accounts.contains(account_url)
    }

    /// Handles the bytes of exactly one command (see
    /// [`sstp_wire::frame_len`]). Bytes that are not a command are a
    /// protocol violation: ConnectClose ProtocolError.
    ///
    /// # Errors
    /// The store failed, or encoding a response failed.
    pub fn handle<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        io: &mut RelayIo<'_, S, R>,
        frame: &[u8],
    ) -> Result<RelayOutput, Error> {
        // The §4.1.10 identity registration overruns its token length; the
        // real relay accepted it, so this engine does too.
        let opts = DecodeOptions::STRICT.tolerate_register_token_overrun(true);
        match Command::parse_with(frame, opts) {
            Ok(cmd) => self.handle_command(io, &cmd),
            Err(_) => {
                let mut out = RelayOutput::default();
                if self.state != RelayState::Closed {
                    self.close_connection(
                        &mut out,
                        CloseReason::ProtocolError,
                        S_FRAMING,
                        "a command could not be parsed",
                    )?;
                }
                Ok(out)
            }
        }
    }

    /// Handles one parsed command.
    ///
    /// # Errors
    /// As [`RelayEngine::handle`].
    pub fn handle_command<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        io: &mut RelayIo<'_, S, R>,
        command: &Command<'_>,
    ) -> Result<RelayOutput, Error> {
        let mut out = RelayOutput::default();
        if self.state == RelayState::Closed {
            return Ok(out);
        }
        if self.state == RelayState::AwaitingConnect && !matches!(command, Command::Connect(_)) {
            self.close_connection(
                &mut out,
                CloseReason::ProtocolError,
                S_CONNECT,
                "Connect must be the first command",
            )?;
            return Ok(out);
        }
        match command {
            Command::Connect(c) => self.on_connect(io, &mut out, c)?,
            Command::ConnectAuthenticate(c) => {
                self.on_connect_authenticate(&mut out, c.authentication_token)?;
            }
            Command::Attach(a) => self.on_attach(io, &mut out, a)?,
            Command::AttachAuthenticate(a) => {
                self.on_attach_authenticate(&mut out, a.event_id, a.authentication_token)?;
            }
            Command::Register(r) => {
                self.on_register(io, &mut out, r.event_id, r.registration_token)?
            }
            Command::Close(c) => {
                self.sessions.remove(&c.session_id);
            }
            Command::ConnectClose(c) => {
                self.state = RelayState::Closed;
                out.close_connection = true;
                out.events
                    .push(RelayEvent::PeerClosedConnection { reason: c.reason });
            }
            Command::ConnectResponse(_)
            | Command::AttachResponse(_)
            | Command::RegisterResponse(_) => {
                self.close_connection(
                    &mut out,
                    CloseReason::ProtocolError,
                    S_FRAMING,
                    "a relay-to-client command was received from the client",
                )?;
            }
            // Data-session and keep-alive commands are the SSTP layer's.
            Command::Open(_)
            | Command::OpenResponse(_)
            | Command::Noop(_)
            | Command::Unknown { .. } => {}
            #[allow(unreachable_patterns)]
            _ => {}
        }
        Ok(out)
    }

    fn close_connection(
        &mut self,
        out: &mut RelayOutput,
        reason: CloseReason,
        section: &'static str,
        why: &'static str,
    ) -> Result<(), Error> {
        out.send.push(cmd::connect_close(reason)?);
        out.events.push(RelayEvent::Rejected {
            section,
            reason: why,
        });
        out.close_connection = true;
        self.state = RelayState::Closed;
        self.sessions.clear();
        Ok(())
    }

    fn close_session(
        &mut self,
        out: &mut RelayOutput,
        event_id: u32,
        reason: CloseReason,
        section: &'static str,
        why: &'static str,
    ) -> Result<(), Error> {
        self.sessions.remove(&event_id);
        out.send.push(cmd::close(event_id, reason)?);
        out.events.push(RelayEvent::Rejected {
            section,
            reason: why,
        });
        Ok(())
    }

    fn cr_params<'a>(&'a self, identity: &'a RelayIdentity) -> cmd::ConnectResponseParams<'a> {
        cmd::ConnectResponseParams {
            sstp_minor: self.options.sstp_minor_version,
            relay_url: identity.relay_url(),
            product_version: &self.options.product_version,
        }
    }

    fn connect_reject(
        &mut self,
        io: &RelayIo<'_, impl RelayStore + ?Sized, impl CryptoRng + ?Sized>,
        out: &mut RelayOutput,
        why: &'static str,
    ) -> Result<(), Error> {
        let minor = self.options.minor_version;
        let token = SecConnectResponseAuthenticationFailed {
            minor_version: minor,
        }
        .to_vec()
        .map_err(wire_err)?;
        out.send.push(cmd::connect_response(
            &self.cr_params(io.identity),
            ConnectResponseId::AuthenticationFailed,
            &token,
        )?);
        out.events.push(RelayEvent::Rejected {
            section: S_CONNECT,
            reason: why,
        });
        self.state = RelayState::Connected;
        Ok(())
    }

    fn connect_registration_needed(
        &mut self,
        io: &RelayIo<'_, impl RelayStore + ?Sized, impl CryptoRng + ?Sized>,
        out: &mut RelayOutput,
    ) -> Result<(), Error> {
        let token = SecConnectResponseDeviceRegistrationNeeded {
            minor_version: self.options.minor_version,
        }
        .to_vec()
        .map_err(wire_err)?;
        out.send.push(cmd::connect_response(
            &self.cr_params(io.identity),
            ConnectResponseId::Ok,
            &token,
        )?);
        self.state = RelayState::Connected;
        Ok(())
    }

    /// 3.3.5.1.
    fn on_connect<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        io: &mut RelayIo<'_, S, R>,
        out: &mut RelayOutput,
        c: &sstp_wire::Connect<'_>,
    ) -> Result<(), Error> {
        if self.state != RelayState::AwaitingConnect {
            return self.close_connection(
                out,
                CloseReason::ProtocolError,
                S_CONNECT,
                "a second Connect on one connection",
            );
        }
        // 3.3.3: the device URL comes from the Connect command.
        self.device_url = c.source_device_urls.first().copied().and_then(ansi_string);
        if c.authentication_token.is_empty() {
            // 3.2.4.1: a device that only sends data connects without a
            // token; it stays unauthenticated.
            out.send.push(cmd::connect_response(
                &self.cr_params(io.identity),
                ConnectResponseId::Ok,
                &[],
            )?);
            self.state = RelayState::Connected;
            return Ok(());
        }
        // Steps 1-2.
        let parsed = match SecurityToken::parse(Carrier::Connect, c.authentication_token) {
            Ok(SecurityToken::SecConnect(m)) => Some(m),
            _ => None,
        };
        let (Some(m), Some(device_url)) = (parsed, self.device_url.clone()) else {
            if self.options.compat.malformed_connect_needs_registration {
                out.events.push(RelayEvent::Rejected {
                    section: "[MS-GRVSSTPS] 3.3.5.1 <11>",
                    reason: "malformed SecConnect or missing device URL",
                });
                return self.connect_registration_needed(io, out);
            }
            return self.connect_reject(io, out, "malformed SecConnect or missing device URL");
        };
        // Step 3.
        let record = io
            .store
            .device(&device_url)
            .map_err(|e| Error::store(&e, S_CONNECT))?;
        let Some((device_key, has_accounts)) =
            record.and_then(|r| Some((r.device_key?, !r.account_urls.is_empty())))
        else {
            return self.connect_registration_needed(io, out);
        };
        // Step 4.
        if !has_accounts {
            return self.connect_reject(io, out, "the device record has no account");
        }
        // Steps 5-6.
        let fp = io.identity.fingerprint();
        let verified = marc4(&device_key, m.iv, m.encrypted_device_nonce).filter(|nonce| {
            mac_ok(
                &device_key,
                &fields::sec_connect(device_url.as_bytes(), fp, nonce.expose_secret()),
                m.hmac,
            )
        });
        let Some(device_nonce) = verified else {
            return self.connect_reject(io, out, "SecConnect HMAC verification failed");
        };
        // Success: challenge the client.
        let EncryptedNonce {
            nonce: relay_nonce,
            iv,
            encrypted,
        } = fresh_encrypted_nonce(io.rng, &device_key, S_CONNECT)?;
        let hmac = mac(
            &device_key,
            &fields::sec_connect_response(device_url.as_bytes(), fp, relay_nonce.expose_secret()),
        );
        let token = SecConnectResponse {
            minor_version: self.options.minor_version,
            iv: iv.expose_secret(),
            hmac: &hmac,
            device_nonce: device_nonce.expose_secret(),
            encrypted_relay_nonce: encrypted.expose_secret(),
        }
        .to_vec()
        .map_err(wire_err)?;
        out.send.push(cmd::connect_response(
            &self.cr_params(io.identity),
            ConnectResponseId::Ok,
            &token,
        )?);
        self.relay_device_nonce = Some(relay_nonce.dangerous_clone());
        self.device_nonce_from_registration = false;
        self.connect_nonce = Some(relay_nonce);
        self.state = RelayState::DeviceChallenged;
        Ok(())
    }

    /// 3.3.5.2.
    fn on_connect_authenticate(
        &mut self,
        out: &mut RelayOutput,
        token: &[u8],
    ) -> Result<(), Error> {
        let parsed = match SecurityToken::parse(Carrier::ConnectAuthenticate, token) {
            Ok(SecurityToken::SecConnectAuthenticate(m)) => Some(m),
            _ => None,
        };
        let Some(expected) = self.connect_nonce.take() else {
            // Out of order, unless note <10> allows a valid duplicate.
            if self.options.compat.duplicate_connect_authenticate
                && let Some(answered) = &self.answered_connect_nonce
            {
                if parsed.is_some_and(|m| nonce_eq(answered, m.relay_nonce)) {
                    return Ok(());
                }
                return self.close_connection(
                    out,
                    CloseReason::StaleConnectAuthenticate,
                    "[MS-GRVSSTPS] 3.3.5 <10>",
                    "duplicate SecConnectAuthenticate does not validate",
                );
            }
            return self.close_connection(
                out,
                CloseReason::ProtocolError,
                S_CONNECT_AUTH,
                "SecConnectAuthenticate without a pending SecConnectResponse",
            );
        };
        let Some(m) = parsed else {
            return self.close_connection(
                out,
                CloseReason::StaleConnectAuthenticate,
                S_CONNECT_AUTH,
                "malformed SecConnectAuthenticate",
            );
        };
        if !nonce_eq(&expected, m.relay_nonce) {
            return self.close_connection(
                out,
                CloseReason::StaleConnectAuthenticate,
                S_CONNECT_AUTH,
                "SecConnectAuthenticate relay nonce mismatch",
            );
        }
        self.answered_connect_nonce = Some(expected);
        self.mark_device_authenticated(out);
        Ok(())
    }

    fn mark_device_authenticated(&mut self, out: &mut RelayOutput) {
        if self.state != RelayState::DeviceAuthenticated {
            self.state = RelayState::DeviceAuthenticated;
            out.events.push(RelayEvent::DeviceAuthenticated {
                device_url: self.device_url.clone().unwrap_or_default(),
            });
        }
    }

    fn attach_failed(
        &mut self,
        out: &mut RelayOutput,
        event_id: u32,
        response_id: AttachResponseId,
        section: &'static str,
        why: &'static str,
    ) -> Result<(), Error> {
        self.sessions.remove(&event_id);
        let token = SecAttachResponseAuthenticationFailed {
            minor_version: self.options.minor_version,
        }
        .to_vec()
        .map_err(wire_err)?;
        out.send
            .push(cmd::attach_response(event_id, response_id, &token)?);
        out.events.push(RelayEvent::Rejected {
            section,
            reason: why,
        });
        Ok(())
    }

    /// 3.3.5.3 steps 3–4: answers an Attach whose account must register
    /// (first, or on this device) with `token` and keeps the Attach's
    /// fields for the Register that follows.
    fn await_registration(
        &mut self,
        out: &mut RelayOutput,
        event_id: u32,
        response_id: AttachResponseId,
        token: Result<Vec<u8>, sstp_wire::Error>,
        pending: PendingAttach,
    ) -> Result<(), Error> {
        let token = token.map_err(wire_err)?;
        out.send
            .push(cmd::attach_response(event_id, response_id, &token)?);
        self.sessions
            .insert(event_id, AttachSession::AwaitingRegistration(pending));
        Ok(())
    }

    /// 3.3.5.3.
    fn on_attach<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        io: &mut RelayIo<'_, S, R>,
        out: &mut RelayOutput,
        a: &sstp_wire::Attach<'_>,
    ) -> Result<(), Error> {
        let event_id = a.event_id;
        if self.sessions.contains_key(&event_id) {
            return self.close_connection(
                out,
                CloseReason::TooManyUnknownSessionCmds,
                S_ATTACH,
                "Attach reuses the EventId of a live session",
            );
        }
        // Steps 1-2.
        let parsed = match SecurityToken::parse(Carrier::Attach, a.authentication_token) {
            Ok(SecurityToken::SecAttach(m)) => Some(m),
            _ => None,
        };
        let (Some(m), Some(account_url), Some(device_url)) =
            (parsed, ansi_string(a.account_url), self.device_url.clone())
        else {
            return self.attach_failed(
                out,
                event_id,
                AttachResponseId::ATTACH_REJECTED,
                S_ATTACH,
                "malformed SecAttach, account URL or device URL",
            );
        };
        let pending = PendingAttach {
            account_url: account_url.clone(),
            iv: *m.iv,
            hmac: m.hmac.to_vec(),
            encrypted_nonce: *m.encrypted_account_nonce,
        };
        // Step 3.
        let record = io
            .store
            .account(&account_url)
            .map_err(|e| Error::store(&e, S_ATTACH))?;
        let Some((account_key, on_device)) =
            record.and_then(|r| Some((r.account_key?, r.device_urls.contains(&device_url))))
        else {
            let token = SecAttachResponseAccountRegistrationNeeded {
                minor_version: self.options.minor_version,
            }
            .to_vec();
            let response_id = self.options.account_registration_needed_response_id;
            return self.await_registration(out, event_id, response_id, token, pending);
        };
        // Step 4.
        if !on_device {
            let token = SecAttachResponseNewDeviceRegistrationNeeded {
                minor_version: self.options.minor_version,
            }
            .to_vec();
            let response_id = AttachResponseId::AwaitingRegister;
            return self.await_registration(out, event_id, response_id, token, pending);
        }
        // Steps 5-7.
        self.answer_attach(io, out, event_id, &pending, &account_key, &device_url, None)
    }

    /// 3.3.5.3 steps 5-7 (also the follow-up of 3.3.5.5.1 / 3.3.5.5.2).
    #[allow(clippy::too_many_arguments)]
    fn answer_attach<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        io: &mut RelayIo<'_, S, R>,
        out: &mut RelayOutput,
        event_id: u32,
        pending: &PendingAttach,
        account_key: &SecretKey,
        device_url: &str,
        device_nonce: Option<SecretNonce>,
    ) -> Result<(), Error> {
        let relay_url = io.identity.relay_url().as_bytes();
        let account_url = pending.account_url.as_bytes();
        let verified = marc4(account_key, &pending.iv, &pending.encrypted_nonce).filter(|nonce| {
            mac_ok(
                account_key,
                &fields::sec_attach(
                    account_url,
                    relay_url,
                    device_url.as_bytes(),
                    nonce.expose_secret(),
                ),
                &pending.hmac,
            )
        });
        let Some(account_nonce) = verified else {
            return self.attach_failed(
                out,
                event_id,
                AttachResponseId::ACCOUNT_UNKNOWN,
                S_ATTACH,
                "SecAttach HMAC verification failed",
            );
        };
        let EncryptedNonce {
            nonce: relay_nonce,
            iv,
            encrypted,
        } = fresh_encrypted_nonce(io.rng, account_key, S_ATTACH)?;
        let hmac = mac(
            account_key,
            &fields::sec_attach_response(
                account_url,
                relay_url,
                device_url.as_bytes(),
                relay_nonce.expose_secret(),
            ),
        );
        let token = SecAttachResponse {
            minor_version: self.options.minor_version,
            iv: iv.expose_secret(),
            hmac: &hmac,
            account_nonce: account_nonce.expose_secret(),
            encrypted_relay_nonce: encrypted.expose_secret(),
        }
        .to_vec()
        .map_err(wire_err)?;
        out.send.push(cmd::attach_response(
            event_id,
            AttachResponseId::Ok,
            &token,
        )?);
        self.sessions.insert(
            event_id,
            AttachSession::Challenged {
                account_url: pending.account_url.clone(),
                relay_nonce,
                device_nonce,
            },
        );
        Ok(())
    }

    /// 3.3.5.4.
    fn on_attach_authenticate(
        &mut self,
        out: &mut RelayOutput,
        event_id: u32,
        token: &[u8],
    ) -> Result<(), Error> {
        let Some(AttachSession::Challenged {
            account_url,
            relay_nonce,
            device_nonce,
        }) = self.sessions.remove(&event_id)
        else {
            return self.close_session(
                out,
                event_id,
                CloseReason::ProtocolError,
                S_ATTACH_AUTH,
                "SecAttachAuthenticate without a pending SecAttachResponse",
            );
        };
        let Ok(SecurityToken::SecAttachAuthenticate(m)) =
            SecurityToken::parse(Carrier::AttachAuthenticate, token)
        else {
            return self.close_session(
                out,
                event_id,
                CloseReason::StaleAttachAuthenticate,
                S_ATTACH_AUTH,
                "malformed SecAttachAuthenticate",
            );
        };
        let account_ok = nonce_eq(&relay_nonce, m.relay_account_nonce);
        let check_device = !self.options.compat.device_nonce_only_after_registration
            || self.device_nonce_from_registration;
        let expected_device = device_nonce.as_ref().or(self.relay_device_nonce.as_ref());
        let device_ok = match expected_device {
            Some(n) => nonce_eq(n, m.relay_device_nonce),
            None => false,
        };
        if !(account_ok & (device_ok | !check_device)) {
            return self.attach_failed(
                out,
                event_id,
                AttachResponseId::ATTACH_REJECTED,
                S_ATTACH_AUTH,
                "SecAttachAuthenticate nonce verification failed",
            );
        }
        if check_device && device_ok {
            // The device answered the relay's device challenge (from
            // SecConnectResponse or SecDeviceAccountRegisterResponse).
            self.mark_device_authenticated(out);
        }
        self.authenticated_accounts.insert(account_url.clone());
        out.events
            .push(RelayEvent::AccountAuthenticated { account_url });
        // §4.1.9: the relay closes the Attach session.
        out.send.push(cmd::close(event_id, CloseReason::NoReason)?);
        Ok(())
    }

    /// 3.3.5.5 / 3.3.5.6 dispatch.
    fn on_register<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        io: &mut RelayIo<'_, S, R>,
        out: &mut RelayOutput,
        event_id: u32,
        token: &[u8],
    ) -> Result<(), Error> {
        match SecurityToken::parse(Carrier::Register, token) {
            Ok(SecurityToken::SecDeviceAccountRegister(m)) => {
                self.on_device_account_register(io, out, event_id, &m)
            }
            Ok(SecurityToken::SecIdentityRegister(m)) => {
                self.on_identity_register(io, out, event_id, &m)
            }
            _ if token.get(2) == Some(&SEC_IDENTITY_REGISTER) => self.close_session(
                out,
                event_id,
                CloseReason::ProtocolError,
                S_IDENTITY,
                "malformed SecIdentityRegister",
            ),
            _ if self.options.compat.ignore_malformed_register => {
                out.events.push(RelayEvent::Rejected {
                    section: "[MS-GRVSSTPS] 3.3.5.5 <13>",
                    reason: "malformed SecDeviceAccountRegister ignored",
                });
                Ok(())
            }
            _ => self.close_session(
                out,
                event_id,
                CloseReason::ProtocolError,
                S_REGISTER,
                "malformed SecDeviceAccountRegister",
            ),
        }
    }

    /// 3.3.5.5.1 and 3.3.5.5.2.
    fn on_device_account_register<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        io: &mut RelayIo<'_, S, R>,
        out: &mut RelayOutput,
        event_id: u32,
        m: &SecDeviceAccountRegister<'_>,
    ) -> Result<(), Error> {
        let (Some(device_url), Some(account_url)) =
            (self.device_url.clone(), ansi_string(m.account_url))
        else {
            return self.close_session(
                out,
                event_id,
                CloseReason::DeviceAuthenticationFailed,
                S_REGISTER,
                "no device URL on this connection, or account URL not text",
            );
        };
        // Step 3: the session of this EventId, if any.
        let pending = match self.sessions.remove(&event_id) {
            None => None,
            Some(AttachSession::AwaitingRegistration(p)) if p.account_url == account_url => Some(p),
            Some(_) => {
                return self.close_session(
                    out,
                    event_id,
                    CloseReason::ProtocolError,
                    S_REGISTER,
                    "the Register's EventId names another account's or an answered Attach session",
                );
            }
        };
        let result = self.verify_registration(io, m, &device_url, &account_url)?;
        let (registration, account_key, device_key, device_nonce) = match result {
            Ok(v) => v,
            Err(RegFail(reason, section, why)) => {
                return self.close_session(out, event_id, reason, section, why);
            }
        };
        let on_new_device = matches!(
            registration.account,
            AccountRegistration::OnNewDevice { .. }
        );
        let outcome = io
            .store
            .commit_registration(&registration)
            .map_err(|e| Error::store(&e, S_REGISTER))?;
        if outcome == CommitOutcome::Conflict {
            return self.close_session(
                out,
                event_id,
                CloseReason::DeviceAuthenticationFailed,
                S_NEW_ACCOUNT,
                "stored keys changed during registration (steps 8-9)",
            );
        }
        // Step 10 / response.
        let fp = io.identity.fingerprint();
        let now = io.now;
        let account_hmac = mac(
            &account_key,
            &fields::sec_account_register_response(
                account_url.as_bytes(),
                device_url.as_bytes(),
                fp,
                now,
            ),
        );
        let EncryptedNonce {
            nonce: relay_nonce,
            iv,
            encrypted,
        } = fresh_encrypted_nonce(io.rng, &device_key, S_REGISTER)?;
        let device_hmac = mac(
            &device_key,
            &fields::sec_device_account_register_response(
                account_url.as_bytes(),
                device_url.as_bytes(),
                fp,
                relay_nonce.expose_secret(),
            ),
        );
        let token = SecDeviceAccountRegisterResponse {
            minor_version: self.options.minor_version,
            account_layer_message: SecAccountRegisterResponse {
                minor_version: self.options.minor_version,
                reserved: 0,
                timestamp: now,
                hmac: &account_hmac,
            },
            reserved: 0,
            iv: iv.expose_secret(),
            hmac: &device_hmac,
            device_nonce: device_nonce.expose_secret(),
            encrypted_relay_nonce: encrypted.expose_secret(),
        }
        .to_vec()
        .map_err(wire_err)?;
        out.send
            .push(cmd::register_response(event_id, Some(&token))?);
        self.relay_device_nonce = Some(relay_nonce);
        self.device_nonce_from_registration = true;
        out.events.push(RelayEvent::Registered {
            device_url: device_url.clone(),
            account_url,
            on_new_device,
        });
        // Step 11 / the follow-up AttachResponse.
        if let Some(p) = pending {
            let session_nonce = self
                .relay_device_nonce
                .as_ref()
                .map(SecretNonce::dangerous_clone);
            self.answer_attach(
                io,
                out,
                event_id,
                &p,
                &account_key,
                &device_url,
                session_nonce,
            )?;
        }
        Ok(())
    }

    #[allow(clippy::type_complexity)]
    fn verify_registration<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &self,
        io: &mut RelayIo<'_, S, R>,
        m: &SecDeviceAccountRegister<'_>,
        device_url: &str,
        account_url: &str,
    ) -> Result<Result<(Registration, SecretKey, SecretKey, SecretNonce), RegFail>, Error> {
        let section = match m.account_layer_message {
            AccountLayerMessage::AccountRegister(_) => S_NEW_ACCOUNT,
            AccountLayerMessage::AccountOnNewDevice(_) => S_NEW_DEVICE,
        };
        let fp = io.identity.fingerprint();
        // Step 2.
        if !ct_eq_bytes(m.fingerprint, fp) {
            return Ok(Err(dev_fail(section, "fingerprint is not this relay's")));
        }
        let device_pko = m.device_public_keys_object.to_vec().map_err(wire_err)?;
        let device_fields = fields::sec_device_account_register(
            account_url.as_bytes(),
            device_url.as_bytes(),
            m.fingerprint,
            m.encrypted_device_nonce,
            m.encrypted_relay_device_key,
            m.timestamp,
            &device_pko,
        );
        let decrypt_key = |ct: &[u8]| -> Option<SecretKey> {
            let pt = io.identity.encryption_key().decrypt(ct).ok()?;
            elgamal_plaintext_to_key(pt.expose_secret())
        };
        let device_record = io
            .store
            .device(device_url)
            .map_err(|e| Error::store(&e, S_REGISTER))?;
        let account_record = io
            .store
            .account(account_url)
            .map_err(|e| Error::store(&e, S_REGISTER))?;

        let (account, account_key) = match &m.account_layer_message {
            AccountLayerMessage::AccountRegister(ar) => {
                match self.verify_new_account(io, ar, account_url, device_url, m.timestamp)? {
                    Ok(v) => v,
                    Err(f) => return Ok(Err(f)),
                }
            }
            AccountLayerMessage::AccountOnNewDevice(aond) => {
                // Step 3.
                let Some(key) = account_record.as_ref().and_then(|r| r.account_key.as_ref()) else {
                    return Ok(Err(user_fail(section, "the account is not registered")));
                };
                // Step 6 (the HMAC; its order relative to 4-5 does not change
                // the response, which is per layer).
                let ok = mac_ok(
                    key,
                    &fields::sec_account_on_new_device(
                        account_url.as_bytes(),
                        device_url.as_bytes(),
                        fp,
                        m.timestamp,
                    ),
                    aond.hmac,
                );
                if !ok {
                    return Ok(Err(user_fail(
                        section,
                        "SecAccountOnNewDevice HMAC verification failed",
                    )));
                }
                (
                    AccountRegistration::OnNewDevice {
                        account_url: account_url.to_owned(),
                    },
                    key.dangerous_clone(),
                )
            }
        };
        // Device layer: steps 5-7 (3.3.5.5.1) / 4-5, 7 (3.3.5.5.2).
        let Ok(device_keys) = validate_public_keys_object(&m.device_public_keys_object) else {
            return Ok(Err(dev_fail(
                section,
                "unsupported or malformed device public keys object",
            )));
        };
        if device_keys
            .signature
            .verify_grvsstps(&field_refs(&device_fields), m.signature)
            .is_err()
        {
            return Ok(Err(dev_fail(
                section,
                "SecDeviceAccountRegister signature verification failed",
            )));
        }
        let Some(device_key) = decrypt_key(m.encrypted_relay_device_key) else {
            return Ok(Err(dev_fail(
                section,
                "the device key does not decrypt to 24 bytes",
            )));
        };
        // Step 9 (3.3.5.5.1) / 8 (3.3.5.5.2).
        if let Some(d) = &device_record {
            let key_ok = d.device_key.as_ref().is_none_or(|k| *k == device_key);
            let obj_ok = d
                .public_keys_object
                .as_ref()
                .is_none_or(|o| ct_eq_bytes(o, &device_pko));
            if !(key_ok & obj_ok) {
                return Ok(Err(dev_fail(
                    section,
                    "the device is registered with another key or public keys object",
                )));
            }
        }
        // Step 8 (3.3.5.5.1).
        if let (
            AccountRegistration::New {
                public_keys_object, ..
            },
            Some(a),
        ) = (&account, &account_record)
        {
            let key_ok = a.account_key.as_ref().is_none_or(|k| *k == account_key);
            let obj_ok = a
                .public_keys_object
                .as_ref()
                .is_none_or(|o| ct_eq_bytes(o, public_keys_object));
            if !(key_ok & obj_ok) {
                return Ok(Err(dev_fail(
                    section,
                    "the account is registered with another key or public keys object",
                )));
            }
        }
        let Some(device_nonce) = marc4(&device_key, m.iv, m.encrypted_device_nonce) else {
            return Ok(Err(dev_fail(
                section,
                "the device nonce cannot be decrypted",
            )));
        };
        Ok(Ok((
            Registration {
                device: DeviceRegistration {
                    device_url: device_url.to_owned(),
                    device_key: device_key.dangerous_clone(),
                    public_keys_object: device_pko,
                },
                account,
            },
            account_key,
            device_key,
            device_nonce,
        )))
    }

    /// 3.3.5.5.1 steps 4-7, account layer.
    #[allow(clippy::type_complexity)]
    fn verify_new_account<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &self,
        io: &mut RelayIo<'_, S, R>,
        ar: &SecAccountRegister<'_>,
        account_url: &str,
        device_url: &str,
        timestamp: u32,
    ) -> Result<Result<(AccountRegistration, SecretKey), RegFail>, Error> {
        // Step 4.
        if !ar.user_pre_auth_token.is_empty() {
            let user = match ansi_string(ar.user_pre_auth_token) {
                Some(token) => io
                    .store
                    .user(&token)
                    .map_err(|e| Error::store(&e, S_NEW_ACCOUNT))?,
                None => None,
            };
            if user.is_none_or(|u| u.account_url != account_url) {
                return Ok(Err(user_fail(
                    S_NEW_ACCOUNT,
                    "unknown pre-authentication token or another account's",
                )));
            }
        }
        // Step 5.
        let Ok(account_keys) = validate_public_keys_object(&ar.account_public_keys_object) else {
            return Ok(Err(dev_fail(
                S_NEW_ACCOUNT,
                "unsupported or malformed account public keys object",
            )));
        };
        let account_pko = ar.account_public_keys_object.to_vec().map_err(wire_err)?;
        // Step 6 (account half).
        let account_fields = fields::sec_account_register(
            account_url.as_bytes(),
            device_url.as_bytes(),
            io.identity.fingerprint(),
            timestamp,
            ar.encrypted_relay_account_key,
            &account_pko,
        );
        if account_keys
            .signature
            .verify_grvsstps(&field_refs(&account_fields), ar.signature)
            .is_err()
        {
            return Ok(Err(dev_fail(
                S_NEW_ACCOUNT,
                "SecAccountRegister signature verification failed",
            )));
        }
        // Step 7 (account half).
        let key = io
            .identity
            .encryption_key()
            .decrypt(ar.encrypted_relay_account_key)
            .ok()
            .and_then(|pt| elgamal_plaintext_to_key(pt.expose_secret()));
        let Some(account_key) = key else {
            return Ok(Err(dev_fail(
                S_NEW_ACCOUNT,
                "the account key does not decrypt to 24 bytes",
            )));
        };
        Ok(Ok((
            AccountRegistration::New {
                account_url: account_url.to_owned(),
                account_key: account_key.dangerous_clone(),
                public_keys_object: account_pko,
            },
            account_key,
        )))
    }

    /// 3.3.5.6.
    fn on_identity_register<S: RelayStore + ?Sized, R: CryptoRng + ?Sized>(
        &mut self,
        io: &mut RelayIo<'_, S, R>,
        out: &mut RelayOutput,
        event_id: u32,
        m: &SecIdentityRegister<'_>,
    ) -> Result<(), Error> {
        let reject = |this: &mut Self, out: &mut RelayOutput, why| {
            this.close_session(out, event_id, CloseReason::ProtocolError, S_IDENTITY, why)
        };
        let (Some(device_url), Some(account_url)) =
            (self.device_url.clone(), ansi_string(m.account_url))
        else {
            return reject(
                self,
                out,
                "no device URL on this connection, or account URL not text",
            );
        };
        // Step 2.
        let device = io
            .store
            .device(&device_url)
            .map_err(|e| Error::store(&e, S_IDENTITY))?;
        let account = io
            .store
            .account(&account_url)
            .map_err(|e| Error::store(&e, S_IDENTITY))?;
        let (Some(_), Some(key)) = (device, account.and_then(|a| a.account_key)) else {
            return reject(self, out, "device or account record not found");
        };
        // Step 3.
        let ok = mac_ok(
            &key,
            &fields::sec_identity_register(
                account_url.as_bytes(),
                m.relay_url.as_bytes(),
                device_url.as_bytes(),
                m.timestamp,
            ),
            m.hmac,
        );
        if !ok {
            return reject(self, out, "SecIdentityRegister HMAC verification failed");
        }
        if m.relay_url.as_bytes() != io.identity.relay_url().as_bytes() {
            return reject(self, out, "SecIdentityRegister names another relay");
        }
        if !self.authenticated_accounts.contains(&account_url) {
            return reject(
                self,
                out,
                "the account is not authenticated on this connection",
            );
        }
        let to_strings = |list: &[AnsiStr<'_>]| -> Option<Vec<String>> {
            list.iter().map(|s| ansi_string(*s)).collect()
        };
        let (Some(added), Some(removed)) = (
            to_strings(&m.identity_lists.to_add),
            to_strings(&m.identity_lists.to_remove),
        ) else {
            return reject(self, out, "an identity URL is not text");
        };
        // Steps 4-5.
        io.store
            .update_identities(&account_url, &added, &removed)
            .map_err(|e| Error::store(&e, S_IDENTITY))?;
        // Step 6.
        out.send.push(cmd::register_response(event_id, Some(&[]))?);
        out.events.push(RelayEvent::IdentitiesUpdated {
            account_url,
            added,
            removed,
        });
        Ok(())
    }
}
