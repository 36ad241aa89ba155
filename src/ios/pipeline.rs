//! The IPA pipeline: read → plan → change the bundle → sign → write → verify → rename.
//!
//! Work happens on a temporary unzipped copy (apple-codesign signs in place); the input
//! is only ever opened for reading. The output is written to a temp file in the output
//! directory, fsynced, verified by re-reading it from disk, then renamed into place.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use apple_codesign::AppleCertificate;
use x509_certificate::CapturedX509Certificate;

use super::Error;
use super::archive::{self, Entry, OutputEntry};
use super::bundle::{self, Bundle};
use super::codesign::{self, KeyMaterial, SignOptions};
use super::facts::{
    EntryChange, FusedFacts, IosFacts, IosOutcome, NestedFacts, SliceFacts, StepTimes,
};
use super::info_plist::parse_bounded;
use super::profile::Profile;
use super::seal;
use crate::macho;
use crate::report::hex;

/// Where the shim and the policy go inside the app bundle.
pub const DYLIB_PATH: &str = "Frameworks/libfusepin.dylib";
pub const POLICY_PATH: &str = "fuse/policy.bin";
pub const PROFILE_PATH: &str = "embedded.mobileprovision";

/// What to inject (`build`); absent for `sign`.
#[derive(Debug, Clone, Copy)]
pub struct Payload<'a> {
    /// The prebuilt `libfusepin.dylib` (arm64 iOS).
    pub dylib: &'a [u8],
    /// The encoded policy blob.
    pub policy: &'a [u8],
}

/// One `build` or `sign` of an IPA.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub input: &'a Path,
    pub output: &'a Path,
    pub force: bool,
    pub payload: Option<Payload<'a>>,
    /// `None` signs ad-hoc.
    pub key: Option<KeyMaterial<'a>>,
    pub profile: Option<&'a Path>,
    pub entitlements: Option<&'a Path>,
}

/// An extracted IPA: the temporary tree and the input's entries.
struct Unpacked {
    dir: tempfile::TempDir,
    entries: Vec<Entry>,
    app_rel: String,
}

impl Unpacked {
    fn app_dir(&self) -> PathBuf {
        self.dir.path().join(&self.app_rel)
    }
}

fn unpack(
    path: &Path,
    zip: &mut zip::ZipArchive<std::io::BufReader<fs::File>>,
) -> Result<Unpacked, Error> {
    // `.fuse-<pid>-…` in the temp folder: a killed run's tree is swept by the next run.
    let dir = crate::atomic::temp_dir_in(&std::env::temp_dir())
        .map_err(|e| Error::io("create a temporary folder for", path, e))?;
    let entries = archive::extract(zip, dir.path())?;
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    let app_rel = bundle::find_app(&names)?;
    Ok(Unpacked {
        dir,
        entries,
        app_rel,
    })
}

/// Describe an IPA (`fuse inspect`).
pub fn inspect(path: &Path) -> Result<IosFacts, Error> {
    let mut zip = archive::open(path)?;
    let unpacked = unpack(path, &mut zip)?;
    facts_of_tree(&unpacked.app_dir(), &unpacked.app_rel)
}

/// Describe an IPA and check its signatures from one unpacking (`fuse inspect`): the
/// facts (an error when the app cannot be read), and the outcome of the same checks as
/// `fuse verify` (`Err`: the first that fails — a fact inspect reports, not a failure).
pub fn inspect_and_verify(path: &Path) -> Result<(IosFacts, Result<Vec<String>, Error>), Error> {
    let mut zip = archive::open(path)?;
    let unpacked = unpack(path, &mut zip)?;
    let app_dir = unpacked.app_dir();
    let facts = facts_of_tree(&app_dir, &unpacked.app_rel)?;
    let verified = verify_tree(&app_dir, &unpacked.app_rel, false);
    Ok((facts, verified))
}

