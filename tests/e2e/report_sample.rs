//! Sample reports for the report tests, built through the same `ReportBuilder` calls a
//! build pipeline makes, signed with keys from `testdata/report/generate`. Also a
//! synthetic package (`SyntheticPackage`) standing in for the APK/IPA verifiers'
//! `PackageView` until the pipelines exist.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fuse::report::*;
use sha2::{Digest, Sha256};

use crate::support;

/// 2026-11-23T12:00:00Z: the sample's `SOURCE_DATE_EPOCH`.
pub const SAMPLE_TIME: i64 = 1_795_435_200;

pub fn keys_dir() -> PathBuf {
    support::generated("report")
}

/// A key from the fixture, signing like `keys::SigningIdentity::sign(Sha256, ..)` will.
pub struct TestSigner {
    pub cert: Vec<u8>,
    key: Key,
}

enum Key {
    Rsa(rsa::pkcs1v15::SigningKey<Sha256>),
    Ec(p256::ecdsa::SigningKey),
}

impl TestSigner {
    /// `release`, `other`, `release-ec` or `debug`.
    pub fn load(name: &str) -> Self {
        let dir = keys_dir();
        let cert = std::fs::read(dir.join(format!("{name}.der"))).unwrap();
        let pk8 = std::fs::read(dir.join(format!("{name}.pk8"))).unwrap();
        let key = if name.ends_with("-ec") {
            use p256::pkcs8::DecodePrivateKey as _;
            Key::Ec(p256::ecdsa::SigningKey::from_pkcs8_der(&pk8).unwrap())
        } else {
            use rsa::pkcs8::DecodePrivateKey as _;
            Key::Rsa(rsa::pkcs1v15::SigningKey::new(
                rsa::PrivateKey::from_pkcs8_der(&pk8).unwrap(),
            ))
        };
        Self { cert, key }
    }

    pub fn cert_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.cert).into()
    }
}

impl ReportSigner for TestSigner {
    fn certificate_der(&self) -> &[u8] {
        &self.cert
    }

    fn sign_sha256(
        &self,
        message: &[u8],
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        use rsa::signature::{SignatureEncoding as _, Signer as _};
        Ok(match &self.key {
            Key::Rsa(k) => k.sign(message).to_vec(),
            Key::Ec(k) => {
                let s: p256::ecdsa::Signature = k.sign(message);
                s.to_der().as_bytes().to_vec()
            }
        })
    }
}

/// What a sample build made: the signed report and the "package" it certifies.
pub struct Sample {
    pub report: Report,
    pub package: SyntheticPackage,
}

/// Knobs that make one sample build differ from another.
pub struct Options<'a> {
    pub app_name: &'a str,
    /// Changes the input bytes: another build of the same app.
    pub input_variant: u8,
    pub fusion_set_name: &'a str,
    pub stage: fuse_policy::Stage,
    pub format: PackageFormat,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Self {
            app_name: "Example Bank",
            input_variant: 0,
            fusion_set_name: "Retail banking, production",
            stage: fuse_policy::Stage::Production,
            format: PackageFormat::Apk,
        }
    }
}

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn pin(seed: &str) -> [u8; 32] {
    sha(seed.as_bytes())
}

/// The sample's policy, as `FusionSet::to_policy` would give it.
pub fn policy(build_id: &str, stage: fuse_policy::Stage) -> fuse_policy::Policy {
    use fuse_policy::*;
    Policy {
        fusion_set_id: "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11".into(),
        build_id: build_id.into(),
        build_date_unix: SAMPLE_TIME,
        stage,
        detection: true,
        threat_events: ThreatEvents::Defense,
        action: Action::Close,
        external_id: Some("cp-prod-01".into()),
        ui: Ui {
            title: "Connection not secure".into(),
            message: "This network connection could be intercepted. The app will close.".into(),
            buttons: vec![Button {
                label: "Close".into(),
                action: ButtonAction::Close,
            }],
            localized: vec![],
        },
        domains: vec![
            Domain {
                host: HostPattern::Exact("api.examplebank.ch".into()),
                include_subdomains: true,
                expires_unix: Some(1_814_400_000), // last day 2027-06-30
                pins: vec![pin("api primary"), pin("api backup")],
            },
            Domain {
                host: HostPattern::OneLabelWildcard("cdn.examplebank.ch".into()),
                include_subdomains: false,
                expires_unix: Some(1_800_057_600), // last day 2027-01-15: within 90 days
                pins: vec![pin("cdn only")],
            },
            Domain {
                host: HostPattern::Exact("login.examplebank.ch".into()),
                include_subdomains: false,
                expires_unix: None,
                pins: vec![pin("login a"), pin("login b"), pin("login c")],
            },
        ],
        enforce: Enforce::default(),
    }
}

