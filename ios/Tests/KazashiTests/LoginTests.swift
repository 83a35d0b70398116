import Foundation
import Kazashi
@testable import KazashiNFC
import Security
import XCTest

/// Tap to log in, end to end against the virtual card, through the same facade an app calls.
final class LoginTests: XCTestCase {
    override func tearDown() {
        KazashiNFC.useSimulatedCard(nil)
        super.tearDown()
    }

    func testLoginSignatureVerifiesWithTheSecurityFramework() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)
        let challenge = Data("nonce 7f3a from the relying party".utf8)

        let result = try await KazashiNFC.login(challenge: challenge, pin: "1234")

        XCTAssertEqual(result.signature.count, 256)
        XCTAssertEqual(result.certificate.purpose, .authentication)
        XCTAssertEqual(result.certificate.keyBits, 2048)
        XCTAssertEqual(result.certificate.der, virtualCard.certificate(certificate: .authentication))
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
        XCTAssertFalse(try SecurityFramework.verifies(result.signature, of: Data("another nonce".utf8),
                                                      certificate: result.certificate.der))
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 3)
        XCTAssertGreaterThan(result.counts.apdus, 0)
    }

    func testLoginThroughCardSessionDirectly() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let cardSession = CardSession(transceiver: virtualCard)
        let challenge = Data((0..<64).map { UInt8($0) })

        let result = try await cardSession.login(challenge: challenge, pin: "1234", confirmLastAttempt: false)

        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
        let counts = await cardSession.counts()
        XCTAssertEqual(counts.apdus, result.counts.apdus)
    }

    func testCachedCertificateSavesTheRead() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let challenge = Data("second visit".utf8)
        let first = try await CardSession(transceiver: virtualCard)
            .login(challenge: challenge, pin: "1234", confirmLastAttempt: false)
        virtualCard.reset()

        let again = try await CardSession(transceiver: virtualCard).loginWithCachedCertificate(
            challenge: challenge, pin: "1234", confirmLastAttempt: false, cachedCertificate: first.certificate.der)

        XCTAssertTrue(again.certificateFromCache)
        XCTAssertEqual(again.counts.apdus, 4)
        XCTAssertTrue(try SecurityFramework.verifies(again.signature, of: challenge, certificate: again.certificate.der))
    }

    func testEmptyChallengeIsRefusedBeforeAnyPin() async {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let error = await kazashiError { try await KazashiNFC.login(challenge: Data(), pin: "1234") }

        guard error?.kind == .invalidInput else {
            return XCTFail("expected InvalidInput, got \(String(describing: error))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
    }

    func testShortApdusOnlyStillLogIn() async throws {
        let virtualCard = VirtualCard(profile: .noExtendedLength)
        XCTAssertFalse(virtualCard.linkInfo().extendedLength)
        KazashiNFC.useSimulatedCard(virtualCard)
        let challenge = Data("short APDUs".utf8)

        let result = try await KazashiNFC.login(challenge: challenge, pin: "1234")

        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
    }

    /// The sheet's messages follow the real command sequence of a log-in: reading, then the PIN
    /// check, then the signature, never moving back.
    func testSheetStagesFollowTheLoginCommands() async throws {
        let recorder = RecordingTransceiver(VirtualCard(profile: .physicalCard))
        KazashiNFC.useSimulatedCard(recorder)

        _ = try await KazashiNFC.login(challenge: Data("stages".utf8), pin: "1234")

        var shown: [ReaderStage] = [.reading]
        for kind in recorder.commandKinds {
            if let next = ReaderStage.advance(from: shown[shown.count - 1], on: kind) {
                shown.append(next)
            }
        }
        XCTAssertEqual(shown, [.reading, .checkingPin, .signing])
        XCTAssertEqual(recorder.commandKinds.filter { $0 == .verify }.count, 1, "exactly one VERIFY carries the PIN")
        XCTAssertTrue(recorder.commandKinds.contains(.retryQuery), "the counter is read before the VERIFY")
    }

    func testWithoutASimulatedCardMacOSHasNoReader() async {
        #if !os(iOS)
        KazashiNFC.useSimulatedCard(nil)
        XCTAssertFalse(KazashiNFC.isReadingAvailable)
        let error = await thrownError { try await KazashiNFC.login(challenge: Data("x".utf8), pin: "1234") }
        XCTAssertEqual(error as? KazashiNFCError, .readingUnavailable)
        #endif
    }
}
