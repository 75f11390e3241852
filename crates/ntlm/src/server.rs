//! The NTLMv2 acceptor ([MS-NLMP] 3.2): NEGOTIATE → CHALLENGE → AUTHENTICATE.

use core::fmt;

use crypto_primitives::{SecretArray, ct_eq_bytes};
use rand_core::CryptoRng;

use crate::Step;
use crate::av_pair::{AvFlags, AvId, AvPair, AvPairs, FileTime, encode_av_pairs};
use crate::credentials::CredentialStore;
use crate::crypto::{self, Key, decrypt_session_key, nt_owf_v2, nt_proof_str, session_base_key};
use crate::error::{Error, ErrorKind, Message, Result};
use crate::flags::NegotiateFlags;
use crate::messages::{AuthenticateMessage, ChallengeMessage, NegotiateMessage, Version, zero_mic};
use crate::ntlmv2::NtlmV2Response;
use crate::session::{Identity, Role, SecurityContext};
use crate::wire::encode_utf16le;

/// What the CHALLENGE's TargetName names ([MS-NLMP] 2.2.2.5 N / O).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetType {
    /// NTLMSSP_TARGET_TYPE_SERVER: a stand-alone server.
    Server,
    /// NTLMSSP_TARGET_TYPE_DOMAIN: a domain.
    Domain,
}

/// Acceptor configuration.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Flags this server is willing to grant; the CHALLENGE grants the
    /// intersection with what the client asked for.
    pub flags: NegotiateFlags,
    /// TargetName sent when the client sets NTLMSSP_REQUEST_TARGET.
    pub target_name: String,
    /// What `target_name` is.
    pub target_type: TargetType,
    /// MsvAvNbComputerName.
    pub nb_computer_name: String,
    /// MsvAvNbDomainName.
    pub nb_domain_name: String,
    /// MsvAvDnsComputerName, if any.
    pub dns_computer_name: Option<String>,
    /// MsvAvDnsDomainName, if any.
    pub dns_domain_name: Option<String>,
    /// MsvAvDnsTreeName, if any.
    pub dns_tree_name: Option<String>,
    /// MsvAvTimestamp (the server's current time; the crate reads no clock).
    /// With a timestamp, clients send a MIC and no LMv2 response.
    pub timestamp: Option<FileTime>,
    /// VERSION sent in the CHALLENGE (with NTLMSSP_NEGOTIATE_VERSION, when
    /// the client asked for it). [`Self::new`] sets [`Self::DEFAULT_VERSION`],
    /// as Windows always sends one; `None` sends none, and clients such as
    /// pyspnego then put the AUTHENTICATE's MIC at offset 64 (accepted).
    pub version: Option<Version>,
    /// Accept anonymous AUTHENTICATE messages (empty user and NT response).
    /// Off by default: an anonymous context proves nothing about the peer and
    /// its session keys derive from a zero SessionBaseKey.
    pub allow_anonymous: bool,
    /// Refuse an AUTHENTICATE without a MIC (MsvAvFlags bit 0x2). On by
    /// default; every client this crate was tested against sends one.
    pub require_mic: bool,
    /// When set, the client's MsvAvChannelBindings must equal this hash
    /// (see [`crypto::channel_bindings_hash`]).
    pub channel_bindings: Option<[u8; 16]>,
}

impl ServerConfig {
    /// Flags granted by default (when asked): SIGN, SEAL, ALWAYS_SIGN, NTLM,
    /// EXTENDED_SESSIONSECURITY, 128, 56, KEY_EXCH, UNICODE, OEM, VERSION.
    pub const DEFAULT_FLAGS: NegotiateFlags = NegotiateFlags::UNICODE
        .union(NegotiateFlags::OEM)
        .union(NegotiateFlags::SIGN)
        .union(NegotiateFlags::SEAL)
        .union(NegotiateFlags::NTLM)
        .union(NegotiateFlags::ALWAYS_SIGN)
        .union(NegotiateFlags::EXTENDED_SESSIONSECURITY)
        .union(NegotiateFlags::NEGOTIATE_128)
        .union(NegotiateFlags::NEGOTIATE_56)
        .union(NegotiateFlags::KEY_EXCH)
        .union(NegotiateFlags::VERSION);

