//! [MS-CSSP] 2.2.1.2 `TSCredentials` and the credential structures it
//! carries: 2.2.1.2.1 `TSPasswordCreds`, 2.2.1.2.2 `TSSmartCardCreds` with
//! 2.2.1.2.2.1 `TSCspDataDetail`, and 2.2.1.2.3 `TSRemoteGuardCreds` with
//! 2.2.1.2.3.1 `TSRemoteGuardPackageCred`.
//!
//! Secret fields (the password, the PIN, Remote Guard credential buffers) are
//! [`SecretBytes`]: zeroized on drop and redacted in `Debug`. The encoded
//! `TSCredentials` is itself returned as [`SecretBytes`], and the
//! intermediate `credentials` OCTET STRING is never held in a plain buffer.
//!
//! Windows puts text as UTF-16LE without a terminator in these OCTET STRINGs
//! ([MS-CSSP-Diff] notes <14>–<17>); the bytes are kept as sent.

use der::asn1::OctetString;
use der::{Decode, Encode, Header, Sequence, SliceReader};

use crate::Error;
use crate::cssp::octets;
use crate::error::length_to_usize;
use crate::schema::{self, Body, Schema, Value, leaf, opt, req};
use crate::secret::SecretBytes;

const TS_CREDENTIALS: &str = "TSCredentials";
const TS_CREDENTIALS_SECTION: &str = "[MS-CSSP] 2.2.1.2";

/// [MS-CSSP] 2.2.1.2 TSCredentials: the delegated credentials, by type.
///
/// ```text
/// TSCredentials ::= SEQUENCE {
///     credType    [0] INTEGER,
///     credentials [1] OCTET STRING
/// }
/// ```
///
/// `credType` MUST be 1, 2 or 6, and `credentials` holds the DER of the
/// matching structure; both are decoded in one step.
#[derive(Debug, Eq, PartialEq)]
pub enum TsCredentials {
    /// `credType` 1: [`TsPasswordCreds`].
    Password(TsPasswordCreds),
    /// `credType` 2: [`TsSmartCardCreds`].
    SmartCard(TsSmartCardCreds),
    /// `credType` 6: [`TsRemoteGuardCreds`].
    RemoteGuard(TsRemoteGuardCreds),
}

/// The wire form of [`TsCredentials`].
#[derive(Sequence)]
struct TsCredentialsWire {
    #[asn1(context_specific = "0")]
    cred_type: u32,
    #[asn1(context_specific = "1")]
    credentials: SecretBytes,
}

/// [MS-CSSP] 2.2.1.2.1 TSPasswordCreds.
///
/// ```text
/// TSPasswordCreds ::= SEQUENCE {
///     domainName [0] OCTET STRING,
///     userName   [1] OCTET STRING,
///     password   [2] OCTET STRING
/// }
/// ```
#[derive(Debug, Eq, PartialEq, Sequence)]
pub struct TsPasswordCreds {
    /// The user's account domain.
    #[asn1(context_specific = "0")]
    pub domain_name: OctetString,
    /// The user's account name.
    #[asn1(context_specific = "1")]
    pub user_name: OctetString,
    /// The user's password.
    #[asn1(context_specific = "2")]
    pub password: SecretBytes,
}

/// [MS-CSSP] 2.2.1.2.2 TSSmartCardCreds.
///
/// ```text
/// TSSmartCardCreds ::= SEQUENCE {
///     pin        [0] OCTET STRING,
///     cspData    [1] TSCspDataDetail,
///     userHint   [2] OCTET STRING OPTIONAL,
///     domainHint [3] OCTET STRING OPTIONAL
/// }
/// ```
#[derive(Debug, Eq, PartialEq, Sequence)]
pub struct TsSmartCardCreds {
    /// The smart-card PIN.
    #[asn1(context_specific = "0")]
    pub pin: SecretBytes,
    /// The cryptographic service provider details.
    #[asn1(context_specific = "1")]
    pub csp_data: TsCspDataDetail,
    /// The user's account hint.
    #[asn1(context_specific = "2", optional = "true")]
    pub user_hint: Option<OctetString>,
    /// The user's domain hint.
    #[asn1(context_specific = "3", optional = "true")]
    pub domain_hint: Option<OctetString>,
}

