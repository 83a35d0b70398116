//! `kazashi cert verify FILE` and `kazashi cert inspect FILE`: a bare certificate file (DER or
//! PEM), verified against the J-LIS roots or described field by field. Neither needs a card.

use std::path::Path;

use kazashi::certificate::{
    POLICY_AUTHENTICATION, POLICY_AUTHENTICATION_TEST, POLICY_SIGNATURE,
    POLICY_SIGNATURE_SMARTPHONE, POLICY_SIGNATURE_TEST,
};
use kazashi::{unix_now, CertificateInfo, CertificatePurpose, Error};
use kazashi_certificate::extensions::extended_key_usage_name;
use kazashi_certificate::instant::{rfc3339_jst, rfc3339_utc};
use kazashi_certificate::KnownRoot;
use kazashi_verify::{verify_certificate, Anchor, ChainVerification, TrustError};
use serde_json::{json, Value};

use crate::commands::Outcome;
use crate::failure::Failure;
use crate::report::{certificate_json, certificate_lines, personal_lines, validity_now};
use crate::verify::{der_or_pem, read, TrustChoice};

/// `--purpose` of `cert verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PurposeChoice {
    /// An authentication certificate (利用者証明用).
    Auth,
    /// A signing certificate (署名用).
    Sign,
}

impl From<PurposeChoice> for CertificatePurpose {
    fn from(p: PurposeChoice) -> Self {
        match p {
            PurposeChoice::Auth => CertificatePurpose::Authentication,
            PurposeChoice::Sign => CertificatePurpose::Signature,
        }
    }
}

/// Parses `--at`: an RFC 3339 instant with its offset (`2030-02-18T00:00:00+09:00`), as Unix
/// seconds.
pub fn parse_instant(text: &str) -> Result<i64, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| {
            format!(
                "{e}; give an RFC 3339 instant with its offset, such as \
                 2030-02-18T00:00:00+09:00 or 2030-02-17T15:00:00Z"
            )
        })
}

/// An instant in JST with the UTC one alongside: `2030-02-17T23:59:59+09:00 (2030-02-17T14:59:59Z)`.
fn jst_and_utc(unix: i64) -> String {
    format!("{} ({})", rfc3339_jst(unix), rfc3339_utc(unix))
}

fn instant_json(unix: i64) -> Value {
    json!({ "jst": rfc3339_jst(unix), "utc": rfc3339_utc(unix), "unix": unix })
}

/// The purpose to verify for: `--purpose`, else the certificate's own. A CA or an unrecognised
/// certificate without `--purpose` is a question only the user can answer, except that a CA is
/// plainly not a leaf, which `verify_certificate` reports as the wrong purpose.
fn chosen_purpose(
    cert: &CertificateInfo,
    option: Option<PurposeChoice>,
    file: &Path,
) -> Result<(CertificatePurpose, &'static str), Failure> {
    if let Some(choice) = option {
        return Ok((choice.into(), "--purpose"));
    }
    match cert.purpose {
        CertificatePurpose::Authentication | CertificatePurpose::Signature => {
            Ok((cert.purpose, "the certificate"))
        }
        CertificatePurpose::CertificateAuthority => Ok((
            cert.ca_purpose()
                .unwrap_or(CertificatePurpose::Authentication),
            "the certificate",
        )),
        CertificatePurpose::Unknown => Err(Failure::Card(Error::InvalidInput {
            reason: format!(
                "{} has neither a JPKI certificate policy nor a J-LIS issuer, so its purpose is \
                 unknown: give --purpose auth or --purpose sign",
                file.display()
            ),
        })),
    }
}

/// The accepted root that anchored `chain`.
fn anchor_of<'a>(anchors: &'a [Anchor], chain: &ChainVerification) -> Option<&'a Anchor> {
    anchors
        .iter()
        .find(|a| a.label == chain.anchor && a.production == chain.production)
}

