//! SPNEGO tokens: [RFC 4178] 4.2 `NegotiationToken` (`NegTokenInit` /
//! `NegTokenResp`), [MS-SPNG] 2.2.1 `NegTokenInit2`, and the [RFC 2743] 3.1
//! GSS-API framing of the initial token.
//!
//! On the wire the *initial* token is framed, the later ones are not
//! ([RFC 4178] 4.2):
//!
//! ```text
//! InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {   -- RFC 2743 3.1
//!     thisMech          MechType,        -- 1.3.6.1.5.5.2 for SPNEGO
//!     innerContextToken NegotiationToken }
//!
//! NegotiationToken ::= CHOICE {
//!     negTokenInit [0] NegTokenInit,     -- or [MS-SPNG] NegTokenInit2
//!     negTokenResp [1] NegTokenResp }
//! ```
//!
//! [`NegotiationToken::from_der`] accepts exactly those two shapes (a framed
//! `[0]`, or a bare `[1]`) and [`NegotiationToken::to_der`] writes them, so a
//! decoded token re-encodes byte for byte. The module is `DEFINITIONS
//! EXPLICIT TAGS`. The `...` extension markers are not honoured: strict DER
//! rejects elements the definitions above do not name.

use core::fmt;

use der::asn1::{BitString, BitStringRef, ObjectIdentifier, OctetString};
use der::{
    Decode, DecodeValue, Encode, EncodeValue, Enumerated, FixedTag, Header, Length, Reader,
    Sequence, SliceReader, Tag, TagMode, TagNumber, Writer,
    asn1::{ApplicationRef, ContextSpecificRef},
};

use crate::Error;
use crate::error::{ErrorKind, length_to_usize};
use crate::schema::{self, Body, Schema, Value, leaf, opt};

/// SPNEGO, `iso.org.dod.internet.security.mechanism.snego` ([RFC 4178] 1).
pub const OID_SPNEGO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.2");
/// NTLMSSP ([MS-NLMP] 1.9).
pub const OID_NTLMSSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.2.10");
/// Kerberos V5 ([RFC 4121] 1.1).
pub const OID_KRB5: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113554.1.2.2");
/// The Microsoft Kerberos OID with the historical bit error ([MS-KILE] 3.1.5.3).
pub const OID_MS_KRB5: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.48018.1.2.2");
/// Kerberos user-to-user (draft-swift-win2k-krb-user2user).
pub const OID_KRB5_U2U: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113554.1.2.2.3");
/// NegoEx ([MS-NEGOEX] 1.9).
pub const OID_NEGOEX: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.2.2.30");

/// A short name for the mechanism OIDs above.
pub fn mech_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    [
        (OID_SPNEGO, "SPNEGO"),
        (OID_NTLMSSP, "NTLMSSP"),
        (OID_KRB5, "Kerberos"),
        (OID_MS_KRB5, "MS Kerberos"),
        (OID_KRB5_U2U, "Kerberos U2U"),
        (OID_NEGOEX, "NegoEx"),
    ]
    .into_iter()
    .find_map(|(known, name)| (known == *oid).then_some(name))
}

/// [RFC 4178] 4.1 `MechTypeList ::= SEQUENCE OF MechType`.
///
/// Its DER ([`MechTypeList::to_der`]) is what the `mechListMIC` covers.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct MechTypeList(pub Vec<ObjectIdentifier>);

impl MechTypeList {
    /// The DER of the list, exactly as it appears in (and is re-encoded
    /// from) a `NegTokenInit`: the input of the `mechListMIC` ([RFC 4178] 5).
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        Encode::to_der(self)
            .map_err(|e| Error::encode(e, "MechTypeList", "[RFC 4178] 4.1").with_field("mechTypes"))
    }

    /// `true` when `mech` is listed.
    pub fn contains(&self, mech: &ObjectIdentifier) -> bool {
        self.0.contains(mech)
    }
}

impl FixedTag for MechTypeList {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for MechTypeList {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        Vec::<ObjectIdentifier>::decode_value(reader, header).map(Self)
    }
}

