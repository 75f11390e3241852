//! Renders `sstp_wire::Node`s as indented trees with byte offsets, and as
//! JSON through serde.

use std::fmt::Write as _;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use sstp_wire::{Node, Value};

/// Bytes fields up to this long are printed on the field's line; longer
/// ones in rows of this many bytes below it.
const INLINE_BYTES: usize = 32;

/// The tree of `node`, which starts at byte `offset` of the input. Every
/// line begins with the offset of what it shows (4 hex digits, more if
/// needed).
pub fn tree(node: &Node<'_>, offset: usize, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{title}{} ({}), {} bytes at {offset:#06x}",
        node.name,
        node.section,
        node.wire_len()
    );
    fields(&mut out, node, offset, 1);
    out
}

fn fields(out: &mut String, node: &Node<'_>, mut offset: usize, depth: usize) {
    for f in &node.fields {
        value(out, f.name, &f.value, offset, depth);
        offset += f.value.wire_len();
    }
}

fn line_start(out: &mut String, offset: usize, depth: usize) {
    let _ = write!(out, "{offset:04x}  {:width$}", "", width = depth * 2 - 2);
}

fn value(out: &mut String, name: &str, v: &Value<'_>, offset: usize, depth: usize) {
    line_start(out, offset, depth);
    let _ = write!(out, "{name}: ");
    match v {
        Value::U8(n) => number(out, u32::from(*n)),
        Value::U16(n) => number(out, u32::from(*n)),
        Value::U32(n) => number(out, *n),
        Value::Timestamp(n) => {
            number(out, *n);
            let _ = write!(out, " {}", utc(*n));
        }
        Value::Bytes(b) if b.len() <= INLINE_BYTES => {
            if b.is_empty() {
                out.push_str("(empty)");
            } else {
                out.push_str(&hex(b));
            }
        }
        Value::Bytes(b) => {
            let _ = writeln!(out, "({} bytes)", b.len());
            let mut at = offset;
            for row in b.chunks(INLINE_BYTES) {
                line_start(out, at, depth + 1);
                let _ = writeln!(out, "{}", hex(row));
                at += row.len();
            }
            return;
        }
        Value::Ansi(s) => {
            let _ = write!(out, "\"{s}\"");
        }
        Value::Enum { value, name } => {
            let _ = write!(out, "{value:#04x} {}", name.unwrap_or("(unnamed value)"));
        }
        Value::Flags { value, names } => {
            let _ = write!(out, "{value:#04x}");
            if names.is_empty() {
                out.push_str(" (no known flag)");
            } else {
                let _ = write!(out, " {}", names.join("|"));
            }
        }
        Value::List(items) => {
            let _ = writeln!(out, "{} item{}", items.len(), plural(items.len()));
            let mut at = offset;
            for (i, item) in items.iter().enumerate() {
                value(out, &format!("[{i}]"), item, at, depth + 1);
                at += item.wire_len();
            }
            return;
        }
        Value::Node(node) => {
            let _ = writeln!(
                out,
                "{} ({}), {} bytes",
                node.name,
                node.section,
                node.wire_len()
            );
            fields(out, node, offset, depth + 1);
            return;
        }
    }
    out.push('\n');
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Decimal, and hex when that differs.
fn number(out: &mut String, n: u32) {
    if n < 10 {
        let _ = write!(out, "{n}");
    } else {
        let _ = write!(out, "{n} ({n:#x})");
    }
}

/// Lowercase hex, no separators.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Seconds since 1970-01-01 as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian
/// calendar; H. Hinnant's `civil_from_days`).
fn utc(secs: u32) -> String {
    let days = i64::from(secs / 86_400);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// A node as a JSON object: `type`, `section`, then the fields by their
/// spec names, in wire order. A top-level command also gets its `offset`.
pub struct Json<'n, 'a> {
    pub node: &'n Node<'a>,
    pub offset: Option<usize>,
}

impl Serialize for Json<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(offset) = self.offset {
            m.serialize_entry("offset", &offset)?;
        }
        m.serialize_entry("type", self.node.name)?;
        m.serialize_entry("section", self.node.section)?;
        for f in &self.node.fields {
            m.serialize_entry(f.name, &JsonValue(&f.value))?;
        }
        m.end()
    }
}

struct JsonValue<'v, 'a>(&'v Value<'a>);

impl Serialize for JsonValue<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::U8(n) => s.serialize_u8(*n),
            Value::U16(n) => s.serialize_u16(*n),
            Value::U32(n) | Value::Timestamp(n) => s.serialize_u32(*n),
            Value::Bytes(b) => s.serialize_str(&hex(b)),
            // Strings are kept as received: UTF-8 as is, other bytes escaped
            // as `\xNN` text.
            Value::Ansi(a) => match a.to_str() {
                Some(text) => s.serialize_str(text),
                None => s.serialize_str(&a.to_string()),
            },
            Value::Enum { value, name } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("value", value)?;
                m.serialize_entry("name", name)?;
                m.end()
            }
            Value::Flags { value, names } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("value", value)?;
                m.serialize_entry("names", names)?;
                m.end()
            }
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&JsonValue(item))?;
                }
                seq.end()
            }
            Value::Node(node) => Json { node, offset: None }.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        // §4.1.5 Timestamp 0x479114D1.
        assert_eq!(utc(0x4791_14D1), "2008-01-18T21:06:25Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(u32::MAX), "2106-02-07T06:28:15Z");
    }

    #[test]
    fn tree_offsets_follow_the_widths() {
        let mut n = Node::new("T", "[X] 1");
        n.push("A", Value::U8(1));
        n.push("B", Value::Bytes(&[0xab; 40]));
        n.push("C", Value::U16(300));
        let t = tree(&n, 0x10, "");
        let lines: Vec<_> = t.lines().collect();
        assert_eq!(lines[0], "T ([X] 1), 43 bytes at 0x0010");
        assert_eq!(lines[1], "0010  A: 1");
        assert_eq!(lines[2], "0011  B: (40 bytes)");
        assert_eq!(lines[3], format!("0011    {}", "ab".repeat(32)));
        assert_eq!(lines[4], format!("0031    {}", "ab".repeat(8)));
        assert_eq!(lines[5], "0039  C: 300 (0x12c)");
    }
}
