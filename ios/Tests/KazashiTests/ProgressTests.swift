import Foundation
import Kazashi
import KazashiNFC
import XCTest

/// Progress from the core through `CardSession.withProgress`: the stages the NFC sheet shows,
/// in order, worded by the shared catalogue.
final class ProgressTests: XCTestCase {
    /// Collects the stages a session reports.
    private final class Stages: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [ProgressStage] = []

        func append(_ stage: ProgressStage) {
            lock.lock()
            seen.append(stage)
            lock.unlock()
        }

        var all: [ProgressStage] {
            lock.lock()
            defer { lock.unlock() }
            return seen
        }
    }

    func testSigningReportsEveryStageOnceInOrder() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let stages = Stages()
        let session = CardSession.withProgress(transceiver: virtualCard,
                                               listener: ProgressRelay { stages.append($0) })
        let signed = try await session.signDocument(document: Data("progress".utf8),
                                                    algorithm: .sha256,
                                                    password: Data("ABC123".utf8),
                                                    options: SignOptions(confirmLastAttempt: false, allowLegacySha1: false))
        XCTAssertEqual(signed.signature.count, 256)
        XCTAssertEqual(stages.all, [.cardFound, .readingCertificate, .checkingPinCounter, .verifyingPin, .signing, .done])
    }

    func testTheSheetWordsEachStageFromTheCatalogue() {
        let ja = ReaderMessages(language: .japanese)
        let en = ReaderMessages(language: .english)
        XCTAssertEqual(en.progressText(.signing, checking: .signing), "Signing. Keep the card still.")
        XCTAssertEqual(ja.progressText(.verifyingPin, checking: .signing), "パスワードを確認しています。カードを動かさないでください")
        XCTAssertEqual(en.progressText(.checkingPinCounter, checking: nil), "Checking the attempts left. Keep the card still.")
        // The sheet's own stages are the catalogue's too.
        XCTAssertEqual(en.text(for: .signing), progressMessage(stage: .signing, secret: .authentication, language: .english))
        XCTAssertEqual(ja.text(for: .waitingForCard), noticeMessage(notice: .holdCard, device: .iphone, language: .japanese))
    }

    func testALockedPhoneTokenPinPointsToTheMynaPortalApp() {
        let error = failure(.pinBlocked, pin: .authentication, attemptsLeft: 0)
        let en = ReaderMessages(language: .english)
        XCTAssertTrue(en.errorMessage(for: error, phoneToken: true).contains("Myna Portal"))
        XCTAssertTrue(en.errorMessage(for: error).contains("municipal office"))
    }
}
