//! The project's task runner and CI: `cargo xtask <command>`.
//!
//! Each check is one subcommand a developer can run alone; `test` runs them
//! all and is the README's test command (`.ci/run` calls it).

mod bench;
mod demo;
mod layers;
mod prereq;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  test               the whole suite: prerequisites, fmt, clippy, tests, layers, fuzz smoke
  prereq             install (or verify) the system packages the tests need
  fmt                cargo fmt --all --check
  clippy             cargo clippy --workspace --all-targets -- -D warnings
  unit               cargo test --workspace
  layers [--workspace DIR]
                     check ARCHITECTURE.md's dependency rules
  bench [--quick] [FILTER]
                     run our criterion benches and the sspi-rs / Crypto++
                     baselines; print the side-by-side table
  fuzz [--seconds N] build and run every fuzz target briefly (installs cargo-fuzz)
  deny               cargo deny check licenses bans sources (installs cargo-deny)
  demo               run the end-to-end demo of both protocols over loopback
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("test") => test_all(&root),
        Some("prereq") => prereq::ensure_all(),
        Some("fmt") => fmt(&root),
        Some("clippy") => clippy(&root),
        Some("unit") => unit(&root),
        Some("layers") => {
            let dir = match args.get(1).map(String::as_str) {
                Some("--workspace") => match args.get(2) {
                    Some(d) => PathBuf::from(d),
                    None => return usage_error("--workspace needs a directory"),
                },
                Some(other) => return usage_error(&format!("unknown layers option `{other}`")),
                None => root.clone(),
            };
            layers_cmd(&dir)
        }
        Some("bench") => bench(&root, &args[1..]),
        Some("fuzz") => {
            let secs = match (args.get(1).map(String::as_str), args.get(2)) {
                (Some("--seconds"), Some(n)) => match n.parse() {
                    Ok(n) => n,
                    Err(_) => return usage_error("--seconds needs a number"),
                },
                (None, _) => 20,
                _ => return usage_error("fuzz takes only --seconds N"),
            };
            fuzz(&root, secs)
        }
        Some("demo") => demo::run(&root),
        Some("deny") => deny(&root),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => return usage_error(&format!("unknown command `{other}`")),
        None => return usage_error("no command given"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("xtask: {msg}\n\n{USAGE}");
    ExitCode::from(2)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs `cargo ARGS` in `root`, failing with the command line on error.
pub fn cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(cargo).current_dir(root).args(args))
}

/// Runs a command, echoing it, and turns a failure into an error.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("xtask: $ {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

fn step(name: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    eprintln!("\nxtask: ==== {name} ====");
    let started = std::time::Instant::now();
    let r = f().map_err(|e| format!("{name}: {e}"));
    eprintln!(
        "xtask: ==== {name}: {} in {:.1?} ====",
        if r.is_ok() { "ok" } else { "FAILED" },
        started.elapsed()
    );
    r
}

/// Seconds each fuzz target runs in `cargo xtask test`.
const FUZZ_SMOKE_SECONDS: u32 = 10;

fn test_all(root: &Path) -> Result<(), String> {
    step("prerequisites", prereq::ensure_all)?;
    step("fmt", || fmt(root))?;
    step("layers", || layers_cmd(root))?;
    step("deny", || deny(root))?;
    step("clippy", || clippy(root))?;
    let mut tally = Tally::default();
    step("tests", || {
        tally = unit_counted(root)?;
        Ok(())
    })?;
    step("benches compile", || {
        cargo(root, &["bench", "-p", "benches", "--no-run", "--quiet"])
    })?;
    // Every fuzz target, briefly, from its seed corpus: about 10 s each
    // after one release build, well inside CI's budget.
    step("fuzz smoke", || fuzz(root, FUZZ_SMOKE_SECONDS))?;
    eprintln!("\nxtask: all checks passed");
    // The closing line CI reads: the workspace's test counts.
    println!(
        "tests: {} passed, {} failed, {} skipped",
        tally.passed, tally.failed, tally.ignored
    );
    Ok(())
}

