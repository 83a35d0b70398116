import Foundation
import Kazashi

/// The language of the NFC sheet.
public enum ReaderLanguage: Equatable, Sendable {
    /// Japanese when the user's first preferred language is Japanese, English otherwise.
    case automatic
    case japanese
    case english

    /// `.japanese` or `.english`, deciding `.automatic` from `preferredLanguages`.
    public func resolved(preferredLanguages: [String] = Locale.preferredLanguages) -> ReaderLanguage {
        switch self {
        case .japanese, .english:
            return self
        case .automatic:
            return preferredLanguages.first?.lowercased().hasPrefix("ja") == true ? .japanese : .english
        }
    }
}

/// Fixed sentences of the NFC sheet that are not tied to a stage.
public enum ReaderNotice: Equatable, Sendable {
    /// Several cards answered at once.
    case oneCardOnly
    /// The tag is not an ISO 7816 card (a transit card, a tag sticker...).
    case notMyNumberCard
    /// Connecting to the card failed before anything was sent.
    case connectionFailed
    /// Shown with the check mark after a log-in.
    case loggedIn
    /// Shown with the check mark after a signature.
    case signed
    /// Shown with the check mark after the four attributes were read (`readCardInfo`).
    case cardInfoRead
    /// Shown with the check mark after the My Number was read (`readMyNumber`); never the number.
    case myNumberRead
    /// Shown with the check mark after the card's front was read (`readCardSurface`).
    case cardSurfaceRead
    /// Shown with the check mark after any other operation.
    case done
}

/// Every text this library shows, in Japanese and English.
///
/// Why here and not in the core: the sheet has room for a line or two and iOS shows it in the
/// user's language; the core's `reason` sentences are longer, English, and meant for logs and
/// app screens. Messages never contain a PIN or personal data.
public struct ReaderMessages: Equatable, Sendable {
    /// The language actually used (never `.automatic`).
    public let language: ReaderLanguage

    public init(language: ReaderLanguage = .automatic) {
        self.language = language.resolved()
    }

    private var ja: Bool { language == .japanese }

    private func pick(_ japanese: String, _ english: String) -> String {
        ja ? japanese : english
    }

    /// What the sheet says during `stage` when the secret being checked is a PIN (the
    /// authentication or card-info PIN): ``text(for:checking:)`` with `.authentication`.
    public func text(for stage: ReaderStage) -> String {
        text(for: stage, checking: .authentication)
    }

    /// What the sheet says during `stage` of a flow that checks `secret`. Only `.checkingPin`
    /// depends on it: a PIN (暗証番号), the signing password (パスワード), a verification number
    /// (照合番号), or, with `nil` (a flow that did not say, e.g. an app's own `perform`), a
    /// neutral "checking" that fits any of them.
    public func text(for stage: ReaderStage, checking secret: PinKind?) -> String {
        switch stage {
        case .waitingForCard:
            return pick("マイナンバーカードをiPhoneの上部にかざしてください",
                        "Hold your My Number Card near the top of your iPhone")
        case .reading:
            return pick("読み取っています。カードを動かさないでください",
                        "Reading the card. Keep it still.")
        case .checkingPin:
            switch secret {
            case .authentication?, .cardInfo?:
                return pick("暗証番号を確認しています。カードを動かさないでください",
                            "Checking your PIN. Keep the card still.")
            case .signing?:
                return pick("パスワードを確認しています。カードを動かさないでください",
                            "Checking your password. Keep the card still.")
            case .verificationNumberA?, .verificationNumberB?:
                return pick("照合番号を確認しています。カードを動かさないでください",
                            "Checking your verification number. Keep the card still.")
            case nil:
                return pick("確認しています。カードを動かさないでください",
                            "Checking. Keep the card still.")
            }
        case .signing:
            return pick("署名しています。カードを動かさないでください",
                        "Signing. Keep the card still.")
        case .changingPin:
            return pick("暗証番号を変更しています。カードを動かさないでください",
                        "Changing your PIN. Keep the card still.")
        }
    }

    /// A fixed notice.
    public func text(for notice: ReaderNotice) -> String {
        switch notice {
        case .oneCardOnly:
            return pick("複数のカードが見つかりました。マイナンバーカードを1枚だけかざしてください",
                        "More than one card found. Hold only your My Number Card.")
        case .notMyNumberCard:
            return pick("マイナンバーカードではないようです。マイナンバーカードをかざしてください",
                        "This does not look like a My Number Card. Hold your My Number Card near the top of your iPhone.")
        case .connectionFailed:
            return pick("カードに接続できませんでした。もう一度かざしてください",
                        "Could not connect to the card. Hold it near the top of your iPhone again.")
        case .loggedIn:
            return pick("ログインしました", "Logged in")
        case .signed:
            return pick("署名しました", "Signed")
        case .cardInfoRead:
            return pick("券面事項を読み取りました", "Card details read")
        case .myNumberRead:
            return pick("マイナンバーを読み取りました", "My Number read")
        case .cardSurfaceRead:
            return pick("券面を読み取りました", "Card front read")
        case .done:
            return pick("読み取りました", "Done")
        }
    }

