//! The virtual card as a transceiver, for emulators, the iOS simulator and tests.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use kazashi::TransportError;
use kazashi_virtual_card::faults::{Fault, FaultPlan};
use kazashi_virtual_card::{Profile, VirtualCardConfig};

use crate::error::NfcError;
use crate::model::{CertificateKind, PinKind};
use crate::transceiver::{LinkInfo, NfcTransceiver};

/// Ready-made virtual cards (see the README's profile list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum VirtualCardProfile {
    /// A My Number Card with both certificates, fresh counters.
    PhysicalCard,
    /// An Android phone token: the authentication certificate needs the PIN.
    AndroidPhoneToken,
    /// An iPhone token (label only).
    IphoneToken,
    /// A holder under 15: no signing certificate.
    Under15,
    /// Short APDUs only.
    NoExtendedLength,
    /// One attempt left on the authentication PIN.
    AuthLastAttempt,
    /// Authentication PIN locked.
    AuthBlocked,
    /// One attempt left on the signing password.
    SigningLastAttempt,
    /// Signing password locked.
    SigningBlocked,
    /// Refuses short-EF-id commands: the library falls back to SELECT forms.
    NoShortEfIds,
    /// The card-info PIN is locked; the verification numbers A and B still work.
    CardInfoPinBlocked,
    /// One attempt left on the card-info PIN.
    CardInfoLastAttempt,
    /// The card-info application's EF 0002 (the four attributes) was altered after its
    /// integrity record was made: reading the attributes must fail the integrity check.
    CardInfoTampered,
    /// The lenient answer where no public source says what a real card does (every other
    /// profile gives the strict one): COMPUTE DIGITAL SIGNATURE signs whatever Le asks for
    /// (strict: `6700` without a full Le), and verified PINs survive the selection of an
    /// application (strict: every SELECT by DF name ends them, so a client must VERIFY after its
    /// last SELECT). The library's flows work the same on both; an app's own raw APDUs may not.
    Lenient,
}

impl From<VirtualCardProfile> for Profile {
    fn from(p: VirtualCardProfile) -> Self {
        match p {
            VirtualCardProfile::PhysicalCard => Profile::PhysicalCard,
            VirtualCardProfile::AndroidPhoneToken => Profile::AndroidPhoneToken,
            VirtualCardProfile::IphoneToken => Profile::IphoneToken,
            VirtualCardProfile::Under15 => Profile::Under15,
            VirtualCardProfile::NoExtendedLength => Profile::NoExtendedLength,
            VirtualCardProfile::AuthLastAttempt => Profile::AuthLastAttempt,
            VirtualCardProfile::AuthBlocked => Profile::AuthBlocked,
            VirtualCardProfile::SigningLastAttempt => Profile::SigningLastAttempt,
            VirtualCardProfile::SigningBlocked => Profile::SigningBlocked,
            VirtualCardProfile::NoShortEfIds => Profile::NoShortEfIds,
            VirtualCardProfile::CardInfoPinBlocked => Profile::CardInfoPinBlocked,
            VirtualCardProfile::CardInfoLastAttempt => Profile::CardInfoLastAttempt,
            VirtualCardProfile::CardInfoTampered => Profile::CardInfoTampered,
            VirtualCardProfile::Lenient => Profile::Lenient,
        }
    }
}

/// A profile with its PINs, counters or seed changed.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct VirtualCardOptions {
    /// The starting point.
    pub profile: VirtualCardProfile,
    /// Authentication PIN (default "1234").
    #[uniffi(default = None)]
    pub auth_pin: Option<String>,
    /// Signing password (default "ABC123").
    #[uniffi(default = None)]
    pub signing_password: Option<String>,
    /// Attempts left on the authentication PIN.
    #[uniffi(default = None)]
    pub auth_attempts_left: Option<u8>,
    /// Attempts left on the signing password.
    #[uniffi(default = None)]
    pub signing_attempts_left: Option<u8>,
    /// Seed of the test PKI.
    #[uniffi(default = None)]
    pub seed: Option<String>,
    /// The card-info PIN (default: the authentication PIN's digits, as most holders choose).
    #[uniffi(default = None)]
    pub card_info_pin: Option<String>,
    /// Attempts left on the card-info PIN.
    #[uniffi(default = None)]
    pub card_info_attempts_left: Option<u8>,
}

