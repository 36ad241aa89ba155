//! The report's own signature (canonical JSON, package key) and `verify --report` logic,
//! with keys made by OpenSSL; `openssl dgst -verify` is the independent oracle.

use fuse::report::*;
use fuse::{Error, ExitStatus};

use crate::report_sample::{self as sample, Options, TestSigner};
use crate::support;

fn verify_doc(bytes: &[u8]) -> Result<VerifiedReport, fuse::report::Error> {
    verify_report_bytes(std::path::Path::new("R.json"), bytes)
}

#[test]
fn signed_report_verifies_and_openssl_agrees() {
    let signer = TestSigner::load("release");
    let report = sample::build(&signer, &Options::default()).report;
    let json = to_json_bytes(&report).unwrap();
    let verified = verify_doc(&json).unwrap();
    assert_eq!(verified.report, report);
    assert_eq!(
        verified.signature.algorithm,
        SignatureAlgorithm::RsaPkcs1Sha256
    );

    // Independent oracle: openssl checks the signature over our canonical bytes.
    let dir = support::tempdir();
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let message = signed_message(&value).unwrap();
    let sig = report.signature.as_ref().unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    std::fs::write(dir.path().join("msg"), &message).unwrap();
    std::fs::write(dir.path().join("sig"), b64.decode(&sig.value).unwrap()).unwrap();
    std::fs::write(
        dir.path().join("cert.der"),
        b64.decode(&sig.certificate).unwrap(),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    support::tool(
        "openssl",
        [
            "x509",
            "-inform",
            "DER",
            "-in",
            &format!("{d}/cert.der"),
            "-pubkey",
            "-noout",
            "-out",
            &format!("{d}/pub.pem"),
        ],
    )
    .success();
    let run = support::tool(
        "openssl",
        [
            "dgst",
            "-sha256",
            "-verify",
            &format!("{d}/pub.pem"),
            "-signature",
            &format!("{d}/sig"),
            &format!("{d}/msg"),
        ],
    );
    run.success();
    assert!(run.stdout.contains("Verified OK"), "{run}");

    // The canonical form is what the document promises: sorted keys, no whitespace.
    let text = String::from_utf8(message).unwrap();
    assert!(text.starts_with("{\"buildId\":"), "{}", &text[..40]);
    assert!(!text.contains("\n") && !text.contains("\": "));
    assert!(!text.contains("\"signature\":{"));
}

#[test]
fn ecdsa_p256_reports_verify_and_are_deterministic() {
    let signer = TestSigner::load("release-ec");
    let a = sample::build(&signer, &Options::default()).report;
    let b = sample::build(&signer, &Options::default()).report;
    assert_eq!(a, b, "RFC 6979 ECDSA: same report, same signature");
    let v = verify_doc(&to_json_bytes(&a).unwrap()).unwrap();
    assert_eq!(v.signature.algorithm, SignatureAlgorithm::EcdsaP256Sha256);
}

#[test]
fn every_significant_one_byte_change_breaks_the_report() {
    let signer = TestSigner::load("release");
    let report = sample::build(&signer, &Options::default()).report;
    let json = to_json_bytes(&report).unwrap();
    let mut checked = 0;
    for i in 0..json.len() {
        if json[i].is_ascii_whitespace() {
            continue; // layout, not content: covered by the reformatting test below
        }
        let mut bad = json.clone();
        bad[i] ^= 0x01;
        let err = verify_doc(&bad).err().unwrap_or_else(|| {
            panic!(
                "byte {i} ({:?}) changed and the report still verifies",
                json[i] as char
            )
        });
        assert_eq!(Error::from(err).exit_status(), ExitStatus::Verification);
        checked += 1;
    }
    assert!(checked > 3000, "{checked}");
}

#[test]
fn a_changed_fact_is_named_as_a_signature_failure() {
    let signer = TestSigner::load("release");
    let report = sample::build(&signer, &Options::default()).report;
    let json = String::from_utf8(to_json_bytes(&report).unwrap()).unwrap();
    let tampered = json.replacen(&report.output.sha256, &"0".repeat(64), 1);
    let err = verify_doc(tampered.as_bytes()).unwrap_err();
    let line = err.to_string();
    assert!(
        line.starts_with("report signature of R.json does not verify — "),
        "{line}"
    );
    assert!(line.contains("changed after signing"), "{line}");
}

#[test]
fn reformatting_does_not_change_the_signed_content() {
    let signer = TestSigner::load("release");
    let report = sample::build(&signer, &Options::default()).report;
    let compact = serde_json::to_vec(&report).unwrap();
    verify_doc(&compact).unwrap();
    // Members reordered (canonical form sorts them) still verify.
    let value: serde_json::Value = serde_json::to_value(&report).unwrap();
    let canonical = to_canonical(&value).unwrap();
    verify_doc(&canonical).unwrap();
}

#[test]
fn another_certificate_or_key_is_rejected() {
    let release = TestSigner::load("release");
    let other = TestSigner::load("other");
    let report = sample::build(&release, &Options::default()).report;
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;

    // The other certificate in place of the signer's: the signature no longer matches.
    let mut swapped = report.clone();
    swapped.signature.as_mut().unwrap().certificate = b64.encode(&other.cert);
    let err = verify_doc(&to_json_bytes(&swapped).unwrap()).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");

    // Re-signed by the other key, but reportKey still names the release certificate.
    let mut resigned = report.clone();
    let value = serde_json::to_value(&resigned).unwrap();
    let message = signed_message(&value).unwrap();
    resigned.signature = Some(Signature {
        algorithm: SignatureAlgorithm::RsaPkcs1Sha256,
        certificate: b64.encode(&other.cert),
        value: b64.encode(other.sign_sha256(&message).unwrap()),
    });
    let err = verify_doc(&to_json_bytes(&resigned).unwrap()).unwrap_err();
    assert!(err.to_string().contains("reportKey.certSha256"), "{err}");

    // Signing with a key that is not the certificate's fails at build time (exit 5).
    struct Mismatched<'a>(&'a TestSigner, &'a TestSigner);
    impl ReportSigner for Mismatched<'_> {
        fn certificate_der(&self) -> &[u8] {
            &self.0.cert
        }
        fn sign_sha256(
            &self,
            m: &[u8],
        ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
            self.1.sign_sha256(m)
        }
    }
    let mut r = report.clone();
    let err = sign(&mut r, &Mismatched(&release, &other)).unwrap_err();
    assert!(
        err.to_string().contains("does not match its certificate"),
        "{err}"
    );
    assert_eq!(Error::from(err).exit_status(), ExitStatus::Signing);
}

