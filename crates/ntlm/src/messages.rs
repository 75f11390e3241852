//! [MS-NLMP] 2.2.1 message codecs: NEGOTIATE, CHALLENGE and AUTHENTICATE.
//!
//! Parsing borrows from the input and validates every payload field
//! (Len/MaxLen/BufferOffset) against the message: in bounds, no arithmetic
//! overflow, not overlapping the fixed header or another non-empty field.
//! An empty field references no bytes, so its offset is accepted whatever it
//! is (FreeRDP writes 0, pyspnego the end of the header) and kept as is.
//!
//! Each parsed message records its [`PayloadLayout`] (the raw field
//! descriptors and the message length) so that serializing it again gives back
//! the peer's exact bytes, including its payload ordering. Messages built by
//! this crate have `layout: None` and get the canonical layout: fields in the
//! order Windows uses, packed right after the header.
//!
//! In NEGOTIATE and CHALLENGE, the VERSION sits between the fixed header and
//! the lowest payload offset when there is room for it. In AUTHENTICATE the
//! MIC position also depends on the flags and the NTLMv2 blob
//! ([`AuthenticateMessage::parse`]): when MsvAvFlags announces a MIC, it
//! follows the VERSION (offset 72) when NTLMSSP_NEGOTIATE_VERSION is set or
//! the header has room for a zero VERSION, and sits at offset 64 otherwise
//! (pyspnego's layout without VERSION). Whether a MIC is required is for the
//! acceptor to decide ([MS-NLMP] 3.2.5.1.2).

use crate::av_pair::{AvFlags, AvPairs};
use crate::error::{Error, ErrorKind, Message, Result};
use crate::flags::NegotiateFlags;
use crate::ntlmv2::NtlmV2Response;
use crate::wire::{array_at, decode_oem, decode_utf16le, u16_at, u32_at, write_at};

/// `"NTLMSSP\0"`, [MS-NLMP] 2.2.1.
pub const SIGNATURE: [u8; 8] = *b"NTLMSSP\0";

/// [MS-NLMP] 2.2.1 MessageType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// NtLmNegotiate (0x00000001).
    Negotiate,
    /// NtLmChallenge (0x00000002).
    Challenge,
    /// NtLmAuthenticate (0x00000003).
    Authenticate,
}

impl MessageType {
    /// The wire value.
    pub fn to_u32(self) -> u32 {
        match self {
            Self::Negotiate => 1,
            Self::Challenge => 2,
            Self::Authenticate => 3,
        }
    }

    /// Peeks at an NTLMSSP message: checks the signature and returns its type.
    pub fn of(buf: &[u8]) -> Result<Self> {
        let err = |kind, field, at| Error::new(kind, Message::Api, field, "2.2.1").at(at);
        match array_at::<8>(buf, 0) {
            None => return Err(err(ErrorKind::Truncated, "Signature", buf.len())),
            Some(sig) if sig != SIGNATURE => {
                return Err(err(ErrorKind::NotNtlmssp, "Signature", 0));
            }
            Some(_) => {}
        }
        match u32_at(buf, 8) {
            None => Err(err(ErrorKind::Truncated, "MessageType", buf.len())),
            Some(1) => Ok(Self::Negotiate),
            Some(2) => Ok(Self::Challenge),
            Some(3) => Ok(Self::Authenticate),
            Some(_) => Err(err(ErrorKind::UnexpectedMessageType, "MessageType", 8)),
        }
    }
}

/// [MS-NLMP] 2.2.2.10 VERSION. Informational only ("used for debugging").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    /// ProductMajorVersion.
    pub product_major_version: u8,
    /// ProductMinorVersion.
    pub product_minor_version: u8,
    /// ProductBuild.
    pub product_build: u16,
    /// Reserved (kept as received).
    pub reserved: [u8; 3],
    /// NTLMRevisionCurrent (0x0F = NTLMSSP_REVISION_W2K3).
    pub ntlm_revision_current: u8,
}

impl Version {
    /// NTLMSSP_REVISION_W2K3.
    pub const NTLMSSP_REVISION_W2K3: u8 = 0x0F;

    /// A VERSION with revision NTLMSSP_REVISION_W2K3 and zero reserved bytes.
    pub const fn new(major: u8, minor: u8, build: u16) -> Self {
        Self {
            product_major_version: major,
            product_minor_version: minor,
            product_build: build,
            reserved: [0; 3],
            ntlm_revision_current: Self::NTLMSSP_REVISION_W2K3,
        }
    }

