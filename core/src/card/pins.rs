//! PINs on the card: the retry query (which spends nothing), the guarded VERIFY (at most one,
//! never re-sent) and CHANGE REFERENCE DATA. The PIN rules of the README hold here, once, for
//! every application.

use super::addressing::{query_understood, short_ef_id, Support};
use super::commands;
use super::Card;
use crate::apdu::StatusWord;
use crate::channel::ChannelError;
use crate::error::{Error, Result};
use crate::pin::{LastAttempt, Pin, PinKind, PinStatus};
use crate::transport::{Transport, TransportError};

/// A PIN of some application: which secret it is, the EF that holds it, and what a failed
/// SELECT of it is called in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinRef {
    /// Which secret.
    pub kind: PinKind,
    /// The EF holding it (its key reference).
    pub fid: u16,
    /// What a failed SELECT of it is reported as.
    pub select: &'static str,
}

/// The operation name a failed retry query carries in [`Error::CardStatus`].
pub const RETRY_QUERY: &str = "retry counter query";

/// A command that can spend a PIN attempt or change a PIN, remembered while it is on its way
/// ([`Card::pin_command_in_flight`]). An async flow can be dropped at any await, and an app
/// does that when it cancels (a Kotlin coroutine cancelled by the user leaving the screen drops
/// the Rust future). If that happens after the command left and before the card answered, the
/// card may have counted the attempt (or stored the new PIN), and nobody was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PinCommand {
    /// VERIFY with the PIN.
    Verify(PinKind),
    /// CHANGE REFERENCE DATA.
    Change(PinKind),
}

impl PinCommand {
    /// What the user is told at the next PIN entry after this command was cut off.
    fn interrupted(self) -> Error {
        let cause = TransportError::Cancelled;
        match self {
            PinCommand::Verify(pin) => Error::PinCheckInterrupted { pin, cause },
            PinCommand::Change(pin) => Error::PinChangeInterrupted { pin, cause },
        }
    }
}

/// How a VERIFY names its PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PinForm {
    /// `P2 = 80|SFI`.
    ShortEfId(u8),
    /// `P2 = 80`, the PIN's EF selected.
    CurrentEf,
}

impl PinForm {
    fn p2(self) -> u8 {
        match self {
            PinForm::ShortEfId(p2) => p2,
            PinForm::CurrentEf => 0x80,
        }
    }
}

impl<T: Transport> Card<T> {
    /// Reads a PIN's counter with the retry query (case-1 VERIFY, which spends no attempt),
    /// by short EF id when the card accepts it and `allow_short`, else after selecting the
    /// PIN's EF.
    ///
    /// # Errors
    ///
    /// [`Error::CardStatus`] when the PIN's EF cannot be selected or the answer is not a
    /// counter; link failures.
    pub async fn pin_status(&mut self, pin: PinRef, allow_short: bool) -> Result<PinStatus> {
        let status = self.query_pin(pin, allow_short).await?.0;
        // The counter is what an interrupted PIN command left the user wondering about.
        self.pin_command_in_flight = None;
        Ok(status)
    }

    /// Refuses a new PIN command while an earlier one's outcome is unknown: its flow was
    /// dropped between sending it and the card's answer. Reported once; the caller reads the
    /// counter (or simply tries again, which the counter checks still guard).
    fn refuse_after_interruption(&mut self) -> Result<()> {
        match self.pin_command_in_flight.take() {
            Some(command) => Err(command.interrupted()),
            None => Ok(()),
        }
    }

    /// Sends a PIN command, remembering it until the card answers (see [`PinCommand`]).
    async fn send_pin_command(
        &mut self,
        command: &crate::apdu::Command,
        pin_command: PinCommand,
        operation: &'static str,
    ) -> std::result::Result<crate::apdu::Response, ChannelError> {
        self.pin_command_in_flight = Some(pin_command);
        let response = self.channel.exchange(command, operation).await;
        self.pin_command_in_flight = None;
        response
    }

