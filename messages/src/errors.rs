//! One message per kind of failure, in the user's language, with the facts the error carries
//! (which secret, attempts left, whether this entry locked it) and, for a locked secret, where
//! to go: the municipal office; for the signing password also a convenience-store kiosk after a
//! reservation in J-LIS's reset app; for a phone's certificates the Myna Portal app.
//!
//! The match over [`ErrorKind`] is exhaustive, so a kind added to the core fails this build
//! until it has its sentences in both languages.

use kazashi::{ErrorKind, PinKind};

use crate::{secret_name, Language};

/// What a message may say about the failure. Never a PIN, never personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ErrorFacts {
    /// The secret the error is about, if any.
    pub pin: Option<PinKind>,
    /// Attempts left, when the card said.
    pub attempts_left: Option<u8>,
    /// For a locked secret: whether the entry just made locked it.
    pub locked_by_this_attempt: bool,
    /// Whether the token is a phone's (スマホ用電子証明書): its secrets are reset in the Myna
    /// Portal app, not at the office.
    pub phone_token: bool,
}

impl ErrorFacts {
    /// The facts of a core error (`phone_token` false: the error does not know the token).
    pub fn of(error: &kazashi::Error) -> Self {
        let attempts_left = match error {
            kazashi::Error::WrongPin { attempts_left, .. } => Some(*attempts_left),
            kazashi::Error::PinBlocked { .. } => Some(0),
            _ => None,
        };
        Self {
            pin: error.pin(),
            attempts_left,
            locked_by_this_attempt: error.locked_by_this_attempt(),
            phone_token: false,
        }
    }
}

