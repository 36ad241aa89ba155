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
