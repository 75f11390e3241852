//! [MS-GRVSSTPS] 2.2 security messages.
//!
//! Every message starts with the 3-byte header {major = 1, minor = 3 or 4,
//! message ID}. Device-layer and account-layer messages reuse the same IDs,
//! so the ID alone does not say which message a token is: the command that
//! carries it does ([MS-GRVSSTPS] 3.1.3). [`SecurityToken::parse`] therefore
//! takes a [`Carrier`].

use crate::codec::{Reader, Writer, encode};
use crate::consts::{
    MAX_SECURITY_MESSAGE_LEN, SEC_ACCOUNT_ON_NEW_DEVICE, SEC_ACCOUNT_REGISTER,
    SEC_ACCOUNT_REGISTER_RESPONSE, SEC_ATTACH, SEC_ATTACH_AUTHENTICATE, SEC_ATTACH_RESPONSE,
    SEC_ATTACH_RESPONSE_ACCOUNT_REGISTRATION_NEEDED, SEC_ATTACH_RESPONSE_AUTHENTICATION_FAILED,
    SEC_ATTACH_RESPONSE_NEW_DEVICE_REGISTRATION_NEEDED, SEC_CONNECT, SEC_CONNECT_AUTHENTICATE,
    SEC_CONNECT_RESPONSE, SEC_CONNECT_RESPONSE_AUTHENTICATION_FAILED,
    SEC_CONNECT_RESPONSE_DEVICE_REGISTRATION_NEEDED, SEC_DEVICE_ACCOUNT_REGISTER,
    SEC_DEVICE_ACCOUNT_REGISTER_RESPONSE, SEC_IDENTITY_REGISTER, SEC_MAJOR_VERSION,
};
use crate::error::{Error, ErrorKind, Spec};

mod account;
mod device;
mod keys;

pub(crate) use account::IDENTITY_LISTS;
pub use account::{
    AccountLayerMessage, IdentityLists, SecAccountOnNewDevice, SecAccountRegister,
    SecAccountRegisterResponse, SecAttach, SecAttachAuthenticate, SecAttachResponse,
    SecAttachResponseAccountRegistrationNeeded, SecAttachResponseAuthenticationFailed,
    SecAttachResponseNewDeviceRegistrationNeeded, SecIdentityRegister,
};
pub use device::{
    SecConnect, SecConnectAuthenticate, SecConnectResponse, SecConnectResponseAuthenticationFailed,
    SecConnectResponseDeviceRegistrationNeeded, SecDeviceAccountRegister,
    SecDeviceAccountRegisterResponse,
};
pub use keys::PublicKeysObject;
pub(crate) use keys::SPEC as PUBLIC_KEYS_OBJECT;

/// The security header's minor version ([MS-GRVSSTPS] 2.2: "MUST be 3 or 4").
///
/// Kept as received. Groove clients send 3 in device-layer and 4 in
/// account-layer messages; Microsoft relays are documented to always send 4
/// (product note <1>), although the relay in the §4 traces sends 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MinorVersion {
    /// Minor version 3.
    V3 = 3,
    /// Minor version 4.
    V4 = 4,
}

impl MinorVersion {
    /// The byte on the wire.
    pub const fn to_u8(self) -> u8 {
        self as u8
    }

    /// The version for a byte, if it is 3 or 4.
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            3 => Some(Self::V3),
            4 => Some(Self::V4),
            _ => None,
        }
    }
}

/// Which ID space a message belongs to ([MS-GRVSSTPS] 2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Device layer messages.
    Device,
    /// Account layer messages.
    Account,
}

/// What carries a token: one of the eight SSTP commands of
/// [MS-GRVSSTPS] 3.1.3, or one of the two device-layer messages that nest an
/// account-layer message (3.1.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Carrier {
    /// Connect: SecConnect.
    Connect,
    /// ConnectResponse: SecConnectResponse and its two failure forms.
    ConnectResponse,
    /// ConnectAuthenticate: SecConnectAuthenticate.
    ConnectAuthenticate,
    /// Attach: SecAttach.
    Attach,
    /// AttachResponse: SecAttachResponse and its three other forms.
    AttachResponse,
    /// AttachAuthenticate: SecAttachAuthenticate.
    AttachAuthenticate,
    /// Register: SecDeviceAccountRegister or SecIdentityRegister.
    Register,
    /// RegisterResponse: SecDeviceAccountRegisterResponse.
    RegisterResponse,
    /// The AccountLayerMessage of SecDeviceAccountRegister: SecAccountRegister
    /// or SecAccountOnNewDevice.
    SecDeviceAccountRegister,
    /// The AccountLayerMessage of SecDeviceAccountRegisterResponse:
    /// SecAccountRegisterResponse.
    SecDeviceAccountRegisterResponse,
}

