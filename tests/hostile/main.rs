//! The cross-format hostile-input suite (DESIGN §8, docs/testing.md).
//!
//! `tests/hostile/generate` writes one file per mistake and `cases.json`, the single
//! source of truth: the `fuse` command that reaches the parser, the exit code and a
//! fragment of the one error line. This runner executes every case through the real
//! binary and checks the whole failure contract:
//!
//! - the documented exit code, exactly one `error: ` line (≤ 2048 bytes) containing the
//!   fragment, nothing on stdout, no `panicked at` (run with `RUST_BACKTRACE=1`);
//! - under 5 s wall time and 256 MiB peak RSS, measured by `/usr/bin/time` (wait4
//!   rusage), while `prlimit` caps the address space (2 GiB) and CPU time (10 s) so a
//!   runaway allocation or loop fails fast instead of hurting the machine;
//! - no output file and no temp file left in the output directory, every input file
//!   (the case and any support file it names) byte-identical afterwards (SHA-256).
//!
//! It also checks that the table in docs/testing.md is the one the generator renders
//! from the same cases. A custom harness (`harness = false`) so each case is reported by
//! name and the run ends with `N passed, M failed`. Arguments: substrings selecting cases
//! (`cargo test --test hostile -- zip-`); libtest flags are ignored.

// Test code: a failed expectation is supposed to panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

const WALL_LIMIT: Duration = Duration::from_secs(5);
const RSS_LIMIT_KIB: u64 = 256 * 1024;
/// Hard caps applied with prlimit: far above the asserted limits, low enough that a
/// runaway case dies quickly.
const AS_CAP_BYTES: u64 = 2 << 30;
const CPU_CAP_SECS: u64 = 10;
/// A case still running after this is killed (hang).
const KILL_AFTER: Duration = Duration::from_secs(20);
/// One line, but a fusion set's lists up to 10 problems with their JSON paths.
const MAX_LINE: usize = 2048;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Case {
    name: String,
    file: String,
    command: Vec<String>,
    exit: i32,
    message: String,
}

