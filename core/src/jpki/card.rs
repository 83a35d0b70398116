//! The JPKI application on the [card layer](crate::card): a [`JpkiCard`] is a [`Card`] that
//! selects the JPKI AID, knows its files and PINs ([`super::ef`]), and gives the card's
//! answers their JPKI meaning (`6A82` on SELECT: not a JPKI card; no signing password: no
//! signing certificate). Flows compose these (`flows.rs`).

use super::{commands, ef, JPKI_AID};
use crate::apdu::StatusWord;
use crate::card::addressing::short_ef_id;
use crate::card::{Card, EfAddressing, PinRef, RETRY_QUERY};
use crate::channel::ApduStats;
use crate::error::{Error, Result};
use crate::pin::{JpkiPin, LastAttempt, PinKind, PinStatus};
use crate::transport::{LinkCapabilities, Transport};

/// The four certificates on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateKind {
    /// 利用者証明用電子証明書 (EF `000A`).
    Authentication,
    /// Its CA (EF `000B`).
    AuthenticationCa,
    /// 署名用電子証明書 (EF `0001`), readable only after the signing password.
    Signing,
    /// Its CA (EF `0002`).
    SigningCa,
}

impl CertificateKind {
    /// The EF holding it.
    pub fn ef(self) -> u16 {
        match self {
            CertificateKind::Authentication => ef::AUTH_CERT,
            CertificateKind::AuthenticationCa => ef::AUTH_CA_CERT,
            CertificateKind::Signing => ef::SIGN_CERT,
            CertificateKind::SigningCa => ef::SIGN_CA_CERT,
        }
    }

    /// The PIN family it belongs to: a read refused with `6982` needs this PIN.
    pub fn pin(self) -> PinKind {
        match self {
            CertificateKind::Authentication | CertificateKind::AuthenticationCa => {
                PinKind::Authentication
            }
            CertificateKind::Signing | CertificateKind::SigningCa => PinKind::Signing,
        }
    }
}

/// A JPKI card (or phone token) reached through a [`Transport`].
///
/// Every flow starts by selecting the application, so a card that was re-tapped, reset or
/// used by another app in between is handled without special cases.
///
/// Files, PINs and keys are named by short EF id while the card accepts that form (one SELECT
/// fewer each); what the card accepted is remembered for the life of this value, so keep one
/// per card and session. See [`EfAddressing`].
pub struct JpkiCard<T> {
    pub(crate) card: Card<T>,
}

impl<T: Transport> JpkiCard<T> {
    /// Wraps a transport. Short EF ids are tried first, with a fallback.
    pub fn new(transport: T) -> Self {
        Self {
            card: Card::new(transport),
        }
    }

    /// Sets how files are addressed: [`EfAddressing::SELECT_ONLY`] sends the SELECT forms
    /// every public implementation uses, for a card known to refuse the short forms.
    pub fn with_addressing(mut self, addressing: EfAddressing) -> Self {
        self.card.set_addressing(addressing);
        self
    }

    /// What the session has learnt about the card's short-EF-id support.
    pub fn addressing(&self) -> EfAddressing {
        self.card.addressing()
    }

    /// APDUs and bytes exchanged so far.
    pub fn stats(&self) -> ApduStats {
        self.card.stats()
    }

    /// What the link carries.
    pub fn capabilities(&self) -> LinkCapabilities {
        self.card.capabilities()
    }

    /// The card layer under this application, to reach another application of the same card
    /// on the same tap (for example [`crate::card_info::CardInfoCard::new`]).
    pub fn card_mut(&mut self) -> &mut Card<T> {
        &mut self.card
    }

    /// Borrows the transport (for example, the virtual card behind it).
    pub fn transport_mut(&mut self) -> &mut T {
        self.card.transport_mut()
    }

    /// The transport back.
    pub fn into_transport(self) -> T {
        self.card.into_transport()
    }

