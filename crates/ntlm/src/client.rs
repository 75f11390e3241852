//! The NTLMv2 initiator ([MS-NLMP] 3.1): NEGOTIATE → CHALLENGE → AUTHENTICATE.

use core::fmt;

use crypto_primitives::SecretArray;
use rand_core::CryptoRng;

use crate::Step;
use crate::av_pair::{AvFlags, AvId, AvPair, FileTime, encode_av_pairs};
use crate::credentials::{NtHash, Password};
use crate::crypto::{
    self, Key, encrypt_session_key, lmv2_response, nt_owf_v2, nt_proof_str, session_base_key,
};
use crate::error::{Error, ErrorKind, Message, Result};
use crate::flags::NegotiateFlags;
use crate::messages::{AuthenticateMessage, ChallengeMessage, NegotiateMessage, Version};
use crate::ntlmv2::NtlmV2ClientChallenge;
use crate::session::{Identity, Role, SecurityContext};
use crate::wire::{encode_utf16le, write_at};

/// Initiator configuration.
///
/// The NT hash is derived once from the password; the password itself is not
/// kept.
pub struct ClientConfig {
    /// UserName.
    pub user: String,
    /// DomainName (used as given in NTOWFv2: not upper-cased).
    pub domain: String,
    nt_hash: NtHash,
    /// Workstation name sent in AUTHENTICATE (may be empty).
    pub workstation: String,
    /// Flags requested in NEGOTIATE. NTLMSSP_NEGOTIATE_VERSION is set exactly
    /// when [`Self::version`] is `Some`.
    pub flags: NegotiateFlags,
    /// Flags the CHALLENGE must grant, else the client stops with
    /// [`ErrorKind::FlagsRejected`]. UNICODE and EXTENDED_SESSIONSECURITY are
    /// always required (the only modes implemented).
    pub required_flags: NegotiateFlags,
    /// VERSION sent in NEGOTIATE and AUTHENTICATE ([`Self::new`] sets
    /// [`Self::DEFAULT_VERSION`], as Windows does). With `None` the client
    /// does not negotiate NTLMSSP_NEGOTIATE_VERSION and writes the MIC after
    /// a zero VERSION slot (offset 72, the [MS-NLMP] 2.2.1.3 form), which
    /// FreeRDP's acceptor (reading it at 64) rejects.
    pub version: Option<Version>,
    /// MsvAvTargetName: the SPN of the server (e.g. `TERMSRV/host`).
    pub target_name: Option<String>,
    /// MsvAvChannelBindings: see [`crypto::channel_bindings_hash`]. `None`
    /// sends 16 zero bytes (no bindings).
    pub channel_bindings: Option<[u8; 16]>,
    /// The client's current time, used for the NTLMv2 blob only when the
    /// CHALLENGE carries no MsvAvTimestamp. The crate reads no clock.
    pub timestamp: FileTime,
}

impl ClientConfig {
    /// What Windows and pyspnego request: UNICODE, OEM, REQUEST_TARGET, SIGN,
    /// SEAL, NTLM, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY, 128, KEY_EXCH, 56.
    pub const DEFAULT_FLAGS: NegotiateFlags = NegotiateFlags::UNICODE
        .union(NegotiateFlags::OEM)
        .union(NegotiateFlags::REQUEST_TARGET)
        .union(NegotiateFlags::SIGN)
        .union(NegotiateFlags::SEAL)
        .union(NegotiateFlags::NTLM)
        .union(NegotiateFlags::ALWAYS_SIGN)
        .union(NegotiateFlags::EXTENDED_SESSIONSECURITY)
        .union(NegotiateFlags::NEGOTIATE_128)
        .union(NegotiateFlags::KEY_EXCH)
        .union(NegotiateFlags::NEGOTIATE_56);