    /// The 8 wire bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        let [b0, b1] = self.product_build.to_le_bytes();
        let [r0, r1, r2] = self.reserved;
        [
            self.product_major_version,
            self.product_minor_version,
            b0,
            b1,
            r0,
            r1,
            r2,
            self.ntlm_revision_current,
        ]
    }

    /// From the 8 wire bytes.
    pub fn from_bytes(b: [u8; 8]) -> Self {
        let [major, minor, b0, b1, r0, r1, r2, rev] = b;
        Self {
            product_major_version: major,
            product_minor_version: minor,
            product_build: u16::from_le_bytes([b0, b1]),
            reserved: [r0, r1, r2],
            ntlm_revision_current: rev,
        }
    }
}

/// One payload field descriptor as on the wire ([MS-NLMP] 2.2.1.x `...Fields`:
/// Len, MaxLen, BufferOffset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FieldDescriptor {
    /// Len.
    pub len: u16,
    /// MaxLen (receivers ignore it; kept for byte-exact round trips).
    pub max_len: u16,
    /// BufferOffset from the start of the message.
    pub offset: u32,
}

/// The payload layout of a parsed message: its field descriptors in header
/// order, and the message length. Serializing a message that carries its
/// layout reproduces the original bytes (gaps are written as zeros).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PayloadLayout<const N: usize> {
    /// The descriptors, in the order the header lists them.
    pub descriptors: [FieldDescriptor; N],
    /// Total message length.
    pub message_len: usize,
}

/// Decodes a string field according to NTLMSSP_NEGOTIATE_UNICODE.
pub fn decode_string(flags: NegotiateFlags, bytes: &[u8]) -> Result<String> {
    if flags.contains(NegotiateFlags::UNICODE) {
        decode_utf16le(bytes)
    } else {
        Ok(decode_oem(bytes))
    }
}

// ---------------------------------------------------------------------------
// shared parse/serialize machinery

struct Ctx {
    message: Message,
    section: &'static str,
}

impl Ctx {
    fn err(&self, kind: ErrorKind, field: &'static str, at: usize) -> Error {
        Error::new(kind, self.message, field, self.section).at(at)
    }
}

/// Checks signature, message type and the minimum (fixed header) length.
fn check_header(buf: &[u8], ty: MessageType, fixed: usize, cx: &Ctx) -> Result<()> {
    match array_at::<8>(buf, 0) {
        None => return Err(cx.err(ErrorKind::Truncated, "Signature", buf.len())),
        Some(sig) if sig != SIGNATURE => return Err(cx.err(ErrorKind::NotNtlmssp, "Signature", 0)),
        Some(_) => {}
    }
    match u32_at(buf, 8) {
        None => return Err(cx.err(ErrorKind::Truncated, "MessageType", buf.len())),
        Some(t) if t != ty.to_u32() => {
            return Err(cx.err(ErrorKind::UnexpectedMessageType, "MessageType", 8));
        }
        Some(_) => {}
    }
    if buf.len() < fixed {
        return Err(cx.err(ErrorKind::Truncated, "header", buf.len()));
    }
    Ok(())
}

