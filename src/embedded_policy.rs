//! A `policy.bin` found inside a package, as `fuse inspect` describes it: which fusion set
//! and build it came from, and what it pins. Shared by the APK, AAB and IPA inspectors so
//! the three name these facts alike in `--json` (camelCase, the APK inspector's names).
//!
//! ```text
//! policy.bin ──SHA-256──▶ policySha256 (the report's `policy.sha256`)
//!            ──fuse_policy::decode──▶ fusionSetId, buildId, stage, buildDateUnix, domains
//!                                 └─▶ policyProblem (why it does not decode)
//! ```
//! Descriptive only: a blob that does not decode is a fact about the package, not an error.

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::report::hex;

/// The facts of one embedded policy blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedPolicy {
    /// Entry path inside the package (`base/assets/fuse/policy.bin`, …).
    pub policy_path: String,
    pub policy_size: u64,
    /// SHA-256 of the blob's bytes, hex: what the Certified Secure report states.
    pub policy_sha256: String,
    pub fusion_set_id: Option<String>,
    /// `fusedAppToken`, the report's `buildId`.
    pub build_id: Option<String>,
    /// Why the blob does not decode, when it does not.
    pub policy_problem: Option<String>,
    pub stage: Option<&'static str>,
    pub build_date_unix: Option<i64>,
    /// Pinned hosts (`*.` for one-label wildcards, `+subdomains` when included).
    pub domains: Vec<String>,
}

impl EmbeddedPolicy {
    /// Describes `blob`, found at `path` (the caller bounded the read).
    pub fn of(path: &str, blob: &[u8]) -> Self {
        let decoded = fuse_policy::decode(blob).map_err(|e| e.to_string());
        let policy = decoded.as_ref().ok();
        Self {
            policy_path: path.to_owned(),
            policy_size: blob.len() as u64,
            policy_sha256: hex(&Sha256::digest(blob)),
            fusion_set_id: policy.map(|p| p.fusion_set_id.clone()),
            build_id: policy.map(|p| p.build_id.clone()),
            policy_problem: decoded.as_ref().err().cloned(),
            stage: policy.map(|p| stage_name(p.stage)),
            build_date_unix: policy.map(|p| p.build_date_unix),
            domains: policy.map(domain_list).unwrap_or_default(),
        }
    }
}

/// `development`, `staging` or `production`.
pub fn stage_name(stage: fuse_policy::Stage) -> &'static str {
    match stage {
        fuse_policy::Stage::Development => "development",
        fuse_policy::Stage::Staging => "staging",
        fuse_policy::Stage::Production => "production",
    }
}

/// The policy's hosts as inspect prints them: `api.example.com +subdomains`, `*.cdn.example.com`.
pub fn domain_list(policy: &fuse_policy::Policy) -> Vec<String> {
    policy
        .domains
        .iter()
        .map(|d| {
            let host = match &d.host {
                fuse_policy::HostPattern::Exact(h) => h.clone(),
                fuse_policy::HostPattern::OneLabelWildcard(h) => format!("*.{h}"),
            };
            if d.include_subdomains {
                format!("{host} +subdomains")
            } else {
                host
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_is_a_problem_not_an_error() {
        let p = EmbeddedPolicy::of("fuse/policy.bin", b"junk");
        assert_eq!(p.policy_size, 4);
        assert_eq!(p.policy_sha256, hex(&Sha256::digest(b"junk")));
        assert!(p.policy_problem.is_some());
        assert_eq!(p.fusion_set_id, None);
        assert!(p.domains.is_empty());
    }

    #[test]
    fn a_policy_names_its_fusion_set_build_and_hosts() {
        let blob = fuse_policy::encode(&fuse_policy::Policy {
            fusion_set_id: "fs-1".into(),
            build_id: "b-1".into(),
            build_date_unix: 7,
            stage: fuse_policy::Stage::Staging,
            detection: true,
            threat_events: fuse_policy::ThreatEvents::Off,
            action: fuse_policy::Action::Close,
            external_id: None,
            ui: fuse_policy::Ui {
                title: "t".into(),
                message: "m".into(),
                buttons: vec![],
                localized: vec![],
            },
            domains: vec![],
            enforce: fuse_policy::Enforce::default(),
        });
        let p = EmbeddedPolicy::of("x", &blob);
        assert_eq!(p.policy_problem, None);
        assert_eq!(p.fusion_set_id.as_deref(), Some("fs-1"));
        assert_eq!(p.build_id.as_deref(), Some("b-1"));
        assert_eq!(p.stage, Some("staging"));
        assert_eq!(p.build_date_unix, Some(7));
    }
}
