//! Reading bytes: hex text (with comments and optional `OFFSET:` row
//! labels, as in `tests/vectors/sstp/*.hex`) or raw binary.

use std::fmt;

/// How to read a file or stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Hex text if the bytes are UTF-8 without control characters (tab and
    /// line breaks aside); raw binary otherwise.
    Auto,
    /// Hex text.
    Hex,
    /// Raw bytes.
    Binary,
}

/// Why hex text did not parse. Positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HexError {
    /// A character that is not a hex digit, whitespace, or part of a
    /// comment or row label.
    BadDigit {
        line: usize,
        column: usize,
        ch: char,
    },
    /// An odd number of hex digits (in total, or before a row label).
    OddDigits { line: usize, count: usize },
    /// A row label pointing before the bytes already read.
    Overlap {
        line: usize,
        label: usize,
        have: usize,
    },
    /// A row label beyond the bytes read so far, without `--fill-gaps`.
    Gap { line: usize, from: usize, to: usize },
}

impl HexError {
    /// The message, without the offending character: for secret inputs.
    pub fn redacted(&self) -> String {
        match self {
            Self::BadDigit { line, column, .. } => {
                format!("not a hex digit at line {line}, column {column}")
            }
            other => other.to_string(),
        }
    }
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadDigit { line, column, ch } => {
                if *ch == char::REPLACEMENT_CHARACTER {
                    f.write_str("a byte that is not UTF-8 text")?;
                } else {
                    write!(f, "{ch:?}")?;
                }
                write!(f, " is not a hex digit (line {line}, column {column})")
            }
            Self::OddDigits { line, count } => write!(
                f,
                "odd number of hex digits ({count}) ending at line {line}: bytes are two digits each"
            ),
            Self::Overlap { line, label, have } => write!(
                f,
                "row label {label:#06x} at line {line} points back into bytes already read (next offset is {have:#06x})"
            ),
            Self::Gap { line, from, to } => write!(
                f,
                "bytes {from:#06x}..{to:#06x} are missing before the row at line {line} (use --fill-gaps BYTE to fill them)"
            ),
        }
    }
}

impl std::error::Error for HexError {}

/// Parses hex text: pairs of hex digits, whitespace anywhere, an optional
/// `0x` before any group, `#` comments to the end of the line, and optional
/// `OFFSET:` labels (hex) at the start of a line that place the row at that
/// offset. Offsets the rows skip are filled with `fill`, or are an error
/// without it.
pub fn parse_hex(text: &str, fill: Option<u8>) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::new();
    // A high nibble waiting for its low nibble, and how many digits so far.
    let mut pending: Option<u8> = None;
    let mut digits = 0usize;
    let mut last_line = 1;
    for (n, raw_line) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw_line.split('#').next().unwrap_or_default();
        let mut groups = groups(line).peekable();
        if let Some(&(_, first)) = groups.peek()
            && let Some(label) = first.strip_suffix(':')
        {
            groups.next();
            let Ok(label) = usize::from_str_radix(label, 16) else {
                let column = line.find(first).unwrap_or(0) + 1;
                return Err(HexError::BadDigit {
                    line: line_no,
                    column,
                    ch: ':',
                });
            };
            if pending.is_some() {
                return Err(HexError::OddDigits {
                    line: line_no,
                    count: digits,
                });
            }
            match label.cmp(&out.len()) {
                std::cmp::Ordering::Less => {
                    return Err(HexError::Overlap {
                        line: line_no,
                        label,
                        have: out.len(),
                    });
                }
                std::cmp::Ordering::Greater => match fill {
                    Some(b) => out.resize(label, b),
                    None => {
                        return Err(HexError::Gap {
                            line: line_no,
                            from: out.len(),
                            to: label,
                        });
                    }
                },
                std::cmp::Ordering::Equal => {}
            }
        }
        for (start, group) in groups {
            let (skip, body) = match group.get(..2) {
                Some("0x" | "0X") => (2, group.get(2..).unwrap_or_default()),
                _ => (0, group),
            };
            for (i, ch) in body.char_indices() {
                let Some(v) = ch.to_digit(16).and_then(|d| u8::try_from(d).ok()) else {
                    return Err(HexError::BadDigit {
                        line: line_no,
                        column: line
                            .get(..start + skip + i)
                            .map_or(0, |before| before.chars().count())
                            + 1,
                        ch,
                    });
                };
                digits += 1;
                last_line = line_no;
                match pending.take() {
                    Some(hi) => out.push(hi << 4 | v),
                    None => pending = Some(v),
                }
            }
        }
    }
    if pending.is_some() {
        return Err(HexError::OddDigits {
            line: last_line,
            count: digits,
        });
    }
    Ok(out)
}

