import Foundation
import Kazashi
import KazashiNFC
import XCTest

/// The sheet's texts: the right language, the facts the user needs, never the core's English
/// reason (which could change) and never a PIN.
final class ReaderMessagesTests: XCTestCase {
    private let ja = ReaderMessages(language: .japanese)
    private let en = ReaderMessages(language: .english)

    func testLanguageResolution() {
        XCTAssertEqual(ReaderLanguage.automatic.resolved(preferredLanguages: ["ja-JP", "en-US"]), .japanese)
        XCTAssertEqual(ReaderLanguage.automatic.resolved(preferredLanguages: ["en-GB", "ja-JP"]), .english)
        XCTAssertEqual(ReaderLanguage.automatic.resolved(preferredLanguages: []), .english)
        XCTAssertEqual(ReaderLanguage.english.resolved(preferredLanguages: ["ja"]), .english)
    }

    func testWaitingMessage() {
        XCTAssertEqual(ja.text(for: .waitingForCard), "マイナンバーカードをiPhoneの上部にかざしてください")
        XCTAssertEqual(en.text(for: .waitingForCard), "Hold your My Number Card near the top of your iPhone.")
    }

    /// The "checking" stage names the secret the card is checking: a verification number
    /// (照合番号) is not a PIN (暗証番号), and a flow that did not say gets a neutral text.
    func testCheckingStageNamesTheSecret() {
        for kind in [PinKind.verificationNumberA, .verificationNumberB] {
            XCTAssertEqual(ja.text(for: .checkingPin, checking: kind), "照合番号を確認しています。カードを動かさないでください")
            XCTAssertEqual(en.text(for: .checkingPin, checking: kind), "Checking your verification number. Keep the card still.")
        }
        for kind in [PinKind.authentication, .cardInfo] {
            XCTAssertEqual(ja.text(for: .checkingPin, checking: kind), "暗証番号を確認しています。カードを動かさないでください")
            XCTAssertEqual(en.text(for: .checkingPin, checking: kind), "Checking your PIN. Keep the card still.")
        }
        XCTAssertEqual(ja.text(for: .checkingPin, checking: .signing), "パスワードを確認しています。カードを動かさないでください")
        XCTAssertEqual(en.text(for: .checkingPin, checking: .signing), "Checking your password. Keep the card still.")
        XCTAssertEqual(ja.text(for: .checkingPin, checking: nil), "確認しています。カードを動かさないでください")
        XCTAssertEqual(en.text(for: .checkingPin, checking: nil), "Checking. Keep the card still.")
        let notPins: [PinKind?] = [.verificationNumberA, .verificationNumberB, nil]
        for secret in notPins {
            XCTAssertFalse(ja.text(for: .checkingPin, checking: secret).contains("暗証番号"))
            XCTAssertFalse(en.text(for: .checkingPin, checking: secret).contains("PIN"))
        }
        // The one-argument form is the PIN's text, as before; the other stages ignore the secret.
        XCTAssertEqual(ja.text(for: .checkingPin), ja.text(for: .checkingPin, checking: .authentication))
        for stage in [ReaderStage.waitingForCard, .reading, .signing, .changingPin] {
            XCTAssertEqual(ja.text(for: stage, checking: .verificationNumberB), ja.text(for: stage))
            XCTAssertEqual(en.text(for: stage, checking: nil), en.text(for: stage))
        }
    }

    func testWrongPinTellsTheAttemptsLeft() {
        let error = failure(.wrongPin, pin: .authentication, attemptsLeft: 2, reason: "r")
        XCTAssertTrue(ja.errorMessage(for: error).contains("残り2回"))
        XCTAssertTrue(en.errorMessage(for: error).contains("2 attempts left"))

        let last = failure(.wrongPin, pin: .signing, attemptsLeft: 1, reason: "r")
        XCTAssertTrue(ja.errorMessage(for: last).contains("署名用パスワード"))
        XCTAssertTrue(ja.errorMessage(for: last).contains("ロック"))
        XCTAssertTrue(en.errorMessage(for: last).contains("1 attempt left"))
    }

