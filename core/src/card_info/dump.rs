//! The card-info application's files as another tool dumped them (EF `0001` … `0007`, any of
//! them missing), decoded and checked without a card: a developer can tell whether data read
//! elsewhere is intact. Unlike the card flows, nothing is refused: every check is reported,
//! passed, failed or impossible for want of a file.

use std::collections::BTreeMap;

use super::integrity;
use super::records::{self, FourAttributes, MyNumber};
use super::{ef, tlv};
use crate::error::Result;

/// One check on a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpCheck {
    /// It holds.
    Passed,
    /// It does not hold, and why.
    Failed(String),
    /// A file it needs is missing or undecodable (named).
    NotPossible(String),
}

/// Everything a dump says.
#[derive(Debug, Clone)]
pub struct DumpReport {
    /// The EFs present, in order.
    pub present: Vec<u16>,
    /// EF 0001 decoded (personal data under the My Number Act: show only on request).
    pub my_number: Option<std::result::Result<MyNumber, String>>,
    /// EF 0002 decoded.
    pub attributes: Option<std::result::Result<FourAttributes, String>>,
    /// DF31 against EF 0001.
    pub my_number_digest: DumpCheck,
    /// DF32 against EF 0002's DF22..DF25.
    pub attributes_digest: DumpCheck,
    /// DF33 with the EF 0004 key.
    pub record_signature: DumpCheck,
    /// EF 0007's DF52 over DF51 with the EF 0004 key.
    pub key_file_signature: DumpCheck,
    /// EF 0004's own signature, with the issuer key given (else not possible).
    pub issuer: DumpCheck,
    /// EF 0005's application id (DF41), hex.
    pub application_id: Option<String>,
    /// Files that could not be decoded, with the reason.
    pub problems: Vec<(u16, String)>,
}

fn missing(fid: u16) -> DumpCheck {
    DumpCheck::NotPossible(format!("EF {fid:04X} missing or undecodable"))
}

fn verdict(ok: bool, failure: &str) -> DumpCheck {
    if ok {
        DumpCheck::Passed
    } else {
        DumpCheck::Failed(failure.to_string())
    }
}

/// Decodes and checks `files` (EF id → bytes). `issuer_spki` is J-LIS's card-info key, if the
/// caller has it.
///
/// # Errors
///
/// [`crate::Error::InvalidInput`] when `issuer_spki` is not an RSA public key. Damaged files are
/// reported, not errors.
pub fn inspect_dump(
    files: &BTreeMap<u16, Vec<u8>>,
    issuer_spki: Option<&[u8]>,
) -> Result<DumpReport> {
    let issuer = issuer_spki.map(integrity::parse_issuer_key).transpose()?;
    let mut problems = Vec::new();
    let record = decoded(
        files,
        ef::INTEGRITY,
        integrity::integrity_record,
        &mut problems,
    );
    let certificate = decoded(
        files,
        ef::CERTIFICATE,
        integrity::cv_certificate,
        &mut problems,
    );
    let attributes_file = files
        .get(&ef::ATTRIBUTES)
        .map(|b| records::four_attributes(b).map(|decoded| (decoded, b)));
    let my_number = files.get(&ef::MY_NUMBER).map(|b| records::my_number(b));

    let my_number_digest = match (files.get(&ef::MY_NUMBER), &record) {
        (Some(file), Some(record)) => verdict(
            record.covers_my_number(file),
            "EF 0001's SHA-256 differs from DF31",
        ),
        (None, _) => missing(ef::MY_NUMBER),
        (_, None) => missing(ef::INTEGRITY),
    };
    let attributes_digest = match (&attributes_file, &record) {
        (Some(Ok((decoded, bytes))), Some(record)) => verdict(
            record.covers_attributes(&bytes[decoded.covered.clone()]),
            "EF 0002's DF22..DF25 SHA-256 differs from DF32",
        ),
        (_, None) => missing(ef::INTEGRITY),
        _ => missing(ef::ATTRIBUTES),
    };
    let record_signature = match (&record, &certificate) {
        (Some(record), Some(certificate)) => verdict(
            record.signed_by(certificate),
            "DF33 does not verify with EF 0004's key",
        ),
        (None, _) => missing(ef::INTEGRITY),
        (_, None) => missing(ef::CERTIFICATE),
    };
    let key_file = files.get(&0x0007).map(|b| key_file(b));
    if let Some(Err(reason)) = &key_file {
        problems.push((0x0007, reason.clone()));
    }
    let key_file_signature = match (&key_file, &certificate) {
        (Some(Ok((signed, signature))), Some(certificate)) => verdict(
            certificate.signs(signed, signature),
            "EF 0007's DF52 does not verify with EF 0004's key",
        ),
        (_, None) => missing(ef::CERTIFICATE),
        _ => missing(0x0007),
    };
    let issuer = match (&issuer, &certificate) {
        (None, _) => DumpCheck::NotPossible("no issuer key given".into()),
        (Some(_), None) => missing(ef::CERTIFICATE),
        (Some(key), Some(certificate)) => verdict(
            certificate.issued_by(key),
            "EF 0004's signature does not verify with the issuer key",
        ),
    };
    let application_id = files.get(&0x0005).and_then(|b| {
        let (_, children) = tlv::file(b, 0xFF40).ok()?;
        Some(hex_upper(tlv::only(&children, 0xDF41).ok()?.value))
    });
    if let Some(Err(reason)) = &my_number {
        problems.push((ef::MY_NUMBER, reason.clone()));
    }
    if let Some(Err(reason)) = &attributes_file {
        problems.push((ef::ATTRIBUTES, reason.clone()));
    }
    problems.sort();
    Ok(DumpReport {
        present: files.keys().copied().collect(),
        my_number,
        attributes: attributes_file.map(|r| r.map(|(decoded, _)| decoded.attributes)),
        my_number_digest,
        attributes_digest,
        record_signature,
        key_file_signature,
        issuer,
        application_id,
        problems,
    })
}

/// Decodes EF `fid` if present; a failure goes to `problems`.
fn decoded<T>(
    files: &BTreeMap<u16, Vec<u8>>,
    fid: u16,
    decode: impl Fn(&[u8]) -> std::result::Result<T, String>,
    problems: &mut Vec<(u16, String)>,
) -> Option<T> {
    match decode(files.get(&fid)?) {
        Ok(value) => Some(value),
        Err(reason) => {
            problems.push((fid, reason));
            None
        }
    }
}

/// EF 0007 `FF50 { DF51 key; DF52 signature }`: the signed DF51 object and the signature.
fn key_file(bytes: &[u8]) -> std::result::Result<(Vec<u8>, Vec<u8>), String> {
    let (_, children) = tlv::file(bytes, 0xFF50)?;
    let key = tlv::only(&children, 0xDF51)?;
    let signature = tlv::only(&children, 0xDF52)?;
    Ok((key.raw.to_vec(), signature.value.to_vec()))
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
