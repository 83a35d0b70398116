//! What a command can fail with: a card or input problem, or a verification's rejection.

use kazashi::Error;
use kazashi_verify::TrustError;

/// A command's failure.
#[derive(Debug)]
pub enum Failure {
    /// From the card, the link or the input.
    Card(Error),
    /// A relying-party check said no.
    Rejected(TrustError),
    /// No reader, no card, no PC/SC service, the card held by another program, or vpcd
    /// unreachable: before any APDU was exchanged.
    #[cfg_attr(not(feature = "pcsc"), allow(dead_code))]
    Reader {
        /// Machine-readable kind for `--json`.
        kind: &'static str,
        /// What to tell the user.
        message: String,
    },
    /// `login --server` / `--qr-payload`: the server rejected the log-in, could not decide, or
    /// could not be reached.
    Server(crate::login_server::ServerFailure),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Card(e)
    }
}

impl From<kazashi::CertificateError> for Failure {
    fn from(e: kazashi::CertificateError) -> Self {
        Failure::from(Error::from(e))
    }
}

impl From<TrustError> for Failure {
    fn from(e: TrustError) -> Self {
        Failure::Rejected(e)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Card(e) => e.fmt(f),
            Failure::Rejected(e) => write!(f, "rejected: {e}"),
            Failure::Reader { message, .. } => f.write_str(message),
            Failure::Server(e) => e.fmt(f),
        }
    }
}

impl From<kazashi::PinFormatError> for Failure {
    fn from(e: kazashi::PinFormatError) -> Self {
        Failure::Card(e.into())
    }
}
