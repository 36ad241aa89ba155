//! `fuse build` for an APK: read → inject → write + sign → self-verify → rename.
//!
//! ```text
//! read     App::open (strict ZIP, manifest, dex set) · previous fusion · ABIs
//!          · input signers (apk::verify)
//! inject   manifest patch → Plan (with Plan::input_digest)
//! write    apk::write_observed: app entries      input SHA-256, hashed beside the
//!          raw-copied, new entries appended;     output's chunk digests, until the
//!          policy + origin appended last  ◀───── late entries need it: build id →
//!                                                policy blob (plan::late_entries)
//! sign     v1 (minSdk < 24), v2, v3 over the digests computed while writing
//! verify   apk::verify + check::fusion on the temp file ∥ fsync; then the atomic rename
//! ```
//! The result, [`Build`], holds every fact the summary prints and the Certified Secure
//! report needs (input/output hashes, each changed entry with before/after SHA-256,
//! signers, schemes, step timings, warnings). `report_facts` in the CLI is the one place
//! the report will be filled from.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::abi::{self, ShimStorage};
use super::build_id::{fused_app_token, hex};
use super::changes::changes;
use super::check::{self, Expected};
use super::error::Error;
use super::facts::{
    AppFacts, Build, BuildWarning, FusionSetFacts, InputFacts, OutputFacts, PolicyFacts,
    PreviousFacts, SignerFacts, Step, StepTiming, VerificationFacts,
};
use super::plan;
use super::previous;
use super::read::App;
use crate::apk::{self, Progress, SignOptions};
use crate::fusion_set::FusionSet;
use crate::keys::SigningIdentity;
use crate::zip::DosTime;

/// API level from which Android loads `classes2.dex` and later natively (DESIGN §4.7).
pub const NATIVE_MULTIDEX_SDK: u32 = 21;

/// What `fuse build` was asked to do.
pub struct Request<'a> {
    pub input: &'a Path,
    pub output: &'a Path,
    /// Overwrite an existing output.
    pub force: bool,
    /// Replace a fusion made with another fusion set.
    pub replace: bool,
    pub fusion_set: &'a FusionSet,
    pub fusion_set_path: &'a Path,
    pub identity: &'a SigningIdentity,
    /// The build time stored in the policy (`SOURCE_DATE_EPOCH` when set).
    pub build_date_unix: i64,
    /// Timestamp of every entry fuse writes.
    pub time: DosTime,
    pub progress: &'a dyn Progress,
}

/// Runs the whole pipeline. On any error no output file exists.
pub fn build(req: &Request<'_>) -> Result<Build, Error> {
    let t = Instant::now();
    let archive = crate::zip::Archive::open(req.input).map_err(|z| Error::Apk(z.into()))?;
    build_archive(archive, t, req)
}

