//! Reading PINs: a no-echo prompt on the terminal, or one line of standard input with
//! `--pin-stdin`. The text is wiped as soon as the typed PIN is built.

use std::io::BufRead;

use kazashi::{AuthPin, Error, PinKind, SigningPassword};
use zeroize::Zeroizing;

/// Where PINs come from.
#[derive(Debug, Clone, Copy)]
pub enum PinSource {
    /// A prompt on the terminal, without echo.
    Prompt,
    /// Successive lines of standard input.
    Stdin,
}

impl PinSource {
    fn read(self, prompt: &str) -> Result<Zeroizing<String>, Error> {
        crate::progress::clear();
        let mut text = match self {
            PinSource::Prompt => Zeroizing::new(rpassword::prompt_password(prompt).map_err(|e| Error::InvalidInput {
                reason: format!("cannot prompt for the PIN ({e}); pass it on standard input with --pin-stdin"),
            })?),
            PinSource::Stdin => {
                let mut line = Zeroizing::new(String::new());
                std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::InvalidInput {
                    reason: format!("cannot read the PIN from standard input ({e})"),
                })?;
                line
            }
        };
        let trimmed = Zeroizing::new(text.trim_end_matches(['\r', '\n']).to_string());
        text.clear();
        Ok(trimmed)
    }

    /// Reads and checks the 4-digit authentication PIN.
    pub fn auth_pin(self, what: &str) -> Result<AuthPin, Error> {
        let text = self.read(&format!("{what} (4 digits): "))?;
        Ok(AuthPin::new(&text)?)
    }

    /// Reads and checks the signing password.
    pub fn signing_password(self, what: &str) -> Result<SigningPassword, Error> {
        let text = self.read(&format!("{what} (6-16 letters and digits): "))?;
        Ok(SigningPassword::new(&text)?)
    }
}

/// Asks on the terminal whether to use the last attempt. Only a typed "yes" counts.
pub fn confirm_last_attempt(kind: PinKind) -> bool {
    crate::progress::clear();
    eprintln!("Only one attempt is left for your {kind}. A wrong entry locks it:");
    eprintln!("  {}.", kind.unlock_advice());
    let answer =
        rpassword::prompt_password("Type \"yes\" to use the last attempt (input hidden): ");
    matches!(answer.as_deref().map(str::trim), Ok("yes" | "YES" | "Yes"))
}
