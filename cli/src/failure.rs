//! What a command can fail with: a card or input problem, or a verification's rejection.

use kazashi::trust::TrustError;
use kazashi::Error;

/// A command's failure.
#[derive(Debug)]
pub enum Failure {
    /// From the card, the link or the input.
    Card(Error),
    /// A relying-party check said no.
    Rejected(TrustError),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Card(e)
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
        }
    }
}
