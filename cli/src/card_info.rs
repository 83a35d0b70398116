//! `kazashi card-info`: the four attributes (or, with `--my-number` only, the My Number) from
//! the card-info application, integrity-checked; `kazashi card-info inspect DIR`: the same
//! decoding and checks over raw EF dumps made by another tool.
//!
//! The My Number is personal data under the My Number Act: it is read and printed only with
//! `--my-number`, never as a side effect, and a dump's number is shown only with it too.

use std::collections::BTreeMap;
use std::path::Path;

use kazashi::card_info::{
    cross_check, inspect_dump, AttributesKey, CardInfoCard, Check, CrossCheck, DumpCheck,
    DumpReport, FieldMatch, FourAttributes, IntegrityReport, IssuerCheck, MyNumberKey,
};
use kazashi::{Error, JpkiCard, Transport};
use kazashi_certificate::era::BirthDate;
use serde_json::{json, Value};

use crate::commands::{block, Outcome, PinOptions};

/// Which secret opens the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Unlock {
    /// The card-info PIN (4 digits; its own counter of 3).
    Pin,
    /// Verification number A: the 12-digit My Number (opens the My Number only).
    NumberA,
    /// Verification number B: era birth date YYMMDD + expiry year + security code (opens the
    /// four attributes only).
    NumberB,
}

/// What `kazashi card-info` was asked for.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    /// Read the My Number (only it) instead of the attributes.
    pub my_number: bool,
    /// The secret to open the application with.
    pub unlock: Unlock,
    /// Also read the signing certificate (signing password) and compare its attributes.
    pub cross_check: bool,
}

/// `kazashi card-info` on a card.
pub fn read<T: Transport>(
    card: &mut JpkiCard<T>,
    request: Request,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    if request.my_number {
        return read_my_number(card, request.unlock, pins);
    }
    let read = match request.unlock {
        Unlock::Pin => {
            let pin = pins.source.card_info_pin()?;
            pins.with_last_attempt(|last| {
                block(
                    CardInfoCard::new(card.card_mut())
                        .read_attributes(AttributesKey::Pin(&pin), last),
                )
            })?
        }
        Unlock::NumberB => {
            let number = pins.source.verification_number_b()?;
            pins.with_last_attempt(|last| {
                block(
                    CardInfoCard::new(card.card_mut())
                        .read_attributes(AttributesKey::NumberB(&number), last),
                )
            })?
        }
        Unlock::NumberA => {
            return Err(Error::InvalidInput {
                reason: "verification number A opens the My Number only: use --unlock pin or \
                         number-b for the four attributes, or add --my-number"
                    .into(),
            })
        }
    };
    let mut lines = attribute_lines(&read.attributes);
    lines.extend(integrity_lines(&read.integrity));
    let mut json = json!({
        "attributes": attributes_json(&read.attributes),
        "integrity": integrity_json(&read.integrity),
    });
    if request.cross_check {
        let password = pins
            .source
            .signing_password("For the cross-check, the signing password")?;
        let certificate =
            pins.with_last_attempt(|last| block(card.read_signing_certificate(&password, last)))?;
        let personal = certificate.personal.clone().unwrap_or_default();
        let result = cross_check(&read.attributes, &personal);
        lines.extend(cross_check_lines(&result));
        json["cross_check"] = cross_check_json(&result);
    }
    Ok(Outcome { json, lines })
}

