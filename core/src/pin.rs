//! PINs as types: a value of [`AuthPin`] or [`SigningPassword`] is well-formed by construction,
//! so a malformed PIN is refused before a single APDU is sent. Both wipe their bytes on drop and
//! never print them.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// Which secret of the card: the two JPKI secrets, and the three that open the card-info
/// application (券面事項入力補助AP; the last two also open the card-surface application).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinKind {
    /// 利用者証明用暗証番号: 4 digits, 3 attempts; unlocks the authentication key.
    Authentication,
    /// 署名用パスワード: 6–16 of A–Z and 0–9, 5 attempts; unlocks the signature key and certificate.
    Signing,
    /// 券面事項入力補助用暗証番号: 4 digits, 3 attempts, a counter of its own (often the same
    /// digits as the authentication PIN, but spending one never spends the other). Opens the
    /// My Number and the four attributes.
    CardInfo,
    /// 照合番号A: the 12-digit My Number itself. Opens the My Number (not the attributes), and
    /// the card-surface application.
    VerificationNumberA,
    /// 照合番号B: 14 digits, the birth date as era `YYMMDD`, the card's expiry year and its
    /// 4-digit security code. Opens the four attributes (not the My Number), and the front
    /// side in the card-surface application.
    VerificationNumberB,
}

impl PinKind {
    /// Attempts a fresh counter allows. For the two verification numbers no source gives the
    /// count (`docs/protocol.md` §5); 10 is the virtual card's choice, and the library never
    /// relies on it: it reads the card's counter before every entry.
    pub fn max_attempts(self) -> u8 {
        match self {
            PinKind::Authentication | PinKind::CardInfo => 3,
            PinKind::Signing => 5,
            PinKind::VerificationNumberA | PinKind::VerificationNumberB => 10,
        }
    }

    /// Whether this secret belongs to the JPKI application (the other three do not).
    pub fn is_jpki(self) -> bool {
        matches!(self, PinKind::Authentication | PinKind::Signing)
    }

    /// What the holder must do once this PIN is locked.
    pub fn unlock_advice(self) -> &'static str {
        match self {
            PinKind::Authentication | PinKind::CardInfo => {
                "unlock it at your municipal office (市区町村の窓口) with the card and photo ID"
            }
            PinKind::Signing => {
                "reset it at your municipal office (市区町村の窓口) with the card and photo ID, \
                 or at a convenience-store kiosk after reserving with the JPKI 暗証番号リセット app"
            }
            PinKind::VerificationNumberA | PinKind::VerificationNumberB => {
                "ask at your municipal office (市区町村の窓口), with the card and photo ID; until \
                 then, the card-info PIN still opens the same data"
            }
        }
    }
}

impl fmt::Display for PinKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinKind::Authentication => "authentication PIN",
            PinKind::Signing => "signing password",
            PinKind::CardInfo => "card-info PIN",
            PinKind::VerificationNumberA => "verification number A (your My Number)",
            PinKind::VerificationNumberB => "verification number B",
        })
    }
}

/// Why a PIN was refused before reaching the card. Never contains the PIN itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinFormatError {
    /// The authentication PIN is not exactly 4 characters.
    #[error("the authentication PIN has exactly 4 digits (got {len} characters)")]
    AuthPinLength {
        /// Characters entered.
        len: usize,
    },
    /// The authentication PIN contains something other than 0–9.
    #[error("the authentication PIN has digits 0-9 only")]
    AuthPinNotDigits,
    /// The signing password is not 6–16 characters long.
    #[error("the signing password has 6 to 16 characters (got {len})")]
    SigningPasswordLength {
        /// Characters entered.
        len: usize,
    },
    /// The signing password contains something other than A–Z and 0–9.
    #[error("the signing password has letters A-Z and digits 0-9 only")]
    SigningPasswordCharacters,
    /// The signing password lacks a letter or a digit.
    #[error("the signing password mixes letters and digits: it needs at least one of each")]
    SigningPasswordNeedsLetterAndDigit,
    /// A card-info secret (card-info PIN, verification number A or B) is not the right number
    /// of digits 0–9.
    #[error("the {pin} has exactly {expected} digits 0-9 (got {len} characters)")]
    Digits {
        /// Which secret.
        pin: PinKind,
        /// How many digits it has.
        expected: usize,
        /// Characters entered.
        len: usize,
    },
    /// Verification number A is a My Number whose check digit does not match: a typo, caught
    /// before it costs an attempt.
    #[error(
        "verification number A is your 12-digit My Number, and the last digit of this one does \
         not match the other eleven: check it against the card"
    )]
    MyNumberCheckDigit,
    /// Verification number B does not start with a possible era date `YYMMDD`.
    #[error(
        "verification number B starts with your birth date in the Japanese era as YYMMDD \
         (e.g. 020401 for 平成2年4月1日), then the card's expiry year and its 4-digit security code"
    )]
    VerificationNumberBDate,
    /// The entry's bytes are not UTF-8 text: a PIN handed over as bytes (the bindings take
    /// them so, because a `ByteArray` or `Data` can be wiped and a string cannot) that were not
    /// encoded as the library expects.
    #[error("the {pin} entered is not text (UTF-8): enter it again")]
    NotText {
        /// Which secret.
        pin: PinKind,
    },
}

