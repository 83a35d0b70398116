//! The card-surface application (券面事項確認AP, AID `D3 92 10 00 31 00 01 01 04 02`): the
//! card's front as data — the face photo (JPEG 2000), the name, address and security-code
//! images (PNG), the birth date, sex and the card's expiry (`docs/protocol.md` §2.1).
//!
//! Two secrets open it, each with a counter of its own in this application (not the
//! card-info application's counters, although the digits are the same):
//!
//! | secret | its EF here | opens |
//! |---|---|---|
//! | verification number A (照合番号A, the My Number) | `0013` | the front (EF `0002`) and the back (EF `0005`, the My Number image) |
//! | verification number B (照合番号B, 14 digits) | `0012` | the front only |
//!
//! Both open all of EF `0002`, so [`SurfaceRead`] is the same whichever [`SurfaceKey`] was
//! used: no field is optional. The back (a picture of the My Number) is not read here.
//!
//! Every PIN rule of the JPKI flows holds, through the same card layer
//! ([`crate::card::Card::verify_pin`]): the format is checked when the secret is built, the
//! counter is read first, a locked secret is refused, the last attempt needs
//! [`LastAttempt::Confirmed`], nothing is re-sent, and the digits are wiped on drop.
//!
//! # What is verified, and what is not
//!
//! EF `0002` carries a signature (`DF28`) and the application has a card-verifiable
//! certificate (EF `0004`, the same shape as the card-info application's). **No public source
//! says which bytes `DF28` covers on a real card**, nor which key makes it. The virtual card
//! signs the `DF22`…`DF27` and `DF29` objects as stored, in file order, with the EF `0004`
//! key (its documented choice). This module checks exactly that and reports the outcome as
//! [`SurfaceSignature`]:
//!
//! - [`SurfaceSignature::VerifiedVirtualCardLayout`]: the signature verified over those bytes
//!   with the EF `0004` key. The name says whose layout it is: a real card whose signature
//!   verified this way would indeed be proven unchanged since that key signed it, but the
//!   library does not claim that the layout is a real card's.
//! - [`SurfaceSignature::NotVerified`]: it did not verify under that layout. On a real card
//!   this is the expected outcome until the layout is known, so it is **not** an error by
//!   default: the data is returned, labelled unverified, and an app must not present the face
//!   data as verified. [`CardSurfaceCard::require_virtual_card_signature`] turns it into
//!   [`Error::IntegrityCheckFailed`] (for tests against the virtual card, or once the layout is
//!   confirmed).
//!
//! What the library does rely on fails with a typed error: the file structure of §2.1 (a
//! missing or repeated field, or a photo that is not JPEG 2000, is
//! [`Error::MalformedResponse`]), an unreadable EF `0004`, and, when the caller configures
//! J-LIS's key ([`CardSurfaceCard::with_issuer_key`]), the EF `0004` certificate's own signature
//! ([`Error::IntegrityCheckFailed`]). Without that key [`SurfaceRead::issuer`] says "not
//! verified", never "verified". `DF21` (the "header") and `DF24` (a public key) are required
//! but not interpreted: no source says what a real card keeps there.
//!
//! Reading the front on a card that takes short EF ids and extended length: SELECT, the retry
//! query, VERIFY, and one READ BINARY each for EF `0002` and `0004` — 5 APDUs.
//!
//! The front is personal data: [`SurfaceRead`] wipes its buffers on drop and its `Debug` shows
//! sizes, media types and verdicts only.

mod face;

pub use face::image_media_type;

use std::fmt;

use kazashi_certificate::era::BirthDate;
use rsa::RsaPublicKey;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::card::{Card, FileRef, FileShape, OptionalApplication, PinRef};
use crate::card_info::integrity::{self, IssuerCheck};
use crate::card_info::{VerificationNumberA, VerificationNumberB};
use crate::channel::ApduStats;
use crate::error::{Error, Result};
use crate::pin::{LastAttempt, PinKind, PinStatus};
use crate::transport::Transport;

/// The card-surface application's AID.
pub const CARD_SURFACE_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];

/// The application's files (`docs/protocol.md` §2.1).
pub mod ef {
    /// The card's front: `FF20 { DF21 … DF2A }`.
    pub const FRONT: u16 = 0x0002;
    /// The application's card-verifiable certificate: `7F21 { 5F4E, 5F37 }`.
    pub const CERTIFICATE: u16 = 0x0004;
    /// The card's back: an image of the My Number (verification number A only; not read by
    /// this module).
    pub const MY_NUMBER_IMAGE: u16 = 0x0005;
    /// Verification number B (照合番号B) of this application.
    pub const NUMBER_B: u16 = 0x0012;
    /// Verification number A (照合番号A) of this application.
    pub const NUMBER_A: u16 = 0x0013;
}

