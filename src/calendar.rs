//! UTC calendar arithmetic (proleptic Gregorian), in one place.
//!
//! Dates meet fuse in four formats: fusion-set `expires` days, ZIP DOS timestamps, RFC 3339
//! report times and the PDF's expiry column. All of them convert through the two functions
//! here (Howard Hinnant's `days_from_civil` / `civil_from_days`, exact for every `i64` day
//! count that fits), so a leap-year rule can only be wrong once.

pub const SECONDS_PER_DAY: i64 = 86_400;

/// A UTC instant split into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// Days since 1970-01-01 of the civil date `year-month-day`.
pub fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // In range by construction: doy ∈ 0..366 gives day 1..=31 and mp ∈ 0..12 gives month 1..=12.
    let day = u8::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u8::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Seconds since the Unix epoch → UTC calendar fields.
pub fn civil(unix: i64) -> Civil {
    let (year, month, day) = civil_from_days(unix.div_euclid(SECONDS_PER_DAY));
    let secs = unix.rem_euclid(SECONDS_PER_DAY);
    // secs < 86 400, so every field below fits its type.
    Civil {
        year,
        month,
        day,
        hour: u8::try_from(secs / 3600).unwrap_or(0),
        minute: u8::try_from(secs % 3600 / 60).unwrap_or(0),
        second: u8::try_from(secs % 60).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_through_days() {
        for days in [-719_468, -1, 0, 1, 59, 365, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn known_instants() {
        // date -u -d @1709213862 → 2024-02-29 13:37:42
        let c = civil(1_709_213_862);
        assert_eq!((c.year, c.month, c.day), (2024, 2, 29));
        assert_eq!((c.hour, c.minute, c.second), (13, 37, 42));
        assert_eq!(civil(-1).year, 1969);
        assert_eq!(
            days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
            2
        );
        assert_eq!(
            days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28),
            1
        );
    }
}
