//! Named configurations of the virtual card, and the knobs behind them.

use std::fmt;
use std::str::FromStr;

use super::pki::Holder;
use super::strictness::CommandStrictness;
use kazashi::apdu::StatusWord;
use kazashi::jpki::TokenType;
use kazashi::Error;

/// Default authentication PIN of the virtual card.
pub const DEFAULT_AUTH_PIN: &str = "1234";
/// Default signing password of the virtual card.
pub const DEFAULT_SIGNING_PASSWORD: &str = "ABC123";
/// Default seed of the test PKI.
pub const DEFAULT_SEED: &str = "kazashi";

/// Everything that makes one virtual card differ from another.
#[derive(Clone, PartialEq, Eq)]
pub struct VirtualCardConfig {
    /// The token type written in EF `0006`.
    pub token: TokenType,
    /// Whether the card carries a signing certificate, key and password (not under 15).
    pub signing_certificate: bool,
    /// Whether reading the authentication certificate needs the authentication PIN (as on
    /// Android phone tokens).
    pub auth_certificate_needs_pin: bool,
    /// Whether extended-length APDUs are accepted (otherwise `6700`, and 256-byte responses).
    pub extended_length: bool,
    /// The authentication PIN.
    pub auth_pin: String,
    /// The signing password.
    pub signing_password: String,
    /// Attempts left on the authentication PIN (3 when fresh, 0 when blocked).
    pub auth_attempts_left: u8,
    /// Attempts left on the signing password (5 when fresh, 0 when blocked).
    pub signing_attempts_left: u8,
    /// Seed of the test PKI: the same seed always gives the same keys.
    pub seed: String,
    /// The fictional holder.
    pub holder: Holder,
    /// Issue date of the certificates (year, month, day).
    pub issued_on: (i32, u8, u8),
    /// How the card answers the command forms no public source settles (SIGN with a short or
    /// absent Le; the verified state across application SELECTs). Strict by default, so a
    /// client tested here also works on a card that is lenient; see [`CommandStrictness`].
    pub strictness: CommandStrictness,
    /// `None`: READ BINARY, VERIFY, CHANGE REFERENCE DATA and COMPUTE DIGITAL SIGNATURE
    /// accept short EF ids (`docs/protocol.md` §3). `Some(sw)`: every short-EF-id form is refused
    /// with `sw` (`6A86`, `6A82` and `6D00` are plausible), as a card or token without them
    /// would.
    pub short_ef_id_refusal: Option<StatusWord>,
    /// The card-info application's PIN (EF `0011`, 4 digits). `None`: the same digits as
    /// [`VirtualCardConfig::auth_pin`], as most holders choose; the counters stay separate.
    pub card_info_pin: Option<String>,
    /// Attempts left on the card-info PIN (3 when fresh, 0 when blocked).
    pub card_info_attempts_left: u8,
    /// `Some(holder)`: the card-info application holds these attributes instead of
    /// [`VirtualCardConfig::holder`]'s, as a card does whose text was updated (a move) while
    /// the signing certificate still names the old address. Integrity holds either way: the
    /// card's own record covers what it holds.
    pub card_info_holder: Option<Holder>,
    /// `Some(fid)`: one byte of that card-info EF (`0001`–`0007`) is altered after the
    /// integrity record was made, so its integrity check fails while it still parses (EF
    /// `0001`: the last digit; `0002`: the sex code; `0003`: the first byte of `DF31`; `0004`:
    /// a byte of the modulus; others: the last byte).
    pub tamper_card_info_ef: Option<u16>,
}

