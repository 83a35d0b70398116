//! A card session: every core flow, callable from Kotlin coroutines and Swift async code.
//!
//! Flows on one session never interleave: each takes the session's async lock for its whole
//! APDU sequence, so no other flow's command can slip between a VERIFY and its signature.

use std::sync::Arc;

use async_lock::{Mutex, MutexGuard};
use kazashi::{AuthPin, DocumentDigest, JpkiCard, LastAttempt, SigningPassword};

use crate::error::KazashiError;
use crate::login::{LoginRequest, LoginV2Result};
use crate::messages::ProgressListener;
use crate::model::{
    ApduStats, CardStatus, CertificateInfo, CertificateKind, DigestAlgorithm, LoginResult, PinKind,
    PinStatus, SignOptions, SignResult,
};
use crate::secret::SecretBytes;
use crate::transceiver::{ForeignTransport, NfcTransceiver};

pub(crate) fn last_attempt(confirmed: bool) -> LastAttempt {
    if confirmed {
        LastAttempt::Confirmed
    } else {
        LastAttempt::Refuse
    }
}

impl From<SignOptions> for kazashi::SignOptions {
    fn from(o: SignOptions) -> Self {
        kazashi::SignOptions {
            last_attempt: last_attempt(o.confirm_last_attempt),
            allow_legacy_sha1: o.allow_legacy_sha1,
        }
    }
}

/// A conversation with one card (or phone token) through an [`NfcTransceiver`].
#[derive(uniffi::Object)]
pub struct CardSession {
    pub(crate) card: Mutex<JpkiCard<ForeignTransport>>,
}

#[uniffi::export]
impl CardSession {
    /// Starts a session over `transceiver` (reads its link capabilities once).
    #[uniffi::constructor]
    pub fn new(transceiver: Arc<dyn NfcTransceiver>) -> Arc<Self> {
        Self::with_listener(transceiver, None)
    }

    /// A session whose flows report their stages to `listener` (card found, reading, checking
    /// the PIN counter, verifying the PIN, signing, done): what the NFC sheet or the app's UI
    /// should say while the card works. Each flow starts again at "card found".
    #[uniffi::constructor]
    pub fn with_progress(
        transceiver: Arc<dyn NfcTransceiver>,
        listener: Arc<dyn ProgressListener>,
    ) -> Arc<Self> {
        Self::with_listener(transceiver, Some(listener))
    }

