//! Device-layer messages ([MS-GRVSSTPS] 2.2.1–2.2.5, 2.2.12, 2.2.13).

use crate::ansi::AnsiStr;
use crate::codec::{Nonce, Reader, Writer};
use crate::consts::{
    SEC_CONNECT, SEC_CONNECT_AUTHENTICATE, SEC_CONNECT_RESPONSE,
    SEC_CONNECT_RESPONSE_AUTHENTICATION_FAILED, SEC_CONNECT_RESPONSE_DEVICE_REGISTRATION_NEEDED,
    SEC_DEVICE_ACCOUNT_REGISTER, SEC_DEVICE_ACCOUNT_REGISTER_RESPONSE,
};
use crate::error::{Error, ErrorKind};
use crate::sec::account::{AccountLayerMessage, SecAccountRegisterResponse};
use crate::sec::keys::PublicKeysObject;
use crate::sec::{Carrier, Layer, MinorVersion, SecurityToken, header_only_message, sec_message};

/// [MS-GRVSSTPS] 2.2.1 SecConnect: the client's device challenge, carried by
/// Connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecConnect<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// IV (IVLength must be 24).
    pub iv: Nonce<'a>,
    /// HMAC (HMACLength bytes; HMAC-SHA1 gives 20).
    pub hmac: &'a [u8],
    /// EncryptedDeviceNonce (EncryptedDeviceNonceLength must be 24).
    pub encrypted_device_nonce: Nonce<'a>,
}

impl<'a> SecConnect<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        Ok(Self {
            minor_version,
            iv: r.nonce("IVLength", "IV")?,
            hmac: r.u16_prefixed("HMACLength", "HMAC")?,
            encrypted_device_nonce: r
                .nonce("EncryptedDeviceNonceLength", "EncryptedDeviceNonce")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.nonce(self.iv);
        w.u16_prefixed("HMACLength", self.hmac)?;
        w.nonce(self.encrypted_device_nonce);
        Ok(())
    }
}

sec_message!(
    SecConnect<'a>,
    "SecConnect",
    "[MS-GRVSSTPS] 2.2.1",
    SEC_CONNECT,
    Layer::Device
);

/// [MS-GRVSSTPS] 2.2.2 SecConnectResponse: the relay's answer and counter
/// challenge, carried by ConnectResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecConnectResponse<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// IV (24 bytes).
    pub iv: Nonce<'a>,
    /// HMAC.
    pub hmac: &'a [u8],
    /// DeviceNonce: the client's nonce, decrypted by the relay (24 bytes).
    pub device_nonce: Nonce<'a>,
    /// EncryptedRelayNonce (24 bytes).
    pub encrypted_relay_nonce: Nonce<'a>,
}

impl<'a> SecConnectResponse<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        Ok(Self {
            minor_version,
            iv: r.nonce("IVLength", "IV")?,
            hmac: r.u16_prefixed("HMACLength", "HMAC")?,
            device_nonce: r.nonce("DeviceNonceLength", "DeviceNonce")?,
            encrypted_relay_nonce: r.nonce("EncryptedRelayNonceLength", "EncryptedRelayNonce")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.nonce(self.iv);
        w.u16_prefixed("HMACLength", self.hmac)?;
        w.nonce(self.device_nonce);
        w.nonce(self.encrypted_relay_nonce);
        Ok(())
    }
}

sec_message!(
    SecConnectResponse<'a>,
    "SecConnectResponse",
    "[MS-GRVSSTPS] 2.2.2",
    SEC_CONNECT_RESPONSE,
    Layer::Device
);

header_only_message!(
    /// [MS-GRVSSTPS] 2.2.3 SecConnectResponseDeviceRegistrationNeeded: the
    /// relay does not know the device; header only.
    SecConnectResponseDeviceRegistrationNeeded,
    "SecConnectResponseDeviceRegistrationNeeded",
    "[MS-GRVSSTPS] 2.2.3",
    SEC_CONNECT_RESPONSE_DEVICE_REGISTRATION_NEEDED,
    Layer::Device
);

