//! Error diagnosis: which field of which structure broke the rules.
//!
//! Decoding goes through the `der` derive, whose errors name neither the
//! field nor, for most kinds, the position. When a decode fails, the input is
//! walked again against a table that mirrors the ASN.1 definition (one
//! [`Schema`] per structure, next to the type it describes), using `der`'s own
//! header and value decoders, and the first element that breaks the table is
//! reported with its structure, field and byte offset. The walk runs only on
//! the error path; the derive stays the one decoder.

use der::{Decode, Header, Reader, SliceReader, Tag};

use crate::error::{Error, ErrorKind, length_to_usize};

/// One ASN.1 SEQUENCE (or SEQUENCE OF) type.
#[derive(Debug)]
pub(crate) struct Schema {
    /// The ASN.1 type name, e.g. `"TSRequest"`.
    pub structure: &'static str,
    /// Where it is defined, e.g. `"[MS-CSSP] 2.2.1"`.
    pub section: &'static str,
    /// Its components.
    pub body: Body,
}

#[derive(Debug)]
pub(crate) enum Body {
    /// `SEQUENCE` whose components are all `[n] EXPLICIT`, in this order.
    Tagged(&'static [Field]),
    /// `SEQUENCE OF` the given structure.
    SequenceOf(&'static Schema),
}

/// A `[tag] EXPLICIT` component of a [`Body::Tagged`] sequence.
#[derive(Debug)]
pub(crate) struct Field {
    pub tag: u32,
    pub name: &'static str,
    pub optional: bool,
    pub value: Value,
}

/// How to check the one TLV inside a field's explicit tag.
#[derive(Debug)]
pub(crate) enum Value {
    /// Decode it as the field's Rust type.
    Leaf(fn(&[u8]) -> der::Result<()>),
    /// Walk it as a nested structure (reporting that structure's fields).
    Nested(&'static Schema),
}

/// A required field.
pub(crate) const fn req(tag: u32, name: &'static str, value: Value) -> Field {
    Field {
        tag,
        name,
        optional: false,
        value,
    }
}

/// An OPTIONAL field.
pub(crate) const fn opt(tag: u32, name: &'static str, value: Value) -> Field {
    Field {
        tag,
        name,
        optional: true,
        value,
    }
}

/// A [`Value::Leaf`] check decoding the TLV as `T`.
pub(crate) fn leaf<T>(bytes: &[u8]) -> der::Result<()>
where
    T: for<'a> Decode<'a, Error = der::Error>,
{
    T::from_der(bytes).map(|_| ())
}

/// Strict DER decode of `bytes` as `T`; on failure the error names the
/// structure and, where it can be told, the field and offset.
pub(crate) fn decode<T>(schema: &'static Schema, bytes: &[u8]) -> Result<T, Error>
where
    T: for<'a> Decode<'a, Error = der::Error>,
{
    T::from_der(bytes).map_err(|e| {
        diagnose(schema, bytes).unwrap_or_else(|| Error::der(e, schema.structure, schema.section))
    })
}

/// The first violation of `schema` in `bytes` (one TLV, nothing after it),
/// or `None` when the walk finds nothing wrong.
pub(crate) fn diagnose(schema: &'static Schema, bytes: &[u8]) -> Option<Error> {
    match walk(schema, bytes, 0) {
        Err(err) => Some(err),
        Ok(used) if used < bytes.len() => Some(make(
            schema,
            None,
            ErrorKind::Der(trailing(used, bytes.len())),
            used,
        )),
        Ok(_) => None,
    }
}

fn make(schema: &Schema, field: Option<&'static str>, kind: ErrorKind, offset: usize) -> Error {
    Error {
        kind,
        structure: schema.structure,
        field,
        section: schema.section,
        offset: Some(offset),
    }
}

/// A `der` error found in a buffer that starts at `base`.
fn from_der(schema: &Schema, field: Option<&'static str>, e: der::Error, base: usize) -> Error {
    let rel = e.position().map_or(0, length_to_usize);
    make(
        schema,
        field,
        ErrorKind::Der(e.kind()),
        base.saturating_add(rel),
    )
}

fn trailing(decoded: usize, total: usize) -> der::ErrorKind {
    let as_len = |n: usize| der::Length::try_from(n).unwrap_or(der::Length::MAX);
    der::ErrorKind::TrailingData {
        decoded: as_len(decoded),
        remaining: as_len(total.saturating_sub(decoded)),
    }
}

fn position(reader: &SliceReader<'_>) -> usize {
    length_to_usize(reader.position())
}

/// Walks the one TLV at the start of `bytes` (at offset `base` of the
/// caller's input); returns its length when nothing is wrong with it.
fn walk(schema: &'static Schema, bytes: &[u8], base: usize) -> Result<usize, Error> {
    let at_start = |e: der::Error| {
        let mut err = from_der(schema, None, e, base);
        err.offset = Some(base);
        err
    };
    let mut reader = SliceReader::new(bytes).map_err(at_start)?;
    let header = Header::decode(&mut reader).map_err(at_start)?;
    if header.tag() != Tag::Sequence {
        let kind = header.tag().unexpected_error(Some(Tag::Sequence));
        return Err(make(schema, None, ErrorKind::Der(kind), base));
    }
    let content_start = position(&reader);
    let content = reader.read_slice(header.length()).map_err(at_start)?;
    let content_base = base.saturating_add(content_start);
    match schema.body {
        Body::Tagged(fields) => walk_tagged(schema, fields, content, content_base)?,
        Body::SequenceOf(item) => {
            let mut rest = content;
            let mut offset = content_base;
            while !rest.is_empty() {
                let used = walk(item, rest, offset)?;
                rest = rest.get(used..).unwrap_or_default();
                offset = offset.saturating_add(used);
            }
        }
    }
    Ok(content_start.saturating_add(content.len()))
}

fn walk_tagged(
    schema: &'static Schema,
    fields: &'static [Field],
    content: &[u8],
    base: usize,
) -> Result<(), Error> {
    let mut reader = SliceReader::new(content).map_err(|e| from_der(schema, None, e, base))?;
    // Index of the first field that may still appear.
    let mut next = 0usize;
    while !reader.is_finished() {
        let start = position(&reader);
        let elem_at = base.saturating_add(start);
        let tag = Tag::peek(&reader).map_err(|e| {
            let mut err = from_der(schema, None, e, base);
            err.offset = Some(elem_at);
            err
        })?;
        let index = match tag {
            Tag::ContextSpecific { number, .. } => {
                fields.iter().position(|f| f.tag == number.value())
            }
            _ => None,
        };
        let field = index.and_then(|i| fields.get(i));
        let name = field.map(|f| f.name);
        let elem_err = |e: der::Error| {
            let mut err = from_der(schema, name, e, base);
            err.offset = Some(elem_at);
            err
        };
        let header = Header::decode(&mut reader).map_err(elem_err)?;
        let value_start = position(&reader);
        let value = reader.read_slice(header.length()).map_err(elem_err)?;
        let (Some(index), Some(field)) = (index, field) else {
            return Err(make(
                schema,
                None,
                ErrorKind::UnexpectedElement(tag),
                elem_at,
            ));
        };
        if index < next {
            return Err(make(
                schema,
                Some(field.name),
                ErrorKind::UnexpectedElement(tag),
                elem_at,
            ));
        }
        if let Some(missing) = fields
            .get(next..index)
            .and_then(|skipped| skipped.iter().find(|f| !f.optional))
        {
            return Err(make(
                schema,
                Some(missing.name),
                ErrorKind::MissingField,
                elem_at,
            ));
        }
        if !tag.is_constructed() {
            // EXPLICIT tagging is always constructed (X.690 8.14.2).
            let kind = ErrorKind::Der(tag.non_canonical_error());
            return Err(make(schema, Some(field.name), kind, elem_at));
        }
        let value_base = base.saturating_add(value_start);
        match field.value {
            Value::Leaf(check) => {
                check(value).map_err(|e| {
                    let mut err = from_der(schema, Some(field.name), e, value_base);
                    // Point at the offending value, except for trailing
                    // bytes, which are best pointed at themselves.
                    if !matches!(e.kind(), der::ErrorKind::TrailingData { .. }) {
                        err.offset = Some(value_base);
                    }
                    err
                })?;
            }
            Value::Nested(inner) => {
                let used = walk(inner, value, value_base)?;
                if used < value.len() {
                    let kind = ErrorKind::Der(trailing(used, value.len()));
                    return Err(make(
                        schema,
                        Some(field.name),
                        kind,
                        value_base.saturating_add(used),
                    ));
                }
            }
        }
        next = index.saturating_add(1);
    }
    if let Some(missing) = fields
        .get(next..)
        .and_then(|rest| rest.iter().find(|f| !f.optional))
    {
        return Err(make(
            schema,
            Some(missing.name),
            ErrorKind::MissingField,
            base.saturating_add(content.len()),
        ));
    }
    Ok(())
}
