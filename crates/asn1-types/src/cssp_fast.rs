//! The TSRequest fast path: a single-pass strict-DER reader and a
//! one-pass writer for the fixed shape of [MS-CSSP] 2.2.1.
//!
//! The reader is deliberately *narrower* than the `der` derive: it accepts
//! only single-byte tags, definite minimal lengths below 16 MiB, the six
//! fields in order, and the canonical INTEGER forms. Anything else returns
//! `None`, and the caller falls back to the derive (plus the schema walk for
//! diagnostics), so a rejection here never changes what is accepted or how
//! errors are reported; an acceptance here always yields the value the
//! derive would (checked by the differential tests in `tests/fast_path.rs`).
//! The writer emits exactly the derive's DER (same tests).
//!
//! Why it exists beside the derive (house style prefers the derive alone):
//! TSRequests are on every CredSSP round trip, and the derive's nested
//! readers and repeated length computations made our codec 3.5x slower than
//! sspi-rs (`cargo xtask bench credssp`). The derive stays the definition of
//! what is valid; this path is only an accelerator it is tested against.

use der::asn1::OctetStringRef;

use crate::cssp::{NegoRepr, TsRequestRef};
use crate::ntstatus::NtStatus;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
/// `[n]` EXPLICIT: context-specific, constructed.
const fn ctx(n: u8) -> u8 {
    0xA0 | n
}

/// One TLV with tag byte `tag` at the start of `buf`: `(value, rest)`.
#[inline(always)]
fn tlv(buf: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = buf.split_first()?;
    if t != tag {
        return None;
    }
    let (&l0, rest) = rest.split_first()?;
    let (len, rest) = match l0 {
        0..=0x7F => (usize::from(l0), rest),
        0x81 => {
            let (&b, rest) = rest.split_first()?;
            if b < 0x80 {
                return None;
            }
            (usize::from(b), rest)
        }
        0x82 => {
            let (b, rest) = rest.split_first_chunk::<2>()?;
            let n = usize::from(u16::from_be_bytes(*b));
            if n < 0x100 {
                return None;
            }
            (n, rest)
        }
        0x83 => {
            let (b, rest) = rest.split_first_chunk::<3>()?;
            let [b0, b1, b2] = *b;
            let n = usize::from(b0) << 16 | usize::from(b1) << 8 | usize::from(b2);
            if n < 0x1_0000 {
                return None;
            }
            (n, rest)
        }
        _ => return None,
    };
    if rest.len() < len {
        return None;
    }
    Some(rest.split_at(len))
}

/// Exactly one TLV with tag `tag` filling `buf`.
#[inline(always)]
fn only(buf: &[u8], tag: u8) -> Option<&[u8]> {
    match tlv(buf, tag)? {
        (value, []) => Some(value),
        _ => None,
    }
}

/// The optional `[n]` field at the start of `*body`, its inner TLV's value.
#[inline(always)]
fn field<'a>(body: &mut &'a [u8], n: u8, inner: u8) -> Option<Option<&'a [u8]>> {
    if body.first() != Some(&ctx(n)) {
        return Some(None);
    }
    let (value, rest) = tlv(body, ctx(n))?;
    *body = rest;
    only(value, inner).map(Some)
}

/// Canonical unsigned INTEGER content as `u32` (der's `uint` rules).
#[inline]
fn uint32(c: &[u8]) -> Option<u32> {
    let digits = match c {
        [] => return None,
        [0] => c,
        [0, b, ..] if *b < 0x80 => return None,
        [0, rest @ ..] => rest,
        [b, ..] if *b >= 0x80 => return None,
        _ => c,
    };
    if digits.len() > 4 {
        return None;
    }
    Some(digits.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
}

/// Canonical signed INTEGER content as `i32`.
fn int32(c: &[u8]) -> Option<i32> {
    match c {
        [] => return None,
        [0, b, ..] if *b < 0x80 => return None,
        [0xFF, b, ..] if *b >= 0x80 => return None,
        _ if c.len() > 4 => return None,
        _ => {}
    }
    let first = *c.first()?;
    let init: u32 = if first >= 0x80 { u32::MAX } else { 0 };
    let v = c.iter().fold(init, |acc, &b| acc << 8 | u32::from(b));
    Some(i32::from_be_bytes(v.to_be_bytes()))
}

fn octets(c: &[u8]) -> Option<&OctetStringRef> {
    OctetStringRef::new(c).ok()
}

/// The fields of a TSRequest as borrowed from the input.
pub(crate) struct Parsed<'a> {
    pub version: u32,
    /// The validated content of the NegoData SEQUENCE OF.
    pub nego_tokens: Option<&'a [u8]>,
    pub auth_info: Option<&'a OctetStringRef>,
    pub pub_key_auth: Option<&'a OctetStringRef>,
    pub error_code: Option<NtStatus>,
    pub client_nonce: Option<&'a OctetStringRef>,
}

