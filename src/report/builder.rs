//! The API the build pipelines fill in. They hand over facts as they learn them (read,
//! inject, write, sign, self-verify); the builder derives everything that must be the
//! same for every pipeline — the protection summary, the warnings, the verdict, signer
//! digests and subjects — and checks the facts agree with each other.
//!
//! ```text
//! let token = report::fused_app_token(&input_sha, &fs.sha256(), TokenSigner::Certificate(&cert_sha));
//! let policy = fs.to_policy(&token, clock.unix);               // the token travels in the policy
//! let mut b = ReportBuilder::new(clock);
//! b.input(InputFacts { .. });  b.fusion_set(fs.name(), &fs.sha256());
//! let blob = b.run_step(StepName::Inject, || inject(..))?;   // records result + duration
//! b.policy(&policy, &blob, "assets/fuse/policy.bin");
//! b.added("lib/arm64-v8a/libfusepin.so", "shim", &sha, size); ...
//! b.output(OutputFacts { .. });  b.check("apkSignatureV2", true, None); ...
//! let report = b.finish(ReportKeySource::PackageSigningKey, identity.certificate_der())?;
//! let paths = report::sign_and_write(report, &identity, &out_path, report_dir, options)?;
//! ```

use std::time::Instant;

use x509_cert::Certificate;
use x509_cert::der::Decode as _;

use super::Error;
use super::build_id::{TokenSigner, fused_app_token, hex, sha256_hex};
use super::clock::Clock;
use super::model::*;
use super::warnings::{self, WarningFacts, last_day};
use base64::Engine as _;

/// A signer as a pipeline knows it: the certificate (none for ad-hoc) and the schemes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerFacts {
    /// Leaf certificate DER; `None` for an iOS ad-hoc signature.
    pub certificate_der: Option<Vec<u8>>,
    /// `v1`, `v2`, `v3`, `v3.1`, `v4`, `jar`, `codeSignature`.
    pub schemes: Vec<String>,
}

/// What the pipeline read from the input package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFacts {
    /// File name (directories are dropped if a path is given).
    pub name: String,
    pub format: PackageFormat,
    pub size: u64,
    pub sha256: [u8; 32],
    pub app_name: Option<String>,
    pub package_id: String,
    pub version: Option<String>,
    pub build_number: String,
    pub signers: Vec<SignerFacts>,
    pub android: Option<AndroidFacts>,
    pub aab: Option<AabFacts>,
    pub ios: Option<IosFacts>,
}

/// What the pipeline wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFacts {
    pub name: String,
    pub size: u64,
    pub sha256: [u8; 32],
    pub signer: SignerFacts,
    pub key_source: KeyKind,
}

/// `output.keySource` for a signing identity (iOS ad-hoc builds have none: use
/// [`KeyKind::AdHoc`]).
pub fn key_kind_of(identity: &crate::keys::SigningIdentity) -> KeyKind {
    match identity.origin() {
        crate::keys::KeyOrigin::DebugKey { .. } => KeyKind::DebugKey,
        crate::keys::KeyOrigin::Keystore { .. } => KeyKind::Keystore,
        crate::keys::KeyOrigin::KeyFiles { .. } => KeyKind::KeyFiles,
    }
}

/// Collects the facts of one build. See the module documentation for the call sequence.
#[derive(Debug)]
pub struct ReportBuilder {
    clock: Clock,
    steps: Vec<WorkflowStep>,
    input: Option<(Input, [u8; 32])>,
    /// SHA-256 of the app first fused, when the input was already fused (re-fusion).
    origin: Option<[u8; 32]>,
    fusion_set: Option<(String, [u8; 32])>,
    policy: Option<PolicyParts>,
    changes: Vec<EntryChange>,
    output: Option<(Output, Option<[u8; 32]>)>,
    checks: Vec<Check>,
    warnings: Vec<Warning>,
}

#[derive(Debug)]
struct PolicyParts {
    info: PolicyInfo,
    fusion_set_id: String,
    stage: Stage,
    build_id: String,
    expiry: Vec<Option<i64>>,
}