    /// The name of a PIN as the card's paperwork calls it.
    public func name(of pin: PinKind) -> String {
        switch pin {
        case .authentication:
            return pick("利用者証明用暗証番号", "PIN")
        case .signing:
            return pick("署名用パスワード", "signing password")
        case .cardInfo:
            return pick("券面事項入力補助用暗証番号", "card-info PIN")
        case .verificationNumberA:
            return pick("照合番号A（マイナンバー）", "verification number A (your My Number)")
        case .verificationNumberB:
            return pick("照合番号B", "verification number B")
        }
    }

    /// A short message for the NFC sheet (`invalidate(errorMessage:)`) or an alert.
    public func errorMessage(for error: Error) -> String {
        if let error = error as? KazashiError {
            return message(for: error)
        }
        if let error = error as? KazashiNFCError {
            return message(for: error)
        }
        if let error = error as? NfcError {
            return message(for: error)
        }
        if error is ConfigurationError {
            return pick("アプリがマイナンバーカードの読み取りに対応するよう設定されていません",
                        "This app is not set up to read My Number Cards.")
        }
        if error is CancellationError {
            return pick("キャンセルしました", "Cancelled")
        }
        return pick("エラーが発生しました。もう一度お試しください", "Something went wrong. Try again.")
    }

    private func message(for error: KazashiError) -> String {
        switch error {
        case let .Failed(kind, _, _, pin, attemptsLeft, byThisAttempt, _):
            return message(for: kind, pin: pin, attemptsLeft: attemptsLeft, byThisAttempt: byThisAttempt)
        }
    }