/// A sample build, signed with `signer` (for ad-hoc IPAs: the debug key signs the report).
pub fn build(signer: &TestSigner, o: &Options<'_>) -> Sample {
    let clock = Clock::fixed(SAMPLE_TIME, TimeSource::SourceDateEpoch);
    let adhoc = o.format == PackageFormat::Ipa;
    let input_bytes = format!("input package {} {}", o.app_name, o.input_variant).into_bytes();
    let fusion_set_bytes = format!("fusion set {}", o.fusion_set_name).into_bytes();
    let (input_sha, fs_sha) = (sha(&input_bytes), sha(&fusion_set_bytes));
    let cert_sha = signer.cert_sha256();
    let token = fused_app_token(
        &input_sha,
        &fs_sha,
        if adhoc {
            TokenSigner::AdHoc
        } else {
            TokenSigner::Certificate(&cert_sha)
        },
    );
    let policy = policy(&token, o.stage);
    let blob = fuse_policy::encode(&policy);

    let mut b = ReportBuilder::new(clock);
    b.step(StepName::Read, StepResult::Ok, Duration::from_millis(41));
    let android = AndroidFacts {
        min_sdk: 21,
        target_sdk: 34,
        abis: vec!["arm64-v8a".into(), "armeabi-v7a".into()],
        abis_added: vec![],
        extract_native_libs: false,
    };
    let (policy_path, entries): (String, Vec<(&str, &str)>) = match o.format {
        PackageFormat::Apk => (
            POLICY_PATH_APK.into(),
            vec![
                ("lib/arm64-v8a/libfusepin.so", "shim"),
                ("lib/armeabi-v7a/libfusepin.so", "shim"),
                ("classes3.dex", "bridge"),
            ],
        ),
        PackageFormat::Aab => (
            POLICY_PATH_AAB.into(),
            vec![
                ("base/lib/arm64-v8a/libfusepin.so", "shim"),
                ("base/lib/armeabi-v7a/libfusepin.so", "shim"),
                ("base/dex/classes3.dex", "bridge"),
            ],
        ),
        PackageFormat::Ipa => (
            "Payload/ExampleBank.app/fuse/policy.bin".into(),
            vec![(
                "Payload/ExampleBank.app/Frameworks/libfusepin.dylib",
                "shim",
            )],
        ),
    };
    b.input(InputFacts {
        name: format!(
            "/ci/build/outputs/examplebank-release.{}",
            o.format.as_str()
        ),
        format: o.format,
        size: 48_213_771,
        sha256: input_sha,
        app_name: Some(o.app_name.into()),
        package_id: "ch.examplebank.mobile".into(),
        version: Some("4.12.0".into()),
        build_number: "41200".into(),
        signers: vec![if adhoc {
            SignerFacts {
                certificate_der: None,
                schemes: vec!["codeSignature".into()],
            }
        } else {
            SignerFacts {
                certificate_der: Some(signer.cert.clone()),
                schemes: vec!["v2".into(), "v3".into()],
            }
        }],
        android: (!adhoc).then_some(android),
        aab: (o.format == PackageFormat::Aab).then(|| AabFacts {
            modules: vec!["base".into(), "feature_pay".into()],
        }),
        ios: adhoc.then(|| IosFacts {
            min_os_version: Some("15.0".into()),
            arch_slices: vec!["arm64".into()],
            executable: "ExampleBank".into(),
            bundle: "ExampleBank.app".into(),
        }),
    });
    b.fusion_set(o.fusion_set_name, &fs_sha);
    b.step(StepName::Inject, StepResult::Ok, Duration::from_millis(12));
    b.policy(&policy, &blob, &policy_path);
    b.added(&policy_path, "policy", &sha(&blob), blob.len() as u64);
    for (path, role) in &entries {
        b.added(path, role, &sha(path.as_bytes()), 9_000 + path.len() as u64);
    }
    match o.format {
        PackageFormat::Apk => {
            b.changed(
                "AndroidManifest.xml",
                "manifest",
                (&sha(b"manifest before"), 4_208),
                (&sha(b"manifest after"), 4_388),
            );
            b.removed("META-INF/CERT.RSA", "signature", &sha(b"old rsa"), 1_363);
            b.removed("META-INF/CERT.SF", "signature", &sha(b"old sf"), 71_201);
            b.removed("META-INF/MANIFEST.MF", "signature", &sha(b"old mf"), 70_988);
        }
        PackageFormat::Aab => {
            b.changed(
                "base/manifest/AndroidManifest.xml",
                "manifest",
                (&sha(b"pb before"), 6_020),
                (&sha(b"pb after"), 6_171),
            );
        }
        PackageFormat::Ipa => {
            b.changed(
                "Payload/ExampleBank.app/ExampleBank",
                "executable",
                (&sha(b"macho before"), 3_120_112),
                (&sha(b"macho after"), 3_120_112),
            );
        }
    }
    b.step(StepName::Write, StepResult::Ok, Duration::from_millis(230));
    b.step(StepName::Sign, StepResult::Ok, Duration::from_millis(180));

    let output_bytes = format!("fused output of {token}").into_bytes();
    b.output(OutputFacts {
        name: format!("examplebank-release-fused.{}", o.format.as_str()),
        size: output_bytes.len() as u64,
        sha256: sha(&output_bytes),
        signer: if adhoc {
            SignerFacts {
                certificate_der: None,
                schemes: vec!["codeSignature".into()],
            }
        } else {
            SignerFacts {
                certificate_der: Some(signer.cert.clone()),
                schemes: vec!["v1".into(), "v2".into(), "v3".into()],
            }
        },
        key_source: if adhoc {
            KeyKind::AdHoc
        } else {
            KeyKind::Keystore
        },
    });
    let ios_checks = [
        (
            "codeSignature",
            "every Mach-O slice and nested bundle signature parses",
        ),
        (
            "loadCommandOnce",
            "LC_LOAD_DYLIB for libfusepin.dylib once per slice",
        ),
        (
            "bundleSeal",
            "CodeResources seals every file, shim and policy included",
        ),
        (
            "policyDecodes",
            "policy.bin decodes to the fusion set's policy",
        ),
    ];
    let android_checks = [
        ("zipStructure", "central directory and local headers agree"),
        ("apkSignatureV1", "JAR signature verifies (minSdk 21)"),
        ("apkSignatureV2", "content digest and signature verify"),
        ("apkSignatureV3", "content digest and signature verify"),
        (
            "signerCertificatesEqual",
            "v1, v2 and v3 name the same certificate",
        ),
        (
            "policyDecodes",
            "policy.bin decodes to the fusion set's policy",
        ),
        (
            "manifestProvider",
            "fuse.bridge.FuseProvider registered once",
        ),
        ("shimPerAbi", "libfusepin.so for every ABI, 16 KiB aligned"),
    ];
    let checks: &[(&str, &str)] = if adhoc { &ios_checks } else { &android_checks };
    for (name, detail) in checks {
        b.check(name, true, Some((*detail).into()));
    }
    b.step(StepName::Verify, StepResult::Ok, Duration::from_millis(95));

    let report_key = if adhoc {
        ReportKeySource::DebugKey
    } else {
        ReportKeySource::PackageSigningKey
    };
    let mut report = b.finish(report_key, &signer.cert).unwrap();
    sign(&mut report, signer).unwrap();

    let mut entries_map = BTreeMap::new();
    entries_map.insert(policy_path, blob);
    Sample {
        report,
        package: SyntheticPackage {
            bytes: output_bytes,
            signer: if adhoc {
                PackageSigner::AdHoc
            } else {
                PackageSigner::CertificateSha256(signer.cert_sha256())
            },
            entries: entries_map,
        },
    }
}