fn main() -> ExitCode {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if std::env::args().any(|a| a == "--list") {
        // `cargo test -- --list` asks every test binary; this one has a single suite.
        println!("hostile_suite: test");
        return ExitCode::SUCCESS;
    }
    for tool in ["/usr/bin/time", "/usr/bin/prlimit"] {
        assert!(
            Path::new(tool).is_file(),
            "{tool} is missing — run .ci/install (packages time, util-linux)"
        );
    }

    let dir = generated();
    let cases = load_cases(&dir);
    let mut failures: Vec<(String, Vec<String>)> = Vec::new();
    if filters.is_empty()
        && let Err(e) = check_docs_table(&dir)
    {
        failures.push(("docs/testing.md".into(), vec![e]));
    }
    let selected: Vec<&Case> = cases
        .iter()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| c.name.contains(f.as_str())))
        .collect();

    let before = listing(&dir);
    let scratch = tempfile::Builder::new()
        .prefix("hostile-run-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = selected.get(i) else { break };
                    let problems = run_case(case, &dir, scratch.path());
                    let status = if problems.is_empty() { "ok" } else { "FAILED" };
                    println!("hostile {} ... {status}", case.name);
                    results.lock().unwrap().push((case.name.clone(), problems));
                }
            });
        }
    });
    let after = listing(&dir);
    if before != after {
        failures.push((
            "case directory".into(),
            vec![format!(
                "files appeared or changed beside the inputs: {:?}",
                diff(&before, &after)
            )],
        ));
    }

    let results = results.into_inner().unwrap();
    let passed = results.iter().filter(|(_, p)| p.is_empty()).count();
    failures.extend(results.into_iter().filter(|(_, p)| !p.is_empty()));
    failures.sort();
    for (name, problems) in &failures {
        eprintln!("\n---- {name}");
        for p in problems {
            eprintln!("  {p}");
        }
    }
    let failed = failures.len();
    println!(
        "\nhostile suite: {} cases in {:.1} s",
        selected.len(),
        start.elapsed().as_secs_f64()
    );
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs one case and returns every way it broke the contract (empty = pass).
fn run_case(case: &Case, dir: &Path, scratch: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let work = scratch.join(&case.name);
    let out = work.join("out");
    let config = work.join("config");
    fs::create_dir_all(&out).unwrap();
    fs::create_dir_all(&config).unwrap();
    let input = dir.join(&case.file);
    let support = dir.join("_support");
    let args: Vec<String> = case
        .command
        .iter()
        .map(|a| {
            a.replace("{input}", input.to_str().unwrap())
                .replace("{out}", out.to_str().unwrap())
                .replace("{support}", support.to_str().unwrap())
        })
        .collect();

    // Every existing file the command names (after `file:` too) must be left untouched.
    let inputs: Vec<PathBuf> = args
        .iter()
        .map(|a| PathBuf::from(a.strip_prefix("file:").unwrap_or(a)))
        .filter(|p| p.is_file() && !p.starts_with(&out))
        .collect();
    let hashes_before: Vec<_> = inputs.iter().map(|p| sha256_file(p)).collect();

    let stats = work.join("time.txt");
    let stdout_path = work.join("stdout");
    let stderr_path = work.join("stderr");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&stats)
        .arg("/usr/bin/prlimit")
        .arg(format!("--as={AS_CAP_BYTES}"))
        .arg(format!("--cpu={CPU_CAP_SECS}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_fuse"))
        .args(&args)
        .env("RUST_BACKTRACE", "1")
        .env("NO_COLOR", "1")
        .env("FUSE_CONFIG_DIR", &config)
        .env_remove("FUSE_TEST_PAUSE_AT")
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(File::create(&stderr_path).unwrap());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn /usr/bin/time");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > KILL_AFTER {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = started.elapsed();
    let stdout = fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr_all = fs::read_to_string(&stderr_path).unwrap_or_default();
    // With -o, /usr/bin/time writes everything it says (a non-zero exit, a signal, then
    // the stats line) to that file, never to the command's stderr.
    let stats_text = fs::read_to_string(&stats).unwrap_or_default();
    let rss_kib: Option<u64> = stats_text
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok());

    let Some(status) = status else {
        problems.push(format!(
            "still running after {KILL_AFTER:?} (hang); killed\nstderr: {stderr_all}"
        ));
        return problems;
    };
    let code = status.code().unwrap_or(-1);
    if stats_text.contains("Command terminated by signal") {
        problems.push(format!("killed by a signal: {}", stats_text.trim()));
    }
    if code != case.exit {
        problems.push(format!("exit {code}, expected {}", case.exit));
    }
    if stderr_all.contains("panicked at") {
        problems.push("panicked".into());
    }
    let error_lines: Vec<&str> = stderr_all
        .lines()
        .filter(|l| !l.starts_with("warning: "))
        .collect();
    match error_lines.as_slice() {
        [line] if line.starts_with("error: ") => {
            if !line.contains(&case.message) {
                problems.push(format!("the error line lacks {:?}", case.message));
            }
            if line.len() > MAX_LINE {
                problems.push(format!(
                    "the error line is {} bytes long (more than {MAX_LINE}): not one clear line",
                    line.len()
                ));
            }
        }
        _ => problems.push("stderr is not exactly one `error: ` line".into()),
    }
    if !stdout.is_empty() {
        problems.push("printed to stdout on failure".into());
    }
    if wall > WALL_LIMIT {
        problems.push(format!("took {wall:?} (limit {WALL_LIMIT:?})"));
    }
    match rss_kib {
        Some(kib) if kib > RSS_LIMIT_KIB => problems.push(format!(
            "peak RSS {} MiB (limit {} MiB)",
            kib / 1024,
            RSS_LIMIT_KIB / 1024
        )),
        Some(_) => {}
        None => problems.push(format!("no rusage from /usr/bin/time: {stats_text:?}")),
    }
    let left: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    if !left.is_empty() {
        problems.push(format!("left files in the output directory: {left:?}"));
    }
    for (path, before) in inputs.iter().zip(&hashes_before) {
        if sha256_file(path) != *before {
            problems.push(format!("changed its input {}", path.display()));
        }
    }
    if !problems.is_empty() {
        problems.push(format!("command: fuse {}", args.join(" ")));
        problems.push(format!(
            "stderr: {}",
            stderr_all.chars().take(600).collect::<String>()
        ));
        if !stdout.is_empty() {
            problems.push(format!(
                "stdout: {}",
                stdout.chars().take(500).collect::<String>()
            ));
        }
    }
    let _ = fs::remove_dir_all(&work);
    problems
}

