import Foundation
import Kazashi
@testable import KazashiNFC
import XCTest

/// What a transceiver's failures become, and proof that nothing is re-sent after one.
final class TransportFailureTests: XCTestCase {
    override func tearDown() {
        KazashiNFC.useSimulatedCard(nil)
        super.tearDown()
    }

    func testTagLostBeforeThePinSendsNoPin() async {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let transceiver = FailingTransceiver(virtualCard, failure: NfcError.TagLost) { _ in true }
        KazashiNFC.useSimulatedCard(transceiver)

        let error = await kazashiError { try await KazashiNFC.login(challenge: Data("c".utf8), pin: Data("1234".utf8)) }

        guard error?.kind == .tagLost else {
            return XCTFail("expected TagLost, got \(String(describing: error))")
        }
        XCTAssertEqual(error?.isLinkFailure, true)
        XCTAssertEqual(transceiver.commandsAfterFailure, 0, "nothing was retried")
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
        XCTAssertEqual(ReaderMessages(language: .japanese).errorMessage(for: error!),
                       "カードが離れました。もう一度かざしてください")
        XCTAssertEqual(ReaderMessages(language: .english).errorMessage(for: error!),
                       "The card moved away. Tap again.")
    }

    func testTagLostDuringVerifyIsReportedAsAnInterruptedPinCheckAndNeverResent() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let transceiver = FailingTransceiver(virtualCard, failure: NfcError.TagLost) {
            CommandKind(command: $0) == .verify
        }
        KazashiNFC.useSimulatedCard(transceiver)
        let challenge = Data("interrupted".utf8)

        let error = await kazashiError { try await KazashiNFC.login(challenge: challenge, pin: Data("1234".utf8)) }

        guard error?.kind == .pinCheckInterrupted, error?.pinKind == .authentication else {
            return XCTFail("expected PinCheckInterrupted, got \(String(describing: error))")
        }
        XCTAssertEqual(error?.isLinkFailure, false, "the user must see the counter before trying again")
        XCTAssertEqual(transceiver.commandsAfterFailure, 0, "the VERIFY was not re-sent")
        XCTAssertEqual(virtualCard.pinVerifications(), 0)

        // The user taps again: a new session, a fresh link, and the flow is called once more by
        // the app, not by the library.
        virtualCard.reset()
        KazashiNFC.useSimulatedCard(virtualCard)
        let result = try await KazashiNFC.login(challenge: challenge, pin: Data("1234".utf8))
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
    }

    func testTagLostAfterVerifyDuringSigningDoesNotResendThePassword() async {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let transceiver = FailingTransceiver(virtualCard, failure: NfcError.TagLost) {
            CommandKind(command: $0) == .sign
        }
        KazashiNFC.useSimulatedCard(transceiver)

        let error = await kazashiError { try await KazashiNFC.sign(document: Data("d".utf8), password: Data("ABC123".utf8)) }

        guard error?.kind == .tagLost else {
            return XCTFail("expected TagLost, got \(String(describing: error))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 1, "the password went to the card once")
        XCTAssertEqual(transceiver.commandsAfterFailure, 0)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .signing), 5)
    }

    func testTimeoutIoAndUndeclaredErrorsBecomeTypedErrors() async {
        let cases: [(Error, String)] = [
            (NfcError.Timeout, "Timeout"),
            (NfcError.Io(reason: "radio glitch"), "Transport"),
            (UndeclaredFailure(), "Transport"),
        ]
        for (failure, expected) in cases {
            let transceiver = FailingTransceiver(VirtualCard(profile: .physicalCard), failure: failure) { _ in true }
            let cardSession = CardSession(transceiver: transceiver)

            let error = await kazashiError { try await cardSession.status() }

            switch (error?.kind, expected) {
            case (.timeout?, "Timeout"), (.link?, "Transport"):
                break
            default:
                XCTFail("\(failure): expected \(expected), got \(String(describing: error))")
            }
            XCTAssertEqual(transceiver.commandsAfterFailure, 0)
        }
    }

    /// When Core NFC ends the session (Cancel, time limit) while a flow runs, the flow's link
    /// failure is replaced by the session's reason, but what the card said is kept.
    func testSessionEndWinsOnlyOverLinkFailures() {
        let cancel = KazashiNFCError.userCanceled
        let lost = failure(.tagLost, reason: "lost")
        let wrong = failure(.wrongPin, pin: .authentication, attemptsLeft: 2, reason: "wrong")
        let interrupted = failure(.pinCheckInterrupted, pin: .signing, reason: "interrupted")

        XCTAssertEqual(SessionOutcome.surfacedError(operationError: lost, sessionEnd: cancel) as? KazashiNFCError, cancel)
        XCTAssertEqual(SessionOutcome.surfacedError(operationError: lost, sessionEnd: nil) as? KazashiError, lost)
        XCTAssertEqual(SessionOutcome.surfacedError(operationError: wrong, sessionEnd: cancel) as? KazashiError, wrong)
        XCTAssertEqual(SessionOutcome.surfacedError(operationError: interrupted, sessionEnd: cancel) as? KazashiError,
                       interrupted)
        XCTAssertEqual(SessionOutcome.surfacedError(operationError: CancellationError(),
                                                    sessionEnd: KazashiNFCError.sessionTimedOut) as? KazashiNFCError,
                       .sessionTimedOut)
    }
}

/// An error type the FFI does not declare: it must arrive as a transport failure, not a crash.
private struct UndeclaredFailure: Error {}
