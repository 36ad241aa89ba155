//! Calendar dates of `expires` (`YYYY-MM-DD`, UTC) and the "now" that expiry is judged by.
//!
//! `expires` names the last UTC day on which the pins apply, so the pin set expires at
//! 00:00:00 UTC of the following day (CONTRACTS §2). "Now" is `SOURCE_DATE_EPOCH` when
//! that is set (reproducible builds, stable tests), else the system clock.

use std::fmt;

use crate::calendar::{SECONDS_PER_DAY, civil_from_days, days_from_civil};

/// A proleptic Gregorian calendar date, years 1970–9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// 00:00:00 UTC of this day, seconds since the Unix epoch.
    pub fn start_unix(self) -> i64 {
        days_from_civil(i64::from(self.year), self.month, self.day) * SECONDS_PER_DAY
    }

    /// 00:00:00 UTC of the following day: the instant a pin set with this `expires`
    /// stops applying.
    pub fn expires_unix(self) -> i64 {
        self.start_unix() + SECONDS_PER_DAY
    }

    /// The UTC day containing `unix` (clamped to the supported years).
    pub fn from_unix(unix: i64) -> Self {
        let days = unix.div_euclid(SECONDS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        match u16::try_from(y) {
            Ok(year) if (1970..=9999).contains(&year) => Self {
                year,
                month: m,
                day: d,
            },
            _ if y < 1970 => Self {
                year: 1970,
                month: 1,
                day: 1,
            },
            _ => Self {
                year: 9999,
                month: 12,
                day: 31,
            },
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Parse `YYYY-MM-DD` strictly: exactly that shape, a real calendar day.
pub fn parse(raw: &str) -> Result<Date, String> {
    let shape_ok = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!(
            "\"{}\" is not a date in the form YYYY-MM-DD (e.g. 2027-06-30)",
            raw.escape_debug()
        ));
    }
    let num = |range: std::ops::Range<usize>| -> u16 {
        raw.get(range)
            .and_then(|s| s.parse().ok())
            .unwrap_or_default()
    };
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    if !(1970..=9999).contains(&year) {
        return Err(format!("{raw}: year {year} is out of range (1970–9999)"));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("{raw} is not a calendar date (month {month})"));
    }
    let month = month as u8;
    let last = days_in_month(year, month);
    if day == 0 || day > u16::from(last) {
        return Err(format!(
            "{raw} is not a calendar date ({} {year} has {last} days)",
            month_name(month)
        ));
    }
    Ok(Date {
        year,
        month,
        day: day as u8,
    })
}

/// The moment expiry is judged against: `SOURCE_DATE_EPOCH` if set, else the clock.
pub fn now_unix() -> Result<i64, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| v),
        Err(std::env::VarError::NotPresent) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))),
        Err(std::env::VarError::NotUnicode(v)) => Err(v.to_string_lossy().into_owned()),
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn month_name(month: u8) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get(usize::from(month).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_the_start_of_the_next_utc_day() {
        let d = parse("2027-06-30").unwrap();
        // date -u -d 2027-07-01 +%s
        assert_eq!(d.expires_unix(), 1_814_400_000);
        assert_eq!(parse("1970-01-01").unwrap().start_unix(), 0);
        assert_eq!(parse("2024-12-31").unwrap().expires_unix(), 1_735_689_600);
    }

    #[test]
    fn calendar_rules() {
        assert!(parse("2028-02-29").is_ok());
        assert!(parse("2000-02-29").is_ok());
        let e = parse("2027-02-30").unwrap_err();
        assert_eq!(
            e,
            "2027-02-30 is not a calendar date (February 2027 has 28 days)"
        );
        assert!(parse("2100-02-29").unwrap_err().contains("28 days"));
        assert!(parse("2027-13-01").unwrap_err().contains("month 13"));
        assert!(parse("2027-04-31").unwrap_err().contains("30 days"));
        assert!(parse("2027-6-30").unwrap_err().contains("YYYY-MM-DD"));
        assert!(
            parse("2027-06-30T00:00:00Z")
                .unwrap_err()
                .contains("YYYY-MM-DD")
        );
        assert!(parse("1969-12-31").unwrap_err().contains("out of range"));
        assert!(parse("２０２７-06-30").is_err());
    }

    #[test]
    fn from_unix_is_the_utc_day_clamped_to_supported_years() {
        assert_eq!(Date::from_unix(1_814_399_999).to_string(), "2027-06-30");
        assert_eq!(Date::from_unix(-5).to_string(), "1970-01-01");
    }
}