/// The message for a failure of `kind` in `language`.
pub fn error_message(kind: ErrorKind, facts: &ErrorFacts, language: Language) -> String {
    let l = language;
    let name = facts
        .pin
        .map(|pin| secret_name(pin, l))
        .unwrap_or_else(|| l.pick("暗証番号", "PIN"));
    match kind {
        ErrorKind::WrongPin => match facts.attempts_left {
            None => l.pick(format!("{name}が違います"), format!("Wrong {name}.")),
            Some(1) => l.pick(
                format!("{name}が違います。残り1回です。次に間違えるとロックされます"),
                format!("Wrong {name}. 1 attempt left: one more wrong entry locks it."),
            ),
            Some(n) => l.pick(
                format!("{name}が違います。残り{n}回です"),
                format!("Wrong {name}. {n} attempts left."),
            ),
        },
        ErrorKind::PinBlocked => locked(&name, facts, l),
        ErrorKind::LastAttemptNotConfirmed => l.pick(
            format!("{name}の残りは1回です。間違えるとロックされます。確認してからもう一度お試しください"),
            format!("Only one attempt is left for your {name}; a wrong entry locks it. Confirm, then try again."),
        ),
        ErrorKind::AttemptsNotReported => l.pick(
            format!("カードが{name}の残り回数を示しませんでした。間違えるとロックされる可能性があります。確認してからもう一度お試しください"),
            format!("The card did not say how many attempts your {name} has left; a wrong entry may lock it. Confirm, then try again."),
        ),
        ErrorKind::PinCheckInterrupted => l.pick(
            format!("{name}の確認中にカードが離れました。回数が減った可能性があります。もう一度かざして残り回数を確認してください"),
            format!("The card moved away while your {name} was checked; the attempt may have counted. Tap again to see the attempts left."),
        ),
        ErrorKind::PinChangeInterrupted => l.pick(
            format!("{name}の変更中にカードが離れました。古い{name}と新しい{name}のどちらが有効かわかりません。もう一度かざして残り回数を確認し、まず古い方を入力してください"),
            format!("The card moved away while your {name} was being changed: either the old or the new one may now be valid. Tap again to see the attempts left, then try the old one first."),
        ),
        ErrorKind::InvalidPinFormat => match facts.pin {
            Some(PinKind::Signing) => l.pick(
                "署名用パスワードは英字と数字を組み合わせた6〜16文字です",
                "The signing password is 6 to 16 letters and digits, with at least one of each.",
            ),
            Some(PinKind::VerificationNumberA) => l.pick(
                "照合番号Aはマイナンバーの12桁です",
                "Verification number A is your 12-digit My Number.",
            ),
            Some(PinKind::VerificationNumberB) => l.pick(
                "照合番号Bは生年月日（和暦6桁）、有効期限の西暦年、セキュリティコードの14桁です",
                "Verification number B is 14 digits: your birth date (era YYMMDD), the card's expiry year and its security code.",
            ),
            Some(PinKind::Authentication | PinKind::CardInfo) | None => {
                l.pick("暗証番号は数字4桁です", "The PIN is 4 digits.")
            }
        },
        ErrorKind::PinRequired => l.pick(
            format!("{name}の入力が必要です"),
            format!("This card needs your {name} for this."),
        ),
        ErrorKind::TagLost => l.pick(
            "カードが離れました。もう一度かざしてください",
            "The card moved away. Tap again.",
        ),
        ErrorKind::Timeout => l.pick(
            "カードが応答しません。動かさずに、もう一度かざしてください",
            "The card did not answer. Hold it still and tap again.",
        ),
        ErrorKind::Link => l.pick(
            "カードと通信できませんでした。もう一度かざしてください",
            "Could not talk to the card. Tap again.",
        ),
        ErrorKind::NoSigningCertificate => l.pick(
            "このカードには署名用電子証明書がありません（15歳未満の方のカードなど）。市区町村の窓口にお問い合わせください",
            "This card has no signing certificate (for example, cards of holders under 15). Ask your municipal office (市区町村の窓口).",
        ),
        ErrorKind::NotJpkiCard => l.pick(
            "マイナンバーカードではないようです。マイナンバーカードをかざしてください",
            "This does not look like a My Number Card. Use your My Number Card (マイナンバーカード).",
        ),
        ErrorKind::CardStatus | ErrorKind::MalformedResponse => l.pick(
            "カードを読み取れませんでした。もう一度かざしてください",
            "The card could not be read. Tap again.",
        ),
        ErrorKind::Certificate => l.pick(
            "電子証明書を読み取れませんでした。続く場合は市区町村の窓口にお問い合わせください",
            "The certificate on the card could not be read. If this keeps happening, ask your municipal office.",
        ),
        ErrorKind::SignatureMismatch => l.pick(
            "カードの署名を確認できなかったため破棄しました。もう一度お試しください",
            "The card's signature did not verify and was discarded. Try again.",
        ),
        ErrorKind::InvalidInput => l.pick(
            "要求を処理できませんでした",
            "The request could not be processed.",
        ),
        ErrorKind::IntegrityCheckFailed => l.pick(
            "カードのデータが正しいことを確認できなかったため、破棄しました。市区町村の窓口でカードを確認してもらってください",
            "The card's data failed its integrity check and was discarded. Have the card checked at your municipal office.",
        ),
        ErrorKind::ApplicationNotFound => l.pick(
            "このカードにはこの機能がありません（スマホ用電子証明書には券面事項はありません）",
            "This card does not have this application (phone tokens carry only the electronic certificates).",
        ),
    }
}

/// A locked secret: what happened and where to go.
fn locked(name: &str, facts: &ErrorFacts, l: Language) -> String {
    let what = if facts.locked_by_this_attempt {
        l.pick(
            format!("{name}が違います。ロックされました。"),
            format!("Wrong {name}. It is now locked: "),
        )
    } else {
        l.pick(
            format!("{name}はロックされています。"),
            format!("Your {name} is locked: "),
        )
    };
    format!("{what}{}", unlock_guidance(facts, l))
}

