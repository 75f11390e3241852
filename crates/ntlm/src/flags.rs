//! [MS-NLMP] 2.2.2.5 NEGOTIATE flags.

use core::fmt;
use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, Not};

/// [MS-NLMP] 2.2.2.5 NEGOTIATE: the 32-bit NegotiateFlags field.
///
/// Unknown (reserved) bits are kept as received so that a parsed message
/// serializes back to the same bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NegotiateFlags(u32);

macro_rules! flags {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        impl NegotiateFlags {
            $($(#[$doc])* pub const $name: Self = Self($value);)*

            const NAMES: &'static [(&'static str, u32)] = &[$((stringify!($name), $value)),*];
        }
    };
}

flags! {
    /// A: NTLMSSP_NEGOTIATE_UNICODE — strings are UTF-16LE.
    UNICODE = 0x0000_0001;
    /// B: NTLM_NEGOTIATE_OEM — strings are in the OEM code page.
    OEM = 0x0000_0002;
    /// C: NTLMSSP_REQUEST_TARGET — the CHALLENGE must carry TargetName.
    REQUEST_TARGET = 0x0000_0004;
    /// D: NTLMSSP_NEGOTIATE_SIGN — message integrity.
    SIGN = 0x0000_0010;
    /// E: NTLMSSP_NEGOTIATE_SEAL — message confidentiality.
    SEAL = 0x0000_0020;
    /// F: NTLMSSP_NEGOTIATE_DATAGRAM — connectionless mode (not supported).
    DATAGRAM = 0x0000_0040;
    /// G: NTLMSSP_NEGOTIATE_LM_KEY — LAN Manager session key (NTLMv1 only).
    LM_KEY = 0x0000_0080;
    /// H: NTLMSSP_NEGOTIATE_NTLM — NTLM authentication.
    NTLM = 0x0000_0200;
    /// J: NTLMSSP_NEGOTIATE_ANONYMOUS — anonymous connection.
    ANONYMOUS = 0x0000_0800;
    /// K: NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED.
    OEM_DOMAIN_SUPPLIED = 0x0000_1000;
    /// L: NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED.
    OEM_WORKSTATION_SUPPLIED = 0x0000_2000;
    /// M: NTLMSSP_NEGOTIATE_ALWAYS_SIGN.
    ALWAYS_SIGN = 0x0000_8000;
    /// N: NTLMSSP_TARGET_TYPE_DOMAIN — TargetName is a domain name.
    TARGET_TYPE_DOMAIN = 0x0001_0000;
    /// O: NTLMSSP_TARGET_TYPE_SERVER — TargetName is a server name.
    TARGET_TYPE_SERVER = 0x0002_0000;
    /// P: NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY.
    EXTENDED_SESSIONSECURITY = 0x0008_0000;
    /// Q: NTLMSSP_NEGOTIATE_IDENTIFY.
    IDENTIFY = 0x0010_0000;
    /// R: NTLMSSP_REQUEST_NON_NT_SESSION_KEY.
    REQUEST_NON_NT_SESSION_KEY = 0x0040_0000;
    /// S: NTLMSSP_NEGOTIATE_TARGET_INFO — the CHALLENGE carries TargetInfo.
    TARGET_INFO = 0x0080_0000;
    /// T: NTLMSSP_NEGOTIATE_VERSION — the VERSION field is meaningful.
    VERSION = 0x0200_0000;
    /// U: NTLMSSP_NEGOTIATE_128 — 128-bit session key strength.
    NEGOTIATE_128 = 0x2000_0000;
    /// V: NTLMSSP_NEGOTIATE_KEY_EXCH — EncryptedRandomSessionKey is used.
    KEY_EXCH = 0x4000_0000;
    /// W: NTLMSSP_NEGOTIATE_56 — 56-bit session key strength.
    NEGOTIATE_56 = 0x8000_0000;
}

impl NegotiateFlags {
    /// No flag set.
    pub const fn empty() -> Self {
        Self(0)
    }

    /// The flags as they appear (little-endian) on the wire, unknown bits included.
    pub const fn from_bits(bits: u32) -> Self {
        Self(bits)
    }

    /// The raw 32-bit value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set.
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// `self | other`.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// `self & other`.
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// `self` without the bits of `other`.
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

impl BitOr for NegotiateFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl BitOrAssign for NegotiateFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = self.union(rhs);
    }
}

impl BitAnd for NegotiateFlags {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        self.intersection(rhs)
    }
}

impl BitAndAssign for NegotiateFlags {
    fn bitand_assign(&mut self, rhs: Self) {
        *self = self.intersection(rhs);
    }
}

impl Not for NegotiateFlags {
    type Output = Self;
    fn not(self) -> Self {
        Self(!self.0)
    }
}

impl fmt::Debug for NegotiateFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NegotiateFlags({:#010x}", self.0)?;
        let mut known = 0u32;
        let mut sep = ": ";
        for (name, bit) in Self::NAMES {
            known |= bit;
            if self.0 & bit != 0 {
                write!(f, "{sep}{name}")?;
                sep = " | ";
            }
        }
        let unknown = self.0 & !known;
        if unknown != 0 {
            write!(f, "{sep}{unknown:#x}")?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_nlmp_4_2_4_flags_decompose() {
        // [MS-NLMP] 4.2.4: 0xe28a8233 = v1 set + TARGET_INFO + EXTENDED_SESSIONSECURITY.
        let f = NegotiateFlags::from_bits(0xe28a_8233);
        for want in [
            NegotiateFlags::KEY_EXCH,
            NegotiateFlags::NEGOTIATE_56,
            NegotiateFlags::NEGOTIATE_128,
            NegotiateFlags::VERSION,
            NegotiateFlags::TARGET_INFO,
            NegotiateFlags::EXTENDED_SESSIONSECURITY,
            NegotiateFlags::TARGET_TYPE_SERVER,
            NegotiateFlags::ALWAYS_SIGN,
            NegotiateFlags::NTLM,
            NegotiateFlags::SEAL,
            NegotiateFlags::SIGN,
            NegotiateFlags::OEM,
            NegotiateFlags::UNICODE,
        ] {
            assert!(f.contains(want), "{want:?}");
        }
        let rebuilt = NegotiateFlags::KEY_EXCH
            | NegotiateFlags::NEGOTIATE_56
            | NegotiateFlags::NEGOTIATE_128
            | NegotiateFlags::VERSION
            | NegotiateFlags::TARGET_INFO
            | NegotiateFlags::EXTENDED_SESSIONSECURITY
            | NegotiateFlags::TARGET_TYPE_SERVER
            | NegotiateFlags::ALWAYS_SIGN
            | NegotiateFlags::NTLM
            | NegotiateFlags::SEAL
            | NegotiateFlags::SIGN
            | NegotiateFlags::OEM
            | NegotiateFlags::UNICODE;
        assert_eq!(rebuilt, f);
    }

    #[test]
    fn debug_names_bits_and_keeps_unknown() {
        let f = NegotiateFlags::UNICODE | NegotiateFlags::from_bits(0x0400_0000);
        let s = format!("{f:?}");
        assert!(s.contains("UNICODE"), "{s}");
        assert!(s.contains("0x4000000"), "{s}");
        assert_eq!(f.bits(), 0x0400_0001);
        assert_eq!((f & !NegotiateFlags::UNICODE).bits(), 0x0400_0000);
    }
}