fn read_my_number<T: Transport>(
    card: &mut JpkiCard<T>,
    unlock: Unlock,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    let read = match unlock {
        Unlock::Pin => {
            let pin = pins.source.card_info_pin()?;
            pins.with_last_attempt(|last| {
                block(
                    CardInfoCard::new(card.card_mut()).read_my_number(MyNumberKey::Pin(&pin), last),
                )
            })?
        }
        Unlock::NumberA => {
            let number = pins.source.verification_number_a()?;
            pins.with_last_attempt(|last| {
                block(
                    CardInfoCard::new(card.card_mut())
                        .read_my_number(MyNumberKey::NumberA(&number), last),
                )
            })?
        }
        Unlock::NumberB => {
            return Err(Error::InvalidInput {
                reason: "verification number B opens the four attributes only: use --unlock pin \
                         or number-a with --my-number"
                    .into(),
            })
        }
    };
    let mut lines = vec![format!("My Number:   {}", read.my_number.digits())];
    lines.extend(integrity_lines(&read.integrity));
    Ok(Outcome {
        json: json!({
            "my_number": read.my_number.digits(),
            "integrity": integrity_json(&read.integrity),
        }),
        lines,
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

fn birth_date_text(raw: &str) -> String {
    BirthDate::parse(raw).map_or_else(|| raw.to_string(), |date| date.to_string())
}

fn attribute_lines(attributes: &FourAttributes) -> Vec<String> {
    vec![
        format!("name:        {}", attributes.name),
        format!("address:     {}", attributes.address),
        format!("birth date:  {}", birth_date_text(&attributes.birth_date)),
        format!(
            "sex:         {} ({})",
            sex_word(&attributes.sex),
            attributes.sex
        ),
    ]
}

fn attributes_json(attributes: &FourAttributes) -> Value {
    json!({
        "name": attributes.name,
        "address": attributes.address,
        "birth_date": attributes.birth_date,
        "birth_date_japanese": BirthDate::parse(&attributes.birth_date).and_then(|d| d.japanese_year()),
        "sex": attributes.sex,
    })
}

fn check_word(check: Check) -> &'static str {
    match check {
        Check::Passed => "ok",
        Check::NotRead => "not read",
    }
}

fn integrity_lines(report: &IntegrityReport) -> Vec<String> {
    vec![
        format!(
            "integrity:   My Number digest {}; attributes digest {}; record signature {} (the application certificate's key, EF 0004)",
            check_word(report.my_number_digest),
            check_word(report.attributes_digest),
            check_word(report.record_signature),
        ),
        match report.issuer {
            IssuerCheck::Verified => "issuer:      the application certificate verifies with the configured J-LIS key".into(),
            IssuerCheck::NotVerified => "issuer:      not verified (no J-LIS card-info key configured; no card file holds it)".into(),
        },
    ]
}

fn integrity_json(report: &IntegrityReport) -> Value {
    json!({
        "my_number_digest": check_word(report.my_number_digest),
        "attributes_digest": check_word(report.attributes_digest),
        "record_signature": check_word(report.record_signature),
        "issuer": match report.issuer {
            IssuerCheck::Verified => "verified",
            IssuerCheck::NotVerified => "not-verified",
        },
    })
}

fn match_word(field: FieldMatch) -> &'static str {
    match field {
        FieldMatch::Equal => "equal",
        FieldMatch::Different => "different",
        FieldMatch::NotInCertificate => "not in the certificate",
    }
}

fn cross_check_lines(result: &CrossCheck) -> Vec<String> {
    vec![format!(
        "signing certificate: name {}, address {}, birth date {}, sex {}",
        match_word(result.name),
        match_word(result.address),
        match_word(result.birth_date),
        match_word(result.sex)
    )]
}

fn cross_check_json(result: &CrossCheck) -> Value {
    json!({
        "name": match_word(result.name),
        "address": match_word(result.address),
        "birth_date": match_word(result.birth_date),
        "sex": match_word(result.sex),
        "all_equal": result.all_equal(),
    })
}

/// `kazashi card-info inspect DIR`: files named `0001` … `0007`, with or without `.bin`.
pub fn inspect(dir: &Path, show_my_number: bool) -> Result<Outcome, Error> {
    let mut files = BTreeMap::new();
    for fid in 1u16..=7 {
        for name in [
            format!("{fid:04X}"),
            format!("{fid:04X}.bin"),
            format!("{fid:04x}.bin"),
        ] {
            let path = dir.join(&name);
            if path.is_file() {
                let bytes = std::fs::read(&path).map_err(|e| Error::InvalidInput {
                    reason: format!("cannot read {}: {e}", path.display()),
                })?;
                files.insert(fid, bytes);
                break;
            }
        }
    }
    if files.is_empty() {
        return Err(Error::InvalidInput {
            reason: format!(
                "{} holds none of the files 0001 … 0007 (with or without .bin)",
                dir.display()
            ),
        });
    }
    let report = inspect_dump(&files, None)?;
    Ok(dump_outcome(&report, show_my_number))
}

fn dump_check_text(check: &DumpCheck) -> String {
    match check {
        DumpCheck::Passed => "ok".into(),
        DumpCheck::Failed(why) => format!("FAILED: {why}"),
        DumpCheck::NotPossible(why) => format!("not checked: {why}"),
    }
}

fn dump_check_json(check: &DumpCheck) -> Value {
    match check {
        DumpCheck::Passed => json!({ "result": "passed" }),
        DumpCheck::Failed(why) => json!({ "result": "failed", "reason": why }),
        DumpCheck::NotPossible(why) => json!({ "result": "not-checked", "reason": why }),
    }
}

fn dump_outcome(report: &DumpReport, show_my_number: bool) -> Outcome {
    let present: Vec<String> = report.present.iter().map(|f| format!("{f:04X}")).collect();
    let mut lines = vec![format!("files:       {}", present.join(" "))];
    let my_number_json = match &report.my_number {
        Some(Ok(number)) if show_my_number => {
            lines.push(format!("My Number:   {}", number.digits()));
            json!(number.digits())
        }
        Some(Ok(_)) => {
            lines.push("My Number:   present, check digit valid (shown with --my-number)".into());
            json!("withheld")
        }
        Some(Err(why)) => json!({ "error": why }),
        None => Value::Null,
    };
    let attributes_json = match &report.attributes {
        Some(Ok(attributes)) => {
            lines.extend(attribute_lines(attributes));
            attributes_json(attributes)
        }
        Some(Err(why)) => json!({ "error": why }),
        None => Value::Null,
    };
    let checks = [
        (
            "My Number digest (DF31)",
            "my_number_digest",
            &report.my_number_digest,
        ),
        (
            "attributes digest (DF32)",
            "attributes_digest",
            &report.attributes_digest,
        ),
        (
            "record signature (DF33, EF 0004 key)",
            "record_signature",
            &report.record_signature,
        ),
        (
            "EF 0007 signature (EF 0004 key)",
            "key_file_signature",
            &report.key_file_signature,
        ),
        ("issuer (EF 0004 by J-LIS)", "issuer", &report.issuer),
    ];
    let mut checks_json = serde_json::Map::new();
    for (label, key, check) in checks {
        lines.push(format!("{label}: {}", dump_check_text(check)));
        checks_json.insert(key.into(), dump_check_json(check));
    }
    for (fid, why) in &report.problems {
        lines.push(format!("EF {fid:04X}: cannot decode: {why}"));
    }
    Outcome {
        json: json!({
            "files": present,
            "my_number": my_number_json,
            "attributes": attributes_json,
            "checks": checks_json,
            "application_id": report.application_id,
            "problems": report.problems.iter().map(|(f, why)| json!({ "file": format!("{f:04X}"), "reason": why })).collect::<Vec<_>>(),
        }),
        lines,
    }
}
