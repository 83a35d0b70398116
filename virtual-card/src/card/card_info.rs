//! The card-info application (券面事項入力補助AP, AID `D3 92 10 00 31 00 01 01 04 08`): the My
//! Number, the four attributes, the integrity record and its certificates, with the real
//! file layout and access rules (`docs/protocol.md` §2.1, §7.2, §7.3).
//!
//! | EF | Content | Opened by |
//! |---|---|---|
//! | `0001` | `FF 10 0C` + 12 ASCII digits + `FF FF` (17 bytes) | PIN `0011` or 照合番号A `0014` |
//! | `0002` | `FF 20 { DF21 offsets, DF22 name, DF23 address, DF24 birth date, DF25 sex }`, `FF` filler to [`ATTRIBUTES_SIZE`] | PIN or 照合番号B `0015` |
//! | `0003` | `FF 30 { DF31 SHA-256(EF 0001), DF32 SHA-256(EF 0002 from DF22 to the end of DF25), DF33 signature }` | PIN, A or B |
//! | `0004` | CV certificate `7F21 { 5F4E, 5F37 }` | free |
//! | `0005` | `FF 40 { DF41 04, DF42 10 holder reference, DF43 82 0080 }` | free |
//! | `0006` | `A1 { 90, 91 }` (SET SESSION KEY key) | PIN, A or B |
//! | `0007` | `FF 50 { DF51 key, DF52 signature over the DF51 TLV }` | PIN, A or B |

use kazashi::pin::PinKind;
use rsa::RsaPublicKey;
use sha2::{Digest, Sha256};

use super::files::{data, Access, AppId, FileContent, Files};
use super::personal;
use super::pins::{Secret, SecretKind, Secrets};
use super::tlv::{self, cv_certificate, holder_reference, rsa_public_key, sign_sha256, tlv};
use crate::pki::{self, ApplicationKeys};
use crate::profile::VirtualCardConfig;

/// The card-info application's AID.
pub(crate) const AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// The file size EF `0002` is padded to with `FF` (our choice; the real size is not
/// recorded). Attributes that do not fit make the file longer, in whole 256-byte steps.
pub(crate) const ATTRIBUTES_SIZE: usize = 512;

/// The card-info application's EFs.
pub(crate) mod fid {
    /// My Number.
    pub const MY_NUMBER: u16 = 0x0001;
    /// The four attributes.
    pub const ATTRIBUTES: u16 = 0x0002;
    /// The integrity record.
    pub const INTEGRITY: u16 = 0x0003;
    /// The application's CV certificate.
    pub const CERTIFICATE: u16 = 0x0004;
    /// AP basic info.
    pub const AP_INFO: u16 = 0x0005;
    /// SET SESSION KEY public key.
    pub const SESSION_KEY: u16 = 0x0006;
    /// AP signing key and its signature.
    pub const AP_KEY: u16 = 0x0007;
    /// The card-info PIN.
    pub const PIN: u16 = 0x0011;
    /// The key reference that is blocked on every card examined.
    pub const BLOCKED: u16 = 0x0012;
    /// 照合番号A.
    pub const NUMBER_A: u16 = 0x0014;
    /// 照合番号B.
    pub const NUMBER_B: u16 = 0x0015;
}

const PIN_OR_A: Access = Access::AnyOf(&[fid::PIN, fid::NUMBER_A]);
const PIN_OR_B: Access = Access::AnyOf(&[fid::PIN, fid::NUMBER_B]);
const ANY_SECRET: Access = Access::AnyOf(&[fid::PIN, fid::NUMBER_A, fid::NUMBER_B]);

/// The application's secrets: the card-info PIN (3 tries), EF `0012` (blocked), 照合番号A
/// and B (10 tries each, [`PinKind::max_attempts`]: no source gives their count).
pub(super) fn secrets(config: &VirtualCardConfig, secrets: &mut Secrets) {
    let pin = config.card_info_pin.as_deref().unwrap_or(&config.auth_pin);
    let kinds = [
        (
            fid::PIN,
            PinKind::CardInfo,
            pin.to_string(),
            config.card_info_attempts_left,
        ),
        (
            fid::NUMBER_A,
            PinKind::VerificationNumberA,
            personal::my_number(&config.seed),
            PinKind::VerificationNumberA.max_attempts(),
        ),
        (
            fid::NUMBER_B,
            PinKind::VerificationNumberB,
            personal::verification_number_b(config),
            PinKind::VerificationNumberB.max_attempts(),
        ),
    ];
    for (fid, kind, value, left) in kinds {
        secrets.add(Secret::new(
            AppId::CardInfo,
            fid,
            SecretKind::Pin(kind),
            &value,
            kind.max_attempts(),
            left,
        ));
    }
    secrets.add(Secret::new(
        AppId::CardInfo,
        fid::BLOCKED,
        SecretKind::Blocked,
        "",
        3,
        0,
    ));
}

