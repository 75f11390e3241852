//! [MS-CSSP] 2.2.1 `TSRequest` and 2.2.1.1 `NegoData`, with the v5/v6
//! `clientNonce` of [MS-CSSP-Diff] 2.2.1.
//!
//! The module is `DEFINITIONS EXPLICIT TAGS`: every `[n]` wraps the complete
//! encoding of its component. Decoding is strict DER (X.690 clause 10):
//! minimal lengths only, no indefinite lengths, no trailing bytes, fields in
//! order with no unknown ones. Lengths are not capped below 4 GiB.

use der::asn1::{OctetString, OctetStringRef};
use der::{
    Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader, Sequence,
    SliceReader, Tag, Writer,
};

use crate::Error;
use crate::error::ErrorKind;
use crate::ntstatus::NtStatus;
use crate::schema::{self, Body, Schema, Value, leaf, opt, req};

const TS_REQUEST: &str = "TSRequest";
const TS_REQUEST_SECTION: &str = "[MS-CSSP] 2.2.1";

/// [MS-CSSP] 2.2.1 TSRequest ([MS-CSSP-Diff] 2.2.1 for `clientNonce`).
///
/// ```text
/// TSRequest ::= SEQUENCE {
///     version     [0] INTEGER,
///     negoTokens  [1] NegoData OPTIONAL,
///     authInfo    [2] OCTET STRING OPTIONAL,
///     pubKeyAuth  [3] OCTET STRING OPTIONAL,
///     errorCode   [4] INTEGER OPTIONAL,
///     clientNonce [5] OCTET STRING OPTIONAL
/// }
/// ```
///
/// `authInfo` and `pubKeyAuth` are ciphertext (an NTLM/Kerberos signature
/// followed by the sealed data) and stay opaque here. `Debug` prints the
/// tokens: log [`TsRequest::summary`] instead.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TsRequest {
    /// The sender's CredSSP version, 2 to 6 today; a peer that sends a
    /// higher one is treated as the highest one understood.
    #[asn1(context_specific = "0")]
    pub version: u32,
    /// SPNEGO tokens, or raw Kerberos/NTLM messages.
    #[asn1(context_specific = "1", optional = "true")]
    pub nego_tokens: Option<NegoData>,
    /// The sealed [`TsCredentials`](crate::TsCredentials).
    #[asn1(context_specific = "2", optional = "true")]
    pub auth_info: Option<OctetString>,
    /// The sealed server public key (v2–4) or binding hash (v5+).
    #[asn1(context_specific = "3", optional = "true")]
    pub pub_key_auth: Option<OctetString>,
    /// The failure code of a failed SPNEGO exchange (v3, v4, v6).
    #[asn1(context_specific = "4", optional = "true")]
    pub error_code: Option<NtStatus>,
    /// 32 random bytes binding the v5+ public-key hashes. Kept as sent; the
    /// length is the protocol layer's to check.
    #[asn1(context_specific = "5", optional = "true")]
    pub client_nonce: Option<OctetString>,
}

/// [MS-CSSP] 2.2.1.1 NegoData.
///
/// ```text
/// NegoData ::= SEQUENCE OF SEQUENCE {
///     negoToken [0] OCTET STRING
/// }
/// ```
pub type NegoData = Vec<NegoDataItem>;

/// One element of [MS-CSSP] 2.2.1.1 `NegoData`: a SPNEGO token
/// ([`NegotiationToken`](crate::spnego::NegotiationToken)) or a raw
/// Kerberos/NTLM message, as negotiated.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct NegoDataItem {
    /// The token bytes.
    #[asn1(context_specific = "0")]
    pub nego_token: OctetString,
}

impl NegoDataItem {
    /// Wraps `token` (fails only beyond 4 GiB).
    pub fn new(token: impl Into<Box<[u8]>>) -> Result<Self, Error> {
        Ok(Self {
            nego_token: octets(token, "NegoData", "negoToken", "[MS-CSSP] 2.2.1.1")?,
        })
    }
}

