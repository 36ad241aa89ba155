//! Shared helpers for the end-to-end tests: running the built `fuse`, requiring the
//! external oracles, and generating fixtures once per checkout state.
#![allow(dead_code)]

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

use sha2::{Digest, Sha256};

/// Root of the repository.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `testdata/fusion-sets/good/<name>.json`, the fusion sets builds use.
pub fn good_fusion_set(name: &str) -> PathBuf {
    repo()
        .join("testdata/fusion-sets/good")
        .join(format!("{name}.json"))
}

/// Scratch space under `target/` that survives between test runs.
pub fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// A fresh temporary directory for one test.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("fuse-e2e-")
        .tempdir_in(scratch())
        .expect("create temp dir under target/")
}

/// The result of one process run, with helpers that make failures readable.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(o: Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success\n{self}");
        self
    }

    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(self.code, expected, "unexpected exit code\n{self}");
        self
    }

    /// The contract for every failure: exactly one line, starting with `error: `, no panic.
    #[track_caller]
    pub fn one_error_line(&self) -> &str {
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.starts_with("warning: "))
            .collect();
        assert_eq!(lines.len(), 1, "expected exactly one error line\n{self}");
        assert!(lines[0].starts_with("error: "), "error line format\n{self}");
        assert!(!self.stderr.contains("panicked at"), "panic\n{self}");
        lines[0]
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Run the `fuse` binary built by cargo for this test run.
pub fn fuse<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    fuse_cmd(args).run()
}

/// A `fuse` command to adjust (env, stdin) before running. Stdin is closed by default,
/// as in CI.
pub fn fuse_cmd<I, S>(args: I) -> Cmd
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut c = Command::new(env!("CARGO_BIN_EXE_fuse"));
    c.args(args)
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1");
    Cmd {
        inner: c,
        stdin: None,
    }
}

pub struct Cmd {
    pub inner: Command,
    stdin: Option<Vec<u8>>,
}

impl Cmd {
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.inner.env(k, v);
        self
    }

    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }

    pub fn run(mut self) -> Run {
        use std::io::Write;
        self.inner.stdout(Stdio::piped()).stderr(Stdio::piped());
        self.inner.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = self.inner.spawn().expect("spawn fuse");
        if let Some(data) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            pipe.write_all(&data).expect("write stdin");
        }
        Run::from_output(child.wait_with_output().expect("wait for fuse"))
    }
}

/// Run an external tool (an oracle or a fixture toolchain); it must be installed.
pub fn tool<I, S>(program: &str, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    require_tool(program);
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    Run::from_output(out)
}

/// Oracles are never skipped: a missing tool fails the test with the fix.
#[track_caller]
pub fn require_tool(program: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{program}` is not installed — run .ci/install (tests never skip an oracle)"
    );
}

/// Output directory of a fixture generator `testdata/<name>/generate`, run at most once
/// per content of `testdata/<name>/` (a stamp holds the SHA-256 of the generator's files),
/// under a file lock so parallel test binaries share one generation.
pub fn generated(name: &str) -> PathBuf {
    static DONE: OnceLock<Mutex<Vec<(String, PathBuf)>>> = OnceLock::new();
    let done = DONE.get_or_init(|| Mutex::new(Vec::new()));
    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = done.iter().find(|(n, _)| n == name) {
        return p.clone();
    }

    let source = repo().join("testdata").join(name);
    let generator = source.join("generate");
    assert!(
        generator.is_file(),
        "no generator at {}",
        generator.display()
    );
    let out = scratch().join("fixtures").join(name);
    fs::create_dir_all(&out).expect("create fixture dir");

    let lock = File::create(
        scratch()
            .join("fixtures")
            .join(format!("{}.lock", name.replace('/', "_"))),
    )
    .expect("create lock file");
    lock.lock().expect("lock fixture generation");

    let stamp = out.join(".stamp");
    let want = tree_digest(&source);
    if fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        // Regenerate from scratch so no stale file survives a generator change.
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out).expect("create fixture dir");
        let status = Command::new(&generator)
            .arg(&out)
            .current_dir(repo())
            .stdin(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("run {}: {e}", generator.display()));
        assert!(
            status.success(),
            "fixture generator {} failed",
            generator.display()
        );
        fs::write(&stamp, &want).expect("write stamp");
    }
    drop(lock);
    done.push((name.to_owned(), out.clone()));
    out
}

/// SHA-256 over the relative paths and contents of every file under `dir`, sorted.
fn tree_digest(dir: &Path) -> String {
    fn walk(dir: &Path, base: &Path, files: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = fs::read_dir(dir).expect("read dir").flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, files);
            } else {
                files.push(p.strip_prefix(base).expect("under base").to_path_buf());
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    let mut h = Sha256::new();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(fs::read(dir.join(&f)).expect("read generator file"));
    }
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_file(path: &Path) -> String {
    hex(&Sha256::digest(fs::read(path).expect("read file")))
}
