//! The validated fusion set: what `validate` builds from the JSON once every rule holds.
//!
//! Field names mirror the file (DESIGN §2) so the `--json` views and the report use the
//! same words as the document the user wrote; values are normalised (punycode hosts,
//! decoded pins, parsed dates, defaults filled in).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::date::Date;
use super::host::Host;
use super::pin::Pin;
use super::problem::Warning;

/// A fusion set that passed validation. Build one with [`super::load`] or [`super::parse`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FusionSet {
    pub(crate) fusion_set_id: String,
    pub(crate) name: String,
    pub(crate) stage: Stage,
    #[serde(rename = "CertificatePinning")]
    pub(crate) certificate_pinning: CertificatePinning,
    /// SHA-256 of the file's bytes, as read.
    #[serde(skip)]
    pub(crate) sha256: [u8; 32],
    #[serde(skip)]
    pub(crate) warnings: Vec<Warning>,
}

impl FusionSet {
    /// `fusionSetId`.
    pub fn id(&self) -> &str {
        &self.fusion_set_id
    }

    /// `name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The `CertificatePinning` feature object.
    pub fn pinning(&self) -> &CertificatePinning {
        &self.certificate_pinning
    }

    /// `CertificatePinning.domains`, in file order.
    pub fn domains(&self) -> &[Domain] {
        &self.certificate_pinning.domains
    }

    /// Number of pins over all domains (each domain's pins are distinct; a pin listed
    /// by two domains counts twice).
    pub fn pin_count(&self) -> usize {
        self.domains().iter().map(|d| d.pins.len()).sum()
    }

    /// SHA-256 of the file bytes this set was read from.
    pub fn sha256(&self) -> [u8; 32] {
        self.sha256
    }

    /// Non-fatal findings (development stage, missing backup pins, pins expiring soon...).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

/// `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Development,
    Staging,
    Production,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Self::Development, Self::Staging, Self::Production];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Staging => "staging",
            Self::Production => "production",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `CertificatePinning.threatEvents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThreatEvents {
    Off,
    Detection,
    Defense,
}

/// `CertificatePinning.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Close,
    Alert,
    Warn,
    Log,
}

impl Action {
    /// Whether this action shows the dialog with `buttons`.
    pub const fn shows_dialog(self) -> bool {
        matches!(self, Self::Close | Self::Alert)
    }
}

/// One dialog button: `buttons[i]`, `actions[i]`, `redirects[i]` of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Button {
    pub label: String,
    pub action: ButtonAction,
}

/// `actions[i]`; a redirect carries its non-empty `redirects[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ButtonAction {
    Close,
    Dismiss,
    Redirect(String),
}

/// `CertificatePinning.localized[<language>]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Localized {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Labels in the order of [`CertificatePinning::buttons`]; empty = the default labels.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<String>,
}

/// The `CertificatePinning` object with defaults applied.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificatePinning {
    pub detection: bool,
    pub threat_events: ThreatEvents,
    pub action: Action,
    /// `None`: the built-in default text for the action is used.
    pub title: Option<String>,
    pub message: Option<String>,
    /// Empty when the file gives no `buttons` (the defaults of the action apply).
    pub buttons: Vec<Button>,
    #[serde(rename = "externalID", skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Keyed by lowercase language tag (`de`, `pt-br`).
    pub localized: BTreeMap<String, Localized>,
    pub domains: Vec<Domain>,
    pub enforce: Enforce,
}

/// One `domains[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Domain {
    pub host: Host,
    pub include_subdomains: bool,
    /// Last UTC day the pins apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    /// Distinct pins in file order.
    pub pins: Vec<Pin>,
}

/// `CertificatePinning.enforce` with defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Enforce {
    pub ca_basic_constraints: bool,
    pub min_rsa_bits: u32,
    pub min_ec_bits: u32,
    pub sha256_signatures: bool,
}

impl Default for Enforce {
    /// DESIGN §2: all checks on with these strengths when `enforce` (or a key) is absent.
    fn default() -> Self {
        Self {
            ca_basic_constraints: true,
            min_rsa_bits: 2048,
            min_ec_bits: 256,
            sha256_signatures: true,
        }
    }
}