/// Checks NegoData content: `SEQUENCE { [0] OCTET STRING }` items.
fn nego_data(mut rest: &[u8]) -> Option<()> {
    while !rest.is_empty() {
        let (item, after) = tlv(rest, SEQUENCE)?;
        let wrapped = only(item, ctx(0))?;
        only(wrapped, OCTET_STRING)?;
        rest = after;
    }
    Some(())
}

/// Iterates the tokens of NegoData content already checked by [`nego_data`].
pub(crate) fn nego_tokens(mut rest: &[u8]) -> impl Iterator<Item = &[u8]> {
    core::iter::from_fn(move || {
        let (item, after) = tlv(rest, SEQUENCE)?;
        rest = after;
        only(only(item, ctx(0))?, OCTET_STRING)
    })
}

#[inline]
pub(crate) fn parse(bytes: &[u8]) -> Option<Parsed<'_>> {
    let mut body = only(bytes, SEQUENCE)?;
    let (v, rest) = tlv(body, ctx(0))?;
    body = rest;
    let version = uint32(only(v, INTEGER)?)?;
    let nego_tokens = field(&mut body, 1, SEQUENCE)?;
    if let Some(content) = nego_tokens {
        nego_data(content)?;
    }
    let auth_info = field(&mut body, 2, OCTET_STRING)?;
    let pub_key_auth = field(&mut body, 3, OCTET_STRING)?;
    let error_code = match field(&mut body, 4, INTEGER)? {
        Some(c) => Some(NtStatus::from_wire(int32(c)?)),
        None => None,
    };
    let client_nonce = field(&mut body, 5, OCTET_STRING)?;
    if !body.is_empty() {
        return None;
    }
    Some(Parsed {
        version,
        nego_tokens,
        auth_info: auth_info.map(octets).transpose_none()?,
        pub_key_auth: pub_key_auth.map(octets).transpose_none()?,
        error_code,
        client_nonce: client_nonce.map(octets).transpose_none()?,
    })
}

trait TransposeNone<T> {
    fn transpose_none(self) -> Option<Option<T>>;
}

impl<T> TransposeNone<T> for Option<Option<T>> {
    fn transpose_none(self) -> Option<Option<T>> {
        match self {
            None => Some(None),
            Some(None) => None,
            Some(Some(v)) => Some(Some(v)),
        }
    }
}

// ---------------------------------------------------------------- writer

/// Header length (tag + length octets) of a value of `len` bytes.
#[inline]
const fn header_len(len: usize) -> usize {
    if len < 0x80 {
        2
    } else if len < 0x100 {
        3
    } else if len < 0x1_0000 {
        4
    } else if len < 0x100_0000 {
        5
    } else {
        6
    }
}

#[inline]
const fn tlv_len(len: usize) -> usize {
    header_len(len).saturating_add(len)
}

#[inline]
fn put_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    // Byte pushes rather than `extend_from_slice` of a variable-length
    // slice: the latter is a `memcpy` call per header, which dominated the
    // writer for these short fields.
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        // Callers keep every length within u32 (checked in `content_len`).
        let n = header_len(len) - 2;
        out.push(0x80 | n as u8);
        for shift in (0..n).rev() {
            out.push((len >> (8 * shift)) as u8);
        }
    }
}

/// Content bytes of the minimal unsigned INTEGER `v`.
fn uint_content(v: u32, buf: &mut [u8; 5]) -> &[u8] {
    let [a, b, c, d] = v.to_be_bytes();
    *buf = [0, a, b, c, d];
    // Drop the leading zero bytes of `v` (keeping one), then keep a 0x00
    // in front when the first remaining byte has its top bit set.
    let skip = (v.leading_zeros() / 8).min(3) as usize;
    let first = buf.get(skip + 1).copied().unwrap_or(0);
    let start = if first & 0x80 != 0 { skip } else { skip + 1 };
    buf.get(start..).unwrap_or_default()
}