impl EncodeValue for MechTypeList {
    fn value_len(&self) -> der::Result<Length> {
        self.0.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.0.encode_value(writer)
    }
}

/// [RFC 4178] 4.2.1 `ContextFlags`, a named BIT STRING (inherited from
/// RFC 2478; initiators are RECOMMENDED to leave `reqFlags` out).
///
/// Decoding keeps the bits as sent and rejects non-zero unused bits (X.690
/// 11.2.1). [`ContextFlags::new`] writes the `SIZE (32)` form of the ASN.1
/// definition.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct ContextFlags {
    unused_bits: u8,
    bytes: Vec<u8>,
}

impl ContextFlags {
    /// `delegFlag (0)`.
    pub const DELEG: usize = 0;
    /// `mutualFlag (1)`.
    pub const MUTUAL: usize = 1;
    /// `replayFlag (2)`.
    pub const REPLAY: usize = 2;
    /// `sequenceFlag (3)`.
    pub const SEQUENCE: usize = 3;
    /// `anonFlag (4)`.
    pub const ANON: usize = 4;
    /// `confFlag (5)`.
    pub const CONF: usize = 5;
    /// `integFlag (6)`.
    pub const INTEG: usize = 6;

    /// Flags from their bit numbers (e.g. [`ContextFlags::MUTUAL`]), in the
    /// 32-bit form; numbers of 32 and above are ignored.
    pub fn new(bits: &[usize]) -> Self {
        let mut word = 0u32;
        for &bit in bits.iter().filter(|&&b| b < 32) {
            word |= 0x8000_0000 >> bit;
        }
        Self {
            unused_bits: 0,
            bytes: word.to_be_bytes().to_vec(),
        }
    }

    /// Flags from BIT STRING contents: `unused_bits` (0–7) and the bytes.
    /// Fails when the bits are not DER (unused bits without bytes, more than
    /// 7, or not zero).
    pub fn from_raw(unused_bits: u8, bytes: Vec<u8>) -> Result<Self, Error> {
        let last = bytes.last().copied().unwrap_or(0);
        if unused_bits > 7
            || (unused_bits > 0 && (bytes.is_empty() || last & ((1u8 << unused_bits) - 1) != 0))
        {
            return Err(Error::invalid(
                "ContextFlags",
                "reqFlags",
                "[RFC 4178] 4.2.1",
                "unused bits must be 0-7, need a byte, and be zero",
            ));
        }
        Ok(Self { unused_bits, bytes })
    }

    /// Whether named bit `bit` is set.
    pub fn is_set(&self, bit: usize) -> bool {
        let bit_len = (self.bytes.len() * 8).saturating_sub(usize::from(self.unused_bits));
        bit < bit_len
            && self
                .bytes
                .get(bit / 8)
                .is_some_and(|byte| byte & (0x80 >> (bit % 8)) != 0)
    }

    /// The BIT STRING contents as sent: unused-bit count and bytes.
    pub fn raw(&self) -> (u8, &[u8]) {
        (self.unused_bits, &self.bytes)
    }
}

impl FixedTag for ContextFlags {
    const TAG: Tag = Tag::BitString;
}

impl<'a> DecodeValue<'a> for ContextFlags {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bits = BitString::decode_value(reader, header)?;
        let unused_bits = bits.unused_bits();
        let last = bits.raw_bytes().last().copied().unwrap_or(0);
        if unused_bits > 0 && last & ((1u8 << unused_bits) - 1) != 0 {
            // X.690 11.2.1: unused bits are zero in DER.
            return Err(reader.error(Tag::BitString.non_canonical_error()));
        }
        Ok(Self {
            unused_bits,
            bytes: bits.raw_bytes().to_vec(),
        })
    }
}

impl EncodeValue for ContextFlags {
    fn value_len(&self) -> der::Result<Length> {
        BitStringRef::new(self.unused_bits, &self.bytes)?.value_len()
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        BitStringRef::new(self.unused_bits, &self.bytes)?.encode_value(writer)
    }
}

