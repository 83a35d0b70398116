//! One function per subcommand. Each returns the JSON object and the lines a person reads;
//! `main` prints whichever was asked for.

use kazashi::unix_now;
use std::path::Path;

use kazashi::{
    AuthPin, CertificateKind, DigestAlgorithm, DocumentDigest, Error, JpkiCard, LastAttempt,
    PinKind, SignOptions, SigningPassword, Transport,
};
use kazashi::{LoginMessage, LoginRequest, RelyingPartyId};
use kazashi_documents::{sign_cms as sign_cms_flow, CmsOptions};
use serde_json::{json, Value};

use crate::pins::{confirm_last_attempt, PinSource};
use crate::report::{certificate_json, certificate_lines, pin_json, stats_json, stats_line};

/// What a command produced.
pub struct Outcome {
    /// The `--json` object (without `ok` and `apdus`, which `main` adds).
    pub json: Value,
    /// Lines for people.
    pub lines: Vec<String>,
}

/// Options shared by the PIN-using commands.
#[derive(Debug, Clone, Copy)]
pub struct PinOptions {
    /// Where PINs come from.
    pub source: PinSource,
    /// `--confirm-last-attempt`.
    pub confirmed: bool,
    /// Whether we may ask on the terminal.
    pub interactive: bool,
}

impl PinOptions {
    /// Runs `flow`; if it stops at the last attempt and we can ask, asks, then runs it once more
    /// with the user's confirmation. The first run sent no VERIFY, so no attempt is repeated.
    pub(crate) fn with_last_attempt<R>(
        &self,
        mut flow: impl FnMut(LastAttempt) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let first = if self.confirmed {
            LastAttempt::Confirmed
        } else {
            LastAttempt::Refuse
        };
        match flow(first) {
            Err(Error::LastAttemptNotConfirmed { pin })
                if self.interactive && confirm_last_attempt(pin) =>
            {
                flow(LastAttempt::Confirmed)
            }
            other => other,
        }
    }
}

pub(crate) fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|e| Error::InvalidInput {
        reason: format!("cannot write {}: {e}", path.display()),
    })
}

/// `kazashi status`.
pub fn status<T: Transport>(card: &mut JpkiCard<T>) -> Result<Outcome, Error> {
    let status = block(card.status())?;
    let mut lines = vec![
        format!(
            "card:                {}",
            status.token.token_type.describe()
        ),
        status.authentication_pin.to_string(),
    ];
    lines.push(match &status.signing_password {
        Some(p) => p.to_string(),
        None => "signing password: none (this card has no signing certificate)".into(),
    });
    let auth_json = match &status.authentication_certificate {
        Some(cert) => {
            lines.push(format!(
                "authentication certificate valid until {} ({} days left)",
                cert.not_after_date(),
                cert.days_left(unix_now())
            ));
            certificate_json(cert, false)
        }
        None => {
            lines.push("authentication certificate: protected by the PIN on this token".into());
            Value::Null
        }
    };
    Ok(Outcome {
        json: json!({
            "token": status.token.token_type,
            "token_label": status.token.token_type.label(),
            "authentication_pin": pin_json(&status.authentication_pin),
            "signing_password": status.signing_password.as_ref().map(pin_json),
            "signing_certificate_present": status.has_signing_certificate(),
            "authentication_certificate": auth_json,
        }),
        lines,
    })
}