/// Content bytes of the minimal signed INTEGER `v`.
fn int_content(v: i32, buf: &mut [u8; 4]) -> &[u8] {
    *buf = v.to_be_bytes();
    let mut start = 0;
    while let (true, Some(&a), Some(&b)) = (start < 3, buf.get(start), buf.get(start + 1)) {
        if (a == 0 && b < 0x80) || (a == 0xFF && b >= 0x80) {
            start += 1;
        } else {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}

const fn item_len(token: usize) -> usize {
    tlv_len(tlv_len(tlv_len(token)))
}

fn nego_content_len(nego: &NegoRepr<'_>) -> usize {
    match nego {
        NegoRepr::Encoded(raw) => raw.len(),
        NegoRepr::One(t) => item_len(t.as_bytes().len()),
        NegoRepr::Items(items) => items.iter().fold(0usize, |acc, i| {
            acc.saturating_add(item_len(i.nego_token.as_bytes().len()))
        }),
    }
}

/// Returns `(content length of the outer SEQUENCE, nego content length)`,
/// or `None` if anything exceeds the 32-bit DER length.
fn content_len(req: &TsRequestRef<'_>) -> Option<(usize, Option<usize>)> {
    let mut ubuf = [0u8; 5];
    let mut total = tlv_len(tlv_len(uint_content(req.version, &mut ubuf).len()));
    let nego = req.nego_tokens.as_ref().map(|n| nego_content_len(&n.0));
    if let Some(n) = nego {
        total = total.saturating_add(tlv_len(tlv_len(n)));
    }
    for o in [req.auth_info, req.pub_key_auth, req.client_nonce]
        .into_iter()
        .flatten()
    {
        total = total.saturating_add(tlv_len(tlv_len(o.as_bytes().len())));
    }
    if let Some(e) = req.error_code {
        let mut ibuf = [0u8; 4];
        let len = int_content(e.to_wire(), &mut ibuf).len();
        total = total.saturating_add(tlv_len(tlv_len(len)));
    }
    if tlv_len(total) > u32::MAX as usize {
        return None;
    }
    Some((total, nego))
}

fn put_octets(out: &mut Vec<u8>, n: u8, bytes: &[u8]) {
    put_header(out, ctx(n), tlv_len(bytes.len()));
    put_header(out, OCTET_STRING, bytes.len());
    out.extend_from_slice(bytes);
}

fn put_int(out: &mut Vec<u8>, n: u8, content: &[u8]) {
    put_header(out, ctx(n), tlv_len(content.len()));
    put_header(out, INTEGER, content.len());
    // At most 5 bytes: pushes, not a `memcpy` call.
    for &b in content {
        out.push(b);
    }
}

fn put_item(out: &mut Vec<u8>, token: &[u8]) {
    put_header(out, SEQUENCE, tlv_len(tlv_len(token.len())));
    put_octets(out, 0, token);
}

/// Appends the DER of `req` to `out`; `None` beyond 4 GiB.
pub(crate) fn write(req: &TsRequestRef<'_>, out: &mut Vec<u8>) -> Option<()> {
    let (total, nego) = content_len(req)?;
    out.reserve(tlv_len(total));
    write_body(req, total, nego, out);
    Some(())
}

/// The DER of `req` in a new vector of exactly its size; `None` beyond
/// 4 GiB.
pub(crate) fn write_new(req: &TsRequestRef<'_>) -> Option<Vec<u8>> {
    let (total, nego) = content_len(req)?;
    let mut out = Vec::with_capacity(tlv_len(total));
    write_body(req, total, nego, &mut out);
    Some(out)
}

/// Writes the TSRequest whose lengths `content_len` computed.
fn write_body(req: &TsRequestRef<'_>, total: usize, nego: Option<usize>, out: &mut Vec<u8>) {
    put_header(out, SEQUENCE, total);
    let mut ubuf = [0u8; 5];
    put_int(out, 0, uint_content(req.version, &mut ubuf));
    if let (Some(n), Some(data)) = (nego, &req.nego_tokens) {
        put_header(out, ctx(1), tlv_len(n));
        put_header(out, SEQUENCE, n);
        match &data.0 {
            NegoRepr::Encoded(raw) => out.extend_from_slice(raw),
            NegoRepr::One(t) => put_item(out, t.as_bytes()),
            NegoRepr::Items(items) => {
                for i in *items {
                    put_item(out, i.nego_token.as_bytes());
                }
            }
        }
    }
    if let Some(a) = req.auth_info {
        put_octets(out, 2, a.as_bytes());
    }
    if let Some(p) = req.pub_key_auth {
        put_octets(out, 3, p.as_bytes());
    }
    if let Some(e) = req.error_code {
        let mut ibuf = [0u8; 4];
        put_int(out, 4, int_content(e.to_wire(), &mut ibuf));
    }
    if let Some(c) = req.client_nonce {
        put_octets(out, 5, c.as_bytes());
    }
}