/// Where a message's field descriptors sit, their spec names, and the
/// payload order used when serializing without a recorded layout.
#[derive(Clone, Copy)]
struct FieldSpec<const N: usize> {
    at: [usize; N],
    names: [&'static str; N],
    canonical_order: [usize; N],
}

struct Fields<'a, const N: usize> {
    values: [&'a [u8]; N],
    layout: PayloadLayout<N>,
    /// Lowest BufferOffset at or above the fixed header, or the message length.
    payload_start: usize,
    /// Lowest BufferOffset of a non-empty field (the first payload byte that
    /// is actually used), or the message length.
    payload_floor: usize,
}

/// Reads and validates N descriptors located at `at[i]` (named `names[i]`).
fn parse_fields<'a, const N: usize>(
    buf: &'a [u8],
    fixed: usize,
    spec: &FieldSpec<N>,
    cx: &Ctx,
) -> Result<Fields<'a, N>> {
    let FieldSpec { at, names, .. } = *spec;
    let mut descriptors = [FieldDescriptor::default(); N];
    for (d, &off) in descriptors.iter_mut().zip(at.iter()) {
        let (Some(len), Some(max_len), Some(offset)) = (
            u16_at(buf, off),
            u16_at(buf, off.saturating_add(2)),
            u32_at(buf, off.saturating_add(4)),
        ) else {
            return Err(cx.err(ErrorKind::Truncated, "field descriptor", off));
        };
        *d = FieldDescriptor {
            len,
            max_len,
            offset,
        };
    }

    let mut payload_start = buf.len();
    for d in &descriptors {
        let o = usize::try_from(d.offset).unwrap_or(usize::MAX);
        if o >= fixed && o < payload_start {
            payload_start = o;
        }
    }

    let mut values: [&'a [u8]; N] = [&[]; N];
    let mut ranges: [Option<(usize, usize)>; N] = [None; N];
    for i in 0..N {
        let (Some(d), Some(&desc_at), Some(&name)) = (descriptors.get(i), at.get(i), names.get(i))
        else {
            continue;
        };
        let start = usize::try_from(d.offset).unwrap_or(usize::MAX);
        if d.len == 0 {
            // An empty field references no bytes; its offset is not used.
            continue;
        }
        if start < fixed {
            return Err(cx.err(ErrorKind::FieldOverlap, name, desc_at));
        }
        let end = start
            .checked_add(usize::from(d.len))
            .ok_or_else(|| cx.err(ErrorKind::FieldOutOfBounds, name, desc_at))?;
        let value = buf
            .get(start..end)
            .ok_or_else(|| cx.err(ErrorKind::FieldOutOfBounds, name, desc_at))?;
        for other in ranges.iter().flatten() {
            if start < other.1 && other.0 < end {
                return Err(cx.err(ErrorKind::FieldOverlap, name, desc_at));
            }
        }
        if let (Some(slot), Some(range)) = (values.get_mut(i), ranges.get_mut(i)) {
            *slot = value;
            *range = Some((start, end));
        }
    }

    let payload_floor = ranges
        .iter()
        .flatten()
        .map(|r| r.0)
        .min()
        .unwrap_or(buf.len());
    Ok(Fields {
        values,
        layout: PayloadLayout {
            descriptors,
            message_len: buf.len(),
        },
        payload_start,
        payload_floor,
    })
}

/// Writes descriptors (at `at[i]`) and payload values into `out`, whose first
/// `header_end` bytes are the already-written header.
///
/// With a layout, each value goes to its recorded offset (lengths must match
/// the layout); without one, values are packed from `header_end` in
/// `canonical_order`.
fn write_fields<const N: usize>(
    out: &mut Vec<u8>,
    header_end: usize,
    spec: &FieldSpec<N>,
    values: [&[u8]; N],
    layout: Option<&PayloadLayout<N>>,
    cx: &Ctx,
) -> Result<()> {
    let FieldSpec {
        at,
        names,
        canonical_order,
    } = *spec;
    let misuse = |field| Error::new(ErrorKind::InvalidInput, cx.message, field, cx.section);
    let mut descriptors = [FieldDescriptor::default(); N];
    for ((d, value), name) in descriptors.iter_mut().zip(values.iter()).zip(names.iter()) {
        d.len = u16::try_from(value.len()).map_err(|_| misuse(name))?;
        d.max_len = d.len;
    }

    match layout {
        None => {
            let mut cursor = header_end;
            for &i in &canonical_order {
                let (Some(d), Some(value)) = (descriptors.get_mut(i), values.get(i)) else {
                    continue;
                };
                d.offset = u32::try_from(cursor).map_err(|_| misuse("BufferOffset"))?;
                cursor = cursor.saturating_add(value.len());
            }
            out.resize(cursor.max(header_end), 0);
        }
        Some(layout) => {
            let mut end_max = layout.message_len.max(header_end);
            let mut ranges: [Option<(usize, usize)>; N] = [None; N];
            for i in 0..N {
                let (Some(d), Some(recorded), Some(&name), Some(range)) = (
                    descriptors.get_mut(i),
                    layout.descriptors.get(i),
                    names.get(i),
                    ranges.get_mut(i),
                ) else {
                    continue;
                };
                if recorded.len != d.len {
                    return Err(misuse(name));
                }
                d.max_len = recorded.max_len;
                d.offset = recorded.offset;
                if d.len == 0 {
                    continue;
                }
                let start = usize::try_from(recorded.offset).map_err(|_| misuse(name))?;
                let end = start.saturating_add(usize::from(d.len));
                if start < header_end {
                    return Err(misuse(name));
                }
                *range = Some((start, end));
                end_max = end_max.max(end);
            }
            let set: Vec<(usize, usize)> = ranges.iter().flatten().copied().collect();
            for (i, a) in set.iter().enumerate() {
                for b in set.iter().skip(i.saturating_add(1)) {
                    if a.0 < b.1 && b.0 < a.1 {
                        return Err(misuse("BufferOffset"));
                    }
                }
            }
            out.resize(end_max, 0);
        }
    }

    for ((d, value), &desc_at) in descriptors.iter().zip(values.iter()).zip(at.iter()) {
        let [l0, l1] = d.len.to_le_bytes();
        let [m0, m1] = d.max_len.to_le_bytes();
        let [o0, o1, o2, o3] = d.offset.to_le_bytes();
        let raw = [l0, l1, m0, m1, o0, o1, o2, o3];
        let ok = write_at(out, desc_at, &raw)
            && (value.is_empty()
                || write_at(out, usize::try_from(d.offset).unwrap_or(usize::MAX), value));
        if !ok {
            return Err(misuse("BufferOffset"));
        }
    }
    Ok(())
}

