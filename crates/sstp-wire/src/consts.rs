//! Every number this crate puts on the wire, in one table.
//!
//! Each constant says where it comes from:
//!
//! * **SPEC** — stated by [MS-GRVSSTPS] (the seed) or a public [MS-GRVSSTP]
//!   page.
//! * **VERIFIED** — reproduces a [MS-GRVSSTPS] §4 trace byte for byte.
//! * **INFERRED** — published nowhere we could reach; derived from indirect
//!   evidence in the project's SSTP command reference
//!   (`shared/reference/sstp-commands.md`, sections named below). These are
//!   hypotheses: they live here, and only here, so that a capture of real
//!   traffic can correct them in one place.

// ---------------------------------------------------------------------------
// SSTP command framing ([MS-GRVSSTP] 2.2; reference §1.2)
// ---------------------------------------------------------------------------

/// Bytes of the common command header: `CommandId` (1) + `CommandLength`
/// (u16 LE, counting the whole command). VERIFIED (every §4 trace).
pub const COMMAND_HEADER_LEN: usize = 3;
/// Largest `CommandLength` (the field is a u16). SPEC.
pub const MAX_COMMAND_LEN: usize = 0xFFFF;
/// Largest ConnectAuthenticate and Open command ([MS-GRVSSTP] 2.2.3, 2.2.5:
/// "MUST NOT exceed 2055 bytes"). SPEC.
pub const MAX_SMALL_COMMAND_LEN: usize = 2055;
/// A Close command is exactly 8 bytes ([MS-GRVSSTP] 2.2.9). SPEC + VERIFIED (§4.1.9).
pub const CLOSE_LEN: usize = 8;
/// An OpenResponse is `Id | Length | SessionId u32 | ResponseId u8` = 8
/// bytes. VERIFIED (the one OpenResponse in §4.1.4).
pub const OPEN_RESPONSE_LEN: usize = 8;

// ---------------------------------------------------------------------------
// SSTP command IDs (reference §2)
// ---------------------------------------------------------------------------

/// Connect. SPEC + VERIFIED (§4.1.1).
pub const CMD_CONNECT: u8 = 0x01;
/// ConnectResponse. VERIFIED (§4.1.2, §4.3.1).
pub const CMD_CONNECT_RESPONSE: u8 = 0x02;
/// ConnectAuthenticate. **INFERRED** (reference §2, §6.1): one of the five
/// unused IDs in 0x01–0x12, assigned in the spec's listing order.
pub const CMD_CONNECT_AUTHENTICATE: u8 = 0x03;
/// ConnectClose. **INFERRED** (reference §2, §6.1), like
/// [`CMD_CONNECT_AUTHENTICATE`].
pub const CMD_CONNECT_CLOSE: u8 = 0x04;
/// Open. SPEC.
pub const CMD_OPEN: u8 = 0x05;
/// FanoutOpen (not decoded by this crate; yielded as `Command::Unknown`). SPEC.
pub const CMD_FANOUT_OPEN: u8 = 0x06;
/// OpenResponse. VERIFIED (§4.1.4).
pub const CMD_OPEN_RESPONSE: u8 = 0x07;
/// Attach. SPEC + VERIFIED (§4.1.3).
pub const CMD_ATTACH: u8 = 0x08;
/// AttachResponse. VERIFIED (§4.1.4, §4.1.7, §4.2.1).
pub const CMD_ATTACH_RESPONSE: u8 = 0x09;
/// AttachAuthenticate. VERIFIED (§4.1.8).
pub const CMD_ATTACH_AUTHENTICATE: u8 = 0x0A;
/// Register. VERIFIED (§4.1.5, §4.1.10).
pub const CMD_REGISTER: u8 = 0x0B;
/// RegisterResponse. VERIFIED (§4.1.6).
pub const CMD_REGISTER_RESPONSE: u8 = 0x0C;
/// Message (application data; not decoded by this crate). SPEC.
pub const CMD_MESSAGE: u8 = 0x0D;
/// Data (not decoded by this crate). **INFERRED** (reference §2, §6.1).
pub const CMD_DATA: u8 = 0x0E;
/// EndMessage (not decoded by this crate). **INFERRED** (reference §2, §6.1).
pub const CMD_END_MESSAGE: u8 = 0x0F;
/// Noop, the keep-alive. **INFERRED** (reference §2, §6.1).
pub const CMD_NOOP: u8 = 0x10;
/// Close. SPEC + VERIFIED (§4.1.9).
pub const CMD_CLOSE: u8 = 0x11;
/// SessionStatus (not decoded by this crate). SPEC.
pub const CMD_SESSION_STATUS: u8 = 0x12;

