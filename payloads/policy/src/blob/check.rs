//! The invariants every encodable policy satisfies — the same ones the decoder enforces,
//! so `decode(encode(p)) == p` for every canonical `p` that passes [`Policy::check`].

use alloc::string::String;

use super::layout::{domain_key, limits};
use crate::model::{ButtonAction, HostPattern, Policy};

/// Why a [`Policy`] cannot be encoded. `Display` is the whole line after `error: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy has {found} {what}, the limit is {max} — split or shorten the fusion set")]
    TooMany {
        what: &'static str,
        found: usize,
        max: usize,
    },
    #[error("policy {what} is {found} bytes long, the limit is {max} — shorten it")]
    TooLong {
        what: &'static str,
        found: usize,
        max: usize,
    },
    #[error(
        "policy host {host:?} is not a normalised host name — lowercase ASCII labels of letters, digits, '-' or '_' separated by single dots"
    )]
    InvalidHost { host: String },
    #[error("policy language tag {tag:?} is not lowercase letters, digits and '-'")]
    InvalidLanguage { tag: String },
    #[error("policy lists domain {host:?} twice — merge the entries")]
    DuplicateDomain { host: String },
    #[error("policy lists language {tag:?} twice — merge the entries")]
    DuplicateLanguage { tag: String },
    #[error("policy domain {host:?} has no pins — add at least one sha256/ pin")]
    NoPins { host: String },
    #[error("policy domain {host:?} lists a pin twice — remove the duplicate")]
    DuplicatePin { host: String },
    #[error(
        "policy language {tag:?} has {found} button labels, the dialog has {expected} buttons — give one label per button or none"
    )]
    ButtonLabels {
        tag: String,
        found: usize,
        expected: usize,
    },
    #[error("policy button {index} redirects to an empty URL — use dismiss instead")]
    EmptyRedirect { index: usize },
}

impl Policy {
    /// Checks that this policy is within [`limits`] and well-formed (normalised hosts,
    /// no duplicate domains, languages or pins, ≥ 1 pin per domain, localized button
    /// labels matching the buttons, non-empty redirect URLs). Order does not matter:
    /// the encoder sorts (see [`Policy::canonicalize`]).
    pub fn check(&self) -> Result<(), PolicyError> {
        count("domains", self.domains.len(), limits::MAX_DOMAINS)?;
        text("fusion set id", &self.fusion_set_id)?;
        text("build id", &self.build_id)?;
        if let Some(id) = &self.external_id {
            text("external id", id)?;
        }
        for (i, d) in self.domains.iter().enumerate() {
            let host = domain_key(&d.host).0;
            check_host(host)?;
            if self
                .domains
                .iter()
                .take(i)
                .any(|e| domain_key(&e.host) == domain_key(&d.host))
            {
                return Err(PolicyError::DuplicateDomain {
                    host: display_pattern(&d.host),
                });
            }
            if d.pins.is_empty() {
                return Err(PolicyError::NoPins {
                    host: display_pattern(&d.host),
                });
            }
            count(
                "pins in one domain",
                d.pins.len(),
                limits::MAX_PINS_PER_DOMAIN,
            )?;
            if d.pins
                .iter()
                .enumerate()
                .any(|(j, p)| d.pins.iter().take(j).any(|q| q == p))
            {
                return Err(PolicyError::DuplicatePin {
                    host: display_pattern(&d.host),
                });
            }
        }
        let ui = &self.ui;
        text("dialog title", &ui.title)?;
        text("dialog message", &ui.message)?;
        count("dialog buttons", ui.buttons.len(), limits::MAX_BUTTONS)?;
        for (index, b) in ui.buttons.iter().enumerate() {
            text("button label", &b.label)?;
            if let ButtonAction::Redirect(url) = &b.action {
                if url.is_empty() {
                    return Err(PolicyError::EmptyRedirect { index });
                }
                text("redirect URL", url)?;
            }
        }
        count("languages", ui.localized.len(), limits::MAX_LANGUAGES)?;
        for (i, l) in ui.localized.iter().enumerate() {
            check_language(&l.language)?;
            if ui
                .localized
                .iter()
                .take(i)
                .any(|m| m.language == l.language)
            {
                return Err(PolicyError::DuplicateLanguage {
                    tag: l.language.clone(),
                });
            }
            if let Some(t) = &l.title {
                text("localized title", t)?;
            }
            if let Some(m) = &l.message {
                text("localized message", m)?;
            }
            if !l.buttons.is_empty() && l.buttons.len() != ui.buttons.len() {
                return Err(PolicyError::ButtonLabels {
                    tag: l.language.clone(),
                    found: l.buttons.len(),
                    expected: ui.buttons.len(),
                });
            }
            for label in &l.buttons {
                text("localized button label", label)?;
            }
        }
        Ok(())
    }

    /// Sorts domains by (host, kind) and localized texts by language: the order the
    /// blob stores them in. Pins keep their order (the fusion set's).
    pub fn canonicalize(&mut self) {
        self.domains
            .sort_by(|a, b| domain_key(&a.host).cmp(&domain_key(&b.host)));
        self.ui
            .localized
            .sort_by(|a, b| a.language.cmp(&b.language));
    }
}

fn count(what: &'static str, found: usize, max: usize) -> Result<(), PolicyError> {
    if found > max {
        return Err(PolicyError::TooMany { what, found, max });
    }
    Ok(())
}

fn text(what: &'static str, s: &str) -> Result<(), PolicyError> {
    if s.len() > limits::MAX_TEXT_LEN {
        return Err(PolicyError::TooLong {
            what,
            found: s.len(),
            max: limits::MAX_TEXT_LEN,
        });
    }
    Ok(())
}

fn display_pattern(p: &HostPattern) -> String {
    match p {
        HostPattern::Exact(h) => h.clone(),
        HostPattern::OneLabelWildcard(h) => alloc::format!("*.{h}"),
    }
}

/// A normalised host: lowercase ASCII letters, digits, `-`, `_`; labels 1..=63 bytes
/// separated by single dots; ≤ 253 bytes; no leading or trailing dot.
pub(crate) fn host_is_valid(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= limits::MAX_HOST_LEN
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= limits::MAX_LABEL_LEN)
        && host.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

/// A lowercase language tag: `de`, `pt-br`, `zh-hant-tw`.
pub(crate) fn language_is_valid(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= limits::MAX_LANGUAGE_TAG_LEN
        && tag.split('-').all(|s| !s.is_empty())
        && tag
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_host(host: &str) -> Result<(), PolicyError> {
    if host.len() > limits::MAX_HOST_LEN {
        return Err(PolicyError::TooLong {
            what: "host",
            found: host.len(),
            max: limits::MAX_HOST_LEN,
        });
    }
    if !host_is_valid(host) {
        return Err(PolicyError::InvalidHost { host: host.into() });
    }
    Ok(())
}

fn check_language(tag: &str) -> Result<(), PolicyError> {
    if !language_is_valid(tag) {
        return Err(PolicyError::InvalidLanguage { tag: tag.into() });
    }
    Ok(())
}
