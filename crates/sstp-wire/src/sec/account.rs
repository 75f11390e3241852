//! Account-layer messages ([MS-GRVSSTPS] 2.2.6–2.2.11, 2.2.14–2.2.17).

use crate::ansi::AnsiStr;
use crate::codec::{Nonce, Reader, Writer};
use crate::consts::{
    RESERVED1_VALUE, SEC_ACCOUNT_ON_NEW_DEVICE, SEC_ACCOUNT_REGISTER,
    SEC_ACCOUNT_REGISTER_RESPONSE, SEC_ATTACH, SEC_ATTACH_AUTHENTICATE, SEC_ATTACH_RESPONSE,
    SEC_ATTACH_RESPONSE_ACCOUNT_REGISTRATION_NEEDED, SEC_ATTACH_RESPONSE_AUTHENTICATION_FAILED,
    SEC_ATTACH_RESPONSE_NEW_DEVICE_REGISTRATION_NEEDED, SEC_IDENTITY_REGISTER,
};
use crate::error::{Error, ErrorKind, Spec};
use crate::sec::keys::PublicKeysObject;
use crate::sec::{Carrier, Layer, MinorVersion, SecurityToken, header_only_message, sec_message};

/// [MS-GRVSSTPS] 2.2.6 SecAttach: the client's account challenge, carried
/// by Attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecAttach<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// IV (24 bytes).
    pub iv: Nonce<'a>,
    /// HMAC.
    pub hmac: &'a [u8],
    /// EncryptedAccountNonce (24 bytes).
    pub encrypted_account_nonce: Nonce<'a>,
}

impl<'a> SecAttach<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        Ok(Self {
            minor_version,
            iv: r.nonce("IVLength", "IV")?,
            hmac: r.u16_prefixed("HMACLength", "HMAC")?,
            encrypted_account_nonce: r
                .nonce("EncryptedAccountNonceLength", "EncryptedAccountNonce")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.nonce(self.iv);
        w.u16_prefixed("HMACLength", self.hmac)?;
        w.nonce(self.encrypted_account_nonce);
        Ok(())
    }
}

sec_message!(
    SecAttach<'a>,
    "SecAttach",
    "[MS-GRVSSTPS] 2.2.6",
    SEC_ATTACH,
    Layer::Account
);

/// [MS-GRVSSTPS] 2.2.7 SecAttachResponse: the relay's answer and counter
/// challenge, carried by AttachResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecAttachResponse<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// IV (24 bytes).
    pub iv: Nonce<'a>,
    /// HMAC.
    pub hmac: &'a [u8],
    /// AccountNonce: the client's nonce, decrypted by the relay (24 bytes).
    pub account_nonce: Nonce<'a>,
    /// EncryptedRelayNonce (24 bytes).
    pub encrypted_relay_nonce: Nonce<'a>,
}

impl<'a> SecAttachResponse<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        Ok(Self {
            minor_version,
            iv: r.nonce("IVLength", "IV")?,
            hmac: r.u16_prefixed("HMACLength", "HMAC")?,
            account_nonce: r.nonce("AccountNonceLength", "AccountNonce")?,
            encrypted_relay_nonce: r.nonce("EncryptedRelayNonceLength", "EncryptedRelayNonce")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.nonce(self.iv);
        w.u16_prefixed("HMACLength", self.hmac)?;
        w.nonce(self.account_nonce);
        w.nonce(self.encrypted_relay_nonce);
        Ok(())
    }
}

sec_message!(
    SecAttachResponse<'a>,
    "SecAttachResponse",
    "[MS-GRVSSTPS] 2.2.7",
    SEC_ATTACH_RESPONSE,
    Layer::Account
);

header_only_message!(
    /// [MS-GRVSSTPS] 2.2.8 SecAttachResponseAccountRegistrationNeeded: the
    /// relay does not know the account; header only.
    SecAttachResponseAccountRegistrationNeeded,
    "SecAttachResponseAccountRegistrationNeeded",
    "[MS-GRVSSTPS] 2.2.8",
    SEC_ATTACH_RESPONSE_ACCOUNT_REGISTRATION_NEEDED,
    Layer::Account
);

