//! Fixed sentences that are not tied to a card flow's stage: where to hold the card, what went
//! wrong before a card flow started (NFC off, a transit card), and what the check mark says.

use crate::Language;

/// Where the card is held: the sentence names the right spot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Device {
    /// An iPhone: the antenna is at the top edge.
    Iphone,
    /// An Android phone: the antenna is on the back, its position varies.
    AndroidPhone,
    /// A desktop card reader.
    CardReader,
}

/// A fixed notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    /// Waiting for a card.
    HoldCard,
    /// Several cards answered at once.
    OneCardOnly,
    /// The tag is not an ISO 7816 card (a transit card, a sticker).
    NotMyNumberCard,
    /// Connecting to the card failed before anything was sent.
    ConnectionFailed,
    /// NFC is switched off in the phone's settings.
    NfcOff,
    /// The device has no NFC reader (or cannot read ISO 7816 cards).
    NfcUnavailable,
    /// The NFC system is busy with another session.
    NfcBusy,
    /// The reading window timed out before a card was found.
    TimeRanOut,
    /// The app is not configured for NFC (entitlement, Info.plist, manifest).
    AppNotSetUp,
    /// The user or the app cancelled.
    Cancelled,
    /// The NFC session ended before the flow completed, for a reason not listed above.
    ReadingIncomplete,
    /// A failure nothing more specific describes.
    SomethingWentWrong,
    /// Check mark after a log-in.
    LoggedIn,
    /// Check mark after a signature.
    Signed,
    /// Check mark after the four card-info attributes were read.
    CardInfoRead,
    /// Check mark after the My Number was read (never the number).
    MyNumberRead,
    /// Check mark after the card's front was read.
    CardSurfaceRead,
    /// Check mark after any other flow.
    Done,
}

impl Notice {
    /// Every notice.
    pub const ALL: &'static [Notice] = &[
        Notice::HoldCard,
        Notice::OneCardOnly,
        Notice::NotMyNumberCard,
        Notice::ConnectionFailed,
        Notice::NfcOff,
        Notice::NfcUnavailable,
        Notice::NfcBusy,
        Notice::TimeRanOut,
        Notice::AppNotSetUp,
        Notice::Cancelled,
        Notice::ReadingIncomplete,
        Notice::SomethingWentWrong,
        Notice::LoggedIn,
        Notice::Signed,
        Notice::CardInfoRead,
        Notice::MyNumberRead,
        Notice::CardSurfaceRead,
        Notice::Done,
    ];
}

/// The sentence for `notice` on `device`, in `language`.
pub fn notice_message(notice: Notice, device: Device, language: Language) -> String {
    let l = language;
    match notice {
        Notice::HoldCard => hold_card(device, l),
        Notice::OneCardOnly => l.pick(
            "複数のカードが見つかりました。マイナンバーカードを1枚だけかざしてください",
            "More than one card found. Hold only your My Number Card.",
        ),
        Notice::NotMyNumberCard => {
            let ja = "マイナンバーカードではないようです。";
            let en = "This does not look like a My Number Card. ";
            format!("{}{}", l.pick(ja, en), hold_card(device, l))
        }
        Notice::ConnectionFailed => l.pick(
            "カードに接続できませんでした。もう一度かざしてください",
            "Could not connect to the card. Tap again.",
        ),
        Notice::NfcOff => match device {
            Device::AndroidPhone => l.pick(
                "NFCがオフになっています。設定でNFCをオンにしてください",
                "NFC is turned off. Turn it on in Settings.",
            ),
            Device::Iphone | Device::CardReader => {
                l.pick("NFCがオフになっています", "NFC is turned off.")
            }
        },
        Notice::NfcUnavailable => l.pick(
            "この端末ではマイナンバーカードを読み取れません",
            "This device cannot read My Number Cards.",
        ),
        Notice::NfcBusy => l.pick(
            "NFCが使用中です。少し待ってからもう一度お試しください",
            "NFC is busy. Try again in a moment.",
        ),
        Notice::TimeRanOut => l.pick(
            "時間切れになりました。もう一度お試しください",
            "Time ran out. Try again.",
        ),
        Notice::AppNotSetUp => l.pick(
            "アプリがマイナンバーカードの読み取りに対応するよう設定されていません（開発者向け: NFCのentitlement、Info.plistまたはマニフェストを確認してください）",
            "This app is not set up to read My Number Cards (developers: check the NFC entitlement, Info.plist or manifest).",
        ),
        Notice::Cancelled => l.pick("キャンセルしました", "Cancelled."),
        Notice::ReadingIncomplete => l.pick(
            "読み取りを完了できませんでした。もう一度お試しください",
            "Reading did not complete. Try again.",
        ),
        Notice::SomethingWentWrong => l.pick(
            "エラーが発生しました。もう一度お試しください",
            "Something went wrong. Try again.",
        ),
        Notice::LoggedIn => l.pick("ログインしました", "Logged in."),
        Notice::Signed => l.pick("署名しました", "Signed."),
        Notice::CardInfoRead => l.pick("券面事項を読み取りました", "Card details read."),
        Notice::MyNumberRead => l.pick("マイナンバーを読み取りました", "My Number read."),
        Notice::CardSurfaceRead => l.pick("券面を読み取りました", "Card front read."),
        Notice::Done => l.pick("読み取りました", "Done."),
    }
}

fn hold_card(device: Device, l: Language) -> String {
    match device {
        Device::Iphone => l.pick(
            "マイナンバーカードをiPhoneの上部にかざしてください",
            "Hold your My Number Card near the top of your iPhone.",
        ),
        Device::AndroidPhone => l.pick(
            "マイナンバーカードをスマートフォンの背面にかざしてください",
            "Hold your My Number Card against the back of your phone.",
        ),
        Device::CardReader => l.pick(
            "マイナンバーカードをカードリーダーに置いてください",
            "Place your My Number Card on the card reader.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_exists_in_both_languages_on_every_device() {
        for &notice in Notice::ALL {
            for device in [Device::Iphone, Device::AndroidPhone, Device::CardReader] {
                let ja = notice_message(notice, device, Language::Japanese);
                let en = notice_message(notice, device, Language::English);
                assert!(
                    ja.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c)),
                    "{notice:?}: {ja}"
                );
                assert!(
                    en.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{notice:?}: {en}"
                );
            }
        }
    }

    #[test]
    fn the_hold_card_sentence_names_the_right_spot() {
        assert!(
            notice_message(Notice::HoldCard, Device::Iphone, Language::English)
                .contains("top of your iPhone")
        );
        assert!(
            notice_message(Notice::HoldCard, Device::AndroidPhone, Language::English)
                .contains("back of your phone")
        );
        assert!(
            notice_message(Notice::HoldCard, Device::CardReader, Language::Japanese)
                .contains("カードリーダー")
        );
    }
}
