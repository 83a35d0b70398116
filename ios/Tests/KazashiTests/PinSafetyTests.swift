import Foundation
import Kazashi
import KazashiNFC
import XCTest

/// The PIN rules, seen from Swift: a wrong PIN costs exactly one attempt, a locked PIN is never
/// tried, the last attempt needs the caller's consent, a malformed PIN never reaches the card.
final class PinSafetyTests: XCTestCase {
    override func tearDown() {
        KazashiNFC.useSimulatedCard(nil)
        super.tearDown()
    }

    func testWrongPinCostsExactlyOneAttempt() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let error = await kazashiError { try await KazashiNFC.login(challenge: Data("c".utf8), pin: "9999") }

        guard error?.kind == .wrongPin else {
            return XCTFail("expected WrongPin, got \(String(describing: error))")
        }
        let pin = error!.pinKind
        let attemptsLeft = error!.attemptsLeft
        XCTAssertEqual(pin, .authentication)
        XCTAssertEqual(attemptsLeft, 2)
        XCTAssertEqual(error?.pinKind, .authentication)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 2)
        XCTAssertEqual(virtualCard.pinVerifications(), 1)

        let counter = try await CardSession(transceiver: virtualCard).retryCounter(pin: .authentication)
        XCTAssertEqual(counter.attemptsLeft, 2)
        XCTAssertEqual(counter.maxAttempts, 3)
        XCTAssertFalse(counter.blocked)
        XCTAssertEqual(virtualCard.pinVerifications(), 1, "reading the counter spends nothing")
    }

    func testLockoutNeedsConsentForTheLastAttemptThenLocks() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let cardSession = CardSession(transceiver: virtualCard)
        let challenge = Data("lockout".utf8)

        for expected: UInt8 in [2, 1] {
            let error = await kazashiError {
                try await cardSession.login(challenge: challenge, pin: "0000", confirmLastAttempt: false)
            }
            guard error?.kind == .wrongPin else {
                return XCTFail("expected WrongPin, got \(String(describing: error))")
            }
            let attemptsLeft = error!.attemptsLeft
            XCTAssertEqual(attemptsLeft, expected)
        }

        let refused = await kazashiError {
            try await cardSession.login(challenge: challenge, pin: "0000", confirmLastAttempt: false)
        }
        guard refused?.kind == .lastAttemptNotConfirmed, refused?.pinKind == .authentication else {
            return XCTFail("expected LastAttemptNotConfirmed, got \(String(describing: refused))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 2, "the refused attempt sent no VERIFY")

        let locked = await kazashiError {
            try await cardSession.login(challenge: challenge, pin: "0000", confirmLastAttempt: true)
        }
        guard locked?.kind == .pinBlocked else {
            return XCTFail("expected PinBlocked, got \(String(describing: locked))")
        }
        let pin = locked!.pinKind
        let byThisAttempt = locked!.byThisAttempt
        let reason = locked!.reason
        XCTAssertEqual(pin, .authentication)
        XCTAssertTrue(byThisAttempt)
        XCTAssertTrue(reason.contains("municipal office"), reason)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 0)
        XCTAssertEqual(virtualCard.pinVerifications(), 3)

        let stillLocked = await kazashiError {
            try await cardSession.login(challenge: challenge, pin: "1234", confirmLastAttempt: true)
        }
        guard stillLocked?.kind == .pinBlocked, stillLocked?.byThisAttempt == false else {
            return XCTFail("expected PinBlocked(byThisAttempt: false), got \(String(describing: stillLocked))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 3, "a locked PIN is never tried, even the right one")
    }

    func testLastAttemptIsRefusedUntilConfirmed() async throws {
        let virtualCard = VirtualCard(profile: .authLastAttempt)
        KazashiNFC.useSimulatedCard(virtualCard)
        let challenge = Data("last attempt".utf8)

        let refused = await kazashiError { try await KazashiNFC.login(challenge: challenge, pin: "1234") }
        guard refused?.kind == .lastAttemptNotConfirmed else {
            return XCTFail("expected LastAttemptNotConfirmed, got \(String(describing: refused))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 1)

        // The user was warned and agreed.
        let result = try await KazashiNFC.login(challenge: challenge, pin: "1234", confirmLastAttempt: true)
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 3, "a correct PIN resets the counter")
    }

    func testSigningLastAttemptIsRefusedUntilConfirmed() async throws {
        let virtualCard = VirtualCard(profile: .signingLastAttempt)
        KazashiNFC.useSimulatedCard(virtualCard)
        let document = Data("last attempt".utf8)

        let refused = await kazashiError { try await KazashiNFC.sign(document: document, password: "ABC123") }
        guard refused?.kind == .lastAttemptNotConfirmed, refused?.pinKind == .signing else {
            return XCTFail("expected LastAttemptNotConfirmed(.signing), got \(String(describing: refused))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)

        let result = try await KazashiNFC.sign(document: document, password: "ABC123",
                                               options: SignOptions(confirmLastAttempt: true))
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: document, certificate: result.certificate.der))
    }

    func testBlockedPinIsNeverTried() async {
        let virtualCard = VirtualCard(profile: .authBlocked)
        KazashiNFC.useSimulatedCard(virtualCard)

        let error = await kazashiError {
            try await KazashiNFC.login(challenge: Data("c".utf8), pin: "1234", confirmLastAttempt: true)
        }

        guard error?.kind == .pinBlocked, error?.pinKind == .authentication, error?.byThisAttempt == false else {
            return XCTFail("expected PinBlocked, got \(String(describing: error))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
    }

    func testMalformedPinsNeverReachTheCard() async {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let cardSession = CardSession(transceiver: virtualCard)

        for pin in ["", "123", "12345", "12a4", "１２３４"] {
            let error = await kazashiError {
                try await cardSession.login(challenge: Data("c".utf8), pin: pin, confirmLastAttempt: false)
            }
            guard error?.kind == .invalidPinFormat, error?.pinKind == .authentication else {
                return XCTFail("PIN of \(pin.count) characters: expected InvalidPinFormat, got \(String(describing: error))")
            }
        }
        for password in ["ABC12", "ABC-123", "ABCDEFG", String(repeating: "A1", count: 9)] {
            let error = await kazashiError {
                try await cardSession.signDocument(document: Data("d".utf8), algorithm: .sha256,
                                                   password: password, options: SignOptions())
            }
            guard error?.kind == .invalidPinFormat, error?.pinKind == .signing else {
                return XCTFail("expected InvalidPinFormat(.signing), got \(String(describing: error))")
            }
        }
        XCTAssertEqual(virtualCard.commandsProcessed(), 0, "not a single APDU was sent")
    }
}