fn start_message(ty: MessageType, header_end: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(header_end.saturating_add(64));
    out.extend_from_slice(&SIGNATURE);
    out.extend_from_slice(&ty.to_u32().to_le_bytes());
    out.resize(header_end, 0);
    out
}

/// The VERSION (2.2.2.10) right after a message's `fixed` header part, when
/// the header, which ends at `bound` (where the payload starts), has room
/// for its 8 bytes.
fn version_at(buf: &[u8], fixed: usize, bound: usize) -> Option<Version> {
    if bound >= fixed + 8 {
        array_at::<8>(buf, fixed).map(Version::from_bytes)
    } else {
        None
    }
}

/// Writes `version`, if any, right after a message's `fixed` header part.
fn write_version(out: &mut [u8], fixed: usize, version: Option<Version>) {
    if let Some(v) = version {
        write_at(out, fixed, &v.to_bytes());
    }
}

// ---------------------------------------------------------------------------
// NEGOTIATE

/// [MS-NLMP] 2.2.1.1 NEGOTIATE_MESSAGE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegotiateMessage<'a> {
    /// NegotiateFlags.
    pub flags: NegotiateFlags,
    /// DomainName (OEM), meaningful with NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED.
    pub domain_name: &'a [u8],
    /// Workstation (OEM), meaningful with NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED.
    pub workstation: &'a [u8],
    /// Version (present when the header has room for it).
    pub version: Option<Version>,
    /// The received layout; `None` for the canonical one.
    pub layout: Option<PayloadLayout<2>>,
}

impl<'a> NegotiateMessage<'a> {
    const FIXED: usize = 32;
    const SPEC: FieldSpec<2> = FieldSpec {
        at: [16, 24],
        names: ["DomainNameFields", "WorkstationFields"],
        canonical_order: [0, 1],
    };
    const CX: Ctx = Ctx {
        message: Message::Negotiate,
        section: "2.2.1.1",
    };

    /// A NEGOTIATE with no domain or workstation.
    pub fn new(flags: NegotiateFlags, version: Option<Version>) -> Self {
        Self {
            flags,
            domain_name: &[],
            workstation: &[],
            version,
            layout: None,
        }
    }

    /// Parses and validates a NEGOTIATE_MESSAGE.
    pub fn parse(buf: &'a [u8]) -> Result<Self> {
        let cx = Self::CX;
        check_header(buf, MessageType::Negotiate, Self::FIXED, &cx)?;
        let flags = NegotiateFlags::from_bits(
            u32_at(buf, 12).ok_or_else(|| cx.err(ErrorKind::Truncated, "NegotiateFlags", 12))?,
        );
        let f = parse_fields(buf, Self::FIXED, &Self::SPEC, &cx)?;
        let version = version_at(buf, Self::FIXED, f.payload_start);
        let [domain_name, workstation] = f.values;
        Ok(Self {
            flags,
            domain_name,
            workstation,
            version,
            layout: Some(f.layout),
        })
    }

    /// Serializes the message.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let cx = Self::CX;
        let header_end = Self::FIXED + if self.version.is_some() { 8 } else { 0 };
        let mut out = start_message(MessageType::Negotiate, header_end);
        write_at(&mut out, 12, &self.flags.bits().to_le_bytes());
        write_version(&mut out, Self::FIXED, self.version);
        write_fields(
            &mut out,
            header_end,
            &Self::SPEC,
            [self.domain_name, self.workstation],
            self.layout.as_ref(),
            &cx,
        )?;
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// CHALLENGE

/// [MS-NLMP] 2.2.1.2 CHALLENGE_MESSAGE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeMessage<'a> {
    /// TargetName (UTF-16LE with NTLMSSP_NEGOTIATE_UNICODE, else OEM).
    pub target_name: &'a [u8],
    /// NegotiateFlags.
    pub flags: NegotiateFlags,
    /// ServerChallenge.
    pub server_challenge: [u8; 8],
    /// Reserved (kept as received).
    pub reserved: [u8; 8],
    /// TargetInfo, a validated AV_PAIR list.
    pub target_info: AvPairs<'a>,
    /// Version (present when the header has room for it).
    pub version: Option<Version>,
    /// The received layout; `None` for the canonical one.
    pub layout: Option<PayloadLayout<2>>,
}