/// `kazashi cert`.
pub fn cert<T: Transport>(
    card: &mut JpkiCard<T>,
    kind: CertificateKind,
    pem: bool,
    out: Option<&Path>,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    let cert = match kind {
        CertificateKind::Signing => {
            let password = pins.source.signing_password("Signing password")?;
            pins.with_last_attempt(|last| block(card.read_signing_certificate(&password, last)))?
        }
        kind => match block(card.read_certificate(kind)) {
            Err(Error::PinRequired {
                pin: PinKind::Authentication,
            }) => {
                let pin = pins
                    .source
                    .auth_pin("This token protects its certificate. Authentication PIN")?;
                pins.with_last_attempt(|last| {
                    block(card.read_authentication_certificate_with_pin(&pin, last))
                })?
            }
            other => other?,
        },
    };
    let personal = kind == CertificateKind::Signing;
    let mut lines = certificate_lines(&cert, personal);
    match out {
        Some(path) => {
            let bytes = if pem {
                cert.to_pem().into_bytes()
            } else {
                cert.der().to_vec()
            };
            write_file(path, &bytes)?;
            lines.push(format!(
                "written:  {} ({})",
                path.display(),
                if pem { "PEM" } else { "DER" }
            ));
        }
        None => lines.push(cert.to_pem().trim_end().to_string()),
    }
    let mut json = certificate_json(&cert, personal);
    json["pem"] = json!(cert.to_pem());
    Ok(Outcome { json, lines })
}

/// Where `kazashi login` writes (and, for the cache, reads) its files.
pub struct LoginFiles<'a> {
    pub signature: Option<&'a Path>,
    pub certificate: Option<&'a Path>,
    pub message: Option<&'a Path>,
    pub certificate_cache: Option<&'a Path>,
}

/// What `kazashi login` answers.
pub enum LoginInput<'a> {
    /// `--request FILE`: a version-2 log-in request, optionally checked against the relying
    /// party the user expects.
    Request {
        path: &'a Path,
        expect_relying_party: Option<&'a str>,
    },
    /// `--challenge HEX`: a version-1 bare challenge.
    Challenge(&'a str),
}

/// The version-2 request, or the version-1 challenge, checked before anything is sent.
enum LoginTarget {
    Request(LoginRequest),
    Challenge(Vec<u8>),
}

impl LoginInput<'_> {
    fn load(&self) -> Result<LoginTarget, Error> {
        match *self {
            LoginInput::Request {
                path,
                expect_relying_party,
            } => {
                let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidInput {
                    reason: format!("cannot read the log-in request {}: {e}", path.display()),
                })?;
                let request = LoginRequest::from_json(&text)?;
                if let Some(expected) = expect_relying_party {
                    request.expect_relying_party(&RelyingPartyId::parse(expected)?)?;
                }
                Ok(LoginTarget::Request(request))
            }
            LoginInput::Challenge(hex_text) => {
                let challenge = hex::decode(hex_text.trim()).map_err(|e| Error::InvalidInput {
                    reason: format!("the challenge must be hexadecimal ({e})"),
                })?;
                if challenge.is_empty() {
                    return Err(Error::InvalidInput {
                        reason: "the challenge is empty".into(),
                    });
                }
                Ok(LoginTarget::Challenge(challenge))
            }
        }
    }
}

