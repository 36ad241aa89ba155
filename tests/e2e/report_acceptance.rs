//! The Certified Secure report of real builds (issue 7 acceptance), judged by tools that
//! do not share fuse's code: PyPI `jsonschema` (the schema), `sha256sum` (input and
//! output hashes), `apksigner verify --print-certs` (the signer), Python's `zipfile` (every
//! listed entry and its hash), `qpdf --check`, `pdftotext` and `pdftoppm` (the PDF). Then
//! `fuse verify --report` on the real pair and on four ways to get it wrong, byte-identical
//! reports for the same inputs and `SOURCE_DATE_EPOCH`, and the same round trip for an
//! app bundle and an ad-hoc IPA.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{self, Run, fuse, fuse_cmd, generated, require_tool, tempdir, tool};

const EPOCH: &str = "1767225600"; // 2026-01-01T00:00:00Z
const PASS: &str = "fuse-test-pass";
const PRODUCTION: &str = "testdata/fusion-sets/good/production.json";
const STAGING: &str = "testdata/fusion-sets/good/staging.json";

fn fusion_set(path: &str) -> PathBuf {
    support::repo().join(path)
}

fn ks(name: &str) -> Vec<String> {
    vec![
        "--ks".into(),
        generated("keys").join(name).display().to_string(),
        "--ks-pass".into(),
        format!("pass:{PASS}"),
    ]
}