/// [RFC 4178] 4.2.2 `negState`.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Enumerated)]
#[repr(u32)]
pub enum NegState {
    /// `accept-completed (0)`.
    AcceptCompleted = 0,
    /// `accept-incomplete (1)`.
    AcceptIncomplete = 1,
    /// `reject (2)`.
    Reject = 2,
    /// `request-mic (3)`.
    RequestMic = 3,
}

/// An ASN.1 `GeneralString`, kept as the bytes sent (`der` has only a
/// borrowed form). Used by [MS-SPNG] `NegHints.hintName`.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct GeneralString(pub Vec<u8>);

impl FixedTag for GeneralString {
    const TAG: Tag = Tag::GeneralString;
}

impl<'a> DecodeValue<'a> for GeneralString {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        reader.read_vec(header.length()).map(Self)
    }
}

impl EncodeValue for GeneralString {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.0)
    }
}

/// [RFC 4178] 4.2.1 NegTokenInit.
///
/// ```text
/// NegTokenInit ::= SEQUENCE {
///     mechTypes   [0] MechTypeList,
///     reqFlags    [1] ContextFlags  OPTIONAL,
///     mechToken   [2] OCTET STRING  OPTIONAL,
///     mechListMIC [3] OCTET STRING  OPTIONAL,
///     ...
/// }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct NegTokenInit {
    /// The initiator's mechanisms, most preferred first.
    #[asn1(context_specific = "0")]
    pub mech_types: MechTypeList,
    /// Context flags (RECOMMENDED to be left out).
    #[asn1(context_specific = "1", optional = "true")]
    pub req_flags: Option<ContextFlags>,
    /// The optimistic token of the first mechanism.
    #[asn1(context_specific = "2", optional = "true")]
    pub mech_token: Option<OctetString>,
    /// MIC over the DER of `mechTypes`.
    #[asn1(context_specific = "3", optional = "true")]
    pub mech_list_mic: Option<OctetString>,
}

/// [MS-SPNG] 2.2.1 NegHints.
///
/// ```text
/// NegHints ::= SEQUENCE {
///     hintName    [0] GeneralString OPTIONAL,
///     hintAddress [1] OCTET STRING  OPTIONAL
/// }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct NegHints {
    /// Windows sends `not_defined_in_RFC4178@please_ignore`.
    #[asn1(context_specific = "0", optional = "true")]
    pub hint_name: Option<GeneralString>,
    /// Never sent by Windows.
    #[asn1(context_specific = "1", optional = "true")]
    pub hint_address: Option<OctetString>,
}

/// [MS-SPNG] 2.2.1 NegTokenInit2: the acceptor's unsolicited first token,
/// also carried in `negTokenInit [0]`.
///
/// ```text
/// NegTokenInit2 ::= SEQUENCE {
///     mechTypes   [0] MechTypeList  OPTIONAL,
///     reqFlags    [1] ContextFlags  OPTIONAL,
///     mechToken   [2] OCTET STRING  OPTIONAL,
///     negHints    [3] NegHints      OPTIONAL,
///     mechListMIC [4] OCTET STRING  OPTIONAL,
///     ...
/// }
/// ```
///
/// A `[0]` body that is a valid [`NegTokenInit`] decodes as one; only the
/// others are NegTokenInit2. (With `mechTypes` present and neither
/// `negHints` nor `mechListMIC`, the two encode identically.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct NegTokenInit2 {
    /// The mechanisms.
    #[asn1(context_specific = "0", optional = "true")]
    pub mech_types: Option<MechTypeList>,
    /// Context flags.
    #[asn1(context_specific = "1", optional = "true")]
    pub req_flags: Option<ContextFlags>,
    /// An optimistic token.
    #[asn1(context_specific = "2", optional = "true")]
    pub mech_token: Option<OctetString>,
    /// Server hints.
    #[asn1(context_specific = "3", optional = "true")]
    pub neg_hints: Option<NegHints>,
    /// MIC over the DER of `mechTypes`.
    #[asn1(context_specific = "4", optional = "true")]
    pub mech_list_mic: Option<OctetString>,
}

