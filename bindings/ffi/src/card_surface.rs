//! The card-surface application (券面事項確認AP) through the bindings: the card's front — the
//! face photo (JPEG 2000), the name, address and security-code images, birth date, sex and
//! expiry — with verification number A or B, on the same [`CardSession`] (and tap) as the
//! other flows. The secret crosses as bytes (`SecretBytes`), wiped when dropped, as PINs are.
//!
//! The signature verdict says no more than the core checked: `DF28` verified in the virtual
//! card's layout, which no public source confirms for a real card (`kazashi::card_surface`).

use kazashi::card_info::{IssuerCheck, VerificationNumberA, VerificationNumberB};
use kazashi::card_surface::{CardSurfaceCard, SurfaceKey, SurfaceSignature};

use crate::error::KazashiError;
use crate::model::{ApduStats, PinKind, PinStatus};
use crate::secret::SecretBytes;
use crate::session::{last_attempt, CardSession};

/// What opens the card-surface application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SurfaceUnlock {
    /// Verification number A (照合番号A: the 12-digit My Number), this application's EF 0013.
    VerificationNumberA,
    /// Verification number B (照合番号B, 14 digits), this application's EF 0012.
    VerificationNumberB,
}

/// What became of the front's signature (DF28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SurfaceSignatureVerdict {
    /// DF28 verified with the application certificate's key (EF 0004) over DF22–DF27 and DF29:
    /// the virtual card's layout, which no public source confirms for a real card.
    VerifiedVirtualCardLayout,
    /// Not verified under that layout: show the face data as read, not as checked.
    NotVerified,
}

/// The card's front. Personal data (the holder's face, name and address): `Debug` shows no
/// value, and an app should keep it out of logs and caches.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardSurface {
    /// The face photo, JPEG 2000 (decoding it for display is the app's business).
    pub photo: Vec<u8>,
    /// `image/jp2` (JP2 boxes) or `image/j2c` (a bare codestream), from the magic bytes.
    pub photo_media_type: String,
    /// The name as printed on the card, an image (PNG on the cards described).
    pub name_image: Vec<u8>,
    /// The address as printed, an image.
    pub address_image: Vec<u8>,
    /// The security code as printed, an image.
    pub security_code_image: Vec<u8>,
    /// 生年月日 as stored (Gregorian `YYYYMMDD` on the virtual card).
    pub birth_date: String,
    /// 性別, ISO 5218: "1" male, "2" female, "9" not applicable.
    pub sex: String,
    /// The card's expiry as stored (`YYYYMMDD` on the virtual card).
    pub expiry: String,
    /// The signature verdict.
    pub signature: SurfaceSignatureVerdict,
    /// Whether the application certificate was checked against the J-LIS key given; false
    /// means "issuer not verified".
    pub issuer_verified: bool,
    /// APDUs and bytes of the session so far.
    pub counts: ApduStats,
}

impl std::fmt::Debug for CardSurface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSurface")
            .field("photo_bytes", &self.photo.len())
            .field("photo_media_type", &self.photo_media_type)
            .field("signature", &self.signature)
            .field("issuer_verified", &self.issuer_verified)
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl CardSession {
    /// Reads the card's front from the card-surface application with verification number A
    /// or B, after the usual counter checks (this application's own counters). `issuer_key`:
    /// J-LIS's key (SubjectPublicKeyInfo DER), if the app has it, to verify the application
    /// certificate too; a certificate that does not verify with it is an error.
    #[uniffi::method(default(issuer_key = None))]
    pub async fn read_card_surface(
        &self,
        unlock: SurfaceUnlock,
        secret: Vec<u8>,
        confirm_last_attempt: bool,
        issuer_key: Option<Vec<u8>>,
    ) -> Result<CardSurface, KazashiError> {
        let secret = SecretBytes::from(secret);
        let last = last_attempt(confirm_last_attempt);
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let mut view = CardSurfaceCard::new(card.card_mut());
            if let Some(key) = issuer_key.as_deref() {
                view = view.with_issuer_key(key)?;
            }
            let mut read = match unlock {
                SurfaceUnlock::VerificationNumberA => {
                    let number = secret.parse(VerificationNumberA::new)?;
                    view.read_surface(SurfaceKey::NumberA(&number), last)
                        .await?
                }
                SurfaceUnlock::VerificationNumberB => {
                    let number = secret.parse(VerificationNumberB::new)?;
                    view.read_surface(SurfaceKey::NumberB(&number), last)
                        .await?
                }
            };
            // Moved out, not copied: `read` wipes what is left when it drops.
            Ok(CardSurface {
                photo_media_type: read.photo_media_type().to_string(),
                photo: std::mem::take(&mut read.photo),
                name_image: std::mem::take(&mut read.name_image),
                address_image: std::mem::take(&mut read.address_image),
                security_code_image: std::mem::take(&mut read.security_code_image),
                birth_date: std::mem::take(&mut read.birth_date_raw),
                sex: std::mem::take(&mut read.sex),
                expiry: std::mem::take(&mut read.expiry_raw),
                signature: match read.signature {
                    SurfaceSignature::VerifiedVirtualCardLayout => {
                        SurfaceSignatureVerdict::VerifiedVirtualCardLayout
                    }
                    SurfaceSignature::NotVerified => SurfaceSignatureVerdict::NotVerified,
                },
                issuer_verified: read.issuer == IssuerCheck::Verified,
                counts: read.stats.into(),
            })
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// The card-surface application's counter of verification number A or B (separate from
    /// the card-info application's, which `retry_counter` reads), without spending an
    /// attempt.
    pub async fn card_surface_retry_counter(
        &self,
        pin: PinKind,
    ) -> Result<PinStatus, KazashiError> {
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let status = CardSurfaceCard::new(card.card_mut())
                .retry_counter(pin.into())
                .await?;
            Ok(status.into())
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }
}
