//! Delegated credentials ([MS-CSSP] 2.2.1.2): what the client seals into
//! `authInfo` and the server hands to its caller, with text decoded.
//!
//! Text fields travel as UTF-16LE without a terminator ([MS-CSSP-Diff]
//! product notes <14>–<17>). Passwords and PINs are [`SecretString`]s,
//! Remote Guard credential buffers [`SecretBytes`]: zeroized on drop,
//! `<redacted>` in `Debug`.

use core::fmt;

use asn1_types::der::asn1::OctetString;
use asn1_types::{
    TsCredentials, TsCspDataDetail, TsPasswordCreds, TsRemoteGuardCreds, TsRemoteGuardPackageCred,
    TsSmartCardCreds, utf16le,
};
use crypto_primitives::SecretBytes;
use zeroize::Zeroizing;

use crate::error::Error;

/// A secret text (password, PIN): zeroized on drop, redacted in `Debug`,
/// compared in constant time.
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps `s`.
    pub fn new(s: &str) -> Self {
        Self(Zeroizing::new(s.to_owned()))
    }

    /// The secret text. Keep it out of logs.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// An explicit copy.
    pub fn dangerous_clone(&self) -> Self {
        Self::new(&self.0)
    }

    fn to_utf16le(&self) -> asn1_types::SecretBytes {
        asn1_types::SecretBytes::from_utf16le(&self.0)
    }

    /// Decodes UTF-16LE secret bytes without leaving copies behind.
    fn from_utf16le(bytes: &[u8]) -> Option<Self> {
        if !bytes.len().is_multiple_of(2) {
            return None;
        }
        let mut out = Zeroizing::new(String::with_capacity(bytes.len().saturating_mul(2)));
        let units = bytes
            .chunks_exact(2)
            .map(|p| <[u8; 2]>::try_from(p).map_or(0xD800, u16::from_le_bytes));
        for c in char::decode_utf16(units) {
            let c = c.ok()?;
            if out.len() + c.len_utf8() > out.capacity() {
                return None;
            }
            out.push(c);
        }
        Some(Self(out))
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        crypto_primitives::ct_eq_bytes(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl Eq for SecretString {}

/// [MS-CSSP] 2.2.1.2.1 TSPasswordCreds. An empty domain, user and password
/// is the restricted-admin form.
#[derive(Debug, PartialEq, Eq)]
pub struct PasswordCreds {
    /// The account's domain.
    pub domain: String,
    /// The account name.
    pub user: String,
    /// The password.
    pub password: SecretString,
}

/// [MS-CSSP] 2.2.1.2.2.1 TSCspDataDetail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CspDataDetail {
    /// `AT_KEYEXCHANGE` (1) or `AT_SIGNATURE` (2).
    pub key_spec: u32,
    /// The smart card's name.
    pub card_name: Option<String>,
    /// The reader's name.
    pub reader_name: Option<String>,
    /// The key container's name.
    pub container_name: Option<String>,
    /// The CSP's name.
    pub csp_name: Option<String>,
}

/// [MS-CSSP] 2.2.1.2.2 TSSmartCardCreds.
#[derive(Debug, PartialEq, Eq)]
pub struct SmartCardCreds {
    /// The PIN.
    pub pin: SecretString,
    /// Where the key lives.
    pub csp_data: CspDataDetail,
    /// The user's account hint.
    pub user_hint: Option<String>,
    /// The user's domain hint.
    pub domain_hint: Option<String>,
}

/// [MS-CSSP] 2.2.1.2.3.1 TSRemoteGuardPackageCred.
#[derive(Debug, PartialEq, Eq)]
pub struct RemoteGuardPackageCred {
    /// The security package (`Kerberos`, `NTLM`, ...).
    pub package_name: String,
    /// The package-specific credential: secret.
    pub cred_buffer: SecretBytes,
}

/// [MS-CSSP] 2.2.1.2.3 TSRemoteGuardCreds.
#[derive(Debug, PartialEq, Eq)]
pub struct RemoteGuardCreds {
    /// The logon credential.
    pub logon_cred: RemoteGuardPackageCred,
    /// Supplemental credentials for other packages (`None` when absent on
    /// the wire, which differs from an empty list).
    pub supplemental_creds: Option<Vec<RemoteGuardPackageCred>>,
}

/// [MS-CSSP] 2.2.1.2 TSCredentials, typed.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// `credType` 1.
    Password(PasswordCreds),
    /// `credType` 2.
    SmartCard(SmartCardCreds),
    /// `credType` 6.
    RemoteGuard(RemoteGuardCreds),
}

