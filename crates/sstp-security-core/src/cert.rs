//! The relay server certificate and its fingerprint ([MS-GRVSSTPS] 3.1.1.1,
//! 3.1.1.2).
//!
//! A relay certificate is an X.509 v3 certificate, self-signed with
//! sha1WithRSAEncryption, whose subject common name is the relay URL and
//! whose public key is the relay's RSA signature key. It carries three
//! Groove extensions:
//!
//! | OID | value |
//! |---|---|
//! | `2.16.840.1.114227.1.1.1` | the ElGamal encryption key, `DHPublicKeyForElgamalEncryption` (3.1.1.1 form or the Groove 2007 form of note <2>) |
//! | `2.16.840.1.114227.1.1.2` | `"DH"`, a Unicode string without terminator |
//! | `2.16.840.1.114227.1.1.3` | `"ELGAMAL"`, a Unicode string without terminator |
//!
//! **Encoding choice.** The specification does not say whether the two name
//! extensions hold the UTF-16LE bytes themselves or a DER string. This crate
//! *writes* the raw UTF-16LE bytes (no DER wrapper, no terminator): 3.1.1.1
//! says the value "MUST be" the Unicode string, 3.1.1.2 hashes exactly those
//! bytes into the fingerprint, and "Unicode" in Microsoft documents means
//! UTF-16LE. When *reading*, it accepts the raw UTF-16LE bytes, a DER
//! `BMPString` (UTF-16BE), a DER `UTF8String`, or a DER `OCTET STRING`
//! holding UTF-16LE; the fingerprint always hashes the UTF-16LE rendering of
//! the decoded text. The encryption key extension holds the key's DER
//! directly (it is DER already).

use core::time::Duration;

use crypto_primitives::elgamal::{self, KeyForm};
use crypto_primitives::fingerprint::{FINGERPRINT_LEN, relay_certificate_fingerprint};
use crypto_primitives::rsa_sha1::{RsaSigningKey, RsaVerifyingKey};
use der::asn1::{Any, BmpString, GeneralizedTime, ObjectIdentifier, OctetString, Utf8StringRef};
use der::{Decode, Encode, Tag, Tagged};
use rand_core::CryptoRng;
use rsa::pkcs8::DecodePrivateKey;
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use asn1_types::grvsstps::{
    OID_ENCRYPTION_ALGORITHM, OID_ENCRYPTION_KEY, OID_ENCRYPTION_KEY_ALGORITHM,
};

use crate::error::{Error, ErrorKind, Origin};

const CERT_SECTION: &str = "[MS-GRVSSTPS] 3.1.1.1";
const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");

/// The encryption key algorithm name (3.1.1.1 extension 2).
pub const ENCRYPTION_KEY_ALGORITHM_NAME: &str = "DH";
/// The encryption algorithm name (3.1.1.1 extension 3).
pub const ENCRYPTION_ALGORITHM_NAME: &str = "ELGAMAL";

/// The UTF-16LE bytes of `s`, without terminator.
fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn from_utf16le(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| match c {
            [lo, hi] => u16::from_le_bytes([*lo, *hi]),
            _ => 0,
        })
        .collect();
    String::from_utf16(&units).ok()
}

/// Decodes a name extension value in any of the accepted encodings (see the
/// module docs).
fn decode_name_extension(value: &[u8]) -> Option<String> {
    if let Ok(any) = Any::from_der(value) {
        match any.tag() {
            Tag::BmpString => {
                if let Ok(s) = BmpString::from_der(value) {
                    return Some(s.to_string());
                }
            }
            Tag::Utf8String => {
                if let Ok(s) = Utf8StringRef::from_der(value) {
                    return Some(s.as_str().to_owned());
                }
            }
            Tag::OctetString => {
                if let Ok(s) = OctetString::from_der(value) {
                    return from_utf16le(s.as_bytes());
                }
            }
            _ => {}
        }
    }
    from_utf16le(value)
}

fn cert_err(why: &'static str, field: &'static str) -> Error {
    Error::peer(why, CERT_SECTION, field)
}

/// A parsed and validated relay certificate.
#[derive(Clone)]
pub struct RelayCertificate {
    der: Vec<u8>,
    relay_url: String,
    signature_key: RsaVerifyingKey,
    encryption_key: elgamal::PublicKey,
    encryption_key_der: Vec<u8>,
    fingerprint: [u8; FINGERPRINT_LEN],
    not_before: u64,
    not_after: u64,
}

impl core::fmt::Debug for RelayCertificate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RelayCertificate")
            .field("relay_url", &self.relay_url)
            .field("fingerprint", &HexBytes(&self.fingerprint))
            .field("encryption_key_form", &self.encryption_key.form())
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

pub(crate) struct HexBytes<'a>(pub(crate) &'a [u8]);