/// [`build`] on an archive the caller opened (`started`: when reading began).
pub fn build_archive(
    archive: crate::zip::Archive,
    started: Instant,
    req: &Request<'_>,
) -> Result<Build, Error> {
    let mut steps = Vec::new();
    let mut warnings = Vec::new();

    // 1. Read.
    let t = started;
    let app = App::from_archive(archive)?;
    if !app.has_code {
        return Err(Error::HasNoCode {
            path: app.display.clone(),
        });
    }
    let previous = app.previous()?;
    let fs = req.fusion_set;
    if let Some(prev) = &previous {
        match prev.fusion_set_id() {
            Some(id) if id == fs.id() => {}
            other if !req.replace => {
                return Err(Error::FusedByOther {
                    path: app.display.clone(),
                    existing: match other {
                        Some(id) => format!("\"{id}\""),
                        None => "(unreadable policy)".to_owned(),
                    },
                    new: format!("\"{}\"", fs.id()),
                });
            }
            other => warnings.push(BuildWarning {
                code: "fusion-replaced",
                message: format!(
                    "the app was fused with fusion set {}; that fusion is replaced (--replace)",
                    other.map_or("(unreadable policy)".to_owned(), |id| format!("\"{id}\""))
                ),
            }),
        }
    }
    let shipped = app.shipped_abis(previous.is_some());
    let abis = abi::targets(&shipped, &app.display)?;
    // The input's SHA-256 (the build id, the report) is computed by the writer while the
    // app's entries stream to the output, side by side with the output's chunk digests:
    // only the policy and origin entries, appended last, wait for it (`plan::late_entries`).
    let (hash_tx, hash_rx) = std::sync::mpsc::sync_channel(1);
    let input_signature = apk::verify(&app.archive, None);
    steps.push(timing(Step::Read, t.elapsed()));

    // 2. Inject.
    let t = Instant::now();
    let facts = app.facts.clone();
    let cert_sha256: [u8; 32] = Sha256::digest(req.identity.certificate_der()).into();
    let late_slot: Arc<Mutex<Option<Result<LateFacts, Error>>>> = Arc::new(Mutex::new(None));
    let late = late_policy_entries(LateInputs {
        hashed: hash_rx,
        input: req.input.to_path_buf(),
        origin: previous.as_ref().and_then(|p| p.origin_sha256),
        fusion_set_sha256: fs.sha256(),
        cert_sha256,
        policy: fs.to_policy("", req.build_date_unix),
        slot: Arc::clone(&late_slot),
    });
    let (manifest, _) =
        crate::axml::patch(&app.manifest_bytes).map_err(|problem| Error::Manifest {
            path: app.display.clone(),
            problem,
        })?;
    let storage = ShimStorage::for_app(facts.extract_native_libs, facts.target_sdk);
    let (plan, injection) = plan::plan(plan::Inputs {
        dex: &app.dex,
        previous: previous.as_ref(),
        abis: &abis,
        abis_added: shipped.is_empty(),
        storage,
        manifest: manifest.clone(),
        manifest_stored: app.manifest_stored,
        authority: facts.bridge_authority(),
    });
    let plan = apk::Plan {
        late: Some(late),
        input_digest: Some(apk::InputDigest(hash_tx)),
        ..plan
    };
    let expected = Expected {
        facts: facts.clone(),
        authority: facts.bridge_authority(),
        bridge_dex: injection.bridge_dex.clone(),
        entries: plan
            .put
            .iter()
            .map(|p| {
                let aligned = storage == ShimStorage::StoredAligned
                    && injection.shims.iter().any(|s| s.entry == p.name);
                (p.name.clone(), Sha256::digest(&p.data).into(), aligned)
            })
            .collect(),
    };
    steps.push(timing(Step::Inject, t.elapsed()));

    if shipped.is_empty() {
        warnings.push(BuildWarning {
            code: "abis-added",
            message: format!(
                "the app ships no native code; fuse adds its shim for all of {} (the app now has native code for these ABIs)",
                abis.join(", ")
            ),
        });
    }
    if facts.min_sdk < NATIVE_MULTIDEX_SDK && injection.bridge_dex != "classes.dex" {
        warnings.push(BuildWarning {
            code: "min-sdk-below-21",
            message: format!(
                "minSdkVersion {} < 21: Android 4.4 and older load {} (the bridge) only if the app installs MultiDex in Application.attachBaseContext; without it the app fails to start there — raise minSdkVersion to 21 or use MultiDex",
                facts.min_sdk, injection.bridge_dex
            ),
        });
    }
    for w in fs.warnings() {
        warnings.push(BuildWarning {
            code: w.code.as_str(),
            message: format!("fusion set {w}"),
        });
    }
    if let Some(w) = req.identity.origin().warning() {
        warnings.push(BuildWarning {
            code: "debug-key",
            message: w,
        });
    }

    // 3–5. Write + sign, self-verify, rename.
    let written_sizes: std::sync::Mutex<Vec<(String, u64)>> = std::sync::Mutex::new(Vec::new());
    let opts = SignOptions {
        min_sdk_version: None,
        v1_signer_name: apk::identity::v1_signer_name(req.identity.origin()),
        time: req.time,
    };
    let written = apk::sign_file_checked(
        &app.archive,
        req.output,
        req.force,
        &plan,
        req.identity,
        &opts,
        req.progress,
        &|out| {
            // The policy and origin entries were known only once written (late entries).
            let mut expected = expected.clone();
            match late_slot.lock().ok().as_deref() {
                Some(Some(Ok(late))) => expected.entries.extend(
                    late.entries
                        .iter()
                        .map(|(name, sha256)| (name.clone(), *sha256, false)),
                ),
                _ => return Err(policy_not_written()),
            }
            check::fusion(out, &expected)?;
            // What the report's change list needs from the written file, read while it
            // is open anyway: the size of every entry. (The new JAR signature files'
            // hashes come from the v1 check, which reads them beside this.)
            let mut sizes = written_sizes.lock().map_err(|_| {
                Error::Apk(apk::ApkError::Verify {
                    check: "self-verification of the fusion".into(),
                    why: "a worker stopped unexpectedly".into(),
                })
            })?;
            sizes.extend(
                out.entries()
                    .iter()
                    .map(|e| (e.name.clone(), e.uncompressed_size())),
            );
            Ok(())
        },
    );
    // The input hash's own failure (an unreadable input) is the cause of any write error.
    let late = late_slot.lock().ok().and_then(|mut slot| slot.take());
    let written = match (written, late) {
        (_, Some(Err(hash_error))) => return Err(hash_error),
        (Err(e), _) => return Err(e),
        (Ok(w), Some(Ok(late))) => (w, late),
        (Ok(_), None) => return Err(policy_not_written()),
    };
    let (
        written,
        LateFacts {
            input_sha256,
            input_size,
            build_id,
            policy_blob,
            ..
        },
    ) = written;
    steps.push(timing(Step::Write, written.write));
    steps.push(timing(Step::Sign, written.sign));
    steps.push(timing(Step::Verify, written.verify));

    // Each entry's size, and the SHA-256 of the JAR signature files (the v1 check's).
    let written_facts: Vec<(String, u64, Option<String>)> = written_sizes
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|(name, size)| {
            let sha = written
                .verified
                .jar_files_sha256
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, d)| hex(d));
            (name, size, sha)
        })
        .collect();
    let changes = changes(&app, &written.signed, &injection, &written_facts);
    let (signer, signature_problem) = match input_signature {
        Ok(v) => (Some(SignerFacts::of(&v)), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let records_durations = std::env::var_os("SOURCE_DATE_EPOCH").is_none();
    let build = Build {
        build_id,
        build_date_unix: req.build_date_unix,
        input: InputFacts {
            path: app.display.clone(),
            format: "apk",
            size: input_size,
            sha256: hex(&input_sha256),
            app: AppFacts::of(&facts),
            abis: shipped.into_iter().collect(),
            dex_files: app.dex.names().to_vec(),
            signer,
            signature_problem,
            previous_fusion: previous.as_ref().map(PreviousFacts::of),
        },
        fusion_set: FusionSetFacts {
            path: req.fusion_set_path.display().to_string(),
            id: fs.id().to_owned(),
            name: fs.name().to_owned(),
            stage: fs.stage(),
            sha256: hex(&fs.sha256()),
            domains: fs.domains().len(),
            pins: fs.pin_count(),
        },
        policy: PolicyFacts {
            entry: previous::POLICY_PATH,
            size: policy_blob.len(),
            sha256: hex(&Sha256::digest(&policy_blob)),
        },
        injection,
        changes,
        output: OutputFacts {
            path: req.output.display().to_string(),
            size: written.signed.size,
            sha256: hex(&written.signed.sha256),
            signer: SignerFacts {
                cert_sha256: hex(&written.signed.signer_cert_sha256),
                schemes: written.signed.schemes.clone(),
                certificate_der: req.identity.certificate_der().to_vec(),
            },
            signature_algorithm: written.signed.algorithm.id(),
            min_sdk_version: written.signed.min_sdk_version,
            entries: written.signed.entry_count,
            key_source: match req.identity.origin() {
                crate::keys::KeyOrigin::DebugKey { .. } => "debug",
                crate::keys::KeyOrigin::Keystore { .. } => "keystore",
                crate::keys::KeyOrigin::KeyFiles { .. } => "key-files",
            },
        },
        verification: VerificationFacts {
            signatures: true,
            schemes: written.verified.schemes.clone(),
            signer_cert_sha256: hex(&written.verified.signer_cert_sha256),
            fusion: true,
        },
        steps: if records_durations { steps } else { Vec::new() },
        warnings,
    };
    // The input's parsed central directory (21,000 names and extras) is not freed one
    // allocation at a time by a process about to exit.
    crate::short_lived::release(app);
    Ok(build)
}

fn timing(step: Step, d: Duration) -> StepTiming {
    StepTiming {
        step,
        millis: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
    }
}

/// SHA-256 and size of a whole file, streamed.
pub(crate) fn sha256_file(path: &Path) -> Result<([u8; 32], u64), Error> {
    crate::file_digest::sha256_file(path).map_err(|source| {
        Error::Apk(apk::ApkError::Zip(crate::zip::ZipError::Io {
            path: path.to_path_buf(),
            source,
        }))
    })
}

/// The writer finished without asking for the late entries (a fuse bug).
fn policy_not_written() -> Error {
    Error::Apk(apk::ApkError::Verify {
        check: "self-verification of the fusion".into(),
        why: "the policy was not written".into(),
    })
}

/// What the late entries decided, for the summary and the report.
struct LateFacts {
    input_sha256: [u8; 32],
    input_size: u64,
    build_id: String,
    policy_blob: Vec<u8>,
    /// The late entries as written: name and SHA-256 of the bytes (the fusion check's).
    entries: Vec<(String, [u8; 32])>,
}

/// What the late entries need besides the input's hash.
struct LateInputs {
    /// The input's SHA-256 and length, from the writer.
    hashed: std::sync::mpsc::Receiver<std::io::Result<([u8; 32], u64)>>,
    /// The input's path, for a read error.
    input: std::path::PathBuf,
    /// The SHA-256 of the app first fused, when the input records one (re-fusion).
    origin: Option<[u8; 32]>,
    fusion_set_sha256: [u8; 32],
    cert_sha256: [u8; 32],
    /// The compiled policy, its build id still empty.
    policy: fuse_policy::Policy,
    /// Where the facts (or the hash's error) go.
    slot: Arc<Mutex<Option<Result<LateFacts, Error>>>>,
}

/// `apk::LateEntries` for the policy and origin entries: waits for the input's SHA-256,
/// derives the build id (`fusedAppToken`) and encodes the policy with it.
fn late_policy_entries(inputs: LateInputs) -> apk::LateEntries {
    let LateInputs {
        hashed,
        input,
        origin,
        fusion_set_sha256,
        cert_sha256,
        policy,
        slot,
    } = inputs;
    let hashed = Mutex::new(hashed);
    apk::LateEntries(Arc::new(move || {
        let stopped = || "the input's hashing stopped".to_owned();
        let received = hashed
            .lock()
            .map_err(|_| stopped())?
            .recv()
            .map_err(|_| stopped())?;
        let mut slot = slot.lock().map_err(|_| stopped())?;
        let (input_sha256, input_size) = match received {
            Ok(h) => h,
            Err(source) => {
                let e = Error::Apk(apk::ApkError::Zip(crate::zip::ZipError::Io {
                    path: input.clone(),
                    source,
                }));
                let why = e.to_string();
                *slot = Some(Err(e));
                return Err(why);
            }
        };
        let app_sha256 = origin.unwrap_or(input_sha256);
        let build_id = fused_app_token(&app_sha256, &fusion_set_sha256, &cert_sha256);
        let mut policy = policy.clone();
        policy.build_id = build_id.clone();
        let policy_blob = fuse_policy::encode(&policy);
        let entries = plan::late_entries(policy_blob.clone(), previous::origin_text(&app_sha256));
        *slot = Some(Ok(LateFacts {
            input_sha256,
            input_size,
            build_id,
            policy_blob,
            entries: entries
                .iter()
                .map(|e| (e.name.clone(), Sha256::digest(&e.data).into()))
                .collect(),
        }));
        Ok(entries)
    }))
}