header_only_message!(
    /// [MS-GRVSSTPS] 2.2.4 SecConnectResponseAuthenticationFailed: the relay
    /// could not verify the SecConnect; header only.
    SecConnectResponseAuthenticationFailed,
    "SecConnectResponseAuthenticationFailed",
    "[MS-GRVSSTPS] 2.2.4",
    SEC_CONNECT_RESPONSE_AUTHENTICATION_FAILED,
    Layer::Device
);

/// [MS-GRVSSTPS] 2.2.5 SecConnectAuthenticate: the client's answer to the
/// relay's challenge, carried by ConnectAuthenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecConnectAuthenticate<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// RelayNonce, decrypted by the client (24 bytes).
    pub relay_nonce: Nonce<'a>,
}

impl<'a> SecConnectAuthenticate<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        Ok(Self {
            minor_version,
            relay_nonce: r.nonce("RelayNonceLength", "RelayNonce")?,
        })
    }

    #[allow(clippy::unnecessary_wraps)]
    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.nonce(self.relay_nonce);
        Ok(())
    }
}

sec_message!(
    SecConnectAuthenticate<'a>,
    "SecConnectAuthenticate",
    "[MS-GRVSSTPS] 2.2.5",
    SEC_CONNECT_AUTHENTICATE,
    Layer::Device
);

/// [MS-GRVSSTPS] 2.2.12 SecDeviceAccountRegister: registers the device and
/// the account, carried by Register, nesting SecAccountRegister or
/// SecAccountOnNewDevice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecDeviceAccountRegister<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// Timestamp: client time, seconds since 1970-01-01.
    pub timestamp: u32,
    /// AccountURL.
    pub account_url: AnsiStr<'a>,
    /// Fingerprint of the relay certificate (FingerprintLength bytes).
    pub fingerprint: &'a [u8],
    /// EncryptedRelayDeviceKey: the device key, encrypted to the relay.
    pub encrypted_relay_device_key: &'a [u8],
    /// AccountLayerMessage (behind AccountLayerMessageLength).
    pub account_layer_message: AccountLayerMessage<'a>,
    /// Reserved1: the client sends 0x0001 (bytes `01 00`); the relay MUST
    /// ignore it, so any value is accepted and kept.
    pub reserved1: u16,
    /// Reserved2: the client sends 0x00; the relay MUST ignore it, so any
    /// value is accepted and kept.
    pub reserved2: u8,
    /// Signature (RSA over SHA-1(SHA-1(fields))).
    pub signature: &'a [u8],
    /// DevicePublicKeysObject (behind DevicePublicKeysObjectLength).
    pub device_public_keys_object: PublicKeysObject<'a>,
    /// IV (24 bytes).
    pub iv: Nonce<'a>,
    /// EncryptedDeviceNonce (24 bytes).
    pub encrypted_device_nonce: Nonce<'a>,
}

impl<'a> SecDeviceAccountRegister<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        let timestamp = r.u32("Timestamp")?;
        let account_url = r.cstr("AccountURL")?;
        let fingerprint = r.u16_prefixed("FingerprintLength", "Fingerprint")?;
        let encrypted_relay_device_key =
            r.u16_prefixed("EncryptedRelayDeviceKeyLength", "EncryptedRelayDeviceKey")?;
        let at = r.offset() + 2;
        let nested = r.u16_prefixed("AccountLayerMessageLength", "AccountLayerMessage")?;
        let account_layer_message = AccountLayerMessage::parse_at(nested, at)?;
        let reserved1 = r.u16("Reserved1")?;
        let reserved2 = r.u8("Reserved2")?;
        let signature = r.u16_prefixed("SignatureLength", "Signature")?;
        let at = r.offset() + 2;
        let pko = r.u16_prefixed("DevicePublicKeysObjectLength", "DevicePublicKeysObject")?;
        let device_public_keys_object = PublicKeysObject::parse_at(pko, at)?;
        Ok(Self {
            minor_version,
            timestamp,
            account_url,
            fingerprint,
            encrypted_relay_device_key,
            account_layer_message,
            reserved1,
            reserved2,
            signature,
            device_public_keys_object,
            iv: r.nonce("IVLength", "IV")?,
            encrypted_device_nonce: r
                .nonce("EncryptedDeviceNonceLength", "EncryptedDeviceNonce")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.timestamp);
        w.cstr(self.account_url);
        w.u16_prefixed("FingerprintLength", self.fingerprint)?;
        w.u16_prefixed(
            "EncryptedRelayDeviceKeyLength",
            self.encrypted_relay_device_key,
        )?;
        w.u16_prefixed_with("AccountLayerMessageLength", |out| {
            self.account_layer_message.serialize_into(out)
        })?;
        w.u16(self.reserved1);
        w.u8(self.reserved2);
        w.u16_prefixed("SignatureLength", self.signature)?;
        w.u16_prefixed_with("DevicePublicKeysObjectLength", |out| {
            self.device_public_keys_object.serialize_into(out)
        })?;
        w.nonce(self.iv);
        w.nonce(self.encrypted_device_nonce);
        Ok(())
    }
}

