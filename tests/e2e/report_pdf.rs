//! The PDF certificate, checked with qpdf (structure), pdftotext (the key facts are there
//! as text), pdffonts (fonts embedded) and pdftoppm (it renders).

use std::path::{Path, PathBuf};

use fuse::report::*;

use crate::report_sample::{self as sample, Options, TestSigner};
use crate::support;

fn render_to(report: &Report, dir: &Path, name: &str) -> PathBuf {
    let pdf = pdf::render(report, "examplebank-release-fused.certified.json").unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &pdf).unwrap();
    // Every rendering also lands in target/tmp/report-sample/ for a person to look at.
    let keep = support::scratch().join("report-sample");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::write(keep.join(name), &pdf).unwrap();
    path
}

fn pdftotext(pdf: &Path) -> String {
    let run = support::tool("pdftotext", [pdf.to_str().unwrap(), "-"]);
    run.success();
    run.stdout.clone()
}

#[test]
fn pdf_passes_qpdf_and_its_text_holds_the_key_facts() {
    let signer = TestSigner::load("release");
    let report = sample::build(&signer, &Options::default()).report;
    let dir = support::tempdir();
    let pdf = render_to(&report, dir.path(), "r.pdf");

    let check = support::tool("qpdf", ["--check", pdf.to_str().unwrap()]);
    check.success();
    assert!(
        check.stdout.contains("No syntax or stream encoding errors"),
        "{check}"
    );

    let info = support::tool("pdfinfo", [pdf.to_str().unwrap()]);
    info.success();
    let flat_info = info.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat_info.contains("Pages: 2"), "{info}");
    assert!(
        flat_info.contains("Page size: 595.28 x 841.89 pts (A4)"),
        "{info}"
    );

    let fonts = support::tool("pdffonts", [pdf.to_str().unwrap()]);
    fonts.success();
    for line in fonts.stdout.lines().skip(2) {
        assert!(
            line.contains(" yes yes "),
            "every font embedded and subset: {line}"
        );
    }

    let text = pdftotext(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for fact in [
        "PASS",
        "Example Bank",
        &report.input.package_id,
        "4.12.0",
        &report.fusion_set.id,
        &report.fusion_set.name,
        "production",
        &report.output.sha256,
        report.output.signer.cert_sha256.as_deref().unwrap(),
        &report.build_id,
        "fuse 0.1.0",
        "2026-11-23 12:00 UTC",
        "close",
        "enforcing",
        "PIN_EXPIRING",
        "NO_BACKUP_PIN",
        "apkSignatureV2",
        "AndroidManifest.xml",
        "fuse verify examplebank-release-fused.apk --report examplebank-release-fused.certified.json",
    ] {
        assert!(flat.contains(fact), "pdftotext lacks {fact:?}:\n{text}");
    }
    for d in &report.policy.domains {
        assert!(
            flat.contains(&d.host),
            "pdftotext lacks pinned host {}:\n{text}",
            d.host
        );
    }
}

#[test]
fn pdf_bytes_are_deterministic() {
    let signer = TestSigner::load("release");
    let a = sample::build(&signer, &Options::default()).report;
    let b = sample::build(&signer, &Options::default()).report;
    let pa = pdf::render(&a, "r.json").unwrap();
    let pb = pdf::render(&b, "r.json").unwrap();
    assert!(pa == pb, "two renders of the same report differ");
    // The document id and dates follow the report, not the wall clock.
    let text = String::from_utf8_lossy(&pa);
    assert!(
        text.contains("D:20261123120000"),
        "creation date from SOURCE_DATE_EPOCH"
    );
}

