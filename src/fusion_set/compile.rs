//! Fusion set → [`fuse_policy::Policy`], the model the policy blob encodes (CONTRACTS §2).
//!
//! Everything here is a plain mapping of already-validated values; the only decisions
//! are the defaults for texts and buttons the file leaves out, and the expiry instant
//! (`expires` is the last UTC day, so `expires_unix` is 00:00 UTC of the next day).

use fuse_policy as policy;

use super::model::{Action, ButtonAction, FusionSet, Stage, ThreatEvents};

/// Dialog title when the file gives none.
pub const DEFAULT_TITLE: &str = "Connection not secure";

/// Dialog or notice text when the file gives none, by action.
pub fn default_message(action: Action) -> &'static str {
    match action {
        Action::Close => "This network connection could be intercepted. The app will close.",
        Action::Alert => "This network connection could be intercepted and was stopped.",
        Action::Warn | Action::Log => "This network connection could be intercepted.",
    }
}

/// The button a dialog gets when the file lists none (see `validate::default_button_count`).
fn default_buttons(action: Action) -> Vec<policy::Button> {
    match action {
        Action::Close => vec![policy::Button {
            label: "Close".into(),
            action: policy::ButtonAction::Close,
        }],
        Action::Alert => vec![policy::Button {
            label: "OK".into(),
            action: policy::ButtonAction::Dismiss,
        }],
        Action::Warn | Action::Log => Vec::new(),
    }
}