    /// The VERSION [`Self::new`] announces: 10.0.20348 (Windows Server 2022),
    /// NTLMSSP_REVISION_W2K3. Informational only ([MS-NLMP] 2.2.2.10).
    pub const DEFAULT_VERSION: Version = Version::new(10, 0, 20348);

    /// A stand-alone server named `computer` in NetBIOS domain `domain`
    /// (also the TargetName), with MsvAvTimestamp `now` and
    /// [`Self::DEFAULT_VERSION`].
    pub fn new(computer: &str, domain: &str, now: FileTime) -> Self {
        Self {
            flags: Self::DEFAULT_FLAGS,
            target_name: computer.to_owned(),
            target_type: TargetType::Server,
            nb_computer_name: computer.to_owned(),
            nb_domain_name: domain.to_owned(),
            dns_computer_name: None,
            dns_domain_name: None,
            dns_tree_name: None,
            timestamp: Some(now),
            version: Some(Self::DEFAULT_VERSION),
            allow_anonymous: false,
            require_mic: true,
            channel_bindings: None,
        }
    }

    /// [MS-NLMP] 3.2.5.1.1: the CHALLENGE flags for a client's NEGOTIATE flags.
    fn challenge_flags(&self, client: NegotiateFlags) -> Result<NegotiateFlags> {
        let reject = || {
            Error::new(
                ErrorKind::FlagsRejected,
                Message::Negotiate,
                "NegotiateFlags",
                "3.2.5.1.1",
            )
            .at(12)
        };
        if !client.contains(NegotiateFlags::EXTENDED_SESSIONSECURITY)
            || !self
                .flags
                .contains(NegotiateFlags::EXTENDED_SESSIONSECURITY)
        {
            return Err(reject());
        }
        let mut flags = NegotiateFlags::TARGET_INFO;
        if client.contains(NegotiateFlags::UNICODE) && self.flags.contains(NegotiateFlags::UNICODE)
        {
            flags |= NegotiateFlags::UNICODE;
        } else if client.contains(NegotiateFlags::OEM) && self.flags.contains(NegotiateFlags::OEM) {
            flags |= NegotiateFlags::OEM;
        } else {
            return Err(reject());
        }
        if client.contains(NegotiateFlags::REQUEST_TARGET) {
            flags |= NegotiateFlags::REQUEST_TARGET
                | match self.target_type {
                    TargetType::Server => NegotiateFlags::TARGET_TYPE_SERVER,
                    TargetType::Domain => NegotiateFlags::TARGET_TYPE_DOMAIN,
                };
        }
        let grantable = NegotiateFlags::SIGN
            | NegotiateFlags::SEAL
            | NegotiateFlags::ALWAYS_SIGN
            | NegotiateFlags::NTLM
            | NegotiateFlags::EXTENDED_SESSIONSECURITY
            | NegotiateFlags::NEGOTIATE_128
            | NegotiateFlags::NEGOTIATE_56
            | NegotiateFlags::KEY_EXCH;
        flags |= client & self.flags & grantable;
        if self.version.is_some() && self.flags.contains(NegotiateFlags::VERSION) {
            flags |= NegotiateFlags::VERSION;
        }
        Ok(flags)
    }

    fn target_info(&self) -> Result<Vec<u8>> {
        let nb_domain = encode_utf16le(&self.nb_domain_name);
        let nb_computer = encode_utf16le(&self.nb_computer_name);
        let dns_domain = self.dns_domain_name.as_deref().map(encode_utf16le);
        let dns_computer = self.dns_computer_name.as_deref().map(encode_utf16le);
        let dns_tree = self.dns_tree_name.as_deref().map(encode_utf16le);
        // Windows order: 2, 1, 4, 3, 5, 7.
        let mut pairs = vec![
            AvPair::NbDomainName(&nb_domain),
            AvPair::NbComputerName(&nb_computer),
        ];
        if let Some(v) = &dns_domain {
            pairs.push(AvPair::DnsDomainName(v));
        }
        if let Some(v) = &dns_computer {
            pairs.push(AvPair::DnsComputerName(v));
        }
        if let Some(v) = &dns_tree {
            pairs.push(AvPair::DnsTreeName(v));
        }
        if let Some(t) = self.timestamp {
            pairs.push(AvPair::Timestamp(t));
        }
        encode_av_pairs(&pairs)
    }
}

