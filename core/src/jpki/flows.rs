//! The user-facing flows: status, certificates, log-in, signing and PIN change. Each one
//! selects the application, checks before it spends, and verifies what the card returns.

use super::card::{CertificateKind, JpkiCard};
use super::{ef, CertificateAvailability, TokenInfo};
use crate::apdu::StatusWord;
use crate::card::{FileRef, FileShape};
use crate::certificate::CertificateInfo;
use crate::channel::ApduStats;
use crate::digest::{DigestAlgorithm, DocumentDigest};
use crate::error::{Error, Result};
use crate::login::LoginRequest;
use crate::pin::{AuthPin, JpkiPin, LastAttempt, PinKind, PinStatus, SigningPassword};
use crate::transport::Transport;

/// Longest log-in challenge accepted. The card signs a SHA-256 digest, so any length works;
/// the cap only keeps a caller's mistake from hashing gigabytes.
pub const MAX_CHALLENGE_LEN: usize = 1 << 20;

/// What one tap can tell without any PIN.
#[derive(Debug, Clone)]
pub struct CardStatus {
    /// Token information (physical card, phone token...).
    pub token: TokenInfo,
    /// Which certificates are present; `None` if the token has no availability file.
    pub availability: Option<CertificateAvailability>,
    /// The authentication PIN's counter.
    pub authentication_pin: PinStatus,
    /// The signing password's counter; `None` when the card has no signing certificate.
    pub signing_password: Option<PinStatus>,
    /// The authentication certificate; `None` when the token protects it with the PIN (Android
    /// phone tokens).
    pub authentication_certificate: Option<CertificateInfo>,
    /// APDUs this flow used.
    pub stats: ApduStats,
}

impl CardStatus {
    /// Whether the card has a signing certificate.
    pub fn has_signing_certificate(&self) -> bool {
        self.signing_password.is_some()
    }
}

/// A log-in signature, already verified against the certificate it comes with.
#[derive(Debug, Clone)]
pub struct LoginResult {
    /// RSASSA-PKCS1-v1_5 with SHA-256 over the signed bytes (the challenge for version 1,
    /// [`LoginRequest::signed_bytes`] for version 2).
    pub signature: Vec<u8>,
    /// The authentication certificate.
    pub certificate: CertificateInfo,
    /// Whether `certificate` is the cached one the caller passed in (no READ BINARY sent).
    pub certificate_from_cache: bool,
    /// APDUs this flow used.
    pub stats: ApduStats,
}

/// A document signature, already verified against the signing certificate.
#[derive(Debug, Clone)]
pub struct SignResult {
    /// RSASSA-PKCS1-v1_5 over the digest.
    pub signature: Vec<u8>,
    /// The hash algorithm.
    pub algorithm: DigestAlgorithm,
    /// The digest that was signed.
    pub digest: Vec<u8>,
    /// The signing certificate (carries personal attributes).
    pub certificate: CertificateInfo,
    /// APDUs this flow used.
    pub stats: ApduStats,
}

/// Choices for the signing flow.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignOptions {
    /// Whether the user confirmed using the last attempt.
    pub last_attempt: LastAttempt,
    /// Allow SHA-1 digests. Off by default: SHA-1 is not accepted by JPKI verification
    /// services and offers no collision resistance.
    pub allow_legacy_sha1: bool,
}

impl<T: Transport> JpkiCard<T> {
    /// Token type, certificate availability, both retry counters and the authentication
    /// certificate, with no PIN and no attempt spent.
    ///
    /// # Errors
    ///
    /// Link failures, [`Error::NotJpkiCard`], and [`Error::CardStatus`] /
    /// [`Error::MalformedResponse`] for answers the flow cannot use.
    pub async fn status(&mut self) -> Result<CardStatus> {
        let start = self.stats();
        self.select_application().await?;
        let token = self.token_info_selected().await?;
        let availability = self.availability_selected().await?;
        let authentication_pin = self.pin_status(PinKind::Authentication).await?;
        let signing_password = if availability.is_some_and(|a| !a.has_signing_certificate()) {
            None
        } else {
            match self.pin_status(PinKind::Signing).await {
                Ok(status) => Some(status),
                Err(Error::NoSigningCertificate) => None,
                Err(e) => return Err(e),
            }
        };
        let authentication_certificate = match self
            .read_certificate_selected(CertificateKind::Authentication)
            .await
        {
            Ok(cert) => Some(cert),
            Err(Error::PinRequired { .. }) => None,
            Err(e) => return Err(e),
        };
        Ok(CardStatus {
            token,
            availability,
            authentication_pin,
            signing_password,
            authentication_certificate,
            stats: self.stats().since(start),
        })
    }