// ---------------------------------------------------------------------------
// INFERRED command layouts (reference §3.3, §3.4, §3.9, §3.11, §6)
// ---------------------------------------------------------------------------

/// ConnectAuthenticate: `Id | Length | AuthenticationTokenLength u16 |
/// AuthenticationToken`; the token length sits right after the header.
/// **INFERRED** (reference §3.3, §6.3: the seed proves a token-length field
/// exists; that nothing else is in the command is the inference).
pub const CONNECT_AUTHENTICATE_TOKEN_LENGTH_OFFSET: usize = 3;

/// ConnectClose is `Id | Length | ReasonId u8 | ReturnTime u32 |
/// MessageCount u32` = 12 bytes. **INFERRED** (reference §3.4, §6.2: the
/// three fields are SPEC, their order and widths are not published).
pub const CONNECT_CLOSE_LEN: usize = 12;
/// Offset of ConnectClose `ReasonId` (u8). **INFERRED**, see [`CONNECT_CLOSE_LEN`].
pub const CONNECT_CLOSE_REASON_OFFSET: usize = 3;
/// Offset of ConnectClose `ReturnTime` (u32 LE, seconds). **INFERRED**, see
/// [`CONNECT_CLOSE_LEN`].
pub const CONNECT_CLOSE_RETURN_TIME_OFFSET: usize = 4;
/// Offset of ConnectClose `MessageCount` (u32 LE). **INFERRED**, see
/// [`CONNECT_CLOSE_LEN`].
pub const CONNECT_CLOSE_MESSAGE_COUNT_OFFSET: usize = 8;

/// Noop is `Id | Length | MessageCount u32` = 7 bytes. **INFERRED**
/// (reference §3.11: `MessageCount` is SPEC, the layout is not).
pub const NOOP_LEN: usize = 7;
/// Offset of Noop `MessageCount` (u32 LE). **INFERRED**, see [`NOOP_LEN`].
pub const NOOP_MESSAGE_COUNT_OFFSET: usize = 3;

/// A RegisterResponse "with no authentication token" ([MS-GRVSSTPS]
/// 3.2.5.9, §4.1.11 has no hex) is taken to be either a token length of 0
/// (9 bytes) or a command that stops after the EventId (this many bytes);
/// both decode and re-encode as received. **INFERRED** (reference §3.9, §6.9).
pub const REGISTER_RESPONSE_WITHOUT_TOKEN_FIELD_LEN: usize = 7;

/// The redirect-map entries of ConnectResponse have no known format: when
/// `RedirectMapEntries` is not 0 the rest of the command is kept as opaque
/// bytes. And when `ResponseId` is not Ok, everything after the token is kept
/// opaque (`RetryTime` has no known position). **INFERRED** (reference §3.2,
/// §6.4). Documented here; the decoder implements it in `ConnectResponse`.
pub const CONNECT_RESPONSE_OPAQUE_AFTER_TOKEN_UNLESS_OK: bool = true;

// ---------------------------------------------------------------------------
// Reason, response and flag values (reference §4)
// ---------------------------------------------------------------------------

/// ConnectResponse `Flags` bit: MultiDrop fanout supported. VERIFIED (§4.1.2).
pub const CONNECT_RESPONSE_FLAG_MULTI_DROP: u8 = 0x01;
/// ConnectResponse `Flags` bit: SingleHop fanout supported. VERIFIED (§4.1.2).
pub const CONNECT_RESPONSE_FLAG_SINGLE_HOP: u8 = 0x02;

/// AttachResponse `ResponseId` AwaitingRegister. VERIFIED (§4.1.4, §4.2.1).
pub const ATTACH_RESPONSE_AWAITING_REGISTER: u8 = 0x03;
/// AttachResponse `ResponseId` AttachRejected. **INFERRED** (reference §4.2:
/// [MS-GRVSSTPS] 3.3.5.3 and 3.3.5.4 name it, its number is not published,
/// "0x01 or 0x02 likely"; 0x01 taken). Decodes as `AttachResponseId::Other`;
/// sent as [`crate::AttachResponseId::ATTACH_REJECTED`].
pub const ATTACH_RESPONSE_ATTACH_REJECTED: u8 = 0x01;
/// AttachResponse `ResponseId` AccountUnknown. **INFERRED** (reference §4.2:
/// [MS-GRVSSTPS] 3.3.5.3 step 6 names it, its number is not published; the
/// other of "0x01 or 0x02 likely", 0x02 taken). Decodes as
/// `AttachResponseId::Other`; sent as
/// [`crate::AttachResponseId::ACCOUNT_UNKNOWN`].
pub const ATTACH_RESPONSE_ACCOUNT_UNKNOWN: u8 = 0x02;

