//! The relying party's commands: `verify` (CMS files) and `verify-login` (log-in messages);
//! `cert verify` and `cert inspect` are in `cert.rs`. They need no card; test roots are
//! accepted only when asked for.

use kazashi::unix_now;
use kazashi_certificate::instant::rfc3339_utc;
use std::path::{Path, PathBuf};

use kazashi::{CertificateInfo, CertificatePurpose, Error, PinKind};
use kazashi_verify::{
    verify_cms, ChallengeStore, InMemoryChallengeStore, LoginMessage, LoginRequest, LoginVerifier,
    RelyingPartyId, TrustError, TrustStore,
};
use kazashi_virtual_card::{Profile, VirtualCard};
use serde_json::json;

use crate::commands::Outcome;
use crate::failure::Failure;
use crate::report::{certificate_json, certificate_lines};

/// Which roots to accept.
pub struct TrustChoice<'a> {
    /// `--trust-virtual-card`: the virtual card's test roots (for its `--profile`).
    pub virtual_card: Option<Profile>,
    /// `--trust-root FILE`: more roots, DER or PEM.
    pub roots: &'a [PathBuf],
}

/// The file's bytes, or an error that names it.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::InvalidInput {
        reason: format!("cannot read {}: {e}", path.display()),
    })
}

/// DER, or the first PEM block.
pub(crate) fn der_or_pem(bytes: Vec<u8>) -> Vec<u8> {
    match der::pem::decode_vec(&bytes) {
        Ok((_, der)) => der,
        Err(_) => bytes,
    }
}

impl TrustChoice<'_> {
    /// The production roots plus the test roots the user opted into.
    pub(crate) fn store(&self) -> Result<TrustStore, Failure> {
        let mut store = TrustStore::production();
        if let Some(profile) = self.virtual_card {
            let card = VirtualCard::from_profile(profile);
            store = store
                .with_test_root(
                    card.root_der(PinKind::Authentication),
                    CertificatePurpose::Authentication,
                )?
                .with_test_root(
                    card.root_der(PinKind::Signing),
                    CertificatePurpose::Signature,
                )?;
        }
        for path in self.roots {
            let der = der_or_pem(read(path)?);
            let info = CertificateInfo::from_der(&der)?;
            let purposes: &[CertificatePurpose] =
                if info.subject.contains("OU=JPKI for user authentication") {
                    &[CertificatePurpose::Authentication]
                } else if info.subject.contains("OU=JPKI for digital signature") {
                    &[CertificatePurpose::Signature]
                } else {
                    &[
                        CertificatePurpose::Authentication,
                        CertificatePurpose::Signature,
                    ]
                };
            for purpose in purposes {
                store = store.with_test_root(&der, *purpose)?;
            }
        }
        Ok(store)
    }
}

fn anchor_json(chain: &kazashi_verify::ChainVerification) -> serde_json::Value {
    json!({
        "anchor": chain.anchor,
        "generation": chain.generation,
        "production_root": chain.production,
        "days_left": chain.days_left,
    })
}

/// `kazashi verify FILE.p7s [--content FILE]`. The signer's personal attributes are shown
/// only with `show_personal`; otherwise only which ones are present.
pub fn verify(
    file: &Path,
    content: Option<&Path>,
    show_personal: bool,
    trust: TrustChoice<'_>,
) -> Result<Outcome, Failure> {
    let der = der_or_pem(read(file)?);
    let content = content.map(read).transpose()?;
    let store = trust.store()?;
    let verified = verify_cms(&der, content.as_deref(), unix_now(), &store)?;
    let cert = &verified.chain.certificate;
    let mut lines = vec![
        format!(
            "signature valid: {} signed with {} ({})",
            if verified.detached {
                "detached content"
            } else {
                "attached content"
            },
            verified.algorithm.name(),
            "CAdES-BES signed attributes checked"
        ),
        format!(
            "anchored by {} ({} days left on the signer's certificate)",
            verified.chain.anchor, verified.chain.days_left
        ),
    ];
    if let Some(t) = verified.signing_time {
        lines.push(format!(
            "signing time: {} (the signer's claim; no timestamp vouches for it)",
            rfc3339_utc(t)
        ));
    }
    lines.extend(certificate_lines(cert, show_personal));
    lines.push(
        "revocation: not checked (J-LIS revocation data needs an authorised platform operator)"
            .into(),
    );
    Ok(Outcome {
        json: json!({
            "valid": true,
            "detached": verified.detached,
            "digest_algorithm": verified.algorithm.name(),
            "signing_time": verified.signing_time.map(rfc3339_utc),
            "signing_time_source": "signer-claim",
            "chain": anchor_json(&verified.chain),
            "signer": certificate_json(cert, show_personal),
            "revocation": "not-checked",
        }),
        lines,
    })
}