/// Verify an IPA (`fuse verify`): every signature, every seal, nested before containing
/// code, and the shim at most once per slice (exactly once and sealed when
/// `require_fused`). Returns the facts and one line per check passed.
pub fn verify(path: &Path, require_fused: bool) -> Result<(IosFacts, Vec<String>), Error> {
    let mut zip = archive::open(path)?;
    let unpacked = unpack(path, &mut zip)?;
    let app_dir = unpacked.app_dir();
    let lines = verify_tree(&app_dir, &unpacked.app_rel, require_fused)?;
    Ok((facts_of_tree(&app_dir, &unpacked.app_rel)?, lines))
}

fn verify_tree(app_dir: &Path, app_rel: &str, require_fused: bool) -> Result<Vec<String>, Error> {
    let app = bundle::read_bundle(app_dir, "", app_rel)?;
    let nested = bundle::nested_bundles(app_dir)?;
    let mut lines = Vec::new();

    // Nested bundles deepest first, each against the bundles inside it.
    for inner in &nested {
        let exe = read(&inner.executable_path())?;
        seal::verify_binary(
            &exe,
            &format!("{app_rel}/{}/{}", inner.rel, inner.info.executable),
        )?;
        let children: Vec<&Bundle> = nested
            .iter()
            .filter(|n| n.dir != inner.dir && n.dir.starts_with(&inner.dir))
            .collect();
        let check = seal::check_bundle_seal(inner, &children, &format!("{app_rel}/{}", inner.rel))?;
        lines.push(format!(
            "{}: signature verifies; seal covers {} files and {} nested code items",
            inner.rel, check.files, check.nested_code
        ));
    }

    // Loose Mach-O files of the app (Frameworks/*.dylib, our shim).
    for rel in loose_macho_files(app_dir, &nested)? {
        let data = read(&app_dir.join(&rel))?;
        seal::verify_binary(&data, &format!("{app_rel}/{rel}"))?;
        lines.push(format!("{rel}: signature verifies"));
    }

    let exe = read(&app.executable_path())?;
    let exe_name = format!("{app_rel}/{}", app.info.executable);
    seal::verify_binary(&exe, &exe_name)?;
    let direct: Vec<&Bundle> = nested.iter().collect();
    let check = seal::check_bundle_seal(&app, &direct, app_rel)?;
    lines.push(format!(
        "{}: signature verifies; seal covers {} files and {} nested code items, each signed before the app",
        app.info.executable, check.files, check.nested_code
    ));

    let slices = macho::parse(&exe, &exe_name)?;
    for slice in &slices {
        let loads = slice.shim_loads().len();
        if loads > 1 {
            return Err(Error::verification(
                &exe_name,
                format!("{} loads libfusepin.dylib {loads} times", slice.arch),
            ));
        }
        if require_fused && loads != 1 {
            return Err(Error::verification(
                &exe_name,
                format!("{} does not load libfusepin.dylib", slice.arch),
            ));
        }
    }
    if require_fused {
        for rel in [DYLIB_PATH, POLICY_PATH] {
            if !check.listed.contains(rel) {
                return Err(Error::verification(
                    app_rel,
                    format!("{rel} is not sealed in _CodeSignature/CodeResources"),
                ));
            }
        }
        lines.push(format!(
            "every slice ({}) loads libfusepin.dylib exactly once; {DYLIB_PATH} and {POLICY_PATH} are sealed",
            slices.iter().map(|s| s.arch.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(lines)
}

/// Mach-O files of the app outside nested bundles, other than the main executable.
fn loose_macho_files(app_dir: &Path, nested: &[Bundle]) -> Result<Vec<String>, Error> {
    let mut found = Vec::new();
    let frameworks = app_dir.join("Frameworks");
    if frameworks.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(&frameworks)
            .map_err(|e| Error::io("read", &frameworks, e))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if path.is_file() && !nested.iter().any(|n| path.starts_with(&n.dir)) {
                let head = read_head(&path)?;
                if macho::looks_like_macho(&head) {
                    found.push(format!(
                        "Frameworks/{}",
                        entry.file_name().to_string_lossy()
                    ));
                }
            }
        }
    }
    Ok(found)
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    fs::read(path).map_err(|e| Error::io("read", path, e))
}

fn read_head(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let mut head = Vec::with_capacity(8);
    fs::File::open(path)
        .and_then(|f| f.take(8).read_to_end(&mut head))
        .map_err(|e| Error::io("read", path, e))?;
    Ok(head)
}

/// Facts of an unpacked app.
fn facts_of_tree(app_dir: &Path, app_rel: &str) -> Result<IosFacts, Error> {
    let app = bundle::read_bundle(app_dir, "", app_rel)?;
    let nested = bundle::nested_bundles(app_dir)?;
    let exe_name = format!("{app_rel}/{}", app.info.executable);
    let exe = read(&app.executable_path())?;
    let slices = macho::parse(&exe, &exe_name)?;
    let signatures = seal::signature_facts(&exe, &exe_name)?;
    let slice_facts: Vec<SliceFacts> = slices
        .iter()
        .zip(
            signatures
                .iter()
                .map(|s| s.kind)
                .chain(std::iter::repeat("unsigned")),
        )
        .map(|(s, signature)| SliceFacts {
            arch: s.arch.clone(),
            minimum_os: s.min_os.map(|(_, v)| short_version(v)),
            platform: s.min_os.map(|(p, _)| platform_name(p)),
            encrypted: s.cryptid.is_some_and(|c| c != 0),
            shim_load: s.shim_loads().first().map(|p| (*p).to_owned()),
            shim_loads: s.shim_loads().len(),
            header_room: s.header_room(),
            signature: signature.to_owned(),
        })
        .collect();
    let mut nested_facts = Vec::with_capacity(nested.len());
    for n in &nested {
        let data = read(&n.executable_path())?;
        let sig = seal::signature_facts(&data, &n.rel)?;
        let first = sig.first();
        nested_facts.push(NestedFacts {
            path: n.rel.clone(),
            kind: n.kind(),
            bundle_id: n.info.identifier.clone(),
            signature: first.map(|s| s.kind).unwrap_or("unsigned").to_owned(),
            team_id: first.and_then(|s| s.team_id.clone()),
        });
    }
    let profile_path = app_dir.join(PROFILE_PATH);
    let profile = if profile_path.is_file() {
        Some(Profile::load(&profile_path)?)
    } else {
        None
    };
    let policy_path = app_dir.join(POLICY_PATH);
    let policy_sha256 = if policy_path.is_file() {
        Some(hex(&archive::sha256_file(&policy_path)?))
    } else {
        None
    };
    let dylib_present = app_dir.join(DYLIB_PATH).is_file();
    let fused =
        dylib_present && policy_sha256.is_some() && slice_facts.iter().all(|s| s.shim_loads == 1);
    let signature = signatures
        .into_iter()
        .next()
        .ok_or_else(|| Error::verification(&exe_name, "the executable has no slices"))?;
    Ok(IosFacts {
        format: "ipa",
        app_path: app_rel.to_owned(),
        bundle_id: app.info.identifier.clone(),
        name: app.info.name.clone(),
        version: app.info.short_version.clone(),
        build: app.info.build_version.clone(),
        minimum_os: app.info.minimum_os.clone(),
        info_plist_format: app.info.format,
        executable: app.info.executable.clone(),
        slices: slice_facts,
        nested: nested_facts,
        signature,
        profile,
        fused: FusedFacts {
            fused,
            dylib_present,
            policy_present: policy_sha256.is_some(),
            policy_sha256,
        },
    })
}

fn short_version(v: u32) -> String {
    let (major, minor, patch) = (v >> 16, (v >> 8) & 0xff, v & 0xff);
    if patch == 0 {
        format!("{major}.{minor}")
    } else {
        format!("{major}.{minor}.{patch}")
    }
}

fn platform_name(p: u32) -> String {
    match p {
        1 => "macos".to_owned(),
        2 => "ios".to_owned(),
        3 => "tvos".to_owned(),
        4 => "watchos".to_owned(),
        7 => "ios-simulator".to_owned(),
        8 => "tvos-simulator".to_owned(),
        9 => "watchos-simulator".to_owned(),
        other => format!("platform {other}"),
    }
}

/// `build` (with a payload) or `sign` (without) of an IPA.
pub fn process(request: &Request<'_>) -> Result<IosOutcome, Error> {
    if request.output.exists() && !request.force {
        return Err(Error::OutputExists {
            path: request.output.to_owned(),
        });
    }
    let mut times = StepTimes::default();
    let mut started = Instant::now();
    let mut lap = |slot: &mut std::time::Duration| {
        *slot = started.elapsed();
        started = Instant::now();
    };
    let mut zip = archive::open(request.input)?;
    let unpacked = unpack(request.input, &mut zip)?;
    let app_dir = unpacked.app_dir();
    let app_rel = unpacked.app_rel.clone();
    let input_facts = facts_of_tree(&app_dir, &app_rel)?;
    let app = bundle::read_bundle(&app_dir, "", &app_rel)?;
    let exe_path = app.executable_path();
    let exe_name = format!("{app_rel}/{}", app.info.executable);
    let exe = read(&exe_path)?;

    // Refuse encrypted binaries for `sign` too: a re-signed encrypted binary never runs.
    for slice in macho::parse(&exe, &exe_name)? {
        if let Some(cryptid) = slice.cryptid.filter(|&c| c != 0) {
            return Err(macho::Error::Encrypted {
                what: exe_name,
                arch: slice.arch,
                cryptid,
            }
            .into());
        }
    }

    lap(&mut times.read);

    let mut warnings = Vec::new();
    let mut injected = Vec::new();
    if let Some(payload) = request.payload {
        let versions = macho::dylib_versions(payload.dylib)?;
        let injection = macho::add_shim_load(&exe, versions, &exe_name)?;
        for (arch, change) in &injection.slices {
            let path = match change {
                macho::SliceChange::Added { path, .. }
                | macho::SliceChange::AlreadyPresent { path } => path,
            };
            injected.push((arch.clone(), path.clone()));
        }
        if !injection.unchanged() {
            write_file(&exe_path, &injection.data)?;
        }
        write_file(&app_dir.join(DYLIB_PATH), payload.dylib)?;
        write_file(&app_dir.join(POLICY_PATH), payload.policy)?;
    }

    let certificate = match request.key {
        Some(key) => Some(
            key.chain_der
                .first()
                .and_then(|der| CapturedX509Certificate::from_der(der.clone()).ok())
                .ok_or_else(|| Error::BadIdentity {
                    detail: "the certificate does not parse".to_owned(),
                })?,
        ),
        None => None,
    };
    if let Some(profile_path) = request.profile {
        let profile = Profile::load(profile_path)?;
        let cert = certificate.as_ref().ok_or_else(|| Error::ProfileMismatch {
            name: profile.name.clone(),
            detail: "a provisioning profile needs a signing identity — pass --p12 and --p12-pass"
                .to_owned(),
        })?;
        profile.check(
            cert.apple_team_id().as_deref(),
            cert.constructed_data(),
            &app.info.identifier,
            now_unix(),
        )?;
        fs::copy(profile_path, app_dir.join(PROFILE_PATH))
            .map_err(|e| Error::io("copy", profile_path, e))?;
    }
    let main_entitlements = match request.entitlements {
        Some(path) => Some(entitlements_xml(path)?),
        None => None,
    };
    if request.key.is_none() {
        warnings.push("no --p12 given: the IPA is signed ad-hoc (installs only where code signing is not enforced); pass --p12 and --provisioning-profile for a distributable build".to_owned());
    }
    lap(&mut times.inject);
    codesign::sign_in_place(
        &app_dir,
        &SignOptions {
            key: request.key,
            main_entitlements,
            path_entitlements: Vec::new(),
            signing_time: codesign::signing_time_from_env(),
        },
    )?;

    lap(&mut times.sign);

    let (plan, changes) = plan_output(&unpacked)?;
    let out_dir = request
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    // `.fuse-<pid>-…`: a killed run's temp file is swept by the next run (src/atomic.rs).
    let mut temp = crate::atomic::temp_in(out_dir, ".ipa.tmp")
        .map_err(|e| Error::io("create a temporary file in", out_dir, e))?;
    crate::pause::at("temp-created");
    archive::write(temp.as_file_mut(), &mut zip, &plan, request.output)?;
    lap(&mut times.write);
    crate::pause::at("written");

    let (output_facts, verification) = verify(temp.path(), request.payload.is_some())?;
    crate::pause::at("verified");
    if request.force {
        temp.persist(request.output)
            .map_err(|e| Error::io("write", request.output, e.error))?;
    } else {
        temp.persist_noclobber(request.output)
            .map_err(|e| Error::io("write", request.output, e.error))?;
    }
    lap(&mut times.verify);
    crate::pause::at("renamed");
    Ok(IosOutcome {
        input: input_facts,
        output: output_facts,
        changes,
        injected,
        verification,
        warnings,
        times,
    })
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn write_file(path: &Path, data: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    }
    fs::write(path, data).map_err(|e| Error::io("write", path, e))
}

/// Entitlements file (XML or binary plist dictionary) as XML text for apple-codesign.
pub fn entitlements_xml(path: &Path) -> Result<String, Error> {
    let bad = |detail: String| Error::BadEntitlements {
        path: path.to_owned(),
        detail,
    };
    let data = read(path)?;
    let value = parse_bounded(&data).map_err(bad)?;
    if value.as_dictionary().is_none() {
        return Err(bad("the root is not a dictionary".to_owned()));
    }
    let mut xml = Vec::new();
    value
        .to_writer_xml(&mut xml)
        .map_err(|e| bad(e.to_string()))?;
    String::from_utf8(xml).map_err(|e| bad(e.to_string()))
}

/// Decide each output entry (raw copy when unchanged) and list the changes.
fn plan_output(
    unpacked: &Unpacked,
) -> Result<(BTreeMap<String, OutputEntry>, Vec<EntryChange>), Error> {
    let root = unpacked.dir.path();
    let mut plan = BTreeMap::new();
    let mut changes = Vec::new();
    let had_dirs = unpacked.entries.iter().any(|e| e.is_dir);
    let mut on_disk = BTreeSet::new();
    collect(root, root, &mut on_disk)?;
    let mut input_files = BTreeSet::new();

    for entry in &unpacked.entries {
        if entry.is_dir {
            plan.insert(entry.name.clone(), OutputEntry::Copy(entry.index));
            continue;
        }
        input_files.insert(entry.name.clone());
        let path = root.join(&entry.name);
        if !on_disk.contains(&entry.name) {
            changes.push(EntryChange {
                path: entry.name.clone(),
                change: "removed",
                before_sha256: Some(hex(&entry.sha256)),
                after_sha256: None,
            });
            continue;
        }
        let now = archive::sha256_file(&path)?;
        if now == entry.sha256 {
            plan.insert(entry.name.clone(), OutputEntry::Copy(entry.index));
        } else {
            let mode = entry.unix_mode.map_or(0o644, |m| m & 0o777);
            plan.insert(entry.name.clone(), OutputEntry::File { path, mode });
            changes.push(EntryChange {
                path: entry.name.clone(),
                change: "changed",
                before_sha256: Some(hex(&entry.sha256)),
                after_sha256: Some(hex(&now)),
            });
        }
    }
    for name in on_disk.difference(&input_files) {
        let path = root.join(name);
        let mode = if name.ends_with(".dylib") {
            0o755
        } else {
            0o644
        };
        let after = archive::sha256_file(&path)?;
        plan.insert(name.clone(), OutputEntry::File { path, mode });
        changes.push(EntryChange {
            path: name.clone(),
            change: "added",
            before_sha256: None,
            after_sha256: Some(hex(&after)),
        });
        if had_dirs {
            // Keep the archive's style: explicit entries for new folders.
            let mut dir = Path::new(name).parent();
            while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
                let key = format!("{}/", d.to_string_lossy());
                plan.entry(key).or_insert(OutputEntry::Dir);
                dir = d.parent();
            }
        }
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((plan, changes))
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> Result<(), Error> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))? {
        let entry = entry.map_err(|e| Error::io("read", dir, e))?;
        let path = entry.path();
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            collect(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.insert(rel.to_string_lossy().into_owned());
        }
    }
    Ok(())
}
