//! The client engine of [MS-GRVSSTPS] 3.2: one sans-IO state machine per
//! SSTP connection to the assigned relay.
//!
//! The caller persists the 3.2.1 objects ([`DeviceObject`],
//! [`AccountObject`], [`IdentityObject`]) and hands them in; time (`now`,
//! seconds since 1970) and randomness are arguments of every call, so an
//! exchange replays byte for byte. [`ClientEngine::connect`] produces the
//! Connect command; every command the relay sends goes to
//! [`ClientEngine::handle`]; each call returns the commands to send and
//! [`ClientEvent`]s.
//!
//! The engine follows 3.2.4–3.2.5 on its own: after the ConnectResponse it
//! sends ConnectAuthenticate (if challenged) and an Attach per account; it
//! registers when told a registration is needed; after the relay's Close
//! NoReason of an Attach session (the §4.1.9 confirmation that the
//! SecAttachAuthenticate was accepted) it registers the account's
//! identities. Parse errors and out-of-order messages are protocol
//! violations: ConnectClose ProtocolError (3.2.5).
//!
//! Client failure responses: a SecConnectResponse that does not verify gets
//! ConnectClose DeviceAuthenticationFailed (3.2.5.1);
//! SecConnectResponseAuthenticationFailed and
//! SecAttachResponseAuthenticationFailed get a ConnectClose (3.2.5.3,
//! 3.2.5.4; reason DeviceAuthenticationFailed / UserAuthenticationFailed);
//! a SecAttachResponse or SecDeviceAccountRegisterResponse that does not
//! verify gets a Close of the session (3.2.5.5, 3.2.5.8; reason
//! UserAuthenticationFailed / DeviceAuthenticationFailed) unless
//! [`ClientOptions::close_session_on_failed_verification`] is off (notes
//! <8>, <9>: Groove clients send none).

use std::sync::Arc;

use crypto_primitives::secret::ct_eq_bytes;
use rand_core::CryptoRng;
use sstp_wire::{
    AccountLayerMessage, AnsiStr, Carrier, CloseReason, Command, DecodeOptions, IdentityLists,
    MinorVersion, PublicKeysObject, SecAccountOnNewDevice, SecAccountRegister, SecAttach,
    SecAttachAuthenticate, SecConnect, SecConnectAuthenticate, SecDeviceAccountRegister,
    SecIdentityRegister, SecurityToken,
};

use crate::cert::RelayCertificate;
use crate::cmd;
use crate::error::{Error, ErrorKind, Origin};
use crate::keys::{ClientKeyPairs, SecretKey, SecretNonce, key_to_elgamal_plaintext};
use crate::proto::{
    EncryptedNonce, EngineOutput, field_refs, fields, fresh_encrypted_nonce, mac, mac_ok, marc4,
    nonce_eq,
};

const S_CLIENT: &str = "[MS-GRVSSTPS] 3.2.5";
const S_INIT_DEVICE: &str = "[MS-GRVSSTPS] 3.2.4.1";
const S_INIT_ACCOUNT: &str = "[MS-GRVSSTPS] 3.2.4.2";
const S_CONNECT_RESPONSE: &str = "[MS-GRVSSTPS] 3.2.5.1";
const S_ATTACH_RESPONSE: &str = "[MS-GRVSSTPS] 3.2.5.5";
const S_REGISTER_RESPONSE: &str = "[MS-GRVSSTPS] 3.2.5.8";
const S_IDENTITY: &str = "[MS-GRVSSTPS] 3.2.4.4";

/// 3.2.1 device object.
#[derive(Debug)]
pub struct DeviceObject {
    /// The device URL.
    pub device_url: String,
    /// The secret device key.
    pub device_key: SecretKey,
    /// The device's encryption and signature key pairs.
    pub keys: ClientKeyPairs,
}

/// 3.2.1 account object.
#[derive(Debug)]
pub struct AccountObject {
    /// The account URL.
    pub account_url: String,
    /// The devices the account runs on.
    pub device_urls: Vec<String>,
    /// The secret account key.
    pub account_key: SecretKey,
    /// The account's encryption and signature key pairs.
    pub keys: ClientKeyPairs,
    /// Identity URLs active on the account (registered: added).
    pub active_identities: Vec<String>,
    /// Identity URLs inactive on the account (registered: removed).
    pub inactive_identities: Vec<String>,
}