/// What `kazashi verify-login` checks a message against.
pub struct LoginExpectation<'a> {
    /// `--relying-party`: this server's id.
    pub relying_party: &'a str,
    /// `--request FILE`: the version-2 request the server issued.
    pub request: Option<&'a Path>,
    /// `--challenge HEX`: the challenge the server issued.
    pub challenge: Option<&'a str>,
    /// `--allow-v1`.
    pub allow_v1: bool,
}

/// `kazashi verify-login MESSAGE.json --relying-party ID (--request FILE | --challenge HEX)`.
pub fn verify_login(
    message: &Path,
    expected: LoginExpectation<'_>,
    trust: TrustChoice<'_>,
) -> Result<Outcome, Failure> {
    let text = String::from_utf8(read(message)?).map_err(|_| TrustError::Malformed {
        reason: "the log-in message is not UTF-8 JSON".into(),
    })?;
    let message = LoginMessage::from_json(&text).map_err(TrustError::from)?;
    let relying_party = RelyingPartyId::parse(expected.relying_party).map_err(Error::from)?;
    let now = unix_now();
    // One-shot: the request or challenge given on the command line is the one the server
    // issued, registered for its own lifetime (a request) or for five minutes (a challenge).
    let (challenge, expires_at) = match (expected.request, expected.challenge) {
        (Some(path), _) => {
            let text = String::from_utf8(read(path)?).map_err(|_| TrustError::Malformed {
                reason: "the log-in request is not UTF-8 JSON".into(),
            })?;
            let request = LoginRequest::from_json(&text).map_err(TrustError::from)?;
            (request.challenge().to_vec(), request.expires_at())
        }
        (None, Some(hex_text)) => {
            let challenge = hex::decode(hex_text.trim()).map_err(|e| Error::InvalidInput {
                reason: format!("the challenge must be hexadecimal ({e})"),
            })?;
            (challenge, now + 300)
        }
        (None, None) => {
            return Err(Failure::Card(Error::InvalidInput {
                reason: "verify-login needs --request FILE or --challenge HEX".into(),
            }))
        }
    };
    let store = trust.store()?;
    let challenges = InMemoryChallengeStore::default();
    challenges.remember(&challenge, now, expires_at)?;
    let mut verifier = LoginVerifier::new(&store, &challenges, relying_party);
    if expected.allow_v1 {
        verifier = verifier.accept_version_1();
    }
    let verified = verifier.verify(&message, &challenge, now)?;
    let cert = &verified.chain.certificate;
    let binding = match &verified.relying_party {
        Some(rp) => format!("log-in version 2, bound to {rp}"),
        None => "log-in version 1: NOT bound to a relying party (accepted by --allow-v1)".into(),
    };
    let mut lines =
        vec![
        "log-in valid: the signature verifies with the authentication certificate".into(),
        binding,
        format!("anchored by {} ({} days left)", verified.chain.anchor, verified.chain.days_left),
        format!("token type (reported by the app): {}", verified.token_type),
        format!("revocation: {}", verified.revocation.describe()),
        "replay and freshness: NOT checked. This command keeps no record of challenges, so the \
         same message is valid on every run at any age; a server must issue each challenge, \
         accept it once and expire it (kazashi_verify::LoginVerifier does)"
            .into(),
    ];
    lines.extend(certificate_lines(cert, false));
    Ok(Outcome {
        json: json!({
            "valid": true,
            "version": verified.version,
            "relying_party": verified.relying_party.as_ref().map(|rp| rp.to_string()),
            "replay_checked": false,
            "freshness_checked": false,
            "chain": anchor_json(&verified.chain),
            "certificate": certificate_json(cert, false),
            "token_type": verified.token_type,
            "revocation": "not-checked",
        }),
        lines,
    })
}

/// `kazashi login-request --relying-party ID`: a fresh version-2 request, as a server sends it.
pub fn login_request(relying_party: &str, ttl_seconds: u32) -> Result<Outcome, Failure> {
    let relying_party = RelyingPartyId::parse(relying_party).map_err(Error::from)?;
    let challenges = InMemoryChallengeStore::default();
    let store = TrustStore::production();
    let request = LoginVerifier::new(&store, &challenges, relying_party)
        .issue_request(unix_now(), i64::from(ttl_seconds))?;
    let json: serde_json::Value =
        serde_json::from_str(&request.to_json()).expect("a request is JSON");
    Ok(Outcome {
        lines: vec![request.to_json()],
        json,
    })
}