/// The generator's output, regenerated when anything under tests/hostile/ changes
/// (a stamp holds the digest of its sources), under a lock so concurrent runs share it.
fn generated() -> PathBuf {
    let source = repo().join("tests/hostile");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    let lock = File::create(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile.lock"))
        .expect("create the generation lock");
    lock.lock().expect("lock generation");
    let want = tree_digest(&source);
    let stamp = out.join(".stamp");
    if fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        let t = Instant::now();
        let status = Command::new(source.join("generate"))
            .arg(&out)
            .stdin(Stdio::null())
            .status()
            .expect("run tests/hostile/generate (python3)");
        assert!(status.success(), "tests/hostile/generate failed");
        fs::write(&stamp, &want).unwrap();
        eprintln!(
            "generated the hostile cases in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    out
}

fn tree_digest(dir: &Path) -> String {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "__pycache__") {
                    stack.push(p);
                }
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        h.update(f.strip_prefix(dir).unwrap().to_string_lossy().as_bytes());
        h.update(fs::read(&f).unwrap());
    }
    hex(&h.finalize())
}

fn load_cases(dir: &Path) -> Vec<Case> {
    let json: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().to_owned(),
            file: c["file"].as_str().unwrap().to_owned(),
            command: c["command"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect(),
            exit: i32::try_from(c["exit"].as_i64().unwrap()).unwrap(),
            message: c["message"].as_str().unwrap().to_owned(),
        })
        .collect()
}

/// docs/testing.md carries the table rendered from cases.json, between two markers.
fn check_docs_table(dir: &Path) -> Result<(), String> {
    let table = fs::read_to_string(dir.join("table.md")).unwrap();
    let doc = fs::read_to_string(repo().join("docs/testing.md")).unwrap();
    let start = doc
        .find("<!-- hostile-table:start")
        .and_then(|i| doc[i..].find('\n').map(|j| i + j + 1))
        .ok_or("docs/testing.md has no hostile-table:start marker")?;
    let end = doc
        .find("<!-- hostile-table:end -->")
        .ok_or("docs/testing.md has no hostile-table:end marker")?;
    if doc.get(start..end) == Some(table.as_str()) {
        Ok(())
    } else {
        Err(
            "the case table in docs/testing.md differs from the cases — run \
             `tests/hostile/generate /tmp/hostile --write-docs`"
                .into(),
        )
    }
}

fn listing(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    for sub in [dir.to_path_buf(), dir.join("_support")] {
        for e in fs::read_dir(&sub).unwrap() {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_file() {
                out.insert(
                    e.path().strip_prefix(dir).unwrap().display().to_string(),
                    (m.len(), m.modified().unwrap()),
                );
            }
        }
    }
    out
}

fn diff<K: Ord + Clone + std::fmt::Debug, V: PartialEq>(
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
) -> Vec<K> {
    let mut keys: Vec<K> = b
        .iter()
        .filter(|(k, v)| a.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    keys.extend(a.keys().filter(|k| !b.contains_key(*k)).cloned());
    keys
}

fn sha256_file(p: &Path) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut f = File::open(p).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = std::io::Read::read(&mut f, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    h.finalize().into()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