impl core::fmt::Debug for HexBytes<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl RelayCertificate {
    /// Parses a DER certificate and validates it against 3.1.1.1: version 3,
    /// sha1WithRSAEncryption, issuer equal to subject, a valid self-signature
    /// by the subject's RSA key, a relay URL in the subject common name, and
    /// the three Groove extensions each present once and well-formed.
    ///
    /// # Errors
    /// The first rule broken ([`Origin::Peer`]).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let cert = Certificate::from_der(der)
            .map_err(|e| Error::der(e, Origin::Peer, CERT_SECTION).with_field("Certificate"))?;
        let tbs = cert.tbs_certificate();
        if tbs.version() != Version::V3 {
            return Err(cert_err("the certificate must be X.509 v3", "version"));
        }
        if cert.signature_algorithm().oid != SHA1_WITH_RSA || tbs.signature().oid != SHA1_WITH_RSA {
            return Err(cert_err(
                "the certificate must be signed with sha1WithRSAEncryption",
                "signatureAlgorithm",
            ));
        }
        if tbs.issuer() != tbs.subject() {
            return Err(cert_err("the certificate must be self-signed", "issuer"));
        }
        let spki_der = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| Error::der(e, Origin::Peer, CERT_SECTION))?;
        let signature_key = RsaVerifyingKey::from_spki_der(&spki_der)
            .map_err(|e| Error::crypto(e, CERT_SECTION).with_field("subjectPublicKeyInfo"))?;
        let tbs_der = tbs
            .to_der()
            .map_err(|e| Error::der(e, Origin::Peer, CERT_SECTION))?;
        let sig = cert
            .signature()
            .as_bytes()
            .ok_or_else(|| cert_err("the signature has unused bits", "signature"))?;
        signature_key
            .verify_sha1(&tbs_der, sig)
            .map_err(|e| Error::crypto(e, CERT_SECTION).with_field("signature"))?;

        let relay_url = common_name(tbs.subject())
            .ok_or_else(|| cert_err("the subject must hold the relay URL as its CN", "subject"))?;

        let mut key_ext = None;
        let mut key_alg_ext = None;
        let mut alg_ext = None;
        for ext in tbs.extensions().map(|e| e.as_slice()).unwrap_or_default() {
            let slot = if ext.extn_id == OID_ENCRYPTION_KEY {
                &mut key_ext
            } else if ext.extn_id == OID_ENCRYPTION_KEY_ALGORITHM {
                &mut key_alg_ext
            } else if ext.extn_id == OID_ENCRYPTION_ALGORITHM {
                &mut alg_ext
            } else {
                continue;
            };
            if slot.replace(ext.extn_value.as_bytes()).is_some() {
                return Err(cert_err("a Groove extension appears twice", "extensions"));
            }
        }
        let key_der = key_ext.ok_or_else(|| {
            cert_err(
                "the encryption key extension 2.16.840.1.114227.1.1.1 is missing",
                "extensions",
            )
        })?;
        let key_alg = key_alg_ext.ok_or_else(|| {
            cert_err(
                "the encryption key algorithm extension 2.16.840.1.114227.1.1.2 is missing",
                "extensions",
            )
        })?;
        let alg = alg_ext.ok_or_else(|| {
            cert_err(
                "the encryption algorithm extension 2.16.840.1.114227.1.1.3 is missing",
                "extensions",
            )
        })?;
        if decode_name_extension(key_alg).as_deref() != Some(ENCRYPTION_KEY_ALGORITHM_NAME) {
            return Err(cert_err(
                "the encryption key algorithm must be \"DH\"",
                "EncryptionKeyAlgorithm",
            ));
        }
        if decode_name_extension(alg).as_deref() != Some(ENCRYPTION_ALGORITHM_NAME) {
            return Err(cert_err(
                "the encryption algorithm must be \"ELGAMAL\"",
                "EncryptionAlgorithm",
            ));
        }
        let encryption_key = elgamal::PublicKey::from_der(key_der)
            .map_err(|e| Error::crypto(e, CERT_SECTION).with_field("EncryptionKey"))?;
        let fingerprint = relay_certificate_fingerprint(
            ENCRYPTION_KEY_ALGORITHM_NAME,
            ENCRYPTION_ALGORITHM_NAME,
            key_der,
        );
        let validity = tbs.validity();
        Ok(Self {
            der: der.to_vec(),
            relay_url,
            signature_key,
            encryption_key,
            encryption_key_der: key_der.to_vec(),
            fingerprint,
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
        })
    }

    /// The certificate's DER.
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// The relay URL the certificate binds.
    pub fn relay_url(&self) -> &str {
        &self.relay_url
    }

    /// The relay's RSA signature public key.
    pub fn signature_key(&self) -> &RsaVerifyingKey {
        &self.signature_key
    }

    /// The relay's ElGamal encryption public key.
    pub fn encryption_key(&self) -> &elgamal::PublicKey {
        &self.encryption_key
    }

    /// The DER of the encryption key, as the extension carries it.
    pub fn encryption_key_der(&self) -> &[u8] {
        &self.encryption_key_der
    }

    /// The 3.1.1.2 fingerprint.
    pub fn fingerprint(&self) -> &[u8; FINGERPRINT_LEN] {
        &self.fingerprint
    }

    /// Whether `unix_seconds` lies inside the validity period. Time is an
    /// input: this crate has no clock.
    pub fn is_valid_at(&self, unix_seconds: u64) -> bool {
        (self.not_before..=self.not_after).contains(&unix_seconds)
    }
}