    /// Token type, certificate availability, both retry counters and the authentication
    /// certificate. No PIN, no attempt spent.
    pub async fn status(&self) -> Result<CardStatus, KazashiError> {
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let s = card.status().await?;
            Ok(CardStatus {
                token: s.token.token_type.clone().into(),
                signing_certificate_present: s.has_signing_certificate(),
                authentication_pin: s.authentication_pin.into(),
                signing_password: s.signing_password.map(Into::into),
                authentication_certificate: s.authentication_certificate.as_ref().map(Into::into),
                counts: s.stats.into(),
            })
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// A PIN's retry counter, read without spending an attempt: a JPKI PIN from the JPKI
    /// application, a card-info secret (card-info PIN, verification number A or B) from the
    /// card-info application.
    pub async fn retry_counter(&self, pin: PinKind) -> Result<PinStatus, KazashiError> {
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let kind = kazashi::PinKind::from(pin);
            let status = if kind.is_jpki() {
                card.retry_counter(kind).await?
            } else {
                kazashi::card_info::CardInfoCard::new(card.card_mut())
                    .retry_counter(kind)
                    .await?
            };
            Ok(status.into())
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// Reads a certificate that needs no PIN (either CA; the card's authentication
    /// certificate). The signing certificate needs [`CardSession::read_signing_certificate`].
    pub async fn read_certificate(
        &self,
        certificate: CertificateKind,
    ) -> Result<CertificateInfo, KazashiError> {
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> =
            async { Ok((&card.read_certificate(certificate.into()).await?).into()) }.await;
        self.end_flow(&mut card, &result);
        result
    }

    /// Verifies the signing password, then reads the signing certificate (personal data).
    pub async fn read_signing_certificate(
        &self,
        password: Vec<u8>,
        confirm_last_attempt: bool,
    ) -> Result<CertificateInfo, KazashiError> {
        let password = SecretBytes::from(password).parse(SigningPassword::new)?;
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let cert = card
                .read_signing_certificate(&password, last_attempt(confirm_last_attempt))
                .await?;
            Ok((&cert).into())
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// Verifies the authentication PIN, then reads the authentication certificate (Android
    /// phone tokens protect it).
    pub async fn read_authentication_certificate_with_pin(
        &self,
        pin: Vec<u8>,
        confirm_last_attempt: bool,
    ) -> Result<CertificateInfo, KazashiError> {
        let pin = SecretBytes::from(pin).parse(AuthPin::new)?;
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let cert = card
                .read_authentication_certificate_with_pin(&pin, last_attempt(confirm_last_attempt))
                .await?;
            Ok((&cert).into())
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// Tap to log in (log-in version 1): signs SHA-256(`challenge`) with the authentication
    /// key; returns the signature with the authentication certificate it was verified against.
    /// The signature is not bound to any relying party: prefer [`CardSession::login_v2`].
    pub async fn login(
        &self,
        challenge: Vec<u8>,
        pin: Vec<u8>,
        confirm_last_attempt: bool,
    ) -> Result<LoginResult, KazashiError> {
        let pin = SecretBytes::from(pin).parse(AuthPin::new)?;
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let r = card
                .login(&challenge, &pin, last_attempt(confirm_last_attempt))
                .await?;
            Ok(r.into())
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// Tap to log in to a relying party (log-in version 2): signs SHA-256 of the request's
    /// domain-separated bytes, so the signature is valid for `request.relyingParty` only. Show
    /// `request.prompt` before asking for the PIN. With `cachedCertificate` (the `der` of an
    /// earlier log-in's certificate) the card sends no certificate when it is still this
    /// card's, as in [`CardSession::login_with_cached_certificate`].
    pub async fn login_v2(
        &self,
        request: LoginRequest,
        pin: Vec<u8>,
        confirm_last_attempt: bool,
        cached_certificate: Option<Vec<u8>>,
    ) -> Result<LoginV2Result, KazashiError> {
        let pin = SecretBytes::from(pin).parse(AuthPin::new)?;
        let request = kazashi::LoginRequest::try_from(&request)?;
        let cached = cached_certificate
            .as_deref()
            .and_then(|der| kazashi::CertificateInfo::from_der(der).ok());
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let last_attempt = last_attempt(confirm_last_attempt);
            let r = match &cached {
                Some(cached) => {
                    card.login_v2_with_cached_certificate(&request, &pin, last_attempt, cached)
                        .await?
                }
                None => card.login_v2(&request, &pin, last_attempt).await?,
            };
            Ok(LoginV2Result::new(&request, r))
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// [`CardSession::login`] for an app that kept `certificate.der` from an earlier log-in:
    /// the signature is checked against the cached certificate, so the card sends no
    /// certificate (4 APDUs instead of 5, or 11 on a short-APDU link). If the cached
    /// certificate is not this card's, or cannot be parsed, it is read from the card as usual
    /// and `certificateFromCache` is false: store the new one.
    pub async fn login_with_cached_certificate(
        &self,
        challenge: Vec<u8>,
        pin: Vec<u8>,
        confirm_last_attempt: bool,
        cached_certificate: Vec<u8>,
    ) -> Result<LoginResult, KazashiError> {
        let pin = SecretBytes::from(pin).parse(AuthPin::new)?;
        let cached = kazashi::CertificateInfo::from_der(&cached_certificate).ok();
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let last_attempt = last_attempt(confirm_last_attempt);
            let r = match &cached {
                Some(cached) => {
                    card.login_with_cached_certificate(&challenge, &pin, last_attempt, cached)
                        .await?
                }
                None => card.login(&challenge, &pin, last_attempt).await?,
            };
            Ok(r.into())
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }

    /// Tap to sign: hashes `document` with `algorithm` and signs the digest with the signature
    /// key; returns the signature with the signing certificate it was verified against.
    pub async fn sign_document(
        &self,
        document: Vec<u8>,
        algorithm: DigestAlgorithm,
        password: Vec<u8>,
        options: SignOptions,
    ) -> Result<SignResult, KazashiError> {
        let digest = DocumentDigest::of_document(algorithm.into(), &document);
        self.sign(digest, password, options).await
    }

    /// Tap to sign a digest computed elsewhere (its length must match `algorithm`).
    pub async fn sign_digest(
        &self,
        digest: Vec<u8>,
        algorithm: DigestAlgorithm,
        password: Vec<u8>,
        options: SignOptions,
    ) -> Result<SignResult, KazashiError> {
        let digest = DocumentDigest::from_digest(algorithm.into(), digest)?;
        self.sign(digest, password, options).await
    }

    /// Changes a PIN: verifies `current` (with the usual counter checks), then sets `new`.
    pub async fn change_pin(
        &self,
        pin: PinKind,
        current: Vec<u8>,
        new: Vec<u8>,
        confirm_last_attempt: bool,
    ) -> Result<(), KazashiError> {
        let last = last_attempt(confirm_last_attempt);
        // Both entries are wiping buffers before either is checked: a malformed current PIN
        // must not leave the new one behind in freed memory (security review, finding 9).
        let (current, new) = (SecretBytes::from(current), SecretBytes::from(new));
        match pin {
            PinKind::Authentication => {
                let current = current.parse(AuthPin::new)?;
                let new = new.parse(AuthPin::new)?;
                let mut card = self.begin_flow().await;
                let result = card
                    .change_pin(&current, &new, last)
                    .await
                    .map_err(Into::into);
                self.end_flow(&mut card, &result);
                result?;
            }
            PinKind::Signing => {
                let current = current.parse(SigningPassword::new)?;
                let new = new.parse(SigningPassword::new)?;
                let mut card = self.begin_flow().await;
                let result = card
                    .change_pin(&current, &new, last)
                    .await
                    .map_err(Into::into);
                self.end_flow(&mut card, &result);
                result?;
            }
            other => {
                return Err(kazashi::Error::InvalidInput {
                    reason: format!(
                        "the {} is not changed through the JPKI application",
                        kazashi::PinKind::from(other)
                    ),
                }
                .into())
            }
        }
        Ok(())
    }

    /// APDUs and bytes exchanged by this session so far.
    pub async fn counts(&self) -> ApduStats {
        self.card.lock().await.stats().into()
    }
}

impl CardSession {
    fn with_listener(
        transceiver: Arc<dyn NfcTransceiver>,
        listener: Option<Arc<dyn ProgressListener>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            card: Mutex::new(JpkiCard::new(ForeignTransport::new(transceiver, listener))),
        })
    }

    /// Takes the session for one flow (no other flow's command can interleave) and starts its
    /// progress report over.
    pub(crate) async fn begin_flow(&self) -> MutexGuard<'_, JpkiCard<ForeignTransport>> {
        let mut card = self.card.lock().await;
        card.transport_mut().start_flow();
        card
    }

    /// Reports "done" when the flow succeeded (a failed flow ends with its error instead).
    pub(crate) fn end_flow<T>(
        &self,
        card: &mut JpkiCard<ForeignTransport>,
        result: &Result<T, KazashiError>,
    ) {
        if result.is_ok() {
            card.transport_mut().finish_flow();
        }
    }

    async fn sign(
        &self,
        digest: DocumentDigest,
        password: Vec<u8>,
        options: SignOptions,
    ) -> Result<SignResult, KazashiError> {
        let password = SecretBytes::from(password).parse(SigningPassword::new)?;
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let r = card.sign(&digest, &password, options.into()).await?;
            Ok(SignResult {
                signature: r.signature,
                algorithm: r.algorithm.into(),
                digest: r.digest,
                certificate: (&r.certificate).into(),
                counts: r.stats.into(),
            })
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }
}