/// Where a locked secret is reset or unlocked.
fn unlock_guidance(facts: &ErrorFacts, l: Language) -> String {
    if facts.phone_token && facts.pin.is_none_or(PinKind::is_jpki) {
        return l.pick(
            "マイナポータルアプリで、マイナンバーカードを使ってスマホ用電子証明書を登録し直してください",
            "register the phone's certificate again in the Myna Portal app (マイナポータル), with your My Number Card.",
        );
    }
    match facts.pin {
        Some(PinKind::Signing) => l.pick(
            "お住まいの市区町村の窓口で再設定するか、JPKI暗証番号リセットアプリで予約してからコンビニのキオスク端末で再設定してください",
            "reset it at your municipal office (市区町村の窓口), or reserve a reset in the JPKI PIN reset app (JPKI暗証番号リセット) and finish it at a convenience-store kiosk.",
        ),
        Some(PinKind::VerificationNumberA | PinKind::VerificationNumberB) => l.pick(
            "お住まいの市区町村の窓口にお問い合わせください。それまでは券面事項入力補助用暗証番号で同じ情報を読み取れます",
            "ask your municipal office (市区町村の窓口); until then, the card-info PIN opens the same data.",
        ),
        Some(PinKind::Authentication | PinKind::CardInfo) | None => l.pick(
            "お住まいの市区町村の窓口で、カードと本人確認書類を持って再設定してください",
            "reset it at your municipal office (市区町村の窓口), with the card and photo ID.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of facts a message can receive.
    fn all_facts() -> Vec<ErrorFacts> {
        let pins = [
            None,
            Some(PinKind::Authentication),
            Some(PinKind::Signing),
            Some(PinKind::CardInfo),
            Some(PinKind::VerificationNumberA),
            Some(PinKind::VerificationNumberB),
        ];
        let mut all = Vec::new();
        for pin in pins {
            for attempts_left in [None, Some(0), Some(1), Some(2), Some(4)] {
                for locked_by_this_attempt in [false, true] {
                    for phone_token in [false, true] {
                        all.push(ErrorFacts {
                            pin,
                            attempts_left,
                            locked_by_this_attempt,
                            phone_token,
                        });
                    }
                }
            }
        }
        all
    }

    fn has_kana(text: &str) -> bool {
        text.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c))
    }

    #[test]
    fn every_kind_has_a_japanese_and_an_english_message_for_every_fact() {
        for &kind in ErrorKind::ALL {
            for facts in all_facts() {
                let ja = error_message(kind, &facts, Language::Japanese);
                let en = error_message(kind, &facts, Language::English);
                assert!(has_kana(&ja), "{kind:?} {facts:?}: no Japanese: {ja}");
                assert!(
                    en.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{kind:?} {facts:?}: English must be a sentence: {en}"
                );
                assert_ne!(ja, en);
            }
        }
    }

    #[test]
    fn attempts_left_are_stated_and_the_last_one_is_a_warning() {
        let facts = |n| ErrorFacts {
            pin: Some(PinKind::Authentication),
            attempts_left: Some(n),
            ..ErrorFacts::default()
        };
        let two = error_message(ErrorKind::WrongPin, &facts(2), Language::English);
        assert_eq!(two, "Wrong PIN. 2 attempts left.");
        let one = error_message(ErrorKind::WrongPin, &facts(1), Language::Japanese);
        assert!(one.contains("残り1回") && one.contains("ロック"), "{one}");
    }

    #[test]
    fn each_locked_secret_says_where_to_go() {
        let locked = |pin, phone_token| {
            let facts = ErrorFacts {
                pin: Some(pin),
                attempts_left: Some(0),
                locked_by_this_attempt: false,
                phone_token,
            };
            (
                error_message(ErrorKind::PinBlocked, &facts, Language::Japanese),
                error_message(ErrorKind::PinBlocked, &facts, Language::English),
            )
        };
        let (ja, en) = locked(PinKind::Authentication, false);
        assert!(ja.contains("市区町村の窓口") && en.contains("municipal office"));
        let (ja, en) = locked(PinKind::CardInfo, false);
        assert!(ja.contains("市区町村の窓口") && en.contains("municipal office"));
        let (ja, en) = locked(PinKind::Signing, false);
        assert!(
            ja.contains("コンビニ") && ja.contains("JPKI暗証番号リセット"),
            "{ja}"
        );
        assert!(
            en.contains("convenience-store kiosk") && en.contains("reset app"),
            "{en}"
        );
        let (ja, en) = locked(PinKind::Authentication, true);
        assert!(
            ja.contains("マイナポータル") && en.contains("Myna Portal"),
            "{en}"
        );
        // The card-info application is not on a phone token: the office still applies.
        let (ja, _) = locked(PinKind::CardInfo, true);
        assert!(ja.contains("市区町村の窓口"), "{ja}");
    }

    #[test]
    fn facts_come_from_the_core_error_without_the_pin() {
        let error = kazashi::Error::WrongPin {
            pin: PinKind::Signing,
            attempts_left: 3,
        };
        let facts = ErrorFacts::of(&error);
        assert_eq!(facts.pin, Some(PinKind::Signing));
        assert_eq!(facts.attempts_left, Some(3));
        assert_eq!(
            error_message(error.kind(), &facts, Language::English),
            "Wrong signing password. 3 attempts left."
        );
    }
}
