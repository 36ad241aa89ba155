//! Constants of the blob format: framing, enum codes and limits (see the diagram in
//! [`super`]). The encoder and the decoder both read from here, so they cannot disagree.

use alloc::vec::Vec;

#[cfg(feature = "encode")]
use crate::model::ButtonAction;
use crate::model::{Action, HostPattern, Stage, ThreatEvents};

/// First eight bytes of every `policy.bin`.
pub const MAGIC: [u8; 8] = *b"FUSEPOL\0";
/// The only format version this crate reads and writes.
pub const FORMAT_VERSION: u16 = 1;

/// magic + version + reserved + scope length.
pub(crate) const PREAMBLE_LEN: usize = 16;
pub(crate) const DIGEST_LEN: usize = 32;
/// A u32 length field.
pub(crate) const LEN_FIELD: usize = 4;
/// The smallest possible blob: empty scope and body sections.
pub(crate) const MIN_BLOB_LEN: usize = PREAMBLE_LEN + DIGEST_LEN + LEN_FIELD + DIGEST_LEN;

/// Bounds on every count and length, checked by [`Policy::check`](crate::Policy::check)
/// before encoding and by the decoder before anything is allocated. The fusion-set
/// validator should reject input beyond them with a JSON path.
pub mod limits {
    /// Whole blob, bytes. Every policy within the other limits fits.
    pub const MAX_BLOB_LEN: usize = 16 * 1024 * 1024;
    /// Domain entries.
    pub const MAX_DOMAINS: usize = 1024;
    /// Pins of one domain entry (at least one is required).
    pub const MAX_PINS_PER_DOMAIN: usize = 64;
    /// A host name (RFC 1035 presentation length, without the `*.`).
    pub const MAX_HOST_LEN: usize = 253;
    /// One label of a host name.
    pub const MAX_LABEL_LEN: usize = 63;
    /// Any text: ids, titles, messages, button labels, redirect URLs.
    pub const MAX_TEXT_LEN: usize = 4096;
    /// Dialog buttons.
    pub const MAX_BUTTONS: usize = 8;
    /// Localized variants of the dialog.
    pub const MAX_LANGUAGES: usize = 256;
    /// A language tag (`de`, `pt-br`, BCP 47 up to 35 characters).
    pub const MAX_LANGUAGE_TAG_LEN: usize = 35;
}

/// The mode and host scope: what the scope section holds. Recovered on its own when
/// the rest of the blob is damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub detection: bool,
    pub threat_events: ThreatEvents,
    pub stage: Stage,
    pub action: Action,
    /// (pattern, include_subdomains), in canonical domain order.
    pub hosts: Vec<(HostPattern, bool)>,
}

#[cfg(feature = "encode")]
pub(crate) fn stage_code(stage: Stage) -> u8 {
    match stage {
        Stage::Development => 0,
        Stage::Staging => 1,
        Stage::Production => 2,
    }
}

pub(crate) fn stage_from(code: u8) -> Option<Stage> {
    match code {
        0 => Some(Stage::Development),
        1 => Some(Stage::Staging),
        2 => Some(Stage::Production),
        _ => None,
    }
}

#[cfg(feature = "encode")]
pub(crate) fn threat_events_code(t: ThreatEvents) -> u8 {
    match t {
        ThreatEvents::Off => 0,
        ThreatEvents::Detection => 1,
        ThreatEvents::Defense => 2,
    }
}

pub(crate) fn threat_events_from(code: u8) -> Option<ThreatEvents> {
    match code {
        0 => Some(ThreatEvents::Off),
        1 => Some(ThreatEvents::Detection),
        2 => Some(ThreatEvents::Defense),
        _ => None,
    }
}

#[cfg(feature = "encode")]
pub(crate) fn action_code(a: Action) -> u8 {
    match a {
        Action::Close => 0,
        Action::Alert => 1,
        Action::Warn => 2,
        Action::Log => 3,
    }
}

pub(crate) fn action_from(code: u8) -> Option<Action> {
    match code {
        0 => Some(Action::Close),
        1 => Some(Action::Alert),
        2 => Some(Action::Warn),
        3 => Some(Action::Log),
        _ => None,
    }
}

pub(crate) const HOST_EXACT: u8 = 0;
pub(crate) const HOST_ONE_LABEL_WILDCARD: u8 = 1;

pub(crate) fn host_kind(p: &HostPattern) -> (u8, &str) {
    match p {
        HostPattern::Exact(h) => (HOST_EXACT, h),
        HostPattern::OneLabelWildcard(h) => (HOST_ONE_LABEL_WILDCARD, h),
    }
}

pub(crate) const BUTTON_CLOSE: u8 = 0;
pub(crate) const BUTTON_DISMISS: u8 = 1;
pub(crate) const BUTTON_REDIRECT: u8 = 2;

#[cfg(feature = "encode")]
pub(crate) fn button_code(a: &ButtonAction) -> u8 {
    match a {
        ButtonAction::Close => BUTTON_CLOSE,
        ButtonAction::Dismiss => BUTTON_DISMISS,
        ButtonAction::Redirect(_) => BUTTON_REDIRECT,
    }
}

/// Canonical order of domain entries: by host, then kind (exact before wildcard).
pub(crate) fn domain_key(p: &HostPattern) -> (&str, u8) {
    let (kind, host) = host_kind(p);
    (host, kind)
}
