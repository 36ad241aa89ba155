//! The app bundle inside an extracted IPA: which `.app`, its `Info.plist`, its main
//! executable and the nested code signed before it.
//!
//! ```text
//! Payload/<App>.app/
//! ├── Info.plist                  CFBundleIdentifier, CFBundleExecutable, MinimumOSVersion ...
//! ├── <CFBundleExecutable>        the main Mach-O (thin or fat)
//! ├── _CodeSignature/CodeResources  the bundle seal
//! ├── embedded.mobileprovision    optional
//! ├── Frameworks/*.framework/     nested bundles (own Info.plist, binary, seal)
//! ├── Frameworks/*.dylib          loose dylibs (Swift runtime, our libfusepin.dylib)
//! ├── PlugIns/*.appex/            app extensions (nested bundles)
//! └── Watch/*.app/                watch apps (nested bundles)
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use super::Error;
use super::info_plist::BundleInfo;

/// A located bundle: its path relative to the app and its parsed `Info.plist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// Path relative to the app bundle ("" for the app itself).
    pub rel: String,
    pub dir: PathBuf,
    pub info: BundleInfo,
}

impl Bundle {
    pub fn executable_path(&self) -> PathBuf {
        self.dir.join(&self.info.executable)
    }

    /// `framework`, `extension`, `watch app`, `app` or `bundle`, from the folder suffix.
    pub fn kind(&self) -> &'static str {
        match Path::new(&self.rel).extension().and_then(|e| e.to_str()) {
            None if self.rel.is_empty() => "app",
            Some("framework") => "framework",
            Some("appex") => "extension",
            Some("app") => "watch app",
            _ => "bundle",
        }
    }
}

/// The single `.app` under `Payload/`, from the archive's entry names.
pub fn find_app(names: &[&str]) -> Result<String, Error> {
    let mut apps: Vec<&str> = names
        .iter()
        .filter_map(|n| n.strip_prefix("Payload/"))
        .filter_map(|rest| rest.split_once('/').map(|(first, _)| first))
        .filter(|first| first.ends_with(".app") && first.len() > 4)
        .collect();
    apps.sort_unstable();
    apps.dedup();
    match apps.as_slice() {
        [] => Err(Error::NoApp),
        [one] => Ok(format!("Payload/{one}")),
        many => Err(Error::SeveralApps {
            count: many.len(),
            names: many.join(", "),
        }),
    }
}

/// Read a bundle's `Info.plist` and check its executable is a file inside it.
pub fn read_bundle(app_dir: &Path, rel: &str, display: &str) -> Result<Bundle, Error> {
    let dir = if rel.is_empty() {
        app_dir.to_path_buf()
    } else {
        app_dir.join(rel)
    };
    let plist_path = dir.join("Info.plist");
    let plist_name = format!("{display}/Info.plist");
    let meta = fs::symlink_metadata(&plist_path).map_err(|_| Error::InfoPlist {
        path: plist_name.clone(),
        detail: "file is missing".to_owned(),
    })?;
    if !meta.is_file() || meta.len() > super::info_plist::MAX_BYTES {
        return Err(Error::InfoPlist {
            path: plist_name,
            detail: "not a regular file of a sane size".to_owned(),
        });
    }
    let data = fs::read(&plist_path).map_err(|e| Error::io("read", &plist_path, e))?;
    let info = BundleInfo::parse(&data).map_err(|detail| Error::InfoPlist {
        path: plist_name,
        detail,
    })?;
    let exe = &info.executable;
    let plain = !exe.contains('/') && !exe.contains('\\') && exe != "." && exe != "..";
    if !plain || !dir.join(exe).is_file() {
        return Err(Error::MissingExecutable {
            bundle: display.to_owned(),
            name: exe.clone(),
        });
    }
    Ok(Bundle {
        rel: rel.to_owned(),
        dir,
        info,
    })
}

/// Nested bundles (frameworks, extensions, watch apps, XPC services), deepest first so
/// they can be signed and checked before the bundles that contain them. A folder counts
/// as a bundle when it has an `Info.plist`, as apple-codesign decides.
pub fn nested_bundles(app_dir: &Path) -> Result<Vec<Bundle>, Error> {
    let mut found = Vec::new();
    walk(app_dir, app_dir, &mut found)?;
    found.sort_by(|a: &String, b: &String| {
        b.matches('/')
            .count()
            .cmp(&a.matches('/').count())
            .then(a.cmp(b))
    });
    found
        .into_iter()
        .map(|rel| read_bundle(app_dir, &rel, &rel))
        .collect()
}

const BUNDLE_SUFFIXES: [&str; 5] = [".framework", ".appex", ".app", ".xpc", ".bundle"];

fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) -> Result<(), Error> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Error::io("read", dir, e))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if !is_dir {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        if BUNDLE_SUFFIXES.iter().any(|s| name.ends_with(s))
            && path.join("Info.plist").is_file()
            && let Ok(rel) = path.strip_prefix(root)
        {
            found.push(rel.to_string_lossy().into_owned());
        }
        walk(root, &path, found)?;
    }
    Ok(())
}