impl ReportBuilder {
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            steps: Vec::new(),
            input: None,
            origin: None,
            fusion_set: None,
            policy: None,
            changes: Vec::new(),
            output: None,
            checks: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Record a step that already ran.
    pub fn step(&mut self, step: StepName, result: StepResult, duration: std::time::Duration) {
        let duration_ms = self
            .clock
            .records_durations()
            .then(|| u64::try_from(duration.as_millis()).unwrap_or(u64::MAX));
        self.steps.retain(|s| s.step != step);
        self.steps.push(WorkflowStep {
            step,
            result,
            duration_ms,
        });
    }

    /// Record a step that ran inside another step's time and cannot be timed apart (an
    /// AAB's JAR signature is computed while the bundle is written): no `durationMs`.
    pub fn step_untimed(&mut self, step: StepName, result: StepResult) {
        self.steps.retain(|s| s.step != step);
        self.steps.push(WorkflowStep {
            step,
            result,
            duration_ms: None,
        });
    }

    /// Run one workflow step, recording its result and duration.
    pub fn run_step<T, E>(
        &mut self,
        step: StepName,
        f: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let start = Instant::now();
        let result = f();
        let outcome = if result.is_ok() {
            StepResult::Ok
        } else {
            StepResult::Failed
        };
        self.step(step, outcome, start.elapsed());
        result
    }

    pub fn input(&mut self, facts: InputFacts) {
        let sha = facts.sha256;
        let input = Input {
            name: file_name(&facts.name),
            format: facts.format,
            size: facts.size,
            sha256: hex(&facts.sha256),
            origin_sha256: None,
            app_name: facts.app_name.filter(|n| !n.trim().is_empty()),
            package_id: facts.package_id,
            version: facts.version,
            build_number: facts.build_number,
            signers: facts.signers.iter().map(signer).collect(),
            android: facts.android.map(|mut a| {
                a.abis.sort();
                a.abis.dedup();
                a.abis_added.sort();
                a.abis_added.dedup();
                a
            }),
            aab: facts.aab,
            ios: facts.ios,
        };
        self.input = Some((input, sha));
    }

    /// The input was itself a fused app: `origin` is the SHA-256 of the app that was first
    /// fused, recorded in it (APK: `assets/fuse/origin.sha256`). The build id is derived from
    /// it instead of the input's SHA-256, so re-fusing gives the same id (`input.originSha256`).
    pub fn origin(&mut self, origin_sha256: &[u8; 32]) {
        self.origin = Some(*origin_sha256);
    }

    /// The fusion set's name and the SHA-256 of its file (id and stage come from the policy).
    pub fn fusion_set(&mut self, name: &str, file_sha256: &[u8; 32]) {
        self.fusion_set = Some((name.to_string(), *file_sha256));
    }

    /// The compiled policy, its encoded bytes as embedded, and where they sit in the package.
    pub fn policy(&mut self, policy: &fuse_policy::Policy, blob: &[u8], path_in_package: &str) {
        let domains = policy
            .domains
            .iter()
            .map(|d| DomainInfo {
                host: match &d.host {
                    fuse_policy::HostPattern::Exact(h) => h.clone(),
                    fuse_policy::HostPattern::OneLabelWildcard(h) => format!("*.{h}"),
                },
                include_subdomains: d.include_subdomains,
                pins: d
                    .pins
                    .iter()
                    .map(|p| {
                        format!(
                            "sha256/{}",
                            base64::engine::general_purpose::STANDARD.encode(p)
                        )
                    })
                    .collect(),
                expires: d.expires_unix.map(last_day),
            })
            .collect();
        let info = PolicyInfo {
            sha256: sha256_hex(blob),
            size: blob.len() as u64,
            path: path_in_package.to_string(),
            detection: policy.detection,
            threat_events: match policy.threat_events {
                fuse_policy::ThreatEvents::Off => ThreatEvents::Off,
                fuse_policy::ThreatEvents::Detection => ThreatEvents::Detection,
                fuse_policy::ThreatEvents::Defense => ThreatEvents::Defense,
            },
            action: match policy.action {
                fuse_policy::Action::Close => Action::Close,
                fuse_policy::Action::Alert => Action::Alert,
                fuse_policy::Action::Warn => Action::Warn,
                fuse_policy::Action::Log => Action::Log,
            },
            external_id: policy.external_id.clone(),
            domains,
            enforce: EnforceInfo {
                ca_basic_constraints: policy.enforce.ca_basic_constraints,
                min_rsa_bits: policy.enforce.min_rsa_bits,
                min_ec_bits: policy.enforce.min_ec_bits,
                sha256_signatures: policy.enforce.sha256_signatures,
            },
        };
        self.policy = Some(PolicyParts {
            info,
            fusion_set_id: policy.fusion_set_id.clone(),
            stage: match policy.stage {
                fuse_policy::Stage::Development => Stage::Development,
                fuse_policy::Stage::Staging => Stage::Staging,
                fuse_policy::Stage::Production => Stage::Production,
            },
            build_id: policy.build_id.clone(),
            expiry: policy.domains.iter().map(|d| d.expires_unix).collect(),
        });
    }

