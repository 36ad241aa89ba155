//! Binary XML (src/axml) against the Android tools: every manifest aapt and aapt2 make
//! from `testdata/manifests/src` (UTF-16) and their UTF-8 twins, plus all XML of
//! framework-res.apk, round-trip byte for byte; patched manifests read back through
//! `aapt dump xmltree` / `aapt dump badging` and androguard exactly as intended; every
//! malformed manifest of `testdata/manifests/hostile.py` is a typed error (exit 3), fast.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fuse::axml::manifest::{self, BRIDGE_PROVIDER, ManifestFacts};
use fuse::axml::{AttrName, Document, NewAttribute, NewElement, NewValue};
use fuse::{Error, ExitStatus};

use crate::support::{generated, require_tool, tempdir, tool};

/// How each source manifest is compiled (see testdata/manifests/generate).
const VARIANTS: [&str; 3] = ["aapt", "aapt2", "utf8"];
/// Sources the patch must refuse, with the error kind.
const REFUSED: [(&str, &str); 2] = [
    ("authority-taken", "authority-taken"),
    ("sdk-codename", "manifest-value"),
];

fn fixtures() -> PathBuf {
    generated("manifests")
}

/// Names of the source manifests in testdata/manifests/src.
fn sources() -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(crate::support::repo().join("testdata/manifests/src"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    names
}

fn refused(name: &str) -> Option<&'static str> {
    REFUSED.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
}

fn aapt(args: &[&str]) -> String {
    let run = tool("aapt", args);
    assert_eq!(run.code, 0, "aapt {args:?}\n{run}");
    run.stdout
}

fn xmltree(apk: &Path) -> String {
    aapt(&[
        "dump",
        "xmltree",
        apk.to_str().unwrap(),
        "AndroidManifest.xml",
    ])
}

fn badging(apk: &Path) -> String {
    aapt(&["dump", "badging", apk.to_str().unwrap()])
}

/// A copy of `apk` whose AndroidManifest.xml is `manifest` (as a build tool would write).
fn repackage(apk: &Path, manifest: &[u8], dir: &Path, name: &str) -> PathBuf {
    require_tool("zip");
    let out = dir.join(format!("{name}.apk"));
    fs::copy(apk, &out).unwrap();
    let stage = dir.join(format!("{name}.stage"));
    fs::create_dir_all(&stage).unwrap();
    fs::write(stage.join("AndroidManifest.xml"), manifest).unwrap();
    let status = Command::new("zip")
        .args(["-q", "-X"])
        .arg(&out)
        .arg("AndroidManifest.xml")
        .current_dir(&stage)
        .status()
        .unwrap();
    assert!(status.success(), "zip into {}", out.display());
    out
}

// ---------------------------------------------------------------------------------
// `aapt dump xmltree` as a tree: the oracle's view of a manifest.

#[derive(Debug, Clone)]
struct DumpElement {
    name: String,
    indent: usize,
    line: usize,
    parent: Option<usize>,
    attrs: BTreeMap<String, String>,
}

/// Parses `aapt dump xmltree` output into elements (attribute values as printed: a
/// string without quotes, `(type 0x12)0x0`, `@0x7f020001`).
fn parse_dump(dump: &str) -> Vec<DumpElement> {
    let mut out: Vec<DumpElement> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (line_no, line) in dump.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim_start();
        if let Some(rest) = text.strip_prefix("E: ") {
            while stack.last().is_some_and(|&p| out[p].indent >= indent) {
                stack.pop();
            }
            let name = rest.split(" (line=").next().unwrap().to_owned();
            out.push(DumpElement {
                name,
                indent,
                line: line_no,
                parent: stack.last().copied(),
                attrs: BTreeMap::new(),
            });
            stack.push(out.len() - 1);
        } else if let Some(rest) = text.strip_prefix("A: ") {
            let (key, value) = rest.split_once('=').unwrap();
            let key = key.split('(').next().unwrap().to_owned();
            let value = match value.strip_prefix('"') {
                Some(v) => v
                    .split("\" (Raw: ")
                    .next()
                    .unwrap()
                    .trim_end_matches('"')
                    .to_owned(),
                None => value.split(" (Raw: ").next().unwrap().to_owned(),
            };
            out.last_mut().unwrap().attrs.insert(key, value);
        }
    }
    out
}

fn dump_int(v: &str) -> i64 {
    let hex = v.rsplit("0x").next().unwrap();
    i64::from_str_radix(hex, 16).unwrap()
}