/// 3.2.1 identity object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityObject {
    /// The identity URL.
    pub identity_url: String,
    /// Its account.
    pub account_url: String,
    /// The pre-authentication token from the management server.
    pub pre_auth_token: String,
}

/// Client engine settings.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Send a Close when a SecAttachResponse or
    /// SecDeviceAccountRegisterResponse does not verify (3.2.5.5, 3.2.5.8
    /// SHOULD). Groove clients do not (notes <8>, <9>).
    pub close_session_on_failed_verification: bool,
    /// SSTP minor version in Connect.
    pub sstp_minor_version: u8,
    /// PeerProductVersion in Connect.
    pub product_version: String,
    /// The first EventId the engine uses for Attach and Register sessions.
    pub first_event_id: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            close_session_on_failed_verification: true,
            sstp_minor_version: 5,
            product_version: String::from("sstp-security-core client"),
            first_event_id: 1,
        }
    }
}

/// The connection's state (3.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientState {
    /// Nothing sent yet.
    Idle,
    /// Connect sent.
    Connecting,
    /// ConnectResponse Ok received; the device is not authenticated (it
    /// needs registration).
    Connected,
    /// SecConnectResponse verified and ConnectAuthenticate sent.
    ConnectAuthenticated,
    /// ConnectResponse without a token: the device only sends data.
    Sending,
    /// The relay refused the device.
    AuthenticationFailed,
    /// The connection is closed.
    Disconnected,
}

/// An account's state on this connection (3.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// Not attached yet.
    Idle,
    /// Attach sent.
    AttachChallenging,
    /// SecDeviceAccountRegister with SecAccountRegister sent.
    DeviceAccountRegistering,
    /// SecDeviceAccountRegister with SecAccountOnNewDevice sent.
    AccountOnNewDeviceRegistering,
    /// SecDeviceAccountRegisterResponse verified.
    DeviceAccountRegistered,
    /// SecAttachResponse verified and AttachAuthenticate sent.
    AttachAuthenticated,
    /// The relay closed the Attach session with NoReason: authenticated.
    Authenticated,
    /// The relay refused the registration.
    RegistrationFailed,
    /// The relay refused the account, or its answer did not verify.
    AuthenticationFailed,
}

/// Something that happened on the client side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The relay proved knowledge of the device key and the challenge
    /// answer was sent.
    DeviceAuthenticated,
    /// The relay does not know the device (3.2.5.2).
    DeviceRegistrationNeeded,
    /// A registration was confirmed by a verified
    /// SecDeviceAccountRegisterResponse.
    Registered {
        /// The account URL.
        account_url: String,
        /// Account on a new device (3.2.4.3.2) rather than a new account.
        on_new_device: bool,
    },
    /// The account is authenticated on this connection.
    AccountAuthenticated {
        /// The account URL.
        account_url: String,
    },
    /// The relay accepted the identity registration (3.2.5.9).
    IdentitiesRegistered {
        /// The account URL.
        account_url: String,
    },
    /// Something failed; the response (if any) is in the output.
    Failed {
        /// The account concerned, if any.
        account_url: Option<String>,
        /// The section whose rule applied.
        section: &'static str,
        /// Why.
        reason: &'static str,
        /// The reason the relay gave, for a Close or ConnectClose received.
        close_reason: Option<CloseReason>,
    },
}

/// What one call produced.
pub type ClientOutput = EngineOutput<ClientEvent>;

#[derive(Debug)]
struct AccountEntry {
    object: Arc<AccountObject>,
    pre_auth_token: String,
    state: AccountState,
    attach_event: Option<u32>,
    identity_event: Option<u32>,
    account_nonce: Option<SecretNonce>,
    registration_device_nonce: Option<SecretNonce>,
    /// The relay device nonce of this account's registration, if it
    /// registered on this connection (2.2.11: from the
    /// SecDeviceAccountRegisterResponse).
    relay_device_nonce: Option<SecretNonce>,
}

/// One connection's client-side state machine. `Debug` shows no secret.
#[derive(Debug)]
pub struct ClientEngine {
    options: ClientOptions,
    certificate: RelayCertificate,
    device: Arc<DeviceObject>,
    accounts: Vec<AccountEntry>,
    state: ClientState,
    next_event: u32,
    device_nonce: Option<SecretNonce>,
    relay_device_nonce: Option<SecretNonce>,
}

fn wire(e: sstp_wire::Error) -> Error {
    Error::wire(e, S_CLIENT)
}

