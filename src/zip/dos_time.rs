//! MS-DOS timestamps for entries fuse writes: fixed, so outputs are reproducible.
//!
//! ```text
//! time: bits 15-11 hour · 10-5 minute · 4-0 second/2
//! date: bits 15-9 year-1980 · 8-5 month · 4-0 day
//! ```

/// A DOS `(time, date)` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DosTime {
    pub time: u16,
    pub date: u16,
}

impl DosTime {
    /// 1981-01-01 00:00:00: the constant Android's own tools (zipflinger, bundletool) use,
    /// one year past the DOS epoch so no time zone can push it below 1980.
    pub const DEFAULT: DosTime = DosTime {
        time: 0,
        date: (1 << 9) | (1 << 5) | 1,
    };

    /// `SOURCE_DATE_EPOCH` when set and parseable, else [`DosTime::DEFAULT`].
    pub fn from_env() -> Self {
        std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map_or(Self::DEFAULT, Self::from_unix)
    }

    /// UTC civil time of `secs`, clamped to the DOS range 1980-01-01 .. 2107-12-31.
    pub fn from_unix(secs: i64) -> Self {
        const MIN: i64 = 315_532_800; // 1980-01-01T00:00:00Z
        const MAX: i64 = 4_354_819_198; // 2107-12-31T23:59:58Z
        let secs = secs.clamp(MIN, MAX);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = crate::calendar::civil_from_days(days);
        let (m, d) = (i64::from(m), i64::from(d));
        let time = ((rem / 3600) << 11) | (((rem % 3600) / 60) << 5) | ((rem % 60) / 2);
        let date = ((y - 1980) << 9) | (m << 5) | d;
        Self {
            time: time as u16,
            date: date as u16,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        // 2024-02-29T13:37:42Z
        let t = DosTime::from_unix(1_709_213_862);
        assert_eq!(t.date, ((2024 - 1980) << 9) | (2 << 5) | 29);
        assert_eq!(t.time, (13 << 11) | (37 << 5) | 21);
        assert_eq!(DosTime::from_unix(0), DosTime::from_unix(315_532_800));
        assert_eq!(DosTime::from_unix(315_532_800).date, (1 << 5) | 1);
    }
}
