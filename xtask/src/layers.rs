//! `cargo xtask layers`: the dependency rules of ARCHITECTURE.md, checked.
//!
//! ARCHITECTURE.md holds a machine-read table between the markers
//! `<!-- xtask:layers:begin -->` and `<!-- xtask:layers:end -->`:
//!
//! ```text
//! | order | crate | tier | may depend on |
//! |---|---|---|---|
//! | 1 | `asn1-types` | core | — |
//! | 2 | `crypto-primitives` | core | `asn1-types` |
//! ```
//!
//! The rules:
//! 1. every workspace member is in the table;
//! 2. a crate's normal dependencies on workspace crates are listed in its
//!    "may depend on" column, and each of them has a lower order (strictly
//!    below it);
//! 3. a core crate's normal dependency tree (transitively, as
//!    `cargo tree -e normal -p CRATE` resolves it for that crate alone)
//!    contains none of the banned IO / runtime / OS-randomness crates.
//!
//! Development and build dependencies are not checked: tests and benches may
//! reach across layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Crates a core crate must never pull in, with the reason printed on failure.
pub const BANNED_IN_CORE: &[(&str, &str)] = &[
    ("tokio", "async runtime / networking"),
    ("async-std", "async runtime / networking"),
    ("smol", "async runtime / networking"),
    ("mio", "OS networking"),
    ("socket2", "OS networking"),
    ("hyper", "networking"),
    ("reqwest", "networking"),
    ("rustls", "TLS is an adapter concern"),
    ("tokio-rustls", "TLS is an adapter concern"),
    ("native-tls", "TLS is an adapter concern"),
    ("openssl", "TLS/FFI is an adapter concern"),
    ("redb", "file storage"),
    ("sled", "file storage"),
    ("rusqlite", "file storage"),
    ("tempfile", "file IO"),
    ("fs-err", "file IO"),
    ("walkdir", "file IO"),
    ("memmap2", "file IO"),
    ("notify", "file IO"),
    ("getrandom", "OS randomness: randomness is passed in"),
    (
        "rand",
        "OS randomness (thread_rng): pass a rand_core RNG in",
    ),
    ("chrono", "clock: time is passed in"),
    ("tracing-subscriber", "log sinks are an adapter concern"),
];

/// The tier of a crate, as ARCHITECTURE.md defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Core,
    Adapter,
    Internal,
}

/// One row of the layers table.
#[derive(Debug, Clone)]
pub struct Layer {
    pub order: u32,
    pub tier: Tier,
    pub may_depend_on: BTreeSet<String>,
}

/// A rule broken, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

/// Parses the table out of ARCHITECTURE.md's text.
pub fn parse_layers(architecture_md: &str) -> Result<BTreeMap<String, Layer>, String> {
    let begin = "<!-- xtask:layers:begin -->";
    let end = "<!-- xtask:layers:end -->";
    let start = architecture_md
        .find(begin)
        .ok_or_else(|| format!("ARCHITECTURE.md: marker `{begin}` not found"))?;
    let rest = &architecture_md[start + begin.len()..];
    let stop = rest
        .find(end)
        .ok_or_else(|| format!("ARCHITECTURE.md: marker `{end}` not found"))?;
    let mut layers = BTreeMap::new();
    for (lineno, line) in rest[..stop].lines().enumerate() {
        let line = line.trim();
        if !line.starts_with('|') {
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().replace('`', ""))
            .collect();
        if cells.len() != 4 {
            return Err(format!(
                "ARCHITECTURE.md layers table row {lineno}: expected 4 cells, got {}: {line}",
                cells.len()
            ));
        }
        let Ok(order) = cells[0].parse::<u32>() else {
            // header or separator row
            continue;
        };
        let tier = match cells[2].as_str() {
            "core" => Tier::Core,
            "adapter" => Tier::Adapter,
            "internal" => Tier::Internal,
            other => {
                return Err(format!(
                    "ARCHITECTURE.md: unknown tier `{other}` for {}",
                    cells[1]
                ));
            }
        };
        let may_depend_on = cells[3]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s != "—" && s != "-" && s != "(none)")
            .collect();
        let name = cells[1].clone();
        if layers
            .insert(
                name.clone(),
                Layer {
                    order,
                    tier,
                    may_depend_on,
                },
            )
            .is_some()
        {
            return Err(format!("ARCHITECTURE.md: crate `{name}` listed twice"));
        }
    }
    if layers.is_empty() {
        return Err("ARCHITECTURE.md: the layers table is empty".into());
    }
    Ok(layers)
}