sec_message!(
    SecDeviceAccountRegister<'a>,
    "SecDeviceAccountRegister",
    "[MS-GRVSSTPS] 2.2.12",
    SEC_DEVICE_ACCOUNT_REGISTER,
    Layer::Device
);

/// [MS-GRVSSTPS] 2.2.13 SecDeviceAccountRegisterResponse: the relay's answer
/// to a registration, carried by RegisterResponse, nesting
/// SecAccountRegisterResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecDeviceAccountRegisterResponse<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// AccountLayerMessage (behind AccountLayerMessageLength): must be a
    /// SecAccountRegisterResponse.
    pub account_layer_message: SecAccountRegisterResponse<'a>,
    /// Reserved: the relay sends 0x00; the client MUST ignore it, so any
    /// value is accepted and kept.
    pub reserved: u8,
    /// IV (24 bytes).
    pub iv: Nonce<'a>,
    /// HMAC.
    pub hmac: &'a [u8],
    /// DeviceNonce: the client's nonce, decrypted by the relay (24 bytes).
    pub device_nonce: Nonce<'a>,
    /// EncryptedRelayNonce (24 bytes).
    pub encrypted_relay_nonce: Nonce<'a>,
}

impl<'a> SecDeviceAccountRegisterResponse<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        let at = r.offset() + 2;
        let nested = r.u16_prefixed("AccountLayerMessageLength", "AccountLayerMessage")?;
        let carrier = Carrier::SecDeviceAccountRegisterResponse;
        let account_layer_message = match SecurityToken::parse_at(carrier, nested, at)? {
            SecurityToken::SecAccountRegisterResponse(m) => m,
            // The carrier admits nothing else; kept as an error, not a panic.
            other => {
                return Err(r.err(
                    "AccountLayerMessage",
                    at + 2,
                    ErrorKind::MessageIdNotValidForCarrier {
                        carrier,
                        actual: other.message_id(),
                    },
                ));
            }
        };
        Ok(Self {
            minor_version,
            account_layer_message,
            reserved: r.u8("Reserved")?,
            iv: r.nonce("IVLength", "IV")?,
            hmac: r.u16_prefixed("HMACLength", "HMAC")?,
            device_nonce: r.nonce("DeviceNonceLength", "DeviceNonce")?,
            encrypted_relay_nonce: r.nonce("EncryptedRelayNonceLength", "EncryptedRelayNonce")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u16_prefixed_with("AccountLayerMessageLength", |out| {
            self.account_layer_message.serialize_into(out)
        })?;
        w.u8(self.reserved);
        w.nonce(self.iv);
        w.u16_prefixed("HMACLength", self.hmac)?;
        w.nonce(self.device_nonce);
        w.nonce(self.encrypted_relay_nonce);
        Ok(())
    }
}

sec_message!(
    SecDeviceAccountRegisterResponse<'a>,
    "SecDeviceAccountRegisterResponse",
    "[MS-GRVSSTPS] 2.2.13",
    SEC_DEVICE_ACCOUNT_REGISTER_RESPONSE,
    Layer::Device
);
