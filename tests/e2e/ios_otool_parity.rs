//! The Mach-O edit as LLVM's tools and LIEF read it: exactly one `LC_LOAD_DYLIB` for
//! libfusepin per slice, at the right install path, and every original load command
//! unchanged and in order.

use std::path::Path;

use crate::ios_support::{GOOD, extract_entry, fused, main_executable};
use crate::support::{self, tool};

const OBJDUMP: &str = "/usr/lib/llvm-14/bin/llvm-objdump";
const OTOOL: &str = "/usr/lib/llvm-14/bin/llvm-otool";

/// Load commands of one slice as `llvm-objdump --macho --private-headers --arch=X`
/// prints them: one text block per command, the "Load command N" line dropped.
pub(crate) fn load_commands(file: &Path, arch: &str) -> Vec<String> {
    let run = tool(
        OBJDUMP,
        [
            "--macho".to_owned(),
            "--private-headers".to_owned(),
            format!("--arch={arch}"),
            file.to_string_lossy().into_owned(),
        ],
    );
    run.success();
    let mut blocks: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in run.stdout.lines() {
        if line.starts_with("Load command ") {
            blocks.extend(current.take());
            current = Some(String::new());
        } else if let Some(block) = current.as_mut() {
            block.push_str(line.trim());
            block.push('\n');
        }
    }
    blocks.extend(current);
    blocks
}

pub(crate) fn cmd_name(block: &str) -> &str {
    block
        .lines()
        .find_map(|l| l.strip_prefix("cmd "))
        .unwrap_or("?")
        .trim()
}

/// Blocks that re-signing legitimately changes: the signature command and the size of
/// __LINKEDIT (which holds the signature).
fn comparable(block: &str) -> Option<String> {
    match cmd_name(block) {
        "LC_CODE_SIGNATURE" => None,
        "LC_SEGMENT_64" | "LC_SEGMENT" if block.contains("segname __LINKEDIT") => Some(
            block
                .lines()
                .filter(|l| !l.starts_with("vmsize") && !l.starts_with("filesize"))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => Some(block.to_owned()),
    }
}

pub(crate) fn archs(file: &Path) -> Vec<String> {
    let bytes = std::fs::read(file).unwrap();
    fuse::macho::parse(&bytes, "x")
        .unwrap()
        .into_iter()
        .map(|s| s.arch)
        .collect()
}

#[test]
fn every_slice_gets_exactly_one_shim_command_after_the_unchanged_originals() {
    support::require_tool(OBJDUMP);
    let dir = support::tempdir();
    for (name, install_path) in GOOD {
        let exe = main_executable(name);
        let (in_dir, out_dir) = (
            dir.path().join(format!("{name}-in")),
            dir.path().join(format!("{name}-out")),
        );
        std::fs::create_dir_all(&in_dir).unwrap();
        std::fs::create_dir_all(&out_dir).unwrap();
        let input = extract_entry(&crate::ios_support::input(name), &exe, &in_dir);
        let (output_ipa, _) = fused(name);
        let output = extract_entry(&output_ipa, &exe, &out_dir);
        let arch_list = archs(&input);
        assert!(!arch_list.is_empty());
        if name.starts_with("fat") {
            assert_eq!(arch_list.len(), 2, "{name}: {arch_list:?}");
        }
        for arch in arch_list {
            let before = load_commands(&input, &arch);
            let after = load_commands(&output, &arch);
            let shim: Vec<&String> = after
                .iter()
                .filter(|b| b.contains("libfusepin.dylib"))
                .collect();
            assert_eq!(shim.len(), 1, "{name} {arch}: one shim command\n{after:#?}");
            assert_eq!(cmd_name(shim[0]), "LC_LOAD_DYLIB", "{name} {arch}");
            assert!(
                shim[0].contains(&format!("name {install_path} (offset 24)")),
                "{name} {arch}: install path\n{}",
                shim[0]
            );
            let kept_before: Vec<String> = before.iter().filter_map(|b| comparable(b)).collect();
            let kept_after: Vec<String> = after
                .iter()
                .filter(|b| !b.contains("libfusepin.dylib"))
                .filter_map(|b| comparable(b))
                .collect();
            assert_eq!(
                kept_before, kept_after,
                "{name} {arch}: original commands changed or reordered"
            );
            // Placed after the last original command (the signature command may follow).
            let position = after
                .iter()
                .position(|b| b.contains("libfusepin.dylib"))
                .unwrap();
            let originals_after_shim = after[position + 1..]
                .iter()
                .filter(|b| cmd_name(b) != "LC_CODE_SIGNATURE")
                .count();
            assert_eq!(
                originals_after_shim, 0,
                "{name} {arch}: shim command is not last"
            );
        }
    }
}

#[test]
fn otool_lists_the_shim_once_in_thin_outputs() {
    support::require_tool(OTOOL);
    let dir = support::tempdir();
    for name in ["simple", "full", "full-rsa"] {
        let (output_ipa, _) = fused(name);
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        let exe = extract_entry(&output_ipa, &main_executable(name), &sub);
        let run = tool(OTOOL, ["-L".as_ref(), exe.as_os_str()]);
        run.success();
        assert_eq!(
            run.stdout.matches("libfusepin.dylib").count(),
            1,
            "{name}\n{run}"
        );
        let run = tool(OTOOL, ["-l".as_ref(), exe.as_os_str()]);
        run.success();
        assert_eq!(
            run.stdout.matches("libfusepin.dylib").count(),
            1,
            "{name}\n{run}"
        );
    }
}

#[test]
fn lief_parses_every_slice_and_sees_the_shim_once() {
    let dir = support::tempdir();
    let mut files = Vec::new();
    for (name, install_path) in GOOD {
        let (output_ipa, _) = fused(name);
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        let exe = extract_entry(&output_ipa, &main_executable(name), &sub);
        let slices = archs(&exe).len();
        files.push((exe, install_path, slices));
    }
    let script = r#"
import sys, lief
path, install, slices = sys.argv[1], sys.argv[2], int(sys.argv[3])
fat = lief.MachO.parse(path)
assert fat is not None, "lief could not parse " + path
binaries = list(fat)
assert len(binaries) == slices, (len(binaries), slices)
for b in binaries:
    names = [lib.name for lib in b.libraries]
    assert names.count(install) == 1, (b.header.cpu_type, names)
    assert b.has_code_signature, "no code signature"
print("ok", len(binaries))
"#;
    for (exe, install, slices) in files {
        let run = tool(
            "python3",
            [
                "-c".to_owned(),
                script.to_owned(),
                exe.to_string_lossy().into_owned(),
                install.to_owned(),
                slices.to_string(),
            ],
        );
        assert!(
            run.code == 0 && run.stdout.starts_with("ok"),
            "lief on {}:\n{run}\n(pip install -r .ci/requirements.txt)",
            exe.display()
        );
    }
}