    /// Reads the token information file (EF `0006`).
    ///
    /// # Errors
    ///
    /// Link failures, [`Error::NotJpkiCard`], [`Error::CardStatus`] when the file is missing,
    /// [`Error::MalformedResponse`] when it is not a `CK_TOKEN_INFO`.
    pub async fn token_info(&mut self) -> Result<TokenInfo> {
        self.select_application().await?;
        self.token_info_selected().await
    }

    /// Reads the certificate availability file (EF `0008`); `None` if the token has none.
    ///
    /// # Errors
    ///
    /// Link failures, [`Error::NotJpkiCard`], [`Error::MalformedResponse`] for a file of the
    /// wrong size.
    pub async fn certificate_availability(&mut self) -> Result<Option<CertificateAvailability>> {
        self.select_application().await?;
        self.availability_selected().await
    }

    /// A PIN's retry counter, read without spending an attempt.
    ///
    /// # Errors
    ///
    /// Link failures, [`Error::NotJpkiCard`], [`Error::NoSigningCertificate`] for the signing
    /// password of a card without one, [`Error::CardStatus`] for an answer that is not a counter.
    pub async fn retry_counter(&mut self, kind: PinKind) -> Result<PinStatus> {
        self.select_application().await?;
        self.pin_status(kind).await
    }

    /// Reads a certificate that needs no PIN: either CA, and the authentication certificate of
    /// a physical card. The signing certificate needs [`JpkiCard::read_signing_certificate`];
    /// a phone token's authentication certificate needs
    /// [`JpkiCard::read_authentication_certificate_with_pin`].
    ///
    /// # Errors
    ///
    /// Link failures, [`Error::NotJpkiCard`], [`Error::PinRequired`] for the signing certificate
    /// (use [`JpkiCard::read_signing_certificate`]) or a phone token's authentication certificate,
    /// [`Error::NoSigningCertificate`], [`Error::Certificate`] for an unusable certificate.
    pub async fn read_certificate(&mut self, kind: CertificateKind) -> Result<CertificateInfo> {
        if kind == CertificateKind::Signing {
            return Err(Error::PinRequired {
                pin: PinKind::Signing,
            });
        }
        self.select_application().await?;
        self.read_certificate_selected(kind).await
    }

    /// Verifies the signing password, then reads the signing certificate (personal data).
    ///
    /// # Errors
    ///
    /// The PIN errors of a guarded VERIFY ([`Error::WrongPin`], [`Error::PinBlocked`],
    /// [`Error::LastAttemptNotConfirmed`], [`Error::AttemptsNotReported`],
    /// [`Error::PinCheckInterrupted`]), [`Error::NoSigningCertificate`], link and card errors.
    pub async fn read_signing_certificate(
        &mut self,
        password: &SigningPassword,
        last_attempt: LastAttempt,
    ) -> Result<CertificateInfo> {
        self.select_application().await?;
        self.require_signing_certificate().await?;
        self.verify_pin(password, last_attempt, true).await?;
        self.read_certificate_selected(CertificateKind::Signing)
            .await
    }

