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

        let error = await kazashiError { try await KazashiNFC.login(challenge: Data("c".utf8), pin: Data("9999".utf8)) }

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
                try await cardSession.login(challenge: challenge, pin: Data("0000".utf8), confirmLastAttempt: false)
            }
            guard error?.kind == .wrongPin else {
                return XCTFail("expected WrongPin, got \(String(describing: error))")
            }
            let attemptsLeft = error!.attemptsLeft
            XCTAssertEqual(attemptsLeft, expected)
        }

        let refused = await kazashiError {
            try await cardSession.login(challenge: challenge, pin: Data("0000".utf8), confirmLastAttempt: false)
        }
        guard refused?.kind == .lastAttemptNotConfirmed, refused?.pinKind == .authentication else {
            return XCTFail("expected LastAttemptNotConfirmed, got \(String(describing: refused))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 2, "the refused attempt sent no VERIFY")

        let locked = await kazashiError {
            try await cardSession.login(challenge: challenge, pin: Data("0000".utf8), confirmLastAttempt: true)
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
            try await cardSession.login(challenge: challenge, pin: Data("1234".utf8), confirmLastAttempt: true)
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

        let refused = await kazashiError { try await KazashiNFC.login(challenge: challenge, pin: Data("1234".utf8)) }
        guard refused?.kind == .lastAttemptNotConfirmed else {
            return XCTFail("expected LastAttemptNotConfirmed, got \(String(describing: refused))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 1)

        // The user was warned and agreed.
        let result = try await KazashiNFC.login(challenge: challenge, pin: Data("1234".utf8), confirmLastAttempt: true)
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 3, "a correct PIN resets the counter")
    }

    func testSigningLastAttemptIsRefusedUntilConfirmed() async throws {
        let virtualCard = VirtualCard(profile: .signingLastAttempt)
        KazashiNFC.useSimulatedCard(virtualCard)
        let document = Data("last attempt".utf8)

        let refused = await kazashiError { try await KazashiNFC.sign(document: document, password: Data("ABC123".utf8)) }
        guard refused?.kind == .lastAttemptNotConfirmed, refused?.pinKind == .signing else {
            return XCTFail("expected LastAttemptNotConfirmed(.signing), got \(String(describing: refused))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)

        let result = try await KazashiNFC.sign(document: document, password: Data("ABC123".utf8),
                                               options: SignOptions(confirmLastAttempt: true))
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: document, certificate: result.certificate.der))
    }

    func testBlockedPinIsNeverTried() async {
        let virtualCard = VirtualCard(profile: .authBlocked)
        KazashiNFC.useSimulatedCard(virtualCard)

        let error = await kazashiError {
            try await KazashiNFC.login(challenge: Data("c".utf8), pin: Data("1234".utf8), confirmLastAttempt: true)
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
                try await cardSession.login(challenge: Data("c".utf8), pin: Data(pin.utf8), confirmLastAttempt: false)
            }
            guard error?.kind == .invalidPinFormat, error?.pinKind == .authentication else {
                return XCTFail("PIN of \(pin.count) characters: expected InvalidPinFormat, got \(String(describing: error))")
            }
        }
        for password in ["ABC12", "ABC-123", "ABCDEFG", String(repeating: "A1", count: 9)] {
            let error = await kazashiError {
                try await cardSession.signDocument(document: Data("d".utf8), algorithm: .sha256,
                                                   password: Data(password.utf8), options: SignOptions())
            }
            guard error?.kind == .invalidPinFormat, error?.pinKind == .signing else {
                return XCTFail("expected InvalidPinFormat(.signing), got \(String(describing: error))")
            }
        }
        XCTAssertEqual(virtualCard.commandsProcessed(), 0, "not a single APDU was sent")
    }

    /// Secrets cross as bytes: bytes that are not UTF-8 (a keypad's bug, a wrong encoding) are a
    /// format error for that very secret, and not a single APDU is sent, neither through a
    /// `CardSession` nor through the shell's shortcuts.
    func testEntriesThatAreNotUtf8NeverReachTheCard() async {
        let notText = Data([0xff, 0x31, 0x32, 0x33])
        let virtualCard = VirtualCard(profile: .physicalCard)
        let cardSession = CardSession(transceiver: virtualCard)

        let pin = await kazashiError {
            try await cardSession.login(challenge: Data("c".utf8), pin: notText, confirmLastAttempt: false)
        }
        XCTAssertEqual(pin?.kind, .invalidPinFormat)
        XCTAssertEqual(pin?.pinKind, .authentication)
        XCTAssertTrue(pin?.reason.contains("UTF-8") == true, "\(String(describing: pin?.reason))")
        let password = await kazashiError {
            try await cardSession.signDocument(document: Data("d".utf8), algorithm: .sha256,
                                               password: Data([0x41, 0x42, 0x43, 0x31, 0x32, 0xff]),
                                               options: SignOptions())
        }
        XCTAssertEqual(password?.kind, .invalidPinFormat)
        XCTAssertEqual(password?.pinKind, .signing)
        let counts = await cardSession.counts()
        XCTAssertEqual(counts.apdus, 0)

        // The shortcuts, through a recorder that sees every command the shell would send.
        let recorder = RecordingTransceiver(virtualCard)
        KazashiNFC.useSimulatedCard(recorder)
        let login = await kazashiError { try await KazashiNFC.login(challenge: Data("c".utf8), pin: notText) }
        XCTAssertEqual(login?.kind, .invalidPinFormat)
        XCTAssertEqual(login?.pinKind, .authentication)
        let sign = await kazashiError { try await KazashiNFC.sign(document: Data("d".utf8), password: notText) }
        XCTAssertEqual(sign?.kind, .invalidPinFormat)
        XCTAssertEqual(sign?.pinKind, .signing)
        let cardInfo = await kazashiError { try await KazashiNFC.readCardInfo(unlock: .cardInfoPin, secret: notText) }
        XCTAssertEqual(cardInfo?.kind, .invalidPinFormat)
        XCTAssertEqual(cardInfo?.pinKind, .cardInfo)
        let myNumber = await kazashiError {
            try await KazashiNFC.readMyNumber(unlock: .verificationNumberA, secret: notText)
        }
        XCTAssertEqual(myNumber?.kind, .invalidPinFormat)
        XCTAssertEqual(myNumber?.pinKind, .verificationNumberA)
        let surface = await kazashiError {
            try await KazashiNFC.readCardSurface(unlock: .verificationNumberB, secret: notText)
        }
        XCTAssertEqual(surface?.kind, .invalidPinFormat)
        XCTAssertEqual(surface?.pinKind, .verificationNumberB)

        XCTAssertTrue(recorder.commandKinds.isEmpty, "the shell sent \(recorder.commandKinds.count) command(s)")
        XCTAssertEqual(virtualCard.commandsProcessed(), 0, "not a single APDU was sent")
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
    }
}
