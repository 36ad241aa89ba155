//! Threat events: the context the runtime hands to the app about a violation
//! (DESIGN §2). Every value is a string (apps read them with `getStringExtra` /
//! `userInfo[...]`).
//!
//! This module fills the keys that come from the policy and the verdict; the platform
//! glue adds the device keys ([`DEVICE_KEYS`]: the Android bridge from
//! `android.os.Build` / `System`). Kept here, not in the shim, so it is host-tested.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::model::{Policy, ReasonCode, Violation};

/// `kind` of every event this runtime raises.
pub const KIND: &str = "CertificatePinning";

/// The keys [`threat_event`] fills, in the order it emits them.
pub const EVENT_KEYS: [&str; 14] = [
    "message",
    "reasonData",
    "reasonCode",
    "currentThreatEventScore",
    "threatEventsScore",
    "externalID",
    "threatCode",
    "failSafeEnforce",
    "fusedAppToken",
    "buildDate",
    "kind",
    "host",
    "timestamp",
    "fusionSetId",
];

/// The keys the platform glue adds from the device; none needs a permission or
/// identifies the person.
pub const DEVICE_KEYS: [&str; 8] = [
    "osVersion",
    "devicePlatform",
    "deviceModel",
    "deviceManufacturer",
    "deviceBrand",
    "sdkVersion",
    "kernelInfo",
    "timeZone",
];

/// The OS a threat code names in its last six characters (`AND034`, `IOS017`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Android,
    Ios,
}

impl Platform {
    const fn code(self) -> &'static str {
        match self {
            Self::Android => "AND",
            Self::Ios => "IOS",
        }
    }
}

/// How much one event of this reason weighs in `currentThreatEventScore`: an
/// interception (pin mismatch) or a protection that could not load weighs most, a
/// lapsed pin set least (it no longer blocks).
pub const fn score(reason: ReasonCode) -> u64 {
    match reason {
        ReasonCode::PinMismatch | ReasonCode::PolicyInvalid => 100,
        ReasonCode::CaWithoutBasicConstraints => 80,
        ReasonCode::WeakRsaKey | ReasonCode::WeakEcKey | ReasonCode::WeakSignatureHash => 60,
        ReasonCode::PinSetExpired => 20,
    }
}

/// What the platform glue knows about the moment of the event.
#[derive(Debug, Clone)]
pub struct EventContext<'a> {
    /// The host the app connected to.
    pub host: &'a str,
    /// The text shown to the user (the localized `message`), empty if none applies.
    pub message: &'a str,
    /// Wall-clock time, milliseconds since the Unix epoch (UTC).
    pub now_millis: i64,
    pub platform: Platform,
    /// The OS's version in the threat code: Android API level, iOS major version.
    pub os_version: u32,
    /// 1-based number of this event in the process (keeps threat codes unique).
    pub sequence: u64,
    /// Sum of the scores of the events raised earlier in the process.
    pub previous_total: u64,
}

/// One threat event: its score, the new running total and the context keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatEvent {
    pub score: u64,
    /// `previous_total + score`: what the next event's `previous_total` must be.
    pub total: u64,
    /// `(key, value)` for every key of [`EVENT_KEYS`], in that order.
    pub fields: Vec<(&'static str, String)>,
}