impl<'a> ChallengeMessage<'a> {
    const FIXED: usize = 48;
    const SPEC: FieldSpec<2> = FieldSpec {
        at: [12, 40],
        names: ["TargetNameFields", "TargetInfoFields"],
        canonical_order: [0, 1],
    };
    const CX: Ctx = Ctx {
        message: Message::Challenge,
        section: "2.2.1.2",
    };

    /// Parses and validates a CHALLENGE_MESSAGE (TargetInfo included).
    pub fn parse(buf: &'a [u8]) -> Result<Self> {
        let cx = Self::CX;
        check_header(buf, MessageType::Challenge, Self::FIXED, &cx)?;
        let truncated = |field, at| cx.err(ErrorKind::Truncated, field, at);
        let flags = NegotiateFlags::from_bits(
            u32_at(buf, 20).ok_or_else(|| truncated("NegotiateFlags", 20))?,
        );
        let server_challenge =
            array_at::<8>(buf, 24).ok_or_else(|| truncated("ServerChallenge", 24))?;
        let reserved = array_at::<8>(buf, 32).ok_or_else(|| truncated("Reserved", 32))?;
        let f = parse_fields(buf, Self::FIXED, &Self::SPEC, &cx)?;
        let version = version_at(buf, Self::FIXED, f.payload_start);
        let [target_name, target_info_raw] = f.values;
        let info_at = f
            .layout
            .descriptors
            .get(1)
            .map_or(0, |d| usize::try_from(d.offset).unwrap_or(0));
        let target_info =
            AvPairs::parse(target_info_raw).map_err(|e| e.shifted(info_at, Message::Challenge))?;
        Ok(Self {
            target_name,
            flags,
            server_challenge,
            reserved,
            target_info,
            version,
            layout: Some(f.layout),
        })
    }

    /// Serializes the message.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let cx = Self::CX;
        let header_end = Self::FIXED + if self.version.is_some() { 8 } else { 0 };
        let mut out = start_message(MessageType::Challenge, header_end);
        write_at(&mut out, 20, &self.flags.bits().to_le_bytes());
        write_at(&mut out, 24, &self.server_challenge);
        write_at(&mut out, 32, &self.reserved);
        write_version(&mut out, Self::FIXED, self.version);
        write_fields(
            &mut out,
            header_end,
            &Self::SPEC,
            [self.target_name, self.target_info.as_bytes()],
            self.layout.as_ref(),
            &cx,
        )?;
        Ok(out)
    }

    /// TargetName decoded according to the flags.
    pub fn target_name_string(&self) -> Result<String> {
        decode_string(self.flags, self.target_name)
    }
}

// ---------------------------------------------------------------------------
// AUTHENTICATE

/// [MS-NLMP] 2.2.1.3 AUTHENTICATE_MESSAGE.
///
/// The response fields are kept as raw bytes: an acceptor must hash the
/// NTLMv2 blob exactly as received (see [`crate::NtlmV2Response::parse`]).
///
/// Header layouts (after the 64-byte fixed part):
///
/// | NEGOTIATE_VERSION | MIC announced | bytes 64..     | used by                 |
/// |-------------------|---------------|----------------|-------------------------|
/// | set               | yes           | VERSION, MIC   | Windows, FreeRDP, ours  |
/// | not set           | yes           | zeros, MIC     | the spec's form, ours   |
/// | not set           | yes           | MIC            | pyspnego                |
/// | either            | no            | VERSION if room| [MS-NLMP] §4.2.4.3      |
///
/// [`Self::mic_offset`] says where the MIC of a given message is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticateMessage<'a> {
    /// LmChallengeResponse.
    pub lm_challenge_response: &'a [u8],
    /// NtChallengeResponse (an NTLMv2_RESPONSE for NTLMv2; 24 bytes for NTLMv1).
    pub nt_challenge_response: &'a [u8],
    /// DomainName.
    pub domain_name: &'a [u8],
    /// UserName.
    pub user_name: &'a [u8],
    /// Workstation.
    pub workstation: &'a [u8],
    /// EncryptedRandomSessionKey (16 bytes with NTLMSSP_NEGOTIATE_KEY_EXCH).
    pub encrypted_random_session_key: &'a [u8],
    /// NegotiateFlags.
    pub flags: NegotiateFlags,
    /// Version (bytes 64..72 when the header has them; all zeros when the
    /// client reserved the slot without NTLMSSP_NEGOTIATE_VERSION).
    pub version: Option<Version>,
    /// MIC. Serialized at offset 72 (after the VERSION, zeros when `version`
    /// is `None`), except for a parsed message that carried it at offset 64
    /// (no VERSION flag, no VERSION slot: `version` is `None` and `layout`
    /// is `Some`), which keeps it there.
    pub mic: Option<[u8; 16]>,
    /// The received layout; `None` for the canonical one.
    pub layout: Option<PayloadLayout<6>>,
}