impl Credentials {
    /// Password credentials.
    pub fn password(domain: &str, user: &str, password: &str) -> Self {
        Self::Password(PasswordCreds {
            domain: domain.to_owned(),
            user: user.to_owned(),
            password: SecretString::new(password),
        })
    }

    /// Empty domain, user and password: restricted-admin style delegation,
    /// where the server uses no delegated secret.
    pub fn restricted_admin() -> Self {
        Self::password("", "", "")
    }

    /// An explicit copy.
    pub fn dangerous_clone(&self) -> Self {
        match self {
            Self::Password(p) => Self::Password(PasswordCreds {
                domain: p.domain.clone(),
                user: p.user.clone(),
                password: p.password.dangerous_clone(),
            }),
            Self::SmartCard(s) => Self::SmartCard(SmartCardCreds {
                pin: s.pin.dangerous_clone(),
                csp_data: s.csp_data.clone(),
                user_hint: s.user_hint.clone(),
                domain_hint: s.domain_hint.clone(),
            }),
            Self::RemoteGuard(r) => {
                let copy = |c: &RemoteGuardPackageCred| RemoteGuardPackageCred {
                    package_name: c.package_name.clone(),
                    cred_buffer: c.cred_buffer.dangerous_clone(),
                };
                Self::RemoteGuard(RemoteGuardCreds {
                    logon_cred: copy(&r.logon_cred),
                    supplemental_creds: r
                        .supplemental_creds
                        .as_ref()
                        .map(|v| v.iter().map(copy).collect()),
                })
            }
        }
    }

    /// The `credType` value.
    pub fn cred_type(&self) -> u32 {
        match self {
            Self::Password(_) => TsCredentials::CRED_TYPE_PASSWORD,
            Self::SmartCard(_) => TsCredentials::CRED_TYPE_SMART_CARD,
            Self::RemoteGuard(_) => TsCredentials::CRED_TYPE_REMOTE_GUARD,
        }
    }

    /// The DER of the TSCredentials (the plaintext of `authInfo`), secret.
    pub fn to_der(&self) -> Result<SecretBytes, Error> {
        let ts = self.to_wire()?;
        let der = ts.to_der().map_err(Error::encode)?;
        Ok(SecretBytes::from_slice(der.expose_secret()))
    }

    /// Decodes the TSCredentials DER (the plaintext of `authInfo`).
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        let ts = TsCredentials::from_der(bytes).map_err(Error::decode)?;
        Self::from_wire(&ts)
    }

    fn to_wire(&self) -> Result<TsCredentials, Error> {
        Ok(match self {
            Self::Password(p) => TsCredentials::Password(TsPasswordCreds {
                domain_name: text(&p.domain, "domainName", PASSWORD)?,
                user_name: text(&p.user, "userName", PASSWORD)?,
                password: p.password.to_utf16le(),
            }),
            Self::SmartCard(s) => TsCredentials::SmartCard(TsSmartCardCreds {
                pin: s.pin.to_utf16le(),
                csp_data: TsCspDataDetail {
                    key_spec: s.csp_data.key_spec,
                    card_name: opt_text(&s.csp_data.card_name, "cardName", CSP)?,
                    reader_name: opt_text(&s.csp_data.reader_name, "readerName", CSP)?,
                    container_name: opt_text(&s.csp_data.container_name, "containerName", CSP)?,
                    csp_name: opt_text(&s.csp_data.csp_name, "cspName", CSP)?,
                },
                user_hint: opt_text(&s.user_hint, "userHint", SMART_CARD)?,
                domain_hint: opt_text(&s.domain_hint, "domainHint", SMART_CARD)?,
            }),
            Self::RemoteGuard(r) => {
                let pkg = |c: &RemoteGuardPackageCred| -> Result<TsRemoteGuardPackageCred, Error> {
                    Ok(TsRemoteGuardPackageCred {
                        package_name: text(&c.package_name, "packageName", PACKAGE)?,
                        cred_buffer: asn1_types::SecretBytes::from_slice(
                            c.cred_buffer.expose_secret(),
                        ),
                    })
                };
                TsCredentials::RemoteGuard(TsRemoteGuardCreds {
                    logon_cred: pkg(&r.logon_cred)?,
                    supplemental_creds: r
                        .supplemental_creds
                        .as_ref()
                        .map(|v| v.iter().map(pkg).collect::<Result<Vec<_>, _>>())
                        .transpose()?,
                })
            }
        })
    }

    fn from_wire(ts: &TsCredentials) -> Result<Self, Error> {
        Ok(match ts {
            TsCredentials::Password(p) => Self::Password(PasswordCreds {
                domain: untext(&p.domain_name, "domainName", PASSWORD)?,
                user: untext(&p.user_name, "userName", PASSWORD)?,
                password: secret_untext(p.password.expose_secret(), "password", PASSWORD)?,
            }),
            TsCredentials::SmartCard(s) => Self::SmartCard(SmartCardCreds {
                pin: secret_untext(s.pin.expose_secret(), "pin", SMART_CARD)?,
                csp_data: CspDataDetail {
                    key_spec: s.csp_data.key_spec,
                    card_name: opt_untext(&s.csp_data.card_name, "cardName", CSP)?,
                    reader_name: opt_untext(&s.csp_data.reader_name, "readerName", CSP)?,
                    container_name: opt_untext(&s.csp_data.container_name, "containerName", CSP)?,
                    csp_name: opt_untext(&s.csp_data.csp_name, "cspName", CSP)?,
                },
                user_hint: opt_untext(&s.user_hint, "userHint", SMART_CARD)?,
                domain_hint: opt_untext(&s.domain_hint, "domainHint", SMART_CARD)?,
            }),
            TsCredentials::RemoteGuard(r) => {
                let pkg = |c: &TsRemoteGuardPackageCred| -> Result<RemoteGuardPackageCred, Error> {
                    Ok(RemoteGuardPackageCred {
                        package_name: untext(&c.package_name, "packageName", PACKAGE)?,
                        cred_buffer: SecretBytes::from_slice(c.cred_buffer.expose_secret()),
                    })
                };
                Self::RemoteGuard(RemoteGuardCreds {
                    logon_cred: pkg(&r.logon_cred)?,
                    supplemental_creds: r
                        .supplemental_creds
                        .as_ref()
                        .map(|v| v.iter().map(pkg).collect::<Result<Vec<_>, _>>())
                        .transpose()?,
                })
            }
        })
    }
}

