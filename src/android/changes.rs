//! The change list of a build: every entry added, changed or removed, with its role and
//! the SHA-256 and size of its bytes before and after.

use super::build_id::hex;
use super::facts::{ChangeKind, EntryChange};
use super::plan::Injection;
use super::previous;
use super::read::App;
use crate::apk::{self, Change};

fn role(name: &str, injection: &Injection) -> &'static str {
    if name == "AndroidManifest.xml" {
        "manifest"
    } else if name == previous::POLICY_PATH {
        "policy"
    } else if name == previous::ORIGIN_PATH {
        "origin"
    } else if name == injection.bridge_dex || name.ends_with(".dex") {
        // Only the bridge's dex files are ever added or removed.
        "bridge"
    } else if name.ends_with(crate::payloads::ANDROID_SHIM_NAME) {
        "shim"
    } else if crate::apk::v1::is_signature_file(name) {
        "signature"
    } else {
        "other"
    }
}

/// The signer's list (plan-driven changes) plus the JAR signature files re-signing
/// drops and writes, each with its SHA-256 and size. `written`: (name, size, SHA-256 of
/// signature files) of every output entry.
pub fn changes(
    app: &App,
    signed: &apk::SignedApk,
    injection: &Injection,
    written: &[(String, u64, Option<String>)],
) -> Vec<EntryChange> {
    let before_size = |name: &str| app.archive.entry(name).map(|e| e.uncompressed_size());
    let after_size = |name: &str| {
        written
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, size, _)| *size)
    };
    let mut merged: Vec<EntryChange> = Vec::with_capacity(signed.changes.len());
    for c in &signed.changes {
        let change = EntryChange {
            path: c.name.clone(),
            change: match c.change {
                Change::Added => ChangeKind::Added,
                Change::Replaced => ChangeKind::Changed,
                Change::Removed => ChangeKind::Removed,
            },
            role: role(&c.name, injection),
            before_sha256: c.before_sha256.clone(),
            before_size: None,
            after_sha256: c.after_sha256.clone(),
            after_size: None,
        };
        // A re-fusion removes and re-adds the same names: one "changed" (or nothing,
        // when the bytes are equal) says what happened.
        if change.change == ChangeKind::Added
            && let Some(prev) = merged
                .iter_mut()
                .find(|p| p.path == change.path && p.change == ChangeKind::Removed)
        {
            prev.change = ChangeKind::Changed;
            prev.after_sha256 = change.after_sha256;
            continue;
        }
        merged.push(change);
    }
    merged.retain(|c| !(c.change == ChangeKind::Changed && c.before_sha256 == c.after_sha256));
    for e in app.archive.entries() {
        if apk::v1::is_signature_file(&e.name) {
            merged.push(EntryChange {
                path: e.name.clone(),
                change: ChangeKind::Removed,
                role: "signature",
                before_sha256: app.archive.stream_sha256(e).ok().map(|d| hex(&d)),
                before_size: None,
                after_sha256: None,
                after_size: None,
            });
        }
    }
    for (name, _, after) in written
        .iter()
        .filter(|(n, _, _)| apk::v1::is_signature_file(n))
    {
        if let Some(i) = merged
            .iter()
            .position(|p| &p.path == name && p.change == ChangeKind::Removed)
        {
            if merged.get(i).is_some_and(|p| &p.before_sha256 == after) {
                merged.remove(i);
            } else if let Some(prev) = merged.get_mut(i) {
                prev.change = ChangeKind::Changed;
                prev.after_sha256 = after.clone();
            }
            continue;
        }
        merged.push(EntryChange {
            path: name.clone(),
            change: ChangeKind::Added,
            role: "signature",
            before_sha256: None,
            before_size: None,
            after_sha256: after.clone(),
            after_size: None,
        });
    }
    for c in &mut merged {
        if c.before_sha256.is_some() {
            c.before_size = before_size(&c.path);
        }
        if c.after_sha256.is_some() {
            c.after_size = after_size(&c.path);
        }
    }
    merged.sort_by(|a, b| a.path.cmp(&b.path));
    merged
}