/// [MS-CSSP] 2.2.1.2.2.1 TSCspDataDetail.
///
/// ```text
/// TSCspDataDetail ::= SEQUENCE {
///     keySpec       [0] INTEGER,
///     cardName      [1] OCTET STRING OPTIONAL,
///     readerName    [2] OCTET STRING OPTIONAL,
///     containerName [3] OCTET STRING OPTIONAL,
///     cspName       [4] OCTET STRING OPTIONAL
/// }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TsCspDataDetail {
    /// The key specification (`AT_KEYEXCHANGE` = 1, `AT_SIGNATURE` = 2).
    #[asn1(context_specific = "0")]
    pub key_spec: u32,
    /// The smart card's name.
    #[asn1(context_specific = "1", optional = "true")]
    pub card_name: Option<OctetString>,
    /// The reader's name.
    #[asn1(context_specific = "2", optional = "true")]
    pub reader_name: Option<OctetString>,
    /// The certificate container's name.
    #[asn1(context_specific = "3", optional = "true")]
    pub container_name: Option<OctetString>,
    /// The CSP's name.
    #[asn1(context_specific = "4", optional = "true")]
    pub csp_name: Option<OctetString>,
}

/// [MS-CSSP] 2.2.1.2.3 TSRemoteGuardCreds.
///
/// ```text
/// TSRemoteGuardCreds ::= SEQUENCE {
///     logonCred         [0] TSRemoteGuardPackageCred,
///     supplementalCreds [1] SEQUENCE OF TSRemoteGuardPackageCred OPTIONAL
/// }
/// ```
#[derive(Debug, Eq, PartialEq, Sequence)]
pub struct TsRemoteGuardCreds {
    /// The logon credential, for the Negotiate package.
    #[asn1(context_specific = "0")]
    pub logon_cred: TsRemoteGuardPackageCred,
    /// Supplemental credentials for other packages.
    #[asn1(context_specific = "1", optional = "true")]
    pub supplemental_creds: Option<Vec<TsRemoteGuardPackageCred>>,
}

/// [MS-CSSP] 2.2.1.2.3.1 TSRemoteGuardPackageCred.
///
/// ```text
/// TSRemoteGuardPackageCred ::= SEQUENCE {
///     packageName [0] OCTET STRING,
///     credBuffer  [1] OCTET STRING
/// }
/// ```
#[derive(Debug, Eq, PartialEq, Sequence)]
pub struct TsRemoteGuardPackageCred {
    /// The security package the credential is for (e.g. `Kerberos`).
    #[asn1(context_specific = "0")]
    pub package_name: OctetString,
    /// The package's credential (e.g. a `KERB_TICKET_LOGON`): secret.
    #[asn1(context_specific = "1")]
    pub cred_buffer: SecretBytes,
}

static TS_CREDENTIALS_SCHEMA: Schema = Schema {
    structure: TS_CREDENTIALS,
    section: TS_CREDENTIALS_SECTION,
    body: Body::Tagged(&[
        req(0, "credType", Value::Leaf(leaf::<u32>)),
        req(1, "credentials", Value::Leaf(leaf::<SecretBytes>)),
    ]),
};

static TS_PASSWORD_CREDS: Schema = Schema {
    structure: "TSPasswordCreds",
    section: "[MS-CSSP] 2.2.1.2.1",
    body: Body::Tagged(&[
        req(0, "domainName", Value::Leaf(leaf::<OctetString>)),
        req(1, "userName", Value::Leaf(leaf::<OctetString>)),
        req(2, "password", Value::Leaf(leaf::<SecretBytes>)),
    ]),
};

static TS_CSP_DATA_DETAIL: Schema = Schema {
    structure: "TSCspDataDetail",
    section: "[MS-CSSP] 2.2.1.2.2.1",
    body: Body::Tagged(&[
        req(0, "keySpec", Value::Leaf(leaf::<u32>)),
        opt(1, "cardName", Value::Leaf(leaf::<OctetString>)),
        opt(2, "readerName", Value::Leaf(leaf::<OctetString>)),
        opt(3, "containerName", Value::Leaf(leaf::<OctetString>)),
        opt(4, "cspName", Value::Leaf(leaf::<OctetString>)),
    ]),
};

static TS_SMART_CARD_CREDS: Schema = Schema {
    structure: "TSSmartCardCreds",
    section: "[MS-CSSP] 2.2.1.2.2",
    body: Body::Tagged(&[
        req(0, "pin", Value::Leaf(leaf::<SecretBytes>)),
        req(1, "cspData", Value::Nested(&TS_CSP_DATA_DETAIL)),
        opt(2, "userHint", Value::Leaf(leaf::<OctetString>)),
        opt(3, "domainHint", Value::Leaf(leaf::<OctetString>)),
    ]),
};

