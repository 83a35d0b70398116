//! How results are shown: one JSON object per command with `--json`, readable lines otherwise.

use kazashi::unix_now;
use kazashi::{ApduStats, CertificateInfo, PersonalAttributes, PinStatus};
use serde_json::{json, Value};

/// A certificate as JSON. Personal attributes only when `personal` is true.
pub fn certificate_json(cert: &CertificateInfo, personal: bool) -> Value {
    let mut v = json!({
        "purpose": cert.purpose,
        "subject": cert.subject,
        "issuer": cert.issuer,
        "serial": cert.serial,
        "not_before": cert.not_before_date(),
        "not_after": cert.not_after_date(),
        "days_left": cert.days_left(unix_now()),
        "key_bits": cert.key_bits,
        "test_hierarchy": cert.test_hierarchy,
    });
    if let Some(attrs) = cert.personal.as_ref() {
        if personal {
            v["personal"] = json!({
                "name": attrs.name,
                "substitute_name": attrs.substitute_name,
                "sex": attrs.sex,
                "birth_date": attrs.birth_date_iso(),
                "birth_date_japanese": attrs.birth_date_parsed().and_then(|d| d.japanese_year()),
                "birth_date_raw": attrs.birth_date,
                "address": attrs.address,
                "substitute_address": attrs.substitute_address,
            });
        } else {
            v["personal_attributes_present"] = json!(attrs.present_fields());
        }
    }
    v
}

/// Where `now` falls in the certificate's validity, in words: days left, or plainly expired or
/// not yet valid (never a negative count).
pub fn validity_now(cert: &CertificateInfo, now: i64) -> String {
    if now < cert.not_before {
        return "not yet valid".into();
    }
    match cert.days_left(now) {
        days if now > cert.not_after => {
            let ago = -days;
            format!("expired {ago} day{} ago", if ago == 1 { "" } else { "s" })
        }
        days => format!("{days} days left"),
    }
}

/// A certificate in a few lines.
pub fn certificate_lines(cert: &CertificateInfo, personal: bool) -> Vec<String> {
    let mut lines = vec![
        format!("purpose:  {}", cert.purpose),
        format!("subject:  {}", cert.subject),
        format!("issuer:   {}", cert.issuer),
        format!("serial:   {}", cert.serial),
        format!(
            "valid:    {} to {} ({})",
            cert.not_before_date(),
            cert.not_after_date(),
            validity_now(cert, unix_now())
        ),
        format!("key:      RSA-{}", cert.key_bits),
    ];
    if cert.test_hierarchy {
        lines.push(
            "note:     issued by the JPKI test hierarchy (not a production certificate)".into(),
        );
    }
    if let Some(attrs) = cert.personal.as_ref() {
        if personal {
            lines.extend(personal_lines(attrs));
        } else {
            lines.push(format!(
                "personal: {} (values not shown)",
                attrs.present_fields().join(", ")
            ));
        }
    }
    lines
}

/// The personal attributes, each labelled. The birth date with its era (`1980-02-17 (昭和55年)`)
/// and the raw value; the two substitute-character fields raw and labelled as what they are
/// (digit strings, one per character of the name or address, `docs/protocol.md` §6.3a), never
/// as a name or an address.
pub fn personal_lines(attrs: &PersonalAttributes) -> Vec<String> {
    let show = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    let born = match (attrs.birth_date_parsed(), &attrs.birth_date) {
        (Some(date), Some(raw)) => format!("{date}; {raw} in the certificate"),
        (None, Some(raw)) => format!("{raw} (not an EYYYYMMDD date)"),
        (_, None) => "-".into(),
    };
    vec![
        format!("name:     {}", show(&attrs.name)),
        format!("sex:      {}", attrs.sex_description().unwrap_or("-")),
        format!("born:     {born}"),
        format!("address:  {}", show(&attrs.address)),
        format!(
            "氏名代替文字 (name substitute field, raw): {}",
            show(&attrs.substitute_name)
        ),
        format!(
            "住所代替文字 (address substitute field, raw): {}",
            show(&attrs.substitute_address)
        ),
    ]
}

/// A PIN counter as JSON.
pub fn pin_json(status: &PinStatus) -> Value {
    json!({
        "attempts_left": status.attempts_left,
        "max_attempts": status.kind.max_attempts(),
        "blocked": status.is_blocked(),
    })
}

/// APDU counts as JSON fields.
pub fn stats_json(stats: ApduStats) -> Value {
    json!({ "apdus": stats.apdus, "bytes_sent": stats.bytes_sent, "bytes_received": stats.bytes_received })
}

/// "8 APDUs, 120 bytes sent, 1900 received".
pub fn stats_line(stats: ApduStats) -> String {
    format!(
        "{} APDUs, {} bytes sent, {} bytes received",
        stats.apdus, stats.bytes_sent, stats.bytes_received
    )
}
