//! Exit codes, documented in the README and in `kazashi --help`.

use kazashi::{Error, ErrorKind};

use crate::failure::Failure;

/// The exit code and a machine-readable kind for any failure.
pub fn classify_failure(failure: &Failure) -> (i32, &'static str) {
    match failure {
        Failure::Card(e) => classify(e),
        Failure::Rejected(e) => (REJECTED, e.kind().name()),
        Failure::Reader { kind, .. } => (READER, kind),
        Failure::Server(e @ crate::login_server::ServerFailure::Rejected { .. }) => {
            (REJECTED, e.kind())
        }
        Failure::Server(e) => (SERVER, e.kind()),
    }
}

/// Success.
pub const OK: i32 = 0;
/// Bad usage or input: unknown option, malformed PIN, bad hex, unreadable file.
pub const USAGE: i32 = 2;
/// The PIN was wrong; attempts remain.
pub const WRONG_PIN: i32 = 3;
/// The PIN is locked.
pub const PIN_LOCKED: i32 = 4;
/// One attempt left and it was not confirmed (`--confirm-last-attempt`).
pub const LAST_ATTEMPT: i32 = 5;
/// The card or the link failed (tag lost, timeout, unexpected status or response).
pub const CARD: i32 = 6;
/// The card lacks what was asked for (no signing certificate, not a JPKI card, PIN needed).
pub const UNAVAILABLE: i32 = 7;
/// The card's signature did not verify against its certificate.
pub const BAD_SIGNATURE: i32 = 8;
/// A verification (`verify`, `verify-login`) rejected the file or message.
pub const REJECTED: i32 = 9;
/// No reader, no card, PC/SC service down, card held by another program, or vpcd unreachable
/// (`virtual-card serve`).
pub const READER: i32 = 10;
/// `login --server` / `--qr-payload`: the server could not be reached, gave an answer that is
/// not this API's, or could not decide (e.g. its challenge store is down).
pub const SERVER: i32 = 11;

/// Help text for `--help`.
pub const TABLE: &str = "Exit codes:
  0  success
  2  bad usage or input (malformed PIN, bad hex, unreadable file)
  3  PIN incorrect, attempts remain
  4  PIN locked
  5  one attempt left and --confirm-last-attempt not given
  6  card or link error (tag lost, timeout, unexpected response)
  7  the card lacks it (no signing certificate, not a JPKI card, PIN required)
  8  the card's signature did not verify, or its data failed the integrity check
  9  verify / verify-login rejected the file or message, or login --server's server
     rejected the log-in (the reason is printed)
 10  no reader, no card, PC/SC service not running, card in use by another program,
     or vpcd unreachable (virtual-card serve)
 11  login --server / --qr-payload: the server is unreachable, answered unexpectedly, or
     could not decide (try again later)";

/// The exit code and the machine-readable kind for an error: the kind's name from the core's
/// one list (`kazashi::ErrorKind`), the exit code by what the user can do about it.
pub fn classify(error: &Error) -> (i32, &'static str) {
    let kind = error.kind();
    let code = match kind {
        ErrorKind::InvalidPinFormat | ErrorKind::InvalidInput => USAGE,
        ErrorKind::WrongPin => WRONG_PIN,
        ErrorKind::PinBlocked => PIN_LOCKED,
        ErrorKind::LastAttemptNotConfirmed | ErrorKind::AttemptsNotReported => LAST_ATTEMPT,
        ErrorKind::TagLost
        | ErrorKind::Timeout
        | ErrorKind::Link
        | ErrorKind::PinCheckInterrupted
        | ErrorKind::PinChangeInterrupted
        | ErrorKind::CardStatus
        | ErrorKind::MalformedResponse
        | ErrorKind::Certificate => CARD,
        ErrorKind::NoSigningCertificate
        | ErrorKind::NotJpkiCard
        | ErrorKind::PinRequired
        | ErrorKind::ApplicationNotFound => UNAVAILABLE,
        ErrorKind::SignatureMismatch | ErrorKind::IntegrityCheckFailed => BAD_SIGNATURE,
    };
    (code, kind.name())
}