/// A report in which every optional member is present (for the document and schema walks).
pub fn every_field(signer: &TestSigner) -> Report {
    let mut report = build(signer, &Options::default()).report;
    report.input.aab = Some(AabFacts {
        modules: vec!["base".into()],
    });
    report.input.ios = Some(IosFacts {
        min_os_version: Some("15.0".into()),
        arch_slices: vec!["arm64".into()],
        executable: "ExampleBank".into(),
        bundle: "ExampleBank.app".into(),
    });
    if let Some(a) = report.input.android.as_mut() {
        a.abis_added = vec!["x86".into()];
    }
    report.input.origin_sha256 = Some("5e".repeat(32));
    report.output.ios = Some(OutputIos {
        team_id: Some("ABCDE12345".into()),
        provisioning_profile: Some(ProvisioningProfile {
            name: "Example Bank App Store".into(),
            uuid: Some("0b3f2a9d-1e11-4c1e-9a57-6f1c0d9e4b7a".into()),
            team_ids: vec!["ABCDE12345".into()],
            application_identifier: "ABCDE12345.ch.examplebank.mobile".into(),
            expires: "2027-06-30T00:00:00Z".into(),
        }),
    });
    for w in &mut report.workflow {
        w.duration_ms = Some(7);
    }
    sign(&mut report, signer).unwrap();
    report
}

/// The package side of `verify --report`, in memory.
pub struct SyntheticPackage {
    pub bytes: Vec<u8>,
    pub signer: PackageSigner,
    pub entries: BTreeMap<String, Vec<u8>>,
}

impl SyntheticPackage {
    pub fn write_to(&self, path: &Path) {
        std::fs::write(path, &self.bytes).unwrap();
    }
}

impl PackageView for SyntheticPackage {
    fn signer(&mut self) -> Result<PackageSigner, fuse::Error> {
        Ok(self.signer.clone())
    }
    fn entry_names(&mut self) -> Result<Vec<String>, fuse::Error> {
        Ok(self.entries.keys().cloned().collect())
    }
    fn read_entry(&mut self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, fuse::Error> {
        let entry = self.entries.get(name).cloned();
        assert!(entry.as_ref().is_none_or(|e| e.len() as u64 <= limit));
        Ok(entry)
    }
}

/// Write a report's JSON (as `write_report` would) to `dir/name`.
pub fn write_json(report: &Report, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, to_json_bytes(report).unwrap()).unwrap();
    path
}