impl<'a> AuthenticateMessage<'a> {
    const FIXED: usize = 64;
    /// Byte offset of the MIC field when the header has a VERSION slot
    /// (always in messages built by this crate).
    pub const MIC_OFFSET: usize = 72;
    /// Byte offset of the MIC field when the client sent no VERSION slot
    /// (NTLMSSP_NEGOTIATE_VERSION not set; pyspnego).
    pub const MIC_OFFSET_NO_VERSION: usize = 64;
    const SPEC: FieldSpec<6> = FieldSpec {
        at: [12, 20, 28, 36, 44, 52],
        names: [
            "LmChallengeResponseFields",
            "NtChallengeResponseFields",
            "DomainNameFields",
            "UserNameFields",
            "WorkstationFields",
            "EncryptedRandomSessionKeyFields",
        ],
        // Windows order: domain, user, workstation, LM, NT, session key.
        canonical_order: [2, 3, 4, 0, 1, 5],
    };
    const CX: Ctx = Ctx {
        message: Message::Authenticate,
        section: "2.2.1.3",
    };

    /// Parses and validates an AUTHENTICATE_MESSAGE.
    ///
    /// Where VERSION and MIC sit follows from the flags and the layout (the
    /// lowest payload offset bounds the header): when the NTLMv2 blob's
    /// MsvAvFlags announces a MIC, the MIC is at offset 72 if
    /// NTLMSSP_NEGOTIATE_VERSION is set or the header has room for a VERSION
    /// slot, else at offset 64; a payload field starting inside the MIC is
    /// [`ErrorKind::FieldOverlap`] (field `"MIC"`). Without an announced MIC,
    /// VERSION and MIC are read as far as the header has room for them.
    pub fn parse(buf: &'a [u8]) -> Result<Self> {
        let cx = Self::CX;
        check_header(buf, MessageType::Authenticate, Self::FIXED, &cx)?;
        let flags = NegotiateFlags::from_bits(
            u32_at(buf, 60).ok_or_else(|| cx.err(ErrorKind::Truncated, "NegotiateFlags", 60))?,
        );
        let f = parse_fields(buf, Self::FIXED, &Self::SPEC, &cx)?;
        let [lm, nt, domain_name, user_name, workstation, key] = f.values;
        let mic_announced = NtlmV2Response::parse(nt)
            .ok()
            .and_then(|r| r.client_challenge.av_pairs.flags())
            .is_some_and(|fl| fl.contains(AvFlags::MIC_PROVIDED));
        let version_at = |bound: usize| version_at(buf, Self::FIXED, bound);
        let (version, mic) = if mic_announced {
            let with_version = flags.contains(NegotiateFlags::VERSION);
            let mic_at = |bound: usize| {
                if bound >= Self::MIC_OFFSET + 16 {
                    Some(Self::MIC_OFFSET)
                } else if !with_version && bound >= Self::MIC_OFFSET_NO_VERSION + 16 {
                    Some(Self::MIC_OFFSET_NO_VERSION)
                } else {
                    None
                }
            };
            // The sender's header end (empty fields' offsets included), or
            // failing that the first payload byte actually used.
            let mic_at = mic_at(f.payload_start)
                .or_else(|| mic_at(f.payload_floor))
                .ok_or_else(|| {
                    let at = if with_version {
                        Self::MIC_OFFSET
                    } else {
                        Self::MIC_OFFSET_NO_VERSION
                    };
                    cx.err(ErrorKind::FieldOverlap, "MIC", at)
                })?;
            let version = if mic_at == Self::MIC_OFFSET {
                version_at(mic_at)
            } else {
                None
            };
            (version, array_at::<16>(buf, mic_at))
        } else {
            let mic = if f.payload_start >= Self::MIC_OFFSET + 16 {
                array_at::<16>(buf, Self::MIC_OFFSET)
            } else {
                None
            };
            (version_at(f.payload_start), mic)
        };
        Ok(Self {
            lm_challenge_response: lm,
            nt_challenge_response: nt,
            domain_name,
            user_name,
            workstation,
            encrypted_random_session_key: key,
            flags,
            version,
            mic,
            layout: Some(f.layout),
        })
    }

