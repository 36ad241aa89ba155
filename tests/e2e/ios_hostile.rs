//! Hostile and unusable IPAs: exit 3 with one clear line, no output file, no panic —
//! through the CLI (`sign`, `inspect`, `build`) and through the build pipeline.

use crate::ios_support::{TEST_POLICY, fixtures, test_dylib};
use crate::support::{self, fuse};

/// Fixture → a word the error line must contain.
const REFUSED: [(&str, &str); 18] = [
    ("encrypted", "encrypted"),
    ("truncated-macho", "Mach-O"),
    ("ncmds-lie", "ncmds"),
    ("sizeofcmds-lie", "sizeofcmds"),
    ("cmdsize-lie", "cmdsize"),
    ("fat-overlap", "overlap"),
    ("fat-huge-nfat", "nfat_arch"),
    ("fat-outside", "outside the file"),
    ("no-info-plist", "Info.plist"),
    ("missing-executable", "CFBundleExecutable"),
    ("executable-escapes", "CFBundleExecutable"),
    ("two-apps", "2 apps"),
    ("traversal", "traversal"),
    ("absolute-path", "absolute"),
    ("cyclic-plist", "cycle"),
    ("deep-plist", "deeper"),
    ("deep-xml-plist", "deeper"),
    ("not-an-ipa", "ZIP"),
];

#[test]
fn hostile_ipas_exit_3_with_one_line_and_no_output() {
    let dir = support::tempdir();
    // `build` signs its report with the per-user debug key: kept apart from `dir`.
    let config = support::tempdir();
    let fusion_set = crate::support::good_fusion_set("production");
    for (name, word) in REFUSED {
        let input = fixtures().join("hostile").join(format!("{name}.ipa"));
        let output = dir.path().join(format!("{name}-out.ipa"));
        for args in [
            vec![
                "sign".to_owned(),
                input.to_string_lossy().into_owned(),
                "-o".to_owned(),
                output.to_string_lossy().into_owned(),
            ],
            vec!["inspect".to_owned(), input.to_string_lossy().into_owned()],
            vec![
                "build".to_owned(),
                input.to_string_lossy().into_owned(),
                "--fusion-set".to_owned(),
                fusion_set.to_string_lossy().into_owned(),
                "-o".to_owned(),
                output.to_string_lossy().into_owned(),
            ],
        ] {
            if name == "encrypted" && args[0] == "inspect" {
                continue; // inspect describes encrypted apps; it does not change them
            }
            let run = support::fuse_cmd(&args)
                .env("FUSE_CONFIG_DIR", config.path())
                .run();
            run.code(3);
            let line = run.one_error_line();
            assert!(line.contains(word), "{name} ({}): {line}", args[0]);
            assert!(!output.exists(), "{name}: output written");
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(
            leftovers.is_empty(),
            "{name}: temp files left: {leftovers:?}"
        );
    }
}

#[test]
fn inspect_reports_encryption() {
    let input = fixtures().join("hostile/encrypted.ipa");
    let run = fuse(["inspect", "--json", input.to_str().unwrap()]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["slices"][0]["encrypted"], true, "{run}");
}

#[test]
fn build_refuses_no_room_and_encrypted_binaries_with_exit_3() {
    let dir = support::tempdir();
    let dylib = test_dylib();
    for (name, word) in [("noroom", "no room"), ("encrypted", "encrypted")] {
        let input = fixtures().join("hostile").join(format!("{name}.ipa"));
        let output = dir.path().join("out.ipa");
        let err = fuse::ios::process(&fuse::ios::Request {
            input: &input,
            output: &output,
            force: false,
            payload: Some(fuse::ios::Payload {
                dylib: &dylib,
                policy: TEST_POLICY,
            }),
            key: None,
            profile: None,
            entitlements: None,
        })
        .unwrap_err();
        let err = fuse::Error::from(err);
        assert_eq!(
            err.exit_status(),
            fuse::ExitStatus::BadPackage,
            "{name}: {err}"
        );
        let line = err.to_string();
        assert!(
            line.contains(word) && line.contains(" — "),
            "{name}: {line}"
        );
        assert!(!output.exists());
    }
    // The CLI build with the real shim: the same refusal, no output and no report.
    let config = support::tempdir();
    let out = dir.path().join("noroom-fused.ipa");
    let run = support::fuse_cmd([
        "build".as_ref(),
        fixtures().join("hostile/noroom.ipa").as_os_str(),
        "--fusion-set".as_ref(),
        crate::support::good_fusion_set("production").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ])
    .env("FUSE_CONFIG_DIR", config.path())
    .run();
    run.code(3);
    assert!(run.one_error_line().contains("no room"), "{run}");
    assert!(!out.exists());
    assert!(!dir.path().join("noroom-fused.certified.json").exists());
    // The no-room binary still signs: only the 72-byte command does not fit.
    let out = dir.path().join("noroom-signed.ipa");
    fuse([
        "sign",
        fixtures().join("hostile/noroom.ipa").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .success();
}

#[test]
fn existing_output_needs_force() {
    let dir = support::tempdir();
    let out = dir.path().join("x.ipa");
    std::fs::write(&out, b"keep me").unwrap();
    let input = fixtures().join("simple.ipa");
    let run = fuse(["sign", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    run.code(2);
    assert!(run.one_error_line().contains("--force"));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    fuse([
        "sign",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--force",
    ])
    .success();
    fuse(["verify", out.to_str().unwrap()]).success();
}

#[test]
fn refusing_idempotently_never_adds_the_command_twice() {
    let (once, _) = crate::ios_support::fused("full");
    let dir = support::tempdir();
    let twice = dir.path().join("twice.ipa");
    let dylib = test_dylib();
    let outcome = fuse::ios::process(&fuse::ios::Request {
        input: &once,
        output: &twice,
        force: false,
        payload: Some(fuse::ios::Payload {
            dylib: &dylib,
            policy: TEST_POLICY,
        }),
        key: None,
        profile: None,
        entitlements: None,
    })
    .unwrap();
    assert!(outcome.input.fused.fused);
    for slice in &outcome.output.slices {
        assert_eq!(slice.shim_loads, 1, "{slice:?}");
    }
}
