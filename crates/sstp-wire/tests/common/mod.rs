//! Loader for the `tests/vectors/sstp/*.hex` files (format: see the README
//! there).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ops::Range;
use std::path::PathBuf;

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/sstp")
}

/// Hex with optional whitespace.
pub fn h(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    hex::decode(s).expect("valid hex literal")
}

pub struct Vector {
    pub name: String,
    /// (offset, bytes) in file order.
    pub rows: Vec<(usize, Vec<u8>)>,
}

pub fn load(name: &str) -> Vector {
    let path = vectors_dir().join(format!("{name}.hex"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let (off, bytes) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{name}.hex line {}: no `OFFSET:`", n + 1));
        let off = usize::from_str_radix(off.trim(), 16)
            .unwrap_or_else(|e| panic!("{name}.hex line {}: {e}", n + 1));
        rows.push((off, h(bytes)));
    }
    let v = Vector {
        name: name.to_string(),
        rows,
    };
    v.check_no_overlap();
    v
}

impl Vector {
    pub fn len(&self) -> usize {
        self.rows
            .iter()
            .map(|(o, b)| o + b.len())
            .max()
            .unwrap_or(0)
    }

    fn check_no_overlap(&self) {
        let mut sorted: Vec<_> = self.rows.iter().map(|(o, b)| (*o, o + b.len())).collect();
        sorted.sort_unstable();
        for w in sorted.windows(2) {
            assert!(
                w[0].1 <= w[1].0,
                "{}: rows overlap at {:#x}",
                self.name,
                w[1].0
            );
        }
    }

    /// Offsets no row covers (bytes the seed did not show).
    pub fn gaps(&self) -> Vec<Range<usize>> {
        let mut covered = vec![false; self.len()];
        for (o, b) in &self.rows {
            covered[*o..o + b.len()].fill(true);
        }
        let mut gaps = Vec::new();
        let mut i = 0;
        while i < covered.len() {
            if covered[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i < covered.len() && !covered[i] {
                i += 1;
            }
            gaps.push(start..i);
        }
        gaps
    }

    /// The bytes, with gaps filled with `fill`.
    pub fn filled(&self, fill: u8) -> Vec<u8> {
        let mut out = vec![fill; self.len()];
        for (o, b) in &self.rows {
            out[*o..o + b.len()].copy_from_slice(b);
        }
        out
    }

    /// The bytes of a vector the seed shows completely.
    pub fn bytes(&self) -> Vec<u8> {
        assert!(self.gaps().is_empty(), "{} has elided ranges", self.name);
        self.filled(0)
    }
}

/// Offset of `inner` inside `outer` (both borrowed from the same buffer).
pub fn offset_in(outer: &[u8], inner: &[u8]) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    assert!(start + inner.len() <= outer.len());
    start..start + inner.len()
}
