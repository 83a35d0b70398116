//! The card-info application through the bindings: the four attributes and, only through its
//! own call, the My Number, both integrity-checked, on the same [`CardSession`] (and tap) as
//! the JPKI flows. Secrets cross as bytes (`SecretBytes`), wiped when dropped, as PINs are.

use std::sync::Arc;

use kazashi::card::Card;
use kazashi::card_info::{self, AttributesKey, CardInfoCard, MyNumberKey};
use zeroize::Zeroizing;

use crate::error::KazashiError;
use crate::secret::SecretBytes;
use crate::session::{last_attempt, CardSession};
use crate::transceiver::ForeignTransport;

/// What opens the four attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AttributesUnlock {
    /// The card-info PIN (4 digits, 3 attempts, its own counter).
    CardInfoPin,
    /// Verification number B (照合番号B, 14 digits).
    VerificationNumberB,
}

/// What opens the My Number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MyNumberUnlock {
    /// The card-info PIN.
    CardInfoPin,
    /// Verification number A (照合番号A: the My Number itself).
    VerificationNumberA,
}

/// The outcome of one integrity check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum IntegrityCheck {
    /// Checked and good.
    Passed,
    /// Not checked: the data it covers was not read.
    NotRead,
}

/// Which integrity checks ran (data that fails one is never returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct CardInfoIntegrity {
    /// The My Number file's digest (EF 0003 DF31).
    pub my_number_digest: IntegrityCheck,
    /// The four attributes' digest (DF32).
    pub attributes_digest: IntegrityCheck,
    /// The record's signature with the application certificate's key (DF33, EF 0004).
    pub record_signature: IntegrityCheck,
    /// Whether the application certificate was checked against the J-LIS key given; false
    /// means "issuer not verified" (no card file holds that key).
    pub issuer_verified: bool,
}

impl From<card_info::IntegrityReport> for CardInfoIntegrity {
    fn from(r: card_info::IntegrityReport) -> Self {
        let check = |c| match c {
            card_info::Check::Passed => IntegrityCheck::Passed,
            card_info::Check::NotRead => IntegrityCheck::NotRead,
        };
        Self {
            my_number_digest: check(r.my_number_digest),
            attributes_digest: check(r.attributes_digest),
            record_signature: check(r.record_signature),
            issuer_verified: r.issuer == card_info::IssuerCheck::Verified,
        }
    }
}

/// The four basic attributes (基本4情報). Personal data: `Debug` hides the values.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardInfoAttributes {
    /// 氏名: family and given names separated by U+3000.
    pub name: String,
    /// 住所.
    pub address: String,
    /// 生年月日, Gregorian `YYYYMMDD`.
    pub birth_date: String,
    /// 性別, ISO 5218: "1" male, "2" female, "9" not applicable.
    pub sex: String,
    /// Which integrity checks ran.
    pub integrity: CardInfoIntegrity,
}

impl std::fmt::Debug for CardInfoAttributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardInfoAttributes")
            .field("integrity", &self.integrity)
            .finish_non_exhaustive()
    }
}

/// The My Number. Collect it only for purposes the My Number Act allows.
///
/// An object, not a record, on purpose: a record becomes a Kotlin data class and a Swift struct
/// whose generated `toString()` / `description` print every field, so one careless log line
/// would write the number out. An object prints as its type; the digits come only from
/// [`MyNumberResult::digits`], and the Rust copy is wiped when the object is freed.
#[derive(uniffi::Object)]
pub struct MyNumberResult {
    digits: Zeroizing<String>,
    integrity: CardInfoIntegrity,
}

impl std::fmt::Debug for MyNumberResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MyNumberResult")
            .field("integrity", &self.integrity)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl MyNumberResult {
    /// The 12 digits. Keep them no longer, and show them no more widely, than the purpose
    /// needs; never log them.
    pub fn digits(&self) -> String {
        self.digits.to_string()
    }

    /// Which integrity checks ran.
    pub fn integrity(&self) -> CardInfoIntegrity {
        self.integrity
    }
}

/// How one field of the card-info application compares with the signing certificate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FieldMatch {
    /// Equal.
    Equal,
    /// Different.
    Different,
    /// The certificate lacks the field.
    NotInCertificate,
}

/// The four attributes against the signing certificate, field by field (no values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct CardInfoCrossCheck {
    /// 氏名.
    pub name: FieldMatch,
    /// 住所.
    pub address: FieldMatch,
    /// 生年月日 (the certificate's era digit aside).
    pub birth_date: FieldMatch,
    /// 性別.
    pub sex: FieldMatch,
    /// Every field present in both and equal.
    pub all_equal: bool,
}