header_only_message!(
    /// [MS-GRVSSTPS] 2.2.9 SecAttachResponseNewDeviceRegistrationNeeded: the
    /// relay knows the account but not this device; header only.
    SecAttachResponseNewDeviceRegistrationNeeded,
    "SecAttachResponseNewDeviceRegistrationNeeded",
    "[MS-GRVSSTPS] 2.2.9",
    SEC_ATTACH_RESPONSE_NEW_DEVICE_REGISTRATION_NEEDED,
    Layer::Account
);

header_only_message!(
    /// [MS-GRVSSTPS] 2.2.10 SecAttachResponseAuthenticationFailed: the relay
    /// could not process the SecAttach; header only.
    SecAttachResponseAuthenticationFailed,
    "SecAttachResponseAuthenticationFailed",
    "[MS-GRVSSTPS] 2.2.10",
    SEC_ATTACH_RESPONSE_AUTHENTICATION_FAILED,
    Layer::Account
);

/// [MS-GRVSSTPS] 2.2.11 SecAttachAuthenticate: the client's answers to both
/// relay challenges, carried by AttachAuthenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecAttachAuthenticate<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// RelayAccountNonce, decrypted from SecAttachResponse (24 bytes).
    pub relay_account_nonce: Nonce<'a>,
    /// RelayDeviceNonce, decrypted from SecConnectResponse or
    /// SecDeviceAccountRegisterResponse (24 bytes).
    pub relay_device_nonce: Nonce<'a>,
}

impl<'a> SecAttachAuthenticate<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        Ok(Self {
            minor_version,
            relay_account_nonce: r.nonce("RelayAccountNonceLength", "RelayAccountNonce")?,
            relay_device_nonce: r.nonce("RelayDeviceNonceLength", "RelayDeviceNonce")?,
        })
    }

    #[allow(clippy::unnecessary_wraps)]
    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.nonce(self.relay_account_nonce);
        w.nonce(self.relay_device_nonce);
        Ok(())
    }
}

sec_message!(
    SecAttachAuthenticate<'a>,
    "SecAttachAuthenticate",
    "[MS-GRVSSTPS] 2.2.11",
    SEC_ATTACH_AUTHENTICATE,
    Layer::Account
);

/// [MS-GRVSSTPS] 2.2.14 SecAccountRegister: account registration, nested in
/// SecDeviceAccountRegister.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecAccountRegister<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// EncryptedRelayAccountKey: the account key, encrypted to the relay.
    pub encrypted_relay_account_key: &'a [u8],
    /// Signature (RSA over SHA-1(SHA-1(fields))).
    pub signature: &'a [u8],
    /// AccountPublicKeysObject (behind AccountPublicKeysObjectLength).
    pub account_public_keys_object: PublicKeysObject<'a>,
    /// Reserved1: the client MUST send 0x0001 (bytes `01 00`), and unlike
    /// the other reserved fields the specification does not let the relay
    /// ignore it: any other value is rejected on decode and refused on
    /// encode. Use [`crate::consts::RESERVED1_VALUE`].
    pub reserved1: u16,
    /// Reserved2: the client sends 0x00; the relay MUST ignore it, so any
    /// value is accepted and kept.
    pub reserved2: u8,
    /// UserPreAuthToken from the management server.
    pub user_pre_auth_token: AnsiStr<'a>,
}

impl<'a> SecAccountRegister<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        let encrypted_relay_account_key =
            r.u16_prefixed("EncryptedRelayAccountKeyLength", "EncryptedRelayAccountKey")?;
        let signature = r.u16_prefixed("SignatureLength", "Signature")?;
        let at = r.offset() + 2;
        let pko = r.u16_prefixed("AccountPublicKeysObjectLength", "AccountPublicKeysObject")?;
        let account_public_keys_object = PublicKeysObject::parse_at(pko, at)?;
        let at = r.offset();
        let reserved1 = r.u16("Reserved1")?;
        if reserved1 != RESERVED1_VALUE {
            return Err(r.err(
                "Reserved1",
                at,
                ErrorKind::InvalidReserved {
                    expected: u32::from(RESERVED1_VALUE),
                    actual: u32::from(reserved1),
                },
            ));
        }
        Ok(Self {
            minor_version,
            encrypted_relay_account_key,
            signature,
            account_public_keys_object,
            reserved1,
            reserved2: r.u8("Reserved2")?,
            user_pre_auth_token: r.cstr("UserPreAuthToken")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u16_prefixed(
            "EncryptedRelayAccountKeyLength",
            self.encrypted_relay_account_key,
        )?;
        w.u16_prefixed("SignatureLength", self.signature)?;
        w.u16_prefixed_with("AccountPublicKeysObjectLength", |out| {
            self.account_public_keys_object.serialize_into(out)
        })?;
        if self.reserved1 != RESERVED1_VALUE {
            return Err(w.err(
                "Reserved1",
                ErrorKind::InvalidReserved {
                    expected: u32::from(RESERVED1_VALUE),
                    actual: u32::from(self.reserved1),
                },
            ));
        }
        w.u16(self.reserved1);
        w.u8(self.reserved2);
        w.cstr(self.user_pre_auth_token);
        Ok(())
    }
}

