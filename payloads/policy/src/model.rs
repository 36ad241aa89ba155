//! The policy model: what the CLI compiles a fusion set into and what the shim reads back.
//!
//! This is the contract between `fuse` and the shim. Field meanings follow DESIGN §2;
//! host names and pins are already normalised here (lowercase, punycode, 32-byte SPKI
//! SHA-256 digests), so the runtime never re-validates them.

use alloc::string::String;
use alloc::vec::Vec;

/// Rollout stage of the fusion set (`stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Never blocks, whatever `action` says.
    Development,
    /// Enforces as configured.
    Staging,
    /// Enforces as configured; the CLI also required backup pins and all checks on.
    Production,
}

/// Whether the app is told about violations and whether the shim enforces (`threatEvents`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThreatEvents {
    /// Enforce; the app is not told.
    Off,
    /// Never block; only raise a threat event to the app.
    Detection,
    /// Enforce and raise a threat event.
    Defense,
}

/// What enforcement does on a violation (`action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Fail the connection, show the dialog, close the app.
    Close,
    /// Fail the connection, show the dialog.
    Alert,
    /// Show a short non-blocking message, let the connection through.
    Warn,
    /// Log only.
    Log,
}

/// What a dialog button does (`actions[i]`, with `redirects[i]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ButtonAction {
    Close,
    Dismiss,
    /// Open this URL (non-empty; `""`/`null` redirects are normalised to `Dismiss`
    /// or rejected by the CLI, never stored empty).
    Redirect(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Button {
    pub label: String,
    pub action: ButtonAction,
}

/// Texts shown to the user. `localized` overrides by device language.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ui {
    pub title: String,
    pub message: String,
    pub buttons: Vec<Button>,
    /// Sorted by language tag (canonical encoding); language tags lowercase (`de`, `pt-br`).
    pub localized: Vec<LocalizedUi>,
}

/// One language's overrides; `None` falls back to the default text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LocalizedUi {
    pub language: String,
    pub title: Option<String>,
    pub message: Option<String>,
    /// Button labels in the same order as [`Ui::buttons`]; empty = default labels.
    pub buttons: Vec<String>,
}

/// How a domain entry's host matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HostPattern {
    /// `api.example.com` (with `include_subdomains`, also any depth below).
    Exact(String),
    /// `*.example.com`: exactly one label below `example.com` (stored without `*.`).
    OneLabelWildcard(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain {
    /// Lowercase ASCII (IDN already punycoded), no trailing dot.
    pub host: HostPattern,
    pub include_subdomains: bool,
    /// End of the pin set's validity, seconds since the Unix epoch (UTC); the pins
    /// stop applying after this instant (`PIN_SET_EXPIRED` semantics in DESIGN §2).
    pub expires_unix: Option<i64>,
    /// SPKI SHA-256 digests, in fusion-set order, duplicates removed.
    pub pins: Vec<[u8; 32]>,
}

/// Strength checks applied to every certificate of the validated chain (`enforce`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Enforce {
    pub ca_basic_constraints: bool,
    pub min_rsa_bits: u32,
    pub min_ec_bits: u32,
    pub sha256_signatures: bool,
}

impl Default for Enforce {
    /// The defaults of DESIGN §2 when `enforce` is absent.
    fn default() -> Self {
        Self {
            ca_basic_constraints: true,
            min_rsa_bits: 2048,
            min_ec_bits: 256,
            sha256_signatures: true,
        }
    }
}

/// The whole policy as it travels in `policy.bin`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Policy {
    /// `fusionSetId` of the fusion set this was compiled from.
    pub fusion_set_id: String,
    /// The build id (`fusedAppToken`) printed in the report and carried by threat events.
    pub build_id: String,
    /// Build time, seconds since the Unix epoch (from `SOURCE_DATE_EPOCH` when set).
    pub build_date_unix: i64,
    pub stage: Stage,
    /// `detection: false` disables the protection (the policy is still shipped and reported).
    pub detection: bool,
    pub threat_events: ThreatEvents,
    pub action: Action,
    pub external_id: Option<String>,
    pub ui: Ui,
    /// Sorted canonically by the encoder's rules; see the `encode` module.
    pub domains: Vec<Domain>,
    pub enforce: Enforce,
}

/// Stable reason codes carried by threat events (`reasonCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    PinMismatch,
    PinSetExpired,
    WeakRsaKey,
    WeakEcKey,
    WeakSignatureHash,
    CaWithoutBasicConstraints,
    PolicyInvalid,
}

impl ReasonCode {
    /// The wire name apps see in `reasonCode`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PinMismatch => "PIN_MISMATCH",
            Self::PinSetExpired => "PIN_SET_EXPIRED",
            Self::WeakRsaKey => "WEAK_RSA_KEY",
            Self::WeakEcKey => "WEAK_EC_KEY",
            Self::WeakSignatureHash => "WEAK_SIGNATURE_HASH",
            Self::CaWithoutBasicConstraints => "CA_WITHOUT_BASIC_CONSTRAINTS",
            Self::PolicyInvalid => "POLICY_INVALID",
        }
    }
}

/// What the runtime must do about a violation, derived from stage, `detection`,
/// `threatEvents` and `action` (the semantics table of DESIGN §2). The bridge and
/// the iOS hook only follow these flags; they decide nothing themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Response {
    /// Fail the TLS handshake.
    pub block: bool,
    /// Show the dialog (`title`/`message`/`buttons`).
    pub dialog: bool,
    /// Show a short non-blocking message (toast on Android).
    pub notice: bool,
    /// Close the app after the dialog.
    pub close_app: bool,
    /// Raise a threat event to the app.
    pub threat_event: bool,
    /// Write a log line.
    pub log: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Violation {
    pub reason: ReasonCode,
    /// Human detail: host, presented pins, which check failed, interception tool if recognised.
    pub reason_data: String,
    pub response: Response,
}

/// The outcome of evaluating one chain for one host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// No domain entry covers the host (or the protection is disabled): leave it to the platform.
    NotCovered,
    /// Covered, and the chain satisfies the pins and every `enforce` check.
    Allowed,
    Violation(Violation),
}
