//! `fuse fusion-set validate` and `init` against the fixture catalogue
//! (`testdata/fusion-sets/`): every bad set exits 4 with one `error:` line naming the
//! JSON path, equal to its golden `bad/<case>.expected`; every good set validates.
//!
//! Expiry depends on "now", so every run pins it with `SOURCE_DATE_EPOCH`.
//! `FUSE_BLESS=1` rewrites the goldens from the current output (review the diff!).

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{Run, fuse_cmd, repo, tempdir};

/// 2026-01-01T00:00:00Z: what "today" is for every expiry rule in these tests.
const NOW: &str = "1767225600";

fn fixtures(kind: &str) -> PathBuf {
    repo().join("testdata/fusion-sets").join(kind)
}

/// Run `fuse <args>` in `dir` (so messages name the file as given), at [`NOW`].
fn validate_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = fuse_cmd(args).env("SOURCE_DATE_EPOCH", NOW);
    cmd.inner.current_dir(dir);
    cmd.run()
}

fn cases(dir: &Path, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| n.strip_suffix(ext).map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// Compare `line` to the golden `bad/<case>.expected`, or write it when blessing.
fn check_golden(case: &str, line: &str) -> Option<String> {
    let golden = fixtures("bad").join(format!("{case}.expected"));
    if std::env::var_os("FUSE_BLESS").is_some() {
        fs::write(&golden, format!("{line}\n")).unwrap();
        return None;
    }
    let want = fs::read_to_string(&golden)
        .unwrap_or_else(|e| panic!("{}: {e} (FUSE_BLESS=1 writes it)", golden.display()));
    (want.trim_end() != line)
        .then(|| format!("{case}:\n  want: {}\n  got:  {line}", want.trim_end()))
}

/// The message names a JSON path: `<file> is not a valid fusion set — <path>: ...`.
fn assert_names_a_path(case: &str, line: &str) {
    let after = line
        .split_once(" is not a valid fusion set")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("{case}: unexpected line {line}"));
    let first = after.split_once(" — ").map(|(_, p)| p).unwrap_or_default();
    let path = first.split_once(": ").map(|(p, _)| p).unwrap_or_default();
    let looks_like_path = path == "$"
        || path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "$.[]_-\"".contains(c))
            && !path.is_empty();
    assert!(looks_like_path, "{case}: no JSON path in {line}");
}

#[test]
fn every_bad_fusion_set_exits_4_with_its_golden_message() {
    let dir = fixtures("bad");
    let names = cases(&dir, ".json");
    assert!(names.len() >= 35, "the catalogue shrank to {}", names.len());
    let mut mismatches = Vec::new();
    for case in &names {
        let file = format!("{case}.json");
        let run = validate_in(&dir, &["fusion-set", "validate", &file]);
        assert_eq!(run.code, 4, "{case}\n{run}");
        assert!(run.stdout.is_empty(), "{case}: output on stdout\n{run}");
        let line = run.one_error_line().to_owned();
        assert_names_a_path(case, &line);
        mismatches.extend(check_golden(case, &line));
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // No golden without its case (too-large is generated, see below).
    for golden in cases(&dir, ".expected") {
        assert!(
            golden == "too-large" || names.contains(&golden),
            "stale golden {golden}.expected"
        );
    }
}

#[test]
fn a_10_mb_file_is_refused_before_parsing() {
    let tmp = tempdir();
    // Valid JSON, so only the size rule can refuse it.
    let mut text = String::from("{\"$comment\": \"");
    text.push_str(&"x".repeat(10 * 1024 * 1024));
    text.push_str("\"}");
    fs::write(tmp.path().join("too-large.json"), text).unwrap();
    let run = validate_in(tmp.path(), &["fusion-set", "validate", "too-large.json"]);
    run.code(4);
    let line = run.one_error_line().to_owned();
    assert_names_a_path("too-large", &line);
    if let Some(diff) = check_golden("too-large", &line) {
        panic!("{diff}");
    }
}

#[test]
fn json_lists_every_problem_with_its_path() {
    let run = validate_in(
        &fixtures("bad"),
        &["fusion-set", "validate", "--json", "several-problems.json"],
    );
    run.code(4);
    run.one_error_line();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON object");
    assert_eq!(v["valid"], false);
    let paths: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "CertificatePinning.action",
            "CertificatePinning.domains[0].expires",
            "CertificatePinning.domains[0].pins[0]",
        ]
    );
    assert!(
        v["problems"][2]["message"]
            .as_str()
            .unwrap()
            .starts_with("not 32 bytes of SHA-256")
    );
}

#[test]
fn every_good_fusion_set_validates() {
    let dir = fixtures("good");
    let names = cases(&dir, ".json");
    assert!(names.len() >= 7, "{names:?}");
    for case in &names {
        let file = format!("{case}.json");
        let run = validate_in(&dir, &["fusion-set", "validate", &file]);
        run.success();
        assert!(run.stdout.starts_with("ok: "), "{case}\n{run}");
        assert!(
            run.stderr.lines().all(|l| l.starts_with("warning: ")),
            "{case}\n{run}"
        );
    }
}

