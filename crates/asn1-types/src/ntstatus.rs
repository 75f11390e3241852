//! [`NtStatus`]: the `TSRequest.errorCode` value ([MS-CSSP-Diff] 2.2.1).
//!
//! On the wire `errorCode` is a 32-bit value as a *signed* ASN.1 INTEGER, so
//! `0xC000006D` is the four content bytes `c0 00 00 6d` (the INTEGER
//! -1073741715). The spec says the value is an NTSTATUS ([MS-ERREF] 2.3), but
//! real peers also send SSPI HRESULTs: pyspnego answers a wrong password with
//! `0x8009030C` (`SEC_E_LOGON_DENIED`). Both are kept as the same `u32`, so any
//! value decodes and re-encodes byte for byte; [`NtStatus::name`] knows the
//! usual names of both families.

use core::fmt;

use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Tag, Writer};

/// An NTSTATUS ([MS-ERREF] 2.3) or, as some peers send, an SSPI HRESULT
/// ([MS-ERREF] 2.1), as carried in `TSRequest.errorCode`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NtStatus(pub u32);

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $value:literal, )*) => {
        impl NtStatus {
            $( $(#[$doc])* pub const $name: Self = Self($value); )*

            /// The symbolic name of a known NTSTATUS or SSPI HRESULT.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some(stringify!($name)), )*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    /// The operation completed successfully.
    STATUS_SUCCESS = 0x0000_0000,
    /// The requested operation was unsuccessful.
    STATUS_UNSUCCESSFUL = 0xC000_0001,
    /// An invalid parameter was passed to a service or function.
    STATUS_INVALID_PARAMETER = 0xC000_000D,
    /// A process has requested access to an object but has not been granted
    /// those access rights.
    STATUS_ACCESS_DENIED = 0xC000_0022,
    /// There are currently no logon servers available.
    STATUS_NO_LOGON_SERVERS = 0xC000_005E,
    /// The specified account does not exist.
    STATUS_NO_SUCH_USER = 0xC000_0064,
    /// The value provided as the current password is not correct.
    STATUS_WRONG_PASSWORD = 0xC000_006A,
    /// The password does not meet the password policy requirements.
    STATUS_PASSWORD_RESTRICTION = 0xC000_006C,
    /// The attempted logon is invalid (bad user name or authentication
    /// information).
    STATUS_LOGON_FAILURE = 0xC000_006D,
    /// A user account restriction (blank password, logon hours, ...)
    /// prevented the logon.
    STATUS_ACCOUNT_RESTRICTION = 0xC000_006E,
    /// The account is not allowed to log on at this time.
    STATUS_INVALID_LOGON_HOURS = 0xC000_006F,
    /// The account is not allowed to log on from this workstation.
    STATUS_INVALID_WORKSTATION = 0xC000_0070,
    /// The user account password has expired.
    STATUS_PASSWORD_EXPIRED = 0xC000_0071,
    /// The referenced account is currently disabled.
    STATUS_ACCOUNT_DISABLED = 0xC000_0072,
    /// Insufficient system resources exist to complete the API.
    STATUS_INSUFFICIENT_RESOURCES = 0xC000_009A,
    /// The request is not supported ([MS-CSSP-Diff] 3.1.5: the server does not
    /// support the requested version).
    STATUS_NOT_SUPPORTED = 0xC000_00BB,
    /// An internal error occurred.
    STATUS_INTERNAL_ERROR = 0xC000_00E5,
    /// The time at the primary domain controller differs from the time at the
    /// backup domain controller or member server by too large an amount.
    STATUS_TIME_DIFFERENCE_AT_DC = 0xC000_0133,
    /// The user has not been granted the requested logon type at this
    /// computer.
    STATUS_LOGON_TYPE_NOT_GRANTED = 0xC000_015B,
    /// The user account has expired.
    STATUS_ACCOUNT_EXPIRED = 0xC000_0193,
    /// The user password must be changed before logging on the first time.
    STATUS_PASSWORD_MUST_CHANGE = 0xC000_0224,
    /// The user account has been automatically locked.
    STATUS_ACCOUNT_LOCKED_OUT = 0xC000_0234,
    /// The system detected a possible attempt to compromise security.
    STATUS_DOWNGRADE_DETECTED = 0xC000_0388,
    /// SSPI: not enough memory is available to complete the request.
    SEC_E_INSUFFICIENT_MEMORY = 0x8009_0300,
    /// SSPI: the handle specified is invalid.
    SEC_E_INVALID_HANDLE = 0x8009_0301,
    /// SSPI: the function requested is not supported.
    SEC_E_UNSUPPORTED_FUNCTION = 0x8009_0302,
    /// SSPI: the specified target is unknown or unreachable.
    SEC_E_TARGET_UNKNOWN = 0x8009_0303,
    /// SSPI: the Local Security Authority cannot be contacted.
    SEC_E_INTERNAL_ERROR = 0x8009_0304,
    /// SSPI: the requested security package does not exist.
    SEC_E_SECPKG_NOT_FOUND = 0x8009_0305,
    /// SSPI: the token supplied to the function is invalid.
    SEC_E_INVALID_TOKEN = 0x8009_0308,
    /// SSPI: the logon attempt failed (pyspnego's answer to a bad password).
    SEC_E_LOGON_DENIED = 0x8009_030C,
    /// SSPI: the credentials supplied to the package were not recognized.
    SEC_E_UNKNOWN_CREDENTIALS = 0x8009_030D,
    /// SSPI: no credentials are available in the security package.
    SEC_E_NO_CREDENTIALS = 0x8009_030E,
    /// SSPI: the message or signature supplied for verification has been
    /// altered.
    SEC_E_MESSAGE_ALTERED = 0x8009_030F,
    /// SSPI: the message supplied for verification is out of sequence.
    SEC_E_OUT_OF_SEQUENCE = 0x8009_0310,
    /// SSPI: no authority could be contacted for authentication.
    SEC_E_NO_AUTHENTICATING_AUTHORITY = 0x8009_0311,
    /// SSPI: the context has expired and can no longer be used.
    SEC_E_CONTEXT_EXPIRED = 0x8009_0317,
    /// SSPI: the supplied message is incomplete.
    SEC_E_INCOMPLETE_MESSAGE = 0x8009_0318,
    /// SSPI: the target principal name is incorrect.
    SEC_E_WRONG_PRINCIPAL = 0x8009_0322,
    /// SSPI: the clocks on the client and server machines are skewed.
    SEC_E_TIME_SKEW = 0x8009_0324,
    /// SSPI: the message received was unexpected or badly formatted.
    SEC_E_ILLEGAL_MESSAGE = 0x8009_0326,
    /// SSPI: the client and server cannot communicate, because they do not
    /// possess a common algorithm.
    SEC_E_ALGORITHM_MISMATCH = 0x8009_0331,
    /// SSPI: client's supplied SSPI channel bindings were incorrect.
    SEC_E_BAD_BINDINGS = 0x8009_0346,
}

impl NtStatus {
    /// The value as the signed 32-bit INTEGER carried on the wire.
    pub const fn to_wire(self) -> i32 {
        i32::from_be_bytes(self.0.to_be_bytes())
    }

    /// The value from the signed 32-bit INTEGER carried on the wire.
    pub const fn from_wire(value: i32) -> Self {
        Self(u32::from_be_bytes(value.to_be_bytes()))
    }

    /// NTSTATUS severity "error" (top two bits `11`), or an HRESULT with the
    /// severity bit set (`0x8…`/`0x9…`/`0xA…`/`0xB…`): a failure either way.
    pub const fn is_failure(self) -> bool {
        self.0 & 0x8000_0000 != 0
    }

    /// `NTSTATUS_FROM_WIN32`: facility 7 with error severity carries a Win32
    /// error code in the low 16 bits (FreeRDP sends `0xC00700EA`, i.e.
    /// Win32 error 234).
    pub const fn win32_code(self) -> Option<u16> {
        if self.0 & 0xFFFF_0000 == 0xC007_0000 {
            Some((self.0 & 0xFFFF) as u16)
        } else {
            None
        }
    }
}

impl fmt::Debug for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NtStatus({self})")
    }
}

impl fmt::Display for NtStatus {
    /// `STATUS_LOGON_FAILURE (0xC000006D)`, `0xC00700EA (win32 error 234)`
    /// or `0x12345678`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self.win32_code()) {
            (Some(name), _) => write!(f, "{name} (0x{:08X})", self.0),
            (None, Some(code)) => write!(f, "0x{:08X} (win32 error {code})", self.0),
            (None, None) => write!(f, "0x{:08X}", self.0),
        }
    }
}