/// What opens the card's front.
#[derive(Debug, Clone, Copy)]
pub enum SurfaceKey<'a> {
    /// Verification number A (the My Number), EF `0013`.
    NumberA(&'a VerificationNumberA),
    /// Verification number B, EF `0012`.
    NumberB(&'a VerificationNumberB),
}

/// What became of the front's signature (`DF28`); see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurfaceSignature {
    /// `DF28` verified with the EF `0004` key over the `DF22`…`DF27` and `DF29` objects as
    /// stored: the virtual card's layout, which no public source confirms for a real card.
    VerifiedVirtualCardLayout,
    /// `DF28` did not verify under that layout. Not evidence of tampering on a real card
    /// (whose layout is unknown), and not verified either: do not present the data as checked.
    NotVerified,
}

/// Whether [`SurfaceSignature::NotVerified`] is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignaturePolicy {
    /// Return the data with the verdict (the default: a real card's layout is unknown).
    #[default]
    Report,
    /// Refuse the data unless `DF28` verifies in the virtual card's layout
    /// ([`Error::IntegrityCheckFailed`]).
    RequireVirtualCardLayout,
}

/// The card's front, read with verification number A or B. Personal data: every buffer is
/// wiped on drop and `Debug` shows no value.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SurfaceRead {
    /// The face photo (`DF27`), JPEG 2000: a JP2 file or a bare codestream
    /// ([`SurfaceRead::photo_media_type`]).
    pub photo: Vec<u8>,
    /// The name as printed on the card, an image (`DF25`; PNG on the cards described).
    pub name_image: Vec<u8>,
    /// The address as printed, an image (`DF26`).
    pub address_image: Vec<u8>,
    /// The security code as printed, an image (`DF2A`).
    pub security_code_image: Vec<u8>,
    /// The birth date as stored (`DF22`; `YYYYMMDD` on the virtual card). See
    /// [`SurfaceRead::birth_date`].
    pub birth_date_raw: String,
    /// 性別 as stored (`DF23`), ISO 5218: "1" male, "2" female, "9" not applicable.
    pub sex: String,
    /// The card's expiry as stored (`DF29`; `YYYYMMDD` on the virtual card). See
    /// [`SurfaceRead::expiry`].
    pub expiry_raw: String,
    /// The `DF28` verdict.
    #[zeroize(skip)]
    pub signature: SurfaceSignature,
    /// Whether the EF `0004` certificate was checked against J-LIS's key.
    #[zeroize(skip)]
    pub issuer: IssuerCheck,
    /// APDUs and bytes of the session so far.
    #[zeroize(skip)]
    pub stats: ApduStats,
}

impl SurfaceRead {
    /// `image/jp2` or `image/j2c`, from the photo's first bytes (a photo of neither kind is
    /// refused when read).
    pub fn photo_media_type(&self) -> &'static str {
        image_media_type(&self.photo).unwrap_or("image/jp2")
    }

    /// The birth date, when `DF22` is a Gregorian `YYYYMMDD` (its `Display` adds the era:
    /// `1990-04-01 (平成2年)`); `None` for any other form.
    pub fn birth_date(&self) -> Option<BirthDate> {
        gregorian(&self.birth_date_raw)
    }

    /// The card's expiry, when `DF29` is a Gregorian `YYYYMMDD`; `None` otherwise.
    pub fn expiry(&self) -> Option<BirthDate> {
        gregorian(&self.expiry_raw)
    }
}

fn gregorian(raw: &str) -> Option<BirthDate> {
    (raw.len() == 8).then(|| BirthDate::parse(raw)).flatten()
}

impl fmt::Debug for SurfaceRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = |bytes: &[u8]| {
            format!(
                "<{} bytes, {}>",
                bytes.len(),
                image_media_type(bytes).unwrap_or("unknown format")
            )
        };
        f.debug_struct("SurfaceRead")
            .field("photo", &format_args!("{}", size(&self.photo)))
            .field("name_image", &format_args!("{}", size(&self.name_image)))
            .field(
                "address_image",
                &format_args!("{}", size(&self.address_image)),
            )
            .field(
                "security_code_image",
                &format_args!("{}", size(&self.security_code_image)),
            )
            .field("birth_date_raw", &format_args!("***"))
            .field("sex", &format_args!("*"))
            .field("expiry_raw", &format_args!("***"))
            .field("signature", &self.signature)
            .field("issuer", &self.issuer)
            .field("stats", &self.stats)
            .finish()
    }
}