fn dump_bool(v: &str) -> bool {
    assert!(v.starts_with("(type 0x12)"), "{v}");
    dump_int(v) != 0
}

/// Asserts what the platform's attribute finder needs: in every element, attributes
/// with a resource id come first, ascending; the ones without follow.
fn assert_attributes_sorted(dump: &str) {
    let mut last: Option<u32> = None;
    for line in dump.lines().map(str::trim) {
        if line.starts_with("E: ") || line.starts_with("N: ") {
            last = None;
        } else if let Some(attr) = line.strip_prefix("A: ") {
            let key = attr.split('=').next().unwrap();
            let id = key
                .split_once("(0x")
                .map(|(_, id)| u32::from_str_radix(id.trim_end_matches(')'), 16).unwrap())
                .unwrap_or(u32::MAX);
            assert!(
                last.is_none_or(|l| l < id || (l == u32::MAX && id == u32::MAX)),
                "unsorted at {line}\n{dump}"
            );
            last = Some(id);
        }
    }
}

/// The platform's class-name rule (PackageParser.buildClassName).
fn class_name(package: &str, name: &str) -> String {
    if name.starts_with('.') {
        format!("{package}{name}")
    } else if !name.contains('.') {
        format!("{package}.{name}")
    } else {
        name.to_owned()
    }
}

/// The facts as read off aapt's dump, independently of src/axml.
fn facts_from_dump(dump: &str) -> ManifestFacts {
    let tree = parse_dump(dump);
    let root = &tree[0];
    assert_eq!(root.name, "manifest");
    let package = root.attrs["package"].clone();
    let child = |parent: usize, name: &str| -> Vec<usize> {
        (0..tree.len())
            .filter(|&i| tree[i].parent == Some(parent) && tree[i].name == name)
            .collect()
    };
    let sdk = child(0, "uses-sdk");
    let level = |attr: &str| {
        sdk.last()
            .and_then(|&u| tree[u].attrs.get(attr))
            .map(|v| dump_int(v) as u32)
    };
    let min_sdk = level("android:minSdkVersion").unwrap_or(1);
    let app = child(0, "application").first().copied();
    let providers = app
        .map(|a| {
            child(a, "provider")
                .into_iter()
                .map(|p| manifest::Provider {
                    name: tree[p]
                        .attrs
                        .get("android:name")
                        .map(|n| class_name(&package, n)),
                    authorities: tree[p]
                        .attrs
                        .get("android:authorities")
                        .map(|v| v.split(';').map(str::to_owned).collect())
                        .unwrap_or_default(),
                    exported: tree[p].attrs.get("android:exported").map(|v| dump_bool(v)),
                })
                .collect()
        })
        .unwrap_or_default();
    ManifestFacts {
        version_code: root
            .attrs
            .get("android:versionCode")
            .map(|v| dump_int(v) as u32),
        version_name: root.attrs.get("android:versionName").cloned(),
        min_sdk,
        target_sdk: level("android:targetSdkVersion").unwrap_or(min_sdk),
        extract_native_libs: app
            .and_then(|a| tree[a].attrs.get("android:extractNativeLibs"))
            .map(|v| dump_bool(v)),
        has_application: app.is_some(),
        application_class: app
            .and_then(|a| tree[a].attrs.get("android:name"))
            .map(|n| class_name(&package, n)),
        providers,
        package,
    }
}

/// The dump's lines with fuse's provider block (and an `application` element the patch
/// created) taken out, indentation dropped; and the provider block's attribute lines.
fn split_provider(dump: &str, created_application: bool) -> (Vec<String>, Vec<Vec<String>>) {
    let lines: Vec<&str> = dump.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut rest = Vec::new();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        let ours = l.trim_start().starts_with("E: provider ")
            && lines.get(i + 1).is_some_and(|n| {
                n.contains(&format!("android:name(0x01010003)=\"{BRIDGE_PROVIDER}\""))
            });
        if ours {
            let mut block = Vec::new();
            let mut j = i + 1;
            while j < lines.len() && indent(lines[j]) > indent(l) {
                block.push(lines[j].trim().to_owned());
                j += 1;
            }
            // It sits directly inside <application>.
            let parent = lines[..i]
                .iter()
                .rev()
                .find(|p| p.trim_start().starts_with("E: ") && indent(p) < indent(l))
                .unwrap();
            assert!(parent.trim_start().starts_with("E: application "), "{dump}");
            assert_eq!(indent(parent) + 2, indent(l), "{dump}");
            blocks.push(block);
            i = j;
            continue;
        }
        if !(created_application && l.trim_start().starts_with("E: application ")) {
            rest.push(l.trim().to_owned());
        }
        i += 1;
    }
    (rest, blocks)
}

