//! The user's language for the sentences from the message catalogue (`kazashi-messages`):
//! Japanese when the POSIX locale says so (`LC_ALL`, then `LC_MESSAGES`, then `LANG`, the
//! first one set), English otherwise.

use kazashi_messages::Language;

/// The language of the terminal's user.
pub fn user_language() -> Language {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .map(|value| Language::from_locale(&value))
        .unwrap_or(Language::English)
}
