//! Strict validation of the JSON tree against the fusion-set schema (DESIGN §2).
//!
//! The walk never stops at the first mistake: every problem is collected with its JSON
//! path, and a value is only built when its whole subtree is valid. Keys starting with
//! `$comment` are comments (a string or an array of strings) and are ignored; JSON has
//! no other comment syntax. For an optional key, `null` means the same as leaving it out.

use std::collections::BTreeMap;

use fuse_policy::limits;

use super::date;
use super::dialog::{MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, default_button_count};
use super::host;
use super::json::Node;
use super::model::{Action, CertificatePinning, Domain, Enforce, Stage, ThreatEvents};
use super::pin;
use super::problem::{JsonPath, Problem, Warning, WarningCode};
use super::reader::{Validator, quoted};

/// Production requires pin sets valid for at least this long; others get a warning
/// below [`EXPIRY_WARNING_SECONDS`].
pub const PRODUCTION_MIN_VALIDITY_SECONDS: i64 = 30 * 86_400;
pub const EXPIRY_WARNING_SECONDS: i64 = 90 * 86_400;

/// The longest accepted `fusionSetId`.
pub const MAX_ID_LEN: usize = 128;
const MAX_NAME_CHARS: usize = 200;
const MAX_EXTERNAL_ID_CHARS: usize = 128;

const ROOT_KEYS: &[&str] = &["fusionSetId", "name", "stage", "CertificatePinning"];
const PINNING_KEYS: &[&str] = &[
    "detection",
    "threatEvents",
    "action",
    "title",
    "message",
    "buttons",
    "actions",
    "redirects",
    "externalID",
    "localized",
    "domains",
    "enforce",
];
const DOMAIN_KEYS: &[&str] = &["host", "includeSubdomains", "expires", "pins"];
const ENFORCE_KEYS: &[&str] = &[
    "caBasicConstraints",
    "minRsaBits",
    "minEcBits",
    "sha256Signatures",
];

const STAGES: &[(&str, Stage)] = &[
    ("development", Stage::Development),
    ("staging", Stage::Staging),
    ("production", Stage::Production),
];
const THREAT_EVENTS: &[(&str, ThreatEvents)] = &[
    ("off", ThreatEvents::Off),
    ("detection", ThreatEvents::Detection),
    ("defense", ThreatEvents::Defense),
];
const ACTIONS: &[(&str, Action)] = &[
    ("close", Action::Close),
    ("alert", Action::Alert),
    ("warn", Action::Warn),
    ("log", Action::Log),
];
/// The valid content of a fusion set, before the file hash is attached.
pub struct Validated {
    pub id: String,
    pub name: String,
    pub stage: Stage,
    pub pinning: CertificatePinning,
}