// ---------------------------------------------------------------------------------

#[test]
fn every_generated_manifest_round_trips_byte_for_byte() {
    let dir = fixtures();
    let mut utf8 = 0;
    let mut utf16 = 0;
    for name in sources() {
        for variant in VARIANTS {
            let path = dir.join(format!("{name}.{variant}.xml"));
            let bytes = fs::read(&path).unwrap();
            let doc =
                Document::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                doc.encode().unwrap() == bytes,
                "{} changed on re-encode",
                path.display()
            );
            if doc.pool().is_utf8() {
                utf8 += 1;
            } else {
                utf16 += 1;
            }
            assert_eq!(
                doc.pool().is_utf8(),
                variant == "utf8",
                "{}",
                path.display()
            );
        }
    }
    assert!(utf8 >= 10 && utf16 >= 20, "utf8 {utf8}, utf16 {utf16}");
}

#[test]
fn framework_res_xml_round_trips_byte_for_byte() {
    let dir = fixtures().join("framework-res");
    fn walk(p: &Path, files: &mut Vec<PathBuf>) {
        for e in fs::read_dir(p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, files);
            } else if p.extension().is_some_and(|x| x == "xml") {
                files.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&dir, &mut files);
    assert!(files.len() > 1000, "{} files", files.len());
    for f in &files {
        let bytes = fs::read(f).unwrap();
        let doc = Document::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(doc.encode().unwrap() == bytes, "{} changed", f.display());
    }

    // The manifest of the platform itself patches like any other.
    let bytes = fs::read(dir.join("AndroidManifest.xml")).unwrap();
    let (patched, facts) = manifest::patch(&bytes).unwrap();
    assert_eq!(facts.package, "android");
    let again = manifest::patch(&patched).unwrap().0;
    assert!(again == patched, "patching twice differs from once");
}

#[test]
fn a_styled_utf8_string_pool_round_trips_and_takes_new_strings() {
    use fuse::axml::chunk::ChunkHeader;
    use fuse::axml::string_pool::StringPool;
    let bytes = fs::read(fixtures().join("framework-res/arsc-string-pool.bin")).unwrap();
    let header = ChunkHeader::read(&bytes, 0, 28, "string pool").unwrap();
    let mut pool = StringPool::decode(&bytes, header).unwrap();
    assert!(pool.is_utf8() && pool.style_count() > 100 && pool.len() > 100_000);
    let mut out = Vec::new();
    pool.encode(&mut out).unwrap();
    assert!(
        out == bytes,
        "resources.arsc string pool changed on re-encode"
    );

    let styled: Vec<_> = (0..pool.style_count())
        .map(|i| pool.style_spans(i))
        .collect();
    pool.insert(0, "fuse ✓").unwrap();
    out.clear();
    pool.encode(&mut out).unwrap();
    let header = ChunkHeader::read(&out, 0, 28, "string pool").unwrap();
    let pool = StringPool::decode(&out, header).unwrap();
    assert_eq!(pool.get(0), Some("fuse ✓"));
    assert!(pool.style_spans(0).is_empty());
    for (i, spans) in styled.iter().enumerate() {
        let moved: Vec<_> = spans.iter().map(|&(n, a, b)| (n + 1, a, b)).collect();
        assert_eq!(pool.style_spans(i + 1), moved, "style {i}");
    }
}

