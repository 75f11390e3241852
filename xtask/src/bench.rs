//! `cargo xtask bench [--quick] [FILTER]`: our criterion benches next to the
//! peers', measured in the same run, as one side-by-side table.
//!
//! 1. Ours: every bench target of the `benches` package, one `cargo bench`
//!    per target so that a broken target does not hide the others.
//! 2. sspi-rs: the criterion benches of the separate workspace
//!    `benches/baselines/sspi/` (same benchmark IDs and inputs as ours).
//! 3. Crypto++: `benches/baselines/cryptopp/cryptopp_bench.cpp`, compiled
//!    with `g++ -O2 ... -lcryptopp` and run in-process; it prints medians.
//!
//! Criterion results are read back from `<CRITERION_HOME>/<id>/new/`
//! (`benchmark.json` for the ID, `estimates.json` for the median); only
//! files written by this run count, so a FILTER never shows stale figures.
//! A baseline that fails to build or run is reported in the table output
//! (which one and why) and makes the command fail, but never hides our rows.
//!
//! FILTER is criterion's (a regex on `group/function`); Crypto++ applies it
//! as a plain substring, so plain text filters both the same way.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// Criterion timing flags for `--quick`.
const QUICK_CRITERION: &[&str] = &["--warm-up-time", "1", "--measurement-time", "3"];
/// Crypto++ bench: (samples, milliseconds per sample), quick and full.
const CRYPTOPP_QUICK: (u32, u32) = (11, 100);
const CRYPTOPP_FULL: (u32, u32) = (51, 200);

const SSPI_DIR: &str = "benches/baselines/sspi";
const CRYPTOPP_SRC: &str = "benches/baselines/cryptopp/cryptopp_bench.cpp";
/// The RSA-2048 test key our `crypto` bench signs with.
const RSA_KEY: &str = "tests/vectors/crypto/rsa/key.pk8.der";

/// A peer and the benchmark groups it is measured on. Only used to mark
/// our rows when that peer failed; matching is by exact ID otherwise.
struct PeerSpec {
    label: &'static str,
    groups: &'static [&'static str],
}

const SSPI: PeerSpec = PeerSpec {
    label: "sspi-rs",
    groups: &["credssp_tsrequest", "credssp_handshake"],
};
const CRYPTOPP: PeerSpec = PeerSpec {
    label: "Crypto++",
    groups: &[
        "marc4",
        "elgamal_groove1536",
        "rsa2048_sha1",
        "hmac_sha1_of_sha1",
    ],
};

#[derive(Debug, Default, PartialEq)]
struct Options {
    quick: bool,
    filter: Option<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut opts = Options::default();
    for a in args {
        match a.as_str() {
            "--quick" => opts.quick = true,
            flag if flag.starts_with('-') => {
                return Err(format!(
                    "unknown bench option `{flag}` (usage: bench [--quick] [FILTER])"
                ));
            }
            f if opts.filter.is_none() => opts.filter = Some(f.to_string()),
            _ => return Err("bench takes at most one FILTER".into()),
        }
    }
    Ok(opts)
}

/// Median nanoseconds per operation, keyed by `group/function`.
type Figures = BTreeMap<String, f64>;

/// What one peer produced in this run.
struct PeerRun {
    spec: &'static PeerSpec,
    /// Display name with version, e.g. `Crypto++ 8.7.0`.
    name: String,
    outcome: Result<Figures, String>,
}

/// Entry point of `cargo xtask bench`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let opts = parse_args(args)?;
    let target = target_dir(root)?;
    // Results older than this were not written by this run. File times can
    // be coarser than the clock, hence the margin.
    let since = SystemTime::now() - Duration::from_secs(1);

    let (ours, our_errors) = run_ours(root, &target, &opts, since);
    let peers = [
        run_sspi(root, &target, &opts, since),
        run_cryptopp(root, &target, &opts),
    ];

    let table = render(&ours, &our_errors, &peers);
    println!("\n{table}");

    let mut failures: Vec<String> = our_errors.iter().map(|e| format!("ours: {e}")).collect();
    for p in &peers {
        if let Err(why) = &p.outcome {
            failures.push(format!("baseline {}: {why}", p.name));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} part(s) failed (see above)", failures.len()))
    }
}

/// The workspace's target directory as cargo resolves it (honours
/// `CARGO_TARGET_DIR` and `.cargo/config.toml`).
fn target_dir(root: &Path) -> Result<PathBuf, String> {
    let meta = cargo_metadata::MetadataCommand::new()
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .exec()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    Ok(meta.target_directory.into_std_path_buf())
}