    /// The retry query, returning the form that worked, which is the form the VERIFY must use.
    pub(crate) async fn query_pin(
        &mut self,
        pin: PinRef,
        allow_short: bool,
    ) -> Result<(PinStatus, PinForm)> {
        let short =
            short_ef_id(pin.fid).filter(|_| allow_short && self.addressing.pins.try_short());
        if let Some(p2) = short {
            let sw = self
                .exchange(&commands::retry_query(p2), RETRY_QUERY)
                .await?
                .sw();
            if query_understood(sw) {
                self.addressing.record(|a| &mut a.pins, true);
                return Ok((retry_status(pin.kind, sw)?, PinForm::ShortEfId(p2)));
            }
            self.addressing.record(|a| &mut a.pins, false);
        }
        match self.select_ef(pin.fid, pin.select).await? {
            StatusWord::SUCCESS => {}
            sw => {
                return Err(Error::CardStatus {
                    sw,
                    operation: pin.select,
                })
            }
        }
        let sw = self
            .exchange(&commands::retry_query(0x80), RETRY_QUERY)
            .await?
            .sw();
        Ok((retry_status(pin.kind, sw)?, PinForm::CurrentEf))
    }

    /// Checks the counter, then sends exactly one VERIFY, or none:
    /// - blocked: no VERIFY, [`Error::PinBlocked`];
    /// - one attempt left and not confirmed: no VERIFY, [`Error::LastAttemptNotConfirmed`];
    /// - counter not reported and not confirmed: no VERIFY, [`Error::AttemptsNotReported`];
    /// - link lost during VERIFY: [`Error::PinCheckInterrupted`], never re-sent;
    /// - an earlier VERIFY or CHANGE whose flow was dropped before the card answered: no APDU,
    ///   [`Error::PinCheckInterrupted`] (or [`Error::PinChangeInterrupted`]) with the cause
    ///   [`TransportError::Cancelled`], once.
    ///
    /// The VERIFY takes the form the retry query proved. `allow_short = false` keeps the PIN's
    /// EF current afterwards (CHANGE REFERENCE DATA needs it).
    ///
    /// # Errors
    ///
    /// The guards above, [`Error::WrongPin`] with the attempts left, [`Error::PinBlocked`]
    /// when this entry used the last attempt, [`Error::CardStatus`] for other answers.
    pub async fn verify_pin<P: Pin>(
        &mut self,
        pin_ref: PinRef,
        pin: &P,
        last_attempt: LastAttempt,
        allow_short: bool,
    ) -> Result<()> {
        let kind = pin_ref.kind;
        self.refuse_after_interruption()?;
        let (status, form) = self.query_pin(pin_ref, allow_short).await?;
        guard_attempt(status, last_attempt)?;
        let command = commands::verify(form.p2(), pin.bytes());
        let sent = self
            .send_pin_command(&command, PinCommand::Verify(kind), "VERIFY")
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(ChannelError::Transport(cause)) => {
                return Err(Error::PinCheckInterrupted { pin: kind, cause })
            }
            Err(other) => return Err(other.into()),
        };
        drop(command);
        let sw = response.sw();
        match sw {
            StatusWord::SUCCESS => Ok(()),
            _ if sw.retries_left() == Some(0) => Err(Error::PinBlocked {
                pin: kind,
                by_this_attempt: true,
            }),
            _ if sw.retries_left().is_some() => Err(Error::WrongPin {
                pin: kind,
                attempts_left: sw.retries_left().unwrap_or_default(),
            }),
            StatusWord::REFERENCE_DATA_BLOCKED | StatusWord::AUTHENTICATION_METHOD_BLOCKED => {
                Err(Error::PinBlocked {
                    pin: kind,
                    by_this_attempt: false,
                })
            }
            sw => {
                // The card understood the short query but not the short VERIFY. The entry is
                // not re-sent; the next one goes in the SELECT form.
                if matches!(form, PinForm::ShortEfId(_)) {
                    self.addressing.pins = Support::Refused;
                }
                Err(Error::CardStatus {
                    sw,
                    operation: "VERIFY",
                })
            }
        }
    }

    /// CHANGE REFERENCE DATA of the current PIN EF to `new`, right after a successful
    /// [`Card::verify_pin`] with `allow_short = false`.
    ///
    /// # Errors
    ///
    /// [`Error::PinChangeInterrupted`] when the link fails once the command is on its way (the
    /// card may hold the old or the new PIN); [`Error::PinRequired`] when the card does not
    /// consider the PIN verified,
    /// [`Error::CardStatus`] for other refusals; link failures.
    pub async fn change_reference_data<P: Pin>(&mut self, new: &P) -> Result<()> {
        let operation = "CHANGE REFERENCE DATA";
        self.refuse_after_interruption()?;
        let command = commands::change_reference_data(0x80, new.bytes());
        let sent = self
            .send_pin_command(&command, PinCommand::Change(P::KIND), operation)
            .await;
        let response = match sent {
            Ok(response) => response,
            // Sent, or perhaps not: the card may hold either PIN now. Never re-sent.
            Err(ChannelError::Transport(cause)) => {
                return Err(Error::PinChangeInterrupted {
                    pin: P::KIND,
                    cause,
                })
            }
            Err(other) => return Err(other.into()),
        };
        match response.sw() {
            StatusWord::SUCCESS => Ok(()),
            StatusWord::SECURITY_STATUS_NOT_SATISFIED => Err(Error::PinRequired { pin: P::KIND }),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }
}

