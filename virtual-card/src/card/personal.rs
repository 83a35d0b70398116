//! The holder's data as the card-info and card-surface applications carry it, derived from the
//! configuration so that it matches the signing certificate: the My Number (seeded, with a
//! valid check digit, `docs/protocol.md` §7.2), the birth date in the Japanese era, the card's
//! expiry, its security code, and the two verification numbers (§2.1, §5).

use crate::pki;
use crate::profile::VirtualCardConfig;

/// The check digit of an 11-digit My Number body (`docs/protocol.md` §7.2): weights
/// `6 5 4 3 2 7 6 5 4 3 2`, r = sum mod 11, 0 if r ≤ 1, else 11 − r.
pub(crate) fn check_digit(body: &[u8; 11]) -> u8 {
    const WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(*digit) * weight)
        .sum();
    match sum % 11 {
        0 | 1 => 0,
        r => (11 - r) as u8,
    }
}

/// The card's 12-digit My Number: 11 digits from the seed, then the check digit.
pub(crate) fn my_number(seed: &str) -> String {
    let bytes = pki::derive(seed, "my-number");
    let mut body = [0u8; 11];
    for (digit, byte) in body.iter_mut().zip(bytes) {
        *digit = byte % 10;
    }
    let check = check_digit(&body);
    body.iter()
        .chain(std::iter::once(&check))
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// The birth date in the Japanese era as `YYMMDD`, the year counted within the era
/// (1990-04-01, 平成2年4月1日 → `020401`; 1980-02-17, 昭和55年 → `550217`).
pub(crate) fn era_yymmdd(birth: (i32, u8, u8)) -> String {
    let (y, m, d) = birth;
    let first_year = match pki::era_code(birth) {
        '5' => 2019,
        '4' => 1989,
        '3' => 1926,
        '2' => 1912,
        _ => 1868,
    };
    format!("{:02}{m:02}{d:02}", (y - first_year + 1).rem_euclid(100))
}

/// The card's own expiry (not the certificates'): the holder's tenth birthday after the issue
/// date, or the fifth for a holder under 18 on that date (the rule of the 番号法 regulations,
/// as municipal offices state it). A birthday on the issue date does not count.
pub(crate) fn card_expiry(config: &VirtualCardConfig) -> (i32, u8, u8) {
    let (by, bm, bd) = config.holder.birth_date;
    let issued = config.issued_on;
    let age_at_issue = issued.0 - by - i32::from((issued.1, issued.2) < (bm, bd));
    let birthdays = if age_at_issue >= 18 { 10 } else { 5 };
    let mut year = issued.0;
    if pki::date((year, bm, bd)) <= pki::date(issued) {
        year += 1;
    }
    let day = pki::date((year + birthdays - 1, bm, bd));
    (day.year(), u8::from(day.month()), day.day())
}

/// The 4-digit security code printed on the card's front, from the seed.
pub(crate) fn security_code(seed: &str) -> String {
    let b = pki::derive(seed, "security-code");
    let n = u16::from_be_bytes([b[0], b[1]]) % 10_000;
    format!("{n:04}")
}

/// 照合番号B: era `YYMMDD` birth date, the card's expiry year `YYYY`, the security code.
pub(crate) fn verification_number_b(config: &VirtualCardConfig) -> String {
    format!(
        "{}{:04}{}",
        era_yymmdd(config.holder.birth_date),
        card_expiry(config).0,
        security_code(&config.seed)
    )
}

/// A Gregorian date as the applications store it: `YYYYMMDD`.
pub(crate) fn yyyymmdd((y, m, d): (i32, u8, u8)) -> String {
    format!("{y:04}{m:02}{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        // Worked by hand: 1234 5678 901 → sum 212, r = 3, check 8.
        assert_eq!(check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]), 8);
        // r = 1 gives 0: 0000 0000 006 → sum 12, r = 1.
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]), 0);
        assert_eq!(check_digit(&[0; 11]), 0);
        let n = my_number("kazashi");
        assert_eq!(n.len(), 12);
        assert!(n.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn era_dates() {
        assert_eq!(era_yymmdd((1990, 4, 1)), "020401");
        assert_eq!(era_yymmdd((1980, 2, 17)), "550217");
        assert_eq!(era_yymmdd((2019, 5, 1)), "010501");
        assert_eq!(era_yymmdd((2019, 4, 30)), "310430");
        assert_eq!(era_yymmdd((1989, 1, 8)), "010108");
        assert_eq!(era_yymmdd((1989, 1, 7)), "640107");
    }

    #[test]
    fn expiry_is_the_tenth_birthday_or_the_fifth_under_18() {
        let adult = VirtualCardConfig::default(); // born 1990-04-01, issued 2025-10-27
        assert_eq!(card_expiry(&adult), (2035, 4, 1));
        let mut child = VirtualCardConfig::default();
        child.holder.birth_date = (2014, 6, 15);
        assert_eq!(card_expiry(&child), (2030, 6, 15));
        let b = verification_number_b(&adult);
        assert_eq!(b.len(), 14);
        assert!(b.starts_with("0204012035"), "{b}");
    }
}
