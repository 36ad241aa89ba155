//! Bundles fuse signs and fuses, checked by independent tools: `jarsigner -verify -strict`
//! (JDK), `protoc --decode` / `--decode_raw`, Info-ZIP `unzip`, and raw byte comparison of
//! every entry fuse keeps.
//!
//! jarsigner and self-signed keys: `jarsigner -verify -strict` without a keystore exits 4
//! for every self-signed signer (jarsigner's own output included): "certificate chain is
//! invalid … PKIX path building failed" and "signer certificate is self-signed" are
//! errors under -strict, and "no timestamp" is a warning. Given the signer's keystore
//! (`-keystore`), the chain is trusted and a correct JAR signature verifies with exit 0 and
//! no error. Both behaviours are checked below, against a bundle signed by jarsigner itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use fuse::aab::pipeline;
use fuse::aab::plan::Payloads;
use fuse::keys::{KeySource, PasswordSpec};
use fuse::zip::{Archive, DosTime};
use fuse_policy::{Action, Enforce, Policy, Stage, ThreatEvents, Ui};

use crate::aab_protoc_parity::{protoc_decode, unzip_entry};
use crate::support;

const PASS: &str = "fuse-test-pass";

fn fixtures() -> PathBuf {
    support::generated("aab")
}

fn keystore() -> PathBuf {
    support::generated("keys").join("rsa2048.p12")
}

fn sign_args(keystore: &Path) -> Vec<String> {
    vec![
        "--ks".into(),
        keystore.display().to_string(),
        "--ks-pass".into(),
        format!("pass:{PASS}"),
    ]
}