    /// SELECT the JPKI application by name.
    pub(crate) async fn select_application(&mut self) -> Result<()> {
        let operation = "SELECT of the JPKI application";
        match self.card.select_application(&JPKI_AID, operation).await? {
            StatusWord::SUCCESS => Ok(()),
            StatusWord::FILE_NOT_FOUND => Err(Error::NotJpkiCard),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }

    /// A PIN's counter, without spending an attempt.
    pub(crate) async fn query_pin(&mut self, kind: PinKind) -> Result<PinStatus> {
        self.card
            .pin_status(pin_ref(kind)?, true)
            .await
            .map_err(|e| jpki_pin_meaning(kind, e))
    }

    /// The guarded VERIFY of [`Card::verify_pin`], with the JPKI meaning of a missing PIN.
    pub(crate) async fn verify_pin<P: JpkiPin>(
        &mut self,
        pin: &P,
        last_attempt: LastAttempt,
        allow_short: bool,
    ) -> Result<()> {
        self.card
            .verify_pin(pin_ref(P::KIND)?, pin, last_attempt, allow_short)
            .await
            .map_err(|e| jpki_pin_meaning(P::KIND, e))
    }

    /// COMPUTE DIGITAL SIGNATURE with the key of `kind`: the card pads `digest_info` (PKCS#1
    /// v1.5 type 1) and applies the key. By short EF id while the card accepts it; a refused
    /// short form is repeated after SELECT, which is safe because signing spends no attempt.
    /// # Errors
    ///
    /// [`Error::PinRequired`] when the key's PIN is not verified, [`Error::CardStatus`],
    /// [`Error::MalformedResponse`] for an empty answer; link failures.
    pub(crate) async fn sign_with_key(
        &mut self,
        kind: PinKind,
        digest_info: Vec<u8>,
    ) -> Result<Vec<u8>> {
        let (key_ef, select) = match kind {
            PinKind::Authentication => (ef::AUTH_KEY, "SELECT of the authentication key"),
            PinKind::Signing => (ef::SIGN_KEY, "SELECT of the signature key"),
            other => return Err(not_jpki(other)),
        };
        let short = short_ef_id(key_ef).filter(|_| self.card.addressing.keys.try_short());
        if let Some(p2) = short {
            match self.compute_signature(kind, digest_info.clone(), p2).await {
                Ok(signature) => {
                    self.card.addressing.record(|a| &mut a.keys, true);
                    return Ok(signature);
                }
                Err(Error::CardStatus { .. }) => {
                    self.card.addressing.record(|a| &mut a.keys, false)
                }
                Err(other) => return Err(other),
            }
        }
        self.card.select_ef_ok(key_ef, select).await?;
        self.compute_signature(kind, digest_info, 0x80).await
    }

    async fn compute_signature(
        &mut self,
        kind: PinKind,
        digest_info: Vec<u8>,
        p2: u8,
    ) -> Result<Vec<u8>> {
        let operation = "COMPUTE DIGITAL SIGNATURE";
        let command = commands::compute_digital_signature(p2, digest_info);
        let mut response = self.card.exchange(&command, operation).await?;
        match response.sw() {
            StatusWord::SUCCESS if response.data().is_empty() => {
                Err(Error::malformed(operation, "no signature in the response"))
            }
            StatusWord::SUCCESS => Ok(response.take_data()),
            StatusWord::SECURITY_STATUS_NOT_SATISFIED => Err(Error::PinRequired { pin: kind }),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }
}

/// The JPKI PIN of `kind`: its EF and the name of its SELECT.
fn pin_ref(kind: PinKind) -> Result<PinRef> {
    let select = match kind {
        PinKind::Authentication => "SELECT of the authentication PIN",
        PinKind::Signing => "SELECT of the signing password",
        other => return Err(not_jpki(other)),
    };
    let fid = ef::pin(kind).ok_or_else(|| not_jpki(kind))?;
    Ok(PinRef { kind, fid, select })
}

/// A card-info secret handed to a JPKI call: refused before any APDU.
fn not_jpki(kind: PinKind) -> Error {
    Error::InvalidInput {
        reason: format!("the {kind} belongs to the card-info application, not to JPKI"),
    }
}

/// A card without a signing password has no signing certificate (holders under 15): its EF
/// is missing (`6A82` to SELECT) or unknown to the retry query (`6A82` / `6A88`).
fn jpki_pin_meaning(kind: PinKind, error: Error) -> Error {
    if kind != PinKind::Signing {
        return error;
    }
    match error {
        Error::CardStatus {
            sw: StatusWord::FILE_NOT_FOUND,
            operation,
        } if pin_ref(kind).is_ok_and(|pin| pin.select == operation) => Error::NoSigningCertificate,
        Error::CardStatus {
            sw: StatusWord::FILE_NOT_FOUND | StatusWord::REFERENCED_DATA_NOT_FOUND,
            operation: RETRY_QUERY,
        } => Error::NoSigningCertificate,
        other => other,
    }
}
