//! `kazashi card-surface`: the card's front from the card-surface application (券面事項確認AP)
//! with verification number A or B — birth date, sex, the card's expiry, the images' sizes
//! and media types, and the signature verdict — and, with `--photo-out FILE`, the face photo
//! (JPEG 2000) saved as it came from the card.
//!
//! The verdict never says more than the library checked: `DF28` is verified in the virtual
//! card's layout only, which no public source confirms for a real card
//! (`kazashi::card_surface`).

use std::path::Path;

use kazashi::card_info::IssuerCheck;
use kazashi::card_surface::{
    image_media_type, CardSurfaceCard, SurfaceKey, SurfaceRead, SurfaceSignature,
};
use kazashi::{Error, JpkiCard, Transport};
use serde_json::{json, Value};

use crate::commands::{block, Outcome, PinOptions};

/// Which secret opens the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unlock {
    /// Verification number A: the 12-digit My Number.
    NumberA,
    /// Verification number B: era birth date YYMMDD + expiry year + security code (14
    /// digits, all printed on the card's front).
    NumberB,
}

/// `kazashi card-surface` on a card.
pub fn read<T: Transport>(
    card: &mut JpkiCard<T>,
    unlock: Unlock,
    photo_out: Option<&Path>,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    let read = match unlock {
        Unlock::NumberA => {
            let number = pins.source.verification_number_a()?;
            pins.with_last_attempt(|last| {
                block(
                    CardSurfaceCard::new(card.card_mut())
                        .read_surface(SurfaceKey::NumberA(&number), last),
                )
            })?
        }
        Unlock::NumberB => {
            let number = pins.source.verification_number_b()?;
            pins.with_last_attempt(|last| {
                block(
                    CardSurfaceCard::new(card.card_mut())
                        .read_surface(SurfaceKey::NumberB(&number), last),
                )
            })?
        }
    };
    if let Some(path) = photo_out {
        save_photo(path, &read.photo)?;
    }
    Ok(outcome(&read, photo_out))
}

/// Writes the photo, readable by its owner only where the platform says so: it is the
/// holder's face.
fn save_photo(path: &Path, photo: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut file| file.write_all(photo))
        .map_err(|e| Error::InvalidInput {
            reason: format!("cannot write {}: {e}", path.display()),
        })
}

fn sex_word(code: &str) -> &'static str {
    match code {
        "1" => "male",
        "2" => "female",
        "9" => "not applicable",
        _ => "unknown code",
    }
}

fn image_json(bytes: &[u8]) -> Value {
    json!({
        "bytes": bytes.len(),
        "media_type": image_media_type(bytes),
    })
}

fn image_text(bytes: &[u8]) -> String {
    format!(
        "{} bytes, {}",
        bytes.len(),
        image_media_type(bytes).unwrap_or("unknown format")
    )
}

fn signature_word(signature: SurfaceSignature) -> &'static str {
    match signature {
        SurfaceSignature::VerifiedVirtualCardLayout => "verified-virtual-card-layout",
        SurfaceSignature::NotVerified => "not-verified",
    }
}

fn signature_line(signature: SurfaceSignature) -> &'static str {
    match signature {
        SurfaceSignature::VerifiedVirtualCardLayout => {
            "signature:   verified in the virtual card's layout (DF28 over DF22-DF27 and DF29, \
             with the EF 0004 key); no public source confirms that layout for a real card"
        }
        SurfaceSignature::NotVerified => {
            "signature:   NOT verified (DF28 does not verify in the virtual card's layout, the \
             only one known); treat the face data as unchecked"
        }
    }
}

fn outcome(read: &SurfaceRead, photo_out: Option<&Path>) -> Outcome {
    let birth = read.birth_date();
    let expiry = read.expiry();
    let photo_line = match photo_out {
        Some(path) => format!(
            "photo:       {}, saved to {}",
            image_text(&read.photo),
            path.display()
        ),
        None => format!(
            "photo:       {} (save it with --photo-out FILE)",
            image_text(&read.photo)
        ),
    };
    let lines = vec![
        format!(
            "birth date:  {}",
            birth.map_or_else(|| read.birth_date_raw.clone(), |d| d.to_string())
        ),
        format!("sex:         {} ({})", sex_word(&read.sex), read.sex),
        format!(
            "expiry:      {}",
            expiry.map_or_else(|| read.expiry_raw.clone(), |d| d.iso())
        ),
        photo_line,
        format!("name image:  {}", image_text(&read.name_image)),
        format!("address image: {}", image_text(&read.address_image)),
        format!(
            "security code image: {}",
            image_text(&read.security_code_image)
        ),
        signature_line(read.signature).to_string(),
        match read.issuer {
            IssuerCheck::Verified => {
                "issuer:      the application certificate verifies with the configured J-LIS key"
                    .to_string()
            }
            IssuerCheck::NotVerified => "issuer:      not verified (no J-LIS key configured; no \
                                         card file holds it)"
                .to_string(),
        },
    ];
    let json = json!({
        "birth_date": read.birth_date_raw,
        "birth_date_iso": birth.map(|d| d.iso()),
        "birth_date_japanese": birth.and_then(|d| d.japanese_year()),
        "sex": read.sex,
        "expiry": read.expiry_raw,
        "expiry_iso": expiry.map(|d| d.iso()),
        "photo": {
            "bytes": read.photo.len(),
            "media_type": read.photo_media_type(),
            "saved_to": photo_out.map(|p| p.display().to_string()),
        },
        "name_image": image_json(&read.name_image),
        "address_image": image_json(&read.address_image),
        "security_code_image": image_json(&read.security_code_image),
        "signature": signature_word(read.signature),
        "issuer": match read.issuer {
            IssuerCheck::Verified => "verified",
            IssuerCheck::NotVerified => "not-verified",
        },
    });
    Outcome { json, lines }
}
