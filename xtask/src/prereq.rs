//! System packages the test suite needs, installed here or reported loudly.
//!
//! Nothing is ever skipped: a missing prerequisite that cannot be installed
//! fails the run with the command that would fix it.

use std::path::Path;
use std::process::Command;

/// A Debian package and a file whose presence proves it is installed.
struct AptNeed {
    package: &'static str,
    proof: &'static [&'static str],
    why: &'static str,
}

const APT: &[AptNeed] = &[
    AptNeed {
        package: "g++",
        proof: &["/usr/bin/g++"],
        why: "builds the Crypto++ ElGamal oracle for the interop tests",
    },
    AptNeed {
        package: "libcrypto++-dev",
        proof: &[
            "/usr/include/crypto++/elgamal.h",
            "/usr/include/cryptopp/elgamal.h",
        ],
        why: "the Crypto++ ElGamal/MARC4 oracle (peers/cryptopp)",
    },
    AptNeed {
        package: "freerdp2-x11",
        proof: &["/usr/bin/xfreerdp"],
        why: "xfreerdp /auth-only /sec:nla against our CredSSP server",
    },
    AptNeed {
        package: "freerdp2-shadow-x11",
        proof: &["/usr/bin/freerdp-shadow-cli"],
        why: "freerdp-shadow-cli as a headless NLA server for our CredSSP client",
    },
    AptNeed {
        package: "winpr-utils",
        proof: &["/usr/bin/winpr-hash"],
        why: "winpr-hash writes the SAM file freerdp-shadow-cli reads",
    },
    AptNeed {
        package: "xvfb",
        proof: &["/usr/bin/Xvfb"],
        why: "FreeRDP needs an X display, even with /auth-only",
    },
];

/// A Python package the peers in `../shared/peers` import, pinned to the
/// version their private hooks were written against.
struct PipNeed {
    module: &'static str,
    requirement: &'static str,
    why: &'static str,
}

const PIP: &[PipNeed] = &[PipNeed {
    module: "spnego",
    requirement: "pyspnego==0.12.4",
    why: "the pyspnego CredSSP client and server the live interop tests run",
}];

/// Installs every missing prerequisite, or fails naming it.
pub fn ensure_all() -> Result<(), String> {
    ensure_apt()?;
    ensure_pip()
}

fn ensure_pip() -> Result<(), String> {
    for need in PIP {
        let version = need.requirement.split("==").nth(1).unwrap_or("");
        let probe = format!(
            "import importlib.metadata as m, {}; assert m.version('{}') == '{version}'",
            need.module,
            need.requirement.split("==").next().unwrap_or(need.module)
        );
        let present = Command::new("python3")
            .args(["-c", &probe])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if present {
            eprintln!("xtask: python package present: {}", need.requirement);
            continue;
        }
        eprintln!(
            "xtask: missing python package {} ({})",
            need.requirement, need.why
        );
        crate::run(Command::new("python3").args(["-m", "pip", "install", "-q", need.requirement]))
            .map_err(|e| {
                format!(
                    "cannot install {}: {e}; install it by hand: python3 -m pip install {}",
                    need.requirement, need.requirement
                )
            })?;
        let ok = Command::new("python3")
            .args(["-c", &probe])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            return Err(format!(
                "{} still not importable after pip install",
                need.requirement
            ));
        }
    }
    Ok(())
}

fn ensure_apt() -> Result<(), String> {
    let missing: Vec<&AptNeed> = APT
        .iter()
        .filter(|n| !n.proof.iter().any(|p| Path::new(p).exists()))
        .collect();
    if missing.is_empty() {
        eprintln!("xtask: prerequisites present: {}", names(APT.iter()));
    } else {
        let list = names(missing.iter().copied());
        for m in &missing {
            eprintln!("xtask: missing {} ({})", m.package, m.why);
        }
        apt_install(&missing.iter().map(|m| m.package).collect::<Vec<_>>()).map_err(|e| {
            format!("cannot install {list}: {e}; install them by hand: apt-get install -y {list}")
        })?;
        if let Some(still) = missing
            .iter()
            .find(|n| !n.proof.iter().any(|p| Path::new(p).exists()))
        {
            return Err(format!(
                "{} still missing after apt-get install",
                still.package
            ));
        }
    }
    Ok(())
}

fn names<'a>(needs: impl Iterator<Item = &'a AptNeed>) -> String {
    needs.map(|n| n.package).collect::<Vec<_>>().join(" ")
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    let apt = which("apt-get").ok_or("apt-get not found")?;
    let sudo: Vec<String> = if is_root() {
        vec![]
    } else if which("sudo").is_some() {
        vec!["sudo".into(), "-n".into()]
    } else {
        return Err("not root and no sudo".into());
    };
    let run_apt = |args: &[&str]| -> Result<(), String> {
        let (prog, pre) = match sudo.split_first() {
            Some((s, rest)) => (s.clone(), rest.to_vec()),
            None => (apt.clone(), vec![]),
        };
        let mut cmd = Command::new(prog);
        cmd.args(pre);
        if !sudo.is_empty() {
            cmd.arg(&apt);
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        crate::run(&mut cmd)
    };
    run_apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend_from_slice(packages);
    run_apt(&args)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn which(prog: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(prog))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

/// A cargo subcommand (`cargo SUBCOMMAND`) from crates.io, installed when absent.
pub fn ensure_cargo_tool(krate: &str, subcommand: &str) -> Result<(), String> {
    let ok = Command::new("cargo")
        .args([subcommand, "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return Ok(());
    }
    crate::run(Command::new("cargo").args(["install", "--locked", krate]))
        .map_err(|e| format!("installing {krate}: {e}"))
}
