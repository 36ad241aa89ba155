//! The warnings of issue 7 item 5 — debug key, development stage, pins expiring within 90
//! days, ABIs added, a domain without a backup pin — in the written report *and* on stderr,
//! each once; and the report files' own rules: `--report-dir`, `--no-pdf`, existing report
//! files refused without `--force` before any output is written.

use std::path::Path;

use serde_json::Value;

use crate::support::{Run, fuse_cmd, generated, tempdir};

const EPOCH: &str = "1767225600"; // 2026-01-01T00:00:00Z

/// A development fusion set: one domain whose two pins apply up to 2026-02-15 (46 days from
/// the epoch), one domain with a single pin.
const FUSION_SET: &str = r#"{
  "fusionSetId": "warnings-dev",
  "name": "Warnings, development",
  "stage": "development",
  "CertificatePinning": {
    "threatEvents": "detection",
    "action": "warn",
    "domains": [
      {
        "host": "soon.example.com",
        "expires": "2026-02-15",
        "pins": [
          "sha256/7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=",
          "sha256/YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg="
        ]
      },
      {
        "host": "single.example.com",
        "pins": ["sha256/r/mIkG3eEpVdm+u/ko/cwxzOMo1bk4TyHIlByibiA5E="]
      }
    ]
  }
}"#;

/// `fuse build` with the debug key under `config`, at the fixed epoch.
fn build(input: &Path, fs: &Path, out: &Path, extra: &[&str], config: &Path) -> Run {
    let mut args = vec![
        "build".to_owned(),
        input.display().to_string(),
        "--fusion-set".into(),
        fs.display().to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    fuse_cmd(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("FUSE_CONFIG_DIR", config)
        .run()
}

#[test]
fn debug_key_stage_expiry_abis_and_backup_pin_warnings_reach_report_and_stderr() {
    let dir = tempdir();
    let config = dir.path().join("config");
    let fs = dir.path().join("warnings.json");
    std::fs::write(&fs, FUSION_SET).unwrap();
    // No native code: the shim adds all four ABIs.
    let input = generated("apk").join("min19-app-providers.apk");
    let out = dir.path().join("out/app-fused.apk");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let reports = dir.path().join("reports");

    let run = build(
        &input,
        &fs,
        &out,
        &["--report-dir", reports.to_str().unwrap(), "--no-pdf"],
        &config,
    );
    run.success();
    let json = reports.join("app-fused.certified.json");
    assert!(run.stdout.contains(json.to_str().unwrap()), "{run}");
    assert!(
        !reports.join("app-fused.certified.pdf").exists(),
        "--no-pdf"
    );
    assert!(!dir.path().join("out/app-fused.certified.json").exists());
    let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();

    let warnings = report["warnings"].as_array().unwrap();
    let message = |code: &str| -> String {
        let found: Vec<&Value> = warnings.iter().filter(|w| w["code"] == code).collect();
        assert!(!found.is_empty(), "no {code} in {warnings:#?}");
        found[0]["message"].as_str().unwrap().to_owned()
    };
    let expected = [
        ("DEBUG_KEY", "debug key"),
        ("DEVELOPMENT_STAGE", "development"),
        (
            "PIN_EXPIRING",
            "soon.example.com expire after 2026-02-15 (in 46 days)",
        ),
        ("NO_BACKUP_PIN", "single.example.com has only one pin"),
        ("ABIS_ADDED", "arm64-v8a, armeabi-v7a, x86, x86_64"),
    ];
    let stderr_warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .collect();
    for (code, words) in expected {
        let m = message(code);
        assert!(m.contains(words), "{code}: {m:?} lacks {words:?}");
        assert_eq!(
            stderr_warnings.iter().filter(|l| **l == m).count(),
            1,
            "{code} once on stderr\n{run}"
        );
    }
    // The domain with two pins needs no backup-pin warning; every report warning is on
    // stderr and nothing else is.
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w["code"] == "NO_BACKUP_PIN")
            .count(),
        1
    );
    assert_eq!(stderr_warnings.len(), warnings.len(), "{run}");
    assert_eq!(report["output"]["keySource"], "debugKey");
    assert_eq!(
        report["input"]["android"]["abisAdded"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // A second build whose report would land on the first one's is refused before any
    // output is written, and --force replaces both.
    let second = dir.path().join("second/app-fused.apk");
    std::fs::create_dir_all(second.parent().unwrap()).unwrap();
    let before = std::fs::read(&json).unwrap();
    let run = build(
        &input,
        &fs,
        &second,
        &["--report-dir", reports.to_str().unwrap()],
        &config,
    );
    run.code(1);
    let line = run.one_error_line();
    assert!(
        line.contains("app-fused.certified.json") && line.contains("--force"),
        "{run}"
    );
    assert!(!second.exists(), "no output after a refused report");
    assert_eq!(
        std::fs::read(&json).unwrap(),
        before,
        "the report is untouched"
    );
    build(
        &input,
        &fs,
        &second,
        &["--report-dir", reports.to_str().unwrap(), "--force"],
        &config,
    )
    .success();
    assert!(second.exists() && reports.join("app-fused.certified.pdf").exists());
}

#[test]
fn a_production_build_with_a_release_key_has_no_warnings() {
    let dir = tempdir();
    let input = generated("apk").join("min21-native-stored.apk");
    let out = dir.path().join("app-fused.apk");
    let ks = generated("keys").join("rsa2048.p12");
    let run = build(
        &input,
        &crate::support::good_fusion_set("production"),
        &out,
        &[
            "--ks",
            ks.to_str().unwrap(),
            "--ks-pass",
            "pass:fuse-test-pass",
        ],
        &dir.path().join("config"),
    );
    run.success();
    assert!(!run.stderr.contains("warning:"), "{run}");
    let report: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("app-fused.certified.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["warnings"], serde_json::json!([]), "{report}");
}