/// The card-surface application of a card: a view over the card layer, so it shares the
/// card's session with the other applications of the same tap.
///
/// ```no_run
/// # async fn f(transport: impl kazashi::Transport) -> kazashi::Result<()> {
/// use kazashi::card::Card;
/// use kazashi::card_info::VerificationNumberB;
/// use kazashi::card_surface::{CardSurfaceCard, SurfaceKey, SurfaceSignature};
/// let mut card = Card::new(transport);
/// let number = VerificationNumberB::new("02040120351234")?;
/// let read = CardSurfaceCard::new(&mut card)
///     .read_surface(SurfaceKey::NumberB(&number), kazashi::LastAttempt::Refuse)
///     .await?;
/// assert_eq!(read.photo_media_type(), "image/jp2");
/// if read.signature != SurfaceSignature::VerifiedVirtualCardLayout {
///     // Show the face data as read from the card, not as verified.
/// }
/// # Ok(()) }
/// ```
pub struct CardSurfaceCard<'a, T> {
    card: &'a mut Card<T>,
    issuer_key: Option<RsaPublicKey>,
    policy: SignaturePolicy,
}

impl<'a, T: Transport> CardSurfaceCard<'a, T> {
    /// The card-surface application of `card`.
    pub fn new(card: &'a mut Card<T>) -> Self {
        Self {
            card,
            issuer_key: None,
            policy: SignaturePolicy::Report,
        }
    }

    /// Checks the application certificate (EF `0004`) against J-LIS's key (SubjectPublicKeyInfo,
    /// DER) as well; without it, [`SurfaceRead::issuer`] says "not verified".
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the bytes are not an RSA public key.
    pub fn with_issuer_key(mut self, spki_der: &[u8]) -> Result<Self> {
        self.issuer_key = Some(integrity::parse_issuer_key(spki_der)?);
        Ok(self)
    }

    /// Refuses the data unless `DF28` verifies in the virtual card's layout
    /// ([`SignaturePolicy::RequireVirtualCardLayout`]). Do not use it with a real card until
    /// its layout is known: it would refuse every card.
    pub fn require_virtual_card_signature(mut self) -> Self {
        self.policy = SignaturePolicy::RequireVirtualCardLayout;
        self
    }

    /// APDUs and bytes exchanged so far.
    pub fn stats(&self) -> ApduStats {
        self.card.stats()
    }

    /// This application's counter of verification number A or B, read without spending an
    /// attempt.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for another kind of secret; [`Error::ApplicationNotFound`] when
    /// the card has no card-surface application; card and link errors.
    pub async fn retry_counter(&mut self, kind: PinKind) -> Result<PinStatus> {
        self.card.application_pin_status(&APPLICATION, kind).await
    }

    /// Reads the card's front with verification number A or B, after the usual counter
    /// checks, and checks what can be checked (see the module documentation).
    ///
    /// # Errors
    ///
    /// The PIN rules' errors ([`Error::WrongPin`], [`Error::PinBlocked`],
    /// [`Error::LastAttemptNotConfirmed`]...), [`Error::MalformedResponse`] for a file that is
    /// not what §2.1 describes, [`Error::IntegrityCheckFailed`] for a certificate that does not
    /// verify with the configured issuer key (or an unverified signature under
    /// [`SignaturePolicy::RequireVirtualCardLayout`]), [`Error::ApplicationNotFound`], card and
    /// link errors.
    pub async fn read_surface(
        &mut self,
        key: SurfaceKey<'_>,
        last_attempt: LastAttempt,
    ) -> Result<SurfaceRead> {
        self.card.select_optional_application(&APPLICATION).await?;
        let opened_by = match key {
            SurfaceKey::NumberA(number) => {
                self.card
                    .verify_application_pin(&APPLICATION, number, last_attempt)
                    .await?
            }
            SurfaceKey::NumberB(number) => {
                self.card
                    .verify_application_pin(&APPLICATION, number, last_attempt)
                    .await?
            }
        };
        let file = Zeroizing::new(self.read(FRONT, opened_by).await?);
        let certificate_file = self.read(CERTIFICATE, opened_by).await?;
        let front = face::front(&file).map_err(|r| Error::malformed(FRONT.read, r))?;
        let certificate = integrity::cv_certificate(&certificate_file)
            .map_err(|r| Error::malformed(CERTIFICATE.read, r))?;
        let issuer = integrity::issuer_check(
            &certificate,
            self.issuer_key.as_ref(),
            "card-surface application certificate (EF 0004)",
        )
        .map_err(|broken| Error::IntegrityCheckFailed {
            what: broken.what,
            reason: broken.reason,
        })?;
        let signature = if certificate.signs(&front.signed_in_virtual_layout, &front.signature) {
            SurfaceSignature::VerifiedVirtualCardLayout
        } else {
            SurfaceSignature::NotVerified
        };
        if signature == SurfaceSignature::NotVerified
            && self.policy == SignaturePolicy::RequireVirtualCardLayout
        {
            return Err(Error::IntegrityCheckFailed {
                what: "card front (EF 0002)",
                reason: "its signature (DF28) does not verify with the application \
                         certificate's key (EF 0004) over DF22-DF27 and DF29 (the virtual \
                         card's layout)",
            });
        }
        let face::Front {
            birth_date,
            sex,
            expiry,
            name_image,
            address_image,
            photo,
            security_code_image,
            ..
        } = front;
        Ok(SurfaceRead {
            photo,
            name_image,
            address_image,
            security_code_image,
            birth_date_raw: birth_date,
            sex,
            expiry_raw: expiry,
            signature,
            issuer,
            stats: self.stats(),
        })
    }

