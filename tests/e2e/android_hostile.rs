//! DESIGN §8 for `fuse build`: malformed manifests and dex sets, ABIs without a shim and
//! broken previous fusions are refused with exit 3 and one clear line, leaving no output
//! file (and no temp file) behind and the input untouched.
//!
//! Variants are made here from the fixture `min21-native-stored.apk` (and from its fused
//! output) by rewriting entries with fuse's own ZIP writer, so only the one thing under
//! test is wrong. The 37 malformed manifests come from `testdata/manifests/hostile.py`.

use std::path::{Path, PathBuf};

use fuse::axml::{AttrName, Document, NewAttribute, NewValue};
use fuse::zip::{Archive, Compression, DosTime, ZipWriter};

use crate::android_build::{PRODUCTION, build, fused};
use crate::support::{self, generated, tempdir};

/// `(name, uncompressed bytes, stored)` of every entry, in file order.
pub type Entries = Vec<(String, Vec<u8>, bool)>;

pub fn read_entries(apk: &Path) -> Entries {
    let a = Archive::open(apk).unwrap();
    let mut v: Vec<_> = a.entries().iter().collect();
    v.sort_by_key(|e| e.local_offset);
    v.into_iter()
        .filter(|e| !fuse::apk::v1::is_signature_file(&e.name))
        .map(|e| {
            (
                e.name.clone(),
                a.read_entry(e, 64 << 20).unwrap(),
                e.is_stored(),
            )
        })
        .collect()
}

/// Writes `entries` as a plain (unsigned) ZIP; names are written as given, duplicates too.
pub fn write_zip(path: &Path, entries: &[(String, Vec<u8>, bool)]) {
    let mut w = ZipWriter::new(Vec::new(), DosTime::DEFAULT);
    for (name, data, stored) in entries {
        let c = if *stored {
            Compression::Stored
        } else {
            Compression::Deflated
        };
        w.add_entry(name, data, c, 4).unwrap();
    }
    let offset = w.offset();
    let (cd, eocd) = w.finish_records(offset).unwrap();
    w.write_raw(&cd).unwrap();
    w.write_raw(&eocd).unwrap();
    std::fs::write(path, w.into_inner()).unwrap();
}

fn set(entries: &mut Entries, name: &str, data: Vec<u8>) {
    match entries.iter_mut().find(|e| e.0 == name) {
        Some(e) => e.1 = data,
        None => entries.push((name.to_owned(), data, false)),
    }
}

fn rename(entries: &mut Entries, from: &str, to: &str) {
    let e = entries.iter_mut().find(|e| e.0 == from).unwrap();
    e.0 = to.to_owned();
}

fn remove(entries: &mut Entries, name: &str) {
    let before = entries.len();
    entries.retain(|e| e.0 != name);
    assert_eq!(entries.len() + 1, before, "{name}");
}

fn get(entries: &Entries, name: &str) -> Vec<u8> {
    entries.iter().find(|e| e.0 == name).unwrap().1.clone()
}

/// One hostile input and a phrase its error line must contain.
struct Case {
    name: String,
    file: PathBuf,
    phrase: String,
}

