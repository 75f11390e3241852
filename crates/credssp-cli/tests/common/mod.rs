//! Child processes for the end-to-end tests: killed and reaped on drop,
//! stdout read line by line on a thread so every wait is bounded.
#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails.
pub const STEP: Duration = Duration::from_secs(40);

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("credssp-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct Child {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    pub stderr: PathBuf,
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Child {
    /// Spawns `program args` with `env`; `stdin` (if any) is written and
    /// closed; stderr goes to a file in `dir`.
    pub fn spawn(
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        stdin: Option<&str>,
        dir: &Path,
    ) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let stderr = dir.join(format!(
            "stderr-{}.txt",
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(text.as_bytes()).unwrap();
        }
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
            stderr,
        }
    }

    /// Waits for a stdout line starting with `prefix`.
    pub fn line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if l.starts_with(prefix) {
                        return l;
                    }
                }
                Err(_) => panic!(
                    "no {prefix:?} line; stdout so far: {:?}; stderr: {}",
                    self.seen,
                    self.stderr_text()
                ),
            }
        }
    }

    /// The port of the `LISTENING HOST:PORT …` line.
    pub fn port(&mut self) -> String {
        let l = self.line("LISTENING ");
        let addr = l.split_whitespace().nth(1).unwrap();
        addr.rsplit(':').next().unwrap().to_owned()
    }

    /// Waits (bounded) for exit; returns the exit code and all stdout.
    pub fn finish(mut self) -> (i32, String) {
        let code = self.wait();
        (code, self.seen.join("\n"))
    }

    /// Like [`Child::finish`], with stderr appended to stdout.
    pub fn finish_all(mut self) -> (i32, String) {
        let code = self.wait();
        (
            code,
            format!("{}\n{}", self.seen.join("\n"), self.stderr_text()),
        )
    }

    fn wait(&mut self) -> i32 {
        let deadline = Instant::now() + STEP;
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "child did not exit; stdout: {:?}; stderr: {}",
                self.seen,
                self.stderr_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader thread ends at EOF; collect what is left.
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            self.seen.push(l);
        }
        code
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}