pub(crate) fn octets(
    bytes: impl Into<Box<[u8]>>,
    structure: &'static str,
    field: &'static str,
    section: &'static str,
) -> Result<OctetString, Error> {
    OctetString::new(bytes).map_err(|e| Error::encode(e, structure, section).with_field(field))
}

static NEGO_DATA_ITEM: Schema = Schema {
    structure: "NegoData",
    section: "[MS-CSSP] 2.2.1.1",
    body: Body::Tagged(&[req(0, "negoToken", Value::Leaf(leaf::<OctetString>))]),
};

static NEGO_DATA: Schema = Schema {
    structure: "NegoData",
    section: "[MS-CSSP] 2.2.1.1",
    body: Body::SequenceOf(&NEGO_DATA_ITEM),
};

static TS_REQUEST_SCHEMA: Schema = Schema {
    structure: TS_REQUEST,
    section: TS_REQUEST_SECTION,
    body: Body::Tagged(&[
        req(0, "version", Value::Leaf(leaf::<u32>)),
        opt(1, "negoTokens", Value::Nested(&NEGO_DATA)),
        opt(2, "authInfo", Value::Leaf(leaf::<OctetString>)),
        opt(3, "pubKeyAuth", Value::Leaf(leaf::<OctetString>)),
        opt(4, "errorCode", Value::Leaf(leaf::<NtStatus>)),
        opt(5, "clientNonce", Value::Leaf(leaf::<OctetString>)),
    ]),
};

impl TsRequest {
    /// A request carrying only `version`.
    pub fn new(version: u32) -> Self {
        Self {
            version,
            nego_tokens: None,
            auth_info: None,
            pub_key_auth: None,
            error_code: None,
            client_nonce: None,
        }
    }

    /// Decodes one TSRequest from strict DER; `bytes` must hold exactly one.
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        match crate::cssp_fast::parse(bytes) {
            Some(parsed) => TsRequestRef::from(parsed).to_owned_request(),
            None => schema::decode(&TS_REQUEST_SCHEMA, bytes),
        }
    }

    /// Encodes to DER.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        self.as_ref_request().encode_to_vec()
    }

    /// A borrowed view of this request (no copies), e.g. to encode with
    /// [`TsRequestRef::encode_into`].
    pub fn as_ref_request(&self) -> TsRequestRef<'_> {
        TsRequestRef {
            version: self.version,
            nego_tokens: self
                .nego_tokens
                .as_deref()
                .map(|items| NegoDataRef(NegoRepr::Items(items))),
            auth_info: self.auth_info.as_ref().map(Into::into),
            pub_key_auth: self.pub_key_auth.as_ref().map(Into::into),
            error_code: self.error_code,
            client_nonce: self.client_nonce.as_ref().map(Into::into),
        }
    }

    /// Framing hint for a stream of back-to-back TSRequests: like
    /// [`der_frame_len`](crate::der_frame_len), and also an error as soon as
    /// the first byte is not a SEQUENCE tag.
    pub fn frame_len(buf: &[u8]) -> Option<Result<usize, Error>> {
        match buf.first() {
            None => None,
            Some(&0x30) => crate::der_frame_len(buf),
            Some(_) => {
                let head = buf.get(..8).unwrap_or(buf);
                let reader = der::SliceReader::new(head).ok()?;
                let kind = match der::Tag::peek(&reader) {
                    Ok(actual) => actual.unexpected_error(Some(der::Tag::Sequence)),
                    Err(e) if matches!(e.kind(), der::ErrorKind::Incomplete { .. }) => {
                        return None;
                    }
                    Err(e) => e.kind(),
                };
                Some(Err(Error {
                    kind: ErrorKind::Der(kind),
                    structure: TS_REQUEST,
                    field: None,
                    section: TS_REQUEST_SECTION,
                    offset: Some(0),
                }))
            }
        }
    }

    /// The `negoToken` bytes in order (empty when `negoTokens` is absent).
    pub fn nego_token_bytes(&self) -> impl Iterator<Item = &[u8]> {
        self.nego_tokens
            .iter()
            .flatten()
            .map(|item| item.nego_token.as_bytes())
    }

    /// A one-line description with sizes only, safe to log: no token,
    /// signature or nonce bytes.
    pub fn summary(&self) -> String {
        use core::fmt::Write as _;
        let mut out = format!("TSRequest version={}", self.version);
        if let Some(tokens) = &self.nego_tokens {
            out.push_str(" negoTokens=[");
            for (i, item) in tokens.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let bytes = item.nego_token.as_bytes();
                let _ = write!(
                    out,
                    "{} {}B",
                    crate::spnego::NegoTokenKind::of(bytes),
                    bytes.len()
                );
            }
            out.push(']');
        }
        if let Some(a) = &self.auth_info {
            let _ = write!(out, " authInfo={}B", a.as_bytes().len());
        }
        if let Some(p) = &self.pub_key_auth {
            let _ = write!(out, " pubKeyAuth={}B", p.as_bytes().len());
        }
        if let Some(e) = &self.error_code {
            let _ = write!(out, " errorCode={e}");
        }
        if let Some(n) = &self.client_nonce {
            let _ = write!(out, " clientNonce={}B", n.as_bytes().len());
        }
        out
    }
}