/// Where an [`NtlmServer`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerState {
    /// Waiting for the client's NEGOTIATE.
    AwaitingNegotiate,
    /// CHALLENGE sent; waiting for AUTHENTICATE.
    AwaitingAuthenticate,
    /// Authenticated; the context is ready.
    Complete,
    /// Authentication failed (or the peer sent something invalid).
    Failed,
}

enum Inner {
    AwaitingNegotiate,
    AwaitingAuthenticate {
        negotiate: Vec<u8>,
        challenge: Vec<u8>,
    },
    Complete(Box<SecurityContext>),
    Taken,
    Failed,
}

/// The NTLMv2 acceptor, sans-IO.
///
/// ```text
/// step(Some(NEGOTIATE))    -> Step::Continue(CHALLENGE)
/// step(Some(AUTHENTICATE)) -> Step::Complete(None)   (or a logon error)
/// ```
///
/// NTLMv1/LM responses are refused ([`ErrorKind::NtlmV1Refused`]); anonymous
/// logons are refused unless [`ServerConfig::allow_anonymous`]. NTProofStr is
/// computed over the client's blob exactly as received. Map every error with
/// [`Error::is_logon_failure`] to one generic "logon denied" on the wire.
pub struct NtlmServer<S> {
    config: ServerConfig,
    store: S,
    server_challenge: [u8; 8],
    inner: Inner,
}

impl<S> NtlmServer<S> {
    /// The current state.
    pub fn state(&self) -> ServerState {
        match self.inner {
            Inner::AwaitingNegotiate => ServerState::AwaitingNegotiate,
            Inner::AwaitingAuthenticate { .. } => ServerState::AwaitingAuthenticate,
            Inner::Complete(_) | Inner::Taken => ServerState::Complete,
            Inner::Failed => ServerState::Failed,
        }
    }

    context_accessors!("server", "3.2.5");
}

impl<S: CredentialStore> NtlmServer<S> {
    /// A server drawing its 8-byte ServerChallenge from `rng`.
    pub fn new<R: CryptoRng + ?Sized>(config: ServerConfig, store: S, rng: &mut R) -> Self {
        let mut server_challenge = [0u8; 8];
        rng.fill_bytes(&mut server_challenge);
        Self::with_server_challenge(config, store, server_challenge)
    }

    /// A server with an explicit ServerChallenge (deterministic tests).
    pub fn with_server_challenge(
        config: ServerConfig,
        store: S,
        server_challenge: [u8; 8],
    ) -> Self {
        Self {
            config,
            store,
            server_challenge,
            inner: Inner::AwaitingNegotiate,
        }
    }

    /// A server that already exchanged `negotiate` and `challenge` (e.g. a
    /// stateless HTTP acceptor that kept them between requests, or a replay of
    /// a recorded exchange): it next expects the AUTHENTICATE.
    pub fn resume(
        config: ServerConfig,
        store: S,
        negotiate: &[u8],
        challenge: &[u8],
    ) -> Result<Self> {
        NegotiateMessage::parse(negotiate)?;
        let server_challenge = ChallengeMessage::parse(challenge)?.server_challenge;
        Ok(Self {
            config,
            store,
            server_challenge,
            inner: Inner::AwaitingAuthenticate {
                negotiate: negotiate.to_vec(),
                challenge: challenge.to_vec(),
            },
        })
    }