fn fmt(root: &Path) -> Result<(), String> {
    cargo(root, &["fmt", "--all", "--check"])
}

fn clippy(root: &Path) -> Result<(), String> {
    cargo(
        root,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ],
    )
}

fn unit(root: &Path) -> Result<(), String> {
    unit_counted(root).map(|_| ())
}

/// Test counts summed over every `test result:` line cargo printed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Tally {
    /// Adds one libtest summary line (`test result: ok. 3 passed; 0 failed; 1 ignored; ...`).
    fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(n)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u64>() else { continue };
            match label {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                "ignored" => self.ignored += n,
                _ => {}
            }
        }
    }
}

/// `cargo test --workspace`, echoing its output and counting its results.
fn unit_counted(root: &Path) -> Result<Tally, String> {
    use std::io::{BufRead, BufReader, Write};
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["test", "--workspace"])
        .stdout(std::process::Stdio::piped());
    eprintln!("xtask: $ {cmd:?}");
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("could not start {cmd:?}: {e}"))?;
    let mut tally = Tally::default();
    if let Some(out) = child.stdout.take() {
        let stdout = std::io::stdout();
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            tally.add_line(&line);
            let _ = writeln!(stdout.lock(), "{line}");
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for cargo test: {e}"))?;
    if status.success() {
        Ok(tally)
    } else {
        Err(format!(
            "{cmd:?} failed with {status} ({} passed, {} failed)",
            tally.passed, tally.failed
        ))
    }
}

fn layers_cmd(root: &Path) -> Result<(), String> {
    let violations = layers::run(root)?;
    if violations.is_empty() {
        eprintln!(
            "xtask: layers: every dependency points strictly downward; core crates are IO-free"
        );
        return Ok(());
    }
    for v in &violations {
        eprintln!("xtask: layers: {}", v.0);
    }
    Err(format!("{} layering violation(s)", violations.len()))
}

fn bench(root: &Path, extra: &[String]) -> Result<(), String> {
    bench::run(root, extra)
}

fn fuzz(root: &Path, seconds: u32) -> Result<(), String> {
    let fuzz_dir = root.join("fuzz");
    if !fuzz_dir.join("Cargo.toml").exists() {
        return Err("no fuzz/Cargo.toml".into());
    }
    prereq::ensure_cargo_tool("cargo-fuzz", "fuzz")?;
    let list = Command::new("cargo")
        .current_dir(&fuzz_dir)
        .args(["fuzz", "list"])
        .output()
        .map_err(|e| format!("cargo fuzz list: {e}"))?;
    if !list.status.success() {
        return Err(format!(
            "cargo fuzz list failed: {}",
            String::from_utf8_lossy(&list.stderr)
        ));
    }
    let targets: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    if targets.is_empty() {
        return Err("cargo fuzz list printed no targets".into());
    }
    for t in &targets {
        let corpus = fuzz_dir.join("corpus").join(t);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&fuzz_dir)
            // cargo-fuzz needs nightly-only rustc flags; the machine has only a
            // stable toolchain, which accepts them with RUSTC_BOOTSTRAP.
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "--sanitizer", "none", t])
            .arg(&corpus);
        let seeds = fuzz_dir.join("seeds").join(t);
        if seeds.is_dir() {
            cmd.arg(&seeds);
        }
        cmd.arg("--").arg(format!("-max_total_time={seconds}"));
        run(&mut cmd)?;
    }
    Ok(())
}

fn deny(root: &Path) -> Result<(), String> {
    prereq::ensure_cargo_tool("cargo-deny", "deny")?;
    // The advisories check needs the RustSec database from GitHub, which
    // these machines cannot reach; the reasons for accepted advisories are
    // kept in deny.toml for where it can run.
    cargo(root, &["deny", "check", "licenses", "bans", "sources"])
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn tally_sums_libtest_summaries() {
        let mut t = Tally::default();
        t.add_line("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        t.add_line(
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        t.add_line("running 5 tests");
        t.add_line("test foo ... ok");
        assert_eq!(
            t,
            Tally {
                passed: 15,
                failed: 2,
                ignored: 1
            }
        );
    }
}