impl Default for VirtualCardConfig {
    fn default() -> Self {
        Self {
            token: TokenType::PhysicalCard,
            signing_certificate: true,
            auth_certificate_needs_pin: false,
            extended_length: true,
            auth_pin: DEFAULT_AUTH_PIN.into(),
            signing_password: DEFAULT_SIGNING_PASSWORD.into(),
            auth_attempts_left: 3,
            signing_attempts_left: 5,
            seed: DEFAULT_SEED.into(),
            holder: Holder::default(),
            issued_on: (2025, 10, 27),
            strictness: CommandStrictness::STRICT,
            short_ef_id_refusal: None,
            card_info_pin: None,
            card_info_attempts_left: 3,
            card_info_holder: None,
            tamper_card_info_ef: None,
        }
    }
}

/// PINs are never printed, even the virtual card's.
impl fmt::Debug for VirtualCardConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VirtualCardConfig")
            .field("token", &self.token)
            .field("signing_certificate", &self.signing_certificate)
            .field(
                "auth_certificate_needs_pin",
                &self.auth_certificate_needs_pin,
            )
            .field("extended_length", &self.extended_length)
            .field("auth_attempts_left", &self.auth_attempts_left)
            .field("signing_attempts_left", &self.signing_attempts_left)
            .field("seed", &self.seed)
            .field("short_ef_id_refusal", &self.short_ef_id_refusal)
            .field("strictness", &self.strictness)
            .field("card_info_attempts_left", &self.card_info_attempts_left)
            .field("tamper_card_info_ef", &self.tamper_card_info_ef)
            .finish_non_exhaustive()
    }
}

