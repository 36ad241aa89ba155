//! The process-wide state: the policy runtime loaded once at start-up, the threat-event
//! counters, and the one evaluation both platforms call. Everything decided here comes
//! from `fuse-policy`; this only gathers it into an [`Outcome`] the glue can follow.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

use fuse_policy::event::{self, EventContext, Platform};
use fuse_policy::{ButtonAction, Response, Runtime, Verdict};

static RUNTIME: AtomicPtr<Runtime> = AtomicPtr::new(ptr::null_mut());
/// Events raised so far in this process (threat codes stay unique).
static SEQUENCE: AtomicU64 = AtomicU64::new(0);
/// Sum of the scores of the events raised so far (`threatEventsScore`).
static TOTAL_SCORE: AtomicU64 = AtomicU64::new(0);

/// Largest `policy.bin` the shim accepts (real ones are a few KiB).
pub const MAX_POLICY_BYTES: usize = 4 << 20;
/// Bounds on a chain handed over by the platform (real ones: 2–5 certificates of ~1–2 KiB).
pub const MAX_CHAIN_CERTS: usize = 16;
pub const MAX_CERT_BYTES: usize = 64 << 10;

/// Response flags as the bridge reads them (`FuseNative.evaluate`, element 1).
pub mod flag {
    pub const BLOCK: u32 = 1;
    pub const DIALOG: u32 = 2;
    pub const NOTICE: u32 = 4;
    pub const CLOSE_APP: u32 = 8;
    pub const THREAT_EVENT: u32 = 16;
    pub const LOG: u32 = 32;
}

/// Loads the policy once for the life of the process; later calls keep the first.
/// Returns whether the blob decoded completely (a corrupt one still yields a runtime
/// that fails closed for the hosts its header names, per CONTRACTS §2).
pub fn install(bytes: &[u8]) -> bool {
    let runtime = Box::new(Runtime::load(bytes));
    let complete = runtime.policy().is_some();
    if let Some(error) = runtime.error() {
        let consequence = if runtime.is_scope_only() {
            "its pinned hosts fail closed in defense mode"
        } else {
            "certificate pinning is inactive"
        };
        crate::log::warn(&alloc::format!(
            "policy.bin rejected: {error}; {consequence}"
        ));
    }
    let raw = Box::into_raw(runtime);
    if RUNTIME
        .compare_exchange(ptr::null_mut(), raw, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        // SAFETY: `raw` came from `Box::into_raw` above and was never shared.
        drop(unsafe { Box::from_raw(raw) });
    }
    complete
}

fn runtime() -> Option<&'static Runtime> {
    let raw = RUNTIME.load(Ordering::Acquire);
    // SAFETY: a non-null pointer was published by `install` from a leaked `Box` that is
    // never freed, so it stays valid for the life of the process.
    unsafe { raw.as_ref() }
}

/// What the platform knows about the device at evaluation time.
pub struct Device<'a> {
    /// Device language tag (`de`, `pt-BR`) for the dialog texts.
    pub language: &'a str,
    pub platform: Platform,
    /// Android API level / iOS major version (the threat code's last digits).
    pub os_version: u32,
    /// Wall-clock time, milliseconds since the Unix epoch.
    pub now_millis: i64,
}

/// Everything the glue needs to act on one verdict.
pub struct Outcome {
    /// 0 = not covered, 1 = allowed, 2 = violation.
    pub verdict: u8,
    /// [`flag`] bits of the violation's response (0 otherwise).
    pub flags: u32,
    pub reason_code: &'static str,
    pub reason_data: String,
    pub title: String,
    pub message: String,
    /// `(label, action, redirect URL)`; action is `close`, `dismiss` or `redirect`.
    pub buttons: Vec<(String, &'static str, String)>,
    /// The threat event's context keys when the response raises one (device keys are
    /// added by the glue).
    pub event: Vec<(&'static str, String)>,
}

fn flags(r: &Response) -> u32 {
    [
        (r.block, flag::BLOCK),
        (r.dialog, flag::DIALOG),
        (r.notice, flag::NOTICE),
        (r.close_app, flag::CLOSE_APP),
        (r.threat_event, flag::THREAT_EVENT),
        (r.log, flag::LOG),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .fold(0, |acc, (_, bit)| acc | bit)
}

/// Evaluates the validated chain (leaf first, anchor last) for `host`.
pub fn evaluate(host: &str, chain: &[&[u8]], device: &Device<'_>) -> Outcome {
    let mut out = Outcome {
        verdict: 0,
        flags: 0,
        reason_code: "",
        reason_data: String::new(),
        title: String::new(),
        message: String::new(),
        buttons: Vec::new(),
        event: Vec::new(),
    };
    let Some(runtime) = runtime() else { return out };
    let violation = match runtime.evaluate(host, chain, device.now_millis.div_euclid(1000)) {
        Verdict::NotCovered => return out,
        Verdict::Allowed => {
            out.verdict = 1;
            return out;
        }
        Verdict::Violation(v) => v,
    };
    out.verdict = 2;
    out.flags = flags(&violation.response);
    out.reason_code = violation.reason.as_str();
    out.reason_data.clone_from(&violation.reason_data);
    let policy = runtime.policy();
    if let Some(policy) = policy {
        let (title, message, labels) = policy.ui.for_language(device.language);
        out.title = String::from(title);
        out.message = String::from(message);
        for (button, label) in policy.ui.buttons.iter().zip(labels) {
            let (action, redirect) = match &button.action {
                ButtonAction::Close => ("close", String::new()),
                ButtonAction::Dismiss => ("dismiss", String::new()),
                ButtonAction::Redirect(url) => ("redirect", url.clone()),
            };
            out.buttons.push((String::from(label), action, redirect));
        }
    }
    if violation.response.threat_event {
        let score = event::score(violation.reason);
        let ctx = EventContext {
            host,
            message: &out.message,
            now_millis: device.now_millis,
            platform: device.platform,
            os_version: device.os_version,
            sequence: SEQUENCE.fetch_add(1, Ordering::Relaxed).wrapping_add(1),
            previous_total: TOTAL_SCORE.fetch_add(score, Ordering::Relaxed),
        };
        out.event = event::threat_event(policy, &violation, &ctx).fields;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bit set the bridge reads (docs/payloads.md) for every response field.
    #[test]
    fn response_flags_are_the_documented_bits() {
        assert_eq!(flags(&Response::default()), 0);
        let all = Response {
            block: true,
            dialog: true,
            notice: true,
            close_app: true,
            threat_event: true,
            log: true,
        };
        assert_eq!(flags(&all), 63);
        let detection = Response {
            threat_event: true,
            log: true,
            ..Response::default()
        };
        assert_eq!(flags(&detection), flag::THREAT_EVENT | flag::LOG);
        assert_eq!(flags(&detection), 48);
    }
}
