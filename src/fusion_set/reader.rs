//! The generic half of validation: reading objects (unknown, duplicate and comment
//! keys), typed values and texts, each failure recorded as a [`Problem`] at its path.

use super::json::Node;
use super::problem::{JsonPath, Problem, Warning, WarningCode};

/// Keys starting with this are comments.
pub const COMMENT_PREFIX: &str = "$comment";

pub(super) struct Validator {
    pub(super) now_unix: i64,
    pub(super) problems: Vec<Problem>,
    pub(super) warnings: Vec<Warning>,
}

/// An object's members after the key checks: first occurrence of each known key.
pub(super) struct Members<'a> {
    pub(super) path: JsonPath,
    members: Vec<(&'a str, &'a Node)>,
}

impl<'a> Members<'a> {
    /// The value of an optional key; `null` counts as absent.
    pub(super) fn optional(&self, key: &str) -> Option<(&'a Node, JsonPath)> {
        self.members
            .iter()
            .find(|(k, v)| *k == key && **v != Node::Null)
            .map(|(_, v)| (*v, self.path.key(key)))
    }

    pub(super) fn present(&self, key: &str) -> Option<(&'a Node, JsonPath)> {
        self.members
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v, self.path.key(key)))
    }
}

impl Validator {
    pub(super) fn problem(&mut self, path: &JsonPath, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            message: message.into(),
        });
    }

    pub(super) fn warn(&mut self, code: WarningCode, path: &JsonPath, message: impl Into<String>) {
        self.warnings.push(Warning {
            code,
            path: path.to_string(),
            message: message.into(),
        });
    }

    // ---- generic readers -------------------------------------------------------------

    /// Check that `node` is an object with only `known` keys (plus comments), each once.
    pub(super) fn object<'a>(
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
        // A set, not a list: a hostile file with 60,000 keys in one object made the
        // linear look-up quadratic (16 s; tests/hostile fusion-set-60000-unknown-keys).
        let mut seen: std::collections::HashSet<&str> =
            std::collections::HashSet::with_capacity(entries.len());
        for (key, value) in entries {
            let key_path = path.key(key);
            if !seen.insert(key.as_str()) {
                self.problem(
                    &key_path,
                    "duplicate key — JSON parsers keep only one of the values; remove the other",
                );
                continue;
            }
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

    pub(super) fn comment(&mut self, node: &Node, path: &JsonPath) {
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
    pub(super) fn required<'a>(
        &mut self,
        members: &Members<'a>,
        key: &str,
    ) -> Option<(&'a Node, JsonPath)> {
        let found = members.present(key);
        if found.is_none() {
            self.problem(&members.path.key(key), "missing (required)");
        }
        found
    }

    pub(super) fn string<'a>(&mut self, node: &'a Node, path: &JsonPath) -> Option<&'a str> {
        match node {
            Node::String(s) => Some(s),
            other => {
                self.problem(path, format!("expected a string, found {}", other.kind()));
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, node: &Node, path: &JsonPath) -> Option<bool> {
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

    pub(super) fn array<'a>(&mut self, node: &'a Node, path: &JsonPath) -> Option<&'a [Node]> {
        match node {
            Node::Array(items) => Some(items),
            other => {
                self.problem(path, format!("expected an array, found {}", other.kind()));
                None
            }
        }
    }

    pub(super) fn integer(
        &mut self,
        node: &Node,
        path: &JsonPath,
        min: u32,
        max: u32,
    ) -> Option<u32> {
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

    pub(super) fn choice<T: Copy>(
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
    pub(super) fn text(
        &mut self,
        node: &Node,
        path: &JsonPath,
        max_chars: usize,
        multiline: bool,
    ) -> Option<String> {
        let s = self.string(node, path)?;
        if s.trim().is_empty() {
            self.problem(path, "empty — write a text here");
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

    /// `Some(None)` when absent, `None` when invalid.
    pub(super) fn optional_text(
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

pub(super) fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| s.to_owned())
}