impl ClientEngine {
    /// A new engine for one connection to the relay whose certificate is
    /// `certificate`. The pre-authentication token of each account is the
    /// first matching identity's (note <5>).
    pub fn new(
        options: ClientOptions,
        certificate: RelayCertificate,
        device: Arc<DeviceObject>,
        accounts: Vec<Arc<AccountObject>>,
        identities: &[IdentityObject],
    ) -> Self {
        let next_event = options.first_event_id;
        let accounts = accounts
            .into_iter()
            .map(|object| AccountEntry {
                pre_auth_token: identities
                    .iter()
                    .find(|i| i.account_url == object.account_url)
                    .map(|i| i.pre_auth_token.clone())
                    .unwrap_or_default(),
                object,
                state: AccountState::Idle,
                attach_event: None,
                identity_event: None,
                account_nonce: None,
                registration_device_nonce: None,
                relay_device_nonce: None,
            })
            .collect();
        Self {
            options,
            certificate,
            device,
            accounts,
            state: ClientState::Idle,
            next_event,
            device_nonce: None,
            relay_device_nonce: None,
        }
    }

    /// The connection state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// The state of `account_url` on this connection.
    pub fn account_state(&self, account_url: &str) -> Option<AccountState> {
        self.accounts
            .iter()
            .find(|a| a.object.account_url == account_url)
            .map(|a| a.state)
    }