/// The card-info application of the session's card, checking its certificate against
/// `issuer_key` when given.
fn view<'a>(
    card: &'a mut Card<ForeignTransport>,
    issuer_key: Option<&[u8]>,
) -> Result<CardInfoCard<'a, ForeignTransport>, KazashiError> {
    let view = CardInfoCard::new(card);
    Ok(match issuer_key {
        Some(key) => view.with_issuer_key(key)?,
        None => view,
    })
}

#[uniffi::export]
impl CardSession {
    /// Reads the four attributes from the card-info application with the card-info PIN or
    /// verification number B, after the usual counter checks; returned only once the
    /// integrity chain holds. `issuer_key`: J-LIS's card-info key (SubjectPublicKeyInfo DER),
    /// if the app has it, to verify the application certificate too.
    pub async fn read_card_info(
        &self,
        unlock: AttributesUnlock,
        secret: Vec<u8>,
        confirm_last_attempt: bool,
        issuer_key: Option<Vec<u8>>,
    ) -> Result<CardInfoAttributes, KazashiError> {
        let secret = SecretBytes::from(secret);
        let last = last_attempt(confirm_last_attempt);
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let mut view = view(card.card_mut(), issuer_key.as_deref())?;
            let read = match unlock {
                AttributesUnlock::CardInfoPin => {
                    let pin = secret.parse(card_info::CardInfoPin::new)?;
                    view.read_attributes(AttributesKey::Pin(&pin), last).await?
                }
                AttributesUnlock::VerificationNumberB => {
                    let number = secret.parse(card_info::VerificationNumberB::new)?;
                    view.read_attributes(AttributesKey::NumberB(&number), last)
                        .await?
                }
            };
            Ok(CardInfoAttributes {
                name: read.attributes.name.clone(),
                address: read.attributes.address.clone(),
                birth_date: read.attributes.birth_date.clone(),
                sex: read.attributes.sex.clone(),
                integrity: read.integrity.into(),
            })
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// Reads the My Number with the card-info PIN or verification number A. Its own call, so
    /// an app never collects it as a side effect.
    pub async fn read_my_number(
        &self,
        unlock: MyNumberUnlock,
        secret: Vec<u8>,
        confirm_last_attempt: bool,
        issuer_key: Option<Vec<u8>>,
    ) -> Result<Arc<MyNumberResult>, KazashiError> {
        let secret = SecretBytes::from(secret);
        let last = last_attempt(confirm_last_attempt);
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let mut view = view(card.card_mut(), issuer_key.as_deref())?;
            let read = match unlock {
                MyNumberUnlock::CardInfoPin => {
                    let pin = secret.parse(card_info::CardInfoPin::new)?;
                    view.read_my_number(MyNumberKey::Pin(&pin), last).await?
                }
                MyNumberUnlock::VerificationNumberA => {
                    let number = secret.parse(card_info::VerificationNumberA::new)?;
                    view.read_my_number(MyNumberKey::NumberA(&number), last)
                        .await?
                }
            };
            Ok(Arc::new(MyNumberResult {
                digits: Zeroizing::new(read.my_number.digits().to_string()),
                integrity: read.integrity.into(),
            }))
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }
}

/// Compares the card-info application's attributes with the signing certificate (`der`, from
/// `readSigningCertificate`), field by field.
#[uniffi::export]
pub fn cross_check_card_info(
    attributes: CardInfoAttributes,
    signing_certificate: Vec<u8>,
) -> Result<CardInfoCrossCheck, KazashiError> {
    let certificate =
        kazashi::CertificateInfo::from_der(&signing_certificate).map_err(kazashi::Error::from)?;
    let personal = certificate.personal.clone().unwrap_or_default();
    let attributes = card_info::FourAttributes {
        name: attributes.name,
        address: attributes.address,
        birth_date: attributes.birth_date,
        sex: attributes.sex,
    };
    let result = card_info::cross_check(&attributes, &personal);
    let field = |m| match m {
        card_info::FieldMatch::Equal => FieldMatch::Equal,
        card_info::FieldMatch::Different => FieldMatch::Different,
        card_info::FieldMatch::NotInCertificate => FieldMatch::NotInCertificate,
    };
    Ok(CardInfoCrossCheck {
        name: field(result.name),
        address: field(result.address),
        birth_date: field(result.birth_date),
        sex: field(result.sex),
        all_equal: result.all_equal(),
    })
}