/// Validate `root`; `now_unix` decides what is expired or expiring.
pub fn validate(root: &Node, now_unix: i64) -> (Option<Validated>, Vec<Problem>, Vec<Warning>) {
    let mut v = Validator {
        now_unix,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let validated = v.root(root);
    let validated = if v.problems.is_empty() {
        validated
    } else {
        None
    };
    (validated, v.problems, v.warnings)
}

/// `fusionSetId`: 1–128 characters of `A–Z a–z 0–9 . _ -`, starting with a letter or
/// digit. UUIDs (the build service's ids) fit; so do readable ids like `retail-prod-2027`.
pub fn check_fusion_set_id(id: &str) -> Result<(), String> {
    let first_ok = id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let chars_ok = id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if id.is_empty() || id.len() > MAX_ID_LEN || !first_ok || !chars_ok {
        return Err(format!(
            "{} is not a valid id — use 1–{MAX_ID_LEN} characters from A–Z a–z 0–9 . _ - starting with a letter or digit (a UUID fits)",
            quoted(id)
        ));
    }
    Ok(())
}

impl Validator {
    fn root(&mut self, node: &Node) -> Option<Validated> {
        let root = JsonPath::root();
        let members = self.object(node, &root, ROOT_KEYS)?;

        let id = self.required(&members, "fusionSetId").and_then(|(n, p)| {
            let id = self.string(n, &p)?;
            match check_fusion_set_id(id) {
                Ok(()) => Some(id.to_owned()),
                Err(e) => {
                    self.problem(&p, e);
                    None
                }
            }
        });
        let name = self
            .required(&members, "name")
            .and_then(|(n, p)| self.text(n, &p, MAX_NAME_CHARS, false));
        let stage = match members.optional("stage") {
            None => Some(Stage::Production),
            Some((n, p)) => {
                let stage = self.choice(n, &p, STAGES);
                if stage == Some(Stage::Development) {
                    self.warn(
                        WarningCode::DevelopmentStage,
                        &p,
                        "development stage: violations never block, whatever action says (a notice and a log line only)",
                    );
                }
                stage
            }
        };
        let pinning = self
            .required(&members, "CertificatePinning")
            .and_then(|(n, p)| self.pinning(n, &p, stage));
        Some(Validated {
            id: id?,
            name: name?,
            stage: stage?,
            pinning: pinning?,
        })
    }

    /// `stage` is `None` when it is itself invalid; the stage rules are skipped then.
    fn pinning(
        &mut self,
        node: &Node,
        path: &JsonPath,
        stage: Option<Stage>,
    ) -> Option<CertificatePinning> {
        let m = self.object(node, path, PINNING_KEYS)?;

        let detection = match m.optional("detection") {
            None => Some(true),
            Some((n, p)) => {
                let d = self.boolean(n, &p);
                if d == Some(false) {
                    self.warn(
                        WarningCode::DetectionOff,
                        &p,
                        "detection is false: the protection is disabled and no connection is checked",
                    );
                }
                d
            }
        };
        let threat_events = match m.optional("threatEvents") {
            None => Some(ThreatEvents::Off),
            Some((n, p)) => self.choice(n, &p, THREAT_EVENTS),
        };
        let action = match m.optional("action") {
            None => Some(Action::Alert),
            Some((n, p)) => self.choice(n, &p, ACTIONS),
        };
        let title = self.optional_text(&m, "title", MAX_TITLE_CHARS, false);
        let message = self.optional_text(&m, "message", MAX_MESSAGE_CHARS, true);
        let external_id = self.optional_text(&m, "externalID", MAX_EXTERNAL_ID_CHARS, false);
        let buttons = self.buttons(&m);
        // Localized labels must match the number of dialog buttons actually shown.
        let button_count = match (&buttons, action) {
            (Some(b), _) if !b.is_empty() => Some(b.len()),
            (Some(_), Some(a)) => Some(default_button_count(a)),
            _ => None,
        };
        let localized = match m.optional("localized") {
            None => Some(BTreeMap::new()),
            Some((n, p)) => self.localized(n, &p, button_count),
        };
        let domains = match self.required(&m, "domains") {
            Some((n, p)) => self.domains(n, &p, stage),
            None => None,
        };
        let enforce = match m.optional("enforce") {
            None => Some(Enforce::default()),
            Some((n, p)) => self.enforce(n, &p, stage),
        };

        Some(CertificatePinning {
            detection: detection?,
            threat_events: threat_events?,
            action: action?,
            title: title?,
            message: message?,
            buttons: buttons?,
            external_id: external_id?,
            localized: localized?,
            domains: domains?,
            enforce: enforce?,
        })
    }

    fn domains(
        &mut self,
        node: &Node,
        path: &JsonPath,
        stage: Option<Stage>,
    ) -> Option<Vec<Domain>> {
        let items = self.array(node, path)?;
        if items.is_empty() {
            self.problem(
                path,
                "empty — list at least one domain; pins apply only to the hosts listed here",
            );
            return None;
        }
        if items.len() > limits::MAX_DOMAINS {
            self.problem(
                path,
                format!(
                    "{} domains — at most {} fit in one policy; use includeSubdomains or a \"*.\" wildcard",
                    items.len(),
                    limits::MAX_DOMAINS
                ),
            );
            return None;
        }
        let domains: Vec<Option<Domain>> = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.domain(item, &path.index(i), stage))
            .collect();
        let mut ok = true;
        for (j, later) in domains.iter().enumerate() {
            let Some(later) = later else {
                ok = false;
                continue;
            };
            let first = domains
                .iter()
                .take(j)
                .position(|d| d.as_ref().is_some_and(|d| d.host == later.host));
            if let Some(i) = first {
                self.problem(
                    &path.index(j).key("host"),
                    format!(
                        "same host as domains[{i}] ({}) — merge the two entries",
                        later.host
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        domains.into_iter().collect()
    }

    fn domain(&mut self, node: &Node, path: &JsonPath, stage: Option<Stage>) -> Option<Domain> {
        let m = self.object(node, path, DOMAIN_KEYS)?;
        let host = self.required(&m, "host").and_then(|(n, p)| {
            let raw = self.string(n, &p)?;
            match host::normalize(raw) {
                Ok(h) => Some((h, p)),
                Err(e) => {
                    self.problem(&p, e);
                    None
                }
            }
        });
        let include_subdomains = match m.optional("includeSubdomains") {
            None => Some(false),
            Some((n, p)) => {
                let b = self.boolean(n, &p);
                if b == Some(true) && host.as_ref().is_some_and(|(h, _)| h.is_wildcard()) {
                    self.problem(
                        &p,
                        "cannot be combined with a \"*.\" host — use the parent host with includeSubdomains instead",
                    );
                    None
                } else {
                    b
                }
            }
        };
        let expires = match m.optional("expires") {
            None => Some(None),
            Some((n, p)) => self.expires(n, &p, stage).map(Some),
        };
        let pins = match self.required(&m, "pins") {
            Some((n, p)) => self.pins(n, &p, stage),
            None => None,
        };
        Some(Domain {
            host: host?.0,
            include_subdomains: include_subdomains?,
            expires: expires?,
            pins: pins?,
        })
    }

    fn expires(
        &mut self,
        node: &Node,
        path: &JsonPath,
        stage: Option<Stage>,
    ) -> Option<date::Date> {
        let raw = self.string(node, path)?;
        let date = match date::parse(raw) {
            Ok(d) => d,
            Err(e) => {
                self.problem(path, e);
                return None;
            }
        };
        let left = date.expires_unix().saturating_sub(self.now_unix);
        let today = date::Date::from_unix(self.now_unix);
        if left <= 0 {
            self.problem(
                path,
                format!("{date} has passed (today is {today} UTC) — the pins no longer apply; update the pins and the date"),
            );
            return None;
        }
        let days = left.div_euclid(86_400);
        if stage == Some(Stage::Production) && left < PRODUCTION_MIN_VALIDITY_SECONDS {
            self.problem(
                path,
                format!("{date} is within 30 days (today is {today} UTC) — production needs pins valid for at least 30 more days; rotate the pins or move the date"),
            );
            return None;
        }
        if left < EXPIRY_WARNING_SECONDS {
            self.warn(
                WarningCode::ExpiresSoon,
                path,
                format!("the pins expire in {days} days ({date}) — plan the rotation"),
            );
        }
        Some(date)
    }

    fn pins(
        &mut self,
        node: &Node,
        path: &JsonPath,
        stage: Option<Stage>,
    ) -> Option<Vec<pin::Pin>> {
        let items = self.array(node, path)?;
        if items.is_empty() {
            self.problem(
                path,
                "empty — give at least one \"sha256/<base64>\" pin (print them with `fuse pin`)",
            );
            return None;
        }
        if items.len() > limits::MAX_PINS_PER_DOMAIN {
            self.problem(
                path,
                format!(
                    "{} pins — at most {} per domain",
                    items.len(),
                    limits::MAX_PINS_PER_DOMAIN
                ),
            );
            return None;
        }
        let mut pins: Vec<pin::Pin> = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = path.index(i);
            let Some(raw) = self.string(item, &p) else {
                ok = false;
                continue;
            };
            match pin::parse(raw) {
                Ok(parsed) => {
                    if let Some(first) = pins.iter().position(|q| *q == parsed) {
                        self.problem(
                            &p,
                            format!(
                                "same pin as pins[{first}] — a backup pin must be a different key"
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    if parsed.is_placeholder() {
                        self.warn(
                            WarningCode::PlaceholderPin,
                            &p,
                            "a placeholder from `fuse fusion-set init` — replace it with a pin printed by `fuse pin`",
                        );
                    }
                    pins.push(parsed);
                }
                Err(e) => {
                    self.problem(&p, e);
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        if pins.len() < 2 {
            if stage == Some(Stage::Production) {
                self.problem(
                    path,
                    "only one pin — production needs at least 2 (a backup pin): add the pin of your backup key or of the issuing CA",
                );
                return None;
            }
            self.warn(
                WarningCode::NoBackupPin,
                path,
                "only one pin — without a backup pin a key rotation breaks the app; production requires 2",
            );
        }
        Some(pins)
    }

    fn enforce(&mut self, node: &Node, path: &JsonPath, stage: Option<Stage>) -> Option<Enforce> {
        let m = self.object(node, path, ENFORCE_KEYS)?;
        let defaults = Enforce::default();
        let production = stage == Some(Stage::Production);
        let ca = match m.optional("caBasicConstraints") {
            None => Some(defaults.ca_basic_constraints),
            Some((n, p)) => self.boolean(n, &p).filter(|&on| {
                let fine = on || !production;
                if !fine {
                    self.problem(&p, "production requires true (every enforce check on)");
                }
                fine
            }),
        };
        let sha = match m.optional("sha256Signatures") {
            None => Some(defaults.sha256_signatures),
            Some((n, p)) => self.boolean(n, &p).filter(|&on| {
                let fine = on || !production;
                if !fine {
                    self.problem(&p, "production requires true (every enforce check on)");
                }
                fine
            }),
        };
        let rsa = match m.optional("minRsaBits") {
            None => Some(defaults.min_rsa_bits),
            Some((n, p)) => self.integer(n, &p, 1024, 16_384).filter(|&bits| {
                let fine = bits >= defaults.min_rsa_bits || !production;
                if !fine {
                    self.problem(
                        &p,
                        format!(
                            "production requires at least {} (every enforce check at its default strength or stronger)",
                            defaults.min_rsa_bits
                        ),
                    );
                }
                fine
            }),
        };
        let ec = match m.optional("minEcBits") {
            None => Some(defaults.min_ec_bits),
            Some((n, p)) => self.integer(n, &p, 160, 521).filter(|&bits| {
                let fine = bits >= defaults.min_ec_bits || !production;
                if !fine {
                    self.problem(
                        &p,
                        format!(
                            "production requires at least {} (every enforce check at its default strength or stronger)",
                            defaults.min_ec_bits
                        ),
                    );
                }
                fine
            }),
        };
        Some(Enforce {
            ca_basic_constraints: ca?,
            min_rsa_bits: rsa?,
            min_ec_bits: ec?,
            sha256_signatures: sha?,
        })
    }
}