    /// Default required flags: SIGN, SEAL, 128 on top of the always-required ones.
    pub const DEFAULT_REQUIRED_FLAGS: NegotiateFlags = NegotiateFlags::SIGN
        .union(NegotiateFlags::SEAL)
        .union(NegotiateFlags::NEGOTIATE_128);

    /// The VERSION [`Self::new`] sends: 10.0.20348, NTLMSSP_REVISION_W2K3.
    pub const DEFAULT_VERSION: Version = Version::new(10, 0, 20348);

    const ALWAYS_REQUIRED: NegotiateFlags =
        NegotiateFlags::UNICODE.union(NegotiateFlags::EXTENDED_SESSIONSECURITY);

    /// A configuration for `domain\user` with a password.
    pub fn new(user: &str, domain: &str, password: &Password) -> Self {
        Self::with_nt_hash(user, domain, NtHash::from_password(password))
    }

    /// A configuration for `domain\user` with a known NT hash.
    pub fn with_nt_hash(user: &str, domain: &str, nt_hash: NtHash) -> Self {
        Self {
            user: user.to_owned(),
            domain: domain.to_owned(),
            nt_hash,
            workstation: String::new(),
            flags: Self::DEFAULT_FLAGS,
            required_flags: Self::DEFAULT_REQUIRED_FLAGS,
            version: Some(Self::DEFAULT_VERSION),
            target_name: None,
            channel_bindings: None,
            timestamp: FileTime(0),
        }
    }

    fn negotiate_flags(&self) -> NegotiateFlags {
        let base = self.flags.difference(
            NegotiateFlags::VERSION
                .union(NegotiateFlags::OEM_DOMAIN_SUPPLIED)
                .union(NegotiateFlags::OEM_WORKSTATION_SUPPLIED),
        );
        if self.version.is_some() {
            base | NegotiateFlags::VERSION
        } else {
            base
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .field("nt_hash", &self.nt_hash)
            .field("workstation", &self.workstation)
            .field("flags", &self.flags)
            .field("required_flags", &self.required_flags)
            .field("version", &self.version)
            .field("target_name", &self.target_name)
            .field("channel_bindings", &self.channel_bindings)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// The initiator's random inputs ([MS-NLMP] 3.1.5.1.2): the 8-byte client
/// challenge and, with KEY_EXCH, the 16-byte ExportedSessionKey.
#[derive(Debug)]
pub struct ClientRandom {
    /// ChallengeFromClient.
    pub client_challenge: [u8; 8],
    /// The random session key (used when KEY_EXCH is negotiated).
    pub exported_session_key: Key,
}

impl ClientRandom {
    /// Explicit values (deterministic tests, replays of recorded exchanges).
    pub fn from_bytes(client_challenge: [u8; 8], exported_session_key: [u8; 16]) -> Self {
        Self {
            client_challenge,
            exported_session_key: SecretArray::new(exported_session_key),
        }
    }

    /// Draws both values from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut client_challenge = [0u8; 8];
        rng.fill_bytes(&mut client_challenge);
        let mut key = [0u8; 16];
        rng.fill_bytes(&mut key);
        let exported_session_key = SecretArray::new(key);
        zeroize::Zeroize::zeroize(&mut key);
        Self {
            client_challenge,
            exported_session_key,
        }
    }
}

/// Where an [`NtlmClient`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientState {
    /// Nothing sent yet: call `step(None)`.
    Initial,
    /// NEGOTIATE sent: call `step(Some(challenge))`.
    AwaitingChallenge,
    /// AUTHENTICATE produced; the context is ready.
    Complete,
    /// A peer error ended the exchange.
    Failed,
}

enum Inner {
    Initial,
    AwaitingChallenge { negotiate: Vec<u8> },
    Complete(Box<SecurityContext>),
    Taken,
    Failed,
}

/// The NTLMv2 initiator, sans-IO.
///
/// ```text
/// step(None)            -> Step::Continue(NEGOTIATE)
/// step(Some(CHALLENGE)) -> Step::Complete(Some(AUTHENTICATE))
/// ```
/// The AUTHENTICATE carries MsvAvFlags with the MIC bit and a MIC over all
/// three messages. Whether the server accepted it is for the outer protocol
/// to report (NTLM itself has no fourth message).
pub struct NtlmClient {
    config: ClientConfig,
    random: Option<ClientRandom>,
    inner: Inner,
}

impl NtlmClient {
    /// A client drawing its client challenge and session key from `rng`.
    pub fn new<R: CryptoRng + ?Sized>(config: ClientConfig, rng: &mut R) -> Self {
        Self::with_random(config, ClientRandom::generate(rng))
    }

