//! An RSA-signed IPA whose main executable's code directory is changed after signing must
//! fail `fuse verify` (exit 6). apple-codesign's verifier checks the CMS signature over
//! its signed attributes but never compares their `messageDigest` with the code
//! directory, so before `seal::check_cms_binds_code_directory` such a binary verified.
//! The change here is the smallest one: one letter of the code directory's identifier
//! (the code page hashes, Info.plist and CodeResources bindings all still match).

use std::io::Write;
use std::path::Path;

use crate::ios_support;
use crate::support::{fuse_cmd, tempdir};

/// The offset of the first code directory blob (`fade0c02`) in a thin Mach-O.
fn code_directory_at(exe: &[u8]) -> usize {
    exe.windows(4)
        .position(|w| w == [0xfa, 0xde, 0x0c, 0x02])
        .expect("no code directory in the signed executable")
}

fn rezip(entries: &std::collections::BTreeMap<String, Vec<u8>>, out: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for (name, data) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o755);
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn a_code_directory_changed_after_rsa_signing_fails_verify() {
    let t = tempdir();
    let signed = t.path().join("signed.ipa");
    let key = ios_support::fixtures().join("keys/rsa.p12");
    fuse_cmd([
        "sign",
        ios_support::input("simple").to_str().unwrap(),
        "-o",
        signed.to_str().unwrap(),
        "--p12",
        key.to_str().unwrap(),
        "--p12-pass",
        "pass:fuse-test-pass",
    ])
    .run()
    .success();
    fuse_cmd(["verify", signed.to_str().unwrap()])
        .run()
        .success();

    let mut entries = ios_support::entries(&signed);
    let name = ios_support::main_executable("simple");
    let exe = entries.get_mut(&name).unwrap();
    let cd = code_directory_at(exe);
    let ident = u32::from_be_bytes(exe[cd + 20..cd + 24].try_into().unwrap()) as usize;
    assert!(exe[cd + ident].is_ascii_alphabetic());
    exe[cd + ident] ^= 0x20; // flip the case of the identifier's first letter

    let tampered = t.path().join("tampered.ipa");
    rezip(&entries, &tampered);
    let run = fuse_cmd(["verify", tampered.to_str().unwrap()]).run();
    run.code(6);
    let line = run.one_error_line();
    assert!(
        line.contains("does not cover this code directory"),
        "{line}"
    );
}
