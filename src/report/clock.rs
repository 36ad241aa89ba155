//! Report time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the clock; and
//! the few calendar conversions the report needs (no time-zone database: all UTC).

use std::time::{SystemTime, UNIX_EPOCH};

use super::Error;
use super::model::{ReportTime, TimeSource};

/// The instant a report is made at, and whether durations may be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub unix: i64,
    pub source: TimeSource,
}

/// The latest instant the report accepts (9999-12-31T23:59:59Z): RFC 3339 has four-digit years.
const MAX_UNIX: i64 = 253_402_300_799;

impl Clock {
    /// `SOURCE_DATE_EPOCH` (decimal seconds, as the reproducible-builds spec says) when it
    /// is set, else the system clock. A malformed value is an error, not silently ignored:
    /// a build that asked for reproducibility must not quietly lose it.
    pub fn from_env() -> Result<Self, Error> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(value) => Self::source_date_epoch(&value),
            Err(std::env::VarError::NotPresent) => Ok(Self::system()),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::SourceDateEpoch {
                value: "(not UTF-8)".into(),
            }),
        }
    }

    /// Parse a `SOURCE_DATE_EPOCH` value.
    pub fn source_date_epoch(value: &str) -> Result<Self, Error> {
        let trimmed = value.trim();
        let parsed = if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            trimmed.parse::<i64>().ok().filter(|v| *v <= MAX_UNIX)
        } else {
            None
        };
        match parsed {
            Some(unix) => Ok(Self {
                unix,
                source: TimeSource::SourceDateEpoch,
            }),
            None => Err(Error::SourceDateEpoch {
                value: value.chars().take(40).collect(),
            }),
        }
    }

    pub fn system() -> Self {
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(MAX_UNIX));
        Self {
            unix: unix.min(MAX_UNIX),
            source: TimeSource::Clock,
        }
    }

    /// Fixed instant, for tests and for callers that already hold the build date.
    pub fn fixed(unix: i64, source: TimeSource) -> Self {
        Self {
            unix: unix.clamp(0, MAX_UNIX),
            source,
        }
    }

    /// Whether step durations belong in the report (not for reproducible builds).
    pub fn records_durations(&self) -> bool {
        self.source == TimeSource::Clock
    }

    pub fn report_time(&self) -> ReportTime {
        ReportTime {
            utc: rfc3339(self.unix),
            unix: self.unix,
            source: self.source,
        }
    }
}

use crate::calendar::civil;

/// `2026-11-23T13:34:00Z`.
pub fn rfc3339(unix: i64) -> String {
    let c = civil(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `2026-11-23`.
pub fn date(unix: i64) -> String {
    let c = civil(unix);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_matches_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(MAX_UNIX), "9999-12-31T23:59:59Z");
        assert_eq!(date(1_782_864_000), "2026-07-01");
    }

    #[test]
    fn source_date_epoch_is_strict() {
        let c = Clock::source_date_epoch("1700000000").unwrap();
        assert_eq!(c.unix, 1_700_000_000);
        assert!(!c.records_durations());
        for bad in [
            "",
            "-1",
            "1.5",
            "abc",
            "99999999999999999999",
            "253402300800",
        ] {
            assert!(Clock::source_date_epoch(bad).is_err(), "{bad}");
        }
    }
}
