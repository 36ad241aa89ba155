//! DESIGN §8 "Deterministic", across formats in one place: the same input, fusion set, key
//! and `SOURCE_DATE_EPOCH` give byte-identical packages — APK, AAB and IPA (ad-hoc)
//! through `fuse build`, AAB and IPA through `fuse sign` — and the same `--json` result
//! apart from the output path. The two runs differ in everything that must not matter:
//! output directory and file name, working directory, `TMPDIR`, and time (a second apart
//! at least, since the second run starts after the first finished). Reports name their
//! output, so byte-identical reports (same output name) are checked in report_acceptance.

use std::path::Path;

use crate::ios_support;
use crate::support::{fuse_cmd, generated, tempdir};

const EPOCH: &str = "1767225600";

/// Runs `fuse --json <command> INPUT [extra] -o OUT` twice in different surroundings;
/// returns both outputs and both JSON results with the output path blanked.
fn twice(command: &str, input: &Path, extra: &[String], ext: &str) -> [(Vec<u8>, String); 2] {
    let t = tempdir();
    [("a", "first"), ("b", "second-name")].map(|(dir, name)| {
        let root = t.path().join(dir);
        let (out_dir, cwd, tmp) = (root.join("out"), root.join("cwd"), root.join("tmp"));
        for d in [&out_dir, &cwd, &tmp] {
            std::fs::create_dir_all(d).unwrap();
        }
        let output = out_dir.join(format!("{name}.{ext}"));
        let mut args: Vec<String> = vec!["--json".into(), command.into()];
        args.push(input.to_str().unwrap().into());
        args.extend(extra.iter().cloned());
        args.extend(["-o".into(), output.to_str().unwrap().into()]);
        let mut cmd = fuse_cmd(&args)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("TMPDIR", &tmp)
            .env("FUSE_CONFIG_DIR", root.join("config"));
        cmd.inner.current_dir(&cwd);
        let run = cmd.run();
        run.success();
        // Paths of this run are the only expected difference in the JSON (the report files
        // of `build` are named after the output: `<output stem>.certified.json`).
        let json = run
            .stdout
            .replace(output.to_str().unwrap(), "<OUT>")
            .replace(out_dir.join(name).to_str().unwrap(), "<OUT-STEM>")
            .replace(root.to_str().unwrap(), "<ROOT>");
        (std::fs::read(&output).unwrap(), json)
    })
}

fn assert_same(label: &str, runs: &[(Vec<u8>, String); 2]) {
    let [(a, ja), (b, jb)] = runs;
    assert!(!a.is_empty(), "{label}: empty output");
    assert!(
        a == b,
        "{label}: outputs differ ({} vs {} bytes)",
        a.len(),
        b.len()
    );
    assert_eq!(ja, jb, "{label}: --json results differ");
}

fn keystore_flags() -> Vec<String> {
    vec![
        "--ks".into(),
        generated("keys")
            .join("rsa2048.p12")
            .to_str()
            .unwrap()
            .into(),
        "--ks-pass".into(),
        "pass:fuse-test-pass".into(),
    ]
}

#[test]
fn apk_build_is_byte_identical() {
    let input = generated("apk").join("min21-native-stored.apk");
    let mut extra = vec![
        "--fusion-set".to_owned(),
        crate::support::good_fusion_set("production")
            .to_str()
            .unwrap()
            .into(),
    ];
    extra.extend(keystore_flags());
    assert_same("apk build", &twice("build", &input, &extra, "apk"));
}

fn build_flags() -> Vec<String> {
    let mut extra = vec![
        "--fusion-set".to_owned(),
        crate::support::good_fusion_set("production")
            .to_str()
            .unwrap()
            .into(),
    ];
    extra.extend(keystore_flags());
    extra
}

#[test]
fn aab_build_is_byte_identical() {
    let input = generated("aab").join("app.aab");
    assert_same("aab build", &twice("build", &input, &build_flags(), "aab"));
}

#[test]
fn ipa_adhoc_build_is_byte_identical() {
    let input = ios_support::input("full");
    let extra = build_flags()[..2].to_vec(); // the fusion set; no --p12: ad-hoc
    assert_same("ipa ad-hoc build", &twice("build", &input, &extra, "ipa"));
}

#[test]
fn aab_sign_is_byte_identical() {
    let input = generated("aab").join("app.aab");
    assert_same("aab sign", &twice("sign", &input, &keystore_flags(), "aab"));
}

#[test]
fn ipa_adhoc_sign_is_byte_identical() {
    let input = ios_support::input("full");
    assert_same("ipa ad-hoc sign", &twice("sign", &input, &[], "ipa"));
}

/// The fusing library pipelines themselves (a fixed policy blob, no report), twice, into
/// different directories; `fuse build` for bundles and IPAs is checked above.
#[test]
fn aab_and_ipa_fusion_pipelines_are_byte_identical() {
    use fuse::keys::{KeySource, PasswordSpec};

    let t = tempdir();
    let identity = fuse::keys::load(&KeySource::Keystore {
        path: generated("keys").join("rsa2048.p12"),
        store_pass: PasswordSpec::parse("pass:fuse-test-pass").unwrap(),
        alias: None,
        key_pass: None,
    })
    .unwrap();
    let policy = b"fuse determinism policy blob\n";
    let bundle = fuse::zip::Archive::open(&generated("aab").join("app.aab")).unwrap();
    let mut aabs = Vec::new();
    for dir in ["a", "b"] {
        let out = t.path().join(dir).join(format!("{dir}.aab"));
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        fuse::aab::pipeline::fuse_file(
            &bundle,
            &out,
            true,
            &fuse::aab::plan::Payloads {
                shim: &fuse::payloads::android_shim,
                bridge_dex: fuse::payloads::bridge_dex(),
                policy,
            },
            &identity,
            "rsa2048",
            fuse::zip::DosTime::DEFAULT,
        )
        .unwrap();
        aabs.push(std::fs::read(&out).unwrap());
    }
    assert!(aabs[0] == aabs[1], "fused AAB differs between runs");

    let dylib = fuse::payloads::ios_shim();
    let input = ios_support::input("full");
    let mut ipas = Vec::new();
    for dir in ["c", "d"] {
        let out = t.path().join(dir).join(format!("{dir}.ipa"));
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        fuse::ios::process(&fuse::ios::Request {
            input: &input,
            output: &out,
            force: true,
            payload: Some(fuse::ios::Payload { dylib, policy }),
            key: None,
            profile: None,
            entitlements: None,
        })
        .unwrap();
        ipas.push(std::fs::read(&out).unwrap());
    }
    assert!(ipas[0] == ipas[1], "fused ad-hoc IPA differs between runs");
}