    /// Advances the exchange with the client's token.
    ///
    /// Calling it in the wrong state (or with `None`) is a caller error and
    /// changes nothing; any error while processing a client message ends the
    /// exchange ([`ServerState::Failed`]).
    pub fn step(&mut self, input: Option<&[u8]>) -> Result<Step> {
        let Some(input) = input else {
            return Err(Error::api(ErrorKind::InvalidState, "step", "3.2.5"));
        };
        match core::mem::replace(&mut self.inner, Inner::Failed) {
            Inner::AwaitingNegotiate => {
                let challenge = self.challenge(input)?;
                self.inner = Inner::AwaitingAuthenticate {
                    negotiate: input.to_vec(),
                    challenge: challenge.clone(),
                };
                Ok(Step::Continue(challenge))
            }
            Inner::AwaitingAuthenticate {
                negotiate,
                challenge,
            } => {
                let context = self.verify(&negotiate, &challenge, input)?;
                self.inner = Inner::Complete(Box::new(context));
                Ok(Step::Complete(None))
            }
            other => {
                self.inner = other;
                Err(Error::api(ErrorKind::InvalidState, "step", "3.2.5"))
            }
        }
    }

    /// [MS-NLMP] 3.2.5.1.1: NEGOTIATE in, CHALLENGE out.
    fn challenge(&self, negotiate: &[u8]) -> Result<Vec<u8>> {
        let neg = NegotiateMessage::parse(negotiate)?;
        let flags = self.config.challenge_flags(neg.flags)?;
        let target_info = self.config.target_info()?;
        let target_name = if flags.contains(NegotiateFlags::REQUEST_TARGET) {
            if flags.contains(NegotiateFlags::UNICODE) {
                encode_utf16le(&self.config.target_name)
            } else {
                self.config.target_name.bytes().collect()
            }
        } else {
            Vec::new()
        };
        ChallengeMessage {
            target_name: &target_name,
            flags,
            server_challenge: self.server_challenge,
            reserved: [0; 8],
            target_info: AvPairs::parse(&target_info)?,
            version: if flags.contains(NegotiateFlags::VERSION) {
                self.config.version
            } else {
                None
            },
            layout: None,
        }
        .to_bytes()
    }