/// PINs are never printed, even the virtual card's.
impl std::fmt::Debug for VirtualCardOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCardOptions")
            .field("profile", &self.profile)
            .field("auth_attempts_left", &self.auth_attempts_left)
            .field("signing_attempts_left", &self.signing_attempts_left)
            .field("seed", &self.seed)
            .field("card_info_attempts_left", &self.card_info_attempts_left)
            .finish_non_exhaustive()
    }
}

/// A link failure the virtual card can stage, for an app's own resilience tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LinkFault {
    /// The tag leaves the field before the command reaches the card.
    TagLostBeforeDelivery,
    /// The card processes the command (a VERIFY is counted), then the tag is lost.
    TagLostAfterDelivery,
    /// The card processes the command; no answer comes.
    Timeout,
    /// The answer arrives with one byte altered.
    Corrupt,
    /// The answer arrives one byte short.
    Truncate,
    /// The answer arrives late.
    Delay {
        /// How late.
        millis: u32,
    },
}

impl From<LinkFault> for Fault {
    fn from(f: LinkFault) -> Self {
        match f {
            LinkFault::TagLostBeforeDelivery => Fault::TagLostBeforeDelivery,
            LinkFault::TagLostAfterDelivery => Fault::TagLostAfterDelivery,
            LinkFault::Timeout => Fault::Timeout,
            LinkFault::Corrupt => Fault::Corrupt,
            LinkFault::Truncate => Fault::Truncate,
            LinkFault::Delay { millis } => {
                Fault::Delay(std::time::Duration::from_millis(millis.into()))
            }
        }
    }
}

/// A virtual JPKI card. Hand it to `CardSession` like any transceiver, or drive it with raw
/// APDUs through [`VirtualCard::process`].
#[derive(uniffi::Object)]
pub struct VirtualCard {
    card: Mutex<kazashi_virtual_card::VirtualCard>,
    pin_verifications: AtomicU32,
    fault: Mutex<Option<FaultPlan>>,
}

impl VirtualCard {
    fn card(&self) -> MutexGuard<'_, kazashi_virtual_card::VirtualCard> {
        self.card.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers a command, counting VERIFYs that carry a PIN.
    fn answer(&self, command: &[u8]) -> Vec<u8> {
        if kazashi_virtual_card::is_pin_verify(command) {
            self.pin_verifications.fetch_add(1, Ordering::Relaxed);
        }
        self.card().process(command)
    }
}

#[uniffi::export]
impl VirtualCard {
    /// A card of a ready-made profile. Default PINs: "1234" and "ABC123".
    #[uniffi::constructor]
    pub fn new(profile: VirtualCardProfile) -> Arc<Self> {
        Self::with_options(VirtualCardOptions {
            profile,
            auth_pin: None,
            signing_password: None,
            auth_attempts_left: None,
            signing_attempts_left: None,
            seed: None,
            card_info_pin: None,
            card_info_attempts_left: None,
        })
    }

    /// A card from a profile with changes.
    #[uniffi::constructor]
    pub fn with_options(options: VirtualCardOptions) -> Arc<Self> {
        let base: VirtualCardConfig = Profile::from(options.profile).config();
        let config = VirtualCardConfig {
            auth_pin: options.auth_pin.unwrap_or(base.auth_pin.clone()),
            signing_password: options
                .signing_password
                .unwrap_or(base.signing_password.clone()),
            auth_attempts_left: options
                .auth_attempts_left
                .unwrap_or(base.auth_attempts_left),
            signing_attempts_left: options
                .signing_attempts_left
                .unwrap_or(base.signing_attempts_left),
            seed: options.seed.unwrap_or(base.seed.clone()),
            card_info_pin: options.card_info_pin.or(base.card_info_pin.clone()),
            card_info_attempts_left: options
                .card_info_attempts_left
                .unwrap_or(base.card_info_attempts_left),
            ..base
        };
        Arc::new(Self {
            card: Mutex::new(kazashi_virtual_card::VirtualCard::new(config)),
            pin_verifications: AtomicU32::new(0),
            fault: Mutex::new(None),
        })
    }