/// [MS-CSSP] 2.2.1 TSRequest borrowing its OCTET STRINGs from the input:
/// the zero-copy form of [`TsRequest`], with the same strict DER rules and
/// the same errors.
///
/// [`TsRequestRef::from_der`] and [`TsRequestRef::encode_into`] take a
/// single-pass fast path for the canonical shape of a TSRequest and fall
/// back to the `der` derive (and its diagnostics) for everything else, so
/// acceptance and error reports are the derive's.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Sequence)]
pub struct TsRequestRef<'a> {
    /// See [`TsRequest::version`].
    #[asn1(context_specific = "0")]
    pub version: u32,
    /// See [`TsRequest::nego_tokens`].
    #[asn1(context_specific = "1", optional = "true")]
    pub nego_tokens: Option<NegoDataRef<'a>>,
    /// See [`TsRequest::auth_info`].
    #[asn1(context_specific = "2", optional = "true")]
    pub auth_info: Option<&'a OctetStringRef>,
    /// See [`TsRequest::pub_key_auth`].
    #[asn1(context_specific = "3", optional = "true")]
    pub pub_key_auth: Option<&'a OctetStringRef>,
    /// See [`TsRequest::error_code`].
    #[asn1(context_specific = "4", optional = "true")]
    pub error_code: Option<NtStatus>,
    /// See [`TsRequest::client_nonce`].
    #[asn1(context_specific = "5", optional = "true")]
    pub client_nonce: Option<&'a OctetStringRef>,
}

impl<'a> From<crate::cssp_fast::Parsed<'a>> for TsRequestRef<'a> {
    fn from(p: crate::cssp_fast::Parsed<'a>) -> Self {
        Self {
            version: p.version,
            nego_tokens: p.nego_tokens.map(|raw| NegoDataRef(NegoRepr::Encoded(raw))),
            auth_info: p.auth_info,
            pub_key_auth: p.pub_key_auth,
            error_code: p.error_code,
            client_nonce: p.client_nonce,
        }
    }
}

fn ref_octets(bytes: &[u8], field: &'static str) -> Result<OctetString, Error> {
    octets(bytes, TS_REQUEST, field, TS_REQUEST_SECTION)
}

impl<'a> TsRequestRef<'a> {
    /// A request carrying only `version`.
    pub fn new(version: u32) -> Self {
        Self {
            version,
            nego_tokens: None,
            auth_info: None,
            pub_key_auth: None,
            error_code: None,
            client_nonce: None,
        }
    }

