//! The card-info application (券面事項入力補助AP, AID `D3 92 10 00 31 00 01 01 04 08`): the
//! holder's four basic attributes (name, address, birth date, sex) and, only through its own
//! call, the My Number (`docs/protocol.md` §2.1, §7.2, §7.3).
//!
//! Three secrets open it, each with a counter of its own ([`PinKind`]):
//!
//! | secret | opens |
//! |---|---|
//! | card-info PIN (EF `0011`, 4 digits) | the My Number and the attributes |
//! | verification number A (EF `0014`, the My Number) | the My Number |
//! | verification number B (EF `0015`, 14 digits) | the attributes |
//!
//! The types say which: [`AttributesKey`] and [`MyNumberKey`]. Every PIN rule of the JPKI
//! flows holds unchanged, through the same card layer: the format is checked when the secret is
//! built, the counter is read first, a locked secret is refused, the last attempt needs
//! [`LastAttempt::Confirmed`], nothing is re-sent, and the digits are wiped on drop.
//!
//! Nothing is returned before the integrity chain holds ([`integrity`]): the digests of the
//! data files in EF `0003`, that record's signature with the key of the application's
//! card-verifiable certificate (EF `0004`), and, when the caller configures J-LIS's key, that
//! certificate's own signature. [`IntegrityReport`] says which checks ran.
//!
//! Reading the attributes on a card that takes short EF ids and extended length: SELECT, the
//! retry query, VERIFY, and one READ BINARY each for EF `0002`, `0003` and `0004` — 6 APDUs.

pub mod cross_check;
mod dump;
pub mod integrity;
mod records;
mod secrets;
pub(crate) mod tlv;

pub use cross_check::{cross_check, CrossCheck, FieldMatch};
pub use dump::{inspect_dump, DumpCheck, DumpReport};
pub use integrity::{Check, IntegrityReport, IssuerCheck};
pub use records::{FourAttributes, MyNumber};
pub use secrets::{CardInfoPin, VerificationNumberA, VerificationNumberB};

use rsa::RsaPublicKey;

use crate::card::{Card, FileRef, FileShape, OptionalApplication, PinRef};
use crate::channel::ApduStats;
use crate::error::{Error, Result};
use crate::pin::{LastAttempt, PinKind, PinStatus};
use crate::transport::Transport;

/// The card-info application's AID.
pub const CARD_INFO_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// The application's files (`docs/protocol.md` §2.1).
pub mod ef {
    /// 個人番号: `FF 10 0C` + 12 digits + filler.
    pub const MY_NUMBER: u16 = 0x0001;
    /// 基本4情報: `FF20 { DF21..DF25 }`.
    pub const ATTRIBUTES: u16 = 0x0002;
    /// The integrity record: `FF30 { DF31, DF32, DF33 }`.
    pub const INTEGRITY: u16 = 0x0003;
    /// The application's card-verifiable certificate: `7F21 { 5F4E, 5F37 }`.
    pub const CERTIFICATE: u16 = 0x0004;
    /// The card-info PIN.
    pub const PIN: u16 = 0x0011;
    /// Verification number A (照合番号A).
    pub const NUMBER_A: u16 = 0x0014;
    /// Verification number B (照合番号B).
    pub const NUMBER_B: u16 = 0x0015;
}