/// [RFC 4178] 4.2.2 NegTokenResp.
///
/// ```text
/// NegTokenResp ::= SEQUENCE {
///     negState      [0] ENUMERATED { accept-completed (0),
///                                    accept-incomplete (1),
///                                    reject (2),
///                                    request-mic (3) } OPTIONAL,
///     supportedMech [1] MechType     OPTIONAL,
///     responseToken [2] OCTET STRING OPTIONAL,
///     mechListMIC   [3] OCTET STRING OPTIONAL,
///     ...
/// }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct NegTokenResp {
    /// The negotiation state.
    #[asn1(context_specific = "0", optional = "true")]
    pub neg_state: Option<NegState>,
    /// The mechanism the acceptor chose (first reply only).
    #[asn1(context_specific = "1", optional = "true")]
    pub supported_mech: Option<ObjectIdentifier>,
    /// The mechanism's token.
    #[asn1(context_specific = "2", optional = "true")]
    pub response_token: Option<OctetString>,
    /// MIC over the DER of the initiator's `mechTypes`.
    #[asn1(context_specific = "3", optional = "true")]
    pub mech_list_mic: Option<OctetString>,
}

/// [RFC 4178] 4.2 NegotiationToken, as carried in `TSRequest.negoTokens`,
/// Kerberos-less HTTP Negotiate headers, SMB, and so on.
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum NegotiationToken {
    /// `negTokenInit [0]`, inside the GSS-API framing.
    NegTokenInit(NegTokenInit),
    /// `negTokenInit [0]` holding an [MS-SPNG] NegTokenInit2, framed.
    NegTokenInit2(NegTokenInit2),
    /// `negTokenResp [1]`, bare.
    NegTokenResp(NegTokenResp),
}

const FRAMING: &str = "InitialContextToken";
const FRAMING_SECTION: &str = "[RFC 2743] 3.1";
const CHOICE: &str = "NegotiationToken";
const CHOICE_SECTION: &str = "[RFC 4178] 4.2";

const APPLICATION_0: Tag = Tag::Application {
    constructed: true,
    number: TagNumber(0),
};

static NEG_TOKEN_INIT: Schema = Schema {
    structure: "NegTokenInit",
    section: "[RFC 4178] 4.2.1",
    body: Body::Tagged(&[
        schema::req(0, "mechTypes", Value::Leaf(leaf::<MechTypeList>)),
        opt(1, "reqFlags", Value::Leaf(leaf::<ContextFlags>)),
        opt(2, "mechToken", Value::Leaf(leaf::<OctetString>)),
        opt(3, "mechListMIC", Value::Leaf(leaf::<OctetString>)),
    ]),
};

static NEG_HINTS: Schema = Schema {
    structure: "NegHints",
    section: "[MS-SPNG] 2.2.1",
    body: Body::Tagged(&[
        opt(0, "hintName", Value::Leaf(leaf::<GeneralString>)),
        opt(1, "hintAddress", Value::Leaf(leaf::<OctetString>)),
    ]),
};

static NEG_TOKEN_INIT2: Schema = Schema {
    structure: "NegTokenInit2",
    section: "[MS-SPNG] 2.2.1",
    body: Body::Tagged(&[
        opt(0, "mechTypes", Value::Leaf(leaf::<MechTypeList>)),
        opt(1, "reqFlags", Value::Leaf(leaf::<ContextFlags>)),
        opt(2, "mechToken", Value::Leaf(leaf::<OctetString>)),
        opt(3, "negHints", Value::Nested(&NEG_HINTS)),
        opt(4, "mechListMIC", Value::Leaf(leaf::<OctetString>)),
    ]),
};