#[test]
fn human_summary_and_json_shape_of_a_good_set() {
    let dir = fixtures("good");
    let run = validate_in(&dir, &["fusion-set", "validate", "production.json"]);
    run.success();
    assert_eq!(
        run.stdout,
        "ok: 6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11 \"Retail banking, production\" (production, 1 domain, 2 pins)\n"
    );
    assert_eq!(run.stderr, "");

    let run = validate_in(&dir, &["fusion-set", "validate", "--json", "idn-host.json"]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["stage"], "staging");
    assert_eq!(v["domainCount"], 2);
    assert_eq!(v["pinCount"], 4);
    assert_eq!(
        v["sha256"],
        crate::support::sha256_file(&dir.join("idn-host.json"))
    );
    let hosts: Vec<&str> = v["fusionSet"]["CertificatePinning"]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["xn--bcher-kva.example", "*.xn--r8jz45g.xn--zckzah"]);
}

#[test]
fn warnings_go_to_stderr_and_into_json() {
    let dir = fixtures("good");
    let run = validate_in(&dir, &["fusion-set", "validate", "development.json"]);
    run.success();
    let warnings: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warnings.len(), 2, "{run}");
    assert!(
        warnings[0].starts_with("warning: stage: development stage"),
        "{run}"
    );
    assert!(
        warnings[1].starts_with("warning: CertificatePinning.domains[0].pins: only one pin"),
        "{run}"
    );

    let run = validate_in(
        &dir,
        &["fusion-set", "validate", "--json", "development.json"],
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["development-stage", "no-backup-pin"]);
}

#[test]
fn expiry_follows_source_date_epoch() {
    let tmp = tempdir();
    let text = fs::read_to_string(fixtures("good").join("production.json"))
        .unwrap()
        .replace("2099-06-30", "2026-03-01");
    fs::write(tmp.path().join("fs.json"), text).unwrap();
    let at = |epoch: &str| {
        let mut cmd =
            fuse_cmd(["fusion-set", "validate", "fs.json"]).env("SOURCE_DATE_EPOCH", epoch);
        cmd.inner.current_dir(tmp.path());
        cmd.run()
    };
    // 2026-01-01: 60 days until 2026-03-02 00:00 UTC — valid, with an expires-soon warning.
    let run = at("1767225600");
    run.success();
    assert!(run.stderr.contains("expire in 60 days"), "{run}");
    // 2026-02-15: 15 days left — production refuses.
    let run = at("1771113600");
    run.code(4);
    assert!(run.one_error_line().contains("within 30 days"), "{run}");
    // 2026-03-02 00:00 UTC: the pins stopped applying at this instant.
    let run = at("1772409600");
    run.code(4);
    assert!(
        run.one_error_line().contains("2026-03-01 has passed"),
        "{run}"
    );
    // A broken SOURCE_DATE_EPOCH is reported, not ignored.
    let run = at("yesterday");
    run.code(1);
    assert!(run.one_error_line().contains("SOURCE_DATE_EPOCH"), "{run}");
}

#[test]
fn missing_file_and_directory_are_exit_4() {
    let run = validate_in(&fixtures("good"), &["fusion-set", "validate", "nope.json"]);
    run.code(4);
    assert!(
        run.one_error_line()
            .contains("cannot read fusion set nope.json"),
        "{run}"
    );
    let run = validate_in(&fixtures("good"), &["fusion-set", "validate", "."]);
    run.code(4);
    run.one_error_line();
}

#[test]
fn init_writes_a_starter_that_validates_for_every_stage() {
    let tmp = tempdir();
    for stage in ["development", "staging", "production"] {
        let file = format!("{stage}.json");
        let mut cmd = fuse_cmd(["fusion-set", "init", "--stage", stage, "-o", &file])
            .env("SOURCE_DATE_EPOCH", NOW);
        cmd.inner.current_dir(tmp.path());
        cmd.run().success();

        let run = validate_in(tmp.path(), &["fusion-set", "validate", &file]);
        run.success();
        assert!(
            run.stdout.starts_with(&format!("ok: my-app-{stage} ")),
            "{run}"
        );
        // The placeholders are valid pins but never silent.
        assert_eq!(run.stderr.matches("placeholder").count(), 2, "{run}");

        // Same time, same starter: stdout and the file agree byte for byte.
        let printed = validate_in(tmp.path(), &["fusion-set", "init", "--stage", stage]);
        printed.success();
        assert_eq!(
            printed.stdout,
            fs::read_to_string(tmp.path().join(&file)).unwrap()
        );
    }

    // An existing file is kept without --force (usage error, exit 2).
    let before = fs::read(tmp.path().join("staging.json")).unwrap();
    let run = validate_in(tmp.path(), &["fusion-set", "init", "-o", "staging.json"]);
    run.code(2);
    assert!(run.one_error_line().contains("--force"), "{run}");
    assert_eq!(fs::read(tmp.path().join("staging.json")).unwrap(), before);
    validate_in(
        tmp.path(),
        &["fusion-set", "init", "-o", "staging.json", "--force"],
    )
    .success();
    assert_ne!(fs::read(tmp.path().join("staging.json")).unwrap(), before);
}