    /// Decodes one TSRequest from strict DER without copying its OCTET
    /// STRINGs; `bytes` must hold exactly one. Accepts exactly what
    /// [`TsRequest::from_der`] accepts, with the same errors.
    pub fn from_der(bytes: &'a [u8]) -> Result<Self, Error> {
        if let Some(parsed) = crate::cssp_fast::parse(bytes) {
            return Ok(parsed.into());
        }
        <Self as Decode<'a>>::from_der(bytes).map_err(|e| {
            schema::diagnose(&TS_REQUEST_SCHEMA, bytes)
                .unwrap_or_else(|| Error::der(e, TS_REQUEST, TS_REQUEST_SECTION))
        })
    }

    /// Appends the DER encoding to `out` (one pass, one reservation).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), Error> {
        crate::cssp_fast::write(self, out).ok_or_else(|| {
            Error::encode(
                der::ErrorKind::Overflow.into(),
                TS_REQUEST,
                TS_REQUEST_SECTION,
            )
        })
    }

    /// Encodes to DER.
    pub fn encode_to_vec(&self) -> Result<Vec<u8>, Error> {
        // One allocation of exactly the encoded size.
        crate::cssp_fast::write_new(self).ok_or_else(|| {
            Error::encode(
                der::ErrorKind::Overflow.into(),
                TS_REQUEST,
                TS_REQUEST_SECTION,
            )
        })
    }

    /// Copies into the owned [`TsRequest`].
    pub fn to_owned_request(&self) -> Result<TsRequest, Error> {
        Ok(TsRequest {
            version: self.version,
            nego_tokens: match &self.nego_tokens {
                None => None,
                Some(data) => Some(
                    data.iter()
                        .map(NegoDataItem::new)
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            },
            auth_info: self
                .auth_info
                .map(|o| ref_octets(o.as_bytes(), "authInfo"))
                .transpose()?,
            pub_key_auth: self
                .pub_key_auth
                .map(|o| ref_octets(o.as_bytes(), "pubKeyAuth"))
                .transpose()?,
            error_code: self.error_code,
            client_nonce: self
                .client_nonce
                .map(|o| ref_octets(o.as_bytes(), "clientNonce"))
                .transpose()?,
        })
    }

    /// The `negoToken` bytes in order (empty when `negoTokens` is absent).
    pub fn nego_token_bytes(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        self.nego_tokens.into_iter().flat_map(|d| d.iter())
    }
}

impl<'a> From<&'a TsRequest> for TsRequestRef<'a> {
    fn from(req: &'a TsRequest) -> Self {
        req.as_ref_request()
    }
}

impl TryFrom<TsRequestRef<'_>> for TsRequest {
    type Error = Error;
    fn try_from(req: TsRequestRef<'_>) -> Result<Self, Error> {
        req.to_owned_request()
    }
}

/// [MS-CSSP] 2.2.1.1 NegoData, borrowed: either the checked DER content
/// of a decoded `NegoData`, or tokens to encode. Iterate the tokens with
/// [`NegoDataRef::iter`].
#[derive(Clone, Copy, Debug)]
pub struct NegoDataRef<'a>(pub(crate) NegoRepr<'a>);

