//! `fuse build app.ipa` end to end through the CLI, with the real prebuilt shim and the
//! policy compiled from the fusion set: `llvm-objdump`/`llvm-otool` see exactly one
//! `LC_LOAD_DYLIB` for libfusepin in every slice, LIEF parses every slice, Python's
//! plistlib finds the shim and the policy sealed in `CodeResources` with their real
//! SHA-256, fuse's verifier (apple-codesign's parser) accepts every signature, and the
//! report written beside the output verifies against it.

use std::path::Path;

use serde_json::Value;

use crate::ios_otool_parity::{archs, cmd_name, load_commands};
use crate::ios_support::{app_dir, entries, extract_entry, input, main_executable};
use crate::support::{self, fuse, fuse_cmd, tempdir, tool};

const EPOCH: &str = "1767225600"; // 2026-01-01T00:00:00Z
const OTOOL: &str = "/usr/lib/llvm-14/bin/llvm-otool";

fn build(input: &Path, out: &Path, config: &Path) -> support::Run {
    fuse_cmd([
        "build".as_ref(),
        input.as_os_str(),
        "--fusion-set".as_ref(),
        crate::support::good_fusion_set("production").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ])
    .env("SOURCE_DATE_EPOCH", EPOCH)
    .env("FUSE_CONFIG_DIR", config)
    .run()
}

#[test]
fn fuse_build_ipa_loads_the_shim_once_per_slice_seals_it_and_certifies() {
    support::require_tool(OTOOL);
    let dir = tempdir();
    let config = dir.path().join("config");
    for (name, install_path) in [
        ("full", "@rpath/libfusepin.dylib"),
        ("fat", "@executable_path/Frameworks/libfusepin.dylib"),
    ] {
        let out = dir.path().join(format!("{name}-fused.ipa"));
        let run = build(&input(name), &out, &config);
        run.success();
        let json = dir.path().join(format!("{name}-fused.certified.json"));
        let pdf = dir.path().join(format!("{name}-fused.certified.pdf"));
        assert!(run.stdout.contains(json.to_str().unwrap()), "{run}");
        assert!(pdf.is_file(), "{name}: no PDF");
        let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();

        // Every slice: one LC_LOAD_DYLIB for the shim, at the install path, per objdump.
        let exe_dir = dir.path().join(format!("{name}-exe"));
        std::fs::create_dir_all(&exe_dir).unwrap();
        let exe = extract_entry(&out, &main_executable(name), &exe_dir);
        let slices = archs(&exe);
        assert_eq!(
            slices.len(),
            if name == "fat" { 2 } else { 1 },
            "{slices:?}"
        );
        assert_eq!(
            report["input"]["ios"]["archSlices"]
                .as_array()
                .unwrap()
                .len(),
            slices.len()
        );
        for arch in &slices {
            let commands = load_commands(&exe, arch);
            let shim: Vec<&String> = commands
                .iter()
                .filter(|b| b.contains("libfusepin.dylib"))
                .collect();
            assert_eq!(shim.len(), 1, "{name} {arch}\n{commands:#?}");
            assert_eq!(cmd_name(shim[0]), "LC_LOAD_DYLIB");
            assert!(
                shim[0].contains(&format!("name {install_path} (offset 24)")),
                "{name} {arch}: {}",
                shim[0]
            );
        }
        if slices.len() == 1 {
            let run = tool(OTOOL, ["-L".as_ref(), exe.as_os_str()]);
            run.success();
            assert_eq!(run.stdout.matches("libfusepin.dylib").count(), 1, "{run}");
        }

        // LIEF: every slice parses, links the shim once and carries a signature.
        let script = r#"
import sys, lief
fat = lief.MachO.parse(sys.argv[1])
assert fat is not None
for b in fat:
    names = [lib.name for lib in b.libraries]
    assert names.count(sys.argv[2]) == 1, names
    assert b.has_code_signature
print("ok")
"#;
        let run = tool(
            "python3",
            ["-c", script, exe.to_str().unwrap(), install_path],
        );
        assert!(
            run.code == 0 && run.stdout.starts_with("ok"),
            "{name}\n{run}"
        );

        // CodeResources seals the shim and the policy with their real SHA-256 (plistlib).
        let app = app_dir(name);
        let script = r#"
import sys, plistlib, hashlib, zipfile
z = zipfile.ZipFile(sys.argv[1]); app = sys.argv[2]
seal = plistlib.loads(z.read(app + "/_CodeSignature/CodeResources"))["files2"]
for rel in ["Frameworks/libfusepin.dylib", "fuse/policy.bin"]:
    assert seal[rel]["hash2"] == hashlib.sha256(z.read(app + "/" + rel)).digest(), rel
print("ok")
"#;
        let run = tool("python3", ["-c", script, out.to_str().unwrap(), app]);
        assert!(
            run.code == 0 && run.stdout.starts_with("ok"),
            "{name}\n{run}"
        );

        // The policy is the fusion set's, with the report's build id and policy hash.
        let files = entries(&out);
        let blob = &files[&format!("{app}/fuse/policy.bin")];
        let policy = fuse_policy::decode(blob).unwrap();
        assert_eq!(policy.fusion_set_id, "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11");
        assert_eq!(policy.build_id, report["buildId"].as_str().unwrap());
        assert_eq!(
            report["policy"]["sha256"],
            support::hex(&{
                use sha2::Digest as _;
                sha2::Sha256::digest(blob)
            })
        );
        assert_eq!(report["output"]["sha256"], support::sha256_file(&out));
        // The shim is the prebuilt dylib, re-signed: the same slices.
        let dylib = &files[&format!("{app}/Frameworks/libfusepin.dylib")];
        assert_eq!(
            fuse::macho::parse(dylib, "shim").unwrap().len(),
            fuse::macho::parse(fuse::payloads::ios_shim(), "shim")
                .unwrap()
                .len()
        );

        // fuse's verifier (every signature and seal) and the report round trip.
        let run = fuse(["verify", out.to_str().unwrap()]);
        run.success();
        let run = fuse([
            "verify",
            out.to_str().unwrap(),
            "--report",
            json.to_str().unwrap(),
        ]);
        run.success();
        assert!(run.stdout.contains("matches"), "{run}");
    }
}
