//! The signing certificate's birth date (生年月日) and the Japanese era (元号) it names.
//!
//! The SubjectAltName value is `EYYYYMMDD`: one era digit (1 明治, 2 大正, 3 昭和, 4 平成,
//! 5 令和) followed by the Gregorian date, e.g. `319800217` for 1980-02-17, 昭和55年
//! (`docs/protocol.md` §6.3, §6.3a). The era digit is redundant with the date, so the era year is
//! computed from the date, and the digit is checked against it rather than trusted.

use std::fmt;

/// A Japanese era (元号) since the Gregorian calendar's adoption window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JapaneseEra {
    /// 明治, code 1.
    Meiji,
    /// 大正, code 2.
    Taisho,
    /// 昭和, code 3.
    Showa,
    /// 平成, code 4.
    Heisei,
    /// 令和, code 5.
    Reiwa,
}

impl JapaneseEra {
    /// Every era, oldest first.
    pub const ALL: [JapaneseEra; 5] = [
        JapaneseEra::Meiji,
        JapaneseEra::Taisho,
        JapaneseEra::Showa,
        JapaneseEra::Heisei,
        JapaneseEra::Reiwa,
    ];

    /// The era of a one-digit code (`1` 明治 … `5` 令和); `None` for any other digit.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }

    /// The one-digit code used in the birth date (`1` 明治 … `5` 令和).
    pub fn code(self) -> u8 {
        self as u8 + 1
    }

    /// The era's name in kanji (`昭和`).
    pub fn name(self) -> &'static str {
        match self {
            JapaneseEra::Meiji => "明治",
            JapaneseEra::Taisho => "大正",
            JapaneseEra::Showa => "昭和",
            JapaneseEra::Heisei => "平成",
            JapaneseEra::Reiwa => "令和",
        }
    }

    /// Its first day in the Gregorian calendar, `(year, month, day)`. 明治 is counted from
    /// 1868-01-25 (the first day of its first year, 明治元年, which was proclaimed
    /// retroactively); the others from the day after the previous emperor's death or abdication.
    pub fn first_day(self) -> (i32, u8, u8) {
        match self {
            JapaneseEra::Meiji => (1868, 1, 25),
            JapaneseEra::Taisho => (1912, 7, 30),
            JapaneseEra::Showa => (1926, 12, 25),
            JapaneseEra::Heisei => (1989, 1, 8),
            JapaneseEra::Reiwa => (2019, 5, 1),
        }
    }

    /// The era a Gregorian date falls in; `None` before 明治.
    pub fn of_date(year: i32, month: u8, day: u8) -> Option<Self> {
        Self::ALL
            .iter()
            .rev()
            .find(|era| era.first_day() <= (year, month, day))
            .copied()
    }
}

impl fmt::Display for JapaneseEra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A birth date as the signing certificate states it: the era digit and the Gregorian date.
/// Personal data: `Debug` hides it, as [`crate::PersonalAttributes`] does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BirthDate {
    /// The leading era digit, when the value has one (`EYYYYMMDD`; the 8-digit form has none).
    pub era_code: Option<u8>,
    /// Gregorian year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
}

impl BirthDate {
    /// Parses `EYYYYMMDD` (or a bare `YYYYMMDD`). `None` unless it is all ASCII digits and a
    /// real calendar date.
    pub fn parse(raw: &str) -> Option<Self> {
        if !raw.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // All ASCII from here, so byte slicing cannot split a character.
        let (era_code, digits) = match raw.len() {
            9 => (Some(raw.as_bytes()[0] - b'0'), &raw[1..]),
            8 => (None, raw),
            _ => return None,
        };
        let year: i32 = digits[..4].parse().ok()?;
        let month: u8 = digits[4..6].parse().ok()?;
        let day: u8 = digits[6..].parse().ok()?;
        let calendar_month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, calendar_month, day).ok()?;
        Some(Self {
            era_code,
            year,
            month,
            day,
        })
    }

    /// The Gregorian date, `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The era the date falls in (from the date, not the digit); `None` before 明治.
    pub fn era(&self) -> Option<JapaneseEra> {
        JapaneseEra::of_date(self.year, self.month, self.day)
    }

    /// The era and the year within it (1 for 元年), from the date.
    pub fn era_year(&self) -> Option<(JapaneseEra, i32)> {
        let era = self.era()?;
        Some((era, self.year - era.first_day().0 + 1))
    }

    /// The year in the Japanese calendar: `昭和55年`, `平成元年`; `None` before 明治.
    pub fn japanese_year(&self) -> Option<String> {
        self.era_year().map(|(era, year)| match year {
            1 => format!("{era}元年"),
            n => format!("{era}{n}年"),
        })
    }

    /// Whether the era digit names the era the date falls in; `None` without a digit.
    pub fn era_code_agrees(&self) -> Option<bool> {
        let code = self.era_code?;
        Some(self.era().map(JapaneseEra::code) == Some(code))
    }
}

