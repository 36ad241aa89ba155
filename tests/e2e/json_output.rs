//! DESIGN §1 `--json`: every command prints exactly one JSON object on stdout, and its keys
//! follow one convention — camelCase, like the Certified Secure report — whatever the
//! format (docs/json-output.md). Runs build, sign, verify, verify --report and inspect on
//! an APK, an AAB and an IPA (ad-hoc) and walks every key of every result.

use std::path::Path;

use crate::ios_support;
use crate::support::{fuse_cmd, generated, sha256_file, tempdir};

fn json_of(args: &[&str], config: &Path) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = fuse_cmd(&all)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("FUSE_CONFIG_DIR", config)
        .run();
    run.success();
    let text = run.stdout.trim();
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("fuse {args:?}: stdout is not one JSON object ({e}):\n{text}"))
}

/// Every object key below `v`, with its path, that is not camelCase.
fn non_camel_keys(v: &serde_json::Value, path: &str, bad: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                let camel = k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && k.chars().all(|c| c.is_ascii_alphanumeric());
                if !camel {
                    bad.push(format!("{path}.{k}"));
                }
                non_camel_keys(child, &format!("{path}.{k}"), bad);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                non_camel_keys(child, &format!("{path}[{i}]"), bad);
            }
        }
        _ => {}
    }
}

#[test]
fn every_json_result_uses_camel_case_keys_for_every_format() {
    let t = tempdir();
    let config = t.path().join("config");
    let fusion_set = crate::support::good_fusion_set("development");
    let inputs = [
        generated("apk").join("min21-native-stored.apk"),
        generated("aab").join("app.aab"),
        ios_support::input("simple"),
    ];
    let mut bad = Vec::new();
    for input in &inputs {
        let ext = input.extension().unwrap().to_str().unwrap();
        let built = t.path().join(format!("built.{ext}"));
        let signed = t.path().join(format!("signed.{ext}"));
        let report = t.path().join("built.certified.json");
        let (i, b, s, r) = (
            input.to_str().unwrap(),
            built.to_str().unwrap(),
            signed.to_str().unwrap(),
            report.to_str().unwrap(),
        );
        let fs = fusion_set.to_str().unwrap();
        let runs: [(&str, Vec<&str>); 5] = [
            (
                "build",
                vec!["build", i, "--fusion-set", fs, "-o", b, "--force"],
            ),
            ("sign", vec!["sign", b, "-o", s, "--force"]),
            ("verify", vec!["verify", b]),
            ("verify --report", vec!["verify", b, "--report", r]),
            ("inspect", vec!["inspect", b]),
        ];
        for (label, args) in runs {
            let v = json_of(&args, &config);
            assert!(v.is_object(), "{ext} {label}: not an object: {v}");
            if label == "build" || label == "inspect" {
                let report: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
                if label == "build" {
                    assert_shared_build_keys(&v, ext, input, &built, &report);
                } else {
                    assert_shared_inspect_keys(&v, ext, &built, &report);
                }
            }
            non_camel_keys(&v, &format!("{ext} {label}"), &mut bad);
        }
    }
    let mut v = json_of(
        &["fusion-set", "validate", fusion_set.to_str().unwrap()],
        &config,
    );
    // `fusionSet` echoes the user's document, whose own schema (DESIGN §2) names its keys.
    assert!(v["fusionSet"]["CertificatePinning"].is_object(), "{v}");
    v.as_object_mut().unwrap().remove("fusionSet");
    non_camel_keys(&v, "fusion-set validate", &mut bad);
    assert!(
        bad.is_empty(),
        "keys that are not camelCase:\n{}",
        bad.join("\n")
    );
}