/// Close/ConnectClose `ReasonId` StaleConnectAuthenticate. **INFERRED**
/// (reference §4.3, §6.7: the name is in the seed, 0x06 is the gap in the
/// published table).
pub const REASON_STALE_CONNECT_AUTHENTICATE: u8 = 0x06;

// ---------------------------------------------------------------------------
// Security messages ([MS-GRVSSTPS] 2.2)
// ---------------------------------------------------------------------------

/// Bytes of the security message header: major, minor, message ID. SPEC.
pub const SEC_HEADER_LEN: usize = 3;
/// The only major version. SPEC (2.2).
pub const SEC_MAJOR_VERSION: u8 = 1;
/// Largest security message, 0x1800. SPEC (2.2).
pub const MAX_SECURITY_MESSAGE_LEN: usize = 6144;
/// Size of every nonce and IV (the RC4 key length). SPEC (2.2, 2.2.1).
pub const NONCE_LEN: usize = 24;
/// `Reserved1` of SecDeviceAccountRegister and SecAccountRegister as the
/// client must send it: bytes `01 00`. SPEC (2.2.12, 2.2.14).
pub const RESERVED1_VALUE: u16 = 0x0001;

/// Device layer: SecConnect. SPEC.
pub const SEC_CONNECT: u8 = 0x01;
/// Device layer: SecConnectResponse. SPEC.
pub const SEC_CONNECT_RESPONSE: u8 = 0x02;
/// Device layer: SecConnectAuthenticate. SPEC.
pub const SEC_CONNECT_AUTHENTICATE: u8 = 0x03;
/// Device layer: SecDeviceAccountRegister. SPEC.
pub const SEC_DEVICE_ACCOUNT_REGISTER: u8 = 0x04;
/// Device layer: SecDeviceAccountRegisterResponse. SPEC.
pub const SEC_DEVICE_ACCOUNT_REGISTER_RESPONSE: u8 = 0x05;
/// Device layer: SecConnectResponseDeviceRegistrationNeeded. SPEC.
pub const SEC_CONNECT_RESPONSE_DEVICE_REGISTRATION_NEEDED: u8 = 0x0A;
/// Device layer: SecConnectResponseAuthenticationFailed. SPEC.
pub const SEC_CONNECT_RESPONSE_AUTHENTICATION_FAILED: u8 = 0x0C;

/// Account layer: SecAttach. SPEC.
pub const SEC_ATTACH: u8 = 0x01;
/// Account layer: SecAttachResponse. SPEC.
pub const SEC_ATTACH_RESPONSE: u8 = 0x02;
/// Account layer: SecAttachAuthenticate. SPEC.
pub const SEC_ATTACH_AUTHENTICATE: u8 = 0x03;
/// Account layer: SecAccountRegister. SPEC.
pub const SEC_ACCOUNT_REGISTER: u8 = 0x04;
/// Account layer: SecAccountOnNewDevice. SPEC.
pub const SEC_ACCOUNT_ON_NEW_DEVICE: u8 = 0x05;
/// Account layer: SecIdentityRegister. SPEC.
pub const SEC_IDENTITY_REGISTER: u8 = 0x06;
/// Account layer: SecAccountRegisterResponse. SPEC.
pub const SEC_ACCOUNT_REGISTER_RESPONSE: u8 = 0x08;
/// Account layer: SecAttachResponseAccountRegistrationNeeded. SPEC.
pub const SEC_ATTACH_RESPONSE_ACCOUNT_REGISTRATION_NEEDED: u8 = 0x0A;
/// Account layer: SecAttachResponseNewDeviceRegistrationNeeded. SPEC.
pub const SEC_ATTACH_RESPONSE_NEW_DEVICE_REGISTRATION_NEEDED: u8 = 0x0B;
/// Account layer: SecAttachResponseAuthenticationFailed. SPEC.
pub const SEC_ATTACH_RESPONSE_AUTHENTICATION_FAILED: u8 = 0x0C;

/// Public keys object algorithm name "RSA". SPEC (3.1.1.3).
pub const ALG_RSA: &[u8] = b"RSA";
/// Public keys object algorithm name "ELGAMAL". SPEC (3.1.1.3).
pub const ALG_ELGAMAL: &[u8] = b"ELGAMAL";
/// Public keys object key algorithm name "DH". SPEC (3.1.1.3).
pub const ALG_DH: &[u8] = b"DH";