/// What opens the four attributes.
#[derive(Debug, Clone, Copy)]
pub enum AttributesKey<'a> {
    /// The card-info PIN.
    Pin(&'a CardInfoPin),
    /// Verification number B.
    NumberB(&'a VerificationNumberB),
}

/// What opens the My Number.
#[derive(Debug, Clone, Copy)]
pub enum MyNumberKey<'a> {
    /// The card-info PIN.
    Pin(&'a CardInfoPin),
    /// Verification number A.
    NumberA(&'a VerificationNumberA),
}

/// The four attributes, checked.
#[derive(Debug, Clone)]
pub struct AttributesRead {
    /// Name, address, birth date, sex.
    pub attributes: FourAttributes,
    /// Which integrity checks ran.
    pub integrity: IntegrityReport,
    /// APDUs and bytes of the session so far.
    pub stats: ApduStats,
}

/// The My Number, checked.
#[derive(Debug, Clone)]
pub struct MyNumberRead {
    /// The 12 digits (never shown by `Debug`).
    pub my_number: MyNumber,
    /// Which integrity checks ran.
    pub integrity: IntegrityReport,
    /// APDUs and bytes of the session so far.
    pub stats: ApduStats,
}

/// The card-info application of a card: a view over the card layer, so it shares the card's
/// session (what the card accepted, an interrupted PIN command) with the JPKI application of
/// the same tap ([`crate::JpkiCard::card_mut`]).
///
/// ```no_run
/// # async fn f(transport: impl kazashi::Transport) -> kazashi::Result<()> {
/// use kazashi::card::Card;
/// use kazashi::card_info::{AttributesKey, CardInfoCard, CardInfoPin};
/// let mut card = Card::new(transport);
/// let pin = CardInfoPin::new("1234")?;
/// let read = CardInfoCard::new(&mut card)
///     .read_attributes(AttributesKey::Pin(&pin), kazashi::LastAttempt::Refuse)
///     .await?;
/// # Ok(()) }
/// ```
pub struct CardInfoCard<'a, T> {
    card: &'a mut Card<T>,
    issuer_key: Option<RsaPublicKey>,
}

impl<'a, T: Transport> CardInfoCard<'a, T> {
    /// The card-info application of `card`.
    pub fn new(card: &'a mut Card<T>) -> Self {
        Self {
            card,
            issuer_key: None,
        }
    }

    /// Checks the application certificate against J-LIS's card-info key (SubjectPublicKeyInfo,
    /// DER) as well; without it, [`IntegrityReport::issuer`] says "not verified".
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the bytes are not an RSA public key.
    pub fn with_issuer_key(mut self, spki_der: &[u8]) -> Result<Self> {
        self.issuer_key = Some(integrity::parse_issuer_key(spki_der)?);
        Ok(self)
    }

    /// APDUs and bytes exchanged so far.
    pub fn stats(&self) -> ApduStats {
        self.card.stats()
    }

    /// A secret's retry counter, read without spending an attempt.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a JPKI secret; [`Error::ApplicationNotFound`] when the
    /// card has no card-info application; card and link errors.
    pub async fn retry_counter(&mut self, kind: PinKind) -> Result<PinStatus> {
        self.card.application_pin_status(&APPLICATION, kind).await
    }

    /// Reads the four attributes with the card-info PIN or verification number B, after the
    /// usual counter checks, and returns them once the integrity chain holds.
    ///
    /// # Errors
    ///
    /// The PIN rules' errors ([`Error::WrongPin`], [`Error::PinBlocked`],
    /// [`Error::LastAttemptNotConfirmed`]...), [`Error::IntegrityCheckFailed`],
    /// [`Error::MalformedResponse`] for a file that is not what §2.1 describes,
    /// [`Error::ApplicationNotFound`], card and link errors.
    pub async fn read_attributes(
        &mut self,
        key: AttributesKey<'_>,
        last_attempt: LastAttempt,
    ) -> Result<AttributesRead> {
        self.card.select_optional_application(&APPLICATION).await?;
        let opened_by = match key {
            AttributesKey::Pin(pin) => {
                self.card
                    .verify_application_pin(&APPLICATION, pin, last_attempt)
                    .await?
            }
            AttributesKey::NumberB(number) => {
                self.card
                    .verify_application_pin(&APPLICATION, number, last_attempt)
                    .await?
            }
        };
        let file =
            zeroize::Zeroizing::new(self.read(ATTRIBUTES, FileShape::BerTlv, opened_by).await?);
        // The chain first: an altered value is an integrity failure, not a decoding error.
        let covered = records::attributes_covered(&file).map_err(|r| malformed(ATTRIBUTES, r))?;
        let integrity = self
            .check_chain(opened_by, None, Some(&file[covered]))
            .await?;
        let records::AttributesFile { attributes, .. } =
            records::four_attributes(&file).map_err(|r| malformed(ATTRIBUTES, r))?;
        Ok(AttributesRead {
            attributes,
            integrity,
            stats: self.stats(),
        })
    }

    /// Reads the My Number with the card-info PIN or verification number A. Collect it only
    /// for a purpose the My Number Act allows.
    ///
    /// # Errors
    ///
    /// As [`CardInfoCard::read_attributes`].
    pub async fn read_my_number(
        &mut self,
        key: MyNumberKey<'_>,
        last_attempt: LastAttempt,
    ) -> Result<MyNumberRead> {
        self.card.select_optional_application(&APPLICATION).await?;
        let opened_by = match key {
            MyNumberKey::Pin(pin) => {
                self.card
                    .verify_application_pin(&APPLICATION, pin, last_attempt)
                    .await?
            }
            MyNumberKey::NumberA(number) => {
                self.card
                    .verify_application_pin(&APPLICATION, number, last_attempt)
                    .await?
            }
        };
        // All 17 bytes: the digest covers the filler too (§2.1).
        let file = zeroize::Zeroizing::new(
            self.read(MY_NUMBER, FileShape::Fixed(MY_NUMBER_FILE_SIZE), opened_by)
                .await?,
        );
        let integrity = self.check_chain(opened_by, Some(&file), None).await?;
        let my_number = records::my_number(&file).map_err(|r| malformed(MY_NUMBER, r))?;
        Ok(MyNumberRead {
            my_number,
            integrity,
            stats: self.stats(),
        })
    }

    async fn read(
        &mut self,
        file: FileRef,
        shape: FileShape,
        opened_by: PinKind,
    ) -> Result<Vec<u8>> {
        self.card.read_required_file(file, shape, opened_by).await
    }

    /// Reads EF 0003 and 0004 and checks the chain over what was read.
    async fn check_chain(
        &mut self,
        opened_by: PinKind,
        my_number: Option<&[u8]>,
        attributes: Option<&[u8]>,
    ) -> Result<IntegrityReport> {
        let record_file = self.read(INTEGRITY, FileShape::BerTlv, opened_by).await?;
        let record =
            integrity::integrity_record(&record_file).map_err(|r| malformed(INTEGRITY, r))?;
        let certificate_file = self.read(CERTIFICATE, FileShape::BerTlv, opened_by).await?;
        let certificate =
            integrity::cv_certificate(&certificate_file).map_err(|r| malformed(CERTIFICATE, r))?;
        let files = integrity::ReadFiles {
            my_number,
            attributes,
            record: &record,
            certificate: &certificate,
        };
        integrity::check(&files, self.issuer_key.as_ref()).map_err(|broken| {
            Error::IntegrityCheckFailed {
                what: broken.what,
                reason: broken.reason,
            }
        })
    }
}

/// EF 0001's size on every card examined: `FF 10 0C`, 12 digits, `FF FF` (§7.2).
const MY_NUMBER_FILE_SIZE: usize = 17;

const MY_NUMBER: FileRef = FileRef {
    fid: ef::MY_NUMBER,
    select: "SELECT of the My Number file",
    read: "READ BINARY of the My Number file",
};
const ATTRIBUTES: FileRef = FileRef {
    fid: ef::ATTRIBUTES,
    select: "SELECT of the four attributes",
    read: "READ BINARY of the four attributes",
};
const INTEGRITY: FileRef = FileRef {
    fid: ef::INTEGRITY,
    select: "SELECT of the integrity record",
    read: "READ BINARY of the integrity record",
};
const CERTIFICATE: FileRef = FileRef {
    fid: ef::CERTIFICATE,
    select: "SELECT of the application certificate",
    read: "READ BINARY of the application certificate",
};

fn malformed(file: FileRef, reason: String) -> Error {
    Error::malformed(file.read, reason)
}

/// The application, for the card layer.
const APPLICATION: OptionalApplication = OptionalApplication {
    aid: &CARD_INFO_AID,
    name: "card-info (券面事項入力補助AP)",
    select: "SELECT of the card-info application",
    pin: pin_ref,
};

/// The card-info secret of `kind`: its EF and the name of its SELECT.
fn pin_ref(kind: PinKind) -> Result<PinRef> {
    let (fid, select) = match kind {
        PinKind::CardInfo => (ef::PIN, "SELECT of the card-info PIN"),
        PinKind::VerificationNumberA => (ef::NUMBER_A, "SELECT of verification number A"),
        PinKind::VerificationNumberB => (ef::NUMBER_B, "SELECT of verification number B"),
        PinKind::Authentication | PinKind::Signing => {
            return Err(Error::InvalidInput {
                reason: format!("the {kind} belongs to JPKI, not to the card-info application"),
            })
        }
    };
    Ok(PinRef { kind, fid, select })
}