    /// A client with explicit random inputs (deterministic tests, replays).
    pub fn with_random(config: ClientConfig, random: ClientRandom) -> Self {
        Self {
            config,
            random: Some(random),
            inner: Inner::Initial,
        }
    }

    /// The current state.
    pub fn state(&self) -> ClientState {
        match self.inner {
            Inner::Initial => ClientState::Initial,
            Inner::AwaitingChallenge { .. } => ClientState::AwaitingChallenge,
            Inner::Complete(_) | Inner::Taken => ClientState::Complete,
            Inner::Failed => ClientState::Failed,
        }
    }

    /// Advances the exchange with the peer's last token (`None` to start).
    ///
    /// Calling it in the wrong state is a caller error and changes nothing;
    /// any error while processing the CHALLENGE ends the exchange
    /// ([`ClientState::Failed`]).
    pub fn step(&mut self, input: Option<&[u8]>) -> Result<Step> {
        match (&self.inner, input) {
            (Inner::Initial, None) => {
                let negotiate =
                    NegotiateMessage::new(self.config.negotiate_flags(), self.config.version)
                        .to_bytes()?;
                self.inner = Inner::AwaitingChallenge {
                    negotiate: negotiate.clone(),
                };
                Ok(Step::Continue(negotiate))
            }
            (Inner::AwaitingChallenge { .. }, Some(challenge)) => {
                let Inner::AwaitingChallenge { negotiate } =
                    core::mem::replace(&mut self.inner, Inner::Failed)
                else {
                    return Err(Error::api(ErrorKind::InvalidState, "step", "3.1.5"));
                };
                let random = self.random.take().ok_or_else(|| {
                    Error::api(ErrorKind::InvalidState, "ClientRandom", "3.1.5.1.2")
                })?;
                let (auth, context) = authenticate(&self.config, random, &negotiate, challenge)?;
                self.inner = Inner::Complete(Box::new(context));
                Ok(Step::Complete(Some(auth)))
            }
            _ => Err(Error::api(ErrorKind::InvalidState, "step", "3.1.5")),
        }
    }