impl Carrier {
    /// Every carrier.
    pub const ALL: [Self; 10] = [
        Self::Connect,
        Self::ConnectResponse,
        Self::ConnectAuthenticate,
        Self::Attach,
        Self::AttachResponse,
        Self::AttachAuthenticate,
        Self::Register,
        Self::RegisterResponse,
        Self::SecDeviceAccountRegister,
        Self::SecDeviceAccountRegisterResponse,
    ];

    /// The carrier's name.
    pub const fn name(self) -> &'static str {
        self.token_spec().name
    }

    /// Whether a token with this `MessageID` may travel in this carrier
    /// ([MS-GRVSSTPS] 3.1.3).
    pub const fn accepts(self, message_id: u8) -> bool {
        matches!(
            (self, message_id),
            (Self::Connect, SEC_CONNECT)
                | (
                    Self::ConnectResponse,
                    SEC_CONNECT_RESPONSE
                        | SEC_CONNECT_RESPONSE_DEVICE_REGISTRATION_NEEDED
                        | SEC_CONNECT_RESPONSE_AUTHENTICATION_FAILED
                )
                | (Self::ConnectAuthenticate, SEC_CONNECT_AUTHENTICATE)
                | (Self::Attach, SEC_ATTACH)
                | (
                    Self::AttachResponse,
                    SEC_ATTACH_RESPONSE
                        | SEC_ATTACH_RESPONSE_ACCOUNT_REGISTRATION_NEEDED
                        | SEC_ATTACH_RESPONSE_NEW_DEVICE_REGISTRATION_NEEDED
                        | SEC_ATTACH_RESPONSE_AUTHENTICATION_FAILED
                )
                | (Self::AttachAuthenticate, SEC_ATTACH_AUTHENTICATE)
                | (
                    Self::Register,
                    SEC_DEVICE_ACCOUNT_REGISTER | SEC_IDENTITY_REGISTER
                )
                | (Self::RegisterResponse, SEC_DEVICE_ACCOUNT_REGISTER_RESPONSE)
                | (
                    Self::SecDeviceAccountRegister,
                    SEC_ACCOUNT_REGISTER | SEC_ACCOUNT_ON_NEW_DEVICE
                )
                | (
                    Self::SecDeviceAccountRegisterResponse,
                    SEC_ACCOUNT_REGISTER_RESPONSE
                )
        )
    }

    const fn token_spec(self) -> Spec {
        match self {
            Self::Connect => Spec::new("Connect.AuthenticationToken", "[MS-GRVSSTPS] 3.1.3.1"),
            Self::ConnectResponse => Spec::new(
                "ConnectResponse.AuthenticationToken",
                "[MS-GRVSSTPS] 3.1.3.1",
            ),
            Self::ConnectAuthenticate => Spec::new(
                "ConnectAuthenticate.AuthenticationToken",
                "[MS-GRVSSTPS] 3.1.3.1",
            ),
            Self::Attach => Spec::new("Attach.AuthenticationToken", "[MS-GRVSSTPS] 3.1.3.2"),
            Self::AttachResponse => Spec::new(
                "AttachResponse.AuthenticationToken",
                "[MS-GRVSSTPS] 3.1.3.2",
            ),
            Self::AttachAuthenticate => Spec::new(
                "AttachAuthenticate.AuthenticationToken",
                "[MS-GRVSSTPS] 3.1.3.2",
            ),
            Self::Register => Spec::new("Register.RegistrationToken", "[MS-GRVSSTPS] 3.1.3.3"),
            Self::RegisterResponse => Spec::new(
                "RegisterResponse.RegistrationToken",
                "[MS-GRVSSTPS] 3.1.3.3",
            ),
            Self::SecDeviceAccountRegister => Spec::new(
                "SecDeviceAccountRegister.AccountLayerMessage",
                "[MS-GRVSSTPS] 3.1.3.3",
            ),
            Self::SecDeviceAccountRegisterResponse => Spec::new(
                "SecDeviceAccountRegisterResponse.AccountLayerMessage",
                "[MS-GRVSSTPS] 3.1.3.3",
            ),
        }
    }
}