/// Whitespace-separated groups of `line`, with their byte positions.
fn groups(line: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.extend(line.get(s..i).map(|g| (s, g)));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.extend(line.get(s..).map(|g| (s, g)));
    }
    out.into_iter()
}

/// Whether `bytes` look like text (so `auto` reads them as hex): UTF-8
/// without control characters other than tab, CR and LF. An SSTP command
/// stream has a NUL or another control byte in its first three bytes
/// unless its `CommandLength` is at least 0x2009 and its ID is 0x09, 0x0A or
/// 0x0D; `--input binary` covers that case.
fn is_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| {
        s.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
    })
}

/// Bytes from the contents of a file or stdin.
pub fn from_contents(
    contents: Vec<u8>,
    format: InputFormat,
    fill: Option<u8>,
) -> Result<Vec<u8>, HexError> {
    let as_hex = match format {
        InputFormat::Hex => true,
        InputFormat::Binary => false,
        InputFormat::Auto => is_text(&contents),
    };
    if !as_hex {
        return Ok(contents);
    }
    // Non-UTF-8 bytes can only reach here with `--input hex`; they become
    // U+FFFD and are reported as bad digits.
    parse_hex(&String::from_utf8_lossy(&contents), fill)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_spaced_prefixed_and_split_hex() {
        assert_eq!(parse_hex("0b3e 0C", None), Ok(vec![0x0b, 0x3e, 0x0c]));
        assert_eq!(parse_hex("0x0b 0x3e\n0c", None), Ok(vec![0x0b, 0x3e, 0x0c]));
        assert_eq!(parse_hex("0 b", None), Ok(vec![0x0b]));
        assert_eq!(parse_hex("# only a comment\n\n", None), Ok(vec![]));
    }

    #[test]
    fn row_labels_comments_and_gaps() {
        let text = "# header\n0000: 01 02 # note\n0002: 03\n0005: 06\n";
        assert_eq!(
            parse_hex(text, None),
            Err(HexError::Gap {
                line: 4,
                from: 3,
                to: 5
            })
        );
        assert_eq!(
            parse_hex(text, Some(0xee)),
            Ok(vec![1, 2, 3, 0xee, 0xee, 6])
        );
        assert_eq!(
            parse_hex("0000: 01 02\n0001: 03", None),
            Err(HexError::Overlap {
                line: 2,
                label: 1,
                have: 2
            })
        );
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(
            parse_hex("0b 3g", None),
            Err(HexError::BadDigit {
                line: 1,
                column: 5,
                ch: 'g'
            })
        );
        assert_eq!(
            parse_hex("0b\n3e 0", None),
            Err(HexError::OddDigits { line: 2, count: 5 })
        );
        assert_eq!(
            parse_hex("0b 3\n0002: 00", None),
            Err(HexError::OddDigits { line: 2, count: 3 })
        );
        let e = parse_hex("zz", None).unwrap_err();
        assert!(!e.redacted().contains('z'));
    }

    #[test]
    fn auto_tells_text_from_binary() {
        let bin = vec![0x11, 0x08, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(
            from_contents(bin.clone(), InputFormat::Auto, None),
            Ok(bin.clone())
        );
        assert_eq!(
            from_contents(
                b"11 08 00 0b\n00 00 00 00\n".to_vec(),
                InputFormat::Auto,
                None
            ),
            Ok(bin)
        );
        assert_eq!(
            from_contents(
                "# §4.1.9\n11 08".as_bytes().to_vec(),
                InputFormat::Auto,
                None
            ),
            Ok(vec![0x11, 0x08])
        );
        assert_eq!(
            from_contents(b"0b".to_vec(), InputFormat::Binary, None),
            Ok(b"0b".to_vec())
        );
    }
}
