//! # kazashi-messages
//!
//! The user-facing text of Kazashi, in Japanese and English, written once. The Android shell,
//! the iOS shell (through the bindings) and the CLI all read it from here, so an app on either
//! phone and the desktop tell the user the same thing in the same words.
//!
//! Why a crate of its own: the core's `reason` and `action` sentences are English, long and
//! written for logs and developers; a phone's NFC sheet has room for a line or two in the user's
//! language. Keeping the catalogue apart also keeps translation changes out of the protocol code.
//!
//! Nothing here ever contains a PIN, a signature or personal data: the only facts a message
//! takes are which secret, how many attempts are left and whether this entry locked it.
//!
//! - [`errors`]: one message per [`kazashi::ErrorKind`], with lockout guidance per secret;
//! - [`stages`]: what the sheet says at each [`kazashi::progress::ProgressStage`];
//! - [`notices`]: fixed sentences (hold the card, one card only, NFC off, done...);
//! - [`secrets`]: the names of the PINs as the card's paperwork calls them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod errors;
pub mod notices;
pub mod secrets;
pub mod stages;

pub use errors::{error_message, ErrorFacts};
pub use notices::{notice_message, Device, Notice};
pub use secrets::secret_name;
pub use stages::stage_message;

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// 日本語.
    Japanese,
    /// English.
    English,
}

impl Language {
    /// Both languages.
    pub const ALL: &'static [Language] = &[Language::Japanese, Language::English];

    /// Japanese for a BCP 47 tag or POSIX locale starting with `ja` (`ja`, `ja-JP`,
    /// `ja_JP.UTF-8`), English for anything else.
    pub fn from_locale(tag: &str) -> Language {
        let lower = tag.trim().to_ascii_lowercase();
        let primary = lower.split(['-', '_', '.', '@']).next().unwrap_or_default();
        if primary == "ja" {
            Language::Japanese
        } else {
            Language::English
        }
    }

    /// Picks the sentence in this language.
    pub(crate) fn pick(self, japanese: impl Into<String>, english: impl Into<String>) -> String {
        match self {
            Language::Japanese => japanese.into(),
            Language::English => english.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn locales_starting_with_ja_are_japanese_and_nothing_else_is() {
        for tag in ["ja", "ja-JP", "ja_JP.UTF-8", "JA-jp", " ja "] {
            assert_eq!(Language::from_locale(tag), Language::Japanese, "{tag}");
        }
        for tag in ["en", "en-US", "", "C", "jav", "es-JA", "POSIX"] {
            assert_eq!(Language::from_locale(tag), Language::English, "{tag}");
        }
    }
}
