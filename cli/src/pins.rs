//! Reading PINs: a no-echo prompt on the terminal, or one line of standard input with
//! `--pin-stdin`. The text is wiped as soon as the typed PIN is built.

use kazashi::card_info::{CardInfoPin, VerificationNumberA, VerificationNumberB};
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
            PinSource::Stdin => read_line_unbuffered().map_err(|e| Error::InvalidInput {
                reason: format!("cannot read the PIN from standard input ({e})"),
            })?,
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

    /// Reads and checks the card-info PIN.
    pub fn card_info_pin(self) -> Result<CardInfoPin, Error> {
        let text = self.read("Card-info PIN (券面事項入力補助用暗証番号, 4 digits): ")?;
        Ok(CardInfoPin::new(&text)?)
    }

    /// Reads and checks verification number A (the My Number).
    pub fn verification_number_a(self) -> Result<VerificationNumberA, Error> {
        let text = self.read("Verification number A (照合番号A: your 12-digit My Number): ")?;
        Ok(VerificationNumberA::new(&text)?)
    }

    /// Reads and checks verification number B.
    pub fn verification_number_b(self) -> Result<VerificationNumberB, Error> {
        let text = self.read(
            "Verification number B (照合番号B: birth date as era YYMMDD, expiry year, security code; 14 digits): ",
        )?;
        Ok(VerificationNumberB::new(&text)?)
    }

    /// Reads and checks the signing password.
    pub fn signing_password(self, what: &str) -> Result<SigningPassword, Error> {
        let text = self.read(&format!("{what} (6-16 letters and digits): "))?;
        Ok(SigningPassword::new(&text)?)
    }
}

/// One line of standard input into a wiping buffer. On Unix it is read a byte at a time from
/// the descriptor itself, so no copy of the PIN stays behind in the standard library's 8 KiB
/// stdin buffer (which is never wiped); elsewhere through that buffer.
fn read_line_unbuffered() -> std::io::Result<Zeroizing<String>> {
    #[cfg(unix)]
    {
        use std::io::Read;
        use std::os::fd::AsFd;
        let mut input = std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned()?);
        let mut bytes = Zeroizing::new(Vec::with_capacity(32));
        let mut byte = [0u8; 1];
        while input.read(&mut byte)? == 1 && byte[0] != b'\n' {
            bytes.push(byte[0]);
        }
        zeroize::Zeroize::zeroize(&mut byte);
        // A PIN is ASCII; anything else is refused by the PIN types' format check.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Zeroizing::new(text))
    }
    #[cfg(not(unix))]
    {
        use std::io::BufRead;
        let mut line = Zeroizing::new(String::new());
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line)
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
