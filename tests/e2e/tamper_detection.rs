//! Cross-check with apksigner: an apksigner-signed APK passes `fuse verify`; one flipped
//! byte in an entry, in the central directory or in the signing block makes both
//! `apksigner verify` and `fuse verify` fail — for apksigner's output and for fuse's.

use std::path::Path;

use fuse::zip::Archive;

use crate::apksigner_parity::sign;
use crate::support::{fuse, generated, tempdir, tool};

fn flip(src: &Path, dst: &Path, offset: u64) {
    let mut bytes = std::fs::read(src).unwrap();
    bytes[offset as usize] ^= 0x01;
    std::fs::write(dst, bytes).unwrap();
}

/// Offsets of: a byte of a stored entry's data, a byte of a central record's
/// modification time, a byte inside the v2 block's signature area.
fn targets(apk: &Path) -> Vec<(&'static str, u64)> {
    let a = Archive::open(apk).unwrap();
    let stored = a
        .entries()
        .iter()
        .find(|e| e.is_stored() && e.compressed_size() > 16)
        .expect("a stored entry");
    let cd_time = a.central_directory_offset() + 12;
    let block = a.signing_block().expect("signing block");
    vec![
        ("entry data", stored.data_offset + 8),
        ("central directory", cd_time),
        // 64 bytes into the block: inside the v2 signer's signed data.
        ("signing block", block.start + 64),
    ]
}

fn check(apk: &Path, min: u32) {
    let t = tempdir();
    fuse(["verify", apk.to_str().unwrap()]).success();
    tool(
        "apksigner",
        [
            "verify",
            "--min-sdk-version",
            &min.to_string(),
            apk.to_str().unwrap(),
        ],
    )
    .success();
    for (what, offset) in targets(apk) {
        let bad = t.path().join("bad.apk");
        flip(apk, &bad, offset);
        let ours = fuse(["verify", bad.to_str().unwrap()]);
        assert!(
            ours.code == 6 || ours.code == 3,
            "{what}: fuse accepted a flipped byte\n{ours}"
        );
        ours.one_error_line();
        let theirs = tool(
            "apksigner",
            [
                "verify",
                "--min-sdk-version",
                &min.to_string(),
                bad.to_str().unwrap(),
            ],
        );
        assert_ne!(
            theirs.code, 0,
            "{what}: apksigner accepted a flipped byte\n{theirs}"
        );
        // `inspect` describes rather than judges: a package it can read but whose
        // signature fails is `invalid`, with the verifier's reason.
        if ours.code == 6 {
            let run = fuse(["--json", "inspect", bad.to_str().unwrap()]);
            run.success();
            let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(v["signature"], "invalid", "{what}: {v}");
            assert_eq!(v["signers"], serde_json::json!([]), "{what}: {v}");
            assert!(v["signatureProblem"].is_string(), "{what}: {v}");
        }
    }
}

#[test]
fn apksigner_signed_input_verifies_and_any_flip_fails_both() {
    let dir = generated("apk");
    check(&dir.join("min21-native-stored-apksigner.apk"), 21);
}

#[test]
fn fuse_signed_output_any_flip_fails_both() {
    let dir = generated("apk");
    let t = tempdir();
    let out = t.path().join("signed.apk");
    sign(&dir.join("min21-native-stored.apk"), "rsa2048", &out);
    check(&out, 21);
}

#[test]
fn fuse_verify_reports_the_apksigner_signer_certificate() {
    let dir = generated("apk");
    let run = fuse([
        "--json",
        "verify",
        dir.join("min16-v1sha1-apksigner.apk").to_str().unwrap(),
    ]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let cert = crate::support::sha256_file(&dir.join("apksigner-signer.der"));
    assert_eq!(v["signerCertSha256"], cert, "{run}");
    assert_eq!(v["schemes"], serde_json::json!(["v1", "v2", "v3"]));
}