#[test]
fn manifest_facts_match_aapt() {
    let dir = fixtures();
    for name in sources() {
        for variant in VARIANTS {
            let apk = dir.join(format!("{name}.{variant}.apk"));
            let bytes = fs::read(dir.join(format!("{name}.{variant}.xml"))).unwrap();
            let doc = Document::decode(&bytes).unwrap();
            let dump = xmltree(&apk);
            if name == "sdk-codename" {
                let e = manifest::read_facts(&doc).unwrap_err();
                assert_eq!(e.kind(), "manifest-value");
                assert!(e.to_string().contains("\"Tiramisu\""), "{e}");
                continue;
            }
            let facts =
                manifest::read_facts(&doc).unwrap_or_else(|e| panic!("{name}.{variant}: {e}"));
            assert_eq!(facts, facts_from_dump(&dump), "{name}.{variant}\n{dump}");

            let b = badging(&apk);
            let first = b.lines().next().unwrap();
            assert!(
                first.contains(&format!("name='{}'", facts.package)),
                "{first}"
            );
            let code = facts
                .version_code
                .map(|c| c.to_string())
                .unwrap_or_default();
            assert!(
                first.contains(&format!("versionCode='{code}'")),
                "{name}: {first}"
            );
            if let Some(v) = facts
                .version_name
                .as_deref()
                .filter(|v| !v.starts_with('@'))
            {
                assert!(
                    first.contains(&format!("versionName='{v}'")),
                    "{name}: {first}"
                );
            }
            // aapt leaves out the lines whose attribute is absent: then the defaults hold.
            let line = |key: &str| {
                b.lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim_matches('\'').parse::<u32>().unwrap())
            };
            assert_eq!(
                line("sdkVersion:").unwrap_or(1),
                facts.min_sdk,
                "{name}: {b}"
            );
            assert_eq!(
                line("targetSdkVersion:").unwrap_or(facts.min_sdk),
                facts.target_sdk,
                "{name}: {b}"
            );
        }
    }
}

#[test]
fn patched_manifests_read_back_through_aapt_as_intended() {
    let dir = fixtures();
    let scratch = tempdir();
    let mut androguard_cases = Vec::new();
    for name in sources() {
        for variant in VARIANTS {
            let label = format!("{name}.{variant}");
            let bytes = fs::read(dir.join(format!("{label}.xml"))).unwrap();
            if let Some(kind) = refused(&name) {
                let e = manifest::patch(&bytes).unwrap_err();
                assert_eq!(e.kind(), kind, "{label}: {e}");
                assert_eq!(Error::from(e).exit_status(), ExitStatus::BadPackage);
                continue;
            }
            let (patched, facts) =
                manifest::patch(&bytes).unwrap_or_else(|e| panic!("{label}: {e}"));
            let (twice, _) = manifest::patch(&patched).unwrap();
            assert!(
                twice == patched,
                "{label}: patching twice differs from patching once"
            );

            let original = dir.join(format!("{label}.apk"));
            let apk = repackage(&original, &patched, scratch.path(), &label);

            // xmltree: the original tree plus exactly one provider block, in <application>.
            let before = xmltree(&original);
            let after = xmltree(&apk);
            let (rest_before, _) = split_provider(&before, false);
            let (rest_after, blocks) = split_provider(&after, !facts.has_application);
            assert_eq!(
                rest_after, rest_before,
                "{label}: the rest of the manifest changed\n{after}"
            );
            let authority = format!("{}.fuse", facts.package);
            let want = [
                format!(
                    "A: android:name(0x01010003)=\"{BRIDGE_PROVIDER}\" (Raw: \"{BRIDGE_PROVIDER}\")"
                ),
                "A: android:exported(0x01010010)=(type 0x12)0x0".to_owned(),
                format!(
                    "A: android:authorities(0x01010018)=\"{authority}\" (Raw: \"{authority}\")"
                ),
                "A: android:initOrder(0x0101001a)=(type 0x10)0x7fffffff".to_owned(),
            ];
            assert_eq!(blocks, vec![want.to_vec()], "{label}\n{after}");
            assert_attributes_sorted(&after);

            // badging: the same app in every respect aapt reports (an <application> the
            // patch had to create shows as an empty application line).
            let mut after_badging = badging(&apk);
            if !facts.has_application {
                after_badging = after_badging.replace("application: label='' icon=''\n", "");
            }
            assert_eq!(after_badging, badging(&original), "{label}");

            // Our own reader sees the provider too, and nothing else moved.
            let facts_after = manifest::read_facts(&Document::decode(&patched).unwrap()).unwrap();
            assert!(facts_after.is_fused());
            assert_eq!(facts_after.package, facts.package);
            assert_eq!(
                (
                    facts_after.min_sdk,
                    facts_after.target_sdk,
                    facts_after.version_code
                ),
                (facts.min_sdk, facts.target_sdk, facts.version_code)
            );
            androguard_cases.push((apk, facts.package.clone()));
        }
    }
    assert!(androguard_cases.len() >= 30);
    androguard_reads_the_provider(&androguard_cases);
}