    /// Byte offset of the MIC in this message's serialization, if it has one:
    /// [`Self::MIC_OFFSET`], or [`Self::MIC_OFFSET_NO_VERSION`] for a parsed
    /// message that had it there.
    pub fn mic_offset(&self) -> Option<usize> {
        self.mic?;
        let no_version_slot = self.version.is_none()
            && self.layout.is_some()
            && !self.flags.contains(NegotiateFlags::VERSION);
        Some(if no_version_slot {
            Self::MIC_OFFSET_NO_VERSION
        } else {
            Self::MIC_OFFSET
        })
    }

    /// Length of the header (fixed part, VERSION and MIC) as serialized.
    pub fn header_len(&self) -> usize {
        match self.mic_offset() {
            Some(at) => at.saturating_add(16),
            None if self.version.is_some() => Self::FIXED + 8,
            None => Self::FIXED,
        }
    }

    /// Serializes the message. With a MIC at offset 72, bytes 64..72 hold the
    /// VERSION (zeros when `version` is `None`); see [`Self::mic_offset`].
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let cx = Self::CX;
        let header_end = self.header_len();
        let mut out = start_message(MessageType::Authenticate, header_end);
        write_at(&mut out, 60, &self.flags.bits().to_le_bytes());
        write_version(&mut out, Self::FIXED, self.version);
        if let (Some(mic), Some(at)) = (self.mic, self.mic_offset()) {
            write_at(&mut out, at, &mic);
        }
        write_fields(
            &mut out,
            header_end,
            &Self::SPEC,
            [
                self.lm_challenge_response,
                self.nt_challenge_response,
                self.domain_name,
                self.user_name,
                self.workstation,
                self.encrypted_random_session_key,
            ],
            self.layout.as_ref(),
            &cx,
        )?;
        Ok(out)
    }

    /// UserName decoded according to the flags.
    pub fn user_name_string(&self) -> Result<String> {
        decode_string(self.flags, self.user_name).map_err(|e| self.locate(e, 3))
    }

    /// DomainName decoded according to the flags.
    pub fn domain_name_string(&self) -> Result<String> {
        decode_string(self.flags, self.domain_name).map_err(|e| self.locate(e, 2))
    }

    /// Workstation decoded according to the flags.
    pub fn workstation_string(&self) -> Result<String> {
        decode_string(self.flags, self.workstation).map_err(|e| self.locate(e, 4))
    }

    fn locate(&self, e: Error, field: usize) -> Error {
        let base = self
            .layout
            .and_then(|l| l.descriptors.get(field).copied())
            .map_or(0, |d| usize::try_from(d.offset).unwrap_or(0));
        let name = Self::SPEC.names.get(field).copied().unwrap_or("");
        Error::new(e.kind(), Message::Authenticate, name, "2.2.1.3")
            .at(base.saturating_add(e.offset().unwrap_or(0)))
    }
}