fn common_name(name: &Name) -> Option<String> {
    let atv = name.iter().find(|atv| atv.oid == CN)?;
    match atv.value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => {
            core::str::from_utf8(atv.value.value())
                .ok()
                .map(str::to_owned)
        }
        _ => None,
    }
}

/// What goes into a new relay certificate. Time and randomness are inputs.
#[derive(Debug, Clone)]
pub struct RelayCertificateParams {
    /// The relay URL (e.g. `grooveDNS://relay.contoso.com`).
    pub relay_url: String,
    /// Start of validity, seconds since 1970.
    pub not_before: u64,
    /// End of validity, seconds since 1970.
    pub not_after: u64,
    /// Size of the RSA signature key (1024 to 4096).
    pub rsa_bits: usize,
    /// The ElGamal group of the encryption key ([`elgamal::Group::groove2007`]
    /// is what both Groove relays use: the §4.1.5 ciphertexts are 384 bytes).
    pub group: elgamal::Group,
    /// The DER form of the encryption key in the certificate.
    pub key_form: KeyForm,
}

/// The relay's certificate with its private keys: what a relay engine needs.
#[derive(Debug)]
pub struct RelayIdentity {
    certificate: RelayCertificate,
    encryption_key: elgamal::PrivateKey,
    signature_key: RsaSigningKey,
}