fn cargo_cmd() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn criterion_args(opts: &Options) -> Vec<String> {
    let mut v = vec!["--noplot".to_string()];
    if opts.quick {
        v.extend(QUICK_CRITERION.iter().map(|s| s.to_string()));
    }
    v.extend(opts.filter.clone());
    v
}

fn run_ours(
    root: &Path,
    target: &Path,
    opts: &Options,
    since: SystemTime,
) -> (Figures, Vec<String>) {
    let home = target.join("criterion");
    let mut errors = Vec::new();
    let benches = match bench_targets(root) {
        Ok(b) => b,
        Err(e) => return (Figures::new(), vec![e]),
    };
    for b in &benches {
        let mut cmd = cargo_cmd();
        cmd.current_dir(root)
            .env("CRITERION_HOME", &home)
            .args(["bench", "-p", "benches", "--bench", b, "--target-dir"])
            .arg(target)
            .arg("--")
            .args(criterion_args(opts));
        if let Err(why) = run_streaming(&mut cmd) {
            eprintln!("xtask: bench: our bench `{b}` FAILED: {why}");
            errors.push(format!("bench `{b}`: {why}"));
        }
    }
    match read_criterion(&home, since) {
        Ok(f) => (f, errors),
        Err(e) => {
            errors.push(e);
            (Figures::new(), errors)
        }
    }
}

/// The bench targets of the `benches` package.
fn bench_targets(root: &Path) -> Result<Vec<String>, String> {
    let meta = cargo_metadata::MetadataCommand::new()
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .exec()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    let pkg = meta
        .workspace_packages()
        .into_iter()
        .find(|p| p.name.as_str() == "benches")
        .ok_or("no `benches` package in the workspace")?;
    Ok(pkg
        .targets
        .iter()
        .filter(|t| t.kind.contains(&cargo_metadata::TargetKind::Bench))
        .map(|t| t.name.clone())
        .collect())
}

fn run_sspi(root: &Path, target: &Path, opts: &Options, since: SystemTime) -> PeerRun {
    let dir = root.join(SSPI_DIR);
    let name = match locked_version(&dir.join("Cargo.lock"), "sspi") {
        Some(v) => format!("sspi-rs {v}"),
        None => SSPI.label.to_string(),
    };
    let home = target.join("criterion-sspi");
    let manifest = dir.join("Cargo.toml");
    let build = || -> Result<(), String> {
        let mut cmd = cargo_cmd();
        cmd.current_dir(&dir)
            .args([
                "bench",
                "--locked",
                "--benches",
                "--no-run",
                "--manifest-path",
            ])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(target);
        run_streaming(&mut cmd).map_err(|why| format!("build failed: {why}"))?;
        let mut cmd = cargo_cmd();
        cmd.current_dir(&dir)
            .env("CRITERION_HOME", &home)
            .args(["bench", "--locked", "--benches", "--manifest-path"])
            .arg(&manifest)
            .arg("--target-dir")
            .arg(target)
            .arg("--")
            .args(criterion_args(opts));
        run_streaming(&mut cmd).map_err(|why| format!("bench run failed: {why}"))
    };
    let outcome = build().and_then(|()| read_criterion(&home, since));
    if let Err(why) = &outcome {
        eprintln!("xtask: bench: BASELINE {name} FAILED: {why}");
    }
    PeerRun {
        spec: &SSPI,
        name,
        outcome,
    }
}