    async fn read(&mut self, file: FileRef, opened_by: PinKind) -> Result<Vec<u8>> {
        self.card
            .read_required_file(file, FileShape::BerTlv, opened_by)
            .await
    }
}

const FRONT: FileRef = FileRef {
    fid: ef::FRONT,
    select: "SELECT of the card front (card-surface EF 0002)",
    read: "READ BINARY of the card front (card-surface EF 0002)",
};
const CERTIFICATE: FileRef = FileRef {
    fid: ef::CERTIFICATE,
    select: "SELECT of the card-surface application certificate",
    read: "READ BINARY of the card-surface application certificate",
};

/// The application, for the card layer.
const APPLICATION: OptionalApplication = OptionalApplication {
    aid: &CARD_SURFACE_AID,
    name: "card-surface (券面事項確認AP)",
    select: "SELECT of the card-surface application",
    pin: pin_ref,
};

/// This application's verification number of `kind`: its EF and the name of its SELECT.
fn pin_ref(kind: PinKind) -> Result<PinRef> {
    let (fid, select) = match kind {
        PinKind::VerificationNumberA => (
            ef::NUMBER_A,
            "SELECT of the card-surface verification number A",
        ),
        PinKind::VerificationNumberB => (
            ef::NUMBER_B,
            "SELECT of the card-surface verification number B",
        ),
        PinKind::Authentication | PinKind::Signing | PinKind::CardInfo => {
            return Err(Error::InvalidInput {
                reason: format!(
                    "the card-surface application is opened by verification number A or B, \
                     not by the {kind}"
                ),
            })
        }
    };
    Ok(PinRef { kind, fid, select })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_verification_numbers_open_it() {
        assert_eq!(
            pin_ref(PinKind::VerificationNumberA).unwrap().fid,
            ef::NUMBER_A
        );
        assert_eq!(
            pin_ref(PinKind::VerificationNumberB).unwrap().fid,
            ef::NUMBER_B
        );
        for kind in [PinKind::CardInfo, PinKind::Authentication, PinKind::Signing] {
            assert!(matches!(pin_ref(kind), Err(Error::InvalidInput { .. })));
        }
    }

    #[test]
    fn debug_shows_no_value() {
        let read = SurfaceRead {
            photo: b"\x00\x00\x00\x0CjP  \r\n\x87\nsecret-face".to_vec(),
            name_image: b"name-pixels".to_vec(),
            address_image: vec![],
            security_code_image: vec![],
            birth_date_raw: "19900401".into(),
            sex: "2".into(),
            expiry_raw: "20350401".into(),
            signature: SurfaceSignature::NotVerified,
            issuer: IssuerCheck::NotVerified,
            stats: ApduStats::default(),
        };
        let shown = format!("{read:?}");
        for secret in [
            "secret-face",
            "name-pixels",
            "19900401",
            "20350401",
            "\"2\"",
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("image/jp2"), "{shown}");
        assert_eq!(read.birth_date().unwrap().iso(), "1990-04-01");
        assert_eq!(read.expiry().unwrap().year, 2035);
        assert_eq!(read.photo_media_type(), "image/jp2");
    }
}
