//! What the NFC sheet or the progress line says while the card works.

use kazashi::progress::ProgressStage;
use kazashi::PinKind;

use crate::Language;

/// The sentence for `stage` of a flow that checks `secret` (`None`: a flow that did not say,
/// e.g. an app's own command sequence). Only [`ProgressStage::VerifyingPin`] depends on the
/// secret: a PIN (暗証番号), the signing password (パスワード), a verification number (照合番号).
pub fn stage_message(stage: ProgressStage, secret: Option<PinKind>, language: Language) -> String {
    let l = language;
    match stage {
        ProgressStage::CardFound | ProgressStage::ReadingCertificate => l.pick(
            "読み取っています。カードを動かさないでください",
            "Reading the card. Keep it still.",
        ),
        ProgressStage::CheckingPinCounter => l.pick(
            "残り回数を確認しています。カードを動かさないでください",
            "Checking the attempts left. Keep the card still.",
        ),
        ProgressStage::VerifyingPin => match secret {
            Some(PinKind::Authentication | PinKind::CardInfo) => l.pick(
                "暗証番号を確認しています。カードを動かさないでください",
                "Checking your PIN. Keep the card still.",
            ),
            Some(PinKind::Signing) => l.pick(
                "パスワードを確認しています。カードを動かさないでください",
                "Checking your password. Keep the card still.",
            ),
            Some(PinKind::VerificationNumberA | PinKind::VerificationNumberB) => l.pick(
                "照合番号を確認しています。カードを動かさないでください",
                "Checking your verification number. Keep the card still.",
            ),
            None => l.pick(
                "確認しています。カードを動かさないでください",
                "Checking. Keep the card still.",
            ),
        },
        ProgressStage::ChangingPin => l.pick(
            "暗証番号を変更しています。カードを動かさないでください",
            "Changing your PIN. Keep the card still.",
        ),
        ProgressStage::Signing => l.pick(
            "署名しています。カードを動かさないでください",
            "Signing. Keep the card still.",
        ),
        ProgressStage::Done => l.pick("完了しました", "Done."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_exists_in_both_languages_for_every_secret() {
        let secrets = [
            None,
            Some(PinKind::Authentication),
            Some(PinKind::Signing),
            Some(PinKind::CardInfo),
            Some(PinKind::VerificationNumberA),
            Some(PinKind::VerificationNumberB),
        ];
        for &stage in ProgressStage::ALL {
            for secret in secrets {
                let ja = stage_message(stage, secret, Language::Japanese);
                let en = stage_message(stage, secret, Language::English);
                assert!(
                    ja.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c)),
                    "{stage:?}"
                );
                assert!(
                    en.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{stage:?}: {en}"
                );
            }
        }
    }

    #[test]
    fn the_checking_stage_names_the_secret() {
        let en = |s| stage_message(ProgressStage::VerifyingPin, s, Language::English);
        assert!(en(Some(PinKind::Signing)).contains("password"));
        assert!(en(Some(PinKind::Authentication)).contains("PIN"));
        assert!(en(Some(PinKind::VerificationNumberB)).contains("verification number"));
    }
}