fn run_cryptopp(root: &Path, target: &Path, opts: &Options) -> PeerRun {
    let mut name = CRYPTOPP.label.to_string();
    let outcome = (|| -> Result<Figures, String> {
        let src = root.join(CRYPTOPP_SRC);
        let out_dir = target.join("baselines");
        std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
        let exe = out_dir.join("cryptopp_bench");
        if is_stale(&exe, &src) {
            let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".into());
            let mut cmd = Command::new(cxx);
            cmd.args(["-O2", "-std=c++17", "-o"])
                .arg(&exe)
                .arg(&src)
                .arg("-lcryptopp");
            run_streaming(&mut cmd)
                .map_err(|why| format!("build failed (needs g++ and libcrypto++-dev): {why}"))?;
        }
        let (samples, ms) = if opts.quick {
            CRYPTOPP_QUICK
        } else {
            CRYPTOPP_FULL
        };
        let mut cmd = Command::new(&exe);
        cmd.arg(root.join(RSA_KEY))
            .arg(samples.to_string())
            .arg(ms.to_string())
            .args(opts.filter.iter());
        eprintln!("xtask: $ {cmd:?}");
        let out = cmd
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("could not start {}: {e}", exe.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        eprint!("{stdout}");
        if !out.status.success() {
            return Err(format!("bench run failed with {}", out.status));
        }
        let (peer, figures) = parse_cryptopp(&stdout)?;
        if let Some(p) = peer {
            name = p;
        }
        Ok(figures)
    })();
    if let Err(why) = &outcome {
        eprintln!("xtask: bench: BASELINE {name} FAILED: {why}");
    }
    PeerRun {
        spec: &CRYPTOPP,
        name,
        outcome,
    }
}

/// True when `exe` is missing or older than `src`.
fn is_stale(exe: &Path, src: &Path) -> bool {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (mtime(exe), mtime(src)) {
        (Some(e), Some(s)) => e < s,
        _ => true,
    }
}

/// Parses the Crypto++ bench's stdout: `PEER <name>` and
/// `BENCH <group/function> <median_ns> ...` lines.
fn parse_cryptopp(stdout: &str) -> Result<(Option<String>, Figures), String> {
    let mut peer = None;
    let mut figures = Figures::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("PEER ") {
            peer = Some(rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("BENCH ") {
            let mut it = rest.split_whitespace();
            let (Some(id), Some(ns)) = (it.next(), it.next()) else {
                return Err(format!("malformed line `{line}`"));
            };
            let ns: f64 = ns
                .parse()
                .map_err(|_| format!("malformed time in `{line}`"))?;
            figures.insert(id.to_string(), ns);
        }
    }
    Ok((peer, figures))
}

/// The `version` of package `name` in a Cargo.lock.
fn locked_version(lock: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(lock).ok()?;
    let mut lines = text.lines();
    let want = format!("name = \"{name}\"");
    while let Some(l) = lines.next() {
        if l.trim() == want {
            let v = lines.next()?.trim().strip_prefix("version = \"")?;
            return v.strip_suffix('"').map(str::to_string);
        }
    }
    None
}

/// Runs a command with its stdout sent to our stderr (stdout is kept for
/// the table) and its stderr echoed live; on failure, returns the exit
/// status and the first `error` lines it printed.
fn run_streaming(cmd: &mut Command) -> Result<(), String> {
    eprintln!("xtask: $ {cmd:?}");
    let mut child = cmd
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let mut errors = Vec::new();
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            eprintln!("{line}");
            let t = line.trim_start();
            if errors.len() < 3 && (t.starts_with("error") || t.contains("panicked at")) {
                errors.push(t.to_string());
            }
        }
    }
    let status = child.wait().map_err(|e| format!("waiting: {e}"))?;
    if status.success() {
        Ok(())
    } else if errors.is_empty() {
        Err(format!("exited with {status}"))
    } else {
        Err(format!("exited with {status}: {}", errors.join(" | ")))
    }
}

/// Reads every criterion result under `home` written since `since`.
fn read_criterion(home: &Path, since: SystemTime) -> Result<Figures, String> {
    let mut figures = Figures::new();
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == "new") {
                    if let Some((id, ns)) = read_result(&path, since)? {
                        figures.insert(id, ns);
                    }
                } else {
                    stack.push(path);
                }
            }
        }
    }
    Ok(figures)
}

/// One `<id>/new/` directory: the full ID and the median in ns, if fresh.
fn read_result(new: &Path, since: SystemTime) -> Result<Option<(String, f64)>, String> {
    let estimates = new.join("estimates.json");
    let fresh = std::fs::metadata(&estimates)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= since);
    if !fresh {
        return Ok(None);
    }
    let json = |p: &Path| -> Result<serde_json::Value, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
    };
    let id = json(&new.join("benchmark.json"))?["full_id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{}: no full_id", new.display()))?;
    let ns = json(&estimates)?["median"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{}: no median.point_estimate", estimates.display()))?;
    Ok(Some((id, ns)))
}

