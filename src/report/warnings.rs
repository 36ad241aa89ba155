//! Warnings the report derives from its own facts, so every pipeline reports the same
//! conditions with the same codes and words (DESIGN §9; issue 7 item 5).

use super::clock::date;
use super::model::{DomainInfo, KeyKind, PolicyInfo, Stage, Warning};

/// Pins expiring within this many days are called out.
pub const PIN_EXPIRY_WARNING_DAYS: i64 = 90;

/// The facts warnings are derived from.
pub struct WarningFacts<'a> {
    pub now_unix: i64,
    pub key_source: KeyKind,
    pub stage: Stage,
    pub policy: &'a PolicyInfo,
    /// `expires_unix` of each domain, in `policy.domains` order.
    pub domain_expiry: &'a [Option<i64>],
    pub abis_added: &'a [String],
}

/// Derived warnings, in a fixed order: signing, stage, protection, per-domain, ABIs.
pub fn derive(f: &WarningFacts<'_>) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut push = |code: &str, message: String| {
        out.push(Warning {
            code: code.to_string(),
            message,
        });
    };
    match f.key_source {
        KeyKind::DebugKey => push(
            "DEBUG_KEY",
            "signed with the per-user debug key — fine for testing, not for release: pass --ks or --key/--cert".into(),
        ),
        KeyKind::AdHoc => push(
            "ADHOC_SIGNATURE",
            "ad-hoc code signature, no signing identity — this report is signed with the per-user debug key, which shows it was not changed but not who made it".into(),
        ),
        KeyKind::Keystore | KeyKind::KeyFiles => {}
    }
    if f.stage == Stage::Development {
        push(
            "DEVELOPMENT_STAGE",
            "stage development — violations never block, whatever the action says; use staging or production to enforce".into(),
        );
    }
    if !f.policy.detection {
        push(
            "PROTECTION_DISABLED",
            "CertificatePinning.detection is false — the protection is shipped but inactive".into(),
        );
    }
    for (domain, expiry) in f.policy.domains.iter().zip(f.domain_expiry) {
        if let (Some(expires_unix), Some(last_day)) = (expiry, &domain.expires) {
            let left = expires_unix - f.now_unix;
            if left <= 0 {
                push(
                    "PIN_SET_EXPIRED",
                    format!(
                        "pins for {} expired after {last_day} — they no longer block; ship new pins",
                        domain.host
                    ),
                );
            } else if left <= PIN_EXPIRY_WARNING_DAYS * 86_400 {
                let days = (left + 86_399) / 86_400;
                push(
                    "PIN_EXPIRING",
                    format!(
                        "pins for {} expire after {last_day} (in {days} day{}) — ship new pins before then",
                        domain.host,
                        if days == 1 { "" } else { "s" }
                    ),
                );
            }
        }
        if domain.pins.len() < 2 {
            push("NO_BACKUP_PIN", no_backup_pin(domain));
        }
    }
    if !f.abis_added.is_empty() {
        push(
            "ABIS_ADDED",
            format!(
                "the app had no native code for {} — the shim added it; check the app still installs on those devices",
                f.abis_added.join(", ")
            ),
        );
    }
    out
}

fn no_backup_pin(domain: &DomainInfo) -> String {
    format!(
        "{} has {} pin — add a backup pin so a key rotation does not cut the app off",
        domain.host,
        if domain.pins.is_empty() {
            "no"
        } else {
            "only one"
        }
    )
}

/// `expires_unix` (first instant the pins no longer apply) → last day they apply.
pub fn last_day(expires_unix: i64) -> String {
    date(expires_unix - 1)
}