/// `kazashi cert verify FILE [--purpose auth|sign] [--at RFC3339]`: the chain, the anchor, and
/// every check passed; or the rejection naming the check that failed (exit code 9).
pub fn verify(
    file: &Path,
    purpose: Option<PurposeChoice>,
    at: Option<i64>,
    trust: TrustChoice<'_>,
) -> Result<Outcome, Failure> {
    let der = der_or_pem(read(file)?);
    let cert = CertificateInfo::from_der(&der).map_err(|e| TrustError::Malformed {
        reason: format!("{}: {e}", file.display()),
    })?;
    let (purpose, purpose_source) = chosen_purpose(&cert, purpose, file)?;
    let store = trust.store()?;
    let now = at.unwrap_or_else(unix_now);
    let chain = verify_certificate(&der, purpose, now, &store)?;
    let anchor = anchor_of(store.anchors(), &chain);
    let root = anchor.and_then(|a| CertificateInfo::from_der(&a.der).ok());

    let anchor_line = match (chain.production, chain.generation) {
        (true, Some(generation)) => format!(
            "{}, J-LIS production root for {purpose}, generation {generation}",
            chain.anchor
        ),
        (true, None) => format!("{}, J-LIS production root for {purpose}", chain.anchor),
        (false, _) => format!(
            "{}, test hierarchy: a root you opted into (--trust-virtual-card or --trust-root), \
             not a J-LIS production root; generation not known",
            chain.anchor
        ),
    };
    let checks = chain.checks_passed();
    let mut lines = vec![
        format!(
            "valid:    the certificate verifies for {purpose} at {}{}",
            jst_and_utc(now),
            if at.is_some() { " (--at)" } else { "" }
        ),
        format!(
            "purpose:  {purpose}, {}",
            if purpose_source == "--purpose" {
                "as --purpose asked"
            } else {
                "from the certificate itself (choose with --purpose)"
            }
        ),
        format!(
            "chain:    1. {} (serial {}, valid {} to {} JST, {})",
            cert.subject,
            cert.serial,
            cert.not_before_jst(),
            cert.not_after_jst(),
            validity_now(&cert, now)
        ),
    ];
    lines.push(match &root {
        Some(root) => format!(
            "          2. {} (root, serial {}, valid to {} JST)",
            root.subject,
            root.serial,
            root.not_after_jst()
        ),
        None => format!("          2. {} (root)", cert.issuer),
    });
    lines.push(format!("anchor:   {anchor_line}"));
    lines.push(format!("checks passed ({}):", checks.len()));
    for check in &checks {
        lines.push(format!("  ok  {}", check.describe(purpose)));
    }
    let policies: Vec<String> = cert
        .policies
        .iter()
        .map(|p| with_meaning(p, policy_meaning(p)))
        .collect();
    list(&mut lines, "policies:", &policies);
    lines.push(
        "revocation: not checked (J-LIS revocation data needs an authorised platform operator)"
            .into(),
    );
    // Personal attributes are not shown: `cert inspect` is the command that shows them.
    lines.extend(
        certificate_lines(&cert, false)
            .into_iter()
            .filter(|l| l.starts_with("personal:")),
    );

    // Days left at the time of the check (`--at`), like the top-level `days_left`.
    let mut certificate = certificate_json(&cert, false);
    certificate["days_left"] = json!(chain.days_left);

    Ok(Outcome {
        json: json!({
            "valid": true,
            "purpose": purpose,
            "purpose_source": if purpose_source == "--purpose" { "option" } else { "certificate" },
            "at": instant_json(now),
            "chain": [
                {
                    "role": "certificate",
                    "subject": cert.subject,
                    "issuer": cert.issuer,
                    "serial": cert.serial,
                },
                {
                    "role": "root",
                    "subject": root.as_ref().map(|r| r.subject.clone()),
                    "serial": root.as_ref().map(|r| r.serial.clone()),
                    "not_after": root.as_ref().map(|r| instant_json(r.not_after)),
                },
            ],
            "anchor": {
                "name": chain.anchor,
                "generation": chain.generation,
                "production_root": chain.production,
                "hierarchy": if chain.production { "production" } else { "test" },
            },
            "days_left": chain.days_left,
            "checks_passed": checks
                .iter()
                .map(|c| json!({ "check": c.name(), "description": c.describe(purpose) }))
                .collect::<Vec<_>>(),
            "certificate": certificate,
            "revocation": "not-checked",
        }),
        lines,
    })
}