    /// Verifies the authentication PIN, then reads the authentication certificate (needed on
    /// Android phone tokens, which protect it).
    ///
    /// # Errors
    ///
    /// The PIN errors of a guarded VERIFY ([`Error::WrongPin`], [`Error::PinBlocked`],
    /// [`Error::LastAttemptNotConfirmed`], [`Error::AttemptsNotReported`],
    /// [`Error::PinCheckInterrupted`]), link and card errors.
    pub async fn read_authentication_certificate_with_pin(
        &mut self,
        pin: &AuthPin,
        last_attempt: LastAttempt,
    ) -> Result<CertificateInfo> {
        self.select_application().await?;
        self.verify_pin(pin, last_attempt, true).await?;
        self.read_certificate_selected(CertificateKind::Authentication)
            .await
    }

    /// Tap to log in (log-in version 1): signs SHA-256(`challenge`) with the authentication key
    /// and returns the signature with the authentication certificate, after checking one
    /// against the other.
    ///
    /// The signature is not bound to any relying party, and the caller chooses what is hashed:
    /// a phishing site can relay a real service's challenge. Prefer [`JpkiCard::login_v2`];
    /// this stays for servers that still send bare challenges.
    ///
    /// APDUs with short EF ids and extended length: SELECT AP, retry query, VERIFY, SIGN, one
    /// READ BINARY (5). With SELECT forms: SELECT AP, SELECT PIN, retry query, VERIFY, SELECT
    /// key, SIGN, SELECT certificate, READ BINARY (8). Without extended length the certificate
    /// takes ⌈size/256⌉ reads.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty challenge (before any APDU); the PIN errors of a
    /// guarded VERIFY; [`Error::SignatureMismatch`] when the card's signature does not verify
    /// against its certificate; link and card errors.
    pub async fn login(
        &mut self,
        challenge: &[u8],
        pin: &AuthPin,
        last_attempt: LastAttempt,
    ) -> Result<LoginResult> {
        self.login_inner(challenge, pin, last_attempt, None).await
    }

    /// [`JpkiCard::login`] for an app that kept the authentication certificate of an earlier
    /// log-in (its [`CertificateInfo::der`] is what to persist): the signature is checked
    /// against the cached certificate's key, so no READ BINARY is sent — one APDU fewer with
    /// extended length, seven fewer without. If the key does not match (another card, a
    /// renewed certificate), the certificate is read from the card as usual;
    /// [`LoginResult::certificate_from_cache`] says which happened.
    ///
    /// # Errors
    ///
    /// As [`JpkiCard::login`]. An unusable or foreign cached certificate is not an error: the
    /// card's certificate is read instead.
    pub async fn login_with_cached_certificate(
        &mut self,
        challenge: &[u8],
        pin: &AuthPin,
        last_attempt: LastAttempt,
        cached: &CertificateInfo,
    ) -> Result<LoginResult> {
        self.login_inner(challenge, pin, last_attempt, Some(cached))
            .await
    }

    /// Tap to log in to a relying party (log-in version 2): signs SHA-256 of
    /// [`LoginRequest::signed_bytes`] — a domain-separated encoding of the relying party, the
    /// challenge and its times — so the signature is valid for that relying party only. Show
    /// the user [`LoginRequest::prompt`] ("Log in to example.jp") before asking for the PIN;
    /// build the answer with [`crate::LoginMessage::v2`].
    ///
    /// APDUs as [`JpkiCard::login`].
    ///
    /// # Errors
    ///
    /// As [`JpkiCard::login`].
    pub async fn login_v2(
        &mut self,
        request: &LoginRequest,
        pin: &AuthPin,
        last_attempt: LastAttempt,
    ) -> Result<LoginResult> {
        self.login_inner(&request.signed_bytes(), pin, last_attempt, None)
            .await
    }

    /// [`JpkiCard::login_v2`] with a cached authentication certificate, as
    /// [`JpkiCard::login_with_cached_certificate`].
    ///
    /// # Errors
    ///
    /// As [`JpkiCard::login`].
    pub async fn login_v2_with_cached_certificate(
        &mut self,
        request: &LoginRequest,
        pin: &AuthPin,
        last_attempt: LastAttempt,
        cached: &CertificateInfo,
    ) -> Result<LoginResult> {
        self.login_inner(&request.signed_bytes(), pin, last_attempt, Some(cached))
            .await
    }

