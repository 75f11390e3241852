//! Response, reason and flag values of the SSTP commands (reference §4).

use crate::consts::{
    ATTACH_RESPONSE_ACCOUNT_UNKNOWN, ATTACH_RESPONSE_ATTACH_REJECTED,
    ATTACH_RESPONSE_AWAITING_REGISTER, CONNECT_RESPONSE_FLAG_MULTI_DROP,
    CONNECT_RESPONSE_FLAG_SINGLE_HOP, REASON_STALE_CONNECT_AUTHENTICATE,
};

/// A one-byte code with named values and an `Other` fallback for the rest.
/// The decoder never puts a named value into `Other`.
macro_rules! u8_code {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $value:expr ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value without a known name, kept as received.
            Other(u8),
        }

        impl $name {
            /// The byte on the wire.
            pub const fn to_u8(self) -> u8 {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Other(v) => v,
                }
            }

            /// The value's name as in the reference, `None` for `Other`.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some(stringify!($variant)), )+
                    Self::Other(_) => None,
                }
            }

            /// The value for a byte; unnamed bytes become `Other`.
            pub const fn from_u8(v: u8) -> Self {
                match v {
                    $( x if x == $value => Self::$variant, )+
                    other => Self::Other(other),
                }
            }
        }

        impl From<u8> for $name {
            fn from(v: u8) -> Self {
                Self::from_u8(v)
            }
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v.to_u8()
            }
        }
    };
}

u8_code! {
    /// ConnectResponse `ResponseId` ([MS-GRVSSTP] 2.2.2; reference §4.1).
    /// 0x07 and 0x08 exist but their names were not recovered.
    ConnectResponseId {
        /// 0x00: accepted (also sent with a *RegistrationNeeded* token).
        Ok = 0x00,
        /// 0x01: the target device URL is not the receiver's.
        WrongDevice = 0x01,
        /// 0x02: busy, retry later.
        TryLater = 0x02,
        /// 0x03: the receiver will upgrade to the sender's newer major version.
        WillUpgrade = 0x03,
        /// 0x04: the receiver will not upgrade.
        WontUpgrade = 0x04,
        /// 0x05: the sender's major version is older than the receiver's.
        NewVersionRequired = 0x05,
        /// 0x06: SSTP-Security processing failed.
        AuthenticationFailed = 0x06,
        /// 0x09: the source device is locked out by policy.
        ConnectRejected = 0x09,
    }
}

u8_code! {
    /// AttachResponse `ResponseId` (reference §4.2). AttachRejected and
    /// AccountUnknown exist but their values are unknown; they decode as
    /// `Other`, and are sent as the **INFERRED**
    /// [`AttachResponseId::ATTACH_REJECTED`] and
    /// [`AttachResponseId::ACCOUNT_UNKNOWN`].
    AttachResponseId {
        /// 0x00: Ok. VERIFIED (§4.1.7).
        Ok = 0x00,
        /// 0x03: waiting for a Register. VERIFIED (§4.1.4, §4.2.1).
        AwaitingRegister = ATTACH_RESPONSE_AWAITING_REGISTER,
    }
}

impl AttachResponseId {
    /// AttachRejected ([MS-GRVSSTPS] 3.3.5.3, 3.3.5.4). **INFERRED** number,
    /// see [`crate::consts::ATTACH_RESPONSE_ATTACH_REJECTED`]; an `Other`
    /// value, so a received 0x01 still decodes as `Other(0x01)`.
    pub const ATTACH_REJECTED: Self = Self::Other(ATTACH_RESPONSE_ATTACH_REJECTED);
    /// AccountUnknown ([MS-GRVSSTPS] 3.3.5.3 step 6). **INFERRED** number,
    /// see [`crate::consts::ATTACH_RESPONSE_ACCOUNT_UNKNOWN`]; an `Other`
    /// value, so a received 0x02 still decodes as `Other(0x02)`.
    pub const ACCOUNT_UNKNOWN: Self = Self::Other(ATTACH_RESPONSE_ACCOUNT_UNKNOWN);
}

u8_code! {
    /// OpenResponse `ResponseId`. Only Ok is known (§4.1.4).
    OpenResponseId {
        /// 0x00: Ok.
        Ok = 0x00,
    }
}

u8_code! {
    /// `ReasonId` of Close and ConnectClose, which share one numbering
    /// ([MS-GRVSSTP] 2.2.9.1; reference §4.3). Unnamed values are not an
    /// error: the session or connection is closed for a reason not known here.
    CloseReason {
        /// 0x00: the default. VERIFIED (§4.1.9).
        NoReason = 0x00,
        /// 0x01: ConnectClose; `ReturnTime` says when to come back.
        Resting = 0x01,
        /// 0x02: the session is idle.
        Idle = 0x02,
        /// 0x03: an SSTP-Security protocol violation.
        ProtocolError = 0x03,
        /// 0x04: the device could not be authenticated.
        DeviceAuthenticationFailed = 0x04,
        /// 0x05: the account could not be authenticated.
        UserAuthenticationFailed = 0x05,
        /// 0x06: wrong relay nonce in ConnectAuthenticate. **INFERRED** value,
        /// see [`crate::consts::REASON_STALE_CONNECT_AUTHENTICATE`].
        StaleConnectAuthenticate = REASON_STALE_CONNECT_AUTHENTICATE,
        /// 0x07: wrong answer in AttachAuthenticate.
        StaleAttachAuthenticate = 0x07,
        /// 0x0B: the identity's message quota would be exceeded.
        QuotaWouldBeExceeded = 0x0B,
        /// 0x0C: ConnectClose; too many connections for the device.
        CrossedConnections = 0x0C,
        /// 0x0D: an unexpected condition at the sender.
        InternalError = 0x0D,
        /// 0x0F: ConnectClose; too many commands for unknown sessions.
        TooManyUnknownSessionCmds = 0x0F,
        /// 0x15: no fanout recipient can take data.
        EmptySession = 0x15,
    }
}

/// ConnectResponse `Flags` (reference §3.2): bit 0x01 MultiDrop, bit 0x02
/// SingleHop fanout supported; other bits kept as received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ConnectResponseFlags(pub u8);

impl ConnectResponseFlags {
    /// MultiDrop fanout supported (0x01).
    pub const fn multi_drop(self) -> bool {
        self.0 & CONNECT_RESPONSE_FLAG_MULTI_DROP != 0
    }

    /// SingleHop fanout supported (0x02).
    pub const fn single_hop(self) -> bool {
        self.0 & CONNECT_RESPONSE_FLAG_SINGLE_HOP != 0
    }
}