/// `1980-02-17 (昭和55年)`; when the era digit disagrees with the date, says so, keeping the era
/// the date falls in.
impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())?;
        let year = self.japanese_year();
        match (year, self.era_code_agrees(), self.era_code) {
            (Some(year), Some(false), Some(code)) => {
                let named = JapaneseEra::from_code(code)
                    .map(|era| format!(" ({era})"))
                    .unwrap_or_else(|| " (no such era)".into());
                write!(
                    f,
                    " ({year}; the certificate's era digit {code}{named} does not match the date)"
                )
            }
            (Some(year), _, _) => write!(f, " ({year})"),
            (None, _, _) => Ok(()),
        }
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BirthDate(value withheld)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn japanese(raw: &str) -> String {
        BirthDate::parse(raw).unwrap().japanese_year().unwrap()
    }

    #[test]
    fn era_years_at_the_boundaries() {
        for (raw, expected) in [
            ("119120729", "明治45年"),
            ("219120730", "大正元年"),
            ("219261224", "大正15年"),
            ("319261225", "昭和元年"),
            ("319800217", "昭和55年"),
            ("319890107", "昭和64年"),
            ("419890108", "平成元年"),
            ("419900401", "平成2年"),
            ("420190430", "平成31年"),
            ("520190501", "令和元年"),
            ("520200101", "令和2年"),
        ] {
            assert_eq!(japanese(raw), expected, "{raw}");
            let date = BirthDate::parse(raw).unwrap();
            assert_eq!(date.era_code_agrees(), Some(true), "{raw}");
        }
    }

    #[test]
    fn display_shows_the_iso_date_and_the_era_year() {
        let date = BirthDate::parse("319800217").unwrap();
        assert_eq!(date.to_string(), "1980-02-17 (昭和55年)");
        assert_eq!(date.era_year(), Some((JapaneseEra::Showa, 55)));
        assert_eq!(
            BirthDate::parse("420190430").unwrap().to_string(),
            "2019-04-30 (平成31年)"
        );
        // No era digit: the era still follows from the date.
        assert_eq!(
            BirthDate::parse("19890108").unwrap().to_string(),
            "1989-01-08 (平成元年)"
        );
        // Before 明治 there is no era to name.
        assert_eq!(
            BirthDate::parse("18000101").unwrap().to_string(),
            "1800-01-01"
        );
    }

    #[test]
    fn a_disagreeing_era_digit_is_reported_not_believed() {
        let date = BirthDate::parse("419890107").unwrap();
        assert_eq!(date.era_code_agrees(), Some(false));
        assert_eq!(
            date.to_string(),
            "1989-01-07 (昭和64年; the certificate's era digit 4 (平成) does not match the date)"
        );
        let date = BirthDate::parse("919800217").unwrap();
        assert_eq!(
            date.to_string(),
            "1980-02-17 (昭和55年; the certificate's era digit 9 (no such era) does not match the date)"
        );
    }

    #[test]
    fn only_real_dates_in_digits_parse() {
        for bad in [
            "",
            "3198002",
            "3198013 1",
            "319801301",
            "319800230",
            "31980021７",
            "é19800217",
            "3198002170",
        ] {
            assert!(BirthDate::parse(bad).is_none(), "{bad:?}");
        }
        assert!(BirthDate::parse("320000229").is_some(), "a leap day");
    }

    #[test]
    fn era_codes_round_trip() {
        for era in JapaneseEra::ALL {
            assert_eq!(JapaneseEra::from_code(era.code()), Some(era));
        }
        assert_eq!(JapaneseEra::from_code(0), None);
        assert_eq!(JapaneseEra::from_code(6), None);
        assert_eq!(JapaneseEra::Showa.code(), 3);
    }

    #[test]
    fn debug_hides_the_date() {
        let date = BirthDate::parse("319800217").unwrap();
        assert!(!format!("{date:?}").contains("1980"));
    }
}