#[test]
fn failing_build_shows_fail_and_non_latin_names_render_or_fall_back_clearly() {
    let signer = TestSigner::load("release");
    let dir = support::tempdir();

    // CJK app name renders from the embedded CJK font.
    let cjk = sample::build(
        &signer,
        &Options {
            app_name: "招商银行 手机银行",
            ..Options::default()
        },
    )
    .report;
    let text = pdftotext(&render_to(&cjk, dir.path(), "cjk.pdf"));
    assert!(text.contains("招商银行 手机银行"), "{text}");
    assert!(!text.contains('\u{FFFD}'));
    let fonts = support::tool("pdffonts", [dir.path().join("cjk.pdf").to_str().unwrap()]);
    assert!(fonts.stdout.contains("NotoSansCJK"), "{fonts}");

    // Cyrillic, Greek and Vietnamese come from Noto Sans itself.
    let mixed = sample::build(
        &signer,
        &Options {
            app_name: "Банк Ελλάδα Ngân hàng",
            ..Options::default()
        },
    )
    .report;
    let text = pdftotext(&render_to(&mixed, dir.path(), "mixed.pdf"));
    assert!(text.contains("Банк Ελλάδα Ngân hàng"), "{text}");

    // A script with no embedded font: U+FFFD and a note that the JSON has the exact name.
    let thai = sample::build(
        &signer,
        &Options {
            app_name: "ธนาคาร",
            ..Options::default()
        },
    )
    .report;
    let text = pdftotext(&render_to(&thai, dir.path(), "thai.pdf"));
    assert!(text.contains('\u{FFFD}'), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("the JSON report has the exact text"),
        "{text}"
    );

    // A failed check turns the certificate into FAIL.
    let mut failed = sample::build(&signer, &Options::default()).report;
    failed.result = Verdict::Fail;
    failed.self_verification[2].result = CheckResult::Fail;
    let text = pdftotext(&render_to(&failed, dir.path(), "fail.pdf"));
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("CERTIFIED SECURE · FAIL"), "{text}");
    assert!(!flat.contains("CERTIFIED SECURE · PASS"), "{text}");
    assert!(flat.contains("do not ship this package"), "{text}");
}

#[test]
fn pdf_renders_to_png_pages() {
    let signer = TestSigner::load("release");
    let report = sample::build(&signer, &Options::default()).report;
    let dir = support::tempdir();
    // docs/report-sample.png is refreshed from this rendering by hand.
    let pdf = render_to(&report, dir.path(), "report-sample.pdf");
    let prefix = dir.path().join("page");
    support::tool(
        "pdftoppm",
        [
            "-png",
            "-r",
            "60",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    )
    .success();
    for page in ["page-1.png", "page-2.png"] {
        let png = std::fs::read(dir.path().join(page)).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{page}");
        assert!(png.len() > 10_000, "{page} is suspiciously empty");
    }
}

#[test]
fn long_lists_and_other_formats_stay_on_two_pages() {
    let signer = TestSigner::load("release");
    let dir = support::tempdir();

    // Many domains and changes: both pages fill, the rest is counted, never overflows.
    let mut big = sample::build(&signer, &Options::default()).report;
    let template = big.policy.domains[0].clone();
    for i in 0..40 {
        let mut d = template.clone();
        d.host = format!("service-{i:02}.examplebank.ch");
        big.policy.domains.push(d);
    }
    let change = big.changes[0].clone();
    for i in 0..80 {
        let mut c = change.clone();
        c.path = format!("assets/very/deep/folder/structure/that/goes/on/and/on/file-{i:03}.bin");
        big.changes.push(c);
    }
    let pdf = render_to(&big, dir.path(), "long-lists.pdf");
    support::tool("qpdf", ["--check", pdf.to_str().unwrap()]).success();
    let info = support::tool("pdfinfo", [pdf.to_str().unwrap()]);
    assert!(
        info.stdout
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("Pages: 2")
    );
    let flat = pdftotext(&pdf)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("more domains"), "{flat}");
    assert!(flat.contains("more entries"), "{flat}");
    assert!(flat.contains("service-00.examplebank.ch"));

    // iOS ad-hoc and a development-stage build render their own facts.
    let debug = TestSigner::load("debug");
    let ipa = sample::build(
        &debug,
        &Options {
            format: PackageFormat::Ipa,
            ..Options::default()
        },
    )
    .report;
    let flat = pdftotext(&render_to(&ipa, dir.path(), "ipa.pdf"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for fact in [
        "iOS IPA",
        "BUNDLE ID",
        "arm64",
        "ad-hoc",
        "ADHOC_SIGNATURE",
        "debug key",
    ] {
        assert!(flat.contains(fact), "{fact}: {flat}");
    }
    let dev = sample::build(
        &signer,
        &Options {
            stage: fuse_policy::Stage::Development,
            ..Options::default()
        },
    )
    .report;
    let flat = pdftotext(&render_to(&dev, dir.path(), "development.pdf"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for fact in ["NON-BLOCKING", "DEVELOPMENT_STAGE", "are never blocked"] {
        assert!(flat.contains(fact), "{fact}: {flat}");
    }
}
