//! Structure of the committed prebuilt shims, read by LLVM's own tools (DESIGN §6):
//! `llvm-readelf` per Android ABI (machine, SONAME, NEEDED, 16 KiB segments, JNI-only
//! exports, imports covered by the stub lists, no text relocations) and `llvm-otool` /
//! `llvm-nm` / `llvm-objdump` on the iOS dylib (arm64, install name, iOS ≥ 14,
//! constructor, system libraries only). Each shim stays ≤ 400 KiB.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support;

const MAX_SHIM_BYTES: u64 = 400 << 10;

const JNI_EXPORTS: [&str; 4] = [
    "JNI_OnLoad",
    "Java_fuse_bridge_FuseNative_evaluate",
    "Java_fuse_bridge_FuseNative_init",
    "Java_fuse_bridge_FuseNative_version",
];

fn prebuilt(rel: &str) -> PathBuf {
    support::repo().join("payloads/prebuilt").join(rel)
}

/// Names in a `payloads/stubs/*.symbols` list.
fn stub_symbols(list: &str) -> BTreeSet<String> {
    fs::read_to_string(support::repo().join("payloads/stubs").join(list))
        .unwrap()
        .lines()
        .map(|l| l.split('#').next().unwrap().trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// `(defined, undefined)` dynamic symbols from `llvm-readelf --dyn-syms`.
fn dyn_syms(readelf: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut defined = BTreeSet::new();
    let mut undefined = BTreeSet::new();
    let table = readelf
        .split("Symbol table '.dynsym'")
        .nth(1)
        .expect("a .dynsym table");
    for line in table.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // Num: Value Size Type Bind Vis Ndx Name
        if cols.len() < 8 {
            continue;
        }
        let name = cols[7].split('@').next().unwrap().to_owned();
        if cols[6] == "UND" {
            undefined.insert(name)
        } else {
            defined.insert(name)
        };
    }
    (defined, undefined)
}

fn check_android(abi: &str, machine: &str) {
    let so = prebuilt(&format!("android/{abi}/libfusepin.so"));
    let size = fs::metadata(&so).unwrap().len();
    assert!(size <= MAX_SHIM_BYTES, "{abi}: {size} bytes > 400 KiB");

    let out = support::tool(
        "llvm-readelf",
        [
            "-h".as_ref(),
            "-d".as_ref(),
            "-l".as_ref(),
            "--dyn-syms".as_ref(),
            so.as_os_str(),
        ],
    );
    out.success();
    let text = &out.stdout;

    let machine_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Machine:"))
        .unwrap();
    assert!(machine_line.ends_with(machine), "{abi}: {machine_line}");
    assert!(
        text.contains("Library soname: [libfusepin.so]"),
        "{abi}: SONAME\n{text}"
    );

    let needed: BTreeSet<&str> = text
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .collect();
    assert_eq!(
        needed,
        BTreeSet::from(["libc.so", "liblog.so"]),
        "{abi}: only bionic system libraries"
    );

    let loads: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("LOAD"))
        .collect();
    assert!(!loads.is_empty(), "{abi}: no LOAD segments");
    for l in &loads {
        assert_eq!(
            l.split_whitespace().last(),
            Some("0x4000"),
            "{abi}: segment not 16 KiB aligned: {l}"
        );
    }
    assert!(!text.contains("TEXTREL"), "{abi}: text relocations\n{text}");
    assert!(
        text.contains("(GNU_HASH)") && text.contains("(HASH)"),
        "{abi}: API 21-22 need DT_HASH"
    );

    let (defined, undefined) = dyn_syms(text);
    assert_eq!(
        defined,
        JNI_EXPORTS.iter().map(|s| s.to_string()).collect(),
        "{abi}: exports"
    );
    let stubs: BTreeSet<String> = stub_symbols("libc.symbols")
        .union(&stub_symbols("liblog.symbols"))
        .cloned()
        .collect();
    let unknown: Vec<_> = undefined
        .iter()
        .filter(|s| !s.is_empty() && !stubs.contains(*s))
        .collect();
    assert!(
        unknown.is_empty(),
        "{abi}: imports outside payloads/stubs: {unknown:?}"
    );
}

#[test]
fn android_arm64_v8a() {
    check_android("arm64-v8a", "AArch64");
}