/// Reads and checks the 3-byte header. Returns the minor version and the
/// message ID.
fn read_header(r: &mut Reader<'_>, whole_len: usize) -> Result<(MinorVersion, u8), Error> {
    let at = r.offset();
    if whole_len > MAX_SECURITY_MESSAGE_LEN {
        return Err(r.err(
            "(whole message)",
            at,
            ErrorKind::MessageTooLarge {
                actual: whole_len,
                max: MAX_SECURITY_MESSAGE_LEN,
            },
        ));
    }
    let major = r.u8("MajorVersionNumber")?;
    if major != SEC_MAJOR_VERSION {
        return Err(r.err(
            "MajorVersionNumber",
            at,
            ErrorKind::UnsupportedMajorVersion { actual: major },
        ));
    }
    let minor_raw = r.u8("MinorVersionNumber")?;
    let minor = MinorVersion::from_u8(minor_raw).ok_or_else(|| {
        r.err(
            "MinorVersionNumber",
            at + 1,
            ErrorKind::UnsupportedMinorVersion { actual: minor_raw },
        )
    })?;
    let id = r.u8("MessageID")?;
    Ok((minor, id))
}

pub(crate) fn parse_message<'a, T>(
    bytes: &'a [u8],
    base: usize,
    spec: Spec,
    expected_id: u8,
    body: impl FnOnce(&mut Reader<'a>, MinorVersion) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut r = Reader::new(bytes, base, spec);
    let (minor, id) = read_header(&mut r, bytes.len())?;
    if id != expected_id {
        return Err(r.err(
            "MessageID",
            base + 2,
            ErrorKind::UnexpectedMessageId {
                expected: expected_id,
                actual: id,
            },
        ));
    }
    let msg = body(&mut r, minor)?;
    r.finish()?;
    Ok(msg)
}

pub(crate) fn encode_message(
    out: &mut Vec<u8>,
    spec: Spec,
    id: u8,
    minor: MinorVersion,
    body: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    encode(out, spec, |w| {
        w.u8(SEC_MAJOR_VERSION);
        w.u8(minor.to_u8());
        w.u8(id);
        body(w)?;
        let actual = w.offset();
        if actual > MAX_SECURITY_MESSAGE_LEN {
            return Err(Error::caller(
                spec,
                "(whole message)",
                0,
                ErrorKind::MessageTooLarge {
                    actual,
                    max: MAX_SECURITY_MESSAGE_LEN,
                },
            ));
        }
        Ok(())
    })
}

/// Implements `parse`, `serialize_into` and `to_vec` for one message type.
macro_rules! sec_message {
    ($ty:ident $(<$lt:lifetime>)?, $name:literal, $section:literal, $id:path, $layer:expr) => {
        impl<'a> $ty $(<$lt>)? {
            /// The `MessageID` of this message.
            pub const MESSAGE_ID: u8 = $id;
            /// The layer whose ID space [`Self::MESSAGE_ID`] belongs to.
            pub const LAYER: $crate::sec::Layer = $layer;
            pub(crate) const SPEC: $crate::error::Spec =
                $crate::error::Spec::new($name, $section);

            /// Decodes the message from exactly `bytes`, header included.
            pub fn parse(bytes: &'a [u8]) -> Result<Self, $crate::Error> {
                Self::parse_at(bytes, 0)
            }

            pub(crate) fn parse_at(bytes: &'a [u8], base: usize) -> Result<Self, $crate::Error> {
                $crate::sec::parse_message(
                    bytes,
                    base,
                    Self::SPEC,
                    Self::MESSAGE_ID,
                    Self::decode_body,
                )
            }

            /// Appends the encoded message to `out` (left unchanged on error).
            pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), $crate::Error> {
                $crate::sec::encode_message(
                    out,
                    Self::SPEC,
                    Self::MESSAGE_ID,
                    self.minor_version,
                    |w| self.encode_body(w),
                )
            }

            /// The encoded message.
            pub fn to_vec(&self) -> Result<Vec<u8>, $crate::Error> {
                let mut out = Vec::new();
                self.serialize_into(&mut out)?;
                Ok(out)
            }
        }
    };
}

