//! The message catalogue (`kazashi-messages`) for Kotlin and Swift: every sentence the Android
//! and iOS shells show, in Japanese and English, from the one Rust list, so the two platforms
//! and the CLI cannot drift. Also the progress stages a [`ProgressListener`] hears.

use kazashi_messages::{ErrorFacts, Language as CoreLanguage};

use crate::error::{ErrorKind, KazashiError};
use crate::model::PinKind;

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    /// 日本語.
    Japanese,
    /// English.
    English,
}

impl From<Language> for CoreLanguage {
    fn from(l: Language) -> Self {
        match l {
            Language::Japanese => CoreLanguage::Japanese,
            Language::English => CoreLanguage::English,
        }
    }
}

/// Japanese for a locale tag starting with `ja` (`ja-JP`, `ja_JP`), English otherwise.
/// Kotlin: `languageForLocale(Locale.getDefault().toLanguageTag())`; Swift:
/// `languageForLocale(tag: Locale.preferredLanguages.first ?? "")`.
#[uniffi::export]
pub fn language_for_locale(tag: String) -> Language {
    match CoreLanguage::from_locale(&tag) {
        CoreLanguage::Japanese => Language::Japanese,
        CoreLanguage::English => Language::English,
    }
}

/// Where the card is held (the "hold your card" sentence names the spot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Device {
    /// The top edge of an iPhone.
    Iphone,
    /// The back of an Android phone.
    AndroidPhone,
    /// A desktop card reader.
    CardReader,
}

impl From<Device> for kazashi_messages::Device {
    fn from(d: Device) -> Self {
        match d {
            Device::Iphone => Self::Iphone,
            Device::AndroidPhone => Self::AndroidPhone,
            Device::CardReader => Self::CardReader,
        }
    }
}

/// Mirrors a fieldless enum of `kazashi-messages` or the core with an exhaustive conversion, so
/// a variant added there fails this build until it is exported.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident from $core:path { $($(#[$doc:meta])* $variant:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$doc])* $variant,)*
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$variant => <$core>::$variant,)*
                }
            }
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                match v {
                    $(<$core>::$variant => $name::$variant,)*
                }
            }
        }
    };
}

mirror_enum! {
    /// A fixed sentence not tied to a stage of a card flow.
    Notice from kazashi_messages::Notice {
        /// Waiting for a card.
        HoldCard,
        /// Several cards answered at once.
        OneCardOnly,
        /// The tag is not a My Number Card.
        NotMyNumberCard,
        /// Connecting failed before anything was sent.
        ConnectionFailed,
        /// NFC is switched off.
        NfcOff,
        /// The device cannot read My Number Cards.
        NfcUnavailable,
        /// NFC is busy with another session.
        NfcBusy,
        /// The reading window timed out.
        TimeRanOut,
        /// The app is not configured for NFC.
        AppNotSetUp,
        /// Cancelled.
        Cancelled,
        /// The NFC session ended before the flow completed.
        ReadingIncomplete,
        /// Anything else.
        SomethingWentWrong,
        /// Check mark after a log-in.
        LoggedIn,
        /// Check mark after a signature.
        Signed,
        /// Check mark after the card-info attributes were read.
        CardInfoRead,
        /// Check mark after the My Number was read.
        MyNumberRead,
        /// Check mark after the card's front was read.
        CardSurfaceRead,
        /// Check mark after any other flow.
        Done,
    }
}

mirror_enum! {
    /// What the card is doing: the stages a [`ProgressListener`] hears, in flow order.
    ProgressStage from kazashi::progress::ProgressStage {
        /// The card answered the first command.
        CardFound,
        /// Selecting, reading certificates or files.
        ReadingCertificate,
        /// Reading a retry counter (spends nothing).
        CheckingPinCounter,
        /// The card is checking a PIN.
        VerifyingPin,
        /// The card is changing a PIN.
        ChangingPin,
        /// The card is signing.
        Signing,
        /// The flow finished.
        Done,
    }
}

/// Hears the stages of each card flow of a [`crate::CardSession`], on the thread that sends the
/// commands: keep it short (post to the UI). The iOS shell sets the NFC sheet's message from
/// it; the Android sample shows it under the card picture.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    /// The flow moved on to `stage`.
    fn on_progress(&self, stage: ProgressStage);
}

/// The sentence for a failure, in `language`: what happened and what to do, with the
/// attempts left and where to unlock a locked secret (`phone_token`: a phone's certificates,
/// reset in the Myna Portal app). Kotlin's `KazashiException.userMessage(locale)` and Swift's
/// `ReaderMessages.errorMessage(for:)` call it.
#[uniffi::export(default(phone_token = false))]
pub fn error_message(error: &KazashiError, language: Language, phone_token: bool) -> String {
    let KazashiError::Failed {
        kind,
        pin,
        attempts_left,
        by_this_attempt,
        ..
    } = error;
    let facts = ErrorFacts {
        pin: pin.map(Into::into),
        attempts_left: *attempts_left,
        locked_by_this_attempt: *by_this_attempt,
        phone_token,
    };
    kazashi_messages::error_message((*kind).into(), &facts, language.into())
}

/// The sentence for the error kind alone (no facts), e.g. for an NFC error mapped to a kind.
#[uniffi::export]
pub fn error_kind_message(kind: ErrorKind, language: Language) -> String {
    kazashi_messages::error_message(kind.into(), &ErrorFacts::default(), language.into())
}

/// What the sheet says at `stage` of a flow that checks `secret` (`None`: a neutral text).
#[uniffi::export]
pub fn progress_message(
    stage: ProgressStage,
    secret: Option<PinKind>,
    language: Language,
) -> String {
    kazashi_messages::stage_message(stage.into(), secret.map(Into::into), language.into())
}

/// A fixed notice on `device`.
#[uniffi::export]
pub fn notice_message(notice: Notice, device: Device, language: Language) -> String {
    kazashi_messages::notice_message(notice.into(), device.into(), language.into())
}

/// The name of a secret as the card's paperwork calls it.
#[uniffi::export]
pub fn secret_name(pin: PinKind, language: Language) -> String {
    kazashi_messages::secret_name(pin.into(), language.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_pin_reads_the_same_through_the_bindings_as_in_the_catalogue() {
        let error: KazashiError = kazashi::Error::WrongPin {
            pin: kazashi::PinKind::Authentication,
            attempts_left: 2,
        }
        .into();
        assert_eq!(
            error_message(&error, Language::English, false),
            "Wrong PIN. 2 attempts left."
        );
        assert_eq!(
            error_message(&error, Language::Japanese, false),
            "利用者証明用暗証番号が違います。残り2回です"
        );
    }

    #[test]
    fn locales_pick_the_language() {
        assert_eq!(language_for_locale("ja-JP".into()), Language::Japanese);
        assert_eq!(language_for_locale("en-GB".into()), Language::English);
    }
}