static TS_REMOTE_GUARD_PACKAGE_CRED: Schema = Schema {
    structure: "TSRemoteGuardPackageCred",
    section: "[MS-CSSP] 2.2.1.2.3.1",
    body: Body::Tagged(&[
        req(0, "packageName", Value::Leaf(leaf::<OctetString>)),
        req(1, "credBuffer", Value::Leaf(leaf::<SecretBytes>)),
    ]),
};

static SUPPLEMENTAL_CREDS: Schema = Schema {
    structure: "TSRemoteGuardCreds.supplementalCreds",
    section: "[MS-CSSP] 2.2.1.2.3",
    body: Body::SequenceOf(&TS_REMOTE_GUARD_PACKAGE_CRED),
};

static TS_REMOTE_GUARD_CREDS: Schema = Schema {
    structure: "TSRemoteGuardCreds",
    section: "[MS-CSSP] 2.2.1.2.3",
    body: Body::Tagged(&[
        req(0, "logonCred", Value::Nested(&TS_REMOTE_GUARD_PACKAGE_CRED)),
        opt(1, "supplementalCreds", Value::Nested(&SUPPLEMENTAL_CREDS)),
    ]),
};

impl TsCredentials {
    /// `credType` of a password credential.
    pub const CRED_TYPE_PASSWORD: u32 = 1;
    /// `credType` of a smart-card credential.
    pub const CRED_TYPE_SMART_CARD: u32 = 2;
    /// `credType` of a Remote Credential Guard credential.
    pub const CRED_TYPE_REMOTE_GUARD: u32 = 6;

    /// The `credType` value of this credential.
    pub fn cred_type(&self) -> u32 {
        match self {
            Self::Password(_) => Self::CRED_TYPE_PASSWORD,
            Self::SmartCard(_) => Self::CRED_TYPE_SMART_CARD,
            Self::RemoteGuard(_) => Self::CRED_TYPE_REMOTE_GUARD,
        }
    }

    /// Decodes a TSCredentials (the plaintext of `authInfo`) and the
    /// credential structure inside it, from strict DER. Error offsets count
    /// from the start of `bytes`, also inside `credentials`.
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        let wire: TsCredentialsWire = schema::decode(&TS_CREDENTIALS_SCHEMA, bytes)?;
        let inner = wire.credentials.expose_secret();
        // `credentials` is the last component, so its contents end the input.
        let base = bytes.len().saturating_sub(inner.len());
        let shift = |e: Error| e.shifted(base);
        match wire.cred_type {
            Self::CRED_TYPE_PASSWORD => schema::decode(&TS_PASSWORD_CREDS, inner)
                .map(Self::Password)
                .map_err(shift),
            Self::CRED_TYPE_SMART_CARD => schema::decode(&TS_SMART_CARD_CREDS, inner)
                .map(Self::SmartCard)
                .map_err(shift),
            Self::CRED_TYPE_REMOTE_GUARD => schema::decode(&TS_REMOTE_GUARD_CREDS, inner)
                .map(Self::RemoteGuard)
                .map_err(shift),
            _ => Err(Error::invalid(
                TS_CREDENTIALS,
                "credType",
                TS_CREDENTIALS_SECTION,
                "credType is not 1 (password), 2 (smart card) or 6 (remote guard)",
            )
            .at(outer_header_len(bytes))),
        }
    }

    /// Encodes to DER. The result holds the secrets, so it is
    /// [`SecretBytes`] too.
    pub fn to_der(&self) -> Result<SecretBytes, Error> {
        let credentials = match self {
            Self::Password(c) => encode_secret(c, "TSPasswordCreds", "[MS-CSSP] 2.2.1.2.1"),
            Self::SmartCard(c) => encode_secret(c, "TSSmartCardCreds", "[MS-CSSP] 2.2.1.2.2"),
            Self::RemoteGuard(c) => encode_secret(c, "TSRemoteGuardCreds", "[MS-CSSP] 2.2.1.2.3"),
        }?;
        let wire = TsCredentialsWire {
            cred_type: self.cred_type(),
            credentials,
        };
        encode_secret(&wire, TS_CREDENTIALS, TS_CREDENTIALS_SECTION)
    }
}

impl TsPasswordCreds {
    /// Password credentials from text, encoded UTF-16LE as Windows does.
    pub fn new_utf16(domain: &str, user: &str, password: &str) -> Result<Self, Error> {
        const S: &str = "TSPasswordCreds";
        const SEC: &str = "[MS-CSSP] 2.2.1.2.1";
        Ok(Self {
            domain_name: octets(utf16le(domain), S, "domainName", SEC)?,
            user_name: octets(utf16le(user), S, "userName", SEC)?,
            password: SecretBytes::from_utf16le(password),
        })
    }
}