/// androguard (PyPI), an independent parser: same package, and the bridge provider.
fn androguard_reads_the_provider(cases: &[(PathBuf, String)]) {
    let script = r#"
import sys
try:
    from loguru import logger
    logger.remove()
    from androguard.core.apk import APK
except ImportError as e:
    sys.exit(f"androguard is not installed ({e}) — run: python3 -m pip install -r .ci/requirements.txt")
args = sys.argv[1:]
for path, package in zip(args[::2], args[1::2]):
    apk = APK(path)
    assert apk.get_package() == package, (path, apk.get_package())
    providers = apk.get_providers()
    assert providers.count("fuse.bridge.FuseProvider") == 1, (path, providers)
    print("ok", path)
"#;
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script);
    for (apk, package) in cases {
        cmd.arg(apk).arg(package);
    }
    require_tool("python3");
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.lines().count() == cases.len(),
        "androguard\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn general_edits_renumber_the_map_region_and_aapt_reads_them() {
    // aapt2 puts every id'd attribute name first: inserting a new one shifts every other
    // string index in the document.
    let dir = fixtures();
    let scratch = tempdir();
    for variant in VARIANTS {
        let label = format!("full.{variant}");
        let bytes = fs::read(dir.join(format!("{label}.xml"))).unwrap();
        let mut doc = Document::decode(&bytes).unwrap();
        let map_before = doc.resource_map().unwrap().len();
        let root = doc.root().unwrap();
        let app = doc.children_named(root, "application")[0];
        doc.set_attribute(
            app,
            &NewAttribute {
                name: AttrName::android("icon", 0x0101_0002),
                value: NewValue::Reference(0x0108_0093),
            },
        )
        .unwrap();
        doc.set_attribute(
            app,
            &NewAttribute {
                name: AttrName::android("label", 0x0101_0001),
                value: NewValue::String("Relabelled"),
            },
        )
        .unwrap();
        let activity = doc.children_named(app, "activity")[0];
        doc.remove_element(activity).unwrap();
        let app = doc.children_named(doc.root().unwrap(), "application")[0];
        doc.append_child(
            app,
            &NewElement {
                name: "meta-data",
                attributes: vec![
                    NewAttribute {
                        name: AttrName::android("name", 0x0101_0003),
                        value: NewValue::String("added"),
                    },
                    NewAttribute {
                        name: AttrName::android("value", 0x0101_0024),
                        value: NewValue::IntHex(0xCAFE),
                    },
                    NewAttribute {
                        name: AttrName::plain("note"),
                        value: NewValue::String("no id"),
                    },
                ],
            },
        )
        .unwrap();
        let out = doc.encode().unwrap();
        let reread = Document::decode(&out).unwrap();
        assert!(reread.resource_map().unwrap().len() > map_before, "{label}");

        let apk = repackage(
            &dir.join(format!("{label}.apk")),
            &out,
            scratch.path(),
            &label,
        );
        let dump = xmltree(&apk);
        assert_attributes_sorted(&dump);
        let tree = parse_dump(&dump);
        let app = tree.iter().position(|e| e.name == "application").unwrap();
        let a = &tree[app].attrs;
        assert_eq!(a["android:icon"], "@0x01080093", "{dump}");
        assert_eq!(a["android:label"], "Relabelled", "{dump}");
        assert_eq!(a["android:name"], ".FullApp", "{dump}");
        assert!(!tree.iter().any(|e| {
            e.name == "activity"
                && e.attrs
                    .get("android:name")
                    .is_some_and(|n| n == ".MainActivity")
        }));
        let added = tree.iter().rev().find(|e| e.name == "meta-data").unwrap();
        assert_eq!(added.parent, Some(app));
        assert_eq!(added.attrs["android:name"], "added");
        assert_eq!(added.attrs["android:value"], "(type 0x11)0xcafe");
        assert_eq!(added.attrs["note"], "no id");
        // Attribute order as aapt prints it: by resource id, the id-less one last.
        let lines: Vec<&str> = dump
            .lines()
            .skip(added.line + 1)
            .take(3)
            .map(str::trim)
            .collect();
        assert!(
            lines[0].starts_with("A: android:name(")
                && lines[1].starts_with("A: android:value(")
                && lines[2].starts_with("A: note="),
            "{dump}"
        );
        // Everything else still reads the same.
        let providers = tree.iter().filter(|e| e.name == "provider").count();
        assert_eq!(providers, 2, "{dump}");
        assert!(dump.contains("android.intent.action.BOOT_COMPLETED"));
    }
}