static NEG_TOKEN_RESP: Schema = Schema {
    structure: "NegTokenResp",
    section: "[RFC 4178] 4.2.2",
    body: Body::Tagged(&[
        opt(0, "negState", Value::Leaf(leaf::<NegState>)),
        opt(1, "supportedMech", Value::Leaf(leaf::<ObjectIdentifier>)),
        opt(2, "responseToken", Value::Leaf(leaf::<OctetString>)),
        opt(3, "mechListMIC", Value::Leaf(leaf::<OctetString>)),
    ]),
};

/// One TLV split into its tag, the offset of its value, and the value.
/// Fails on bad headers and on anything after the TLV.
fn split_tlv(bytes: &[u8]) -> der::Result<(Tag, usize, &[u8])> {
    let mut reader = SliceReader::new(bytes)?;
    let header = Header::decode(&mut reader)?;
    let value_at = length_to_usize(reader.position());
    let value = reader.read_slice(header.length())?;
    reader.finish()?;
    Ok((header.tag(), value_at, value))
}

impl NegotiationToken {
    /// Decodes a SPNEGO token as sent: a NegTokenInit (or NegTokenInit2)
    /// inside the GSS-API `InitialContextToken` framing with the SPNEGO OID,
    /// or a bare NegTokenResp. Strict DER; error offsets count from the
    /// start of `bytes`.
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        let choice_err = |e: der::Error| Error::der(e, CHOICE, CHOICE_SECTION);
        let (tag, value_at, value) = split_tlv(bytes).map_err(choice_err)?;
        match tag {
            APPLICATION_0 => Self::decode_framed(value, value_at),
            Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(1),
            } => {
                Self::decode_explicit_body(&NEG_TOKEN_RESP, value, value_at).map(Self::NegTokenResp)
            }
            Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(0),
            } => Err(Error::invalid(
                CHOICE,
                "negTokenInit",
                "[RFC 4178] 4.2",
                "the initial token must be inside the GSS-API InitialContextToken framing",
            )
            .at(0)),
            other => Err(Error {
                kind: ErrorKind::UnexpectedElement(other),
                structure: CHOICE,
                field: None,
                section: CHOICE_SECTION,
                offset: Some(0),
            }),
        }
    }

    /// Body of `[APPLICATION 0]`: `thisMech` then the `[0]` choice.
    fn decode_framed(body: &[u8], base: usize) -> Result<Self, Error> {
        let framing_err = |e: der::Error| Error::der(e, FRAMING, FRAMING_SECTION).shifted(base);
        let mut reader = SliceReader::new(body).map_err(framing_err)?;
        let this_mech = ObjectIdentifier::decode(&mut reader)
            .map_err(|e| framing_err(e).with_field("thisMech"))?;
        if this_mech != OID_SPNEGO {
            return Err(Error::invalid(
                FRAMING,
                "thisMech",
                FRAMING_SECTION,
                "thisMech is not the SPNEGO OID 1.3.6.1.5.5.2",
            )
            .at(base));
        }
        let inner_at = base.saturating_add(length_to_usize(reader.position()));
        let inner = body
            .get(length_to_usize(reader.position())..)
            .unwrap_or_default();
        let inner_err = |e: der::Error| {
            Error::der(e, FRAMING, FRAMING_SECTION)
                .with_field("innerContextToken")
                .shifted(inner_at)
        };
        let (tag, value_at, value) = split_tlv(inner).map_err(inner_err)?;
        let value_at = inner_at.saturating_add(value_at);
        if tag
            != (Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(0),
            })
        {
            return Err(Error {
                kind: ErrorKind::UnexpectedElement(tag),
                structure: FRAMING,
                field: Some("innerContextToken"),
                section: "[RFC 4178] 4.2",
                offset: Some(inner_at),
            });
        }
        // A `[0]` body is a NegTokenInit if it can be one, else a
        // NegTokenInit2; when it is neither, report against whichever
        // definition the bytes follow further.
        match schema::decode::<NegTokenInit>(&NEG_TOKEN_INIT, value) {
            Ok(init) => Ok(Self::NegTokenInit(init)),
            Err(as_init) => match schema::decode::<NegTokenInit2>(&NEG_TOKEN_INIT2, value) {
                Ok(init2) => Ok(Self::NegTokenInit2(init2)),
                Err(as_init2) => Err(if as_init2.offset > as_init.offset {
                    as_init2
                } else {
                    as_init
                }
                .shifted(value_at)),
            },
        }
    }

    fn decode_explicit_body<T>(
        schema: &'static Schema,
        value: &[u8],
        base: usize,
    ) -> Result<T, Error>
    where
        T: for<'a> Decode<'a, Error = der::Error>,
    {
        schema::decode(schema, value).map_err(|e| e.shifted(base))
    }

    /// Encodes to the form [`NegotiationToken::from_der`] accepts.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let result = match self {
            Self::NegTokenInit(t) => Framed(explicit(0, t)).framed_der(),
            Self::NegTokenInit2(t) => Framed(explicit(0, t)).framed_der(),
            Self::NegTokenResp(t) => explicit(1, t).to_der(),
        };
        result.map_err(|e| Error::encode(e, CHOICE, CHOICE_SECTION))
    }

    /// The `mechTypes` of an initial token.
    pub fn mech_types(&self) -> Option<&MechTypeList> {
        match self {
            Self::NegTokenInit(t) => Some(&t.mech_types),
            Self::NegTokenInit2(t) => t.mech_types.as_ref(),
            Self::NegTokenResp(_) => None,
        }
    }

    /// The inner mechanism token (`mechToken` or `responseToken`).
    pub fn mech_token(&self) -> Option<&[u8]> {
        match self {
            Self::NegTokenInit(t) => t.mech_token.as_ref(),
            Self::NegTokenInit2(t) => t.mech_token.as_ref(),
            Self::NegTokenResp(t) => t.response_token.as_ref(),
        }
        .map(OctetString::as_bytes)
    }

    /// The `mechListMIC`, if present.
    pub fn mech_list_mic(&self) -> Option<&[u8]> {
        match self {
            Self::NegTokenInit(t) => t.mech_list_mic.as_ref(),
            Self::NegTokenInit2(t) => t.mech_list_mic.as_ref(),
            Self::NegTokenResp(t) => t.mech_list_mic.as_ref(),
        }
        .map(OctetString::as_bytes)
    }
}

