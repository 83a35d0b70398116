//! `kazashi demo`: the whole story on the virtual card, with every signature checked and the
//! APDUs each flow took. The virtual card's PINs are used internally and never printed.

use kazashi::unix_now;
use kazashi::{
    ApduStats, AuthPin, CertificateInfo, CertificateKind, CertificatePurpose, DigestAlgorithm,
    DocumentDigest, JpkiCard, LastAttempt, PinKind, SignOptions, SigningPassword,
};
use kazashi_virtual_card::{Profile, VirtualCard};
use kazashi_virtual_card::{DEFAULT_AUTH_PIN, DEFAULT_SIGNING_PASSWORD};
use serde_json::json;

use crate::commands::Outcome;
use crate::failure::Failure;
use kazashi_verify::{InMemoryChallengeStore, LoginMessage, LoginVerifier, TrustStore};

use crate::report::{certificate_json, certificate_lines, pin_json, stats_json, stats_line};

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// Runs the demo on a fresh virtual card of `profile`.
pub fn run(profile: Profile) -> Result<Outcome, Failure> {
    let mut virtual_card = VirtualCard::from_profile(profile);
    // The server side of the demo trusts this virtual card's test root (explicit opt-in).
    let trust = TrustStore::production().with_test_root(
        virtual_card.root_der(PinKind::Authentication),
        CertificatePurpose::Authentication,
    )?;
    let challenges = InMemoryChallengeStore::default();
    let server = LoginVerifier::new(&trust, &challenges);
    let mut card = JpkiCard::new(&mut virtual_card);
    let mut lines = vec![
        format!(
            "Kazashi demo on a virtual card (profile {profile}: {})",
            profile.description()
        ),
        String::new(),
    ];

    // 1. What the card is, without any PIN.
    let status = block(card.status())?;
    lines.push("1. Card status (no PIN, no attempt spent)".into());
    lines.push(format!(
        "   card:               {}",
        status.token.token_type.describe()
    ));
    lines.push(format!("   {}", status.authentication_pin));
    lines.push(match &status.signing_password {
        Some(p) => format!("   {p}"),
        None => "   signing password: none (no signing certificate on this card)".into(),
    });
    lines.push(format!("   {}", stats_line(status.stats)));

    // 2. Tap to log in.
    let challenge = server.issue_challenge(unix_now(), 120);
    let pin = AuthPin::new(DEFAULT_AUTH_PIN)?;
    lines.push(String::new());
    lines.push("2. Tap to log in".into());
    lines.push(format!(
        "   server challenge:   {}",
        hex::encode(&challenge)
    ));
    let login = block(card.login(&challenge, &pin, LastAttempt::Confirmed));
    let login_json = match &login {
        Ok(result) => {
            let digest = DigestAlgorithm::Sha256.digest(&challenge);
            result.certificate.verify_digest_signature(
                DigestAlgorithm::Sha256,
                &digest,
                &result.signature,
            )?;
            let mut json = signed_section(
                &mut lines,
                "authentication",
                &result.signature,
                &result.certificate,
                result.stats,
            );
            json["challenge"] = json!(hex::encode(&challenge));
            // The server's side: the message the app would send, verified once.
            let message = LoginMessage::new(
                &challenge,
                &result.signature,
                result.certificate.der(),
                "physical-card",
            );
            match server.verify(&message, &challenge, unix_now()) {
                Ok(verified) => {
                    lines.push(format!(
                        "   server: log-in message verified, anchored by {} ({})",
                        verified.chain.anchor,
                        verified.revocation.describe()
                    ));
                    json["server_verified"] = json!(true);
                }
                Err(e) => {
                    lines.push(format!("   server: rejected: {e}"));
                    json["server_verified"] = json!(false);
                }
            }
            // The next visit: the app kept the certificate, so the card only signs.
            let next = server.issue_challenge(unix_now(), 120);
            let again = block(card.login_with_cached_certificate(
                &next,
                &pin,
                LastAttempt::Refuse,
                &result.certificate,
            ))?;
            lines.push(format!(
                "   next log-in, certificate cached by the app: {}{}",
                stats_line(again.stats),
                if again.certificate_from_cache {
                    ""
                } else {
                    " (cache missed)"
                }
            ));
            json["cached_login"] = json!({
                "certificate_from_cache": again.certificate_from_cache,
                "traffic": stats_json(again.stats),
            });
            json
        }
        Err(e) => {
            lines.push(format!("   refused: {e}"));
            json!({ "error": e.to_string() })
        }
    };

    // 3. Tap to sign.
    let document = "令和8年度 児童手当 認定請求書 (virtual application form)".as_bytes();
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, document);
    let password = SigningPassword::new(DEFAULT_SIGNING_PASSWORD)?;
    lines.push(String::new());
    lines.push("3. Tap to sign".into());
    lines.push(format!(
        "   document SHA-256:   {}",
        hex::encode(digest.digest())
    ));
    let options = SignOptions {
        last_attempt: LastAttempt::Confirmed,
        ..SignOptions::default()
    };
    let sign_json = match block(card.sign(&digest, &password, options)) {
        Ok(result) => {
            result.certificate.verify_digest_signature(
                result.algorithm,
                &result.digest,
                &result.signature,
            )?;
            let mut json = signed_section(
                &mut lines,
                "signing",
                &result.signature,
                &result.certificate,
                result.stats,
            );
            json["digest"] = json!(hex::encode(&result.digest));
            json
        }
        Err(e) => {
            lines.push(format!("   refused: {e}"));
            json!({ "error": e.to_string() })
        }
    };

    // 4. The CA certificates, free to read.
    lines.push(String::new());
    lines.push("4. CA certificates".into());
    let mut cas = Vec::new();
    for kind in [
        CertificateKind::AuthenticationCa,
        CertificateKind::SigningCa,
    ] {
        let ca = block(card.read_certificate(kind))?;
        lines.push(format!(
            "   {}, valid until {}",
            ca.subject,
            ca.not_after_date()
        ));
        cas.push(certificate_json(&ca, false));
    }

    // 5. PIN safety: a wrong PIN costs exactly one attempt and says how many are left.
    lines.push(String::new());
    lines.push("5. PIN safety".into());
    let safety_json = if status
        .authentication_pin
        .attempts_left
        .is_some_and(|n| n >= 3)
    {
        let wrong = AuthPin::new(if DEFAULT_AUTH_PIN == "0000" {
            "1111"
        } else {
            "0000"
        })?;
        let outcome = block(card.login(&challenge, &wrong, LastAttempt::Refuse));
        let message = outcome.err().map(|e| e.to_string()).unwrap_or_default();
        lines.push(format!("   a wrong PIN:        \"{message}\""));
        block(card.login(&challenge, &pin, LastAttempt::Refuse))?;
        let after = block(card.retry_counter(PinKind::Authentication))?;
        lines.push(format!("   the right PIN then: {after}"));
        json!({ "wrong_pin_message": message, "after_correct_pin": pin_json(&after) })
    } else {
        lines.push("   skipped: this profile starts with a low retry counter".into());
        json!(null)
    };
    let total = card.stats();
    lines.push(String::new());
    lines.push(format!("Total: {}", stats_line(total)));
    Ok(Outcome {
        json: json!({
            "profile": profile.name(),
            "status": {
                "token": status.token.token_type,
                "authentication_pin": pin_json(&status.authentication_pin),
                "signing_password": status.signing_password.as_ref().map(pin_json),
                "traffic": stats_json(status.stats),
            },
            "login": login_json,
            "sign": sign_json,
            "ca_certificates": cas,
            "pin_safety": safety_json,
            "apdus": total.apdus,
            "traffic": stats_json(total),
        }),
        lines,
    })
}

/// The lines and JSON shared by the log-in and signing sections: a verified signature, the
/// certificate it was checked against (no personal values), and the traffic.
fn signed_section(
    lines: &mut Vec<String>,
    certificate_name: &str,
    signature: &[u8],
    certificate: &CertificateInfo,
    stats: ApduStats,
) -> serde_json::Value {
    lines.push(format!(
        "   signature:          {}…",
        &hex::encode(signature)[..48]
    ));
    lines.push(format!(
        "   verified against the {certificate_name} certificate (sha256WithRSAEncryption)"
    ));
    lines.push(format!("   {certificate_name} certificate:"));
    lines.extend(
        certificate_lines(certificate, false)
            .into_iter()
            .map(|l| format!("     {l}")),
    );
    lines.push(format!("   {}", stats_line(stats)));
    json!({
        "signature": hex::encode(signature),
        "verified": true,
        "certificate": certificate_json(certificate, false),
        "traffic": stats_json(stats),
    })
}