    /// An entry the fusion added.
    pub fn added(&mut self, path: &str, role: &str, sha256: &[u8; 32], size: u64) {
        self.change(EntryChange {
            path: path.to_string(),
            change: ChangeKind::Added,
            role: role.to_string(),
            before_sha256: None,
            before_size: None,
            after_sha256: Some(hex(sha256)),
            after_size: Some(size),
        });
    }

    /// An entry the fusion rewrote (manifest, executable, CodeResources, ...).
    pub fn changed(
        &mut self,
        path: &str,
        role: &str,
        before: (&[u8; 32], u64),
        after: (&[u8; 32], u64),
    ) {
        self.change(EntryChange {
            path: path.to_string(),
            change: ChangeKind::Changed,
            role: role.to_string(),
            before_sha256: Some(hex(before.0)),
            before_size: Some(before.1),
            after_sha256: Some(hex(after.0)),
            after_size: Some(after.1),
        });
    }

    /// An entry the fusion dropped (old signature files, stale code-transparency data, ...).
    pub fn removed(&mut self, path: &str, role: &str, sha256: &[u8; 32], size: u64) {
        self.change(EntryChange {
            path: path.to_string(),
            change: ChangeKind::Removed,
            role: role.to_string(),
            before_sha256: Some(hex(sha256)),
            before_size: Some(size),
            after_sha256: None,
            after_size: None,
        });
    }

    fn change(&mut self, change: EntryChange) {
        self.changes.retain(|c| c.path != change.path);
        self.changes.push(change);
    }

    pub fn output(&mut self, facts: OutputFacts) {
        let cert_sha = facts.signer.certificate_der.as_deref().map(sha256_bytes);
        let output = Output {
            name: file_name(&facts.name),
            size: facts.size,
            sha256: hex(&facts.sha256),
            signer: signer(&facts.signer),
            key_source: facts.key_source,
            ios: None,
        };
        self.output = Some((output, cert_sha));
    }

    /// iOS: the team and provisioning profile of the signed output (after `output`).
    pub fn output_ios(&mut self, ios: OutputIos) {
        if let Some((output, _)) = self.output.as_mut() {
            output.ios = Some(ios);
        }
    }

    /// One self-verification check.
    pub fn check(&mut self, name: &str, passed: bool, detail: Option<String>) {
        self.checks.push(Check {
            name: name.to_string(),
            result: if passed {
                CheckResult::Pass
            } else {
                CheckResult::Fail
            },
            detail,
        });
    }

