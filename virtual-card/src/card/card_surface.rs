//! The card-surface application (券面事項確認AP, AID `D3 92 10 00 31 00 01 01 04 02`): the card's
//! face as data, with the layout and access rules of `docs/protocol.md` §2.1. Where no
//! source says what a field holds, the choice is the virtual card's and is listed in the
//! crate documentation.
//!
//! | EF | Content | Opened by |
//! |---|---|---|
//! | `0001` | birth-date record `FF 10 { DF11 08 YYYYMMDD }` | EF `0011` (the birth date, era `YYMMDD`) |
//! | `0002` | `FF 20 { DF21 offsets, DF22 birth date, DF23 sex, DF24 key, DF25 name PNG, DF26 address PNG, DF27 photo JPEG 2000, DF28 signature, DF29 expiry, DF2A security-code PNG }` | 照合番号A `0013` or 照合番号B `0012` |
//! | `0003` | AP info `FF 40 { DF41 04, DF42 10 holder reference }` | free |
//! | `0004` | CV certificate `7F21 { 5F4E, 5F37 }` | free |
//! | `0005` | a PNG image standing for the My Number (the card's back) | 照合番号A only |

use kazashi::pin::PinKind;
use rsa::RsaPublicKey;

use super::files::{data, Access, AppId, FileContent, Files};
use super::personal;
use super::pins::{Secret, SecretKind, Secrets};
use super::tlv::{self, cv_certificate, holder_reference, rsa_public_key, sign_sha256, tlv};
use crate::pki::ApplicationKeys;
use crate::profile::VirtualCardConfig;

/// The card-surface application's AID.
pub(crate) const AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02];

/// The face photo: a small real JPEG 2000 file (JP2 boxes); see `assets/README.md`.
pub(crate) const PHOTO_JP2: &[u8] = include_bytes!("../../assets/photo.jp2");
const NAME_PNG: &[u8] = include_bytes!("../../assets/name.png");
const ADDRESS_PNG: &[u8] = include_bytes!("../../assets/address.png");
const SECURITY_CODE_PNG: &[u8] = include_bytes!("../../assets/security_code.png");
const MY_NUMBER_PNG: &[u8] = include_bytes!("../../assets/my_number.png");

/// The card-surface application's EFs.
pub(crate) mod fid {
    /// The birth-date record.
    pub const BIRTH_DATE_RECORD: u16 = 0x0001;
    /// The card's front as data.
    pub const FRONT: u16 = 0x0002;
    /// AP info.
    pub const AP_INFO: u16 = 0x0003;
    /// The application's CV certificate.
    pub const CERTIFICATE: u16 = 0x0004;
    /// The My Number image (the back).
    pub const MY_NUMBER_IMAGE: u16 = 0x0005;
    /// The birth date, era `YYMMDD`.
    pub const BIRTH_DATE: u16 = 0x0011;
    /// 照合番号B.
    pub const NUMBER_B: u16 = 0x0012;
    /// 照合番号A.
    pub const NUMBER_A: u16 = 0x0013;
}

/// Tries of each of this application's secrets: no source gives them; 10, as for the
/// card-info application's verification numbers ([`PinKind::max_attempts`]).
const TRIES: u8 = 10;

/// The application's secrets, each with its own counter (separate from the card-info
/// application's verification numbers: each key reference EF counts for itself).
pub(super) fn secrets(config: &VirtualCardConfig, secrets: &mut Secrets) {
    let entries = [
        (
            fid::BIRTH_DATE,
            SecretKind::BirthDate,
            personal::era_yymmdd(config.holder.birth_date),
        ),
        (
            fid::NUMBER_B,
            SecretKind::Pin(PinKind::VerificationNumberB),
            personal::verification_number_b(config),
        ),
        (
            fid::NUMBER_A,
            SecretKind::Pin(PinKind::VerificationNumberA),
            personal::my_number(&config.seed),
        ),
    ];
    for (fid, kind, value) in entries {
        secrets.add(Secret::new(
            AppId::CardSurface,
            fid,
            kind,
            &value,
            TRIES,
            TRIES,
        ));
    }
}

/// The application's EFs.
pub(super) fn files(config: &VirtualCardConfig, keys: &ApplicationKeys) -> Files {
    let holder = &config.holder;
    let birth = personal::yyyymmdd(holder.birth_date);
    let ap_key = RsaPublicKey::from(&keys.card_surface);
    let reference = holder_reference(&config.seed, &AID);

    let birth_record = tlv(&[0xFF, 0x10], &tlv(&[0xDF, 0x11], birth.as_bytes()));

    // DF28 signs DF22..DF27 and DF29, as stored, in that order (our choice: no source says).
    let signed = [
        tlv(&[0xDF, 0x22], birth.as_bytes()),
        tlv(&[0xDF, 0x23], holder.sex.as_bytes()),
        tlv(&[0xDF, 0x24], &rsa_public_key(&ap_key)),
        tlv(&[0xDF, 0x25], NAME_PNG),
        tlv(&[0xDF, 0x26], ADDRESS_PNG),
        tlv(&[0xDF, 0x27], PHOTO_JP2),
    ];
    let expiry = tlv(
        &[0xDF, 0x29],
        personal::yyyymmdd(personal::card_expiry(config)).as_bytes(),
    );
    let signature = tlv(
        &[0xDF, 0x28],
        &sign_sha256(
            &keys.card_surface,
            &[signed.concat(), expiry.clone()].concat(),
        ),
    );
    let mut fields = signed.to_vec();
    fields.push(signature);
    fields.push(expiry);
    fields.push(tlv(&[0xDF, 0x2A], SECURITY_CODE_PNG));

    // DF21: the offset of each of DF22..DF2A from the start of the file, as in the card-info
    // application's EF 0002 (our choice of what the "header" holds).
    let table_len = 3 + 2 * fields.len();
    let value_len = table_len + fields.iter().map(Vec::len).sum::<usize>();
    let mut at = 2 + tlv::length(value_len).len() + table_len;
    let mut offsets = Vec::with_capacity(2 * fields.len());
    for field in &fields {
        offsets.extend(u16::try_from(at).expect("small file").to_be_bytes());
        at += field.len();
    }
    let front = tlv(
        &[0xFF, 0x20],
        &[tlv(&[0xDF, 0x21], &offsets), fields.concat()].concat(),
    );

    let ap_info = tlv(
        &[0xFF, 0x40],
        &[
            tlv(&[0xDF, 0x41], &[0x01, 0x03, 0x0E, 0x02]),
            tlv(&[0xDF, 0x42], &reference),
        ]
        .concat(),
    );
    let certificate = cv_certificate(&tlv::ISSUER_REFERENCE, &reference, &ap_key, &keys.issuer);

    let mut files = Files::default();
    files.add(
        fid::BIRTH_DATE_RECORD,
        data(birth_record, Access::AnyOf(&[fid::BIRTH_DATE])),
    );
    files.add(
        fid::FRONT,
        data(front, Access::AnyOf(&[fid::NUMBER_A, fid::NUMBER_B])),
    );
    files.add(fid::AP_INFO, data(ap_info, Access::Free));
    files.add(fid::CERTIFICATE, data(certificate, Access::Free));
    files.add(
        fid::MY_NUMBER_IMAGE,
        data(MY_NUMBER_PNG.to_vec(), Access::AnyOf(&[fid::NUMBER_A])),
    );
    for secret in [fid::BIRTH_DATE, fid::NUMBER_B, fid::NUMBER_A] {
        files.add(secret, FileContent::Secret);
    }
    files
}