/// What the certificate policy OIDs mean (the J-LIS ones; others are shown bare).
fn policy_meaning(oid: &str) -> Option<&'static str> {
    Some(match oid {
        POLICY_AUTHENTICATION => "authentication, production",
        POLICY_AUTHENTICATION_TEST => "authentication, test hierarchy",
        POLICY_SIGNATURE => "signature, production",
        POLICY_SIGNATURE_TEST => "signature, test hierarchy",
        POLICY_SIGNATURE_SMARTPHONE => "signature, smartphone",
        _ => return None,
    })
}

fn with_meaning(oid: &str, meaning: Option<&str>) -> String {
    match meaning {
        Some(m) => format!("{oid} ({m})"),
        None => oid.to_string(),
    }
}

/// A CA: what it issues, its hierarchy and, for one of the six J-LIS roots, which one.
struct CaFacts {
    issues: Option<CertificatePurpose>,
    known_root: Option<&'static KnownRoot>,
    test: bool,
}

impl CaFacts {
    fn of(cert: &CertificateInfo) -> Option<Self> {
        (cert.purpose == CertificatePurpose::CertificateAuthority).then(|| CaFacts {
            issues: cert.ca_purpose(),
            known_root: cert.known_root(),
            test: cert.test_hierarchy,
        })
    }

    fn hierarchy(&self) -> &'static str {
        if self.test {
            "test"
        } else {
            "production"
        }
    }

    fn describe(&self) -> String {
        match (self.known_root, self.test) {
            (Some(root), _) => format!(
                "J-LIS production root {}, generation {}",
                root.name, root.generation
            ),
            (None, true) => "JPKI test hierarchy (O=JPKI-TEST): trusted only when you opt in \
                             (--trust-root FILE, or --trust-virtual-card for the virtual card's)"
                .into(),
            (None, false) => "production name, but not one of the six J-LIS production roots \
                              kazashi knows: not trusted"
                .into(),
        }
    }
}

/// The lines `label: first`, then the rest indented under it; `none` when empty.
fn list(lines: &mut Vec<String>, label: &str, items: &[String]) {
    match items.split_first() {
        None => lines.push(format!("{label:<9} none")),
        Some((first, rest)) => {
            lines.push(format!("{label:<9} {first}"));
            lines.extend(rest.iter().map(|item| format!("{:9} {item}", "")));
        }
    }
}

/// The fields `cert inspect` adds to the summary, as text.
fn detail_lines(cert: &CertificateInfo, now: i64) -> Vec<String> {
    let mut lines = vec![
        format!("purpose:  {}", cert.purpose),
        format!("subject:  {}", cert.subject),
        format!("issuer:   {}", cert.issuer),
        format!("serial:   {}", cert.serial),
        format!(
            "valid:    {} to {} JST ({})",
            cert.not_before_jst(),
            cert.not_after_jst(),
            validity_now(cert, now)
        ),
        format!(
            "          {} to {} UTC",
            cert.not_before_utc(),
            cert.not_after_utc()
        ),
        format!("key:      RSA-{}", cert.key_bits),
    ];
    match CaFacts::of(cert) {
        Some(ca) => {
            if let Some(issues) = ca.issues {
                lines.push(format!("issues:   {issues} certificates"));
            }
            lines.push(format!("root:     {}", ca.describe()));
        }
        None => lines.push(format!(
            "hierarchy: {}",
            if cert.test_hierarchy {
                "test (issued by O=JPKI-TEST; not a production certificate)"
            } else {
                "production (issued by O=JPKI)"
            }
        )),
    }
    let policies: Vec<String> = cert
        .policies
        .iter()
        .map(|p| with_meaning(p, policy_meaning(p)))
        .collect();
    list(&mut lines, "policies:", &policies);
    lines.push(format!(
        "key usage: {}",
        match &cert.key_usage {
            Some(bits) => bits.join(", "),
            None => "none".into(),
        }
    ));
    let eku: Vec<String> = cert
        .extended_key_usage
        .iter()
        .flatten()
        .map(|oid| with_meaning(oid, extended_key_usage_name(oid)))
        .collect();
    list(&mut lines, "ext. key usage:", &eku);
    let aia: Vec<String> = cert
        .authority_info_access
        .iter()
        .map(|a| format!("{} {}", a.method, a.location))
        .collect();
    list(&mut lines, "AIA:", &aia);
    list(&mut lines, "CRL DP:", &cert.crl_distribution_points);
    if let Some(attrs) = &cert.personal {
        lines.extend(personal_lines(attrs));
    }
    lines
}