impl PinFormatError {
    /// Which PIN the malformed entry was for.
    pub fn pin(&self) -> PinKind {
        match self {
            PinFormatError::AuthPinLength { .. } | PinFormatError::AuthPinNotDigits => {
                PinKind::Authentication
            }
            PinFormatError::SigningPasswordLength { .. }
            | PinFormatError::SigningPasswordCharacters
            | PinFormatError::SigningPasswordNeedsLetterAndDigit => PinKind::Signing,
            PinFormatError::Digits { pin, .. } | PinFormatError::NotText { pin } => *pin,
            PinFormatError::MyNumberCheckDigit => PinKind::VerificationNumberA,
            PinFormatError::VerificationNumberBDate => PinKind::VerificationNumberB,
        }
    }
}

/// Whether the caller allows the attempt that would lock the PIN if wrong.
///
/// With one attempt left, a flow refuses to VERIFY unless the caller passes
/// [`LastAttempt::Confirmed`], typically after warning the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LastAttempt {
    /// Refuse when only one attempt is left (the default).
    #[default]
    Refuse,
    /// The user was warned and chose to try their last attempt.
    Confirmed,
}

/// A PIN the card can check: [`AuthPin`] and [`SigningPassword`] (JPKI), and the card-info
/// application's secrets ([`crate::card_info::CardInfoPin`] and the two verification numbers).
/// Sealed: only this crate's well-formed types are sent.
pub trait Pin: sealed::Sealed {
    /// Which secret this is.
    const KIND: PinKind;
    /// The ASCII bytes sent in VERIFY.
    fn bytes(&self) -> &[u8];
}

/// A secret of the JPKI application: what its flows (log-in, signing, PIN change) accept, so a
/// card-info secret cannot be handed to them.
pub trait JpkiPin: Pin {}

impl JpkiPin for AuthPin {}
impl JpkiPin for SigningPassword {}

pub(crate) mod sealed {
    pub trait Sealed {}
    impl Sealed for super::AuthPin {}
    impl Sealed for super::SigningPassword {}
}

/// The 4-digit authentication PIN (利用者証明用暗証番号).
///
/// The digits live on the heap, like [`SigningPassword`]'s: an inline array would be copied
/// into every stack frame the value moves through, and those copies are never wiped
/// (`bindings/ffi/tests/pin_memory.rs` found three).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct AuthPin(Vec<u8>);

impl AuthPin {
    /// Checks the format: exactly 4 digits.
    ///
    /// # Errors
    ///
    /// [`PinFormatError::AuthPinLength`] or [`PinFormatError::AuthPinNotDigits`].
    pub fn new(pin: &str) -> Result<Self, PinFormatError> {
        let len = pin.chars().count();
        if len != 4 {
            return Err(PinFormatError::AuthPinLength { len });
        }
        if !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PinFormatError::AuthPinNotDigits);
        }
        Ok(Self(pin.as_bytes().to_vec()))
    }
}

impl Pin for AuthPin {
    const KIND: PinKind = PinKind::Authentication;
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The signing password (署名用パスワード): 6–16 of A–Z and 0–9 with at least one of each.
///
/// Lower-case letters are upper-cased, as the official client software does; the card compares
/// bytes, so sending lower case would only spend an attempt.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SigningPassword(Vec<u8>);

impl SigningPassword {
    /// Checks the format and upper-cases letters.
    ///
    /// # Errors
    ///
    /// [`PinFormatError::SigningPasswordLength`], [`PinFormatError::SigningPasswordCharacters`]
    /// or [`PinFormatError::SigningPasswordNeedsLetterAndDigit`].
    pub fn new(password: &str) -> Result<Self, PinFormatError> {
        let len = password.chars().count();
        if !(6..=16).contains(&len) {
            return Err(PinFormatError::SigningPasswordLength { len });
        }
        if !password.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(PinFormatError::SigningPasswordCharacters);
        }
        let mut bytes: Vec<u8> = password.bytes().map(|b| b.to_ascii_uppercase()).collect();
        let has_letter = bytes.iter().any(u8::is_ascii_uppercase);
        let has_digit = bytes.iter().any(u8::is_ascii_digit);
        if !(has_letter && has_digit) {
            bytes.zeroize();
            return Err(PinFormatError::SigningPasswordNeedsLetterAndDigit);
        }
        Ok(Self(bytes))
    }
}