    func testLockedPinPointsToTheMunicipalOffice() {
        for byThisAttempt in [true, false] {
            let error = failure(.pinBlocked, pin: .authentication, byThisAttempt: byThisAttempt, reason: "r")
            XCTAssertTrue(ja.errorMessage(for: error).contains("市区町村の窓口"))
            XCTAssertTrue(en.errorMessage(for: error).contains("municipal office"))
        }
    }

    func testLastAttemptAndNoSigningCertificate() {
        let last = failure(.lastAttemptNotConfirmed, pin: .authentication, reason: "r")
        XCTAssertTrue(ja.errorMessage(for: last).contains("残りは1回"))
        XCTAssertTrue(en.errorMessage(for: last).contains("one attempt"))

        let none = failure(.noSigningCertificate, reason: "r")
        XCTAssertTrue(ja.errorMessage(for: none).contains("署名用電子証明書"))
        XCTAssertTrue(en.errorMessage(for: none).contains("no signing certificate"))
    }

    func testTagLostFromTheCoreOrTheTransceiver() {
        for error: Error in [failure(.tagLost, reason: "r"), NfcError.TagLost] {
            XCTAssertEqual(ja.errorMessage(for: error), "カードが離れました。もう一度かざしてください")
            XCTAssertEqual(en.errorMessage(for: error), "The card moved away. Tap again.")
        }
    }

    /// Every case has its own short text, independent of the core's `reason`.
    func testEveryKazashiErrorHasAMessageWithoutTheReason() {
        let reason = "REASON-1234"
        let all: [KazashiError] = [
            failure(.tagLost, reason: reason),
            failure(.timeout, reason: reason),
            failure(.link, reason: reason),
            failure(.pinCheckInterrupted, pin: .authentication, reason: reason),
            failure(.invalidPinFormat, pin: .authentication, reason: reason),
            failure(.invalidPinFormat, pin: .signing, reason: reason),
            failure(.wrongPin, pin: .signing, attemptsLeft: 4, reason: reason),
            failure(.pinBlocked, pin: .signing, byThisAttempt: true, reason: reason),
            failure(.lastAttemptNotConfirmed, pin: .signing, reason: reason),
            failure(.pinRequired, pin: .authentication, reason: reason),
            failure(.noSigningCertificate, reason: reason),
            failure(.notJpkiCard, reason: reason),
            failure(.cardStatus, statusWord: 0x6982, reason: reason),
            failure(.malformedResponse, reason: reason),
            failure(.certificate, reason: reason),
            failure(.signatureMismatch, reason: reason),
            failure(.invalidInput, reason: reason),
            failure(.integrityCheckFailed, reason: reason),
            failure(.applicationNotFound, reason: reason),
            failure(.wrongPin, pin: .cardInfo, attemptsLeft: 2, reason: reason),
            failure(.pinBlocked, pin: .verificationNumberB, byThisAttempt: true, reason: reason),
            failure(.invalidPinFormat, pin: .verificationNumberA, reason: reason),
            failure(.invalidPinFormat, pin: .verificationNumberB, reason: reason),
        ]
        for error in all {
            XCTAssertEqual(error.reason, reason)
            for messages in [ja, en] {
                let text = messages.errorMessage(for: error)
                XCTAssertFalse(text.isEmpty)
                XCTAssertFalse(text.contains(reason), "\(error) leaks its reason into the sheet")
            }
        }
    }

