//! What client and server share: versions, TSRequest helpers, the binding
//! values of [MS-CSSP] 3.1.5 steps 3–5.

use asn1_types::der::asn1::OctetStringRef;
use asn1_types::{NegoDataRef, NtStatus, TsRequestRef};
use crypto_primitives::credssp::CREDSSP_NONCE_LEN;
use crypto_primitives::{
    SecretArray, client_server_binding_hash, pre_v5_server_public_key, server_client_binding_hash,
};

use crate::error::{Error, ErrorKind};

/// The lowest CredSSP version implemented.
pub const MIN_SUPPORTED_VERSION: u32 = 2;
/// The highest CredSSP version implemented (and the default).
pub const MAX_SUPPORTED_VERSION: u32 = 6;
/// The default minimum peer version: [MS-CSSP-Diff] 5.1 advises supporting
/// version 5 or higher only. Lower it only on purpose.
pub const DEFAULT_MIN_VERSION: u32 = 5;

pub(crate) const SEQ: &str = "[MS-CSSP] 3.1.5";
pub(crate) const TS_REQUEST: &str = "[MS-CSSP] 2.2.1";
pub(crate) const VERSION_RULES: &str = "[MS-CSSP-Diff] 3.1.5";

/// Checks an endpoint's own version and minimum.
pub(crate) fn check_versions(version: u32, min_version: u32) -> Result<(), Error> {
    if !(MIN_SUPPORTED_VERSION..=MAX_SUPPORTED_VERSION).contains(&version) {
        return Err(Error::new(
            ErrorKind::Config("version must be 2 to 6"),
            Some("version"),
            TS_REQUEST,
        ));
    }
    if !(MIN_SUPPORTED_VERSION..=version).contains(&min_version) {
        return Err(Error::new(
            ErrorKind::Config("min_version must be 2 to the endpoint's own version"),
            Some("version"),
            TS_REQUEST,
        ));
    }
    Ok(())
}

/// Tracks the peer's version: it must stay the same, and not fall below our
/// minimum. Returns the negotiated version, min(ours, peer's).
pub(crate) fn track_peer_version(
    seen: &mut Option<u32>,
    peer: u32,
    ours: u32,
    minimum: u32,
) -> Result<u32, Error> {
    match *seen {
        Some(first) if first != peer => {
            return Err(Error::new(
                ErrorKind::VersionChanged { first, now: peer },
                Some("version"),
                TS_REQUEST,
            ));
        }
        _ => *seen = Some(peer),
    }
    if peer < minimum {
        return Err(Error::new(
            ErrorKind::VersionTooLow { peer, minimum },
            Some("version"),
            VERSION_RULES,
        ));
    }
    Ok(ours.min(peer))
}

/// Whether `errorCode` exists at this negotiated version (3, 4, 6).
pub(crate) fn has_error_code(version: u32) -> bool {
    matches!(version, 3 | 4) || version >= 6
}

/// Decodes a received TSRequest, borrowing its OCTET STRINGs from `bytes`
/// (same acceptance and errors as the owned `TsRequest::from_der`).
pub(crate) fn decode(bytes: &[u8]) -> Result<TsRequestRef<'_>, Error> {
    TsRequestRef::from_der(bytes).map_err(Error::decode)
}

pub(crate) fn octets<'a>(
    bytes: &'a [u8],
    field: &'static str,
) -> Result<&'a OctetStringRef, Error> {
    OctetStringRef::new(bytes).map_err(|_| Error::invalid(field, TS_REQUEST, "too long to encode"))
}

pub(crate) fn encode(req: &TsRequestRef<'_>) -> Result<Vec<u8>, Error> {
    req.encode_to_vec().map_err(Error::encode)
}

/// Sets `negoTokens` to the one `token`.
pub(crate) fn with_token<'a>(req: &mut TsRequestRef<'a>, token: &'a [u8]) -> Result<(), Error> {
    req.nego_tokens = Some(NegoDataRef::single(token).map_err(Error::encode)?);
    Ok(())
}

pub(crate) fn error_request(version: u32, status: NtStatus) -> Result<Vec<u8>, Error> {
    let mut req = TsRequestRef::new(version);
    req.error_code = Some(status);
    encode(&req)
}

/// The single `negoToken` of a request, if any. More than one is refused:
/// CredSSP carries one SPNEGO / Kerberos / NTLM message per TSRequest.
pub(crate) fn single_token<'a>(req: &TsRequestRef<'a>) -> Result<Option<&'a [u8]>, Error> {
    let Some(data) = req.nego_tokens else {
        return Ok(None);
    };
    let mut tokens = data.iter();
    match (tokens.next(), tokens.next()) {
        (Some(token), None) => Ok(Some(token)),
        _ => Err(Error::invalid(
            "negoTokens",
            "[MS-CSSP] 2.2.1.1",
            "negoTokens must hold exactly one token",
        )),
    }
}

/// The 32-byte `clientNonce`.
pub(crate) fn nonce_of(req: &TsRequestRef<'_>) -> Result<SecretArray<CREDSSP_NONCE_LEN>, Error> {
    let nonce = req
        .client_nonce
        .ok_or_else(|| Error::missing("clientNonce", VERSION_RULES))?;
    SecretArray::from_slice(nonce.as_bytes())
        .ok_or_else(|| Error::invalid("clientNonce", VERSION_RULES, "clientNonce is not 32 bytes"))
}

/// The plaintext of the client's `pubKeyAuth` at `version` (step 3).
pub(crate) fn client_binding(
    version: u32,
    spk: &[u8],
    nonce: &SecretArray<CREDSSP_NONCE_LEN>,
) -> Vec<u8> {
    if version >= 5 {
        client_server_binding_hash(nonce.expose_secret(), spk).to_vec()
    } else {
        spk.to_vec()
    }
}

/// The plaintext of the server's `pubKeyAuth` at `version` (step 4).
pub(crate) fn server_binding(
    version: u32,
    spk: &[u8],
    nonce: &SecretArray<CREDSSP_NONCE_LEN>,
) -> Vec<u8> {
    if version >= 5 {
        server_client_binding_hash(nonce.expose_secret(), spk).to_vec()
    } else {
        pre_v5_server_public_key(spk)
    }
}