const PASSWORD: &str = "[MS-CSSP] 2.2.1.2.1";
const SMART_CARD: &str = "[MS-CSSP] 2.2.1.2.2";
const CSP: &str = "[MS-CSSP] 2.2.1.2.2.1";
const PACKAGE: &str = "[MS-CSSP] 2.2.1.2.3.1";

fn text(s: &str, field: &'static str, section: &'static str) -> Result<OctetString, Error> {
    OctetString::new(utf16le(s))
        .map_err(|_| Error::invalid(field, section, "text field too long for an OCTET STRING"))
}

fn opt_text(
    s: &Option<String>,
    field: &'static str,
    section: &'static str,
) -> Result<Option<OctetString>, Error> {
    s.as_deref().map(|s| text(s, field, section)).transpose()
}

fn untext(o: &OctetString, field: &'static str, section: &'static str) -> Result<String, Error> {
    asn1_types::from_utf16le(o.as_bytes())
        .ok_or_else(|| Error::invalid(field, section, "text field is not UTF-16LE"))
}

fn opt_untext(
    o: &Option<OctetString>,
    field: &'static str,
    section: &'static str,
) -> Result<Option<String>, Error> {
    o.as_ref().map(|o| untext(o, field, section)).transpose()
}

fn secret_untext(
    bytes: &[u8],
    field: &'static str,
    section: &'static str,
) -> Result<SecretString, Error> {
    SecretString::from_utf16le(bytes)
        .ok_or_else(|| Error::invalid(field, section, "secret text field is not UTF-16LE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_secret_decoding() {
        let s = SecretString::from_utf16le(&utf16le("Passw0rd!€𝄞")).unwrap();
        assert_eq!(s.expose_secret(), "Passw0rd!€𝄞");
        assert!(SecretString::from_utf16le(&[0x41]).is_none());
        assert!(SecretString::from_utf16le(&[0x00, 0xD8]).is_none()); // lone surrogate
        assert_eq!(SecretString::from_utf16le(&[]).unwrap().expose_secret(), "");
    }

    #[test]
    fn password_layout_matches_asn1_types() {
        let der = Credentials::password("D", "u", "p").to_der().unwrap();
        assert_eq!(
            hex::encode(der.expose_secret()),
            "301da003020101a11604143012a00404024400a10404027500a20404027000"
        );
    }

    #[test]
    fn non_utf16_password_is_named() {
        let ts = TsCredentials::Password(TsPasswordCreds {
            domain_name: OctetString::new(utf16le("D")).unwrap(),
            user_name: OctetString::new(utf16le("u")).unwrap(),
            password: asn1_types::SecretBytes::from_slice(&[0x70]),
        });
        let der = ts.to_der().unwrap();
        let err = Credentials::from_der(der.expose_secret()).unwrap_err();
        assert_eq!(err.field, Some("password"));
        assert_eq!(err.section, "[MS-CSSP] 2.2.1.2.1");
        assert!(!format!("{err:?}").contains("0x70"));
    }
}