    /// The card-info application's secrets are named as the card's paperwork names them.
    func testCardInfoSecretsAreNamed() {
        let wrong = failure(.wrongPin, pin: .cardInfo, attemptsLeft: 2)
        XCTAssertEqual(ja.errorMessage(for: wrong), "券面事項入力補助用暗証番号が違います。残り2回です")
        XCTAssertEqual(en.errorMessage(for: wrong), "Wrong card-info PIN. 2 attempts left.")

        let last = failure(.lastAttemptNotConfirmed, pin: .cardInfo)
        XCTAssertTrue(ja.errorMessage(for: last).contains("券面事項入力補助用暗証番号の残りは1回"))

        let numberB = failure(.wrongPin, pin: .verificationNumberB, attemptsLeft: 9)
        XCTAssertTrue(ja.errorMessage(for: numberB).hasPrefix("照合番号Bが違います"))
        XCTAssertTrue(en.errorMessage(for: numberB).contains("verification number B"))

        XCTAssertTrue(ja.errorMessage(for: failure(.invalidPinFormat, pin: .cardInfo)).contains("数字4桁"))
        XCTAssertTrue(en.errorMessage(for: failure(.invalidPinFormat, pin: .verificationNumberA)).contains("12-digit"))
        XCTAssertTrue(en.errorMessage(for: failure(.invalidPinFormat, pin: .verificationNumberB)).contains("14 digits"))
    }

    /// A locked card-info PIN is reset at the office; a locked verification number (printed on
    /// the card, not chosen) is not "reset", but the office is still where to go.
    func testLockedSecretsPointToTheMunicipalOffice() {
        let pin = failure(.pinBlocked, pin: .cardInfo, byThisAttempt: false)
        XCTAssertTrue(ja.errorMessage(for: pin).contains("再設定"))
        for kind in [PinKind.verificationNumberA, .verificationNumberB] {
            for byThisAttempt in [true, false] {
                let error = failure(.pinBlocked, pin: kind, byThisAttempt: byThisAttempt)
                XCTAssertTrue(ja.errorMessage(for: error).contains("市区町村の窓口"))
                XCTAssertFalse(ja.errorMessage(for: error).contains("再設定"))
                XCTAssertTrue(en.errorMessage(for: error).contains("municipal office"))
                XCTAssertFalse(en.errorMessage(for: error).contains("reset"))
            }
        }
    }

    func testIntegrityAndApplicationErrors() {
        let integrity = failure(.integrityCheckFailed)
        XCTAssertTrue(ja.errorMessage(for: integrity).contains("破棄しました"))
        XCTAssertTrue(ja.errorMessage(for: integrity).contains("市区町村の窓口"))
        XCTAssertEqual(en.errorMessage(for: integrity),
                       "The card's data failed its integrity check and was discarded. Have the card checked at your municipal office.")

        let missing = failure(.applicationNotFound)
        XCTAssertTrue(ja.errorMessage(for: missing).contains("スマホ用電子証明書"))
        XCTAssertTrue(en.errorMessage(for: missing).contains("phone tokens"))
    }

    func testReadNotices() {
        XCTAssertEqual(ja.text(for: .cardInfoRead), "券面事項を読み取りました")
        XCTAssertEqual(en.text(for: .cardInfoRead), "Card details read.")
        XCTAssertEqual(ja.text(for: .myNumberRead), "マイナンバーを読み取りました")
        XCTAssertEqual(en.text(for: .myNumberRead), "My Number read.")
        XCTAssertFalse(en.text(for: .myNumberRead).contains(where: \.isNumber), "never the number itself")
        XCTAssertEqual(ja.text(for: .cardSurfaceRead), "券面を読み取りました")
        XCTAssertEqual(en.text(for: .cardSurfaceRead), "Card front read.")
    }

    func testSessionErrors() {
        XCTAssertEqual(en.errorMessage(for: KazashiNFCError.userCanceled), "Cancelled.")
        XCTAssertTrue(ja.errorMessage(for: KazashiNFCError.readingUnavailable).contains("読み取れません"))
        XCTAssertTrue(en.errorMessage(for: KazashiNFCError.missingEntitlement).contains("entitlement"))
        XCTAssertEqual(KazashiNFCError.sessionTimedOut.errorDescription, "Time ran out. Try again.")
        XCTAssertFalse(en.errorMessage(for: ConfigurationError(problems: [.missingUsageDescription])).isEmpty)
    }
}