impl ThreatEvent {
    /// The value of `key`, if this event carries it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Builds the event for `violation`. `policy` is `None` when the blob could not be
/// decoded (a `POLICY_INVALID` verdict): its keys are then present but empty.
pub fn threat_event(
    policy: Option<&Policy>,
    violation: &Violation,
    ctx: &EventContext<'_>,
) -> ThreatEvent {
    let score = score(violation.reason);
    let total = ctx.previous_total.saturating_add(score);
    let text = |f: fn(&Policy) -> String| policy.map(f).unwrap_or_default();
    let fields = Vec::from([
        ("message", ctx.message.to_string()),
        ("reasonData", violation.reason_data.clone()),
        ("reasonCode", violation.reason.as_str().to_string()),
        ("currentThreatEventScore", format!("{score}")),
        ("threatEventsScore", format!("{total}")),
        (
            "externalID",
            text(|p| p.external_id.clone().unwrap_or_default()),
        ),
        (
            "threatCode",
            threat_code(ctx.now_millis, ctx.sequence, ctx.platform, ctx.os_version),
        ),
        ("failSafeEnforce", format!("{}", violation.response.block)),
        ("fusedAppToken", text(|p| p.build_id.clone())),
        (
            "buildDate",
            text(|p| utc_timestamp(p.build_date_unix.saturating_mul(1000))),
        ),
        ("kind", KIND.to_string()),
        ("host", normalize_host(ctx.host)),
        ("timestamp", utc_timestamp(ctx.now_millis)),
        ("fusionSetId", text(|p| p.fusion_set_id.clone())),
    ]);
    ThreatEvent {
        score,
        total,
        fields,
    }
}

/// A code unique per event in a process and across processes (millisecond time plus
/// sequence number), whose last six characters are the OS and its version:
/// `FUSE-CP-0193F2A1B2C3-0001-AND034`.
pub fn threat_code(now_millis: i64, sequence: u64, platform: Platform, os_version: u32) -> String {
    let millis = u64::try_from(now_millis).unwrap_or(0);
    format!(
        "FUSE-CP-{millis:012X}-{:04X}-{}{:03}",
        sequence & 0xFFFF,
        platform.code(),
        os_version.min(999)
    )
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (ISO 8601, UTC) for milliseconds since the Unix epoch.
pub fn utc_timestamp(unix_millis: i64) -> String {
    let secs = unix_millis.div_euclid(1000);
    let millis = unix_millis.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The host as the policy evaluates it: lowercase, one trailing dot removed.
fn normalize_host(host: &str) -> String {
    let host = host.strip_suffix('.').unwrap_or(host);
    host.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, Enforce, Response, Stage, ThreatEvents, Ui};

    fn policy() -> Policy {
        Policy {
            fusion_set_id: "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11".into(),
            build_id: "b-1234".into(),
            build_date_unix: 1_700_000_000,
            stage: Stage::Production,
            detection: true,
            threat_events: ThreatEvents::Defense,
            action: Action::Close,
            external_id: Some("cp-prod-01".into()),
            ui: Ui::default(),
            domains: Vec::new(),
            enforce: Enforce::default(),
        }
    }

    fn violation(reason: ReasonCode, block: bool) -> Violation {
        Violation {
            reason,
            reason_data: "host api.example.test: no pin matched".into(),
            response: Response {
                block,
                threat_event: true,
                log: true,
                ..Response::default()
            },
        }
    }

    fn ctx(sequence: u64, previous_total: u64) -> EventContext<'static> {
        EventContext {
            host: "API.Example.test.",
            message: "Connection not secure",
            now_millis: 1_763_904_840_123,
            platform: Platform::Android,
            os_version: 34,
            sequence,
            previous_total,
        }
    }

    #[test]
    fn carries_every_key_in_order_as_strings() {
        let p = policy();
        let e = threat_event(
            Some(&p),
            &violation(ReasonCode::PinMismatch, true),
            &ctx(1, 0),
        );
        let keys: Vec<&str> = e.fields.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, EVENT_KEYS);
        assert_eq!(e.get("reasonCode"), Some("PIN_MISMATCH"));
        assert_eq!(e.get("currentThreatEventScore"), Some("100"));
        assert_eq!(e.get("threatEventsScore"), Some("100"));
        assert_eq!(e.get("externalID"), Some("cp-prod-01"));
        assert_eq!(e.get("failSafeEnforce"), Some("true"));
        assert_eq!(e.get("fusedAppToken"), Some("b-1234"));
        assert_eq!(e.get("buildDate"), Some("2023-11-14T22:13:20.000Z"));
        assert_eq!(e.get("kind"), Some("CertificatePinning"));
        assert_eq!(e.get("host"), Some("api.example.test"));
        assert_eq!(e.get("timestamp"), Some("2025-11-23T13:34:00.123Z"));
        assert_eq!(
            e.get("fusionSetId"),
            Some("6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11")
        );
        assert_eq!(e.get("message"), Some("Connection not secure"));
    }

    #[test]
    fn running_total_accumulates() {
        let p = policy();
        let first = threat_event(
            Some(&p),
            &violation(ReasonCode::WeakRsaKey, true),
            &ctx(1, 0),
        );
        let second = threat_event(
            Some(&p),
            &violation(ReasonCode::PinSetExpired, false),
            &ctx(2, first.total),
        );
        assert_eq!(second.get("currentThreatEventScore"), Some("20"));
        assert_eq!(second.get("threatEventsScore"), Some("80"));
        assert_eq!(second.get("failSafeEnforce"), Some("false"));
    }

    #[test]
    fn threat_codes_are_unique_and_end_with_os_and_version() {
        let a = threat_code(1_763_904_840_123, 1, Platform::Android, 34);
        let b = threat_code(1_763_904_840_123, 2, Platform::Android, 34);
        assert_ne!(a, b);
        assert!(a.ends_with("AND034"), "{a}");
        assert!(threat_code(0, 7, Platform::Ios, 17).ends_with("IOS017"));
        assert!(threat_code(-5, 7, Platform::Ios, 5000).ends_with("IOS999"));
    }

    #[test]
    fn invalid_policy_keeps_every_key() {
        let e = threat_event(
            None,
            &violation(ReasonCode::PolicyInvalid, true),
            &ctx(1, 0),
        );
        assert_eq!(e.fields.len(), EVENT_KEYS.len());
        assert_eq!(e.get("fusionSetId"), Some(""));
        assert_eq!(e.get("reasonCode"), Some("POLICY_INVALID"));
    }

    #[test]
    fn timestamps_cover_leap_days_and_before_1970() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(utc_timestamp(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(utc_timestamp(-1), "1969-12-31T23:59:59.999Z");
    }
}
