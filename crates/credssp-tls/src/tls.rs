//! rustls configuration for CredSSP ([MS-CSSP-Diff] 3.1.5 step 1): TLS 1.2
//! and 1.3 on the `ring` provider, **no session resumption** on either side,
//! no client certificates; the server identity from PEM or a generated
//! self-signed RSA certificate; and the client's certificate policy.
//!
//! CredSSP does not rely on TLS server authentication: the pubKeyAuth
//! binding proves the TLS key belongs to the peer that authenticated. The
//! client therefore accepts any certificate by default ([`CertPolicy::Any`])
//! while still verifying the handshake signatures made with that
//! certificate's key; it can pin a SHA-256 fingerprint or verify against roots.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::NoServerSessionStorage;
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::Error;

/// The crypto provider every config here uses (`ring`).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// SHA-256 of a certificate's DER, the fingerprint users compare and pin.
pub fn fingerprint(cert_der: &[u8]) -> [u8; 32] {
    Sha256::digest(cert_der).into()
}

/// Parses a fingerprint written as hex, with or without `:` separators.
pub fn parse_fingerprint(text: &str) -> Result<[u8; 32], Error> {
    let clean: String = text.chars().filter(|c| *c != ':').collect();
    let bytes = hex::decode(&clean)
        .map_err(|e| Error::Config(format!("fingerprint {text:?} is not hex: {e}")))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| Error::Config(format!("fingerprint has {} bytes, not 32", bytes.len())))
}

/// The server's certificate chain and private key.
#[derive(Debug)]
pub struct ServerIdentity {
    /// End-entity certificate first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The end-entity certificate's private key.
    pub key: PrivateKeyDer<'static>,
}

impl ServerIdentity {
    /// Loads a PEM certificate chain and a PEM private key (PKCS#1, PKCS#8
    /// or SEC1).
    pub fn from_pem_files(cert: &std::path::Path, key: &std::path::Path) -> Result<Self, Error> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .map_err(|e| Error::Config(format!("certificate {}: {e}", cert.display())))?;
        if chain.is_empty() {
            return Err(Error::Config(format!(
                "certificate {}: no CERTIFICATE block",
                cert.display()
            )));
        }
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| Error::Config(format!("private key {}: {e}", key.display())))?;
        Ok(Self { chain, key })
    }

    /// A fresh self-signed RSA-2048 certificate for `names` (RSA because
    /// some CredSSP peers, pyspnego among them, only handle RSA keys).
    pub fn self_signed(names: &[String]) -> Result<Self, Error> {
        use rsa::pkcs8::EncodePrivateKey;
        let mut rng = crate::mech::os_rng()?;
        let rsa_key = rsa::PrivateKey::new(&mut rng, 2048)
            .map_err(|e| Error::Config(format!("rsa key generation: {e}")))?;
        let pkcs8 = rsa_key
            .to_pkcs8_der()
            .map_err(|e| Error::Config(format!("rsa key encoding: {e}")))?;
        let pkcs8 = rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8.as_bytes().to_vec());
        let key_pair =
            rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8, &rcgen::PKCS_RSA_SHA256)
                .map_err(|e| Error::Config(format!("rcgen key: {e}")))?;
        let params = rcgen::CertificateParams::new(names.to_vec())
            .map_err(|e| Error::Config(format!("rcgen params: {e}")))?;
        let cert = params
            .self_signed(&key_pair)
            .map_err(|e| Error::Config(format!("rcgen self-sign: {e}")))?;
        Ok(Self {
            chain: vec![cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(pkcs8),
        })
    }

    /// The end-entity certificate DER (what `credssp-core` binds to).
    pub fn certificate(&self) -> &[u8] {
        self.chain.first().map_or(&[], |c| c.as_ref())
    }

    /// The end-entity certificate as PEM (to hand to clients).
    pub fn certificate_pem(&self) -> String {
        let b64 = base64_encode(self.certificate());
        let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
        out
    }
}

fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The rustls server config: TLS 1.2 + 1.3, no client auth, no session
/// IDs, no tickets ([MS-CSSP-Diff] 3.1.5 step 1: no resumption).
pub fn server_config(identity: &ServerIdentity) -> Result<Arc<rustls::ServerConfig>, Error> {
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(Error::Tls)?
        .with_no_client_auth()
        .with_single_cert(identity.chain.clone(), identity.key.clone_key())
        .map_err(Error::Tls)?;
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

/// How the client judges the server certificate.
#[derive(Debug, Clone)]
pub enum CertPolicy {
    /// Any certificate (the CredSSP binding authenticates the key).
    Any,
    /// Only the certificate with this SHA-256 fingerprint.
    PinSha256([u8; 32]),
    /// WebPKI validation against these roots (chain and name).
    Roots(Vec<CertificateDer<'static>>),
}

/// The certificate verifier for `policy` (signatures on the handshake are
/// always verified with the certificate's key).
pub fn verifier(policy: &CertPolicy) -> Result<Arc<dyn ServerCertVerifier>, Error> {
    let provider = provider();
    Ok(match policy {
        CertPolicy::Any => Arc::new(AnyCertVerifier {
            provider,
            pin: None,
        }),
        CertPolicy::PinSha256(pin) => Arc::new(AnyCertVerifier {
            provider,
            pin: Some(*pin),
        }),
        CertPolicy::Roots(roots) => {
            let mut store = RootCertStore::empty();
            for root in roots {
                store.add(root.clone()).map_err(Error::Tls)?;
            }
            WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
                .build()
                .map_err(|e| Error::Config(format!("root verifier: {e}")))?
        }
    })
}

/// The rustls client config: `versions` (TLS 1.3 and 1.2 when empty),
/// resumption disabled.
pub fn client_config_with_versions(
    policy: &CertPolicy,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Arc<rustls::ClientConfig>, Error> {
    let all = [&rustls::version::TLS13, &rustls::version::TLS12];
    let versions = if versions.is_empty() {
        &all[..]
    } else {
        versions
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .map_err(Error::Tls)?
        .dangerous()
        .with_custom_certificate_verifier(verifier(policy)?)
        .with_no_client_auth();
    config.resumption = Resumption::disabled();
    Ok(Arc::new(config))
}

/// The rustls client config: TLS 1.2 + 1.3, resumption disabled.
pub fn client_config(policy: &CertPolicy) -> Result<Arc<rustls::ClientConfig>, Error> {
    client_config_with_versions(policy, &[])
}

/// Loads root certificates from a PEM file.
pub fn load_roots(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| Error::Config(format!("roots {}: {e}", path.display())))
}

/// Accepts any certificate (or only a pinned one) but verifies the
/// handshake signatures with the certificate's key, so the peer must hold
/// the private key whose public key CredSSP then binds.
#[derive(Debug)]
struct AnyCertVerifier {
    provider: Arc<CryptoProvider>,
    pin: Option<[u8; 32]>,
}

impl ServerCertVerifier for AnyCertVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.pin {
            Some(pin) if fingerprint(end_entity) != pin => Err(rustls::Error::General(format!(
                "certificate fingerprint {} does not match the pinned one",
                hex::encode(fingerprint(end_entity))
            ))),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_values() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn fingerprint_parsing() {
        let fp = [0xabu8; 32];
        let colon = fp
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        assert_eq!(parse_fingerprint(&colon).unwrap(), fp);
        assert_eq!(parse_fingerprint(&hex::encode(fp)).unwrap(), fp);
        assert!(parse_fingerprint("abcd").is_err());
        assert!(parse_fingerprint("zz").is_err());
    }
}
