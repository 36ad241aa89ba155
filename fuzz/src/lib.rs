//! Helpers shared by the fuzz targets: turning fuzzer bytes into things worth feeding
//! the policy crate (blobs that get past the SHA-256 digests, chains of DER pieces).

use fuse_policy::{Action, Domain, Enforce, HostPattern, Policy, Stage, ThreatEvents, Ui};
use sha2::{Digest, Sha256};

/// Frames `scope` and `body` with correct digests (layout in docs/policy-format.md), so
/// the fuzzer reaches the field parsers instead of failing at the trailer.
pub fn seal(scope: &[u8], body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(84 + scope.len() + body.len());
    b.extend_from_slice(&fuse_policy::MAGIC);
    b.extend_from_slice(&fuse_policy::FORMAT_VERSION.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&(scope.len() as u32).to_le_bytes());
    b.extend_from_slice(scope);
    let d = Sha256::digest(&b);
    b.extend_from_slice(&d);
    b.extend_from_slice(&(body.len() as u32).to_le_bytes());
    b.extend_from_slice(body);
    let t = Sha256::digest(&b);
    b.extend_from_slice(&t);
    b
}

/// Splits bytes into consecutive DER TLVs (by the outer length only) — a seed that is
/// one certificate or a concatenated chain becomes a chain; the rest is one last piece.
pub fn split_tlvs(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !data.is_empty() && out.len() < 16 {
        let len = tlv_len(data).unwrap_or(data.len()).min(data.len());
        let (piece, rest) = data.split_at(len.max(1));
        out.push(piece);
        data = rest;
    }
    out
}

fn tlv_len(d: &[u8]) -> Option<usize> {
    let first = *d.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let bytes = d.get(2..2 + n)?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Some(2 + n + len)
}

/// A valid policy covering `api.example.test` (exact + subdomains) and `*.example.test`,
/// pinned to `pins`, all enforce checks on.
pub fn fixed_policy(pins: Vec<[u8; 32]>, expires_unix: Option<i64>) -> Policy {
    let pins = if pins.is_empty() {
        vec![[0x42; 32]]
    } else {
        pins
    };
    Policy {
        fusion_set_id: "fuzz".into(),
        build_id: "fuzz".into(),
        build_date_unix: 0,
        stage: Stage::Production,
        detection: true,
        threat_events: ThreatEvents::Defense,
        action: Action::Close,
        external_id: None,
        ui: Ui::default(),
        domains: vec![
            Domain {
                host: HostPattern::Exact("api.example.test".into()),
                include_subdomains: true,
                expires_unix,
                pins: pins.clone(),
            },
            Domain {
                host: HostPattern::OneLabelWildcard("example.test".into()),
                include_subdomains: false,
                expires_unix,
                pins,
            },
        ],
        enforce: Enforce::default(),
    }
}

pub const HOSTS: [&str; 5] = [
    "api.example.test",
    "a.b.api.example.test",
    "www.example.test",
    "EXAMPLE.test.",
    "127.0.0.1",
];

/// Fuzzer bytes as a file, for parsers whose entry point is a path (`zip::Archive::open`,
/// `keys::load`, `fusion_set::load`): `fuzz/target/inputs/<pid>-<slot>.bin`, rewritten
/// for every input (scripts/fuzz-smoke empties the folder before a run).
pub fn as_file_in_slot(slot: &str, data: &[u8]) -> std::path::PathBuf {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/target/inputs"));
    std::fs::create_dir_all(dir).expect("create fuzz/target/inputs");
    let path = dir.join(format!("{}-{slot}.bin", std::process::id()));
    std::fs::write(&path, data).expect("write the fuzz input file");
    path
}

/// [`as_file_in_slot`] with the default slot.
pub fn as_file(data: &[u8]) -> std::path::PathBuf {
    as_file_in_slot("input", data)
}