    /// The text for one kind of the core's error list, with the facts the error carries.
    private func message(for kind: ErrorKind, pin: PinKind?, attemptsLeft: UInt8?, byThisAttempt: Bool) -> String {
        let pinName = pin.map { name(of: $0) } ?? pick("暗証番号", "PIN")
        switch kind {
        case .wrongPin:
            guard let attemptsLeft = attemptsLeft else {
                return pick("\(pinName)が違います", "Wrong \(pinName).")
            }
            if attemptsLeft == 1 {
                return pick("\(pinName)が違います。残り1回です。次に間違えるとロックされます",
                            "Wrong \(pinName). 1 attempt left: one more wrong entry locks it.")
            }
            return pick("\(pinName)が違います。残り\(attemptsLeft)回です",
                        "Wrong \(pinName). \(attemptsLeft) attempts left.")
        case .pinBlocked:
            if pin == .verificationNumberA || pin == .verificationNumberB {
                // Printed on the card, not chosen by the holder: it is unlocked, not reset.
                if byThisAttempt {
                    return pick("\(pinName)が違います。ロックされました。お住まいの市区町村の窓口にお問い合わせください",
                                "Wrong \(pinName). It is now locked: ask your municipal office (市区町村の窓口).")
                }
                return pick("\(pinName)はロックされています。お住まいの市区町村の窓口にお問い合わせください",
                            "Your \(pinName) is locked. Ask your municipal office (市区町村の窓口).")
            }
            if byThisAttempt {
                return pick("\(pinName)が違います。ロックされました。お住まいの市区町村の窓口で再設定してください",
                            "Wrong \(pinName). It is now locked: reset it at your municipal office (市区町村の窓口).")
            }
            return pick("\(pinName)はロックされています。お住まいの市区町村の窓口で再設定してください",
                        "Your \(pinName) is locked. Reset it at your municipal office (市区町村の窓口).")
        case .lastAttemptNotConfirmed:
            return pick("\(pinName)の残りは1回です。間違えるとロックされます。確認してからもう一度お試しください",
                        "Only one attempt is left for your \(pinName); a wrong entry locks it. Confirm, then try again.")
        case .attemptsNotReported:
            return pick("カードが\(pinName)の残り回数を示しませんでした。間違えるとロックされる可能性があります。確認してからもう一度お試しください",
                        "The card did not say how many attempts your \(pinName) has left; a wrong entry may lock it. Confirm, then try again.")
        case .pinCheckInterrupted:
            return pick("\(pinName)の確認中にカードが離れました。回数が減った可能性があります。もう一度かざして残り回数を確認してください",
                        "The card moved away while your \(pinName) was checked; the attempt may have counted. Tap again to see the attempts left.")
        case .pinChangeInterrupted:
            return pick("\(pinName)の変更中にカードが離れました。古い\(pinName)と新しい\(pinName)のどちらが有効かわかりません。もう一度かざして残り回数を確認し、まず古い方を入力してください",
                        "The card moved away while your \(pinName) was being changed: either the old or the new one may now be valid. Tap again to see the attempts left, then try the old one first.")
        case .invalidPinFormat:
            switch pin {
            case .signing?:
                return pick("署名用パスワードは英字と数字を組み合わせた6〜16文字です",
                            "The signing password is 6 to 16 letters and digits.")
            case .authentication?, .cardInfo?, nil:
                return pick("暗証番号は数字4桁です", "The PIN is 4 digits.")
            case .verificationNumberA?:
                return pick("照合番号Aはマイナンバーの12桁です", "Verification number A is your 12-digit My Number.")
            case .verificationNumberB?:
                return pick("照合番号Bは生年月日（和暦6桁）、有効期限の西暦年、セキュリティコードの14桁です",
                            "Verification number B is 14 digits: your birth date (era YYMMDD), the card's expiry year and its security code.")
            }
        case .pinRequired:
            return pick("\(pinName)の入力が必要です", "This card needs your \(pinName) for this.")
        case .tagLost:
            return pick("カードが離れました。もう一度かざしてください", "The card moved away; tap again")
        case .timeout:
            return pick("カードが応答しません。動かさずに、もう一度かざしてください",
                        "The card did not answer. Hold it still and tap again.")
        case .link:
            return pick("カードと通信できませんでした。もう一度かざしてください",
                        "Could not talk to the card. Tap again.")
        case .noSigningCertificate:
            return pick("このカードには署名用電子証明書がありません（15歳未満の方のカードなど）",
                        "This card has no signing certificate (for example, cards of holders under 15).")
        case .notJpkiCard:
            return pick("マイナンバーカードではないようです", "This does not look like a My Number Card.")
        case .cardStatus, .malformedResponse:
            return pick("カードを読み取れませんでした", "The card could not be read.")
        case .certificate:
            return pick("電子証明書を読み取れませんでした", "The certificate on the card could not be read.")
        case .signatureMismatch:
            return pick("カードの署名を確認できなかったため破棄しました",
                        "The card's signature did not verify and was discarded.")
        case .invalidInput:
            return pick("要求を処理できませんでした", "The request could not be processed.")
        case .integrityCheckFailed:
            return pick("カードのデータが正しいことを確認できなかったため、破棄しました。市区町村の窓口でカードを確認してもらってください",
                        "The card's data failed its integrity check and was discarded. Have the card checked at your municipal office.")
        case .applicationNotFound:
            return pick("このカードにはこの機能がありません（スマホ用電子証明書には券面事項はありません）",
                        "This card does not have this application (phone tokens carry only the electronic certificates).")
        }
    }

    private func message(for error: KazashiNFCError) -> String {
        switch error {
        case .userCanceled:
            return pick("キャンセルしました", "Cancelled")
        case .sessionTimedOut:
            return pick("時間切れになりました。もう一度お試しください", "Time ran out. Try again.")
        case .systemBusy:
            return pick("NFCが使用中です。少し待ってからもう一度お試しください", "NFC is busy. Try again in a moment.")
        case .readingUnavailable:
            return pick("この端末ではマイナンバーカードを読み取れません", "This device cannot read My Number Cards.")
        case .radioDisabled:
            return pick("NFCがオフになっています", "NFC is turned off.")
        case .missingEntitlement:
            return pick("アプリのNFC設定に不備があります（開発者向け: NFCのentitlementとInfo.plistを確認してください）",
                        "The app is not set up for NFC (developers: check the NFC entitlement and Info.plist).")
        case .sessionFailed:
            return pick("読み取りを完了できませんでした。もう一度お試しください", "Reading did not complete. Try again.")
        }
    }

    private func message(for error: NfcError) -> String {
        switch error {
        case .TagLost:
            return message(for: .tagLost, pin: nil, attemptsLeft: nil, byThisAttempt: false)
        case .Timeout:
            return message(for: .timeout, pin: nil, attemptsLeft: nil, byThisAttempt: false)
        case .Io, .Unexpected:
            return message(for: .link, pin: nil, attemptsLeft: nil, byThisAttempt: false)
        }
    }
}
