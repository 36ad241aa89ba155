//! The dialog part of `CertificatePinning`: `buttons`, `actions` and `redirects` (three
//! parallel lists, SDK style; a redirect of `""` or `null` means none) and `localized`
//! texts per device language.

use std::collections::BTreeMap;

use fuse_policy::limits;

use super::json::Node;
use super::model::{Action, Button, ButtonAction, Localized};
use super::problem::JsonPath;
use super::reader::{COMMENT_PREFIX, Members, Validator, quoted};

pub(super) const MAX_TITLE_CHARS: usize = 100;
pub(super) const MAX_MESSAGE_CHARS: usize = 1000;
const MAX_LABEL_CHARS: usize = 40;
/// Bytes, so any URL fits the policy's text limit.
const MAX_URL_BYTES: usize = 2048;
/// Android's AlertDialog has three button slots (positive, negative, neutral).
const MAX_BUTTONS: usize = 3;
const LOCALIZED_KEYS: &[&str] = &["title", "message", "buttons"];

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

impl Validator {
    /// `buttons`, `actions`, `redirects`: three parallel lists (SDK style).
    pub(super) fn buttons(&mut self, m: &Members<'_>) -> Option<Vec<Button>> {
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

    pub(super) fn localized(
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
        let languages = entries
            .iter()
            .filter(|(k, _)| !k.starts_with(COMMENT_PREFIX))
            .count();
        if languages > limits::MAX_LANGUAGES {
            self.problem(
                path,
                format!("{languages} languages — at most {}", limits::MAX_LANGUAGES),
            );
            return None;
        }
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
                            format!(
                                "has {} labels but the dialog has {count} button{} — translate each button, in order",
                                labels.len(),
                                if count == 1 { "" } else { "s" }
                            ),
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
    if url.len() > MAX_URL_BYTES {
        return Err(format!("URL too long (at most {MAX_URL_BYTES} bytes)"));
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