/// The fields `cert inspect --json` adds to [`certificate_json`].
fn detail_json(cert: &CertificateInfo, now: i64) -> Value {
    let status = if now < cert.not_before {
        "not-yet-valid"
    } else if now > cert.not_after {
        "expired"
    } else {
        "valid"
    };
    let mut v = json!({
        "validity": {
            "not_before": instant_json(cert.not_before),
            "not_after": instant_json(cert.not_after),
            "status": status,
            "description": validity_now(cert, now),
        },
        "hierarchy": if cert.test_hierarchy { "test" } else { "production" },
        "policies": cert.policies.iter().map(|p| json!({ "oid": p, "meaning": policy_meaning(p) })).collect::<Vec<_>>(),
        "key_usage": cert.key_usage,
        "extended_key_usage": cert.extended_key_usage.as_ref().map(|ekus| {
            ekus.iter().map(|oid| json!({ "oid": oid, "name": extended_key_usage_name(oid) })).collect::<Vec<_>>()
        }),
        "authority_info_access": cert.authority_info_access,
        "crl_distribution_points": cert.crl_distribution_points,
    });
    if let Some(ca) = CaFacts::of(cert) {
        v["ca"] = json!({
            "issues": ca.issues,
            "hierarchy": ca.hierarchy(),
            "known_root": ca.known_root.map(|r| json!({ "name": r.name, "generation": r.generation })),
            "description": ca.describe(),
        });
    }
    v
}

/// `kazashi cert inspect FILE`: every field a person checks, personal attributes included (the
/// user asked for this file to be described).
pub fn inspect(file: &Path) -> Result<Outcome, Failure> {
    let der = der_or_pem(read(file)?);
    let cert = CertificateInfo::from_der(&der)?;
    let now = unix_now();
    let mut json = certificate_json(&cert, true);
    if let (Some(target), Value::Object(extra)) = (json.as_object_mut(), detail_json(&cert, now)) {
        target.extend(extra);
    }
    Ok(Outcome {
        json,
        lines: detail_lines(&cert, now),
    })
}

/// A next step for a rejection the user can act on with this tool's options.
pub fn hint(failure: &Failure) -> Option<&'static str> {
    match failure {
        Failure::Rejected(TrustError::TestRootNotAccepted) => Some(
            "test certificates verify only under a test root you choose: add \
             --trust-virtual-card for the virtual card's, or --trust-root FILE for a J-LIS \
             test card's root",
        ),
        Failure::Rejected(TrustError::WrongPurpose {
            found: CertificatePurpose::CertificateAuthority,
            ..
        }) => Some(
            "this is a root (CA) certificate, not one issued to a card holder; `kazashi cert \
             inspect FILE` says whether it is one of the J-LIS roots",
        ),
        _ => None,
    }
}

/// `--purpose` or `--at` given to a `cert` command other than `verify`.
pub fn verify_only_options() -> Failure {
    Failure::Card(Error::InvalidInput {
        reason: "--purpose and --at go with `kazashi cert verify FILE`; the other cert \
                 commands take neither"
            .into(),
    })
}

/// `cert inspect` or `cert verify` without its file.
pub fn file_needed(verify: bool) -> Failure {
    let command = if verify { "verify" } else { "inspect" };
    Failure::Card(Error::InvalidInput {
        reason: format!(
            "cert {command} needs a certificate file (DER or PEM): kazashi cert {command} FILE; \
             `kazashi cert auth --virtual --out FILE` writes one"
        ),
    })
}
