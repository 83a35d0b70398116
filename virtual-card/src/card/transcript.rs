//! Transcripts: every command/response pair, with the body of every VERIFY and CHANGE
//! REFERENCE DATA masked, whichever application it went to.

use kazashi::apdu::{Command, LengthForm};
use kazashi::jpki::ins;

/// One command/response pair as seen by the card. VERIFY and CHANGE REFERENCE DATA bodies
/// are masked with `*` (0x2A) so transcripts never hold a PIN or a verification number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The command bytes (PIN bytes masked).
    pub command: Vec<u8>,
    /// The response bytes.
    pub response: Vec<u8>,
}

impl Exchange {
    /// The instruction byte.
    pub fn ins(&self) -> Option<u8> {
        self.command.get(1).copied()
    }

    /// Whether this was a VERIFY carrying a PIN (not a retry query).
    pub fn is_pin_verify(&self) -> bool {
        is_pin_verify(&self.command)
    }
}

/// Whether command bytes are a VERIFY carrying a PIN (not the retry query): the one test of
/// "did this spend an attempt", shared by transcripts, tests and the bindings' virtual card.
pub fn is_pin_verify(command: &[u8]) -> bool {
    command.get(1) == Some(&ins::VERIFY) && command.len() > 5
}

/// Whether the card treats this instruction's body as a PIN: VERIFY and CHANGE REFERENCE DATA.
fn carries_pin(ins_byte: u8) -> bool {
    matches!(ins_byte, ins::VERIFY | ins::CHANGE_REFERENCE_DATA)
}

/// Masks the body of VERIFY and CHANGE REFERENCE DATA for the transcript.
pub(crate) fn mask_secret(command: &[u8]) -> Vec<u8> {
    let mut out = command.to_vec();
    if command.len() <= 4 || !carries_pin(command[1]) {
        return out;
    }
    match Command::decode(command) {
        Ok((decoded, form)) => {
            let start = match form {
                LengthForm::Short => 5,
                LengthForm::Extended => 7,
            };
            let end = (start + decoded.data().len()).min(out.len());
            out[start..end].fill(b'*');
        }
        // A malformed VERIFY or CHANGE may still hold a PIN: mask all after the header.
        Err(_) => out[4..].fill(b'*'),
    }
    out
}
