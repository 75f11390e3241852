//! `cargo xtask layers` run for real on small throw-away workspaces: a
//! deliberately wrong edge and a core crate pulling in a banned crate must
//! fail; a clean workspace must pass.

use std::path::{Path, PathBuf};
use std::process::Command;

const ARCH: &str = "# Architecture\n<!-- xtask:layers:begin -->\n\
| order | crate | tier | may depend on |\n|---|---|---|---|\n\
| 1 | `low` | core | — |\n\
| 2 | `high` | core | `low` |\n\
<!-- xtask:layers:end -->\n";

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "xtask-layers-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn krate(root: &Path, name: &str, deps: &str) {
    write(
        &root.join(format!("crates/{name}/Cargo.toml")),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"
        ),
    );
    write(&root.join(format!("crates/{name}/src/lib.rs")), "");
}

fn workspace(name: &str, low_deps: &str, high_deps: &str) -> PathBuf {
    let root = scratch(name);
    write(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\nexclude = [\"vendor\"]\n",
    );
    write(&root.join("ARCHITECTURE.md"), ARCH);
    krate(&root, "low", low_deps);
    krate(&root, "high", high_deps);
    // A local stand-in named like a banned crate, so no registry is needed.
    write(
        &root.join("vendor/tokio/Cargo.toml"),
        "[package]\nname = \"tokio\"\nversion = \"1.0.0\"\nedition = \"2021\"\n[workspace]\n",
    );
    write(&root.join("vendor/tokio/src/lib.rs"), "");
    root
}

fn layers(root: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["layers", "--workspace"])
        .arg(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(root);
    (out.status.success(), text)
}

#[test]
fn clean_workspace_passes() {
    let root = workspace("clean", "", "low = { path = \"../low\" }\n");
    let (ok, text) = layers(&root);
    assert!(ok, "{text}");
}

#[test]
fn upward_edge_is_rejected() {
    let root = workspace("upward", "high = { path = \"../high\" }\n", "");
    let (ok, text) = layers(&root);
    assert!(!ok, "an upward edge passed: {text}");
    assert!(
        text.contains("`low` (order 1) depends on `high` (order 2)"),
        "{text}"
    );
}

#[test]
fn banned_crate_in_core_is_rejected() {
    let root = workspace(
        "banned",
        "tokio = { path = \"../../vendor/tokio\" }\n",
        "low = { path = \"../low\" }\n",
    );
    let (ok, text) = layers(&root);
    assert!(!ok, "tokio in a core crate passed: {text}");
    assert!(text.contains("core crate `low` pulls in `tokio`"), "{text}");
    // `high` reaches tokio only through `low`: reported too, transitively.
    assert!(
        text.contains("core crate `high` pulls in `tokio`"),
        "{text}"
    );
}

#[test]
fn dev_dependencies_are_not_layer_edges() {
    let root = workspace(
        "dev",
        "[dev-dependencies]\nhigh = { path = \"../high\" }\n",
        "low = { path = \"../low\" }\n",
    );
    let (ok, text) = layers(&root);
    assert!(ok, "{text}");
}