    /// Both versions: the card signs SHA-256(`signed_bytes`), which is the bare challenge for
    /// version 1 and the request's domain-separated encoding for version 2.
    async fn login_inner(
        &mut self,
        signed_bytes: &[u8],
        pin: &AuthPin,
        last_attempt: LastAttempt,
        cached: Option<&CertificateInfo>,
    ) -> Result<LoginResult> {
        if signed_bytes.is_empty() || signed_bytes.len() > MAX_CHALLENGE_LEN {
            return Err(Error::InvalidInput {
                reason: format!(
                    "a log-in challenge has 1 to {MAX_CHALLENGE_LEN} bytes (got {})",
                    signed_bytes.len()
                ),
            });
        }
        let start = self.stats();
        let algorithm = DigestAlgorithm::Sha256;
        let digest = algorithm.digest(signed_bytes);
        let digest_info = algorithm.digest_info(&digest)?;
        self.select_application().await?;
        self.verify_pin(pin, last_attempt, true).await?;
        let signature = self
            .sign_with_key(PinKind::Authentication, digest_info)
            .await?;
        // A signature that verifies under the cached key proves the cached certificate is
        // this card's: only the card's private key could have made it.
        if let Some(cached) = cached {
            if cached
                .verify_digest_signature(algorithm, &digest, &signature)
                .is_ok()
            {
                return Ok(LoginResult {
                    signature,
                    certificate: cached.clone(),
                    certificate_from_cache: true,
                    stats: self.stats().since(start),
                });
            }
        }
        let certificate = self
            .read_certificate_selected(CertificateKind::Authentication)
            .await?;
        certificate.verify_digest_signature(algorithm, &digest, &signature)?;
        Ok(LoginResult {
            signature,
            certificate,
            certificate_from_cache: false,
            stats: self.stats().since(start),
        })
    }

    /// Tap to sign: signs a document digest with the signature key and returns the signature
    /// with the signing certificate, after checking one against the other.
    ///
    /// The availability file is read first, so a card without a signing certificate is found
    /// out before the password is sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for SHA-1 without the opt-in (before any APDU); the PIN errors of
    /// a guarded VERIFY; [`Error::NoSigningCertificate`]; [`Error::SignatureMismatch`]; link and
    /// card errors.
    pub async fn sign(
        &mut self,
        digest: &DocumentDigest,
        password: &SigningPassword,
        options: SignOptions,
    ) -> Result<SignResult> {
        if digest.algorithm() == DigestAlgorithm::Sha1 && !options.allow_legacy_sha1 {
            return Err(sha1_refused());
        }
        self.sign_with_certificate(password, options, |_| Ok(digest.clone()))
            .await
    }

    /// Signs a digest that depends on the signing certificate (a CMS file's signed attributes
    /// name the certificate): verifies the password, reads the certificate, asks `prepare` for
    /// the digest, then signs and checks the signature. Same APDUs as [`JpkiCard::sign`].
    ///
    /// # Errors
    ///
    /// As [`JpkiCard::sign`], and whatever `digest_for` returns.
    pub async fn sign_with_certificate<F>(
        &mut self,
        password: &SigningPassword,
        options: SignOptions,
        prepare: F,
    ) -> Result<SignResult>
    where
        F: FnOnce(&CertificateInfo) -> Result<DocumentDigest> + Send,
    {
        let start = self.stats();
        self.select_application().await?;
        self.require_signing_certificate().await?;
        self.verify_pin(password, options.last_attempt, true)
            .await?;
        let certificate = self
            .read_certificate_selected(CertificateKind::Signing)
            .await?;
        let digest = prepare(&certificate)?;
        let algorithm = digest.algorithm();
        if algorithm == DigestAlgorithm::Sha1 && !options.allow_legacy_sha1 {
            return Err(sha1_refused());
        }
        let digest_info = algorithm.digest_info(digest.digest())?;
        let signature = self.sign_with_key(PinKind::Signing, digest_info).await?;
        certificate.verify_digest_signature(algorithm, digest.digest(), &signature)?;
        Ok(SignResult {
            signature,
            algorithm,
            digest: digest.digest().to_vec(),
            certificate,
            stats: self.stats().since(start),
        })
    }