struct RelayProfile {
    subject: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for RelayProfile {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

fn build_err(why: &'static str) -> Error {
    Error::new(ErrorKind::Invalid(why), Origin::Internal, CERT_SECTION)
}

impl RelayIdentity {
    /// Generates the relay's RSA signature key and ElGamal encryption key
    /// and a self-signed certificate binding them to the relay URL.
    ///
    /// # Errors
    /// Bad parameters ([`Origin::Caller`]) or a failing primitive.
    pub fn generate<R: CryptoRng + ?Sized>(
        rng: &mut R,
        params: &RelayCertificateParams,
    ) -> Result<Self, Error> {
        let signature_key = RsaSigningKey::generate(rng, params.rsa_bits)
            .map_err(|e| Error::crypto(e, CERT_SECTION))?;
        let encryption_key = elgamal::PrivateKey::generate(rng, params.group.clone())
            .map_err(|e| Error::crypto(e, CERT_SECTION))?;
        let der = build_certificate(rng, params, &signature_key, &encryption_key)?;
        Self::from_parts(&der, encryption_key, signature_key)
    }

    /// Assembles an identity from a certificate and its private keys,
    /// checking that the keys are the certificate's.
    ///
    /// # Errors
    /// The certificate is invalid or the keys do not match it.
    pub fn from_parts(
        certificate_der: &[u8],
        encryption_key: elgamal::PrivateKey,
        signature_key: RsaSigningKey,
    ) -> Result<Self, Error> {
        let certificate = RelayCertificate::from_der(certificate_der)?;
        if certificate.signature_key != signature_key.verifying_key() {
            return Err(Error::caller(
                "the signature key is not the certificate's",
                CERT_SECTION,
                "signature_key",
            ));
        }
        if certificate.encryption_key.y_be() != encryption_key.public_key().y_be()
            || certificate.encryption_key.group() != encryption_key.public_key().group()
        {
            return Err(Error::caller(
                "the encryption key is not the certificate's",
                CERT_SECTION,
                "encryption_key",
            ));
        }
        Ok(Self {
            certificate,
            encryption_key,
            signature_key,
        })
    }

    /// The certificate.
    pub fn certificate(&self) -> &RelayCertificate {
        &self.certificate
    }

    /// The relay URL.
    pub fn relay_url(&self) -> &str {
        self.certificate.relay_url()
    }

    /// The 3.1.1.2 fingerprint of the certificate.
    pub fn fingerprint(&self) -> &[u8; FINGERPRINT_LEN] {
        self.certificate.fingerprint()
    }

    /// The ElGamal private key that decrypts registered keys.
    pub fn encryption_key(&self) -> &elgamal::PrivateKey {
        &self.encryption_key
    }

    /// The RSA key that signed the certificate.
    pub fn signature_key(&self) -> &RsaSigningKey {
        &self.signature_key
    }
}

fn build_certificate<R: CryptoRng + ?Sized>(
    rng: &mut R,
    params: &RelayCertificateParams,
    signature_key: &RsaSigningKey,
    encryption_key: &elgamal::PrivateKey,
) -> Result<Vec<u8>, Error> {
    if params.not_before > params.not_after {
        return Err(Error::caller(
            "not_before is after not_after",
            CERT_SECTION,
            "not_before",
        ));
    }
    let caller_der = |e| Error::der(e, Origin::Caller, CERT_SECTION);
    // Subject: CN = relay URL, as a UTF8String (built directly rather than
    // through RFC 4514 parsing, so no character of the URL needs escaping).
    let cn = AttributeTypeAndValue {
        oid: CN,
        value: Any::new(Tag::Utf8String, params.relay_url.as_bytes()).map_err(caller_der)?,
    };
    let rdn = RelativeDistinguishedName::try_from(vec![cn]).map_err(caller_der)?;
    let mut rdns = RdnSequence::default();
    rdns.push(rdn);
    let subject = Name::from_der(&rdns.to_der().map_err(caller_der)?).map_err(caller_der)?;

    let key_der = encryption_key
        .public_key()
        .clone()
        .with_form(params.key_form)
        .and_then(|k| k.to_der())
        .map_err(|e| Error::crypto(e, CERT_SECTION))?;
    let ext = |oid, value: Vec<u8>| -> Result<Extension, Error> {
        Ok(Extension {
            extn_id: oid,
            critical: false,
            extn_value: OctetString::new(value).map_err(caller_der)?,
        })
    };
    let extensions = vec![
        ext(OID_ENCRYPTION_KEY, key_der)?,
        ext(
            OID_ENCRYPTION_KEY_ALGORITHM,
            utf16le(ENCRYPTION_KEY_ALGORITHM_NAME),
        )?,
        ext(OID_ENCRYPTION_ALGORITHM, utf16le(ENCRYPTION_ALGORITHM_NAME))?,
    ];
    let time = |secs: u64| -> Result<Time, Error> {
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(Duration::from_secs(secs)).map_err(caller_der)?,
        ))
    };
    let validity = Validity::new(time(params.not_before)?, time(params.not_after)?);
    let mut serial = [0u8; 16];
    rng.fill_bytes(&mut serial);
    if let Some(first) = serial.first_mut() {
        // Positive and of full length.
        *first = (*first & 0x7f) | 0x40;
    }
    let serial = SerialNumber::new(&serial).map_err(|_| build_err("serial number"))?;

    let pkcs8 = signature_key
        .to_pkcs8_der()
        .map_err(|e| Error::crypto(e, CERT_SECTION))?;
    let rsa_key = rsa::PrivateKey::from_pkcs8_der(pkcs8.expose_secret())
        .map_err(|_| build_err("the signature key does not round-trip through pkcs#8"))?;
    let signer = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(rsa_key);
    let spki_der = signature_key
        .verifying_key()
        .to_spki_der()
        .map_err(|e| Error::crypto(e, CERT_SECTION))?;
    let spki = SubjectPublicKeyInfoOwned::from_der(&spki_der)
        .map_err(|e| Error::der(e, Origin::Internal, CERT_SECTION))?;
    let builder = CertificateBuilder::new(
        RelayProfile {
            subject,
            extensions,
        },
        serial,
        validity,
        spki,
    )
    .map_err(|_| build_err("certificate builder rejected the parameters"))?;
    let cert = builder
        .build_with_rng::<_, rsa::pkcs1v15::Signature, _>(&signer, rng)
        .map_err(|_| build_err("signing the certificate failed"))?;
    cert.to_der()
        .map_err(|e| Error::der(e, Origin::Internal, CERT_SECTION))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_extension_encodings() {
        let raw = utf16le("ELGAMAL");
        assert_eq!(decode_name_extension(&raw).as_deref(), Some("ELGAMAL"));
        let bmp = BmpString::from_utf8("ELGAMAL").unwrap().to_der().unwrap();
        assert_eq!(decode_name_extension(&bmp).as_deref(), Some("ELGAMAL"));
        let utf8 = Utf8StringRef::new("DH").unwrap().to_der().unwrap();
        assert_eq!(decode_name_extension(&utf8).as_deref(), Some("DH"));
        let oct = OctetString::new(utf16le("DH")).unwrap().to_der().unwrap();
        assert_eq!(decode_name_extension(&oct).as_deref(), Some("DH"));
        assert_eq!(decode_name_extension(&[0x44]), None);
    }
}