impl NegTokenInit {
    /// The DER of `mechTypes`, which the `mechListMIC` covers.
    pub fn mech_types_der(&self) -> Result<Vec<u8>, Error> {
        self.mech_types.to_der()
    }
}

fn explicit<T>(number: u32, value: &T) -> ContextSpecificRef<'_, T> {
    ContextSpecificRef {
        tag_number: TagNumber(number),
        tag_mode: TagMode::Explicit,
        value,
    }
}

/// `[APPLICATION 0] IMPLICIT SEQUENCE { thisMech, innerContextToken }`
/// with `thisMech` = SPNEGO, for encoding.
struct Framed<'a, T>(ContextSpecificRef<'a, T>);

impl<T: EncodeValue + der::Tagged> Framed<'_, T> {
    fn framed_der(&self) -> der::Result<Vec<u8>> {
        ApplicationRef {
            tag_number: TagNumber(0),
            tag_mode: TagMode::Implicit,
            value: self,
        }
        .to_der()
    }
}

impl<T: EncodeValue + der::Tagged> EncodeValue for Framed<'_, T> {
    fn value_len(&self) -> der::Result<Length> {
        OID_SPNEGO.encoded_len()? + self.0.encoded_len()?
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        OID_SPNEGO.encode(writer)?;
        self.0.encode(writer)
    }
}

impl<T> FixedTag for Framed<'_, T> {
    const TAG: Tag = Tag::Sequence;
}

/// What a `negoToken` holds, told from its first bytes without a full
/// decode (FreeRDP 2 sends raw NTLMSSP where Windows sends SPNEGO).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum NegoTokenKind {
    /// A GSS-API framed token with the SPNEGO OID (a NegTokenInit).
    SpnegoInit,
    /// A bare `[1]` (a NegTokenResp).
    SpnegoResp,
    /// A raw NTLMSSP message (`NTLMSSP\0` signature).
    Ntlmssp,
    /// A GSS-API framed token of another mechanism (e.g. raw Kerberos).
    OtherGss(ObjectIdentifier),
    /// Anything else.
    Unknown,
}

