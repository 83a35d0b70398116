//! `kazashi demo`: the whole story on the virtual card, with every signature checked and the
//! APDUs each flow took. The virtual card's PINs are used internally and never printed.

use kazashi::unix_now;
use kazashi::{
    ApduStats, AuthPin, CardStatus, CertificateInfo, CertificateKind, CertificatePurpose,
    DigestAlgorithm, DocumentDigest, JpkiCard, LastAttempt, LoginResult, PinKind, SignOptions,
    SigningPassword,
};
use kazashi_virtual_card::{Profile, VirtualCard};
use kazashi_virtual_card::{DEFAULT_AUTH_PIN, DEFAULT_SIGNING_PASSWORD};
use serde_json::json;

use crate::commands::Outcome;
use crate::failure::Failure;
use kazashi_verify::{
    InMemoryChallengeStore, LoginMessage, LoginRequest, LoginVerifier, RelyingPartyId, TrustStore,
};

/// The relying party the demo's server plays.
const DEMO_RELYING_PARTY: &str = "demo.kazashi.example";

use crate::report::{certificate_json, certificate_lines, pin_json, stats_json, stats_line};

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// The virtual card's session, as every step of the demo uses it.
type Card<'a> = JpkiCard<&'a mut VirtualCard>;

/// Runs the demo on a fresh virtual card of `profile`: five steps, each adding its lines and
/// its JSON section.
pub fn run(profile: Profile) -> Result<Outcome, Failure> {
    let mut virtual_card = VirtualCard::from_profile(profile);
    // The server side of the demo trusts this virtual card's test root (explicit opt-in).
    let trust = TrustStore::production().with_test_root(
        virtual_card.root_der(PinKind::Authentication),
        CertificatePurpose::Authentication,
    )?;
    let challenges = InMemoryChallengeStore::default();
    let server = LoginVerifier::new(
        &trust,
        &challenges,
        RelyingPartyId::parse(DEMO_RELYING_PARTY).map_err(kazashi::Error::from)?,
    );
    let mut card = JpkiCard::new(&mut virtual_card);
    let mut lines = vec![
        format!(
            "Kazashi demo on a virtual card (profile {profile}: {})",
            profile.description()
        ),
        String::new(),
    ];

    let status = status_step(&mut card, &mut lines)?;
    let request = server.issue_request(unix_now(), 120)?;
    let pin = AuthPin::new(DEFAULT_AUTH_PIN)?;
    let login_json = login_step(&mut card, &server, &request, &pin, &mut lines)?;
    let sign_json = sign_step(&mut card, &mut lines)?;
    let cas = ca_step(&mut card, &mut lines)?;
    let safety_json = pin_safety_step(&mut card, &status, request.challenge(), &pin, &mut lines)?;

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

/// Step 1: what the card is, without any PIN.
fn status_step(card: &mut Card, lines: &mut Vec<String>) -> Result<CardStatus, Failure> {
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
    Ok(status)
}

/// Step 2, tap to log in: the signature checked here, the log-in message verified by the server
/// once, then a second log-in with the certificate the app kept.
fn login_step(
    card: &mut Card,
    server: &LoginVerifier,
    request: &LoginRequest,
    pin: &AuthPin,
    lines: &mut Vec<String>,
) -> Result<serde_json::Value, Failure> {
    lines.push(String::new());
    lines.push("2. Tap to log in".into());
    lines.push(format!("   the app shows:      \"{}\"", request.prompt()));
    lines.push(format!(
        "   server challenge:   {}",
        hex::encode(request.challenge())
    ));
    let result = match block(card.login_v2(request, pin, LastAttempt::Confirmed)) {
        Ok(result) => result,
        Err(e) => {
            lines.push(format!("   refused: {e}"));
            return Ok(json!({ "error": e.to_string() }));
        }
    };
    let digest = DigestAlgorithm::Sha256.digest(&request.signed_bytes());
    result.certificate.verify_digest_signature(
        DigestAlgorithm::Sha256,
        &digest,
        &result.signature,
    )?;
    let mut json = signed_section(
        lines,
        "authentication",
        &result.signature,
        &result.certificate,
        result.stats,
    );
    json["challenge"] = json!(hex::encode(request.challenge()));
    json["relying_party"] = json!(request.relying_party().as_str());
    json["server_verified"] = json!(server_verifies(server, request, &result, lines));
    // The next visit: the app kept the certificate, so the card only signs.
    let next = server.issue_request(unix_now(), 120)?;
    let again = block(card.login_v2_with_cached_certificate(
        &next,
        pin,
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
    Ok(json)
}

/// The server's side of a log-in: the message the app would send, verified once.
fn server_verifies(
    server: &LoginVerifier,
    request: &LoginRequest,
    result: &LoginResult,
    lines: &mut Vec<String>,
) -> bool {
    let message = LoginMessage::v2(
        request,
        &result.signature,
        result.certificate.der(),
        "physical-card",
    );
    match server.verify(&message, request.challenge(), unix_now()) {
        Ok(verified) => {
            lines.push(format!(
                "   server: log-in for {} verified, anchored by {} ({})",
                server.relying_party(),
                verified.chain.anchor,
                verified.revocation.describe()
            ));
            true
        }
        Err(e) => {
            lines.push(format!("   server: rejected: {e}"));
            false
        }
    }
}

/// Step 3, tap to sign a document digest, the signature checked here.
fn sign_step(card: &mut Card, lines: &mut Vec<String>) -> Result<serde_json::Value, Failure> {
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
    let result = match block(card.sign(&digest, &password, options)) {
        Ok(result) => result,
        Err(e) => {
            lines.push(format!("   refused: {e}"));
            return Ok(json!({ "error": e.to_string() }));
        }
    };
    result.certificate.verify_digest_signature(
        result.algorithm,
        &result.digest,
        &result.signature,
    )?;
    let mut json = signed_section(
        lines,
        "signing",
        &result.signature,
        &result.certificate,
        result.stats,
    );
    json["digest"] = json!(hex::encode(&result.digest));
    Ok(json)
}

/// Step 4: the CA certificates, free to read.
fn ca_step(card: &mut Card, lines: &mut Vec<String>) -> Result<Vec<serde_json::Value>, Failure> {
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
    Ok(cas)
}

/// Step 5, PIN safety: a wrong PIN costs exactly one attempt and says how many are left; the right
/// one then restores the counter. Skipped on profiles that start low.
fn pin_safety_step(
    card: &mut Card,
    status: &CardStatus,
    challenge: &[u8],
    pin: &AuthPin,
    lines: &mut Vec<String>,
) -> Result<serde_json::Value, Failure> {
    lines.push(String::new());
    lines.push("5. PIN safety".into());
    let full = status
        .authentication_pin
        .attempts_left
        .is_some_and(|n| n >= 3);
    if !full {
        lines.push("   skipped: this profile starts with a low retry counter".into());
        return Ok(json!(null));
    }
    let wrong = AuthPin::new(if DEFAULT_AUTH_PIN == "0000" {
        "1111"
    } else {
        "0000"
    })?;
    let outcome = block(card.login(challenge, &wrong, LastAttempt::Refuse));
    let message = outcome.err().map(|e| e.to_string()).unwrap_or_default();
    lines.push(format!("   a wrong PIN:        \"{message}\""));
    block(card.login(challenge, pin, LastAttempt::Refuse))?;
    let after = block(card.retry_counter(PinKind::Authentication))?;
    lines.push(format!("   the right PIN then: {after}"));
    Ok(json!({ "wrong_pin_message": message, "after_correct_pin": pin_json(&after) }))
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