    context_accessors!("client", "3.1.5");
}

/// [MS-NLMP] 3.1.5.1.2: process the CHALLENGE, build the AUTHENTICATE.
fn authenticate(
    config: &ClientConfig,
    random: ClientRandom,
    negotiate: &[u8],
    challenge_bytes: &[u8],
) -> Result<(Vec<u8>, SecurityContext)> {
    let challenge = ChallengeMessage::parse(challenge_bytes)?;
    let offered = challenge.flags;
    if !offered.contains(config.required_flags | ClientConfig::ALWAYS_REQUIRED) {
        return Err(Error::new(
            ErrorKind::FlagsRejected,
            Message::Challenge,
            "NegotiateFlags",
            "3.1.5.1.2",
        )
        .at(20));
    }
    let flags = offered
        & (config.negotiate_flags()
            | NegotiateFlags::TARGET_INFO
            | NegotiateFlags::TARGET_TYPE_SERVER
            | NegotiateFlags::TARGET_TYPE_DOMAIN);

    // The client's AV pairs: the server's, then MsvAvFlags (MIC
    // provided), MsvAvChannelBindings and MsvAvTargetName, then EOL.
    let server_timestamp = challenge.target_info.timestamp();
    let timestamp = server_timestamp.unwrap_or(config.timestamp);
    let av_flags = challenge
        .target_info
        .flags()
        .unwrap_or_default()
        .union(AvFlags::MIC_PROVIDED);
    let spn = config.target_name.as_deref().map(encode_utf16le);
    let mut pairs: Vec<AvPair<'_>> = challenge
        .target_info
        .iter()
        .filter(|p| {
            !matches!(
                p.id(),
                AvId::Flags | AvId::ChannelBindings | AvId::TargetName
            )
        })
        .collect();
    pairs.push(AvPair::Flags(av_flags));
    pairs.push(AvPair::ChannelBindings(
        config.channel_bindings.unwrap_or([0; 16]),
    ));
    if let Some(spn) = &spn {
        pairs.push(AvPair::TargetName(spn));
    }
    let av_pairs = encode_av_pairs(&pairs)?;
    let temp = NtlmV2ClientChallenge::encode(timestamp, &random.client_challenge, &av_pairs);

    // [MS-NLMP] 3.3.2 NTLMv2 responses and keys.
    let response_key = nt_owf_v2(&config.nt_hash, &config.user, &config.domain);
    let proof = nt_proof_str(&response_key, &challenge.server_challenge, &temp);
    if temp.len() > usize::from(u16::MAX) - 16 {
        // The server's TargetInfo is echoed; a huge one cannot fit the
        // 16-bit NtChallengeResponse length.
        return Err(Error::new(
            ErrorKind::InvalidAvPair,
            Message::Challenge,
            "TargetInfoFields",
            "3.1.5.1.2",
        )
        .at(40));
    }
    let mut nt_response = Vec::with_capacity(16 + temp.len());
    nt_response.extend_from_slice(&proof);
    nt_response.extend_from_slice(&temp);
    // With an MsvAvTimestamp from the server the client sends Z(24)
    // instead of an LMv2 response ([MS-NLMP] 3.1.5.1.2).
    let lm_response = if server_timestamp.is_some() {
        [0u8; 24]
    } else {
        lmv2_response(
            &response_key,
            &challenge.server_challenge,
            &random.client_challenge,
        )
    };
    let key_exchange_key = session_base_key(&response_key, &proof);
    let (exported_session_key, encrypted_key) = if flags.contains(NegotiateFlags::KEY_EXCH) {
        let enc = encrypt_session_key(&key_exchange_key, &random.exported_session_key);
        (random.exported_session_key, enc.to_vec())
    } else {
        (key_exchange_key, Vec::new())
    };

    let domain = encode_utf16le(&config.domain);
    let user = encode_utf16le(&config.user);
    let workstation = encode_utf16le(&config.workstation);
    let message = AuthenticateMessage {
        lm_challenge_response: &lm_response,
        nt_challenge_response: &nt_response,
        domain_name: &domain,
        user_name: &user,
        workstation: &workstation,
        encrypted_random_session_key: &encrypted_key,
        flags,
        version: config.version,
        mic: Some([0; 16]),
        layout: None,
    };
    let mut auth = message.to_bytes()?;
    let mic = crypto::mic(&exported_session_key, negotiate, challenge_bytes, &auth);
    let mic_at = message
        .mic_offset()
        .unwrap_or(AuthenticateMessage::MIC_OFFSET);
    write_at(&mut auth, mic_at, &mic);

    let identity = Identity {
        user: config.user.clone(),
        domain: config.domain.clone(),
        workstation: config.workstation.clone(),
        anonymous: false,
    };
    let context = SecurityContext::new(
        Role::Client,
        flags,
        exported_session_key,
        identity,
        config.target_name.clone(),
    )
    .with_mic_provided(true);
    Ok((auth, context))
}

impl fmt::Debug for NtlmClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NtlmClient")
            .field("config", &self.config)
            .field("random", &self.random)
            .field("state", &self.state())
            .field("context", &self.context())
            .finish()
    }
}
