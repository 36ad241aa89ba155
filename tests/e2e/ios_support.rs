//! Shared helpers of the iOS end-to-end tests: the generated fixtures, fused outputs built
//! once per run, and small archive readers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::support;

/// The output of `testdata/ios/generate`.
pub fn fixtures() -> PathBuf {
    support::generated("ios")
}

/// The real prebuilt shim the CLI embeds.
pub fn test_dylib() -> Vec<u8> {
    fuse::payloads::ios_shim().to_vec()
}

/// Opaque policy bytes: the IPA pipeline copies them, it never interprets them.
pub const TEST_POLICY: &[u8] = b"fuse test policy blob\n";

/// The good input fixtures and the install path each must get.
pub const GOOD: [(&str, &str); 6] = [
    ("simple", "@executable_path/Frameworks/libfusepin.dylib"),
    ("fat", "@executable_path/Frameworks/libfusepin.dylib"),
    ("full", "@rpath/libfusepin.dylib"),
    ("full-adhoc", "@rpath/libfusepin.dylib"),
    ("full-rsa", "@rpath/libfusepin.dylib"),
    ("fat-adhoc", "@executable_path/Frameworks/libfusepin.dylib"),
];

/// Path of an input IPA. The signed variants (`full-adhoc`, `full-rsa`, `fat-adhoc`) are
/// made once per test run from the generator's unsigned trees, signed in-process through
/// fuse's apple-codesign driver with per-binary entitlements (see testdata/ios/README.md).
pub fn input(name: &str) -> PathBuf {
    match name {
        "full-adhoc" | "full-rsa" | "fat-adhoc" => signed_input(name),
        _ => fixtures().join(format!("{name}.ipa")),
    }
}

fn signed_input(name: &str) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = DIR.get_or_init(support::tempdir);
    let ipa = dir.path().join(format!("{name}.ipa"));
    if ipa.exists() {
        return ipa;
    }
    let fx = fixtures();
    let (base, app) = if name.starts_with("full") {
        ("full", "Full.app")
    } else {
        ("fat", "Simple.app")
    };
    let root = dir.path().join(name);
    copy_tree(&fx.join("trees").join(base), &root);
    let xml = |file: &str| {
        fuse::ios::pipeline::entitlements_xml(&fx.join("entitlements").join(file)).unwrap()
    };
    let key = fs::read(fx.join("keys/rsa.pk8")).unwrap();
    let chain = vec![fs::read(fx.join("keys/rsa-cert.der")).unwrap()];
    let mut options = fuse::ios::codesign::SignOptions {
        main_entitlements: Some(xml("main.plist")),
        signing_time: chrono::DateTime::from_timestamp(1_700_000_000, 0),
        ..Default::default()
    };
    if name.starts_with("full") {
        options
            .path_entitlements
            .push(("PlugIns/Share.appex".to_owned(), xml("extension.plist")));
    }
    if name == "full-rsa" {
        options.key = Some(fuse::ios::KeyMaterial {
            pkcs8_der: &key,
            chain_der: &chain,
        });
    }
    fuse::ios::codesign::sign_in_place(&root.join("Payload").join(app), &options).unwrap();
    zip_tree(&root, &ipa);
    ipa
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Zip `root` (holding `Payload/`) in sorted order, deflated, with Unix modes.
fn zip_tree(root: &Path, ipa: &Path) {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                walk(&p, out)
            } else {
                out.push(p)
            }
        }
    }
    use std::os::unix::fs::PermissionsExt;
    let mut files = Vec::new();
    walk(root, &mut files);
    files.sort();
    let mut zip = zip::ZipWriter::new(fs::File::create(ipa).unwrap());
    for path in files {
        let name = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(mode);
        zip.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut zip, &fs::read(&path).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

/// Fuse `<name>.ipa` (ad-hoc) through the library once per run; returns the output path
/// and the outcome.
pub fn fused(name: &str) -> (PathBuf, fuse::ios::IosOutcome) {
    static DONE: OnceLock<Mutex<BTreeMap<String, (PathBuf, fuse::ios::IosOutcome)>>> =
        OnceLock::new();
    let done = DONE.get_or_init(|| Mutex::new(BTreeMap::new()));
    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(hit) = done.get(name) {
        return hit.clone();
    }
    let dir = support::scratch().join("ios-fused");
    fs::create_dir_all(&dir).unwrap();
    let output = dir.join(format!("{name}-fused.ipa"));
    let dylib = test_dylib();
    let input = input(name);
    let outcome = fuse::ios::process(&fuse::ios::Request {
        input: &input,
        output: &output,
        force: true,
        payload: Some(fuse::ios::Payload {
            dylib: &dylib,
            policy: TEST_POLICY,
        }),
        key: None,
        profile: None,
        entitlements: None,
    })
    .unwrap_or_else(|e| panic!("fusing {name}.ipa: {e}"));
    done.insert(name.to_owned(), (output.clone(), outcome.clone()));
    (output, outcome)
}

/// Every file entry of a ZIP archive: name → bytes.
pub fn entries(ipa: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(fs::File::open(ipa).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().unwrap().into_owned(), data);
    }
    out
}

/// Write one entry of an archive to a file in `dir` and return its path.
pub fn extract_entry(ipa: &Path, name: &str, dir: &Path) -> PathBuf {
    let data = entries(ipa)
        .remove(name)
        .unwrap_or_else(|| panic!("{name} not in {}", ipa.display()));
    let path = dir.join(name.replace('/', "_"));
    fs::write(&path, data).unwrap();
    path
}

/// The app folder and main executable entry name of a fixture.
pub fn main_executable(name: &str) -> String {
    if name.starts_with("full") {
        "Payload/Full.app/Full".to_owned()
    } else {
        "Payload/Simple.app/Simple".to_owned()
    }
}

pub fn app_dir(name: &str) -> &'static str {
    if name.starts_with("full") {
        "Payload/Full.app"
    } else {
        "Payload/Simple.app"
    }
}