/// A message that is only the 3-byte header.
macro_rules! header_only_message {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $section:literal, $id:path, $layer:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $ty {
            /// MinorVersionNumber, as received.
            pub minor_version: $crate::sec::MinorVersion,
        }

        impl $ty {
            fn decode_body(
                _: &mut $crate::codec::Reader<'_>,
                minor_version: $crate::sec::MinorVersion,
            ) -> Result<Self, $crate::Error> {
                Ok(Self { minor_version })
            }

            #[allow(clippy::unnecessary_wraps, clippy::unused_self)]
            fn encode_body(&self, _: &mut $crate::codec::Writer<'_>) -> Result<(), $crate::Error> {
                Ok(())
            }
        }

        $crate::sec::sec_message!($ty, $name, $section, $id, $layer);
    };
}

pub(crate) use {header_only_message, sec_message};

/// Any of the 17 security messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityToken<'a> {
    /// 2.2.1.
    SecConnect(SecConnect<'a>),
    /// 2.2.2.
    SecConnectResponse(SecConnectResponse<'a>),
    /// 2.2.3.
    SecConnectResponseDeviceRegistrationNeeded(SecConnectResponseDeviceRegistrationNeeded),
    /// 2.2.4.
    SecConnectResponseAuthenticationFailed(SecConnectResponseAuthenticationFailed),
    /// 2.2.5.
    SecConnectAuthenticate(SecConnectAuthenticate<'a>),
    /// 2.2.6.
    SecAttach(SecAttach<'a>),
    /// 2.2.7.
    SecAttachResponse(SecAttachResponse<'a>),
    /// 2.2.8.
    SecAttachResponseAccountRegistrationNeeded(SecAttachResponseAccountRegistrationNeeded),
    /// 2.2.9.
    SecAttachResponseNewDeviceRegistrationNeeded(SecAttachResponseNewDeviceRegistrationNeeded),
    /// 2.2.10.
    SecAttachResponseAuthenticationFailed(SecAttachResponseAuthenticationFailed),
    /// 2.2.11.
    SecAttachAuthenticate(SecAttachAuthenticate<'a>),
    /// 2.2.12.
    SecDeviceAccountRegister(SecDeviceAccountRegister<'a>),
    /// 2.2.13.
    SecDeviceAccountRegisterResponse(SecDeviceAccountRegisterResponse<'a>),
    /// 2.2.14 (nested in SecDeviceAccountRegister).
    SecAccountRegister(SecAccountRegister<'a>),
    /// 2.2.15 (nested in SecDeviceAccountRegister).
    SecAccountOnNewDevice(SecAccountOnNewDevice<'a>),
    /// 2.2.16 (nested in SecDeviceAccountRegisterResponse).
    SecAccountRegisterResponse(SecAccountRegisterResponse<'a>),
    /// 2.2.17.
    SecIdentityRegister(SecIdentityRegister<'a>),
}

/// Calls `$body` with the message inside any `SecurityToken` variant.
macro_rules! each_token {
    ($token:expr, $m:ident => $body:expr) => {
        match $token {
            SecurityToken::SecConnect($m) => $body,
            SecurityToken::SecConnectResponse($m) => $body,
            SecurityToken::SecConnectResponseDeviceRegistrationNeeded($m) => $body,
            SecurityToken::SecConnectResponseAuthenticationFailed($m) => $body,
            SecurityToken::SecConnectAuthenticate($m) => $body,
            SecurityToken::SecAttach($m) => $body,
            SecurityToken::SecAttachResponse($m) => $body,
            SecurityToken::SecAttachResponseAccountRegistrationNeeded($m) => $body,
            SecurityToken::SecAttachResponseNewDeviceRegistrationNeeded($m) => $body,
            SecurityToken::SecAttachResponseAuthenticationFailed($m) => $body,
            SecurityToken::SecAttachAuthenticate($m) => $body,
            SecurityToken::SecDeviceAccountRegister($m) => $body,
            SecurityToken::SecDeviceAccountRegisterResponse($m) => $body,
            SecurityToken::SecAccountRegister($m) => $body,
            SecurityToken::SecAccountOnNewDevice($m) => $body,
            SecurityToken::SecAccountRegisterResponse($m) => $body,
            SecurityToken::SecIdentityRegister($m) => $body,
        }
    };
}

pub(crate) use each_token;

/// The associated constant `$konst` of the message type inside a variant.
macro_rules! token_const {
    ($token:expr, $konst:ident) => {
        match $token {
            SecurityToken::SecConnect(_) => SecConnect::$konst,
            SecurityToken::SecConnectResponse(_) => SecConnectResponse::$konst,
            SecurityToken::SecConnectResponseDeviceRegistrationNeeded(_) => {
                SecConnectResponseDeviceRegistrationNeeded::$konst
            }
            SecurityToken::SecConnectResponseAuthenticationFailed(_) => {
                SecConnectResponseAuthenticationFailed::$konst
            }
            SecurityToken::SecConnectAuthenticate(_) => SecConnectAuthenticate::$konst,
            SecurityToken::SecAttach(_) => SecAttach::$konst,
            SecurityToken::SecAttachResponse(_) => SecAttachResponse::$konst,
            SecurityToken::SecAttachResponseAccountRegistrationNeeded(_) => {
                SecAttachResponseAccountRegistrationNeeded::$konst
            }
            SecurityToken::SecAttachResponseNewDeviceRegistrationNeeded(_) => {
                SecAttachResponseNewDeviceRegistrationNeeded::$konst
            }
            SecurityToken::SecAttachResponseAuthenticationFailed(_) => {
                SecAttachResponseAuthenticationFailed::$konst
            }
            SecurityToken::SecAttachAuthenticate(_) => SecAttachAuthenticate::$konst,
            SecurityToken::SecDeviceAccountRegister(_) => SecDeviceAccountRegister::$konst,
            SecurityToken::SecDeviceAccountRegisterResponse(_) => {
                SecDeviceAccountRegisterResponse::$konst
            }
            SecurityToken::SecAccountRegister(_) => SecAccountRegister::$konst,
            SecurityToken::SecAccountOnNewDevice(_) => SecAccountOnNewDevice::$konst,
            SecurityToken::SecAccountRegisterResponse(_) => SecAccountRegisterResponse::$konst,
            SecurityToken::SecIdentityRegister(_) => SecIdentityRegister::$konst,
        }
    };
}

impl<'a> SecurityToken<'a> {
    /// Decodes a token that arrived in `carrier`: the carrier picks the ID
    /// space, the ID picks the message ([MS-GRVSSTPS] 3.1.3).
    ///
    /// ```
    /// # use sstp_wire::{Carrier, SecurityToken};
    /// // 0x0A is DeviceRegistrationNeeded in a ConnectResponse...
    /// let t = SecurityToken::parse(Carrier::ConnectResponse, &[1, 3, 0x0A]).unwrap();
    /// assert!(matches!(t, SecurityToken::SecConnectResponseDeviceRegistrationNeeded(_)));
    /// // ...and AccountRegistrationNeeded in an AttachResponse.
    /// let t = SecurityToken::parse(Carrier::AttachResponse, &[1, 3, 0x0A]).unwrap();
    /// assert!(matches!(t, SecurityToken::SecAttachResponseAccountRegistrationNeeded(_)));
    /// ```
    pub fn parse(carrier: Carrier, bytes: &'a [u8]) -> Result<Self, Error> {
        Self::parse_at(carrier, bytes, 0)
    }

    pub(crate) fn parse_at(carrier: Carrier, bytes: &'a [u8], base: usize) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, base, carrier.token_spec());
        let (_, id) = read_header(&mut r, bytes.len())?;
        let token = match (carrier, id) {
            (Carrier::Connect, SEC_CONNECT) => Self::SecConnect(SecConnect::parse_at(bytes, base)?),
            (Carrier::ConnectResponse, SEC_CONNECT_RESPONSE) => {
                Self::SecConnectResponse(SecConnectResponse::parse_at(bytes, base)?)
            }
            (Carrier::ConnectResponse, SEC_CONNECT_RESPONSE_DEVICE_REGISTRATION_NEEDED) => {
                Self::SecConnectResponseDeviceRegistrationNeeded(
                    SecConnectResponseDeviceRegistrationNeeded::parse_at(bytes, base)?,
                )
            }
            (Carrier::ConnectResponse, SEC_CONNECT_RESPONSE_AUTHENTICATION_FAILED) => {
                Self::SecConnectResponseAuthenticationFailed(
                    SecConnectResponseAuthenticationFailed::parse_at(bytes, base)?,
                )
            }
            (Carrier::ConnectAuthenticate, SEC_CONNECT_AUTHENTICATE) => {
                Self::SecConnectAuthenticate(SecConnectAuthenticate::parse_at(bytes, base)?)
            }
            (Carrier::Attach, SEC_ATTACH) => Self::SecAttach(SecAttach::parse_at(bytes, base)?),
            (Carrier::AttachResponse, SEC_ATTACH_RESPONSE) => {
                Self::SecAttachResponse(SecAttachResponse::parse_at(bytes, base)?)
            }
            (Carrier::AttachResponse, SEC_ATTACH_RESPONSE_ACCOUNT_REGISTRATION_NEEDED) => {
                Self::SecAttachResponseAccountRegistrationNeeded(
                    SecAttachResponseAccountRegistrationNeeded::parse_at(bytes, base)?,
                )
            }
            (Carrier::AttachResponse, SEC_ATTACH_RESPONSE_NEW_DEVICE_REGISTRATION_NEEDED) => {
                Self::SecAttachResponseNewDeviceRegistrationNeeded(
                    SecAttachResponseNewDeviceRegistrationNeeded::parse_at(bytes, base)?,
                )
            }
            (Carrier::AttachResponse, SEC_ATTACH_RESPONSE_AUTHENTICATION_FAILED) => {
                Self::SecAttachResponseAuthenticationFailed(
                    SecAttachResponseAuthenticationFailed::parse_at(bytes, base)?,
                )
            }
            (Carrier::AttachAuthenticate, SEC_ATTACH_AUTHENTICATE) => {
                Self::SecAttachAuthenticate(SecAttachAuthenticate::parse_at(bytes, base)?)
            }
            (Carrier::Register, SEC_DEVICE_ACCOUNT_REGISTER) => {
                Self::SecDeviceAccountRegister(SecDeviceAccountRegister::parse_at(bytes, base)?)
            }
            (Carrier::Register, SEC_IDENTITY_REGISTER) => {
                Self::SecIdentityRegister(SecIdentityRegister::parse_at(bytes, base)?)
            }
            (Carrier::RegisterResponse, SEC_DEVICE_ACCOUNT_REGISTER_RESPONSE) => {
                Self::SecDeviceAccountRegisterResponse(SecDeviceAccountRegisterResponse::parse_at(
                    bytes, base,
                )?)
            }
            (Carrier::SecDeviceAccountRegister, SEC_ACCOUNT_REGISTER) => {
                Self::SecAccountRegister(SecAccountRegister::parse_at(bytes, base)?)
            }
            (Carrier::SecDeviceAccountRegister, SEC_ACCOUNT_ON_NEW_DEVICE) => {
                Self::SecAccountOnNewDevice(SecAccountOnNewDevice::parse_at(bytes, base)?)
            }
            (Carrier::SecDeviceAccountRegisterResponse, SEC_ACCOUNT_REGISTER_RESPONSE) => {
                Self::SecAccountRegisterResponse(SecAccountRegisterResponse::parse_at(bytes, base)?)
            }
            (carrier, actual) => {
                return Err(r.err(
                    "MessageID",
                    base + 2,
                    ErrorKind::MessageIdNotValidForCarrier { carrier, actual },
                ));
            }
        };
        Ok(token)
    }

    /// Appends the encoded token to `out` (left unchanged on error).
    pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        each_token!(self, m => m.serialize_into(out))
    }

    /// The encoded token.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.serialize_into(&mut out)?;
        Ok(out)
    }

    /// The message's `MessageID`.
    pub fn message_id(&self) -> u8 {
        token_const!(self, MESSAGE_ID)
    }

    /// The message's layer.
    pub fn layer(&self) -> Layer {
        token_const!(self, LAYER)
    }

    /// The message's name, e.g. `"SecConnect"`.
    pub fn name(&self) -> &'static str {
        token_const!(self, SPEC).name
    }

    /// The specification section of the message, e.g. `"[MS-GRVSSTPS] 2.2.1"`.
    pub fn section(&self) -> &'static str {
        token_const!(self, SPEC).section
    }

    /// The received (or to be sent) minor version.
    pub fn minor_version(&self) -> MinorVersion {
        each_token!(self, m => m.minor_version)
    }
}