#[test]
fn android_armeabi_v7a() {
    check_android("armeabi-v7a", "ARM");
}

#[test]
fn android_x86() {
    check_android("x86", "Intel 80386");
}

#[test]
fn android_x86_64() {
    check_android("x86_64", "Advanced Micro Devices X86-64");
}

#[test]
fn ios_dylib() {
    let dylib = prebuilt("ios/libfusepin.dylib");
    let size = fs::metadata(&dylib).unwrap().len();
    assert!(size <= MAX_SHIM_BYTES, "ios: {size} bytes > 400 KiB");

    let header = support::tool("llvm-otool-14", ["-hv".as_ref(), dylib.as_os_str()]);
    header.success();
    let fields: Vec<&str> = header
        .stdout
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(fields[..2], ["MH_MAGIC_64", "ARM64"], "{}", header.stdout);
    assert_eq!(fields[4], "DYLIB", "{}", header.stdout);

    let load = support::tool("llvm-otool-14", ["-l".as_ref(), dylib.as_os_str()]);
    load.success();
    let commands = commands(&load.stdout);
    let id = commands
        .iter()
        .find(|c| c.get("cmd").map(String::as_str) == Some("LC_ID_DYLIB"))
        .unwrap();
    assert!(id["name"].starts_with("@rpath/libfusepin.dylib "), "{id:?}");
    let build = commands
        .iter()
        .find(|c| c.get("cmd").map(String::as_str) == Some("LC_BUILD_VERSION"))
        .unwrap();
    assert_eq!(build["platform"], "ios");
    let minos: f64 = build["minos"].parse().unwrap();
    assert!(minos >= 14.0, "minos {minos}");
    for lib in commands
        .iter()
        .filter(|c| c.get("cmd").map(String::as_str) == Some("LC_LOAD_DYLIB"))
    {
        let name = &lib["name"];
        assert!(
            name.starts_with("/usr/lib/") || name.starts_with("/System/Library/"),
            "non-system library {name}"
        );
    }

    // The constructor: the one __mod_init_func entry points at the exported init function.
    let nm = support::tool("llvm-nm", ["-gU".as_ref(), dylib.as_os_str()]);
    nm.success();
    let init = nm
        .stdout
        .lines()
        .find(|l| l.ends_with(" T _fusepin_ios_init"))
        .unwrap_or_else(|| panic!("no constructor symbol\n{}", nm.stdout));
    let init_addr = u64::from_str_radix(init.split_whitespace().next().unwrap(), 16).unwrap();
    let dump = support::tool(
        "llvm-objdump",
        [
            "--macho".as_ref(),
            "-s".as_ref(),
            "--section=__DATA_CONST,__mod_init_func".as_ref(),
            dylib.as_os_str(),
        ],
    );
    dump.success();
    let entries: Vec<u64> = dump
        .stdout
        .lines()
        .filter(|l| l.starts_with("0x"))
        .map(|l| {
            u64::from_str_radix(
                l.split_whitespace()
                    .nth(1)
                    .unwrap()
                    .trim_start_matches("0x"),
                16,
            )
            .unwrap()
        })
        .collect();
    assert_eq!(
        entries,
        [init_addr],
        "__mod_init_func must hold exactly the constructor\n{}",
        dump.stdout
    );
}

/// `llvm-otool -l` as one map of `key -> rest of line` per load command.
fn commands(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut out: Vec<std::collections::BTreeMap<String, String>> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("Load command") {
            out.push(Default::default());
            continue;
        }
        if let (Some(cmd), Some((k, v))) = (out.last_mut(), line.split_once(' ')) {
            cmd.entry(k.to_owned())
                .or_insert_with(|| v.trim().to_owned());
        }
    }
    out
}

/// The host build the JVM test loads exports the same JNI entry points as the devices'.
#[test]
fn host_shim_exports_the_same_jni_symbols() {
    let so = crate::jvm_bridge::host_shim().join("libfusepin.so");
    let out = support::tool(
        "llvm-readelf",
        ["--dyn-syms".as_ref(), Path::new(&so).as_os_str()],
    );
    out.success();
    let (defined, _) = dyn_syms(&out.stdout);
    for name in JNI_EXPORTS {
        assert!(defined.contains(name), "host shim lacks {name}");
    }
}