#[test]
fn hostile_manifests_are_typed_errors_without_panics() {
    let dir = fixtures().join("hostile");
    let table = fs::read_to_string(dir.join("expected.tsv")).unwrap();
    let mut cases = 0;
    for line in table.lines() {
        let (file, kind) = line.split_once('\t').unwrap();
        let bytes = fs::read(dir.join(file)).unwrap();
        let start = Instant::now();
        let result = std::panic::catch_unwind(|| manifest::patch(&bytes));
        let elapsed = start.elapsed();
        let error = match result {
            Ok(Err(e)) => e,
            Ok(Ok(_)) => panic!("{file}: accepted"),
            Err(_) => panic!("{file}: panicked"),
        };
        assert_eq!(error.kind(), kind, "{file}: {error}");
        // A bound against hangs, not a benchmark: the same 5 s every hostile case gets
        // (docs/testing.md), generous enough for a debug build on a loaded CI machine.
        assert!(elapsed < Duration::from_secs(5), "{file}: took {elapsed:?}");
        let message = error.to_string();
        assert!(
            !message.contains('\n') && message.contains(" — "),
            "{file}: {message}"
        );
        assert_eq!(
            Error::from(error).exit_status(),
            ExitStatus::BadPackage,
            "{file}"
        );
        cases += 1;
    }
    assert!(cases >= 15, "{cases} hostile cases");
}

#[test]
fn attribute_ids_match_framework_res() {
    use fuse::axml::manifest::attr;
    let dump = aapt(&[
        "dump",
        "resources",
        "/usr/share/android-framework-res/framework-res.apk",
    ]);
    let table = [
        (attr::NAME, "name"),
        (attr::EXPORTED, "exported"),
        (attr::AUTHORITIES, "authorities"),
        (attr::INIT_ORDER, "initOrder"),
        (attr::MIN_SDK_VERSION, "minSdkVersion"),
        (attr::VERSION_CODE, "versionCode"),
        (attr::VERSION_NAME, "versionName"),
        (attr::TARGET_SDK_VERSION, "targetSdkVersion"),
        (attr::EXTRACT_NATIVE_LIBS, "extractNativeLibs"),
    ];
    for (id, name) in table {
        let line = format!("spec resource {id:#010x} android:attr/{name}:");
        assert!(dump.contains(&line), "framework-res has no `{line}`");
    }
}

/// A poor man's fuzzer until `fuzz/` exists: seeded random byte mutations of real
/// manifests. Whatever decodes must re-encode byte for byte; whatever patches must
/// decode again and patch idempotently; nothing may panic.
#[test]
fn mutated_manifests_never_panic_and_round_trip_when_accepted() {
    let dir = fixtures();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut accepted, mut patched) = (0, 0);
    for name in ["full", "minimal", "many-namespaces", "non-ascii"] {
        for variant in VARIANTS {
            let base = fs::read(dir.join(format!("{name}.{variant}.xml"))).unwrap();
            for _ in 0..400 {
                let mut bytes = base.clone();
                for _ in 0..=(next() % 4) {
                    let at = (next() as usize) % bytes.len();
                    match next() % 4 {
                        0 => bytes[at] = next() as u8,
                        1 => bytes[at] ^= 1 << (next() % 8),
                        2 => bytes[at] = [0, 0xFF, 0x7F, 0x80][(next() % 4) as usize],
                        _ => bytes.truncate(at.max(1)),
                    }
                }
                let outcome = std::panic::catch_unwind(|| {
                    let doc = Document::decode(&bytes).ok()?;
                    assert!(
                        doc.encode().unwrap() == bytes,
                        "accepted input did not round-trip"
                    );
                    let (out, _) = manifest::patch(&bytes).ok()?;
                    let again = manifest::patch(&out)
                        .expect("patched output must patch again")
                        .0;
                    assert!(again == out, "patch not idempotent");
                    Some(())
                });
                match outcome {
                    Ok(Some(())) => patched += 1,
                    Ok(None) => {}
                    Err(_) => {
                        let path = crate::support::scratch().join("axml-crash.bin");
                        fs::write(&path, &bytes).unwrap();
                        panic!(
                            "{name}.{variant}: panic on a mutation, saved to {}",
                            path.display()
                        );
                    }
                }
                if Document::decode(&bytes).is_ok() {
                    accepted += 1;
                }
            }
        }
    }
    // The mutations must reach past the first checks now and then.
    assert!(
        accepted > 100 && patched > 50,
        "accepted {accepted}, patched {patched}"
    );
}