#[derive(Clone, Copy, Debug)]
pub(crate) enum NegoRepr<'a> {
    /// The content octets of a NegoData SEQUENCE OF, already checked.
    Encoded(&'a [u8]),
    /// The items of an owned [`NegoData`].
    Items(&'a [NegoDataItem]),
    /// A single token.
    One(&'a OctetStringRef),
}

impl<'a> NegoDataRef<'a> {
    /// NegoData holding the one `token` (fails only beyond 4 GiB).
    pub fn single(token: &'a [u8]) -> Result<Self, Error> {
        OctetStringRef::new(token)
            .map(|t| Self(NegoRepr::One(t)))
            .map_err(|e| Error::encode(e, "NegoData", "[MS-CSSP] 2.2.1.1").with_field("negoToken"))
    }

    /// The `negoToken` bytes in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let (encoded, items, one) = match self.0 {
            NegoRepr::Encoded(raw) => (Some(crate::cssp_fast::nego_tokens(raw)), None, None),
            NegoRepr::Items(items) => (
                None,
                Some(items.iter().map(|i| i.nego_token.as_bytes())),
                None,
            ),
            NegoRepr::One(t) => (None, None, Some(t.as_bytes())),
        };
        encoded
            .into_iter()
            .flatten()
            .chain(items.into_iter().flatten())
            .chain(one)
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        match self.0 {
            NegoRepr::Items(items) => items.len(),
            NegoRepr::One(_) => 1,
            NegoRepr::Encoded(_) => self.iter().count(),
        }
    }

    /// Whether there is no token.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl PartialEq for NegoDataRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for NegoDataRef<'_> {}

/// One borrowed element of NegoData (decoding and encoding through the
/// derive, for the reference path of [`NegoDataRef`]).
#[derive(Clone, Copy, Debug, Eq, PartialEq, Sequence)]
struct NegoDataItemRef<'a> {
    #[asn1(context_specific = "0")]
    nego_token: &'a OctetStringRef,
}

impl FixedTag for NegoDataRef<'_> {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for NegoDataRef<'a> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let content = reader.read_slice(header.length())?;
        let mut items = SliceReader::new(content)?;
        while !items.is_finished() {
            NegoDataItemRef::decode(&mut items)?;
        }
        Ok(Self(NegoRepr::Encoded(content)))
    }
}

impl EncodeValue for NegoDataRef<'_> {
    fn value_len(&self) -> der::Result<Length> {
        match self.0 {
            NegoRepr::Encoded(raw) => Length::try_from(raw.len()),
            _ => self.iter().try_fold(Length::ZERO, |acc, t| {
                acc + NegoDataItemRef {
                    nego_token: OctetStringRef::new(t)?,
                }
                .encoded_len()?
            }),
        }
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        match self.0 {
            NegoRepr::Encoded(raw) => writer.write(raw),
            _ => self.iter().try_for_each(|t| {
                NegoDataItemRef {
                    nego_token: OctetStringRef::new(t)?,
                }
                .encode(writer)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_request_matches_pyspnego() {
        // samples/v6_badpass: the server's errorCode answer.
        let bytes = [
            0x30, 0x0d, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4, 0x06, 0x02, 0x04, 0x80, 0x09, 0x03,
            0x0c,
        ];
        let req = TsRequest::from_der(&bytes).unwrap();
        assert_eq!(req.version, 6);
        assert_eq!(req.error_code, Some(NtStatus::SEC_E_LOGON_DENIED));
        assert_eq!(req.to_der().unwrap(), bytes);
        assert_eq!(
            req.summary(),
            "TSRequest version=6 errorCode=SEC_E_LOGON_DENIED (0x8009030C)"
        );
    }

    #[test]
    fn logon_failure_encodes_in_four_content_bytes() {
        let mut req = TsRequest::new(6);
        req.error_code = Some(NtStatus::STATUS_LOGON_FAILURE);
        let der = req.to_der().unwrap();
        assert_eq!(
            der,
            [
                0x30, 0x0d, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4, 0x06, 0x02, 0x04, 0xc0, 0x00, 0x00,
                0x6d
            ]
        );
        assert_eq!(TsRequest::from_der(&der).unwrap(), req);
    }

    #[test]
    fn missing_version_is_named() {
        let err = TsRequest::from_der(&[0x30, 0x00]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::MissingField);
        assert_eq!(err.field, Some("version"));
        assert_eq!(err.structure, "TSRequest");
        assert_eq!(err.section, "[MS-CSSP] 2.2.1");
        assert_eq!(err.offset, Some(2));
    }
}