/// Copies `auth` with its 16-byte MIC field at `mic_offset` zeroed, as the
/// MIC is computed ([MS-NLMP] 3.1.5.1.2, 3.2.5.1.2).
pub(crate) fn zero_mic(auth: &[u8], mic_offset: usize) -> Vec<u8> {
    let mut copy = auth.to_vec();
    write_at(&mut copy, mic_offset, &[0u8; 16]);
    copy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::av_pair::{AvPair, encode_av_pairs};
    use crate::wire::encode_utf16le;

    #[test]
    fn negotiate_round_trip_canonical_and_empty_offsets() {
        let m = NegotiateMessage::new(
            NegotiateFlags::from_bits(0xe208_8237),
            Some(Version::new(10, 0, 20348)),
        );
        let bytes = m.to_bytes().unwrap();
        assert_eq!(bytes.len(), 40);
        let p = NegotiateMessage::parse(&bytes).unwrap();
        assert_eq!(p.version, m.version);
        assert_eq!(p.flags, m.flags);
        assert_eq!(p.to_bytes().unwrap(), bytes);

        // FreeRDP writes offset 0 for empty fields: still accepted and kept.
        let mut freerdp = bytes.clone();
        freerdp[20..24].copy_from_slice(&[0; 4]);
        freerdp[28..32].copy_from_slice(&[0; 4]);
        let p = NegotiateMessage::parse(&freerdp).unwrap();
        assert!(p.version.is_some());
        assert_eq!(p.to_bytes().unwrap(), freerdp);

        // An empty field pointing past the end references nothing: accepted, kept.
        let mut far = bytes.clone();
        far[20..24].copy_from_slice(&1000u32.to_le_bytes());
        let p = NegotiateMessage::parse(&far).unwrap();
        assert_eq!(p.to_bytes().unwrap(), far);
    }

    #[test]
    fn challenge_canonical_layout_matches_spec_shape() {
        let target = encode_utf16le("Server");
        let dom = encode_utf16le("Domain");
        let info = encode_av_pairs(&[AvPair::NbDomainName(&dom)]).unwrap();
        let m = ChallengeMessage {
            target_name: &target,
            flags: NegotiateFlags::from_bits(0xe28a_8233),
            server_challenge: [1; 8],
            reserved: [0; 8],
            target_info: AvPairs::parse(&info).unwrap(),
            version: Some(Version::new(6, 0, 6000)),
            layout: None,
        };
        let b = m.to_bytes().unwrap();
        // TargetName right after the 56-byte header, TargetInfo after it.
        assert_eq!(&b[12..20], &[12, 0, 12, 0, 56, 0, 0, 0]);
        assert_eq!(&b[40..48], &[20, 0, 20, 0, 68, 0, 0, 0]);
        let p = ChallengeMessage::parse(&b).unwrap();
        assert_eq!(p.target_name_string().unwrap(), "Server");
        assert_eq!(ChallengeMessage { layout: None, ..p }, m);
    }

    #[test]
    fn authenticate_rejects_bad_offsets() {
        let user = encode_utf16le("alice");
        let m = AuthenticateMessage {
            lm_challenge_response: &[0; 24],
            nt_challenge_response: &[1; 60],
            domain_name: &[],
            user_name: &user,
            workstation: &[],
            encrypted_random_session_key: &[2; 16],
            flags: NegotiateFlags::UNICODE,
            version: None,
            mic: Some([3; 16]),
            layout: None,
        };
        let good = m.to_bytes().unwrap();
        let p = AuthenticateMessage::parse(&good).unwrap();
        assert_eq!(p.mic, Some([3; 16]));
        assert_eq!(p.user_name_string().unwrap(), "alice");
        assert_eq!(p.to_bytes().unwrap(), good);

        // NtChallengeResponse length past the end.
        let mut bad = good.clone();
        bad[20] = 0xff;
        let e = AuthenticateMessage::parse(&bad).unwrap_err();
        assert_eq!(
            (e.kind(), e.offset()),
            (ErrorKind::FieldOutOfBounds, Some(20))
        );
        // Offset near u32::MAX must not overflow.
        let mut bad = good.clone();
        bad[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = AuthenticateMessage::parse(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FieldOutOfBounds);
        // User name pointing into the fixed header.
        let mut bad = good.clone();
        bad[40..44].copy_from_slice(&8u32.to_le_bytes());
        let e = AuthenticateMessage::parse(&bad).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::FieldOverlap, Some(36)));
        // Two fields overlapping each other.
        let mut bad = good.clone();
        let lm_off = u32_at(&good, 16).unwrap();
        bad[56..60].copy_from_slice(&lm_off.to_le_bytes());
        let e = AuthenticateMessage::parse(&bad).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::FieldOverlap, Some(52)));
        // Truncated header.
        let e = AuthenticateMessage::parse(&good[..63]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Truncated);
        // Wrong type.
        let e = ChallengeMessage::parse(&good).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnexpectedMessageType);
        assert_eq!(MessageType::of(&good).unwrap(), MessageType::Authenticate);
        assert_eq!(
            MessageType::of(b"NTLMSSX\0").unwrap_err().kind(),
            ErrorKind::NotNtlmssp
        );
    }

    #[test]
    fn layout_mismatch_is_caller_error() {
        let user = encode_utf16le("alice");
        let bytes = AuthenticateMessage {
            lm_challenge_response: &[],
            nt_challenge_response: &[],
            domain_name: &[],
            user_name: &user,
            workstation: &[],
            encrypted_random_session_key: &[],
            flags: NegotiateFlags::UNICODE,
            version: None,
            mic: None,
            layout: None,
        }
        .to_bytes()
        .unwrap();
        let mut p = AuthenticateMessage::parse(&bytes).unwrap();
        p.user_name = b"xx";
        assert_eq!(p.to_bytes().unwrap_err().kind(), ErrorKind::InvalidInput);
    }
}