/// The keys `build --json` has for every format (docs/json-output.md), checked against the
/// files themselves and the report written beside the output.
fn assert_shared_build_keys(
    v: &serde_json::Value,
    ext: &str,
    input: &Path,
    out: &Path,
    report: &serde_json::Value,
) {
    let ctx = format!("{ext} build --json: {v}");
    assert_eq!(v["command"], "build", "{ctx}");
    assert_eq!(v["format"], ext, "{ctx}");
    assert_eq!(v["buildId"], report["buildId"], "{ctx}");
    assert_file_keys(&v["input"], input, &ctx);
    assert_eq!(
        v["input"]["packageId"], report["input"]["packageId"],
        "{ctx}"
    );
    assert_file_keys(&v["output"], out, &ctx);
    assert_eq!(
        v["output"]["schemes"], report["output"]["signer"]["schemes"],
        "{ctx}"
    );
    assert!(
        v["output"]["schemes"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{ctx}"
    );
    for key in ["id", "name", "stage", "sha256"] {
        assert_eq!(v["fusionSet"][key], report["fusionSet"][key], "{ctx}");
    }
    assert_eq!(v["policy"]["sha256"], report["policy"]["sha256"], "{ctx}");
    assert_eq!(v["warnings"], report["warnings"], "{ctx}");
    assert_eq!(v["report"]["result"], "pass", "{ctx}");
}

/// The keys `inspect --json` has for every format (docs/json-output.md), on a fused,
/// signed output, checked against the file and the report its build wrote.
fn assert_shared_inspect_keys(
    v: &serde_json::Value,
    ext: &str,
    app: &Path,
    report: &serde_json::Value,
) {
    let ctx = format!("{ext} inspect --json: {v}");
    assert_eq!(v["format"], ext, "{ctx}");
    assert_file_keys(v, app, &ctx);
    assert!(v["app"].is_object(), "{ctx}");
    assert_eq!(v["signature"], "signed", "{ctx}");
    assert!(v["signatureProblem"].is_null(), "{ctx}");
    let signers = v["signers"].as_array().unwrap_or_else(|| panic!("{ctx}"));
    assert_eq!(signers.len(), 1, "{ctx}");
    assert_eq!(
        signers[0]["certSha256"],
        report["output"]["signer"]["certSha256"].clone(),
        "{ctx}"
    );
    assert_eq!(
        signers[0]["schemes"], report["output"]["signer"]["schemes"],
        "{ctx}"
    );
    assert_eq!(v["fused"], true, "{ctx}");
    assert!(v["fusionProblem"].is_null(), "{ctx}");
    let f = &v["fusion"];
    assert_eq!(f["buildId"], report["buildId"], "{ctx}");
    assert_eq!(f["fusionSetId"], report["fusionSet"]["id"], "{ctx}");
    assert_eq!(f["stage"], report["fusionSet"]["stage"], "{ctx}");
    assert_eq!(f["policySha256"], report["policy"]["sha256"], "{ctx}");
    assert_eq!(f["policySize"], report["policy"]["size"], "{ctx}");
    assert_eq!(f["policyPath"], report["policy"]["path"], "{ctx}");
    assert!(f["policyProblem"].is_null(), "{ctx}");
    assert!(
        f["domains"].as_array().is_some_and(|d| !d.is_empty()),
        "{ctx}"
    );
}

/// `path`, `sha256` (as sha256sum) and `size` of `file` in the object `v`.
fn assert_file_keys(v: &serde_json::Value, file: &Path, ctx: &str) {
    assert_eq!(v["path"], file.to_str().unwrap(), "{ctx}");
    assert_eq!(v["sha256"], sha256_file(file), "{ctx}");
    assert_eq!(v["size"], std::fs::metadata(file).unwrap().len(), "{ctx}");
}

#[test]
fn the_walker_flags_snake_case_keys() {
    let mut bad = Vec::new();
    non_camel_keys(
        &serde_json::json!({"ok": 1, "nested": [{"signer_cert_sha256": "x"}], "Upper": 2}),
        "",
        &mut bad,
    );
    bad.sort();
    assert_eq!(bad, [".Upper", ".nested[0].signer_cert_sha256"]);
}