/// The application's EFs, with the tamper option of the configuration applied last.
pub(super) fn files(config: &VirtualCardConfig, keys: &ApplicationKeys) -> Files {
    let my_number = my_number_file(&personal::my_number(&config.seed));
    let (attributes, covered) = attributes_file(config);
    let ap_key = RsaPublicKey::from(&keys.card_info);
    let holder = holder_reference(&config.seed, &AID);

    let digest_tlvs = [
        tlv(&[0xDF, 0x31], &Sha256::digest(&my_number)),
        tlv(&[0xDF, 0x32], &Sha256::digest(&attributes[covered])),
    ]
    .concat();
    let signature = tlv(&[0xDF, 0x33], &sign_sha256(&keys.card_info, &digest_tlvs));
    let integrity = tlv(&[0xFF, 0x30], &[digest_tlvs, signature].concat());

    let certificate = cv_certificate(&tlv::ISSUER_REFERENCE, &holder, &ap_key, &keys.issuer);

    let mut filler = pki::derive(&config.seed, "card-info-df43").to_vec();
    filler.resize(0x80, 0xFF);
    let ap_info = tlv(
        &[0xFF, 0x40],
        &[
            tlv(&[0xDF, 0x41], &[0x01, 0x03, 0x0E, 0x01]),
            tlv(&[0xDF, 0x42], &holder),
            tlv::tlv_long(&[0xDF, 0x43], &filler),
        ]
        .concat(),
    );

    let session_key = tlv(
        &[0xA1],
        &rsa_public_key(&RsaPublicKey::from(&keys.card_info_session)),
    );

    let signing_key = tlv(
        &[0xDF, 0x51],
        &rsa_public_key(&RsaPublicKey::from(&keys.card_info_signing)),
    );
    let signing_key_signature = tlv(&[0xDF, 0x52], &sign_sha256(&keys.card_info, &signing_key));
    let ap_key_file = tlv(
        &[0xFF, 0x50],
        &[signing_key, signing_key_signature].concat(),
    );

    let mut contents = vec![
        (fid::MY_NUMBER, my_number, PIN_OR_A),
        (fid::ATTRIBUTES, attributes, PIN_OR_B),
        (fid::INTEGRITY, integrity, ANY_SECRET),
        (fid::CERTIFICATE, certificate, Access::Free),
        (fid::AP_INFO, ap_info, Access::Free),
        (fid::SESSION_KEY, session_key, ANY_SECRET),
        (fid::AP_KEY, ap_key_file, ANY_SECRET),
    ];
    if let Some(target) = config.tamper_card_info_ef {
        if let Some((_, bytes, _)) = contents.iter_mut().find(|(f, _, _)| *f == target) {
            tamper(target, bytes);
        }
    }
    let mut files = Files::default();
    for (fid, bytes, access) in contents {
        files.add(fid, data(bytes, access));
    }
    for secret in [fid::PIN, fid::BLOCKED, fid::NUMBER_A, fid::NUMBER_B] {
        files.add(secret, FileContent::Secret);
    }
    files
}

/// EF `0001`: `FF 10 0C` + the 12 digits + `FF FF` (`docs/protocol.md` §7.2).
fn my_number_file(number: &str) -> Vec<u8> {
    let mut out = tlv(&[0xFF, 0x10], number.as_bytes());
    out.extend([0xFF, 0xFF]);
    out
}

/// EF `0002` and the range of it the integrity record's `DF32` covers (the `DF22` tag to the
/// end of `DF25`). The `DF21` table holds the offset of each of the four tags from the start
/// of the file, so it depends on the form of the outer length (`docs/protocol.md` §7.3).
fn attributes_file(config: &VirtualCardConfig) -> (Vec<u8>, std::ops::Range<usize>) {
    let holder = config.card_info_holder.as_ref().unwrap_or(&config.holder);
    let fields = [
        tlv(&[0xDF, 0x22], holder.name.as_bytes()),
        tlv(&[0xDF, 0x23], holder.address.as_bytes()),
        tlv(
            &[0xDF, 0x24],
            personal::yyyymmdd(holder.birth_date).as_bytes(),
        ),
        tlv(&[0xDF, 0x25], holder.sex.as_bytes()),
    ];
    let fields_len: usize = fields.iter().map(Vec::len).sum();
    let table_len = 11; // DF 21 08 + four 2-byte offsets
    let value_len = table_len + fields_len;
    let header_len = 2 + tlv::length(value_len).len();
    let mut offsets = Vec::with_capacity(8);
    let mut at = header_len + table_len;
    for field in &fields {
        offsets.extend(u16::try_from(at).expect("small file").to_be_bytes());
        at += field.len();
    }
    let value = [tlv(&[0xDF, 0x21], &offsets), fields.concat()].concat();
    let mut file = tlv(&[0xFF, 0x20], &value);
    let covered = header_len + table_len..file.len();
    let size = ATTRIBUTES_SIZE.max(file.len().div_ceil(256) * 256);
    file.resize(size, 0xFF);
    (file, covered)
}

/// Alters one byte of an EF's value, after the integrity record was made, so that the EF
/// still parses and only its integrity fails: EF `0001` its last digit, EF `0002` the sex
/// code (`1` ↔ `2`), EF `0003` the first byte of the `DF31` digest, EF `0004` a byte in the
/// middle of the modulus, any other EF its last byte.
fn tamper(target: u16, bytes: &mut [u8]) {
    // Tag (2 bytes) and length (1–3 bytes) of the outer TLV.
    let header_len = match bytes[2] {
        0x81 => 4,
        0x82 => 5,
        _ => 3,
    };
    match target {
        fid::MY_NUMBER => bytes[14] = b'0' + (bytes[14] - b'0' + 1) % 10,
        fid::ATTRIBUTES => {
            // The DF25 value: the offset table's fourth entry points at its tag.
            let entry = header_len + 3 + 6;
            let at = usize::from(u16::from_be_bytes([bytes[entry], bytes[entry + 1]]));
            bytes[at + 3] = if bytes[at + 3] == b'1' { b'2' } else { b'1' };
        }
        // The first byte of the DF31 digest.
        fid::INTEGRITY => bytes[header_len + 3] ^= 0x01,
        // A byte in the middle of the modulus: 7F21 82 xxxx, 5F4E 82 xxxx, the two 16-byte
        // references, 90 03 010001, 91 82 0100, then the modulus.
        fid::CERTIFICATE => bytes[8 + 32 + 5 + 4 + 128] ^= 0x01,
        _ => {
            let last = bytes.len() - 1;
            bytes[last] ^= 0x01;
        }
    }
}
