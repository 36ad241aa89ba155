//! Writing the report files as a pipeline will: signed by a real `keys::SigningIdentity`
//! (key files and the per-user debug key), named after the output, atomically, and
//! byte-identical for the same inputs and `SOURCE_DATE_EPOCH`.

use std::path::Path;

use fuse::keys::{self, KeySource};
use fuse::report::*;

use crate::report_sample::{self as sample, Options, TestSigner};
use crate::support;

fn release_identity() -> keys::SigningIdentity {
    let dir = sample::keys_dir();
    keys::load(&KeySource::KeyFiles {
        key: dir.join("release.pk8"),
        cert: dir.join("release.der"),
        key_pass: None,
    })
    .unwrap()
}

fn unsigned_sample() -> Report {
    // Same facts as the sample, re-signed below by the identity under test.
    let mut r = sample::build(&TestSigner::load("release"), &Options::default()).report;
    r.signature = None;
    r
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn pipeline_writes_signed_json_and_pdf_beside_the_output() {
    let identity = release_identity();
    assert_eq!(key_kind_of(&identity), KeyKind::KeyFiles);
    let dir = support::tempdir();
    let output = dir.path().join("examplebank-release-fused.apk");
    let (report, paths) = sign_and_write(
        unsigned_sample(),
        &identity,
        &output,
        &WriteOptions::default(),
    )
    .unwrap();
    assert_eq!(
        paths.json,
        dir.path().join("examplebank-release-fused.certified.json")
    );
    assert_eq!(
        paths.pdf.as_deref(),
        Some(
            dir.path()
                .join("examplebank-release-fused.certified.pdf")
                .as_path()
        )
    );
    // Nothing else left behind (no temp files).
    assert_eq!(
        listing(dir.path()),
        [
            "examplebank-release-fused.certified.json",
            "examplebank-release-fused.certified.pdf"
        ]
    );
    let reread = read_verified(&paths.json).unwrap();
    assert_eq!(reread.report, report);
    assert_eq!(
        reread.signature.cert_sha256,
        report.output.signer.cert_sha256.clone().unwrap()
    );
    support::tool("qpdf", ["--check", paths.pdf.unwrap().to_str().unwrap()]).success();
}

#[test]
fn report_dir_and_no_pdf() {
    let identity = release_identity();
    let dir = support::tempdir();
    let output = dir.path().join("out").join("app-fused.aab");
    let reports = dir.path().join("reports").join("nested");
    let options = WriteOptions {
        report_dir: Some(reports.clone()),
        no_pdf: true,
    };
    let (_, paths) = sign_and_write(unsigned_sample(), &identity, &output, &options).unwrap();
    assert_eq!(paths.json, reports.join("app-fused.certified.json"));
    assert_eq!(paths.pdf, None);
    assert_eq!(listing(&reports), ["app-fused.certified.json"]);
}

#[test]
fn an_unsigned_report_is_never_written() {
    let dir = support::tempdir();
    let err = write_report(
        &unsigned_sample(),
        &dir.path().join("a.apk"),
        &WriteOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("report signature"), "{err}");
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn same_inputs_and_source_date_epoch_give_identical_files() {
    let identity = release_identity();
    let a = support::tempdir();
    let b = support::tempdir();
    for dir in [&a, &b] {
        let out = dir.path().join("app-fused.apk");
        sign_and_write(unsigned_sample(), &identity, &out, &WriteOptions::default()).unwrap();
    }
    for name in ["app-fused.certified.json", "app-fused.certified.pdf"] {
        let (x, y) = (
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between two identical builds");
    }
    // And no durations in a reproducible report.
    let json = std::fs::read_to_string(a.path().join("app-fused.certified.json")).unwrap();
    assert!(!json.contains("durationMs"));
    assert!(json.contains("\"source\": \"sourceDateEpoch\""));
}

#[test]
fn adhoc_reports_are_signed_with_the_debug_key() {
    let home = support::tempdir();
    let debug = keys::load_debug_key_at(&home.path().join("debug.p12")).unwrap();
    assert_eq!(key_kind_of(&debug), KeyKind::DebugKey);
    let s = sample::build(
        &TestSigner::load("debug"),
        &Options {
            format: PackageFormat::Ipa,
            ..Options::default()
        },
    );
    // Rebuild the facts with the real debug certificate as report key.
    let mut report = s.report;
    report.signature = None;
    report.report_key.cert_sha256 = sha256_hex(debug.certificate_der());
    let dir = support::tempdir();
    let (signed, paths) = sign_and_write(
        report,
        &debug,
        &dir.path().join("ExampleBank-fused.ipa"),
        &WriteOptions::default(),
    )
    .unwrap();
    assert_eq!(signed.report_key.source, ReportKeySource::DebugKey);
    read_verified(&paths.json).unwrap();
}

#[test]
fn a_bad_source_date_epoch_is_a_usage_error() {
    let err = Clock::source_date_epoch("yesterday").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("SOURCE_DATE_EPOCH is not a valid time"),
        "{err}"
    );
    assert_eq!(
        fuse::Error::from(err).exit_status(),
        fuse::ExitStatus::Usage
    );
}
