//! The three secrets of the card-info application, as types: a value is well-formed by
//! construction (so a typo costs no attempt), wipes its digits on drop, keeps them on the heap
//! (a move copies a pointer, not the secret) and never prints them.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::pin::{sealed::Sealed, Pin, PinFormatError, PinKind};

/// Checks that `entry` is exactly `expected` ASCII digits.
fn digits(entry: &str, expected: usize, pin: PinKind) -> Result<Vec<u8>, PinFormatError> {
    let len = entry.chars().count();
    if len != expected || !entry.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PinFormatError::Digits { pin, expected, len });
    }
    Ok(entry.as_bytes().to_vec())
}

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
        pub struct $name(Vec<u8>);

        impl Sealed for $name {}

        impl Pin for $name {
            const KIND: PinKind = $kind;
            fn bytes(&self) -> &[u8] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(****)"))
            }
        }
    };
}

secret_type!(
    /// The card-info PIN (券面事項入力補助用暗証番号): 4 digits, 3 attempts on a counter of its
    /// own. Opens the My Number and the four attributes.
    CardInfoPin,
    PinKind::CardInfo
);

secret_type!(
    /// Verification number A (照合番号A): the 12-digit My Number, its check digit checked
    /// here. Opens the My Number in the card-info application, and the card-surface
    /// application.
    VerificationNumberA,
    PinKind::VerificationNumberA
);

secret_type!(
    /// Verification number B (照合番号B): 14 digits, the birth date in the Japanese era as
    /// `YYMMDD`, the card's expiry year `YYYY` and its 4-digit security code (all printed on
    /// the card's front). Opens the four attributes, and the card-surface application's front.
    VerificationNumberB,
    PinKind::VerificationNumberB
);

impl CardInfoPin {
    /// Checks the format: exactly 4 digits.
    ///
    /// # Errors
    ///
    /// [`PinFormatError::Digits`].
    pub fn new(pin: &str) -> Result<Self, PinFormatError> {
        Ok(Self(digits(pin, 4, PinKind::CardInfo)?))
    }
}

impl VerificationNumberA {
    /// Checks the format: 12 digits whose last is the My Number check digit of the others.
    ///
    /// # Errors
    ///
    /// [`PinFormatError::Digits`], [`PinFormatError::MyNumberCheckDigit`].
    pub fn new(my_number: &str) -> Result<Self, PinFormatError> {
        let mut bytes = digits(my_number, 12, PinKind::VerificationNumberA)?;
        if !my_number_check_digit_matches(&bytes) {
            bytes.zeroize();
            return Err(PinFormatError::MyNumberCheckDigit);
        }
        Ok(Self(bytes))
    }
}

impl VerificationNumberB {
    /// Checks the format: 14 digits starting with a possible `YYMMDD` (month 01–12, day 01–31);
    /// the expiry year and security code are the card's to check.
    ///
    /// # Errors
    ///
    /// [`PinFormatError::Digits`], [`PinFormatError::VerificationNumberBDate`].
    pub fn new(number: &str) -> Result<Self, PinFormatError> {
        let mut bytes = digits(number, 14, PinKind::VerificationNumberB)?;
        let two = |i: usize| u32::from(bytes[i] - b'0') * 10 + u32::from(bytes[i + 1] - b'0');
        let (month, day) = (two(2), two(4));
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            bytes.zeroize();
            return Err(PinFormatError::VerificationNumberBDate);
        }
        Ok(Self(bytes))
    }
}

/// The My Number check digit rule (`docs/protocol.md` §7.2): weights 6 5 4 3 2 7 6 5 4 3 2 over
/// the first 11 digits; r = sum mod 11; the check digit is 0 when r ≤ 1, else 11 − r. `digits`
/// are 12 ASCII digits.
pub(crate) fn my_number_check_digit_matches(digits: &[u8]) -> bool {
    const WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    if digits.len() != 12 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits[..11]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    u32::from(digits[11] - b'0') == check
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A number whose check digit was worked out by hand from the rule.
    /// 1234567890 1: 6+10+12+12+10+42+42+40+36+0+2 = 212; 212 mod 11 = 3; 11 − 3 = 8.
    const VALID: &str = "123456789018";

    #[test]
    fn check_digit_rule() {
        assert!(my_number_check_digit_matches(VALID.as_bytes()));
        assert!(!my_number_check_digit_matches(b"123456789017"));
        // r ≤ 1 gives 0: 00000000000 sums to 0.
        assert!(my_number_check_digit_matches(b"000000000000"));
        assert!(!my_number_check_digit_matches(b"12345678901"));
    }

    #[test]
    fn formats_are_checked_before_any_apdu() {
        assert!(CardInfoPin::new("1234").is_ok());
        for bad in ["123", "12345", "12a4", "１２３４"] {
            assert!(matches!(
                CardInfoPin::new(bad),
                Err(PinFormatError::Digits {
                    pin: PinKind::CardInfo,
                    expected: 4,
                    ..
                })
            ));
        }
        assert!(VerificationNumberA::new(VALID).is_ok());
        assert_eq!(
            VerificationNumberA::new("123456789017").unwrap_err(),
            PinFormatError::MyNumberCheckDigit
        );
        assert!(VerificationNumberB::new("02040120351234").is_ok());
        assert_eq!(
            VerificationNumberB::new("02130120351234").unwrap_err(),
            PinFormatError::VerificationNumberBDate
        );
        assert!(VerificationNumberB::new("0204012035123").is_err());
    }

    #[test]
    fn secrets_never_print() {
        let a = VerificationNumberA::new(VALID).unwrap();
        assert!(!format!("{a:?}").contains(VALID));
        let err = VerificationNumberA::new("123456789017")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("1234567890"), "{err}");
    }
}