/// Ready-made virtual cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// A physical My Number Card, both certificates, fresh counters (the default).
    PhysicalCard,
    /// An Android phone token: label `JPKIAPGPSETOKEN`, authentication certificate behind the
    /// authentication PIN.
    AndroidPhoneToken,
    /// An iPhone token: label `JPKIAPIOSTOKEN`. Nothing beyond the label is publicly known, so
    /// it otherwise behaves like the physical card.
    IphoneToken,
    /// A holder under 15: no signing certificate, key or password.
    Under15,
    /// A link without extended length: short APDUs only, 256-byte responses.
    NoExtendedLength,
    /// One attempt left on the authentication PIN.
    AuthLastAttempt,
    /// The authentication PIN is locked.
    AuthBlocked,
    /// One attempt left on the signing password.
    SigningLastAttempt,
    /// The signing password is locked.
    SigningBlocked,
    /// Refuses every short-EF-id command form with `6A86`: clients must SELECT each file.
    NoShortEfIds,
    /// The lenient answer to every open question ([`CommandStrictness::LENIENT`]): signs
    /// whatever Le asks for, keeps PINs verified across application SELECTs.
    Lenient,
    /// The card-info PIN (券面事項入力補助用暗証番号) is locked; 照合番号A and B still work.
    CardInfoPinBlocked,
    /// One attempt left on the card-info PIN.
    CardInfoLastAttempt,
    /// The card-info application's EF `0002` (the four attributes) was altered after its
    /// integrity record was made: the attributes parse, their integrity check must fail.
    CardInfoTampered,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 14] = [
        Profile::PhysicalCard,
        Profile::AndroidPhoneToken,
        Profile::IphoneToken,
        Profile::Under15,
        Profile::NoExtendedLength,
        Profile::AuthLastAttempt,
        Profile::AuthBlocked,
        Profile::SigningLastAttempt,
        Profile::SigningBlocked,
        Profile::NoShortEfIds,
        Profile::Lenient,
        Profile::CardInfoPinBlocked,
        Profile::CardInfoLastAttempt,
        Profile::CardInfoTampered,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::PhysicalCard => "physical-card",
            Profile::AndroidPhoneToken => "android-token",
            Profile::IphoneToken => "iphone-token",
            Profile::Under15 => "under-15",
            Profile::NoExtendedLength => "no-extended-length",
            Profile::AuthLastAttempt => "auth-last-attempt",
            Profile::AuthBlocked => "auth-blocked",
            Profile::SigningLastAttempt => "signing-last-attempt",
            Profile::SigningBlocked => "signing-blocked",
            Profile::NoShortEfIds => "no-short-ef-ids",
            Profile::Lenient => "lenient",
            Profile::CardInfoPinBlocked => "card-info-pin-blocked",
            Profile::CardInfoLastAttempt => "card-info-last-attempt",
            Profile::CardInfoTampered => "card-info-tampered",
        }
    }

    /// One line for help texts.
    pub fn description(self) -> &'static str {
        match self {
            Profile::PhysicalCard => "My Number Card with both certificates, fresh PIN counters",
            Profile::AndroidPhoneToken => {
                "Android phone token: authentication certificate needs the PIN"
            }
            Profile::IphoneToken => "iPhone token (label only; otherwise like the card)",
            Profile::Under15 => "holder under 15: no signing certificate",
            Profile::NoExtendedLength => "link without extended-length APDUs (256-byte responses)",
            Profile::AuthLastAttempt => "one attempt left on the authentication PIN",
            Profile::AuthBlocked => "authentication PIN locked",
            Profile::SigningLastAttempt => "one attempt left on the signing password",
            Profile::SigningBlocked => "signing password locked",
            Profile::NoShortEfIds => "refuses short-EF-id commands (6A86): SELECT forms only",
            Profile::Lenient => {
                "lenient where sources are silent: any SIGN Le, PINs kept across SELECTs"
            }
            Profile::CardInfoPinBlocked => "card-info PIN locked (verification numbers work)",
            Profile::CardInfoLastAttempt => "one attempt left on the card-info PIN",
            Profile::CardInfoTampered => {
                "card-info EF 0002 altered after signing: the integrity check must fail"
            }
        }
    }

    /// The configuration behind the profile.
    pub fn config(self) -> VirtualCardConfig {
        let base = VirtualCardConfig::default();
        match self {
            Profile::PhysicalCard => base,
            Profile::AndroidPhoneToken => VirtualCardConfig {
                token: TokenType::AndroidPhone,
                auth_certificate_needs_pin: true,
                ..base
            },
            Profile::IphoneToken => VirtualCardConfig {
                token: TokenType::Iphone,
                ..base
            },
            Profile::Under15 => VirtualCardConfig {
                signing_certificate: false,
                holder: Holder {
                    name: "仮想\u{3000}太郎".into(),
                    sex: "1".into(),
                    birth_date: (2014, 6, 15),
                    ..Holder::default()
                },
                ..base
            },
            Profile::NoExtendedLength => VirtualCardConfig {
                extended_length: false,
                ..base
            },
            Profile::AuthLastAttempt => VirtualCardConfig {
                auth_attempts_left: 1,
                ..base
            },
            Profile::AuthBlocked => VirtualCardConfig {
                auth_attempts_left: 0,
                ..base
            },
            Profile::SigningLastAttempt => VirtualCardConfig {
                signing_attempts_left: 1,
                ..base
            },
            Profile::SigningBlocked => VirtualCardConfig {
                signing_attempts_left: 0,
                ..base
            },
            Profile::NoShortEfIds => VirtualCardConfig {
                short_ef_id_refusal: Some(StatusWord::INCORRECT_P1_P2),
                ..base
            },
            Profile::Lenient => VirtualCardConfig {
                strictness: CommandStrictness::LENIENT,
                ..base
            },
            Profile::CardInfoPinBlocked => VirtualCardConfig {
                card_info_attempts_left: 0,
                ..base
            },
            Profile::CardInfoLastAttempt => VirtualCardConfig {
                card_info_attempts_left: 1,
                ..base
            },
            Profile::CardInfoTampered => VirtualCardConfig {
                tamper_card_info_ef: Some(0x0002),
                ..base
            },
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| Error::InvalidInput {
                reason: format!(
                    "unknown virtual card profile {s:?}; choose one of: {}",
                    Profile::ALL.map(Profile::name).join(", ")
                ),
            })
    }
}