impl FusionSet {
    /// The policy to embed in a build. `build_id` is the report's `fusedAppToken`;
    /// `build_date_unix` the build time (from `SOURCE_DATE_EPOCH` when set).
    pub fn to_policy(&self, build_id: &str, build_date_unix: i64) -> policy::Policy {
        let cp = &self.certificate_pinning;
        let buttons = if cp.buttons.is_empty() {
            default_buttons(cp.action)
        } else {
            cp.buttons
                .iter()
                .map(|b| policy::Button {
                    label: b.label.clone(),
                    action: match &b.action {
                        ButtonAction::Close => policy::ButtonAction::Close,
                        ButtonAction::Dismiss => policy::ButtonAction::Dismiss,
                        ButtonAction::Redirect(url) => policy::ButtonAction::Redirect(url.clone()),
                    },
                })
                .collect()
        };
        // BTreeMap iteration: sorted by (lowercase) language tag, as the model requires.
        let localized = cp
            .localized
            .iter()
            .map(|(language, l)| policy::LocalizedUi {
                language: language.clone(),
                title: l.title.clone(),
                message: l.message.clone(),
                buttons: l.buttons.clone(),
            })
            .collect();
        let domains = cp
            .domains
            .iter()
            .map(|d| policy::Domain {
                host: if d.host.is_wildcard() {
                    policy::HostPattern::OneLabelWildcard(d.host.name().to_owned())
                } else {
                    policy::HostPattern::Exact(d.host.name().to_owned())
                },
                include_subdomains: d.include_subdomains,
                expires_unix: d.expires.map(|e| e.expires_unix()),
                pins: d.pins.iter().map(|p| *p.digest()).collect(),
            })
            .collect();
        policy::Policy {
            fusion_set_id: self.fusion_set_id.clone(),
            build_id: build_id.to_owned(),
            build_date_unix,
            stage: match self.stage {
                Stage::Development => policy::Stage::Development,
                Stage::Staging => policy::Stage::Staging,
                Stage::Production => policy::Stage::Production,
            },
            detection: cp.detection,
            threat_events: match cp.threat_events {
                ThreatEvents::Off => policy::ThreatEvents::Off,
                ThreatEvents::Detection => policy::ThreatEvents::Detection,
                ThreatEvents::Defense => policy::ThreatEvents::Defense,
            },
            action: match cp.action {
                Action::Close => policy::Action::Close,
                Action::Alert => policy::Action::Alert,
                Action::Warn => policy::Action::Warn,
                Action::Log => policy::Action::Log,
            },
            external_id: cp.external_id.clone(),
            ui: policy::Ui {
                title: cp.title.clone().unwrap_or_else(|| DEFAULT_TITLE.to_owned()),
                message: cp
                    .message
                    .clone()
                    .unwrap_or_else(|| default_message(cp.action).to_owned()),
                buttons,
                localized,
            },
            domains,
            enforce: policy::Enforce {
                ca_basic_constraints: cp.enforce.ca_basic_constraints,
                min_rsa_bits: cp.enforce.min_rsa_bits,
                min_ec_bits: cp.enforce.min_ec_bits,
                sha256_signatures: cp.enforce.sha256_signatures,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use fuse_policy as policy;

    use super::super::{FusionSet, load_at};

    /// 2026-01-01T00:00:00Z
    const NOW: i64 = 1_767_225_600;

    fn good(name: &str) -> FusionSet {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/fusion-sets/good")
            .join(name);
        load_at(&path, NOW).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn every_good_fixture_compiles_to_an_encodable_policy() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fusion-sets/good");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if !name.ends_with(".json") {
                continue;
            }
            let p = good(&name).to_policy("build-1", NOW);
            p.check().unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut canonical = p.clone();
            canonical.canonicalize();
            assert_eq!(
                policy::decode(&policy::encode(&p)).unwrap(),
                canonical,
                "{name}"
            );
            count += 1;
        }
        assert!(count >= 7);
    }

    #[test]
    fn production_maps_field_by_field() {
        let p = good("production.json").to_policy("token-123", 1_700_000_000);
        assert_eq!(p.fusion_set_id, "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11");
        assert_eq!(p.build_id, "token-123");
        assert_eq!(p.build_date_unix, 1_700_000_000);
        assert_eq!(p.stage, policy::Stage::Production);
        assert!(p.detection);
        assert_eq!(p.threat_events, policy::ThreatEvents::Defense);
        assert_eq!(p.action, policy::Action::Close);
        assert_eq!(p.external_id.as_deref(), Some("cp-prod-01"));
        assert_eq!(p.ui.title, "Connection not secure");
        assert_eq!(
            p.ui.buttons,
            [policy::Button {
                label: "Close".into(),
                action: policy::ButtonAction::Close
            }]
        );
        assert_eq!(p.ui.localized.len(), 1);
        assert_eq!(p.ui.localized[0].language, "de");
        assert!(p.ui.localized[0].buttons.is_empty());
        let d = &p.domains[0];
        assert_eq!(d.host, policy::HostPattern::Exact("api.example.com".into()));
        assert!(d.include_subdomains);
        // 2099-06-30 is the last day: the pins stop at 2099-07-01T00:00:00Z.
        assert_eq!(d.expires_unix, Some(4_086_547_200));
        assert_eq!(d.pins.len(), 2);
        assert_eq!(p.enforce, policy::Enforce::default());
    }

    #[test]
    fn defaults_wildcards_and_redirects() {
        let p = good("minimal.json").to_policy("b", 0);
        assert_eq!(p.stage, policy::Stage::Production);
        assert_eq!(p.threat_events, policy::ThreatEvents::Off);
        assert_eq!(p.action, policy::Action::Alert);
        assert_eq!(p.ui.title, super::DEFAULT_TITLE);
        assert_eq!(p.ui.buttons.len(), 1);
        assert_eq!(p.ui.buttons[0].action, policy::ButtonAction::Dismiss);
        assert!(!p.domains[0].include_subdomains);
        assert_eq!(p.domains[0].expires_unix, None);

        let p = good("wildcard.json").to_policy("b", 0);
        assert_eq!(
            p.domains[0].host,
            policy::HostPattern::OneLabelWildcard("cdn.example.com".into())
        );

        let p = good("staging.json").to_policy("b", 0);
        assert_eq!(p.ui.buttons[0].action, policy::ButtonAction::Dismiss);
        assert_eq!(
            p.ui.buttons[1].action,
            policy::ButtonAction::Redirect("https://example.com/help/secure-connection".into())
        );
        assert_eq!(p.enforce.min_rsa_bits, 1024);
        assert!(!p.enforce.sha256_signatures);

        let p = good("development.json").to_policy("b", 0);
        assert!(p.ui.buttons.is_empty(), "warn shows no dialog");
        assert_eq!(p.stage, policy::Stage::Development);
    }
}