    /// Starts the connection (3.2.4.1): the Connect command, with a
    /// SecConnect when `authenticate` is true, without a token for a device
    /// that only sends data.
    ///
    /// # Errors
    /// Called twice ([`Origin::Caller`]) or an encoding failure.
    pub fn connect<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        authenticate: bool,
    ) -> Result<ClientOutput, Error> {
        if self.state != ClientState::Idle {
            return Err(Error::state("connect was already called", S_INIT_DEVICE));
        }
        let params = cmd::ConnectParams {
            sstp_minor: self.options.sstp_minor_version,
            relay_url: self.certificate.relay_url(),
            device_url: &self.device.device_url,
            product_version: &self.options.product_version,
        };
        let mut out = ClientOutput::default();
        if !authenticate {
            out.send.push(cmd::connect(&params, &[])?);
            self.state = ClientState::Connecting;
            return Ok(out);
        }
        let key = &self.device.device_key;
        let EncryptedNonce {
            nonce,
            iv,
            encrypted,
        } = fresh_encrypted_nonce(rng, key, S_INIT_DEVICE)?;
        let hmac = mac(
            key,
            &fields::sec_connect(
                self.device.device_url.as_bytes(),
                self.certificate.fingerprint(),
                nonce.expose_secret(),
            ),
        );
        let token = SecConnect {
            minor_version: MinorVersion::V3,
            iv: iv.expose_secret(),
            hmac: &hmac,
            encrypted_device_nonce: encrypted.expose_secret(),
        }
        .to_vec()
        .map_err(wire)?;
        out.send.push(cmd::connect(&params, &token)?);
        self.device_nonce = Some(nonce);
        self.state = ClientState::Connecting;
        Ok(out)
    }

    /// Handles the bytes of one command from the relay.
    ///
    /// # Errors
    /// An internal failure (encoding, a key that cannot sign).
    pub fn handle<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        now: u32,
        frame: &[u8],
    ) -> Result<ClientOutput, Error> {
        match Command::parse_with(frame, DecodeOptions::STRICT) {
            Ok(c) => self.handle_command(rng, now, &c),
            Err(_) => {
                let mut out = ClientOutput::default();
                self.violation(
                    &mut out,
                    None,
                    "a command from the relay could not be parsed",
                )?;
                Ok(out)
            }
        }
    }

    /// Handles one parsed command from the relay.
    ///
    /// # Errors
    /// As [`ClientEngine::handle`].
    pub fn handle_command<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        now: u32,
        command: &Command<'_>,
    ) -> Result<ClientOutput, Error> {
        let mut out = ClientOutput::default();
        if matches!(self.state, ClientState::Disconnected | ClientState::Idle) {
            return Ok(out);
        }
        match command {
            Command::ConnectResponse(c) => self.on_connect_response(rng, now, &mut out, c)?,
            Command::AttachResponse(a) => {
                self.on_attach_response(rng, now, &mut out, a.event_id, a.authentication_token)?;
            }
            Command::RegisterResponse(r) => {
                self.on_register_response(&mut out, r.event_id, r.registration_token)?;
            }
            Command::Close(c) => self.on_close(now, &mut out, c.session_id, c.reason)?,
            Command::ConnectClose(c) => {
                self.state = ClientState::Disconnected;
                out.close_connection = true;
                out.events.push(ClientEvent::Failed {
                    account_url: None,
                    section: S_CLIENT,
                    reason: "the relay closed the connection",
                    close_reason: Some(c.reason),
                });
            }
            Command::Connect(_)
            | Command::ConnectAuthenticate(_)
            | Command::Attach(_)
            | Command::AttachAuthenticate(_)
            | Command::Register(_) => {
                self.violation(&mut out, None, "a client-to-relay command was received")?;
            }
            Command::Open(_)
            | Command::OpenResponse(_)
            | Command::Noop(_)
            | Command::Unknown { .. } => {}
            #[allow(unreachable_patterns)]
            _ => {}
        }
        Ok(out)
    }

    fn violation(
        &mut self,
        out: &mut ClientOutput,
        account_url: Option<String>,
        why: &'static str,
    ) -> Result<(), Error> {
        self.disconnect(out, CloseReason::ProtocolError, account_url, S_CLIENT, why)
    }

    fn disconnect(
        &mut self,
        out: &mut ClientOutput,
        reason: CloseReason,
        account_url: Option<String>,
        section: &'static str,
        why: &'static str,
    ) -> Result<(), Error> {
        out.send.push(cmd::connect_close(reason)?);
        out.close_connection = true;
        out.events.push(ClientEvent::Failed {
            account_url,
            section,
            reason: why,
            close_reason: None,
        });
        if self.state != ClientState::AuthenticationFailed {
            self.state = ClientState::Disconnected;
        }
        Ok(())
    }

    fn next_event_id(&mut self) -> u32 {
        let id = self.next_event;
        self.next_event = self.next_event.wrapping_add(1);
        id
    }

    /// 3.2.4.2 for every account not attached yet.
    fn attach_all<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        out: &mut ClientOutput,
    ) -> Result<(), Error> {
        for i in 0..self.accounts.len() {
            let event_id = self.next_event_id();
            let device_url = self.device.device_url.clone();
            let relay_url = self.certificate.relay_url().to_owned();
            let Some(entry) = self.accounts.get_mut(i) else {
                continue;
            };
            if entry.state != AccountState::Idle {
                continue;
            }
            let acct = &entry.object;
            let EncryptedNonce {
                nonce,
                iv,
                encrypted,
            } = fresh_encrypted_nonce(rng, &acct.account_key, S_INIT_ACCOUNT)?;
            let hmac = mac(
                &acct.account_key,
                &fields::sec_attach(
                    acct.account_url.as_bytes(),
                    relay_url.as_bytes(),
                    device_url.as_bytes(),
                    nonce.expose_secret(),
                ),
            );
            let token = SecAttach {
                minor_version: MinorVersion::V4,
                iv: iv.expose_secret(),
                hmac: &hmac,
                encrypted_account_nonce: encrypted.expose_secret(),
            }
            .to_vec()
            .map_err(wire)?;
            out.send.push(cmd::attach(
                event_id,
                &relay_url,
                &acct.account_url,
                &token,
            )?);
            entry.state = AccountState::AttachChallenging;
            entry.attach_event = Some(event_id);
            entry.account_nonce = Some(nonce);
        }
        Ok(())
    }

    /// 3.2.5.1–3.2.5.3.
    fn on_connect_response<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        _now: u32,
        out: &mut ClientOutput,
        c: &sstp_wire::ConnectResponse<'_>,
    ) -> Result<(), Error> {
        if self.state != ClientState::Connecting {
            return self.violation(out, None, "ConnectResponse out of order");
        }
        let Some(device_nonce) = self.device_nonce.take() else {
            // Connected without a token: the device only sends data.
            if c.response_id == sstp_wire::ConnectResponseId::Ok
                && c.authentication_token.is_empty()
            {
                self.state = ClientState::Sending;
                return Ok(());
            }
            return self.violation(
                out,
                None,
                "unexpected ConnectResponse to an unauthenticated Connect",
            );
        };
        match SecurityToken::parse(Carrier::ConnectResponse, c.authentication_token) {
            Ok(SecurityToken::SecConnectResponse(m)) => {
                let key = &self.device.device_key;
                let nonce_ok = nonce_eq(&device_nonce, m.device_nonce);
                let relay_nonce = marc4(key, m.iv, m.encrypted_relay_nonce);
                let verified = relay_nonce.filter(|n| {
                    let mac_ok = mac_ok(
                        key,
                        &fields::sec_connect_response(
                            self.device.device_url.as_bytes(),
                            self.certificate.fingerprint(),
                            n.expose_secret(),
                        ),
                        m.hmac,
                    );
                    mac_ok & nonce_ok
                });
                let Some(relay_nonce) = verified else {
                    return self.disconnect(
                        out,
                        CloseReason::DeviceAuthenticationFailed,
                        None,
                        S_CONNECT_RESPONSE,
                        "SecConnectResponse device nonce or HMAC verification failed",
                    );
                };
                let token = SecConnectAuthenticate {
                    minor_version: MinorVersion::V3,
                    relay_nonce: relay_nonce.expose_secret(),
                }
                .to_vec()
                .map_err(wire)?;
                out.send.push(cmd::connect_authenticate(&token)?);
                self.relay_device_nonce = Some(relay_nonce);
                self.state = ClientState::ConnectAuthenticated;
                out.events.push(ClientEvent::DeviceAuthenticated);
                self.attach_all(rng, out)
            }
            Ok(SecurityToken::SecConnectResponseDeviceRegistrationNeeded(_)) => {
                self.state = ClientState::Connected;
                out.events.push(ClientEvent::DeviceRegistrationNeeded);
                self.attach_all(rng, out)
            }
            Ok(SecurityToken::SecConnectResponseAuthenticationFailed(_)) => {
                self.state = ClientState::AuthenticationFailed;
                self.disconnect(
                    out,
                    CloseReason::DeviceAuthenticationFailed,
                    None,
                    "[MS-GRVSSTPS] 3.2.5.3",
                    "the relay refused the device",
                )
            }
            _ => self.violation(out, None, "malformed ConnectResponse token"),
        }
    }

    fn account_by_attach(&self, event_id: u32) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| a.attach_event == Some(event_id))
    }

    fn account_failed(
        &mut self,
        out: &mut ClientOutput,
        i: usize,
        state: AccountState,
        close: Option<CloseReason>,
        section: &'static str,
        why: &'static str,
    ) -> Result<(), Error> {
        let Some(entry) = self.accounts.get_mut(i) else {
            return Ok(());
        };
        entry.state = state;
        entry.account_nonce = None;
        let event = entry.attach_event.take();
        let account_url = Some(entry.object.account_url.clone());
        if let (Some(reason), Some(event_id)) = (close, event)
            && self.options.close_session_on_failed_verification
        {
            out.send.push(cmd::close(event_id, reason)?);
        }
        out.events.push(ClientEvent::Failed {
            account_url,
            section,
            reason: why,
            close_reason: None,
        });
        Ok(())
    }

    /// 3.2.5.4–3.2.5.7.
    fn on_attach_response<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        now: u32,
        out: &mut ClientOutput,
        event_id: u32,
        token: &[u8],
    ) -> Result<(), Error> {
        let Some(i) = self.account_by_attach(event_id) else {
            return self.violation(out, None, "AttachResponse for an unknown Attach session");
        };
        let Some(entry) = self.accounts.get(i) else {
            return Ok(());
        };
        let state = entry.state;
        let account_url = entry.object.account_url.clone();
        let answerable = matches!(
            state,
            AccountState::AttachChallenging | AccountState::DeviceAccountRegistered
        );
        if !answerable {
            return self.violation(out, Some(account_url), "AttachResponse out of order");
        }
        match SecurityToken::parse(Carrier::AttachResponse, token) {
            Ok(SecurityToken::SecAttachResponse(m)) => {
                let acct = Arc::clone(&entry.object);
                let nonce_ok = entry
                    .account_nonce
                    .as_ref()
                    .is_some_and(|n| nonce_eq(n, m.account_nonce));
                let verified =
                    marc4(&acct.account_key, m.iv, m.encrypted_relay_nonce).filter(|n| {
                        let ok = mac_ok(
                            &acct.account_key,
                            &fields::sec_attach_response(
                                acct.account_url.as_bytes(),
                                self.certificate.relay_url().as_bytes(),
                                self.device.device_url.as_bytes(),
                                n.expose_secret(),
                            ),
                            m.hmac,
                        );
                        ok & nonce_ok
                    });
                let device_nonce = entry
                    .relay_device_nonce
                    .as_ref()
                    .or(self.relay_device_nonce.as_ref());
                let (Some(relay_account_nonce), Some(relay_device_nonce)) =
                    (verified, device_nonce)
                else {
                    return self.account_failed(
                        out,
                        i,
                        AccountState::AuthenticationFailed,
                        Some(CloseReason::UserAuthenticationFailed),
                        S_ATTACH_RESPONSE,
                        "SecAttachResponse account nonce or HMAC verification failed, or no relay device nonce",
                    );
                };
                let token = SecAttachAuthenticate {
                    minor_version: MinorVersion::V4,
                    relay_account_nonce: relay_account_nonce.expose_secret(),
                    relay_device_nonce: relay_device_nonce.expose_secret(),
                }
                .to_vec()
                .map_err(wire)?;
                out.send.push(cmd::attach_authenticate(event_id, &token)?);
                if let Some(e) = self.accounts.get_mut(i) {
                    e.state = AccountState::AttachAuthenticated;
                    e.account_nonce = None;
                }
                Ok(())
            }
            Ok(SecurityToken::SecAttachResponseAccountRegistrationNeeded(_))
                if state == AccountState::AttachChallenging =>
            {
                self.register(rng, now, out, i, event_id, false)
            }
            Ok(SecurityToken::SecAttachResponseNewDeviceRegistrationNeeded(_))
                if state == AccountState::AttachChallenging =>
            {
                self.register(rng, now, out, i, event_id, true)
            }
            Ok(SecurityToken::SecAttachResponseAuthenticationFailed(_)) => {
                // 3.2.5.4: close the connection.
                if let Some(e) = self.accounts.get_mut(i) {
                    e.state = AccountState::AuthenticationFailed;
                }
                self.state = ClientState::AuthenticationFailed;
                self.disconnect(
                    out,
                    CloseReason::UserAuthenticationFailed,
                    Some(account_url),
                    "[MS-GRVSSTPS] 3.2.5.4",
                    "the relay refused the account",
                )
            }
            _ => self.violation(
                out,
                Some(account_url),
                "malformed or out-of-order AttachResponse token",
            ),
        }
    }

    /// 3.2.4.3.1 / 3.2.4.3.2.
    fn register<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        now: u32,
        out: &mut ClientOutput,
        i: usize,
        event_id: u32,
        on_new_device: bool,
    ) -> Result<(), Error> {
        let Some(entry) = self.accounts.get(i) else {
            return Ok(());
        };
        let acct = Arc::clone(&entry.object);
        let pre_auth = entry.pre_auth_token.clone();
        let dev = Arc::clone(&self.device);
        let fp = *self.certificate.fingerprint();
        let section = if on_new_device {
            "[MS-GRVSSTPS] 3.2.4.3.2"
        } else {
            "[MS-GRVSSTPS] 3.2.4.3.1"
        };
        let crypto = |e| Error::crypto(e, section);
        let relay_key = self.certificate.encryption_key();
        let EncryptedNonce {
            nonce: device_nonce,
            iv,
            encrypted: encrypted_nonce,
        } = fresh_encrypted_nonce(rng, &dev.device_key, section)?;
        let encrypted_device_key = relay_key
            .encrypt(rng, key_to_elgamal_plaintext(&dev.device_key).as_ref())
            .map_err(crypto)?;
        let account_pko_bytes = acct.keys.public_keys_object();
        let device_pko_bytes = dev.keys.public_keys_object();
        let account_pko = PublicKeysObject::parse(account_pko_bytes).map_err(wire)?;
        let device_pko = PublicKeysObject::parse(device_pko_bytes).map_err(wire)?;
        let account_url = acct.account_url.as_bytes();
        let device_url = dev.device_url.as_bytes();

        let encrypted_account_key;
        let account_signature;
        let account_hmac;
        let account_layer_message = if on_new_device {
            account_hmac = mac(
                &acct.account_key,
                &fields::sec_account_on_new_device(account_url, device_url, &fp, now),
            );
            AccountLayerMessage::AccountOnNewDevice(SecAccountOnNewDevice {
                minor_version: MinorVersion::V4,
                hmac: &account_hmac,
            })
        } else {
            encrypted_account_key = relay_key
                .encrypt(rng, key_to_elgamal_plaintext(&acct.account_key).as_ref())
                .map_err(crypto)?;
            let f = fields::sec_account_register(
                account_url,
                device_url,
                &fp,
                now,
                &encrypted_account_key,
                account_pko_bytes,
            );
            account_signature = acct
                .keys
                .signature_key()
                .sign_grvsstps(rng, &field_refs(&f))
                .map_err(crypto)?;
            AccountLayerMessage::AccountRegister(SecAccountRegister {
                minor_version: MinorVersion::V4,
                encrypted_relay_account_key: &encrypted_account_key,
                signature: &account_signature,
                account_public_keys_object: account_pko,
                reserved1: 1,
                reserved2: 0,
                user_pre_auth_token: AnsiStr::new(pre_auth.as_bytes()).map_err(wire)?,
            })
        };
        let device_fields = fields::sec_device_account_register(
            account_url,
            device_url,
            &fp,
            encrypted_nonce.expose_secret(),
            &encrypted_device_key,
            now,
            device_pko_bytes,
        );
        let device_signature = dev
            .keys
            .signature_key()
            .sign_grvsstps(rng, &field_refs(&device_fields))
            .map_err(crypto)?;
        let token = SecDeviceAccountRegister {
            minor_version: MinorVersion::V3,
            timestamp: now,
            account_url: AnsiStr::new(account_url).map_err(wire)?,
            fingerprint: &fp,
            encrypted_relay_device_key: &encrypted_device_key,
            account_layer_message,
            reserved1: 1,
            reserved2: 0,
            signature: &device_signature,
            device_public_keys_object: device_pko,
            iv: iv.expose_secret(),
            encrypted_device_nonce: encrypted_nonce.expose_secret(),
        }
        .to_vec()
        .map_err(wire)?;
        out.send.push(cmd::register(event_id, &token)?);
        if let Some(e) = self.accounts.get_mut(i) {
            e.state = if on_new_device {
                AccountState::AccountOnNewDeviceRegistering
            } else {
                AccountState::DeviceAccountRegistering
            };
            e.registration_device_nonce = Some(device_nonce);
        }
        Ok(())
    }

    /// 3.2.5.8 and 3.2.5.9.
    fn on_register_response(
        &mut self,
        out: &mut ClientOutput,
        event_id: u32,
        token: Option<&[u8]>,
    ) -> Result<(), Error> {
        let token = token.unwrap_or_default();
        // Identity registration (3.2.5.9).
        if let Some(i) = self
            .accounts
            .iter()
            .position(|a| a.identity_event == Some(event_id))
        {
            if !token.is_empty() {
                return self.violation(out, None, "identity RegisterResponse carries a token");
            }
            if let Some(e) = self.accounts.get_mut(i) {
                e.identity_event = None;
                out.events.push(ClientEvent::IdentitiesRegistered {
                    account_url: e.object.account_url.clone(),
                });
            }
            return Ok(());
        }
        let Some(i) = self.account_by_attach(event_id) else {
            return self.violation(out, None, "RegisterResponse for an unknown session");
        };
        let Some(entry) = self.accounts.get(i) else {
            return Ok(());
        };
        let on_new_device = match entry.state {
            AccountState::DeviceAccountRegistering => false,
            AccountState::AccountOnNewDeviceRegistering => true,
            _ => return self.violation(out, None, "RegisterResponse out of order"),
        };
        let Ok(SecurityToken::SecDeviceAccountRegisterResponse(m)) =
            SecurityToken::parse(Carrier::RegisterResponse, token)
        else {
            return self.violation(out, None, "malformed RegisterResponse token");
        };
        let acct = Arc::clone(&entry.object);
        let dev = Arc::clone(&self.device);
        let fp = self.certificate.fingerprint();
        let account_url = acct.account_url.as_bytes();
        let device_url = dev.device_url.as_bytes();
        let account_ok = mac_ok(
            &acct.account_key,
            &fields::sec_account_register_response(
                account_url,
                device_url,
                fp,
                m.account_layer_message.timestamp,
            ),
            m.account_layer_message.hmac,
        );
        let nonce_ok = entry
            .registration_device_nonce
            .as_ref()
            .is_some_and(|n| ct_eq_bytes(n.expose_secret(), m.device_nonce));
        let verified = marc4(&dev.device_key, m.iv, m.encrypted_relay_nonce).filter(|n| {
            let ok = mac_ok(
                &dev.device_key,
                &fields::sec_device_account_register_response(
                    account_url,
                    device_url,
                    fp,
                    n.expose_secret(),
                ),
                m.hmac,
            );
            ok & account_ok & nonce_ok
        });
        let Some(relay_nonce) = verified else {
            return self.account_failed(
                out,
                i,
                AccountState::RegistrationFailed,
                Some(CloseReason::DeviceAuthenticationFailed),
                S_REGISTER_RESPONSE,
                "SecDeviceAccountRegisterResponse HMAC or device nonce verification failed",
            );
        };
        self.relay_device_nonce = Some(relay_nonce.dangerous_clone());
        if let Some(e) = self.accounts.get_mut(i) {
            e.state = AccountState::DeviceAccountRegistered;
            e.registration_device_nonce = None;
            e.relay_device_nonce = Some(relay_nonce);
        }
        out.events.push(ClientEvent::Registered {
            account_url: acct.account_url.clone(),
            on_new_device,
        });
        Ok(())
    }

    fn on_close(
        &mut self,
        now: u32,
        out: &mut ClientOutput,
        session_id: u32,
        reason: CloseReason,
    ) -> Result<(), Error> {
        if let Some(i) = self
            .accounts
            .iter()
            .position(|a| a.identity_event == Some(session_id))
        {
            if let Some(e) = self.accounts.get_mut(i) {
                e.identity_event = None;
                out.events.push(ClientEvent::Failed {
                    account_url: Some(e.object.account_url.clone()),
                    section: S_IDENTITY,
                    reason: "the relay refused the identity registration",
                    close_reason: Some(reason),
                });
            }
            return Ok(());
        }
        let Some(i) = self.account_by_attach(session_id) else {
            // Another session (data): not this layer's business.
            return Ok(());
        };
        let Some(entry) = self.accounts.get_mut(i) else {
            return Ok(());
        };
        let account_url = entry.object.account_url.clone();
        entry.attach_event = None;
        entry.account_nonce = None;
        match (entry.state, reason) {
            (AccountState::AttachAuthenticated, CloseReason::NoReason) => {
                entry.state = AccountState::Authenticated;
                out.events.push(ClientEvent::AccountAuthenticated {
                    account_url: account_url.clone(),
                });
                self.register_identities(now, out, i)
            }
            (
                AccountState::DeviceAccountRegistering
                | AccountState::AccountOnNewDeviceRegistering,
                _,
            ) => {
                entry.state = AccountState::RegistrationFailed;
                out.events.push(ClientEvent::Failed {
                    account_url: Some(account_url),
                    section: "[MS-GRVSSTPS] 3.2.1",
                    reason: "the relay closed the session of the registration",
                    close_reason: Some(reason),
                });
                Ok(())
            }
            _ => {
                entry.state = AccountState::AuthenticationFailed;
                out.events.push(ClientEvent::Failed {
                    account_url: Some(account_url),
                    section: S_CLIENT,
                    reason: "the relay closed the Attach session",
                    close_reason: Some(reason),
                });
                Ok(())
            }
        }
    }

    /// 3.2.4.4.
    fn register_identities(
        &mut self,
        now: u32,
        out: &mut ClientOutput,
        i: usize,
    ) -> Result<(), Error> {
        let Some(entry) = self.accounts.get(i) else {
            return Ok(());
        };
        let acct = Arc::clone(&entry.object);
        if acct.active_identities.is_empty() && acct.inactive_identities.is_empty() {
            return Ok(());
        }
        let event_id = self.next_event_id();
        let relay_url = self.certificate.relay_url().to_owned();
        let hmac = mac(
            &acct.account_key,
            &fields::sec_identity_register(
                acct.account_url.as_bytes(),
                relay_url.as_bytes(),
                self.device.device_url.as_bytes(),
                now,
            ),
        );
        let token = SecIdentityRegister {
            minor_version: MinorVersion::V4,
            timestamp: now,
            account_url: cmd::ansi(&acct.account_url)?,
            hmac: &hmac,
            reserved: 0,
            identity_lists: IdentityLists {
                to_add: ansi_list(&acct.active_identities)?,
                to_remove: ansi_list(&acct.inactive_identities)?,
            },
            relay_url: cmd::ansi(&relay_url)?,
        }
        .to_vec()
        .map_err(|e| Error::new(ErrorKind::Wire(Box::new(e)), Origin::Caller, S_IDENTITY))?;
        out.send.push(cmd::register(event_id, &token)?);
        if let Some(e) = self.accounts.get_mut(i) {
            e.identity_event = Some(event_id);
        }
        Ok(())
    }
}

fn ansi_list(list: &[String]) -> Result<Vec<AnsiStr<'_>>, Error> {
    list.iter().map(|s| cmd::ansi(s)).collect()
}