#[test]
fn malformed_reports_get_one_clear_line_and_exit_6() {
    let signer = TestSigner::load("release");
    let report = sample::build(&signer, &Options::default()).report;
    let json = String::from_utf8(to_json_bytes(&report).unwrap()).unwrap();
    let unsigned = {
        let mut r = report.clone();
        r.signature = None;
        String::from_utf8(to_json_bytes(&r).unwrap()).unwrap()
    };
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "is not a Certified Secure report"),
        ("[]".into(), "has no \"schema\""),
        (
            json.replacen("fuse/certified-secure@1", "fuse/certified-secure@2", 1),
            "uses report schema",
        ),
        (json.replacen("{", "{\"schema\":\"x\",", 1), "duplicate key"),
        (
            json.replacen("\"size\": ", "\"size\": 1.5, \"x\": ", 1),
            "not an integer",
        ),
        (unsigned, "has no signature"),
    ];
    for (text, want) in cases {
        let err = verify_doc(text.as_bytes()).unwrap_err();
        let line = err.to_string();
        assert!(line.contains(want), "want {want:?} in {line:?}");
        assert!(!line.contains('\n'));
        assert_eq!(Error::from(err).exit_status(), ExitStatus::Verification);
    }
}

#[test]
fn verify_app_against_report_accepts_the_real_pair() {
    let signer = TestSigner::load("release");
    let mut s = sample::build(&signer, &Options::default());
    let dir = support::tempdir();
    let app = dir.path().join("examplebank-release-fused.apk");
    s.package.write_to(&app);
    let report = sample::write_json(
        &s.report,
        dir.path(),
        "examplebank-release-fused.certified.json",
    );
    let v = verify_app_against_report(&app, &report, &mut s.package).unwrap();
    assert_eq!(v.report.output.sha256, support::sha256_file(&app));
    // The embedded policy carries the report's build id (the fusedAppToken of threat events).
    let blob = read_policy(&mut s.package).unwrap().unwrap();
    let policy = fuse_policy::decode(&blob).unwrap();
    assert_eq!(policy.build_id, v.report.build_id);
    assert_eq!(policy.fusion_set_id, v.report.fusion_set.id);
}