    /// A pipeline-specific warning (the common ones are derived in `finish`).
    pub fn warning(&mut self, code: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            code: code.to_string(),
            message: message.into(),
        });
    }

    /// Assemble the report (unsigned). `report_key_cert_der` is the certificate of the key
    /// that will sign it: the output signer's, or the debug key's for ad-hoc builds.
    pub fn finish(
        self,
        report_key_source: ReportKeySource,
        report_key_cert_der: &[u8],
    ) -> Result<Report, Error> {
        let (mut input, input_sha) = self.input.ok_or(Error::Incomplete { missing: "input" })?;
        input.origin_sha256 = self.origin.map(|o| hex(&o));
        let token_app_sha = self.origin.unwrap_or(input_sha);
        let (fs_name, fs_sha) = self.fusion_set.ok_or(Error::Incomplete {
            missing: "fusion set",
        })?;
        let policy = self.policy.ok_or(Error::Incomplete { missing: "policy" })?;
        let (output, output_cert_sha) =
            self.output.ok_or(Error::Incomplete { missing: "output" })?;

        // The token in the policy must be the one derived from this build's facts, or
        // threat events and the report would name different builds.
        let token_signer = match &output_cert_sha {
            Some(sha) => TokenSigner::Certificate(sha),
            None => TokenSigner::AdHoc,
        };
        let build_id = fused_app_token(&token_app_sha, &fs_sha, token_signer);
        if policy.build_id != build_id {
            return Err(Error::Inconsistent {
                detail: format!(
                    "the policy carries build id {:?} but input, fusion set and signer give {build_id}",
                    policy.build_id
                ),
            });
        }
        let report_key_sha = sha256_hex(report_key_cert_der);
        if report_key_source == ReportKeySource::PackageSigningKey
            && output.signer.cert_sha256.as_deref() != Some(report_key_sha.as_str())
        {
            return Err(Error::Inconsistent {
                detail: "the report key is declared the package signing key but its certificate is not the output signer's".into(),
            });
        }

        let stage = policy.stage;
        let protection = protection(&policy.info, stage);
        let abis_added = input
            .android
            .as_ref()
            .map(|a| a.abis_added.clone())
            .unwrap_or_default();
        let mut warnings = warnings::derive(&WarningFacts {
            now_unix: self.clock.unix,
            key_source: output.key_source,
            stage,
            policy: &policy.info,
            domain_expiry: &policy.expiry,
            abis_added: &abis_added,
        });
        for w in self.warnings {
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }

        let workflow: Vec<WorkflowStep> = StepName::ALL
            .iter()
            .map(|name| {
                self.steps
                    .iter()
                    .find(|s| s.step == *name)
                    .cloned()
                    .unwrap_or(WorkflowStep {
                        step: *name,
                        result: StepResult::Skipped,
                        duration_ms: None,
                    })
            })
            .collect();
        let mut changes = self.changes;
        changes.sort_by(|a, b| a.path.cmp(&b.path));

        let passed = workflow.iter().all(|s| s.result == StepResult::Ok)
            && !self.checks.is_empty()
            && self.checks.iter().all(|c| c.result == CheckResult::Pass);

        Ok(Report {
            schema: SCHEMA_ID.to_string(),
            result: if passed { Verdict::Pass } else { Verdict::Fail },
            tool: Tool {
                name: "fuse".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            build_id,
            time: self.clock.report_time(),
            workflow,
            input,
            fusion_set: FusionSetInfo {
                id: policy.fusion_set_id,
                name: fs_name,
                stage,
                sha256: hex(&fs_sha),
            },
            policy: policy.info,
            protections: vec![protection],
            changes,
            output,
            self_verification: self.checks,
            warnings,
            report_key: ReportKey {
                source: report_key_source,
                cert_sha256: report_key_sha,
            },
            signature: None,
        })
    }
}

/// How the certificate-pinning protection behaves, from the policy (DESIGN §2 table).
fn protection(policy: &PolicyInfo, stage: Stage) -> Protection {
    let mode = if !policy.detection {
        ProtectionMode::Disabled
    } else if policy.threat_events == ThreatEvents::Detection {
        ProtectionMode::DetectionOnly
    } else if stage == Stage::Development {
        ProtectionMode::NonBlocking
    } else {
        ProtectionMode::Enforcing
    };
    Protection {
        kind: "CertificatePinning".into(),
        mode,
        action: policy.action,
        threat_events: policy.threat_events,
        stage,
        blocking: mode == ProtectionMode::Enforcing
            && matches!(policy.action, Action::Close | Action::Alert),
        domain_count: u32::try_from(policy.domains.len()).unwrap_or(u32::MAX),
    }
}

fn signer(facts: &SignerFacts) -> Signer {
    match &facts.certificate_der {
        Some(der) => Signer {
            kind: SignerKind::Certificate,
            cert_sha256: Some(sha256_hex(der)),
            subject: Certificate::from_der(der)
                .ok()
                .map(|c| c.tbs_certificate().subject().to_string()),
            schemes: facts.schemes.clone(),
        },
        None => Signer {
            kind: SignerKind::AdHoc,
            cert_sha256: None,
            subject: None,
            schemes: facts.schemes.clone(),
        },
    }
}

fn sha256_bytes(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// `dir/app.apk` → `app.apk`: the report names files, not the build machine's layout.
fn file_name(name: &str) -> String {
    std::path::Path::new(name)
        .file_name()
        .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned())
}