/// `kazashi login`.
pub fn login<T: Transport>(
    card: &mut JpkiCard<T>,
    input: LoginInput<'_>,
    files: LoginFiles<'_>,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    let target = input.load()?;
    if let LoginTarget::Request(request) = &target {
        // Before the PIN: the user sees whom the signature will be valid for.
        eprintln!("{}", request.prompt());
    }
    let pin = pins.source.auth_pin("Authentication PIN")?;
    // A missing or unreadable cache file is a cache miss: the card has the certificate.
    let cached = files
        .certificate_cache
        .and_then(|path| std::fs::read(path).ok())
        .and_then(|der| kazashi::CertificateInfo::from_der(&der).ok());
    let result = pins.with_last_attempt(|last| match (&target, &cached) {
        (LoginTarget::Request(request), Some(cached)) => {
            block(card.login_v2_with_cached_certificate(request, &pin, last, cached))
        }
        (LoginTarget::Request(request), None) => block(card.login_v2(request, &pin, last)),
        (LoginTarget::Challenge(challenge), Some(cached)) => {
            block(card.login_with_cached_certificate(challenge, &pin, last, cached))
        }
        (LoginTarget::Challenge(challenge), None) => block(card.login(challenge, &pin, last)),
    })?;
    if let Some(path) = files.signature {
        write_file(path, &result.signature)?;
    }
    if let Some(path) = files.certificate {
        write_file(path, result.certificate.der())?;
    }
    if let Some(path) = files
        .certificate_cache
        .filter(|_| !result.certificate_from_cache)
    {
        write_file(path, result.certificate.der())?;
    }
    if let Some(path) = files.message {
        // The token type is not read during log-in (it would cost two APDUs).
        let (signature, der) = (&result.signature, result.certificate.der());
        let message = match &target {
            LoginTarget::Request(request) => LoginMessage::v2(request, signature, der, "unknown"),
            LoginTarget::Challenge(challenge) => {
                LoginMessage::v1(challenge, signature, der, "unknown")
            }
        };
        write_file(path, message.to_json().as_bytes())?;
    }
    let mut lines = vec![
        "signature verified against the authentication certificate (RSASSA-PKCS1-v1_5, SHA-256)"
            .into(),
        match &target {
            LoginTarget::Request(request) => format!(
                "log-in version 2, bound to {} (valid only for that relying party)",
                request.relying_party()
            ),
            LoginTarget::Challenge(_) => {
                "log-in version 1: the signature covers the bare challenge and is not bound to any relying party"
                    .into()
            }
        },
        format!("signature: {}", hex::encode(&result.signature)),
    ];
    lines.extend(certificate_lines(&result.certificate, false));
    if files.certificate_cache.is_some() {
        lines.push(
            if result.certificate_from_cache {
                "certificate: from the cache (not read from the card)"
            } else {
                "certificate: read from the card, cache updated"
            }
            .into(),
        );
    }
    lines.push(stats_line(result.stats));
    Ok(Outcome {
        json: json!({
            "algorithm": "sha256WithRSAEncryption",
            "version": match &target {
                LoginTarget::Request(_) => 2,
                LoginTarget::Challenge(_) => 1,
            },
            "relying_party": match &target {
                LoginTarget::Request(request) => Some(request.relying_party().to_string()),
                LoginTarget::Challenge(_) => None,
            },
            "challenge": hex::encode(match &target {
                LoginTarget::Request(request) => request.challenge(),
                LoginTarget::Challenge(challenge) => challenge,
            }),
            "signature": hex::encode(&result.signature),
            "certificate": certificate_json(&result.certificate, false),
            "certificate_from_cache": result.certificate_from_cache,
            "certificate_pem": result.certificate.to_pem(),
            "traffic": stats_json(result.stats),
        }),
        lines,
    })
}

/// `kazashi sign --cms`: a CAdES-BES CMS file, detached unless `attached`.
pub fn sign_cms<T: Transport>(
    card: &mut JpkiCard<T>,
    file: &Path,
    out: &Path,
    algorithm: DigestAlgorithm,
    attached: bool,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    let document = std::fs::read(file).map_err(|e| Error::InvalidInput {
        reason: format!("cannot read {}: {e}", file.display()),
    })?;
    let password = pins.source.signing_password("Signing password")?;
    let signed = pins.with_last_attempt(|last| {
        let options = CmsOptions {
            algorithm,
            detached: !attached,
            signing_time: unix_now(),
            sign: SignOptions {
                last_attempt: last,
                allow_legacy_sha1: false,
            },
        };
        block(sign_cms_flow(card, &document, &password, options))
    })?;
    write_file(out, &signed.der)?;
    let stats = signed.signature.stats;
    let mut lines = vec![
        format!(
            "signed {} into {} ({} CMS, {}, CAdES-BES attributes)",
            file.display(),
            out.display(),
            if attached { "attached" } else { "detached" },
            algorithm.name()
        ),
        "signature verified against the signing certificate".into(),
    ];
    lines.extend(certificate_lines(&signed.signature.certificate, false));
    lines.push(stats_line(stats));
    Ok(Outcome {
        json: json!({
            "file": file.display().to_string(),
            "cms_file": out.display().to_string(),
            "detached": !attached,
            "digest_algorithm": algorithm.name(),
            "bytes": signed.der.len(),
            "certificate": certificate_json(&signed.signature.certificate, false),
            "traffic": stats_json(stats),
        }),
        lines,
    })
}