/// The pure check: `members` maps each workspace crate to its normal
/// dependencies on other workspace crates; `trees` maps each core crate to
/// every package name in its resolved normal dependency tree.
pub fn check(
    layers: &BTreeMap<String, Layer>,
    members: &BTreeMap<String, BTreeSet<String>>,
    trees: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for (krate, deps) in members {
        let Some(layer) = layers.get(krate) else {
            out.push(Violation(format!(
                "crate `{krate}` is a workspace member but has no row in ARCHITECTURE.md's layers table"
            )));
            continue;
        };
        for dep in deps {
            let Some(dep_layer) = layers.get(dep) else {
                out.push(Violation(format!(
                    "`{krate}` depends on `{dep}`, which has no row in ARCHITECTURE.md"
                )));
                continue;
            };
            if dep_layer.order >= layer.order {
                out.push(Violation(format!(
                    "`{krate}` (order {}) depends on `{dep}` (order {}): dependencies must point strictly downward",
                    layer.order, dep_layer.order
                )));
            }
            if layer.tier != Tier::Internal && !layer.may_depend_on.contains(dep) {
                out.push(Violation(format!(
                    "`{krate}` depends on `{dep}`, an edge ARCHITECTURE.md does not allow (allowed: {})",
                    if layer.may_depend_on.is_empty() {
                        "none".to_string()
                    } else {
                        layer.may_depend_on.iter().cloned().collect::<Vec<_>>().join(", ")
                    }
                )));
            }
            if layer.tier == Tier::Core && dep_layer.tier != Tier::Core {
                out.push(Violation(format!(
                    "core crate `{krate}` depends on `{dep}`, which is not a core crate"
                )));
            }
        }
    }
    for (krate, tree) in trees {
        for (banned, why) in BANNED_IN_CORE {
            if tree.contains(*banned) {
                out.push(Violation(format!(
                    "core crate `{krate}` pulls in `{banned}` through its normal dependencies ({why})"
                )));
            }
        }
    }
    out
}

/// Reads the workspace at `root` with cargo and runs [`check`].
pub fn run(root: &Path) -> Result<Vec<Violation>, String> {
    let arch = std::fs::read_to_string(root.join("ARCHITECTURE.md"))
        .map_err(|e| format!("reading {}/ARCHITECTURE.md: {e}", root.display()))?;
    let layers = parse_layers(&arch)?;

    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .exec()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    let member_names: BTreeSet<String> = metadata
        .workspace_packages()
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    let mut members = BTreeMap::new();
    for pkg in metadata.workspace_packages() {
        let deps: BTreeSet<String> = pkg
            .dependencies
            .iter()
            .filter(|d| d.kind == cargo_metadata::DependencyKind::Normal)
            .map(|d| d.name.clone())
            .filter(|n| member_names.contains(n))
            .collect();
        members.insert(pkg.name.to_string(), deps);
    }

    let mut trees = BTreeMap::new();
    for (name, layer) in &layers {
        if layer.tier != Tier::Core || !member_names.contains(name) {
            continue;
        }
        trees.insert(name.clone(), normal_tree(root, name)?);
    }
    Ok(check(&layers, &members, &trees))
}

/// Every package name in `krate`'s normal dependency tree, with features
/// resolved for that crate alone.
fn normal_tree(root: &Path, krate: &str) -> Result<BTreeSet<String>, String> {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "tree", "--quiet", "-e", "normal", "--prefix", "none", "-f", "{p}", "-p", krate,
        ])
        .output()
        .map_err(|e| format!("running cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree -p {krate} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != krate)
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "intro\n<!-- xtask:layers:begin -->\n\
        | order | crate | tier | may depend on |\n|---|---|---|---|\n\
        | 1 | `a` | core | — |\n| 2 | `b` | core | `a` |\n\
        | 3 | `c` | adapter | `a`, `b` |\n| 9 | `xtask` | internal | — |\n\
        <!-- xtask:layers:end -->\n";

    fn deps(pairs: &[(&str, &[&str])]) -> BTreeMap<String, BTreeSet<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn parses_table() {
        let l = parse_layers(TABLE).unwrap();
        assert_eq!(l.len(), 4);
        assert_eq!(l["b"].order, 2);
        assert!(l["c"].may_depend_on.contains("b"));
        assert!(l["a"].may_depend_on.is_empty());
    }

    #[test]
    fn downward_edges_pass() {
        let l = parse_layers(TABLE).unwrap();
        let m = deps(&[
            ("a", &[]),
            ("b", &["a"]),
            ("c", &["a", "b"]),
            ("xtask", &[]),
        ]);
        assert_eq!(check(&l, &m, &BTreeMap::new()), vec![]);
    }

    #[test]
    fn upward_edge_fails() {
        let l = parse_layers(TABLE).unwrap();
        let m = deps(&[("a", &["b"]), ("b", &[])]);
        let v = check(&l, &m, &BTreeMap::new());
        assert!(v.iter().any(|v| v.0.contains("strictly downward")), "{v:?}");
        assert!(v.iter().any(|v| v.0.contains("does not allow")), "{v:?}");
    }

    #[test]
    fn core_on_adapter_and_unlisted_member_fail() {
        let l = parse_layers(TABLE).unwrap();
        let m = deps(&[("b", &["c"]), ("stray", &[])]);
        let v = check(&l, &m, &BTreeMap::new());
        assert!(v.iter().any(|v| v.0.contains("not a core crate")), "{v:?}");
        assert!(v.iter().any(|v| v.0.contains("`stray`")), "{v:?}");
    }

    #[test]
    fn banned_crate_in_core_tree_fails() {
        let l = parse_layers(TABLE).unwrap();
        let trees = deps(&[("a", &["der", "tokio"])]);
        let v = check(&l, &BTreeMap::new(), &trees);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].0.contains("tokio"));
    }
}
