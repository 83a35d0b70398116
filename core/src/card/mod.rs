//! What every application of the card does the same way, written once: SELECT by name and by
//! FID, whole-file reads with the short-EF-id fallback ([`addressing`]), the retry query and
//! the guarded VERIFY and CHANGE REFERENCE DATA ([`Card::verify_pin`]). The JPKI application
//! ([`crate::jpki`]) is built on it, and so is any other application of the My Number Card.
//!
//! The layer knows no application's files or AIDs: they come in as arguments ([`FileRef`],
//! [`PinRef`]), with the names errors should carry.

pub mod addressing;
mod commands;
mod files;
mod pins;

pub use addressing::{EfAddressing, Support};
pub use files::{FileRef, FileShape};
pub use pins::{PinRef, RETRY_QUERY};

use crate::apdu::StatusWord;
use crate::channel::{ApduStats, Channel};
use crate::error::{Error, Result};
use crate::pin::{LastAttempt, Pin, PinKind, PinStatus};
use crate::transport::{LinkCapabilities, Transport};

/// An application besides JPKI that a card may lack (phone tokens carry JPKI only): what the
/// card-info and card-surface readers share, so each names only its own AID and secrets.
#[derive(Debug, Clone, Copy)]
pub struct OptionalApplication {
    /// Its AID.
    pub aid: &'static [u8],
    /// Its name in [`Error::ApplicationNotFound`].
    pub name: &'static str,
    /// What its SELECT is called in errors.
    pub select: &'static str,
    /// Its secret of a kind, or [`Error::InvalidInput`] for a secret it does not have.
    pub pin: fn(PinKind) -> Result<PinRef>,
}

/// A card reached through a [`Transport`], with what the session has learnt about it (which
/// short-EF-id forms it accepts). Keep one per card and session.
pub struct Card<T> {
    pub(crate) channel: Channel<T>,
    pub(crate) addressing: EfAddressing,
    /// The PIN command on its way to the card, until its answer arrives. Still set when a
    /// later call begins, it means the flow that sent it was dropped (an app cancelled it)
    /// before the card answered: the attempt may have been counted ([`pins`]).
    pub(crate) pin_command_in_flight: Option<pins::PinCommand>,
}

impl<T: Transport> Card<T> {
    /// Wraps a transport. Short EF ids are tried first, with a fallback.
    pub fn new(transport: T) -> Self {
        Self {
            channel: Channel::new(transport),
            addressing: EfAddressing::SHORTEST,
            pin_command_in_flight: None,
        }
    }

    /// Sets how files are addressed (see [`EfAddressing`]).
    pub fn set_addressing(&mut self, addressing: EfAddressing) {
        self.addressing = addressing;
    }

    /// What the session has learnt about the card's short-EF-id support.
    pub fn addressing(&self) -> EfAddressing {
        self.addressing
    }

    /// APDUs and bytes exchanged so far.
    pub fn stats(&self) -> ApduStats {
        self.channel.stats()
    }

    /// What the link carries.
    pub fn capabilities(&self) -> LinkCapabilities {
        self.channel.capabilities()
    }

    /// Borrows the transport.
    pub fn transport_mut(&mut self) -> &mut T {
        self.channel.transport_mut()
    }

    /// The transport back.
    pub fn into_transport(self) -> T {
        self.channel.into_transport()
    }

    /// SELECT an application by its AID (`00 A4 04 0C`, no response data). Returns the status
    /// word so the application can give `6A82` its meaning ("not this kind of card").
    ///
    /// # Errors
    ///
    /// Link and encoding failures only; any status word is returned as it is.
    pub async fn select_application(
        &mut self,
        aid: &[u8],
        operation: &'static str,
    ) -> Result<StatusWord> {
        let command = commands::select_by_name(aid);
        Ok(self.channel.exchange(&command, operation).await?.sw())
    }

    /// SELECT an application the card may not have: `6A82` is
    /// [`Error::ApplicationNotFound`] naming it.
    ///
    /// # Errors
    ///
    /// [`Error::ApplicationNotFound`], [`Error::CardStatus`] for other refusals, link failures.
    pub async fn select_optional_application(
        &mut self,
        application: &OptionalApplication,
    ) -> Result<()> {
        match self
            .select_application(application.aid, application.select)
            .await?
        {
            StatusWord::SUCCESS => Ok(()),
            StatusWord::FILE_NOT_FOUND => Err(Error::ApplicationNotFound {
                application: application.name,
            }),
            sw => Err(Error::CardStatus {
                sw,
                operation: application.select,
            }),
        }
    }

    /// The retry counter of one of `application`'s secrets: a secret it does not have is
    /// refused before any APDU; then SELECT and the attempt-free query.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a secret of another application; as
    /// [`Card::select_optional_application`] and [`Card::pin_status`].
    pub async fn application_pin_status(
        &mut self,
        application: &OptionalApplication,
        kind: PinKind,
    ) -> Result<PinStatus> {
        let pin = (application.pin)(kind)?;
        self.select_optional_application(application).await?;
        self.pin_status(pin, true).await
    }

    /// The guarded VERIFY ([`Card::verify_pin`]) of `pin` in `application` (already
    /// selected); returns which secret opened its files.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a secret of another application; as [`Card::verify_pin`].
    pub async fn verify_application_pin<P: Pin>(
        &mut self,
        application: &OptionalApplication,
        pin: &P,
        last_attempt: LastAttempt,
    ) -> Result<PinKind> {
        self.verify_pin((application.pin)(P::KIND)?, pin, last_attempt, true)
            .await?;
        Ok(P::KIND)
    }

    /// SELECT an EF of the current application by FID (`00 A4 02 0C`). Returns the status
    /// word so callers can give `6A82` its meaning in context.
    ///
    /// # Errors
    ///
    /// Link and encoding failures only; any status word is returned as it is.
    pub async fn select_ef(&mut self, fid: u16, operation: &'static str) -> Result<StatusWord> {
        let command = commands::select_ef(fid);
        Ok(self.channel.exchange(&command, operation).await?.sw())
    }

    /// SELECT an EF that must exist.
    ///
    /// # Errors
    ///
    /// [`Error::CardStatus`] for any answer but `9000`, and link failures.
    pub async fn select_ef_ok(&mut self, fid: u16, operation: &'static str) -> Result<()> {
        match self.select_ef(fid, operation).await? {
            StatusWord::SUCCESS => Ok(()),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }

    /// Sends a command the application built, with the channel's rules (counts, `61xx` /
    /// `6Cxx`, redacted logs), and returns the response whatever its status word.
    ///
    /// # Errors
    ///
    /// Link and encoding failures, and malformed responses.
    pub async fn exchange(
        &mut self,
        command: &crate::apdu::Command,
        operation: &'static str,
    ) -> Result<crate::apdu::Response> {
        Ok(self.channel.exchange(command, operation).await?)
    }
}