impl Pin for SigningPassword {
    const KIND: PinKind = PinKind::Signing;
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for AuthPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthPin(****)")
    }
}

impl fmt::Debug for SigningPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningPassword(****)")
    }
}

/// The state of one PIN's retry counter, read without spending an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinStatus {
    /// Which PIN.
    pub kind: PinKind,
    /// Attempts left before the PIN locks; 0 means locked. `None`: the card answered the
    /// retry query without a count (an ISO-style `9000` or `6300`), so the next wrong entry
    /// may lock it and flows treat it like the last attempt.
    pub attempts_left: Option<u8>,
}

impl PinStatus {
    /// No attempts left: only the municipal office (or, for the signing password, a kiosk) helps.
    pub fn is_blocked(&self) -> bool {
        self.attempts_left == Some(0)
    }

    /// The next wrong entry locks the PIN.
    pub fn is_last_attempt(&self) -> bool {
        self.attempts_left == Some(1)
    }
}

impl fmt::Display for PinStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.attempts_left {
            None => write!(
                f,
                "{}: the card did not report the attempts left",
                self.kind
            ),
            Some(0) => write!(f, "{}: locked, {}", self.kind, self.kind.unlock_advice()),
            Some(1) => write!(
                f,
                "{}: 1 attempt left (the next wrong entry locks it)",
                self.kind
            ),
            Some(n) => write!(
                f,
                "{}: {n} of {} attempts left",
                self.kind,
                self.kind.max_attempts()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_pin_is_exactly_four_digits() {
        assert_eq!(AuthPin::new("1234").unwrap().bytes(), b"1234");
        assert_eq!(
            AuthPin::new("123"),
            Err(PinFormatError::AuthPinLength { len: 3 })
        );
        assert_eq!(
            AuthPin::new("12345"),
            Err(PinFormatError::AuthPinLength { len: 5 })
        );
        assert_eq!(AuthPin::new("12a4"), Err(PinFormatError::AuthPinNotDigits));
        assert_eq!(
            AuthPin::new("１２３４"),
            Err(PinFormatError::AuthPinNotDigits)
        );
        assert_eq!(
            AuthPin::new(""),
            Err(PinFormatError::AuthPinLength { len: 0 })
        );
    }

    #[test]
    fn signing_password_rules() {
        assert_eq!(SigningPassword::new("ABC123").unwrap().bytes(), b"ABC123");
        assert_eq!(SigningPassword::new("abc123").unwrap().bytes(), b"ABC123");
        assert_eq!(
            SigningPassword::new("A1B2C3D4E5F6G7H8").unwrap().bytes(),
            b"A1B2C3D4E5F6G7H8"
        );
        assert_eq!(
            SigningPassword::new("AB123"),
            Err(PinFormatError::SigningPasswordLength { len: 5 })
        );
        assert_eq!(
            SigningPassword::new("A1B2C3D4E5F6G7H8I"),
            Err(PinFormatError::SigningPasswordLength { len: 17 })
        );
        assert_eq!(
            SigningPassword::new("ABCDEF"),
            Err(PinFormatError::SigningPasswordNeedsLetterAndDigit)
        );
        assert_eq!(
            SigningPassword::new("123456"),
            Err(PinFormatError::SigningPasswordNeedsLetterAndDigit)
        );
        assert_eq!(
            SigningPassword::new("ABC-123"),
            Err(PinFormatError::SigningPasswordCharacters)
        );
        assert_eq!(
            SigningPassword::new("ＡＢＣ１２３"),
            Err(PinFormatError::SigningPasswordCharacters)
        );
    }

    #[test]
    fn pins_never_print() {
        let pin = AuthPin::new("9876").unwrap();
        let password = SigningPassword::new("SECRET42").unwrap();
        assert!(!format!("{pin:?}").contains("9876"));
        assert!(!format!("{password:?}").contains("SECRET42"));
        let err = SigningPassword::new("SECRET").unwrap_err().to_string();
        assert!(!err.contains("SECRET"));
    }

    #[test]
    fn pin_memory_is_wiped() {
        let mut password = SigningPassword::new("WIPEME99").unwrap();
        password.zeroize();
        assert!(password.bytes().is_empty(), "wiped and emptied");
        let mut pin = AuthPin::new("5555").unwrap();
        pin.zeroize();
        assert!(pin.bytes().is_empty(), "wiped and emptied");
    }

    #[test]
    fn status_messages_guide_the_user() {
        let locked = PinStatus {
            kind: PinKind::Authentication,
            attempts_left: Some(0),
        };
        assert!(locked.is_blocked());
        assert!(locked.to_string().contains("municipal office"));
        let last = PinStatus {
            kind: PinKind::Signing,
            attempts_left: Some(1),
        };
        assert!(last.is_last_attempt());
        assert!(last.to_string().contains("1 attempt left"));
    }
}
