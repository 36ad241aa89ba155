//! The signed output as an independent reader sees it: `CodeResources` (read with
//! Python's plistlib) seals the shim and the policy with the files' real SHA-256, nested
//! code is sealed with its signed bytes (so it was signed before the app), every file
//! fuse did not need to touch is byte-identical, and the main executable differs only in
//! its header, the new command and the signature.

use sha2::{Digest, Sha256};

use crate::ios_support::{GOOD, TEST_POLICY, app_dir, entries, fused, main_executable};
use crate::support::{fuse, tool};

#[test]
fn code_resources_seal_the_shim_policy_and_nested_code_with_matching_hashes() {
    let dir = crate::support::tempdir();
    let script = r#"
import sys, plistlib, hashlib, zipfile
ipa, app = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(ipa)
seal = plistlib.loads(z.read(app + "/_CodeSignature/CodeResources"))["files2"]
def check(rel):
    entry = seal[rel]
    assert entry["hash2"] == hashlib.sha256(z.read(app + "/" + rel)).digest(), rel
for rel in ["Frameworks/libfusepin.dylib", "fuse/policy.bin"]:
    check(rel)
nested = [n for n in z.namelist() if n.startswith(app + "/Frameworks/X.framework/") or n.startswith(app + "/PlugIns/")]
for n in nested:
    rel = n[len(app) + 1:]
    if not n.endswith("/") and not rel.endswith("Info.plist"):
        check(rel)
print("ok", len(seal))
"#;
    for (name, _) in GOOD {
        let (output, _) = fused(name);
        let run = tool(
            "python3",
            ["-c", script, output.to_str().unwrap(), app_dir(name)],
        );
        assert!(
            run.code == 0 && run.stdout.starts_with("ok"),
            "{name}\n{run}"
        );
    }
    // The policy is the bytes we gave, unchanged.
    let (output, _) = fused("full");
    assert_eq!(
        entries(&output)["Payload/Full.app/fuse/policy.bin"],
        TEST_POLICY
    );
    drop(dir);
}

#[test]
fn fuse_verify_accepts_every_output_and_requires_nested_code_signed_first() {
    for (name, _) in GOOD {
        let (output, _) = fused(name);
        let run = fuse(["verify", output.to_str().unwrap()]);
        run.success();
        assert!(run.stdout.contains("verified"), "{run}");
        let (facts, lines) = fuse::ios::verify(&output, true).unwrap();
        assert!(facts.fused.fused, "{name}");
        assert!(
            lines.iter().any(|l| l.contains("exactly once")),
            "{lines:?}"
        );
        if name.starts_with("full") {
            // Nested bundles are checked (and listed) before the app.
            let app_line = lines.iter().position(|l| l.starts_with("Full:")).unwrap();
            let fw = lines
                .iter()
                .position(|l| l.starts_with("Frameworks/X.framework:"))
                .unwrap();
            let ext = lines
                .iter()
                .position(|l| l.starts_with("PlugIns/Share.appex:"))
                .unwrap();
            assert!(fw < app_line && ext < app_line, "{lines:?}");
            assert!(lines[app_line].contains("2 nested code items"), "{lines:?}");
        }
    }
}

#[test]
fn unchanged_files_are_byte_identical_and_changes_are_the_expected_ones() {
    for (name, _) in GOOD {
        let before = entries(&crate::ios_support::input(name));
        let (output, outcome) = fused(name);
        let after = entries(&output);
        let app = app_dir(name);
        let changed: Vec<&str> = outcome.changes.iter().map(|c| c.path.as_str()).collect();
        for (path, bytes) in &before {
            let now = after
                .get(path)
                .unwrap_or_else(|| panic!("{name}: {path} was dropped"));
            if changed.contains(&path.as_str()) {
                continue;
            }
            assert_eq!(bytes, now, "{name}: {path} changed but is not reported");
        }
        for change in &outcome.changes {
            let rel = change.path.strip_prefix(&format!("{app}/")).unwrap();
            let expected = rel == "Full"
                || rel == "Simple"
                || rel.ends_with("_CodeSignature/CodeResources")
                || rel == "Frameworks/X.framework/X"
                || rel == "PlugIns/Share.appex/Share"
                || rel == "Frameworks/libfusepin.dylib"
                || rel == "fuse/policy.bin";
            assert!(expected, "{name}: unexpected change {change:?}");
            assert_ne!(change.change, "removed", "{name}: {change:?}");
            if let Some(after_hash) = &change.after_sha256 {
                let actual = crate::support::hex(&Sha256::digest(&after[&change.path]));
                assert_eq!(
                    &actual, after_hash,
                    "{name}: reported hash of {}",
                    change.path
                );
            }
        }
        assert!(changed.contains(&format!("{app}/fuse/policy.bin").as_str()));
        assert!(changed.contains(&format!("{app}/Frameworks/libfusepin.dylib").as_str()));
    }
}

#[test]
fn main_executable_differs_only_in_header_new_command_and_signature() {
    for (name, _) in GOOD {
        let exe = main_executable(name);
        let before = entries(&crate::ios_support::input(name))
            .remove(&exe)
            .unwrap();
        let (output, _) = fused(name);
        let after = entries(&output).remove(&exe).unwrap();
        let slices_before = fuse::macho::parse(&before, "before").unwrap();
        let slices_after = fuse::macho::parse(&after, "after").unwrap();
        assert_eq!(slices_before.len(), slices_after.len());
        for (b, a) in slices_before.iter().zip(&slices_after) {
            assert_eq!(b.arch, a.arch);
            let old = &before[b.file_offset..b.file_offset + b.size];
            let new = &after[a.file_offset..a.file_offset + a.size];
            // Header: only ncmds and sizeofcmds (bytes 16..24) change.
            assert_eq!(old[..16], new[..16], "{name} {}", b.arch);
            assert_eq!(old[24..32], new[24..32], "{name} {}", b.arch);
            // Original commands: identical except __LINKEDIT sizes and LC_CODE_SIGNATURE.
            for (cb, ca) in b.commands.iter().zip(&a.commands) {
                assert_eq!(cb.cmd, ca.cmd, "{name} {}: command order", b.arch);
                let (ob, na) = (
                    &old[cb.offset..cb.offset + cb.size],
                    &new[ca.offset..ca.offset + ca.size],
                );
                let linkedit = cb.cmd == 0x19 && &ob[8..18] == b"__LINKEDIT";
                if cb.cmd == 0x1d {
                    assert_eq!(
                        ob[..12],
                        na[..12],
                        "{name}: LC_CODE_SIGNATURE dataoff moved"
                    );
                } else if linkedit {
                    assert_eq!(ob[..32], na[..32], "{name}: __LINKEDIT start moved");
                    assert_eq!(ob[40..48], na[40..48], "{name}: __LINKEDIT fileoff moved");
                } else {
                    assert_eq!(ob, na, "{name} {}: command {:#x} changed", b.arch, cb.cmd);
                }
            }
            // Everything between the header gap and the old signature (or old end) is unchanged.
            let content_end = b.code_signature.map_or(b.size, |(off, _)| off as usize);
            assert_eq!(
                old[b.content_start..content_end],
                new[a.content_start..content_end],
                "{name} {}: code or data changed",
                b.arch
            );
            assert_eq!(a.content_start, b.content_start);
            // The gap holds the new command (and, for unsigned input, LC_CODE_SIGNATURE).
            let added = &new[b.commands_end..a.commands_end];
            assert!(
                added.windows(16).any(|w| w == b"libfusepin.dylib"),
                "{name}: gap content"
            );
        }
    }
}