sec_message!(
    SecAccountRegister<'a>,
    "SecAccountRegister",
    "[MS-GRVSSTPS] 2.2.14",
    SEC_ACCOUNT_REGISTER,
    Layer::Account
);

/// [MS-GRVSSTPS] 2.2.15 SecAccountOnNewDevice: proves the already
/// registered account from a new device, nested in SecDeviceAccountRegister.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecAccountOnNewDevice<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// HMAC.
    pub hmac: &'a [u8],
}

impl<'a> SecAccountOnNewDevice<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        Ok(Self {
            minor_version,
            hmac: r.u16_prefixed("HMACLength", "HMAC")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u16_prefixed("HMACLength", self.hmac)
    }
}

sec_message!(
    SecAccountOnNewDevice<'a>,
    "SecAccountOnNewDevice",
    "[MS-GRVSSTPS] 2.2.15",
    SEC_ACCOUNT_ON_NEW_DEVICE,
    Layer::Account
);

/// [MS-GRVSSTPS] 2.2.16 SecAccountRegisterResponse: the relay's account
/// registration answer, nested in SecDeviceAccountRegisterResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecAccountRegisterResponse<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// Reserved: the relay sends 0x00; the client MUST ignore it, so any
    /// value is accepted and kept.
    pub reserved: u8,
    /// Timestamp: relay time, seconds since 1970-01-01.
    pub timestamp: u32,
    /// HMAC.
    pub hmac: &'a [u8],
}

impl<'a> SecAccountRegisterResponse<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        Ok(Self {
            minor_version,
            reserved: r.u8("Reserved")?,
            timestamp: r.u32("Timestamp")?,
            hmac: r.u16_prefixed("HMACLength", "HMAC")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.reserved);
        w.u32(self.timestamp);
        w.u16_prefixed("HMACLength", self.hmac)
    }
}

sec_message!(
    SecAccountRegisterResponse<'a>,
    "SecAccountRegisterResponse",
    "[MS-GRVSSTPS] 2.2.16",
    SEC_ACCOUNT_REGISTER_RESPONSE,
    Layer::Account
);

/// The IdentityLists field of [MS-GRVSSTPS] 2.2.17 SecIdentityRegister:
/// `IdentitiesToAddCount u8 | IdentitiesToRemoveCount u8 |` the URLs to add,
/// then the URLs to remove, each a null-terminated ANSI string that must end
/// inside the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IdentityLists<'a> {
    /// Identity URLs to add (at most 255).
    pub to_add: Vec<AnsiStr<'a>>,
    /// Identity URLs to remove (at most 255).
    pub to_remove: Vec<AnsiStr<'a>>,
}

pub(crate) const IDENTITY_LISTS: Spec =
    Spec::new("SecIdentityRegister.IdentityLists", "[MS-GRVSSTPS] 2.2.17");

impl<'a> IdentityLists<'a> {
    fn parse_at(bytes: &'a [u8], base: usize) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, base, IDENTITY_LISTS);
        let add = usize::from(r.u8("IdentitiesToAddCount")?);
        let remove = usize::from(r.u8("IdentitiesToRemoveCount")?);
        let to_add = r.cstrs(add, "IdentityURL")?;
        let to_remove = r.cstrs(remove, "IdentityURL")?;
        r.finish()?;
        Ok(Self { to_add, to_remove })
    }

    fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        crate::codec::encode(out, IDENTITY_LISTS, |w| {
            w.count_u8("IdentitiesToAddCount", self.to_add.len())?;
            w.count_u8("IdentitiesToRemoveCount", self.to_remove.len())?;
            w.cstrs(&self.to_add);
            w.cstrs(&self.to_remove);
            Ok(())
        })
    }
}

