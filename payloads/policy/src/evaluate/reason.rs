//! `reasonData`: one line for people reading a threat event or a log — the host, the
//! rule that covered it, the failed check, the presented pins, and the interception tool
//! when a certificate names one. Bounded: at most [`MAX_LISTED_PINS`] pins are listed.

use alloc::string::String;
use core::fmt::Write;

use crate::base64;
use crate::x509::CertFacts;

const MAX_LISTED_PINS: usize = 8;

/// Position of certificate `i` in a chain of `n`: leaf first, anchor last.
pub(crate) fn role(i: usize, n: usize) -> &'static str {
    if i == 0 {
        "leaf"
    } else if i + 1 == n {
        "anchor"
    } else {
        "intermediate"
    }
}

/// `host <h> (rule <r>): <check>; presented sha256/… (leaf), …; interception tool: <t>`
pub(crate) fn reason_data(host: &str, rule: &str, check: &str, chain: &[CertFacts]) -> String {
    let mut s = String::new();
    let _ = write!(s, "host {host} (rule {rule}): {check}; presented ");
    if chain.is_empty() {
        s.push_str("no certificates");
    }
    for (i, c) in chain.iter().enumerate().take(MAX_LISTED_PINS) {
        if i > 0 {
            s.push_str(", ");
        }
        match &c.spki_sha256 {
            Some(pin) => {
                s.push_str("sha256/");
                base64::encode_into(&mut s, pin);
            }
            None => s.push_str("(unreadable certificate)"),
        }
        let _ = write!(s, " ({})", role(i, chain.len()));
    }
    if chain.len() > MAX_LISTED_PINS {
        let _ = write!(s, " and {} more", chain.len() - MAX_LISTED_PINS);
    }
    let tool = chain
        .iter()
        .filter_map(|c| c.cert.as_ref())
        .find_map(crate::x509::interception_tool);
    if let Some(tool) = tool {
        let _ = write!(s, "; interception tool: {tool}");
    }
    s
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (proleptic Gregorian, UTC).
pub(crate) fn push_utc(s: &mut String, unix: i64) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let _ = write!(
        s,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(unix: i64) -> String {
        let mut s = String::new();
        push_utc(&mut s, unix);
        s
    }

    #[test]
    fn utc_formatting_matches_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_782_864_000), "2026-07-01T00:00:00Z");
        assert_eq!(utc(-1), "1969-12-31T23:59:59Z");
        // Extremes must not overflow.
        let _ = utc(i64::MAX);
        let _ = utc(i64::MIN);
    }
}