fn cases(dir: &Path) -> Vec<Case> {
    let base = read_entries(&generated("apk").join("min21-native-stored.apk"));
    let fused_out = &fused()[2];
    assert_eq!(fused_out.name, "min21-native-stored");
    let fused_entries = read_entries(&fused_out.output);
    let so = get(&base, "lib/arm64-v8a/libfixture.so");
    let dex2 = get(&base, "classes2.dex");

    let mut out = Vec::new();
    let mut add = |name: &str, phrase: &str, entries: Entries| {
        let file = dir.join(format!("{name}.apk"));
        write_zip(&file, &entries);
        out.push(Case {
            name: name.to_owned(),
            file,
            phrase: phrase.to_owned(),
        });
    };

    // Malformed binary manifests (truncated pools, out-of-range indices, size lies,
    // huge counts, nesting, bad strings, …).
    let manifests = generated("manifests").join("hostile");
    let tsv = std::fs::read_to_string(manifests.join("expected.tsv")).unwrap();
    for line in tsv.lines() {
        let file = line.split('\t').next().unwrap();
        let mut e = base.clone();
        set(
            &mut e,
            "AndroidManifest.xml",
            std::fs::read(manifests.join(file)).unwrap(),
        );
        add(
            &format!("manifest-{}", file.trim_end_matches(".xml")),
            "AndroidManifest.xml",
            e,
        );
    }

    // A well-formed manifest the platform would load no code for.
    let mut doc = Document::decode(&get(&base, "AndroidManifest.xml")).unwrap();
    let root = doc.root().unwrap();
    let app = doc.children_named(root, "application")[0];
    doc.set_attribute(
        app,
        &NewAttribute {
            name: AttrName::android("hasCode", 0x0101_000c),
            value: NewValue::Boolean(false),
        },
    )
    .unwrap();
    let mut e = base.clone();
    set(&mut e, "AndroidManifest.xml", doc.encode().unwrap());
    add("has-code-false", "hasCode", e);

    let mut e = base.clone();
    remove(&mut e, "AndroidManifest.xml");
    add("missing-manifest", "without AndroidManifest.xml", e);

    let mut e = base.clone();
    let m = get(&e, "AndroidManifest.xml");
    e.push(("AndroidManifest.xml".into(), m.clone(), false));
    add("two-manifests", "occurs twice", e);

    let mut e = base.clone();
    e.push(("androidmanifest.xml".into(), m, false));
    add("two-manifests-by-case", "up to letter case", e);

    let mut e = base.clone();
    rename(&mut e, "classes2.dex", "classes3.dex");
    add("dex-gap", "classes3.dex without classes2.dex", e);

    let mut e = base.clone();
    rename(&mut e, "classes2.dex", "classes1.dex");
    add("dex-named-classes1", "classes1.dex", e);

    let mut e = base.clone();
    rename(&mut e, "classes2.dex", "classes02.dex");
    add("dex-leading-zero", "leading zero", e);

    let mut e = base.clone();
    rename(&mut e, "classes.dex", "classes3.dex");
    add(
        "dex-without-classes-dex",
        "classes2.dex without classes.dex",
        e,
    );

    let mut e = base.clone();
    set(&mut e, "classes2.dex", dex2[..60].to_vec());
    add("dex-shorter-than-header", "shorter than a DEX header", e);

    let mut e = base.clone();
    set(&mut e, "classes2.dex", dex2[..dex2.len() / 2].to_vec());
    add("dex-truncated", "header says", e);

    let mut e = base.clone();
    let mut d = dex2.clone();
    d[..4].copy_from_slice(b"PK\x03\x04");
    set(&mut e, "classes2.dex", d);
    add("dex-bad-magic", "DEX magic", e);

    let mut e = base.clone();
    let mut d = dex2.clone();
    d[0x28..0x2c].copy_from_slice(&0x7856_3412u32.to_le_bytes());
    set(&mut e, "classes2.dex", d);
    add("dex-big-endian", "endian tag", e);

    let mut e = base.clone();
    let mut d = dex2.clone();
    d[0x24..0x28].copy_from_slice(&u32::MAX.to_le_bytes());
    set(&mut e, "classes2.dex", d);
    add("dex-header-size-lie", "header size", e);

    for (abi, phrase) in [
        ("mips", "no shim for it"),
        ("armeabi", "no shim for it"),
        ("riscv64", "no shim for it"),
        ("sparc64", "not an Android ABI name"),
    ] {
        let mut e = base.clone();
        e.push((format!("lib/{abi}/libfixture.so"), so.clone(), true));
        add(&format!("abi-{abi}"), phrase, e);
    }

    let mut e = base.clone();
    e.push(("lib/arm64-v8a/libfusepin.so".into(), so.clone(), true));
    add("own-library-named-libfusepin", "not fused", e);

    let mut e = base.clone();
    e.push((
        "assets/fuse/policy.bin".into(),
        get(&fused_entries, "assets/fuse/policy.bin"),
        false,
    ));
    add("policy-without-fusion", "parts of a fuse fusion", e);

    let mut e = fused_entries.clone();
    remove(&mut e, "assets/fuse/policy.bin");
    add("fused-without-policy", "missing: assets/fuse/policy.bin", e);

    let mut e = fused_entries.clone();
    remove(&mut e, "classes3.dex");
    add("fused-without-bridge", "the bridge as the last dex file", e);

    let mut e = fused_entries.clone();
    set(
        &mut e,
        "assets/fuse/origin.sha256",
        b"not a digest\n".to_vec(),
    );
    add("fused-origin-corrupt", "not one SHA-256", e);

    let mut e = fused_entries.clone();
    let mut d = get(&e, "classes3.dex");
    let n = d.len() as u32;
    d[0x64..0x68].copy_from_slice(&(n - 8).to_le_bytes());
    set(&mut e, "classes3.dex", d);
    add("fused-bridge-class-defs-lie", "class_defs", e);

    out
}

#[test]
fn hostile_apks_are_refused_with_exit_3_one_line_and_no_output() {
    let dir = tempdir();
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let outputs = dir.path().join("out");
    std::fs::create_dir_all(&outputs).unwrap();
    let all = cases(&inputs);
    assert!(all.len() >= 37 + 23, "{} cases", all.len());
    let fs = support::repo().join(PRODUCTION);
    let mut failures = Vec::new();
    for c in &all {
        let before = support::sha256_file(&c.file);
        let out = outputs.join(format!("{}-fused.apk", c.name));
        let started = std::time::Instant::now();
        let run = build(&c.file, &fs, &out, &[]);
        let took = started.elapsed();
        let line = run
            .stderr
            .lines()
            .filter(|l| !l.starts_with("warning: "))
            .collect::<Vec<_>>();
        // A bound against hangs (each case takes milliseconds; CI shares two cores).
        let ok = run.code == 3
            && line.len() == 1
            && line[0].starts_with("error: ")
            && line[0].contains(&c.phrase)
            && !run.stderr.contains("panicked")
            && run.stdout.is_empty()
            && took < std::time::Duration::from_secs(20);
        if !ok {
            failures.push(format!(
                "{}: want exit 3 with {:?}\n{run}",
                c.name, c.phrase
            ));
        }
        assert_eq!(
            support::sha256_file(&c.file),
            before,
            "{}: input changed",
            c.name
        );
    }
    let left: Vec<_> = std::fs::read_dir(&outputs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        left.is_empty(),
        "output or temp files left behind: {left:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