/// `kazashi sign`.
pub fn sign<T: Transport>(
    card: &mut JpkiCard<T>,
    file: &Path,
    out: &Path,
    algorithm: DigestAlgorithm,
    allow_sha1: bool,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    let document = std::fs::read(file).map_err(|e| Error::InvalidInput {
        reason: format!("cannot read {}: {e}", file.display()),
    })?;
    if algorithm == DigestAlgorithm::Sha1 && !allow_sha1 {
        return Err(Error::InvalidInput {
            reason: "SHA-1 is refused by JPKI verification services; add --allow-sha1 only for legacy systems".into(),
        });
    }
    let digest = DocumentDigest::of_document(algorithm, &document);
    let password = pins.source.signing_password("Signing password")?;
    let result = pins.with_last_attempt(|last| {
        let options = SignOptions {
            last_attempt: last,
            allow_legacy_sha1: allow_sha1,
        };
        block(card.sign(&digest, &password, options))
    })?;
    write_file(out, &result.signature)?;
    let mut lines = vec![
        format!(
            "signed {} ({} bytes), {}: {}",
            file.display(),
            document.len(),
            algorithm.name(),
            hex::encode(&result.digest)
        ),
        "signature verified against the signing certificate (RSASSA-PKCS1-v1_5)".into(),
        format!("signature written to {}", out.display()),
    ];
    lines.extend(certificate_lines(&result.certificate, false));
    lines.push(stats_line(result.stats));
    Ok(Outcome {
        json: json!({
            "file": file.display().to_string(),
            "digest_algorithm": algorithm.name(),
            "digest": hex::encode(&result.digest),
            "signature_file": out.display().to_string(),
            "signature": hex::encode(&result.signature),
            "certificate": certificate_json(&result.certificate, false),
            "traffic": stats_json(result.stats),
        }),
        lines,
    })
}

/// Reads the current PIN and the new one (twice when prompting), then changes it.
fn change<T: Transport, P: kazashi::JpkiPin>(
    card: &mut JpkiCard<T>,
    pins: PinOptions,
    read: impl Fn(&str) -> Result<P, Error>,
) -> Result<(), Error> {
    let current = read("Current")?;
    let new = read("New")?;
    if matches!(pins.source, PinSource::Prompt) {
        let again = read("New (again)")?;
        if again.bytes() != new.bytes() {
            return Err(Error::InvalidInput {
                reason: "the two entries of the new PIN differ; nothing was changed".into(),
            });
        }
    }
    pins.with_last_attempt(|last| block(card.change_pin(&current, &new, last)))
}

/// `kazashi pin change`.
pub fn change_pin<T: Transport>(
    card: &mut JpkiCard<T>,
    kind: PinKind,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    match kind {
        PinKind::Authentication => change::<T, AuthPin>(card, pins, |what| {
            pins.source.auth_pin(&format!("{what} authentication PIN"))
        })?,
        PinKind::Signing => change::<T, SigningPassword>(card, pins, |what| {
            pins.source
                .signing_password(&format!("{what} signing password"))
        })?,
        other => {
            return Err(kazashi::Error::InvalidInput {
                reason: format!("the {other} cannot be changed here"),
            })
        }
    }
    Ok(Outcome {
        json: json!({ "changed": match kind {
            PinKind::Authentication => "authentication",
            _ => "signing",
        } }),
        lines: vec![format!("{kind} changed")],
    })
}