    /// Answers one raw command APDU.
    pub fn process(&self, command: Vec<u8>) -> Vec<u8> {
        self.answer(&command)
    }

    /// Attempts left on a PIN (`null` when the card has no such PIN).
    pub fn attempts_left(&self, pin: PinKind) -> Option<u8> {
        self.card().attempts_left(pin.into())
    }

    /// VERIFY commands carrying a PIN that reached the card (retry queries not counted).
    pub fn pin_verifications(&self) -> u32 {
        self.pin_verifications.load(Ordering::Relaxed)
    }

    /// Commands the card has answered.
    pub fn commands_processed(&self) -> u64 {
        self.card().commands_processed()
    }

    /// Stages `fault` on the transceiver path (not [`VirtualCard::process`]): it strikes the
    /// command `after_commands` commands from now (0 = the next one), once. Replaces any
    /// fault staged before.
    pub fn inject_fault(&self, after_commands: u32, fault: LinkFault) {
        let plan = FaultPlan::new(after_commands as usize, fault.into());
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = Some(plan);
    }

    /// Whether the staged fault has struck.
    pub fn fault_injected(&self) -> bool {
        self.fault
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|plan| plan.injected())
    }

    /// Simulates the card leaving the field: nothing selected, no PIN verified.
    pub fn reset(&self) {
        self.card().reset();
    }

    /// A certificate the card holds, DER (`null` for a missing signing certificate).
    pub fn certificate(&self, certificate: CertificateKind) -> Option<Vec<u8>> {
        self.card()
            .certificate_der(certificate.into())
            .map(<[u8]>::to_vec)
    }

    /// The test root behind a certificate family, DER: what a test relying party trusts.
    pub fn root_certificate(&self, pin: PinKind) -> Vec<u8> {
        self.card().root_der(pin.into()).to_vec()
    }

    /// This virtual card's My Number (a made-up number with a valid check digit), which is
    /// also its verification number A: for tests of the card-info application.
    pub fn my_number(&self) -> String {
        self.card().my_number()
    }

    /// This virtual card's verification number B (era birth date, expiry year, security
    /// code).
    pub fn verification_number_b(&self) -> String {
        self.card().verification_number_b()
    }

    /// The virtual J-LIS card-info key (SubjectPublicKeyInfo DER) that signed the card-info
    /// application's certificate: pass it as `issuerKey` to have that certificate verified.
    pub fn card_info_issuer_key(&self) -> Vec<u8> {
        self.card().card_info_issuer_public_key_der()
    }
}

#[uniffi::export]
#[async_trait]
impl NfcTransceiver for VirtualCard {
    fn link_info(&self) -> Result<LinkInfo, NfcError> {
        let caps = kazashi::Transport::capabilities(&*self.card());
        Ok(LinkInfo {
            extended_length: caps.extended_length,
            max_transceive_length: caps.max_transceive_length as u32,
        })
    }

    async fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, NfcError> {
        let fault = match self
            .fault
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            Some(plan) => plan.before_delivery().map_err(nfc_error)?,
            None => None,
        };
        let response = self.answer(&command);
        match fault {
            Some(fault) => FaultPlan::damage(fault, response).map_err(nfc_error),
            None => Ok(response),
        }
    }
}

/// A staged link failure as the platform's transceiver would report it.
fn nfc_error(e: TransportError) -> NfcError {
    match e {
        TransportError::TagLost => NfcError::TagLost,
        TransportError::Timeout => NfcError::Timeout,
        TransportError::Io { reason } => NfcError::Io { reason },
        // `TransportError` is non-exhaustive: a failure added later reaches the app as I/O.
        other => NfcError::Io {
            reason: other.to_string(),
        },
    }
}
