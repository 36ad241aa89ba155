//! Strict validation of the JSON tree against the fusion-set schema (DESIGN §2).
//!
//! The walk never stops at the first mistake: every problem is collected with its JSON
//! path, and a value is only built when its whole subtree is valid. Keys starting with
//! `$comment` are comments (a string or an array of strings) and are ignored; JSON has
//! no other comment syntax. For an optional key, `null` means the same as leaving it out.

use std::collections::BTreeMap;

use super::date;
use super::host;
use super::json::Node;
use super::model::{
    Action, Button, ButtonAction, CertificatePinning, Domain, Enforce, Localized, Stage,
    ThreatEvents,
};
use super::pin;
use super::problem::{JsonPath, Problem, Warning, WarningCode};

/// Keys starting with this are comments.
pub const COMMENT_PREFIX: &str = "$comment";

/// Production requires pin sets valid for at least this long; others get a warning
/// below [`EXPIRY_WARNING_SECONDS`].
pub const PRODUCTION_MIN_VALIDITY_SECONDS: i64 = 30 * 86_400;
pub const EXPIRY_WARNING_SECONDS: i64 = 90 * 86_400;

/// The longest accepted `fusionSetId`.
pub const MAX_ID_LEN: usize = 128;
const MAX_NAME_CHARS: usize = 200;
const MAX_TITLE_CHARS: usize = 100;
const MAX_MESSAGE_CHARS: usize = 1000;
const MAX_LABEL_CHARS: usize = 40;
const MAX_EXTERNAL_ID_CHARS: usize = 128;
const MAX_URL_CHARS: usize = 2048;
/// Android's AlertDialog has three button slots (positive, negative, neutral).
const MAX_BUTTONS: usize = 3;

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
const LOCALIZED_KEYS: &[&str] = &["title", "message", "buttons"];
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
#[derive(Clone, Copy, PartialEq, Eq)]
enum ButtonKind {
    Close,
    Dismiss,
    Redirect,
}
const BUTTON_ACTIONS: &[(&str, ButtonKind)] = &[
    ("close", ButtonKind::Close),
    ("dismiss", ButtonKind::Dismiss),
    ("redirect", ButtonKind::Redirect),
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

struct Validator {
    now_unix: i64,
    problems: Vec<Problem>,
    warnings: Vec<Warning>,
}

/// An object's members after the key checks: first occurrence of each known key.
struct Members<'a> {
    path: JsonPath,
    members: Vec<(&'a str, &'a Node)>,
}

impl<'a> Members<'a> {
    /// The value of an optional key; `null` counts as absent.
    fn optional(&self, key: &str) -> Option<(&'a Node, JsonPath)> {
        self.members
            .iter()
            .find(|(k, v)| *k == key && **v != Node::Null)
            .map(|(_, v)| (*v, self.path.key(key)))
    }

    fn present(&self, key: &str) -> Option<(&'a Node, JsonPath)> {
        self.members
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v, self.path.key(key)))
    }
}