impl NegoTokenKind {
    /// Classifies `token`.
    pub fn of(token: &[u8]) -> Self {
        if token.starts_with(b"NTLMSSP\0") {
            return Self::Ntlmssp;
        }
        match token.first() {
            Some(0x60) => Self::framed_mech(token).map_or(Self::Unknown, |oid| {
                if oid == OID_SPNEGO {
                    Self::SpnegoInit
                } else {
                    Self::OtherGss(oid)
                }
            }),
            Some(0xA1) => Self::SpnegoResp,
            _ => Self::Unknown,
        }
    }

    fn framed_mech(token: &[u8]) -> Option<ObjectIdentifier> {
        let mut reader = SliceReader::new(token).ok()?;
        let header = Header::decode(&mut reader).ok()?;
        if header.tag() != APPLICATION_0 {
            return None;
        }
        ObjectIdentifier::decode(&mut reader).ok()
    }
}

impl fmt::Display for NegoTokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SpnegoInit => f.write_str("SPNEGO NegTokenInit"),
            Self::SpnegoResp => f.write_str("SPNEGO NegTokenResp"),
            Self::Ntlmssp => f.write_str("NTLMSSP"),
            Self::OtherGss(oid) => match mech_name(oid) {
                Some(name) => write!(f, "GSS-API {name}"),
                None => write!(f, "GSS-API {oid}"),
            },
            Self::Unknown => f.write_str("unknown"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // samples/v6_tls13 client_sent #1: negoToken of the first TSRequest.
    const PYSPNEGO_INIT: &str = "604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d5353500001000000378208e200000000280000000000000028000000000c04000000000f";

    #[test]
    fn pyspnego_init_decodes() {
        let bytes = hex::decode(PYSPNEGO_INIT).unwrap();
        let token = NegotiationToken::from_der(&bytes).unwrap();
        let NegotiationToken::NegTokenInit(init) = &token else {
            panic!("not a NegTokenInit: {token:?}");
        };
        assert_eq!(init.mech_types.0, vec![OID_NTLMSSP]);
        assert_eq!(
            hex::encode(init.mech_types_der().unwrap()),
            "300c060a2b06010401823702020a"
        );
        assert!(token.mech_token().unwrap().starts_with(b"NTLMSSP\0"));
        assert_eq!(token.to_der().unwrap(), bytes);
        assert_eq!(NegoTokenKind::of(&bytes), NegoTokenKind::SpnegoInit);
    }

    #[test]
    fn context_flags_forms() {
        let flags = ContextFlags::new(&[ContextFlags::MUTUAL, ContextFlags::INTEG]);
        assert!(flags.is_set(ContextFlags::MUTUAL));
        assert!(flags.is_set(ContextFlags::INTEG));
        assert!(!flags.is_set(ContextFlags::DELEG));
        assert_eq!(
            hex::encode(flags.to_der().unwrap()),
            "030500420000 00".replace(' ', "")
        );
        // Non-zero unused bits are not DER.
        assert!(ContextFlags::from_der(&[0x03, 0x02, 0x01, 0x41]).is_err());
        assert!(ContextFlags::from_der(&[0x03, 0x02, 0x01, 0x40]).is_ok());
    }

    #[test]
    fn kinds() {
        assert_eq!(NegoTokenKind::of(b"NTLMSSP\0\x01"), NegoTokenKind::Ntlmssp);
        assert_eq!(NegoTokenKind::of(&[0; 16]), NegoTokenKind::Unknown);
        let krb = hex::decode("600d06092a864886f7120102020100").unwrap();
        assert_eq!(NegoTokenKind::of(&krb), NegoTokenKind::OtherGss(OID_KRB5));
        assert_eq!(NegoTokenKind::of(&krb).to_string(), "GSS-API Kerberos");
    }
}