impl From<i32> for NtStatus {
    fn from(value: i32) -> Self {
        Self::from_wire(value)
    }
}

impl From<NtStatus> for i32 {
    fn from(value: NtStatus) -> Self {
        value.to_wire()
    }
}

impl FixedTag for NtStatus {
    const TAG: Tag = Tag::Integer;
}

impl<'a> DecodeValue<'a> for NtStatus {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        i32::decode_value(reader, header).map(Self::from_wire)
    }
}

impl EncodeValue for NtStatus {
    fn value_len(&self) -> der::Result<Length> {
        self.to_wire().value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.to_wire().encode_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn logon_failure_is_four_signed_bytes() {
        let der = NtStatus::STATUS_LOGON_FAILURE.to_der().unwrap();
        assert_eq!(der, [0x02, 0x04, 0xC0, 0x00, 0x00, 0x6D]);
        assert_eq!(NtStatus::from_der(&der).unwrap(), NtStatus(0xC000_006D));
        assert_eq!(NtStatus::STATUS_LOGON_FAILURE.to_wire(), -1_073_741_715);
    }

    #[test]
    fn hresult_from_pyspnego() {
        let der = [0x02, 0x04, 0x80, 0x09, 0x03, 0x0C];
        let status = NtStatus::from_der(&der).unwrap();
        assert_eq!(status, NtStatus::SEC_E_LOGON_DENIED);
        assert_eq!(status.to_wire(), -2_146_893_044); // tshark's credssp.errorCode
        assert_eq!(status.to_der().unwrap(), der);
        assert_eq!(status.to_string(), "SEC_E_LOGON_DENIED (0x8009030C)");
        assert!(status.is_failure());
    }

    #[test]
    fn display_forms() {
        assert_eq!(
            NtStatus::STATUS_LOGON_FAILURE.to_string(),
            "STATUS_LOGON_FAILURE (0xC000006D)"
        );
        assert_eq!(
            NtStatus(0xC007_00EA).to_string(),
            "0xC00700EA (win32 error 234)"
        );
        assert_eq!(NtStatus(0x1234_5678).to_string(), "0x12345678");
        assert_eq!(
            format!("{:?}", NtStatus::STATUS_NOT_SUPPORTED),
            "NtStatus(STATUS_NOT_SUPPORTED (0xC00000BB))"
        );
        assert!(!NtStatus::STATUS_SUCCESS.is_failure());
    }

    #[test]
    fn named_constants_have_their_names() {
        for (status, name) in [
            (NtStatus::STATUS_ACCESS_DENIED, "STATUS_ACCESS_DENIED"),
            (
                NtStatus::STATUS_ACCOUNT_RESTRICTION,
                "STATUS_ACCOUNT_RESTRICTION",
            ),
            (NtStatus::STATUS_WRONG_PASSWORD, "STATUS_WRONG_PASSWORD"),
            (NtStatus::STATUS_NO_SUCH_USER, "STATUS_NO_SUCH_USER"),
            (
                NtStatus::STATUS_LOGON_TYPE_NOT_GRANTED,
                "STATUS_LOGON_TYPE_NOT_GRANTED",
            ),
            (NtStatus::STATUS_ACCOUNT_DISABLED, "STATUS_ACCOUNT_DISABLED"),
            (NtStatus::STATUS_PASSWORD_EXPIRED, "STATUS_PASSWORD_EXPIRED"),
            (
                NtStatus::STATUS_INVALID_PARAMETER,
                "STATUS_INVALID_PARAMETER",
            ),
            (NtStatus::STATUS_UNSUCCESSFUL, "STATUS_UNSUCCESSFUL"),
        ] {
            assert_eq!(status.name(), Some(name));
        }
    }

    #[test]
    fn small_and_boundary_values_are_minimal() {
        for (value, der) in [
            (0u32, &[0x02, 0x01, 0x00][..]),
            (0x7F, &[0x02, 0x01, 0x7F]),
            (0x80, &[0x02, 0x02, 0x00, 0x80]),
            (0x7FFF_FFFF, &[0x02, 0x04, 0x7F, 0xFF, 0xFF, 0xFF]),
            (0x8000_0000, &[0x02, 0x04, 0x80, 0x00, 0x00, 0x00]),
            (0xFFFF_FFFF, &[0x02, 0x01, 0xFF]),
        ] {
            assert_eq!(NtStatus(value).to_der().unwrap(), der, "{value:#x}");
            assert_eq!(NtStatus::from_der(der).unwrap(), NtStatus(value));
        }
        // The unsigned 5-byte form is not a 32-bit signed INTEGER.
        assert!(NtStatus::from_der(&[0x02, 0x05, 0x00, 0xC0, 0x00, 0x00, 0x6D]).is_err());
        // Non-minimal signed forms are rejected.
        assert!(NtStatus::from_der(&[0x02, 0x02, 0x00, 0x01]).is_err());
        assert!(NtStatus::from_der(&[0x02, 0x02, 0xFF, 0x80]).is_err());
    }
}
