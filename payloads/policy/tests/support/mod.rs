//! Shared by the policy crate's integration tests: the generated certificate chains
//! (`testdata/chains/generate`, run once per content of that folder under a file lock,
//! in the same place and with the same stamp as the e2e tests' `support::generated`),
//! and small policy builders.
#![allow(dead_code)]

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use base64::Engine as _;
use fuse_policy::{Action, Domain, Enforce, HostPattern, Policy, Stage, ThreatEvents, Ui};
use sha2::{Digest, Sha256};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `target/tmp/fixtures/chains`, generated once per content of `testdata/chains/`.
pub fn chains_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| generated("chains"))
}

fn generated(name: &str) -> PathBuf {
    let source = repo().join("testdata").join(name);
    let generator = source.join("generate");
    let fixtures = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fixtures");
    let out = fixtures.join(name);
    fs::create_dir_all(&out).expect("create fixture dir");
    let lock = File::create(fixtures.join(format!("{name}.lock"))).expect("create lock file");
    lock.lock().expect("lock fixture generation");
    let stamp = out.join(".stamp");
    let want = tree_digest(&source);
    if fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out).expect("create fixture dir");
        let status = Command::new(&generator)
            .arg(&out)
            .stdin(Stdio::null())
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "run {} (needs openssl and keytool): {e}",
                    generator.display()
                )
            });
        assert!(
            status.success(),
            "fixture generator {} failed",
            generator.display()
        );
        fs::write(&stamp, &want).expect("write stamp");
    }
    out
}

/// SHA-256 over the sorted relative paths and contents of every file under `dir`
/// (identical to tests/e2e/support.rs, so both share one generation).
fn tree_digest(dir: &Path) -> String {
    fn walk(dir: &Path, base: &Path, files: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = fs::read_dir(dir).expect("read dir").flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, files);
            } else {
                files.push(p.strip_prefix(base).expect("under base").to_path_buf());
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    let mut h = Sha256::new();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(fs::read(dir.join(&f)).expect("read generator file"));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A generated chain: DER certificates leaf first, anchor last, and openssl's pins.
pub struct Chain {
    pub name: String,
    pub der: Vec<Vec<u8>>,
    /// `sha256/<b64>` per certificate in the same order, from `pins.txt` (openssl).
    pub pins: Vec<String>,
}

impl Chain {
    pub fn refs(&self) -> Vec<&[u8]> {
        self.der.iter().map(Vec::as_slice).collect()
    }
    pub fn leaf_pin(&self) -> [u8; 32] {
        decode_pin(&self.pins[0])
    }
    pub fn intermediate_pin(&self) -> [u8; 32] {
        assert_eq!(self.der.len(), 3, "{} has no intermediate", self.name);
        decode_pin(&self.pins[1])
    }
    pub fn root_pin(&self) -> [u8; 32] {
        decode_pin(self.pins.last().expect("pins"))
    }
}

pub fn chain(name: &str) -> Chain {
    let dir = chains_dir().join(name);
    let mut der = Vec::new();
    for role in ["leaf", "intermediate", "root"] {
        let p = dir.join(format!("{role}.der"));
        if p.exists() {
            der.push(fs::read(&p).expect("read certificate"));
        }
    }
    let pins_txt = fs::read_to_string(dir.join("pins.txt")).expect("read pins.txt");
    let pins: Vec<String> = pins_txt
        .lines()
        .map(|l| l.split_whitespace().next().expect("pin").to_owned())
        .collect();
    assert_eq!(pins.len(), der.len(), "{name}: pins.txt vs certificates");
    Chain {
        name: name.to_owned(),
        der,
        pins,
    }
}

pub fn decode_pin(pin: &str) -> [u8; 32] {
    let b64 = pin.strip_prefix("sha256/").expect("sha256/ prefix");
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64")
        .try_into()
        .expect("32 bytes")
}

/// A pin nobody has (for "some other pin" cases).
pub const UNRELATED_PIN: [u8; 32] = [0x42; 32];

pub fn domain(host: HostPattern, include_subdomains: bool, pins: &[[u8; 32]]) -> Domain {
    Domain {
        host,
        include_subdomains,
        expires_unix: None,
        pins: pins.to_vec(),
    }
}

pub fn exact(h: &str) -> HostPattern {
    HostPattern::Exact(h.into())
}

pub fn wildcard(h: &str) -> HostPattern {
    HostPattern::OneLabelWildcard(h.into())
}

/// Production, defense, close, all checks on, given domains.
pub fn policy(domains: Vec<Domain>) -> Policy {
    Policy {
        fusion_set_id: "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11".into(),
        build_id: "build-1".into(),
        build_date_unix: 1_767_225_600,
        stage: Stage::Production,
        detection: true,
        threat_events: ThreatEvents::Defense,
        action: Action::Close,
        external_id: None,
        ui: Ui {
            title: "Connection not secure".into(),
            message: "This connection could be intercepted.".into(),
            buttons: vec![],
            localized: vec![],
        },
        domains,
        enforce: Enforce::default(),
    }
}

/// A fixed evaluation time, 2026-01-01T00:00:00Z (certificate validity is the platform's
/// job, not the policy's).
pub const NOW: i64 = 1_767_225_600;
