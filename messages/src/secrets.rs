//! The names of the card's secrets, as the card's paperwork and the municipal office call them.

use kazashi::PinKind;

use crate::Language;

/// The name of `pin` in `language` (`利用者証明用電子証明書暗証番号` is shortened the way the
/// J-LIS leaflets shorten it).
pub fn secret_name(pin: PinKind, language: Language) -> String {
    match pin {
        PinKind::Authentication => language.pick("利用者証明用暗証番号", "PIN"),
        PinKind::Signing => language.pick("署名用パスワード", "signing password"),
        PinKind::CardInfo => language.pick("券面事項入力補助用暗証番号", "card-info PIN"),
        PinKind::VerificationNumberA => language.pick(
            "照合番号A（マイナンバー）",
            "verification number A (your My Number)",
        ),
        PinKind::VerificationNumberB => language.pick("照合番号B", "verification number B"),
    }
}