    /// [MS-NLMP] 3.2.5.1.2: verify the AUTHENTICATE, derive the keys.
    fn verify(
        &self,
        negotiate: &[u8],
        challenge: &[u8],
        auth_bytes: &[u8],
    ) -> Result<SecurityContext> {
        let auth = AuthenticateMessage::parse(auth_bytes)?;
        let at_auth = |kind, field, section, at| {
            Error::new(kind, Message::Authenticate, field, section).at(at)
        };
        let nt_at = auth
            .layout
            .and_then(|l| l.descriptors.get(1).copied())
            .map_or(0, |d| usize::try_from(d.offset).unwrap_or(0));

        let user = auth.user_name_string()?;
        let domain = auth.domain_name_string()?;
        let workstation = auth.workstation_string()?;

        // Anonymous: empty user and NT response, LM response empty or Z(1).
        if user.is_empty()
            && auth.nt_challenge_response.is_empty()
            && matches!(auth.lm_challenge_response, [] | [0])
        {
            if !self.config.allow_anonymous {
                return Err(at_auth(
                    ErrorKind::AnonymousRefused,
                    "UserNameFields",
                    "3.2.5.1.2",
                    36,
                ));
            }
            let zero: Key = SecretArray::new([0; 16]);
            let exported = self.exported_session_key(&auth, zero)?;
            let identity = Identity {
                user,
                domain,
                workstation,
                anonymous: true,
            };
            return Ok(SecurityContext::new(
                Role::Server,
                auth.flags,
                exported,
                identity,
                None,
            ));
        }

        // NTLMv1 (24-byte response) or LM-only: refused.
        if auth.nt_challenge_response.len() == 24 || auth.nt_challenge_response.is_empty() {
            return Err(at_auth(
                ErrorKind::NtlmV1Refused,
                "NtChallengeResponseFields",
                "3.3.1",
                20,
            ));
        }
        let response = NtlmV2Response::parse(auth.nt_challenge_response)
            .map_err(|e| e.shifted(nt_at, Message::Authenticate))?;
        if !auth
            .flags
            .contains(NegotiateFlags::EXTENDED_SESSIONSECURITY)
        {
            return Err(at_auth(
                ErrorKind::FlagsRejected,
                "NegotiateFlags",
                "3.2.5.1.2",
                60,
            ));
        }

        let nt_hash = self
            .store
            .nt_hash(&domain, &user)
            .ok_or_else(|| at_auth(ErrorKind::UnknownUser, "UserNameFields", "3.2.5.1.2", 36))?;
        let server_challenge = self.server_challenge;
        let response_key = nt_owf_v2(&nt_hash, &user, &domain);
        // NTProofStr over the blob exactly as received ([MS-NLMP] 3.3.2):
        // FreeRDP pads it after MsvAvEOL; rebuilding it would reject FreeRDP.
        let expected = nt_proof_str(
            &response_key,
            &server_challenge,
            response.client_challenge.as_bytes(),
        );
        if !ct_eq_bytes(&expected, &response.nt_proof_str) {
            return Err(at_auth(
                ErrorKind::NtProofMismatch,
                "NTProofStr",
                "3.3.2",
                nt_at,
            ));
        }
        let key_exchange_key = session_base_key(&response_key, &response.nt_proof_str);
        let exported = self.exported_session_key(&auth, key_exchange_key)?;

        let pairs = response.client_challenge.av_pairs;
        let mic_provided = pairs
            .flags()
            .is_some_and(|f| f.contains(AvFlags::MIC_PROVIDED));
        if mic_provided {
            let (Some(received), Some(mic_at)) = (auth.mic, auth.mic_offset()) else {
                return Err(at_auth(
                    ErrorKind::MicMissing,
                    "MIC",
                    "3.2.5.1.2",
                    AuthenticateMessage::MIC_OFFSET,
                ));
            };
            let computed = crypto::mic(
                &exported,
                negotiate,
                challenge,
                &zero_mic(auth_bytes, mic_at),
            );
            if !ct_eq_bytes(&computed, &received) {
                return Err(at_auth(ErrorKind::MicMismatch, "MIC", "3.2.5.1.2", mic_at));
            }
        } else if self.config.require_mic {
            return Err(at_auth(
                ErrorKind::MicMissing,
                "MsvAvFlags",
                "3.2.5.1.2",
                nt_at,
            ));
        }

        if let Some(expected) = &self.config.channel_bindings {
            let ok = pairs
                .channel_bindings()
                .is_some_and(|got| ct_eq_bytes(&got, expected));
            if !ok {
                return Err(at_auth(
                    ErrorKind::ChannelBindingsMismatch,
                    "MsvAvChannelBindings",
                    "3.2.5.1.2",
                    nt_at,
                ));
            }
        }

        let target_name = match pairs.get(AvId::TargetName) {
            Some(p) => p
                .text()
                .transpose()
                .map_err(|e| e.shifted(nt_at, Message::Authenticate))?,
            None => None,
        };
        let identity = Identity {
            user,
            domain,
            workstation,
            anonymous: false,
        };
        Ok(
            SecurityContext::new(Role::Server, auth.flags, exported, identity, target_name)
                .with_mic_provided(mic_provided),
        )
    }

    /// ExportedSessionKey from the KeyExchangeKey ([MS-NLMP] 3.2.5.1.2).
    fn exported_session_key(
        &self,
        auth: &AuthenticateMessage<'_>,
        key_exchange_key: Key,
    ) -> Result<Key> {
        if !auth.flags.contains(NegotiateFlags::KEY_EXCH) {
            return Ok(key_exchange_key);
        }
        let encrypted: [u8; 16] = auth.encrypted_random_session_key.try_into().map_err(|_| {
            Error::new(
                ErrorKind::InvalidSessionKey,
                Message::Authenticate,
                "EncryptedRandomSessionKeyFields",
                "3.2.5.1.2",
            )
            .at(52)
        })?;
        Ok(decrypt_session_key(&key_exchange_key, &encrypted))
    }
}

impl<S> fmt::Debug for NtlmServer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NtlmServer")
            .field("config", &self.config)
            .field("store", &"<credential store>")
            .field("server_challenge", &self.server_challenge)
            .field("state", &self.state())
            .field("context", &self.context())
            .finish()
    }
}