/// Refuses the VERIFY the caller has not allowed: none on a blocked PIN; the attempt that
/// could lock it only when confirmed, whether the card said one is left or said nothing.
fn guard_attempt(status: PinStatus, last_attempt: LastAttempt) -> Result<()> {
    let kind = status.kind;
    if status.is_blocked() {
        return Err(Error::PinBlocked {
            pin: kind,
            by_this_attempt: false,
        });
    }
    if last_attempt == LastAttempt::Confirmed {
        return Ok(());
    }
    match status.attempts_left {
        Some(1) => Err(Error::LastAttemptNotConfirmed { pin: kind }),
        None => Err(Error::AttemptsNotReported { pin: kind }),
        Some(_) => Ok(()),
    }
}

/// What the answer to a retry query says. JPKI answers `63Cx` even after a successful VERIFY.
/// An ISO-style `9000` ("already verified") or `6300` ("no counter") has not been seen on this
/// card; it reports no count, and is kept as "not reported" rather than guessed.
fn retry_status(kind: PinKind, sw: StatusWord) -> Result<PinStatus> {
    let attempts_left = match sw {
        _ if sw.retries_left().is_some() => sw.retries_left(),
        StatusWord::SUCCESS | StatusWord(0x6300) => None,
        StatusWord::REFERENCE_DATA_BLOCKED | StatusWord::AUTHENTICATION_METHOD_BLOCKED => Some(0),
        sw => {
            return Err(Error::CardStatus {
                sw,
                operation: RETRY_QUERY,
            })
        }
    };
    Ok(PinStatus {
        kind,
        attempts_left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_without_a_count_is_not_a_full_counter() {
        for sw in [StatusWord::SUCCESS, StatusWord(0x6300)] {
            let status = retry_status(PinKind::Authentication, sw).unwrap();
            assert_eq!(status.attempts_left, None);
            assert!(!status.is_blocked());
            assert_eq!(
                guard_attempt(status, LastAttempt::Refuse),
                Err(Error::AttemptsNotReported {
                    pin: PinKind::Authentication
                })
            );
            assert_eq!(guard_attempt(status, LastAttempt::Confirmed), Ok(()));
        }
        let three = retry_status(PinKind::Authentication, StatusWord(0x63C3)).unwrap();
        assert_eq!(three.attempts_left, Some(3));
        assert_eq!(guard_attempt(three, LastAttempt::Refuse), Ok(()));
        let blocked = retry_status(PinKind::Signing, StatusWord(0x6984)).unwrap();
        assert!(matches!(
            guard_attempt(blocked, LastAttempt::Confirmed),
            Err(Error::PinBlocked { .. })
        ));
    }
}