impl Validator {
    fn problem(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn warn(&mut self, code: WarningCode, path: &JsonPath, message: impl Into<String>) {
        self.warnings.push(Warning {
            code,
            path: path.to_string(),
            message: message.into(),
        });
    }

    // ---- generic readers -------------------------------------------------------------

    /// Check that `node` is an object with only `known` keys (plus comments), each once.
    fn object<'a>(
        &mut self,
        node: &'a Node,
        path: &JsonPath,
        known: &[&str],
    ) -> Option<Members<'a>> {
        let Node::Object(entries) = node else {
            self.problem(path, format!("expected an object, found {}", node.kind()));
            return None;
        };
        let mut members: Vec<(&'a str, &'a Node)> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in entries {
            let key_path = path.key(key);
            if seen.contains(&key.as_str()) {
                self.problem(
                    &key_path,
                    "duplicate key — JSON parsers keep only one of the values; remove the other",
                );
                continue;
            }
            seen.push(key);
            if key.starts_with(COMMENT_PREFIX) {
                self.comment(value, &key_path);
                continue;
            }
            if !known.contains(&key.as_str()) {
                self.problem(&key_path, unknown_key_message(key, known));
                continue;
            }
            members.push((key, value));
        }
        Some(Members {
            path: path.clone(),
            members,
        })
    }

    fn comment(&mut self, node: &Node, path: &JsonPath) {
        let ok = match node {
            Node::String(_) => true,
            Node::Array(items) => items.iter().all(|i| matches!(i, Node::String(_))),
            _ => false,
        };
        if !ok {
            self.problem(
                path,
                format!(
                    "a {COMMENT_PREFIX} key holds a comment: a string or an array of strings, found {}",
                    node.kind()
                ),
            );
        }
    }

    /// A required key: reports its absence.
    fn required<'a>(&mut self, members: &Members<'a>, key: &str) -> Option<(&'a Node, JsonPath)> {
        let found = members.present(key);
        if found.is_none() {
            self.problem(&members.path.key(key), "missing (required)");
        }
        found
    }

    fn string<'a>(&mut self, node: &'a Node, path: &JsonPath) -> Option<&'a str> {
        match node {
            Node::String(s) => Some(s),
            other => {
                self.problem(path, format!("expected a string, found {}", other.kind()));
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, path: &JsonPath) -> Option<bool> {
        match node {
            Node::Bool(b) => Some(*b),
            other => {
                let hint = match other {
                    Node::String(s) if s == "true" || s == "false" => " (write it without quotes)",
                    _ => "",
                };
                self.problem(
                    path,
                    format!("expected true or false, found {}{hint}", other.kind()),
                );
                None
            }
        }
    }

    fn array<'a>(&mut self, node: &'a Node, path: &JsonPath) -> Option<&'a [Node]> {
        match node {
            Node::Array(items) => Some(items),
            other => {
                self.problem(path, format!("expected an array, found {}", other.kind()));
                None
            }
        }
    }

    fn integer(&mut self, node: &Node, path: &JsonPath, min: u32, max: u32) -> Option<u32> {
        let Node::Number(n) = node else {
            self.problem(path, format!("expected an integer, found {}", node.kind()));
            return None;
        };
        let Some(value) = n.as_u64() else {
            let message = if n.is_i64() {
                format!("{n} is out of range ({min} to {max})")
            } else {
                format!("expected a whole number from {min} to {max}, found {n}")
            };
            self.problem(path, message);
            return None;
        };
        match u32::try_from(value) {
            Ok(v) if (min..=max).contains(&v) => Some(v),
            _ => {
                self.problem(path, format!("{value} is out of range ({min} to {max})"));
                None
            }
        }
    }

    fn choice<T: Copy>(
        &mut self,
        node: &Node,
        path: &JsonPath,
        options: &[(&str, T)],
    ) -> Option<T> {
        let s = self.string(node, path)?;
        if let Some((_, value)) = options.iter().find(|(name, _)| *name == s) {
            return Some(*value);
        }
        let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        let hint = if options.iter().any(|(n, _)| n.eq_ignore_ascii_case(s)) {
            " (values are lowercase)"
        } else {
            ""
        };
        self.problem(
            path,
            format!("{} is not one of {}{hint}", quoted(s), names.join(", ")),
        );
        None
    }

    /// Text shown to people: non-blank, bounded, no control characters (newlines only
    /// where `multiline`).
    fn text(
        &mut self,
        node: &Node,
        path: &JsonPath,
        max_chars: usize,
        multiline: bool,
    ) -> Option<String> {
        let s = self.string(node, path)?;
        if s.trim().is_empty() {
            self.problem(path, "empty — give a text or leave the key out");
            return None;
        }
        let count = s.chars().count();
        if count > max_chars {
            self.problem(
                path,
                format!("too long ({count} characters, at most {max_chars})"),
            );
            return None;
        }
        if s.chars()
            .any(|c| c.is_control() && !(multiline && c == '\n'))
        {
            let allowed = if multiline { " other than \\n" } else { "" };
            self.problem(path, format!("contains a control character{allowed}"));
            return None;
        }
        Some(s.to_owned())
    }

    // ---- the schema ------------------------------------------------------------------

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

    /// `Some(None)` when absent, `None` when invalid.
    fn optional_text(
        &mut self,
        m: &Members<'_>,
        key: &str,
        max: usize,
        multiline: bool,
    ) -> Option<Option<String>> {
        match m.optional(key) {
            None => Some(None),
            Some((n, p)) => self.text(n, &p, max, multiline).map(Some),
        }
    }

    /// `buttons`, `actions`, `redirects`: three parallel lists (SDK style).
    fn buttons(&mut self, m: &Members<'_>) -> Option<Vec<Button>> {
        let labels = m.optional("buttons");
        let actions = m.optional("actions");
        let redirects = m.optional("redirects");
        let bpath = m.path.key("buttons");
        let apath = m.path.key("actions");
        let rpath = m.path.key("redirects");
        let mut ok = true;

        let labels: Option<Vec<Option<String>>> = match labels {
            None => None,
            Some((n, p)) => match self.array(n, &p) {
                None => {
                    ok = false;
                    None
                }
                Some(items) => Some(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| self.text(item, &p.index(i), MAX_LABEL_CHARS, false))
                        .collect(),
                ),
            },
        };
        let kinds: Option<Vec<Option<ButtonKind>>> = match actions {
            None => None,
            Some((n, p)) => match self.array(n, &p) {
                None => {
                    ok = false;
                    None
                }
                Some(items) => Some(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| self.choice(item, &p.index(i), BUTTON_ACTIONS))
                        .collect(),
                ),
            },
        };
        // Each redirect: Some(Some(url)) = a URL, Some(None) = none ("" or null), None = invalid.
        let urls: Option<Vec<Option<Option<String>>>> = match redirects {
            None => None,
            Some((n, p)) => match self.array(n, &p) {
                None => {
                    ok = false;
                    None
                }
                Some(items) => Some(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| self.redirect(item, &p.index(i)))
                        .collect(),
                ),
            },
        };
        if !ok {
            return None;
        }

        match (&labels, &kinds) {
            (None, None) => {
                if urls.as_ref().is_some_and(|u| !u.is_empty()) {
                    self.problem(
                        &rpath,
                        "given without buttons and actions — redirects[i] belongs to buttons[i]",
                    );
                    return None;
                }
                return Some(Vec::new());
            }
            (Some(_), None) => {
                self.problem(
                    &apath,
                    "missing — each of buttons needs an action (\"close\", \"dismiss\" or \"redirect\")",
                );
                return None;
            }
            (None, Some(_)) => {
                self.problem(&bpath, "missing — each of actions needs a button label");
                return None;
            }
            (Some(_), Some(_)) => {}
        }
        let (labels, kinds) = (labels.unwrap_or_default(), kinds.unwrap_or_default());
        if labels.is_empty() {
            self.problem(
                &bpath,
                format!("empty — give 1 to {MAX_BUTTONS} buttons, or leave buttons and actions out for the default button"),
            );
            return None;
        }
        if labels.len() > MAX_BUTTONS {
            self.problem(
                &bpath,
                format!(
                    "{} buttons — a dialog has at most {MAX_BUTTONS}",
                    labels.len()
                ),
            );
            return None;
        }
        let mut lengths_ok = true;
        if kinds.len() != labels.len() {
            self.problem(
                &apath,
                format!(
                    "has {} entries but buttons has {} — buttons, actions and redirects are parallel lists",
                    kinds.len(),
                    labels.len()
                ),
            );
            lengths_ok = false;
        }
        if let Some(urls) = urls.as_ref().filter(|u| u.len() != labels.len()) {
            {
                self.problem(
                    &rpath,
                    format!(
                        "has {} entries but buttons has {} — buttons, actions and redirects are parallel lists (use null for no redirect)",
                        urls.len(),
                        labels.len()
                    ),
                );
                lengths_ok = false;
            }
        }
        if !lengths_ok {
            return None;
        }

        let mut buttons = Vec::with_capacity(labels.len());
        let mut all_ok = true;
        for (i, (label, kind)) in labels.into_iter().zip(kinds).enumerate() {
            let url = match &urls {
                None => Some(None),
                Some(urls) => urls.get(i).cloned().unwrap_or(Some(None)),
            };
            let action = match (kind, url) {
                (Some(ButtonKind::Redirect), Some(Some(url))) => Some(ButtonAction::Redirect(url)),
                (Some(ButtonKind::Redirect), Some(None)) => {
                    let where_ = if urls.is_some() {
                        format!("redirects[{i}] is empty")
                    } else {
                        "redirects is missing".to_owned()
                    };
                    self.problem(
                        &apath.index(i),
                        format!("\"redirect\" needs a URL, but {where_} — give the URL at redirects[{i}]"),
                    );
                    None
                }
                (Some(other), Some(Some(_))) => {
                    let name = if other == ButtonKind::Close {
                        "close"
                    } else {
                        "dismiss"
                    };
                    self.problem(
                        &rpath.index(i),
                        format!("a URL is given but actions[{i}] is \"{name}\" — use \"redirect\" or set redirects[{i}] to null"),
                    );
                    None
                }
                (Some(ButtonKind::Close), Some(None)) => Some(ButtonAction::Close),
                (Some(ButtonKind::Dismiss), Some(None)) => Some(ButtonAction::Dismiss),
                _ => None,
            };
            match (label, action) {
                (Some(label), Some(action)) => buttons.push(Button { label, action }),
                _ => all_ok = false,
            }
        }
        all_ok.then_some(buttons)
    }

    fn redirect(&mut self, node: &Node, path: &JsonPath) -> Option<Option<String>> {
        match node {
            Node::Null => Some(None),
            Node::String(s) if s.is_empty() => Some(None),
            Node::String(s) => match check_url(s) {
                Ok(()) => Some(Some(s.clone())),
                Err(e) => {
                    self.problem(path, e);
                    None
                }
            },
            other => {
                self.problem(
                    path,
                    format!(
                        "expected a URL string, \"\" or null, found {}",
                        other.kind()
                    ),
                );
                None
            }
        }
    }

    fn localized(
        &mut self,
        node: &Node,
        path: &JsonPath,
        button_count: Option<usize>,
    ) -> Option<BTreeMap<String, Localized>> {
        let Node::Object(entries) = node else {
            self.problem(
                path,
                format!(
                    "expected an object keyed by language (\"de\", \"pt-BR\"), found {}",
                    node.kind()
                ),
            );
            return None;
        };
        let mut out = BTreeMap::new();
        let mut seen: Vec<(&str, String)> = Vec::new();
        let mut ok = true;
        for (tag, value) in entries {
            let p = path.key(tag);
            if tag.starts_with(COMMENT_PREFIX) {
                self.comment(value, &p);
                continue;
            }
            if let Err(e) = check_language_tag(tag) {
                self.problem(&p, e);
                ok = false;
                continue;
            }
            let normal = tag.to_ascii_lowercase();
            if let Some((first, _)) = seen.iter().find(|(_, n)| *n == normal) {
                let message = if *first == tag.as_str() {
                    "duplicate key — JSON parsers keep only one of the values; remove the other"
                        .to_owned()
                } else {
                    format!("same language as \"{first}\" (tags are not case-sensitive)")
                };
                self.problem(&p, message);
                ok = false;
                continue;
            }
            seen.push((tag, normal.clone()));
            match self.localized_entry(value, &p, button_count) {
                Some(entry) => {
                    out.insert(normal, entry);
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn localized_entry(
        &mut self,
        node: &Node,
        path: &JsonPath,
        button_count: Option<usize>,
    ) -> Option<Localized> {
        let m = self.object(node, path, LOCALIZED_KEYS)?;
        let title = self.optional_text(&m, "title", MAX_TITLE_CHARS, false);
        let message = self.optional_text(&m, "message", MAX_MESSAGE_CHARS, true);
        let buttons = match m.optional("buttons") {
            None => Some(Vec::new()),
            Some((n, p)) => {
                let items = self.array(n, &p)?;
                let labels: Vec<Option<String>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.text(item, &p.index(i), MAX_LABEL_CHARS, false))
                    .collect();
                match button_count {
                    Some(0) if !labels.is_empty() => {
                        self.problem(
                            &p,
                            "this action shows no dialog buttons to translate — remove it",
                        );
                        None
                    }
                    Some(count) if labels.len() != count => {
                        self.problem(
                            &p,
                            format!("has {} labels but the dialog has {count} buttons — translate each button, in order", labels.len()),
                        );
                        None
                    }
                    _ => labels.into_iter().collect::<Option<Vec<String>>>(),
                }
            }
        };
        Some(Localized {
            title: title?,
            message: message?,
            buttons: buttons?,
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
                        format!("production requires at least {}", defaults.min_rsa_bits),
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
                        format!("production requires at least {}", defaults.min_ec_bits),
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

/// Dialog buttons shown when the file lists none: `close` gets "Close" (closes the
/// app), `alert` gets "OK" (dismisses); `warn` and `log` show no dialog.
pub fn default_button_count(action: Action) -> usize {
    usize::from(action.shows_dialog())
}

/// BCP 47-shaped language tags as devices report them: `de`, `pt-BR`, `zh-Hant-TW`.
fn check_language_tag(tag: &str) -> Result<(), String> {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if primary_ok && rest_ok && tag.len() <= 35 {
        Ok(())
    } else {
        Err(format!(
            "{} is not a language tag — use a code such as \"de\", \"fr-CA\" or \"pt-BR\"",
            quoted(tag)
        ))
    }
}

/// A redirect target: an absolute URL with a scheme apps can open (https, a store
/// scheme...). Script and local-file schemes are refused.
fn check_url(url: &str) -> Result<(), String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!("URL too long (at most {MAX_URL_CHARS} characters)"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{} contains whitespace — percent-encode it (%20)",
            quoted(url)
        ));
    }
    let scheme = url.split_once(':');
    let valid = scheme.is_some_and(|(s, rest)| {
        let mut c = s.chars();
        c.next().is_some_and(|f| f.is_ascii_alphabetic())
            && c.all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '+' | '-' | '.'))
            && !rest.is_empty()
    });
    let Some((s, _)) = scheme.filter(|_| valid) else {
        return Err(format!(
            "{} is not an absolute URL — give one such as \"https://example.com/help\"",
            quoted(url)
        ));
    };
    if [
        "javascript",
        "data",
        "file",
        "vbscript",
        "content",
        "intent",
    ]
    .iter()
    .any(|bad| s.eq_ignore_ascii_case(bad))
    {
        return Err(format!(
            "the {s}: scheme is not allowed for a redirect — use https:// or an app-store link"
        ));
    }
    Ok(())
}

fn unknown_key_message(key: &str, known: &[&str]) -> String {
    let suggestion = known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key))
        .or_else(|| {
            known
                .iter()
                .map(|k| (edit_distance(k, key), k))
                .filter(|(d, _)| *d <= 2)
                .min_by_key(|(d, _)| *d)
                .map(|(_, k)| k)
        });
    match suggestion {
        Some(k) => format!("unknown key — did you mean \"{k}\"? (keys are case-sensitive)"),
        None => format!(
            "unknown key — allowed here: {} (and {COMMENT_PREFIX}… comments)",
            known.join(", ")
        ),
    }
}

/// Levenshtein distance on chars (short keys only, so quadratic is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute =
                prev.get(j).copied().unwrap_or(usize::MAX - 1) + usize::from(ca != *cb);
            let delete = prev.get(j + 1).copied().unwrap_or(usize::MAX - 1) + 1;
            let insert = cur.get(j).copied().unwrap_or(usize::MAX - 1) + 1;
            cur.push(substitute.min(delete).min(insert));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or_default()
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| s.to_owned())
}