/// Human time for nanoseconds: `812 ns`, `1.42 µs`, `2.48 ms`.
fn fmt_ns(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// The side-by-side table, followed by loud notes for failed parts.
fn render(ours: &Figures, our_errors: &[String], peers: &[PeerRun]) -> String {
    let group = |id: &str| id.split('/').next().unwrap_or(id).to_string();
    let mut ids: Vec<String> = ours.keys().cloned().collect();
    for p in peers {
        if let Ok(f) = &p.outcome {
            ids.extend(f.keys().filter(|k| !ours.contains_key(*k)).cloned());
        }
    }
    ids.sort();
    ids.dedup();

    let header = ["operation", "ours", "peer", "peer name", "ratio"];
    let mut rows: Vec<[String; 5]> = Vec::new();
    for id in &ids {
        let our = ours.get(id).copied();
        let g = group(id);
        let peer = peers.iter().find(|p| match &p.outcome {
            Ok(f) => f.contains_key(id),
            Err(_) => p.spec.groups.contains(&g.as_str()),
        });
        let (peer_cell, name_cell, ratio_cell) = match peer {
            None => ("—".to_string(), "—".to_string(), "—".to_string()),
            Some(p) => match &p.outcome {
                Ok(f) => {
                    let pv = f[id];
                    let ratio = our.map_or("—".to_string(), |o| format!("{:.2}x", pv / o));
                    (fmt_ns(pv), p.name.clone(), ratio)
                }
                Err(_) => ("FAILED".to_string(), p.name.clone(), "—".to_string()),
            },
        };
        rows.push([
            id.clone(),
            our.map_or("—".to_string(), fmt_ns),
            peer_cell,
            name_cell,
            ratio_cell,
        ]);
    }

    let mut width = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::from("|");
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            let pad = " ".repeat(w - c.chars().count());
            // Left-align names, right-align figures.
            if i == 0 || i == 3 {
                s += &format!(" {c}{pad} |");
            } else {
                s += &format!(" {pad}{c} |");
            }
        }
        s + "\n"
    };
    let mut out = line(&header.map(String::from));
    out += &line(&width.map(|w| "-".repeat(w)));
    for r in &rows {
        out += &line(r);
    }
    if rows.is_empty() {
        out += "(no results: nothing matched the filter, or every part failed)\n";
    }
    out += "\nmedian time per operation, all measured in this run; \
            ratio = peer / ours (> 1: ours is faster)\n";
    for e in our_errors {
        out += &format!("\n!!! OURS FAILED: {e}\n");
    }
    for p in peers {
        if let Err(why) = &p.outcome {
            out += &format!(
                "\n!!! BASELINE FAILED: {} ({}): {why}\n",
                p.name, p.spec.label
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn args() {
        assert_eq!(parse_args(&[]).unwrap(), Options::default());
        let o = parse_args(&s(&["--quick", "marc4"])).unwrap();
        assert!(o.quick);
        assert_eq!(o.filter.as_deref(), Some("marc4"));
        assert!(parse_args(&s(&["--bogus"])).is_err());
        assert!(parse_args(&s(&["a", "b"])).is_err());
    }

    #[test]
    fn cryptopp_output() {
        let (peer, f) =
            parse_cryptopp("PEER Crypto++ 8.7.0\nBENCH marc4/x 812.5 samples=11 batch=3\nnoise\n")
                .unwrap();
        assert_eq!(peer.as_deref(), Some("Crypto++ 8.7.0"));
        assert_eq!(f["marc4/x"], 812.5);
        assert!(parse_cryptopp("BENCH marc4/x fast\n").is_err());
    }

    #[test]
    fn units() {
        assert_eq!(fmt_ns(812.4), "812 ns");
        assert_eq!(fmt_ns(1_420.0), "1.42 µs");
        assert_eq!(fmt_ns(2_482_000.0), "2.48 ms");
    }

    #[test]
    fn table_ratio_and_failures() {
        let ours: Figures = [
            ("marc4/a".to_string(), 500.0),
            ("credssp_handshake/h".to_string(), 1e5),
        ]
        .into_iter()
        .collect();
        let peers = [
            PeerRun {
                spec: &CRYPTOPP,
                name: "Crypto++ 8.7.0".into(),
                outcome: Ok([("marc4/a".to_string(), 1000.0)].into_iter().collect()),
            },
            PeerRun {
                spec: &SSPI,
                name: "sspi-rs 0.23.1".into(),
                outcome: Err("build failed: boom".into()),
            },
        ];
        let t = render(&ours, &["bench `x`: exited with 101".into()], &peers);
        let marc4 = t.lines().find(|l| l.contains("marc4/a")).unwrap();
        assert!(
            marc4.contains("2.00x") && marc4.contains("Crypto++ 8.7.0"),
            "{t}"
        );
        let hs = t
            .lines()
            .find(|l| l.contains("credssp_handshake/h"))
            .unwrap();
        assert!(hs.contains("FAILED") && hs.contains("100.00 µs"), "{t}");
        assert!(t.contains("!!! BASELINE FAILED: sspi-rs 0.23.1 (sspi-rs): build failed: boom"));
        assert!(t.contains("!!! OURS FAILED: bench `x`: exited with 101"));
    }

    #[test]
    fn lock_version() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lock = dir.join("Cargo.lock");
        std::fs::write(
            &lock,
            "[[package]]\nname = \"sspi\"\nversion = \"0.23.1\"\nsource = \"x\"\n",
        )
        .unwrap();
        assert_eq!(locked_version(&lock, "sspi").as_deref(), Some("0.23.1"));
        assert_eq!(locked_version(&lock, "nope"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