/// `jarsigner -verify -strict [-keystore KS]`: (exit code, output).
fn jarsigner_verify(aab: &Path, trust: Option<&Path>) -> (i32, String) {
    support::require_tool("jarsigner");
    let mut c = Command::new("jarsigner");
    c.arg("-verify").arg("-strict");
    if let Some(ks) = trust {
        c.arg("-keystore").arg(ks).arg("-storepass").arg(PASS);
    }
    let out = c.arg(aab).output().expect("run jarsigner");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[track_caller]
fn assert_jarsigner_accepts(aab: &Path) {
    let (code, text) = jarsigner_verify(aab, Some(&keystore()));
    assert_eq!(code, 0, "jarsigner -verify -strict failed:\n{text}");
    assert!(
        text.contains("jar verified.") && !text.contains("Error:"),
        "{text}"
    );
}

fn policy() -> Vec<u8> {
    fuse_policy::encode(&Policy {
        fusion_set_id: "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11".into(),
        build_id: "aab-e2e".into(),
        build_date_unix: 1_763_900_000,
        stage: Stage::Production,
        detection: true,
        threat_events: ThreatEvents::Defense,
        action: Action::Close,
        external_id: None,
        ui: Ui {
            title: "Connection not secure".into(),
            message: "This connection could be intercepted.".into(),
            buttons: vec![],
            localized: vec![],
        },
        domains: vec![],
        enforce: Enforce::default(),
    })
}

/// Fuses `aab` with the real payloads into `out` (library pipeline).
fn fuse_bundle(aab: &Path, out: &Path, policy: &[u8]) -> pipeline::Fused {
    let identity = fuse::keys::load(&KeySource::Keystore {
        path: keystore(),
        store_pass: PasswordSpec::parse(&format!("pass:{PASS}")).unwrap(),
        alias: None,
        key_pass: None,
    })
    .unwrap();
    let input = Archive::open(aab).unwrap();
    pipeline::fuse_file(
        &input,
        out,
        true,
        &Payloads {
            shim: &fuse::payloads::android_shim,
            bridge_dex: fuse::payloads::bridge_dex(),
            policy,
        },
        &identity,
        "rsa2048",
        DosTime::DEFAULT,
    )
    .unwrap()
}

/// The raw bytes of an entry's local record (header, name, extra, data, descriptor).
fn raw_record(archive: &Archive, name: &str) -> Vec<u8> {
    let e = archive
        .entry(name)
        .unwrap_or_else(|| panic!("{name} missing"));
    let mut buf = vec![0; (e.end() - e.local_offset) as usize];
    archive.read_at(e.local_offset, &mut buf).unwrap();
    buf
}

#[test]
fn jarsigner_itself_fails_strict_on_a_self_signed_key_without_a_keystore() {
    // The documented baseline: jarsigner's own signature of the fixture.
    let (code, text) = jarsigner_verify(&fixtures().join("app-jarsigned.aab"), None);
    assert_eq!(code, 4, "{text}");
    assert!(text.contains("self-signed"), "{text}");
}

#[test]
fn fuse_sign_output_passes_jarsigner_strict_and_keeps_every_entry() {
    let dir = support::tempdir();
    let out = dir.path().join("signed.aab");
    let input = fixtures().join("app-jarsigned.aab");
    let mut args = vec![
        "sign".to_owned(),
        input.display().to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(sign_args(&keystore()));
    support::fuse(&args).success();
    assert_jarsigner_accepts(&out);
    // Same as jarsigner without a keystore: only the self-signed chain complaint.
    let (code, text) = jarsigner_verify(&out, None);
    assert_eq!(code, 4, "{text}");

    let (a, b) = (Archive::open(&input).unwrap(), Archive::open(&out).unwrap());
    let signature_files = |x: &Archive| {
        x.entries()
            .iter()
            .filter(|e| e.name.starts_with("META-INF/"))
            .map(|e| e.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        signature_files(&b),
        [
            "META-INF/MANIFEST.MF",
            "META-INF/RSA2048.SF",
            "META-INF/RSA2048.RSA"
        ]
    );
    for e in a
        .entries()
        .iter()
        .filter(|e| !e.name.starts_with("META-INF/"))
    {
        assert_eq!(
            raw_record(&a, &e.name),
            raw_record(&b, &e.name),
            "{} changed",
            e.name
        );
    }
    support::fuse(["verify", out.to_str().unwrap()]).success();
    let inspect = support::fuse(["--json", "inspect", out.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&inspect.success().stdout).unwrap();
    assert_eq!(v["format"], "aab");
    assert_eq!(v["signature"], "signed");
    assert_eq!(v["fused"], false);
}

#[test]
fn a_fused_bundle_passes_jarsigner_protoc_and_keeps_original_entries() {
    let dir = support::tempdir();
    let input = fixtures().join("app.aab");
    let out = dir.path().join("fused.aab");
    let policy = policy();
    let fused = fuse_bundle(&input, &out, &policy);
    assert_jarsigner_accepts(&out);
    assert_eq!(fused.facts.abis, ["arm64-v8a", "x86_64"]);
    assert_eq!(fused.facts.bridge_dex, "base/dex/classes2.dex");

    // Injected files, extracted by unzip.
    assert_eq!(
        unzip_entry(&out, "base/dex/classes2.dex"),
        fuse::payloads::bridge_dex()
    );
    for abi in ["arm64-v8a", "x86_64"] {
        let so = unzip_entry(&out, &format!("base/lib/{abi}/libfusepin.so"));
        assert_eq!(so, fuse::payloads::android_shim(abi).unwrap(), "{abi}");
    }
    assert_eq!(unzip_entry(&out, "base/assets/fuse/policy.bin"), policy);

    // Manifest: the provider per protoc; native.pb already targets both ABIs.
    let text = protoc_decode(
        Some("aapt.pb.XmlNode"),
        &unzip_entry(&out, "base/manifest/AndroidManifest.xml"),
    );
    assert!(
        text.contains("value: \"fuse.bridge.FuseProvider\"")
            && text.contains("resource_id: 16842778"),
        "{text}"
    );
    assert!(text.contains("value: \"com.example.fuse.bundle.fuse\""));

    // Every entry fuse keeps is byte-identical (local record incl. compressed data);
    // the stale code-transparency file is gone; nothing else disappeared.
    let (a, b) = (Archive::open(&input).unwrap(), Archive::open(&out).unwrap());
    let changed = ["base/manifest/AndroidManifest.xml"];
    let transparency =
        "BUNDLE-METADATA/com.android.tools.build.bundletool/code_transparency_signed.jwt";
    for e in a.entries() {
        if changed.contains(&e.name.as_str()) || e.name == transparency {
            continue;
        }
        assert_eq!(
            raw_record(&a, &e.name),
            raw_record(&b, &e.name),
            "{} changed",
            e.name
        );
    }
    assert!(b.entry(transparency).is_none());
    assert_eq!(fused.facts.removed_metadata, [transparency]);

    // fuse's own reader, verifier and inspect agree.
    support::fuse(["verify", out.to_str().unwrap()]).success();
    let v: serde_json::Value = serde_json::from_str(
        &support::fuse(["--json", "inspect", out.to_str().unwrap()])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["fused"], true);
    assert_eq!(v["abis"], serde_json::json!(["arm64-v8a", "x86_64"]));
}

#[test]
fn a_bundle_without_native_code_gets_four_abis_and_native_targeting() {
    let dir = support::tempdir();
    let out = dir.path().join("fused.aab");
    let fused = fuse_bundle(&fixtures().join("nolibs.aab"), &out, &policy());
    assert_jarsigner_accepts(&out);
    assert_eq!(
        fused.facts.abis,
        ["arm64-v8a", "armeabi-v7a", "x86", "x86_64"]
    );
    assert_eq!(fused.facts.bridge_dex, "base/dex/classes3.dex");
    let native = protoc_decode(
        Some("android.bundle.NativeLibraries"),
        &unzip_entry(&out, "base/native.pb"),
    );
    for alias in ["ARM64_V8A", "ARMEABI_V7A", "X86", "X86_64"] {
        assert!(native.contains(&format!("alias: {alias}\n")), "{native}");
    }
    assert!(native.contains("path: \"lib/armeabi-v7a\""));
}

#[test]
fn re_fusing_a_fused_bundle_gives_the_same_bytes() {
    let dir = support::tempdir();
    let (once, twice) = (dir.path().join("once.aab"), dir.path().join("twice.aab"));
    let p = policy();
    fuse_bundle(&fixtures().join("app.aab"), &once, &p);
    let again = fuse_bundle(&once, &twice, &p);
    assert!(again.facts.was_fused);
    assert_eq!(
        std::fs::read(&once).unwrap(),
        std::fs::read(&twice).unwrap()
    );
}

/// A real Certified Secure report over a real fused bundle: `fuse verify OUT.aab --report`
/// accepts it (exit 0) and refuses it for another bundle (exit 6).
#[test]
fn verify_report_matches_a_fused_bundle_and_refuses_another() {
    use fuse::report::*;
    use sha2::{Digest, Sha256};
    use std::time::Duration;

    let dir = support::tempdir();
    let input = fixtures().join("app.aab");
    let out = dir.path().join("app-fused.aab");
    let identity = fuse::keys::load(&KeySource::Keystore {
        path: keystore(),
        store_pass: PasswordSpec::parse(&format!("pass:{PASS}")).unwrap(),
        alias: None,
        key_pass: None,
    })
    .unwrap();
    let sha = |b: &[u8]| -> [u8; 32] { Sha256::digest(b).into() };
    let input_sha = sha(&std::fs::read(&input).unwrap());
    let fs_sha = sha(b"a fusion set");
    let cert = identity.certificate_der().to_vec();
    let token = fused_app_token(&input_sha, &fs_sha, TokenSigner::Certificate(&sha(&cert)));
    let mut policy_model = fuse_policy::decode(&policy()).unwrap();
    policy_model.build_id = token;
    let blob = fuse_policy::encode(&policy_model);
    let fused = fuse_bundle(&input, &out, &blob);

    let mut b = ReportBuilder::new(Clock::fixed(1_763_900_000, TimeSource::SourceDateEpoch));
    for step in [
        StepName::Read,
        StepName::Inject,
        StepName::Write,
        StepName::Sign,
        StepName::Verify,
    ] {
        b.step(step, StepResult::Ok, Duration::ZERO);
    }
    pipeline::fill_report(
        &mut b,
        &pipeline::ReportInputs {
            input: &input,
            input_size: std::fs::metadata(&input).unwrap().len(),
            input_sha256: input_sha,
            input_signers: vec![],
            output: &out,
            fusion_set_name: "a fusion set",
            fusion_set_sha256: fs_sha,
            policy: &policy_model,
            policy_blob: &blob,
            signer_certificate_der: &cert,
            key_kind: KeyKind::Keystore,
        },
        &fused,
    );
    let report = b.finish(ReportKeySource::PackageSigningKey, &cert).unwrap();
    let roles: Vec<(&str, &str)> = report
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.role.as_str()))
        .collect();
    for want in [
        ("base/manifest/AndroidManifest.xml", "manifest"),
        ("base/dex/classes2.dex", "bridge"),
        ("base/lib/x86_64/libfusepin.so", "shim"),
        ("base/assets/fuse/policy.bin", "policy"),
        (
            "BUNDLE-METADATA/com.android.tools.build.bundletool/code_transparency_signed.jwt",
            "codeTransparency",
        ),
    ] {
        assert!(roles.contains(&want), "{want:?} not in {roles:?}");
    }
    let (_, paths) = sign_and_write(
        report,
        &identity,
        &out,
        &WriteOptions {
            report_dir: None,
            no_pdf: true,
        },
    )
    .unwrap();

    let r = support::fuse([
        "verify",
        out.to_str().unwrap(),
        "--report",
        paths.json.to_str().unwrap(),
    ]);
    r.success();
    assert!(r.stdout.contains("matches"), "{r}");
    // The same report for a different bundle (the input) fails verification.
    let r = support::fuse([
        "verify",
        fixtures().join("app-jarsigned.aab").to_str().unwrap(),
        "--report",
        paths.json.to_str().unwrap(),
    ]);
    r.code(6);
    r.one_error_line();
}

#[test]
fn ec_keys_sign_bundles_jarsigner_accepts() {
    let dir = support::tempdir();
    let out = dir.path().join("ec.aab");
    let ks = support::generated("keys").join("ec-p256.p12");
    let mut args = vec![
        "sign".to_owned(),
        fixtures().join("app.aab").display().to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(sign_args(&ks));
    support::fuse(&args).success();
    let (code, text) = {
        let o = Command::new("jarsigner")
            .args(["-verify", "-strict", "-keystore"])
            .arg(&ks)
            .args(["-storepass", PASS])
            .arg(&out)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    assert_eq!(code, Some(0), "{text}");
    assert!(
        Archive::open(&out)
            .unwrap()
            .entry("META-INF/EC-P256.EC")
            .is_some()
    );
}

#[test]
fn a_changed_entry_fails_fuse_verify_and_jarsigner() {
    let dir = support::tempdir();
    let signed = dir.path().join("signed.aab");
    let mut args = vec![
        "sign".to_owned(),
        fixtures().join("app.aab").display().to_string(),
        "-o".into(),
        signed.display().to_string(),
    ];
    args.extend(sign_args(&keystore()));
    support::fuse(&args).success();
    // Rewrite the ZIP with one asset's content changed (a well-formed ZIP, a stale signature).
    let tampered = dir.path().join("tampered.aab");
    let script = r#"
import sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
    for i in a.infolist():
        data = a.read(i)
        if i.filename == "base/assets/data/greeting.txt":
            data = b"tampered\n"
        b.writestr(i, data)
"#;
    support::tool(
        "python3",
        [
            "-c",
            script,
            signed.to_str().unwrap(),
            tampered.to_str().unwrap(),
        ],
    )
    .success();
    let r = support::fuse(["verify", tampered.to_str().unwrap()]);
    r.code(6);
    assert!(r.one_error_line().contains("greeting.txt"), "{r}");
    let (code, _) = jarsigner_verify(&tampered, Some(&keystore()));
    assert_ne!(code, 0);
}