    /// Changes a PIN: verifies `current` (with the usual counter checks), then sends CHANGE
    /// REFERENCE DATA with `new`.
    ///
    /// # Errors
    ///
    /// The PIN errors of the guarded VERIFY of `current`; [`Error::PinRequired`] or
    /// [`Error::CardStatus`] when the card refuses the change; [`Error::NoSigningCertificate`];
    /// link failures.
    pub async fn change_pin<P: JpkiPin>(
        &mut self,
        current: &P,
        new: &P,
        last_attempt: LastAttempt,
    ) -> Result<()> {
        self.select_application().await?;
        if P::KIND == PinKind::Signing {
            self.require_signing_certificate().await?;
        }
        self.verify_pin(current, last_attempt, false).await?;
        self.card.change_reference_data(new).await
    }

    async fn token_info_selected(&mut self) -> Result<TokenInfo> {
        let file = FileRef {
            fid: ef::TOKEN_INFO,
            select: "SELECT of the token information file",
            read: "READ BINARY of the token information file",
        };
        let shape = FileShape::Fixed(TokenInfo::LEN);
        match self
            .card
            .read_file(file, shape, PinKind::Authentication)
            .await?
        {
            Some(bytes) => TokenInfo::parse(&bytes),
            None => Err(Error::CardStatus {
                sw: StatusWord::FILE_NOT_FOUND,
                operation: file.select,
            }),
        }
    }

    async fn availability_selected(&mut self) -> Result<Option<CertificateAvailability>> {
        let file = FileRef {
            fid: ef::CERT_AVAILABILITY,
            select: "SELECT of the certificate availability file",
            read: "READ BINARY of the certificate availability file",
        };
        match self
            .card
            .read_file(file, FileShape::Fixed(3), PinKind::Authentication)
            .await?
        {
            Some(bytes) => CertificateAvailability::parse(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// A PIN's counter, without spending an attempt.
    async fn pin_status(&mut self, kind: PinKind) -> Result<PinStatus> {
        self.query_pin(kind).await
    }

    /// Fails with [`Error::NoSigningCertificate`] when the availability file says so, before
    /// any password is sent.
    async fn require_signing_certificate(&mut self) -> Result<()> {
        match self.availability_selected().await? {
            Some(a) if !a.has_signing_certificate() => Err(Error::NoSigningCertificate),
            _ => Ok(()),
        }
    }

    async fn read_certificate_selected(
        &mut self,
        kind: CertificateKind,
    ) -> Result<CertificateInfo> {
        let (select, read) = match kind {
            CertificateKind::Authentication => (
                "SELECT of the authentication certificate",
                "READ BINARY of the authentication certificate",
            ),
            CertificateKind::AuthenticationCa => (
                "SELECT of the authentication CA certificate",
                "READ BINARY of the authentication CA certificate",
            ),
            CertificateKind::Signing => (
                "SELECT of the signing certificate",
                "READ BINARY of the signing certificate",
            ),
            CertificateKind::SigningCa => (
                "SELECT of the signing CA certificate",
                "READ BINARY of the signing CA certificate",
            ),
        };
        let file = FileRef {
            fid: kind.ef(),
            select,
            read,
        };
        match self
            .card
            .read_file(file, FileShape::Der, kind.pin())
            .await?
        {
            Some(der) => Ok(CertificateInfo::from_der(&der)?),
            None if kind == CertificateKind::Signing => Err(Error::NoSigningCertificate),
            None => Err(Error::CardStatus {
                sw: StatusWord::FILE_NOT_FOUND,
                operation: select,
            }),
        }
    }
}

fn sha1_refused() -> Error {
    Error::InvalidInput {
        reason: "SHA-1 signatures are refused by JPKI verification services; use SHA-256 \
                 (or opt in to legacy SHA-1 explicitly)"
            .into(),
    }
}