/// `s` as UTF-16LE bytes without a terminator (for the non-secret text
/// fields; secrets use [`SecretBytes::from_utf16le`]).
pub fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// Decodes UTF-16LE text (`None` on an odd length or unpaired surrogate).
pub fn from_utf16le(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .filter_map(|pair| <[u8; 2]>::try_from(pair).ok())
        .map(u16::from_le_bytes)
        .collect();
    String::from_utf16(&units).ok()
}

fn encode_secret<T: Encode>(
    value: &T,
    structure: &'static str,
    section: &'static str,
) -> Result<SecretBytes, Error> {
    let err = |e| Error::encode(e, structure, section);
    let len = value.encoded_len().map_err(err)?;
    let len = usize::try_from(len).map_err(err)?;
    let mut out = SecretBytes::zeroed(len);
    value
        .encode_to_slice(out.expose_secret_mut())
        .map_err(err)?;
    Ok(out)
}

/// Length of the outer TLV header of `bytes` (which has decoded fine).
fn outer_header_len(bytes: &[u8]) -> usize {
    SliceReader::new(bytes)
        .ok()
        .and_then(|mut r| Header::decode(&mut r).ok())
        .and_then(|h| h.encoded_len().ok())
        .map_or(0, length_to_usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn os(bytes: &[u8]) -> OctetString {
        OctetString::new(bytes).unwrap()
    }

    #[test]
    fn password_round_trip_and_layout() {
        let creds = TsCredentials::Password(TsPasswordCreds::new_utf16("D", "u", "p").unwrap());
        let der = creds.to_der().unwrap();
        let expected =
            "301da003020101a1160414 3012 a00404024400 a10404027500 a20404027000".replace(' ', "");
        assert_eq!(hex::encode(der.expose_secret()), expected);
        assert_eq!(TsCredentials::from_der(der.expose_secret()).unwrap(), creds);
    }

    #[test]
    fn unknown_cred_type_is_rejected() {
        // credType 3 around an empty SEQUENCE.
        let bytes = hex::decode("300ba003020103a10404023000").unwrap();
        let err = TsCredentials::from_der(&bytes).unwrap_err();
        assert_eq!(err.field, Some("credType"));
        assert!(matches!(err.kind, ErrorKind::InvalidValue(_)));
        assert_eq!(err.offset, Some(2));
    }

    #[test]
    fn inner_errors_name_the_inner_structure_and_absolute_offset() {
        // TSPasswordCreds with userName missing: SEQUENCE { [0] "D", [2] "p" }.
        let inner = hex::decode("300ca0040402 4400a2040402 7000".replace(' ', "")).unwrap();
        let mut outer = hex::decode("3017a003020101a110040e").unwrap();
        outer.extend_from_slice(&inner);
        let err = TsCredentials::from_der(&outer).unwrap_err();
        assert_eq!(err.structure, "TSPasswordCreds");
        assert_eq!(err.field, Some("userName"));
        assert_eq!(err.kind, ErrorKind::MissingField);
        // [2] starts 8 bytes into the inner SEQUENCE, which starts at 11.
        assert_eq!(err.offset, Some(11 + 8));
    }

    #[test]
    fn remote_guard_round_trip() {
        let creds = TsCredentials::RemoteGuard(TsRemoteGuardCreds {
            logon_cred: TsRemoteGuardPackageCred {
                package_name: os(&utf16le("Kerberos")),
                cred_buffer: SecretBytes::from_slice(&[1, 2, 3, 4]),
            },
            supplemental_creds: Some(vec![TsRemoteGuardPackageCred {
                package_name: os(&utf16le("NTLM")),
                cred_buffer: SecretBytes::from_slice(&[0xFF; 40]),
            }]),
        });
        let der = creds.to_der().unwrap();
        assert_eq!(TsCredentials::from_der(der.expose_secret()).unwrap(), creds);
        assert_eq!(creds.cred_type(), 6);
    }

    #[test]
    fn utf16_helpers() {
        assert_eq!(utf16le("aé"), [0x61, 0, 0xE9, 0]);
        assert_eq!(from_utf16le(&[0x61, 0, 0xE9, 0]).as_deref(), Some("aé"));
        assert_eq!(from_utf16le(&[0x61]), None);
        assert_eq!(from_utf16le(&[0x00, 0xD8]), None);
    }
}
