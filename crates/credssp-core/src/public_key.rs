//! The server's TLS public key as CredSSP binds it ([MS-CSSP] 3.1.5 step 3):
//! the contents of the `subjectPublicKey` BIT STRING of the certificate's
//! `SubjectPublicKeyInfo` ([RFC 5280] 4.1). For RSA that is the PKCS#1
//! `RSAPublicKey` DER; for EC keys the encoded point (`04 || X || Y`).

use core::fmt;
use std::sync::Arc;

use asn1_types::der::Decode;
use asn1_types::der::asn1::ObjectIdentifier;
use x509_cert::certificate::{CertificateInner, Raw};

use crate::error::{Error, ErrorKind};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// The kind of key in the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// `rsaEncryption` or `id-RSASSA-PSS`.
    Rsa,
    /// `id-ecPublicKey`.
    Ec,
    /// Another algorithm; its SubjectPublicKey is bound all the same.
    Other(ObjectIdentifier),
    /// Raw key bytes given without a certificate.
    Unknown,
}

/// The SubjectPublicKey CredSSP binds to the TLS channel.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerPublicKey {
    /// Shared, so that handing the key to each connection's client or
    /// server (`clone`) does not copy it.
    subject_public_key: Arc<[u8]>,
    algorithm: KeyAlgorithm,
}

impl ServerPublicKey {
    /// Extracts the SubjectPublicKey from the server's X.509 certificate
    /// (DER), as the TLS handshake presented it.
    pub fn from_certificate_der(certificate: &[u8]) -> Result<Self, Error> {
        let cert = CertificateInner::<Raw>::from_der(certificate).map_err(|e| {
            Error::new(
                ErrorKind::Certificate(format!("not a DER X.509 certificate: {e}")),
                Some("subjectPublicKeyInfo"),
                "[RFC 5280] 4.1",
            )
        })?;
        let spki = cert.tbs_certificate().subject_public_key_info();
        let oid = spki.algorithm.oid;
        let algorithm = if oid == RSA_ENCRYPTION || oid == RSASSA_PSS {
            KeyAlgorithm::Rsa
        } else if oid == EC_PUBLIC_KEY {
            KeyAlgorithm::Ec
        } else {
            KeyAlgorithm::Other(oid)
        };
        let bytes = spki.subject_public_key.as_bytes().ok_or_else(|| {
            Error::new(
                ErrorKind::Certificate("subjectPublicKey has unused bits".into()),
                Some("subjectPublicKey"),
                "[RFC 5280] 4.1",
            )
        })?;
        if bytes.is_empty() {
            return Err(Error::new(
                ErrorKind::Certificate("subjectPublicKey is empty".into()),
                Some("subjectPublicKey"),
                "[RFC 5280] 4.1",
            ));
        }
        Ok(Self {
            subject_public_key: Arc::from(bytes),
            algorithm,
        })
    }

    /// Takes SubjectPublicKey bytes as they are, without a certificate. Only
    /// for callers that extracted the key themselves: nothing here checks
    /// that these are the bytes the TLS handshake used.
    pub fn from_raw_subject_public_key(subject_public_key: &[u8]) -> Result<Self, Error> {
        if subject_public_key.is_empty() {
            return Err(Error::new(
                ErrorKind::Config("raw SubjectPublicKey is empty"),
                Some("subjectPublicKey"),
                "[MS-CSSP] 3.1.5",
            ));
        }
        Ok(Self {
            subject_public_key: Arc::from(subject_public_key),
            algorithm: KeyAlgorithm::Unknown,
        })
    }

    /// The bound bytes (the BIT STRING contents).
    pub fn subject_public_key(&self) -> &[u8] {
        &self.subject_public_key
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> &KeyAlgorithm {
        &self.algorithm
    }
}

impl fmt::Debug for ServerPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ServerPublicKey({:?}, {} bytes)",
            self.algorithm,
            self.subject_public_key.len()
        )
    }
}