/// `fuse --json build IN --fusion-set FS -o OUT [extra]` at the fixed epoch, with the
/// per-user debug key under `config` (used by ad-hoc iOS reports).
fn build(input: &Path, fs: &Path, out: &Path, extra: &[String], config: &Path) -> Value {
    let mut args: Vec<String> = vec![
        "--json".into(),
        "build".into(),
        input.display().to_string(),
        "--fusion-set".into(),
        fs.display().to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().cloned());
    let run = fuse_cmd(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("FUSE_CONFIG_DIR", config)
        .run();
    run.success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{run}"))
}

fn report_paths(result: &Value) -> (PathBuf, PathBuf) {
    let r = &result["report"];
    assert_eq!(r["result"], "pass", "{result}");
    (
        PathBuf::from(r["json"].as_str().unwrap()),
        PathBuf::from(r["pdf"].as_str().unwrap()),
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn verify_report(app: &Path, report: &Path) -> Run {
    fuse([
        "verify",
        app.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ])
}

/// `fuse verify APP --report R` must fail with exit 6 and name `reason`.
#[track_caller]
fn assert_refused(app: &Path, report: &Path, reason: &str) {
    let run = verify_report(app, report);
    run.code(6);
    let line = run.one_error_line();
    assert!(line.contains(reason), "expected {reason:?}:\n{run}");
}

/// `sha256sum FILE` — coreutils, not fuse's hashing.
fn sha256sum(path: &Path) -> String {
    let run = tool("sha256sum", [path]);
    run.success();
    run.stdout.split_whitespace().next().unwrap().to_owned()
}

/// Every file entry of a ZIP as Python's `zipfile` reads it: name → (SHA-256, size).
fn zip_entries(path: &Path) -> BTreeMap<String, (String, u64)> {
    require_tool("python3");
    let script = r#"
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    out = {}
    for i in z.infolist():
        if not i.is_dir():
            data = z.read(i)
            out[i.filename] = [hashlib.sha256(data).hexdigest(), len(data)]
print(json.dumps(out))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: BTreeMap<String, (String, u64)> = serde_json::from_slice(&out.stdout).unwrap();
    v
}

/// Every change the report lists is what the packages hold: added and changed entries
/// exist in the output with that hash and size; changed and removed ones had the "before"
/// hash in the input; removed ones are gone. Returns the number of added entries.
#[track_caller]
fn assert_changes_match(report: &Value, input: &Path, output: &Path) -> usize {
    let before = zip_entries(input);
    let after = zip_entries(output);
    let mut added = 0;
    for c in report["changes"].as_array().unwrap() {
        let path = c["path"].as_str().unwrap();
        let kind = c["change"].as_str().unwrap();
        if kind != "removed" {
            let (sha, size) = after
                .get(path)
                .unwrap_or_else(|| panic!("{path} ({kind}) is not in the output"));
            assert_eq!(c["afterSha256"], *sha, "{path}");
            assert_eq!(c["afterSize"], *size, "{path}");
        } else {
            assert!(!after.contains_key(path), "{path} was removed but is there");
        }
        if kind != "added" {
            let (sha, size) = before
                .get(path)
                .unwrap_or_else(|| panic!("{path} ({kind}) was not in the input"));
            assert_eq!(c["beforeSha256"], *sha, "{path}");
            assert_eq!(c["beforeSize"], *size, "{path}");
        } else {
            assert!(
                !before.contains_key(path),
                "{path} is listed as added but was there"
            );
            added += 1;
        }
    }
    // Conversely: every entry that differs between input and output is listed.
    let listed: Vec<&str> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    for (name, entry) in &after {
        if before.get(name) != Some(entry) {
            assert!(
                listed.contains(&name.as_str()),
                "{name} changed but is not listed"
            );
        }
    }
    for name in before.keys().filter(|n| !after.contains_key(*n)) {
        assert!(
            listed.contains(&name.as_str()),
            "{name} removed but not listed"
        );
    }
    added
}

#[track_caller]
fn assert_schema_valid(files: &[PathBuf]) {
    for (file, result) in files.iter().zip(crate::report_schema::validate(files)) {
        assert_eq!(result, "ok", "{}", file.display());
    }
}

fn pdftotext_flat(pdf: &Path) -> String {
    let run = tool("pdftotext", [pdf.to_str().unwrap(), "-"]);
    run.success();
    run.stdout.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[track_caller]
fn assert_pdf_holds_the_facts(pdf: &Path, report: &Value) {
    let check = tool("qpdf", ["--check", pdf.to_str().unwrap()]);
    check.success();
    assert!(
        check.stdout.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    let text = pdftotext_flat(pdf);
    let mut facts: Vec<&str> = vec![
        "PASS",
        report["input"]["packageId"].as_str().unwrap(),
        report["fusionSet"]["id"].as_str().unwrap(),
        report["output"]["sha256"].as_str().unwrap(),
        report["buildId"].as_str().unwrap(),
    ];
    if let Some(v) = report["input"]["version"].as_str() {
        facts.push(v);
    }
    for d in report["policy"]["domains"].as_array().unwrap() {
        facts.push(d["host"].as_str().unwrap());
    }
    for fact in facts {
        assert!(text.contains(fact), "pdftotext lacks {fact:?}:\n{text}");
    }
}

#[test]
fn fused_apk_report_meets_the_acceptance_checks() {
    let dir = tempdir();
    let config = dir.path().join("config");
    let input = generated("apk").join("min21-native-stored.apk");
    let out = dir.path().join("app-fused.apk");
    let result = build(
        &input,
        &fusion_set(PRODUCTION),
        &out,
        &ks("rsa2048.p12"),
        &config,
    );
    let (json, pdf) = report_paths(&result);
    assert_eq!(json, dir.path().join("app-fused.certified.json"));
    assert_eq!(pdf, dir.path().join("app-fused.certified.pdf"));
    let report = read_json(&json);

    // The schema, by an independent validator.
    assert_schema_valid(std::slice::from_ref(&json));

    // Hashes and sizes, by sha256sum and the file system.
    assert_eq!(report["input"]["sha256"], sha256sum(&input));
    assert_eq!(report["output"]["sha256"], sha256sum(&out));
    assert_eq!(
        report["input"]["size"],
        std::fs::metadata(&input).unwrap().len()
    );
    assert_eq!(
        report["output"]["size"],
        std::fs::metadata(&out).unwrap().len()
    );
    assert_eq!(report["input"]["name"], "min21-native-stored.apk");
    assert_eq!(report["output"]["name"], "app-fused.apk");
    assert_eq!(report["buildId"], result["buildId"]);

    // The signer, by apksigner.
    let certs = tool(
        "apksigner",
        [
            "verify".as_ref(),
            "--print-certs".as_ref(),
            "--min-sdk-version".as_ref(),
            "21".as_ref(),
            out.as_os_str(),
        ],
    );
    certs.success();
    let printed = certs
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Signer #1 certificate SHA-256 digest: "))
        .unwrap_or_else(|| panic!("{certs}"));
    assert_eq!(report["output"]["signer"]["certSha256"], printed.trim());
    assert_eq!(
        report["reportKey"]["certSha256"],
        report["output"]["signer"]["certSha256"]
    );
    assert_eq!(report["output"]["keySource"], "keystore");
    assert_eq!(
        report["output"]["signer"]["schemes"],
        serde_json::json!(["v1", "v2", "v3"])
    );

    // Every listed entry is in the APK with that hash (Python's zipfile).
    let added = assert_changes_match(&report, &input, &out);
    assert!(added >= 4, "bridge, policy, origin and shims: {report}");
    for path in [
        "assets/fuse/policy.bin",
        "lib/arm64-v8a/libfusepin.so",
        "lib/armeabi-v7a/libfusepin.so",
    ] {
        assert!(
            report["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["path"] == path && c["change"] == "added"),
            "{path} not listed as added"
        );
    }
    let policy = zip_entries(&out)["assets/fuse/policy.bin"].0.clone();
    assert_eq!(report["policy"]["sha256"], policy);

    // The facts of the app and the fusion set.
    assert_eq!(report["input"]["format"], "apk");
    assert_eq!(report["input"]["android"]["minSdk"], 21);
    assert_eq!(
        report["input"]["android"]["abis"],
        serde_json::json!(["arm64-v8a", "armeabi-v7a"])
    );
    assert_eq!(report["fusionSet"]["stage"], "production");
    assert_eq!(
        report["fusionSet"]["sha256"],
        sha256sum(&fusion_set(PRODUCTION))
    );
    assert_eq!(report["time"]["source"], "sourceDateEpoch");
    for step in report["workflow"].as_array().unwrap() {
        assert_eq!(step["result"], "ok");
        assert!(
            step.get("durationMs").is_none(),
            "no durations under SOURCE_DATE_EPOCH"
        );
    }
    let checks: Vec<&str> = report["selfVerification"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for want in [
        "apkSignatureV1",
        "apkSignatureV2",
        "apkSignatureV3",
        "signerCertificate",
        "fusion",
    ] {
        assert!(checks.contains(&want), "{checks:?}");
    }

    // The PDF: structure, text, and a rendering of page 1 for a person to look at.
    assert_pdf_holds_the_facts(&pdf, &report);
    let keep = support::scratch().join("report-sample");
    std::fs::create_dir_all(&keep).unwrap();
    let png = keep.join("fused-apk");
    tool(
        "pdftoppm",
        [
            "-png".as_ref(),
            "-r".as_ref(),
            "60".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-singlefile".as_ref(),
            pdf.as_os_str(),
            png.as_os_str(),
        ],
    )
    .success();
    assert!(std::fs::metadata(keep.join("fused-apk.png")).unwrap().len() > 10_000);

    // fuse verify --report: the real pair passes ...
    let run = verify_report(&out, &json);
    run.success();
    assert!(run.stdout.contains("matches"), "{run}");

    // ... and fails, naming the reason, when the APK is re-signed by another key,
    let resigned = dir.path().join("resigned.apk");
    let mut args = vec![
        "sign".to_owned(),
        out.display().to_string(),
        "-o".into(),
        resigned.display().to_string(),
    ];
    args.extend(ks("other-rsa2048.p12"));
    fuse(&args).success();
    assert_refused(&resigned, &json, "signer certificate differs");

    // when one byte of the report is changed (a value: the signature no longer holds),
    let mut bytes = std::fs::read(&json).unwrap();
    let needle = b"\"packageId\": \"com.";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
        + needle.len();
    bytes[at] = b'x';
    let tampered = dir.path().join("tampered.certified.json");
    std::fs::write(&tampered, &bytes).unwrap();
    assert_refused(&out, &tampered, "report signature");
    assert_refused(&out, &tampered, "does not verify");

    // when the report of another build is given,
    let other_out = dir.path().join("other-fused.apk");
    let other = build(
        &generated("apk").join("min26-native-deflated.apk"),
        &fusion_set(PRODUCTION),
        &other_out,
        &ks("rsa2048.p12"),
        &config,
    );
    let (other_json, _) = report_paths(&other);
    assert_refused(&out, &other_json, "output SHA-256 differs");

    // and when the APK is rebuilt with another fusion set.
    let rebuilt = dir.path().join("rebuilt.apk");
    build(
        &input,
        &fusion_set(STAGING),
        &rebuilt,
        &ks("rsa2048.p12"),
        &config,
    );
    assert_refused(&rebuilt, &json, "policy SHA-256 differs");
    assert_refused(&rebuilt, &json, "output SHA-256 differs");
}

/// Builds `input` twice (same inputs, same SOURCE_DATE_EPOCH, same key) into two folders
/// and requires byte-identical output, JSON and PDF. Returns the first build's paths.
fn build_twice(
    input: &Path,
    extra: &[String],
    ext: &str,
    dir: &Path,
) -> (PathBuf, PathBuf, PathBuf) {
    let config = dir.join("config");
    let mut first = None;
    for run in ["a", "b"] {
        let d = dir.join(run);
        std::fs::create_dir_all(&d).unwrap();
        let out = d.join(format!("app-fused.{ext}"));
        let result = build(input, &fusion_set(PRODUCTION), &out, extra, &config);
        let (json, pdf) = report_paths(&result);
        match &first {
            None => first = Some((out, json, pdf)),
            Some((o, j, p)) => {
                for (x, y) in [(o, &out), (j, &json), (p, &pdf)] {
                    assert!(
                        std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
                        "{} and {} differ",
                        x.display(),
                        y.display()
                    );
                }
            }
        }
    }
    first.unwrap()
}

#[test]
fn same_inputs_and_epoch_give_byte_identical_reports_for_apk_aab_and_ipa() {
    let dir = tempdir();
    let apk = build_twice(
        &generated("apk").join("min19-app-providers.apk"),
        &ks("ec-p256.p12"),
        "apk",
        &dir.path().join("apk"),
    );
    let aab = build_twice(
        &generated("aab").join("app.aab"),
        &ks("rsa2048.p12"),
        "aab",
        &dir.path().join("aab"),
    );
    let ipa = build_twice(
        &crate::ios_support::input("simple"),
        &[],
        "ipa",
        &dir.path().join("ipa"),
    );
    assert_schema_valid(&[apk.1.clone(), aab.1.clone(), ipa.1.clone()]);
    // The EC key signs its report with ECDSA (RFC 6979: still deterministic).
    assert_eq!(
        read_json(&apk.1)["signature"]["algorithm"],
        "ecdsaP256Sha256"
    );
}

#[test]
fn aab_report_round_trip() {
    let dir = tempdir();
    let config = dir.path().join("config");
    let input = generated("aab").join("app.aab");
    let out = dir.path().join("app-fused.aab");
    let result = build(
        &input,
        &fusion_set(PRODUCTION),
        &out,
        &ks("rsa2048.p12"),
        &config,
    );
    let (json, pdf) = report_paths(&result);
    let report = read_json(&json);
    assert_schema_valid(std::slice::from_ref(&json));
    assert_eq!(report["input"]["format"], "aab");
    assert_eq!(report["input"]["sha256"], sha256sum(&input));
    assert_eq!(report["output"]["sha256"], sha256sum(&out));
    assert_eq!(report["policy"]["path"], "base/assets/fuse/policy.bin");
    assert_eq!(
        report["output"]["signer"]["schemes"],
        serde_json::json!(["jar"])
    );
    assert_eq!(report["input"]["aab"]["modules"][0], "base");
    // Sign is part of write for bundles: no duration of its own, even with a clock.
    assert_changes_match(&report, &input, &out);
    assert!(
        report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "META-INF/MANIFEST.MF" && c["role"] == "signature"),
        "the new JAR signature is listed: {report}"
    );
    assert_pdf_holds_the_facts(&pdf, &report);

    verify_report(&out, &json).success();
    let rebuilt = dir.path().join("rebuilt.aab");
    build(
        &input,
        &fusion_set(STAGING),
        &rebuilt,
        &ks("rsa2048.p12"),
        &config,
    );
    assert_refused(&rebuilt, &json, "policy SHA-256 differs");
    let resigned = dir.path().join("resigned.aab");
    let mut args = vec![
        "sign".to_owned(),
        out.display().to_string(),
        "-o".into(),
        resigned.display().to_string(),
    ];
    args.extend(ks("other-rsa2048.p12"));
    fuse(&args).success();
    assert_refused(&resigned, &json, "signer certificate differs");
}

#[test]
fn ipa_report_round_trip_adhoc_and_p12() {
    let dir = tempdir();
    let config = dir.path().join("config");
    let input = crate::ios_support::input("full");

    // Ad-hoc: the report is signed with the per-user debug key and says so, once.
    let out = dir.path().join("app-fused.ipa");
    let mut args: Vec<String> = vec![
        "build".into(),
        input.display().to_string(),
        "--fusion-set".into(),
        fusion_set(PRODUCTION).display().to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    let run = fuse_cmd(&args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("FUSE_CONFIG_DIR", &config)
        .run();
    run.success();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(
        warnings.iter().filter(|l| l.contains("ad-hoc")).count(),
        1,
        "one ad-hoc warning\n{run}"
    );
    assert!(run.stdout.contains("app-fused.certified.json"), "{run}");
    let json = dir.path().join("app-fused.certified.json");
    let report = read_json(&json);
    assert_schema_valid(std::slice::from_ref(&json));
    assert_eq!(report["reportKey"]["source"], "debugKey");
    assert_eq!(report["output"]["keySource"], "adHoc");
    assert_eq!(report["output"]["signer"]["kind"], "adHoc");
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "ADHOC_SIGNATURE")
    );
    assert_eq!(report["input"]["sha256"], sha256sum(&input));
    assert_eq!(report["output"]["sha256"], sha256sum(&out));
    assert_eq!(
        report["input"]["ios"]["archSlices"],
        serde_json::json!(["arm64"])
    );
    assert_eq!(report["policy"]["path"], "Payload/Full.app/fuse/policy.bin");
    assert_changes_match(&report, &input, &out);
    for (path, role) in [
        ("Payload/Full.app/Full", "executable"),
        ("Payload/Full.app/Frameworks/libfusepin.dylib", "shim"),
        ("Payload/Full.app/fuse/policy.bin", "policy"),
        (
            "Payload/Full.app/_CodeSignature/CodeResources",
            "codeResources",
        ),
    ] {
        assert!(
            report["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["path"] == path && c["role"] == role),
            "{path} as {role}: {report}"
        );
    }
    assert_pdf_holds_the_facts(&dir.path().join("app-fused.certified.pdf"), &report);
    verify_report(&out, &json).success();

    // With --p12 the package key signs the app and the report; the provisioning profile
    // and the team are in the report.
    let p12 = crate::ios_support::fixtures().join("keys/rsa.p12");
    let profile = crate::ios_support::fixtures().join("profiles/exact.mobileprovision");
    let signed = dir.path().join("signed-fused.ipa");
    args[5] = signed.display().to_string();
    args.extend([
        "--p12".into(),
        p12.display().to_string(),
        "--p12-pass".into(),
        format!("pass:{PASS}"),
        "--provisioning-profile".into(),
        profile.display().to_string(),
        "--no-pdf".into(),
        "--report-dir".into(),
        dir.path().join("reports").display().to_string(),
    ]);
    let run = fuse_cmd(&args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("FUSE_CONFIG_DIR", &config)
        .run();
    run.success();
    assert!(!run.stderr.contains("ad-hoc"), "{run}");
    let signed_json = dir.path().join("reports/signed-fused.certified.json");
    assert!(
        !dir.path()
            .join("reports/signed-fused.certified.pdf")
            .exists()
    );
    let signed_report = read_json(&signed_json);
    assert_eq!(signed_report["reportKey"]["source"], "packageSigningKey");
    assert_eq!(signed_report["output"]["keySource"], "keystore");
    assert_ne!(signed_report["buildId"], report["buildId"]);
    assert_schema_valid(std::slice::from_ref(&signed_json));
    // The profile as openssl (CMS) and plistlib read it.
    let script = r#"
import json, plistlib, subprocess, sys
der = subprocess.run(["openssl", "smime", "-verify", "-noverify", "-inform", "DER", "-in", sys.argv[1]],
                     check=True, capture_output=True).stdout
p = plistlib.loads(der)
print(json.dumps({"name": p["Name"], "uuid": p.get("UUID"), "teamIds": p["TeamIdentifier"],
                  "applicationIdentifier": p["Entitlements"]["application-identifier"],
                  "expires": p["ExpirationDate"].strftime("%Y-%m-%dT%H:%M:%SZ")}))
"#;
    let run = tool("python3", ["-c", script, profile.to_str().unwrap()]);
    run.success();
    let mut expected: Value = serde_json::from_str(&run.stdout).unwrap();
    if expected["uuid"].is_null() {
        expected.as_object_mut().unwrap().remove("uuid");
    }
    let ios = &signed_report["output"]["ios"];
    assert_eq!(ios["provisioningProfile"], expected, "{ios}");
    // The team in the code directory is the profile's (the fixture identity's OU).
    assert_eq!(ios["teamId"], expected["teamIds"][0], "{ios}");
    assert!(
        signed_report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "Payload/Full.app/embedded.mobileprovision"
                && c["role"] == "provisioningProfile"),
        "{signed_report}"
    );
    assert!(
        report["output"]
            .get("ios")
            .is_none_or(|i| i.get("teamId").is_none())
    );
    verify_report(&signed, &signed_json).success();

    // Each report certifies its own app only.
    assert_refused(&signed, &json, "signer certificate differs");
    assert_refused(&out, &signed_json, "output SHA-256 differs");
}