fn mismatch_line(app_bytes_from: &mut sample::Sample, report: &Report) -> (String, ExitStatus) {
    let dir = support::tempdir();
    let app = dir.path().join("app.apk");
    app_bytes_from.package.write_to(&app);
    let r = sample::write_json(report, dir.path(), "r.json");
    let err = verify_app_against_report(&app, &r, &mut app_bytes_from.package).unwrap_err();
    (err.to_string(), err.exit_status())
}

#[test]
fn verify_names_each_mismatch_with_exit_6() {
    let release = TestSigner::load("release");
    let other = TestSigner::load("other");
    let base = sample::build(&release, &Options::default());

    // The report of another build (other input): output hash and policy differ.
    let mut other_build = sample::build(
        &release,
        &Options {
            input_variant: 1,
            ..Options::default()
        },
    );
    let (line, code) = mismatch_line(&mut other_build, &base.report);
    assert_eq!(code, ExitStatus::Verification);
    assert!(
        line.contains("r.json certifies — output SHA-256 differs"),
        "{line}"
    );
    assert!(line.contains("policy SHA-256 differs"), "{line}");

    // The same package re-signed by another key: bytes and signer differ.
    let mut resigned = sample::build(&release, &Options::default());
    resigned.package.signer = PackageSigner::CertificateSha256(other.cert_sha256());
    resigned.package.bytes.extend_from_slice(b" re-signed");
    let (line, _) = mismatch_line(&mut resigned, &base.report);
    assert!(line.contains("signer certificate differs"), "{line}");
    assert!(line.contains("output SHA-256 differs"), "{line}");

    // Rebuilt with another fusion set: another policy inside.
    let mut refused = sample::build(
        &release,
        &Options {
            fusion_set_name: "Other set",
            ..Options::default()
        },
    );
    let (line, _) = mismatch_line(&mut refused, &base.report);
    assert!(line.contains("policy SHA-256 differs"), "{line}");

    // No policy at all.
    let mut bare = sample::build(&release, &Options::default());
    bare.package.entries.clear();
    let (line, _) = mismatch_line(&mut bare, &base.report);
    assert!(
        line.contains("the app contains no fuse policy.bin"),
        "{line}"
    );
    assert!(!line.contains("output SHA-256"), "{line}");
}

#[test]
fn adhoc_ipa_report_is_signed_by_the_debug_key_and_verifies() {
    let debug = TestSigner::load("debug");
    let mut s = sample::build(
        &debug,
        &Options {
            format: PackageFormat::Ipa,
            ..Options::default()
        },
    );
    assert_eq!(s.report.report_key.source, ReportKeySource::DebugKey);
    assert_eq!(s.report.output.signer.kind, SignerKind::AdHoc);
    assert!(s.report.warnings_with("ADHOC_SIGNATURE").next().is_some());
    let dir = support::tempdir();
    let app = dir.path().join("app.ipa");
    s.package.write_to(&app);
    let r = sample::write_json(&s.report, dir.path(), "r.json");
    verify_app_against_report(&app, &r, &mut s.package).unwrap();

    // A certificate-signed IPA against the ad-hoc report: signer differs.
    s.package.signer = PackageSigner::CertificateSha256(debug.cert_sha256());
    let err = verify_app_against_report(&app, &r, &mut s.package).unwrap_err();
    assert!(
        err.to_string()
            .contains("signer certificate differs (report ad-hoc"),
        "{err}"
    );
}

#[test]
fn hostile_edits_never_panic_and_never_verify() {
    // A small deterministic mutation run (xorshift): truncations, insertions, deletions and
    // byte swaps anywhere in a signed report. Every result must be a clean error — or, when
    // the edit only touched layout, the original content.
    let signer = TestSigner::load("release-ec");
    let report = sample::build(&signer, &Options::default()).report;
    let json = to_json_bytes(&report).unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let alphabet = b"{}[]\":,0123456789abcdef-+.eE \\u\n\x00\xff";
    for _ in 0..3000 {
        let mut bad = json.clone();
        match next(4) {
            0 => bad.truncate(next(bad.len())),
            1 => bad.insert(next(bad.len()), alphabet[next(alphabet.len())]),
            2 => {
                bad.remove(next(bad.len()));
            }
            _ => {
                let i = next(bad.len());
                bad[i] = alphabet[next(alphabet.len())];
            }
        }
        if let Ok(v) = verify_doc(&bad) {
            assert_eq!(v.report, report, "an edit verified with different content");
        }
    }
}