/// [MS-GRVSSTPS] 2.2.17 SecIdentityRegister: adds and removes identities on
/// an authenticated account, carried by Register.
///
/// The relay's reply is a RegisterResponse with no token (3.2.5.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecIdentityRegister<'a> {
    /// MinorVersionNumber, as received.
    pub minor_version: MinorVersion,
    /// Timestamp: client time, seconds since 1970-01-01.
    pub timestamp: u32,
    /// AccountURL.
    pub account_url: AnsiStr<'a>,
    /// HMAC.
    pub hmac: &'a [u8],
    /// Reserved: the client sends 0x00; the relay MUST ignore it, so any
    /// value is accepted and kept. (The §4.1.10 trace decoder calls it
    /// IdentityRegistrationFlags.)
    pub reserved: u8,
    /// IdentityLists (behind IdentityListsLength).
    pub identity_lists: IdentityLists<'a>,
    /// RelayURL.
    pub relay_url: AnsiStr<'a>,
}

impl<'a> SecIdentityRegister<'a> {
    fn decode_body(r: &mut Reader<'a>, minor_version: MinorVersion) -> Result<Self, Error> {
        let timestamp = r.u32("Timestamp")?;
        let account_url = r.cstr("AccountURL")?;
        let hmac = r.u16_prefixed("HMACLength", "HMAC")?;
        let reserved = r.u8("Reserved")?;
        let at = r.offset() + 2;
        let lists = r.u16_prefixed("IdentityListsLength", "IdentityLists")?;
        Ok(Self {
            minor_version,
            timestamp,
            account_url,
            hmac,
            reserved,
            identity_lists: IdentityLists::parse_at(lists, at)?,
            relay_url: r.cstr("RelayURL")?,
        })
    }

    fn encode_body(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u32(self.timestamp);
        w.cstr(self.account_url);
        w.u16_prefixed("HMACLength", self.hmac)?;
        w.u8(self.reserved);
        w.u16_prefixed_with("IdentityListsLength", |out| {
            self.identity_lists.serialize_into(out)
        })?;
        w.cstr(self.relay_url);
        Ok(())
    }
}

sec_message!(
    SecIdentityRegister<'a>,
    "SecIdentityRegister",
    "[MS-GRVSSTPS] 2.2.17",
    SEC_IDENTITY_REGISTER,
    Layer::Account
);

/// The AccountLayerMessage of [MS-GRVSSTPS] 2.2.12 SecDeviceAccountRegister
/// (3.1.3.3): a new account, or an existing account on a new device.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccountLayerMessage<'a> {
    /// 2.2.14: registers a new account.
    AccountRegister(SecAccountRegister<'a>),
    /// 2.2.15: an existing account on a new device.
    AccountOnNewDevice(SecAccountOnNewDevice<'a>),
}

impl<'a> AccountLayerMessage<'a> {
    /// Decodes exactly `bytes` as one of the two account-layer messages.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        Self::parse_at(bytes, 0)
    }

    pub(crate) fn parse_at(bytes: &'a [u8], base: usize) -> Result<Self, Error> {
        let carrier = Carrier::SecDeviceAccountRegister;
        match SecurityToken::parse_at(carrier, bytes, base)? {
            SecurityToken::SecAccountRegister(m) => Ok(Self::AccountRegister(m)),
            SecurityToken::SecAccountOnNewDevice(m) => Ok(Self::AccountOnNewDevice(m)),
            // The carrier admits nothing else; kept as an error, not a panic.
            other => Err(Error::peer(
                SecAccountRegister::SPEC,
                "MessageID",
                base + 2,
                ErrorKind::MessageIdNotValidForCarrier {
                    carrier,
                    actual: other.message_id(),
                },
            )),
        }
    }

    /// Appends the encoded message to `out` (left unchanged on error).
    pub fn serialize_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        match self {
            Self::AccountRegister(m) => m.serialize_into(out),
            Self::AccountOnNewDevice(m) => m.serialize_into(out),
        }
    }

    /// The encoded message.
    pub fn to_vec(&self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.serialize_into(&mut out)?;
        Ok(out)
    }

    /// The received minor version.
    pub fn minor_version(&self) -> MinorVersion {
        match self {
            Self::AccountRegister(m) => m.minor_version,
            Self::AccountOnNewDevice(m) => m.minor_version,
        }
    }
}
