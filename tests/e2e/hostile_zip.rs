//! DESIGN §8: every malformed or hostile archive of `testdata/hostile/zip` is refused with
//! exit 3 and one clear line, fast, in bounded memory, leaving no output behind.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{fuse, generated, require_tool, tempdir};

fn cases() -> Vec<(String, String)> {
    let dir = generated("hostile/zip");
    let tsv = std::fs::read_to_string(dir.join("cases.tsv")).unwrap();
    tsv.lines()
        .map(|l| {
            let (n, e) = l.split_once('\t').unwrap();
            (n.to_owned(), e.to_owned())
        })
        .collect()
}

#[test]
fn catalogue_has_every_mistake() {
    let names: Vec<String> = cases().into_iter().map(|c| c.0).collect();
    assert!(names.len() >= 25, "{names:?}");
    for must in [
        "empty",
        "not-a-zip",
        "zero-entries",
        "truncated-half",
        "duplicate-name",
        "case-fold-duplicate",
        "local-name-mismatch",
        "overlapping-entries",
        "data-before-first-entry",
        "gap-between-entries",
        "cd-count-lie",
        "fake-eocd-in-comment",
        "zip64-eocd-sentinel",
        "zip64-extra-field",
        "unknown-method",
        "encrypted-entry",
        "name-path-traversal",
        "name-absolute",
        "name-backslash",
        "name-nul",
        "bomb-ratio",
        "bomb-total-size",
        "declared-size-lie",
        "signing-block-size-lie",
    ] {
        assert!(names.iter().any(|n| n == must), "missing case {must}");
    }
}

/// Peak RSS (KiB) and wall time of `fuse verify FILE`, through /usr/bin/time.
fn measured_verify(file: &Path, scratch: &Path) -> (crate::support::Run, u64, Duration) {
    require_tool("time");
    let stats = scratch.join("time.txt");
    let start = Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&stats)
        .arg(env!("CARGO_BIN_EXE_fuse"))
        .arg("verify")
        .arg(file)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let rss = std::fs::read_to_string(&stats)
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap();
    let run = crate::support::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (run, rss, elapsed)
}

#[test]
fn fuse_verify_refuses_each_with_exit_3_one_line_bounded() {
    let dir = generated("hostile/zip");
    let t = tempdir();
    for (name, expect) in cases() {
        let file = dir.join(format!("{name}.apk"));
        let (run, rss_kib, elapsed) = measured_verify(&file, t.path());
        run.code(3);
        let line = run.one_error_line();
        assert!(
            line.contains(&expect),
            "{name}: expected {expect:?} in\n{line}"
        );
        assert!(rss_kib < 200 * 1024, "{name}: {rss_kib} KiB peak RSS");
        assert!(elapsed < Duration::from_secs(5), "{name}: {elapsed:?}");
    }
}

#[test]
fn fuse_sign_refuses_each_and_leaves_no_output() {
    let dir = generated("hostile/zip");
    let keys = generated("keys");
    let t = tempdir();
    let out_dir = t.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let ks = keys.join("rsa2048.p12");
    for (name, expect) in cases() {
        let file = dir.join(format!("{name}.apk"));
        let before = std::fs::read(&file).unwrap();
        let out = out_dir.join("signed.apk");
        let start = Instant::now();
        let run = fuse([
            "sign",
            file.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--ks",
            ks.to_str().unwrap(),
            "--ks-pass",
            "pass:fuse-test-pass",
        ]);
        run.code(3);
        let line = run.one_error_line();
        assert!(
            line.contains(&expect),
            "{name}: expected {expect:?} in\n{line}"
        );
        assert!(start.elapsed() < Duration::from_secs(5), "{name}");
        assert_eq!(
            std::fs::read_dir(&out_dir).unwrap().count(),
            0,
            "{name}: left a file behind"
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            before,
            "{name}: input changed"
        );
    }
}
