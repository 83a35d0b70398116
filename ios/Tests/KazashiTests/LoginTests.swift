import Foundation
import Kazashi
@testable import KazashiNFC
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

        let result = try await KazashiNFC.login(challenge: challenge, pin: Data("1234".utf8))

        XCTAssertEqual(result.signature.count, 256)
        XCTAssertEqual(result.certificate.purpose, .authentication)
        XCTAssertEqual(result.certificate.keyBits, 2048)
        XCTAssertEqual(result.certificate.keyUsage, ["digitalSignature"])
        XCTAssertEqual(result.certificate.extendedKeyUsage, ["1.3.6.1.5.5.7.3.2"])
        XCTAssertTrue(result.certificate.validUntilJst.hasSuffix("+09:00"), result.certificate.validUntilJst)
        XCTAssertNil(result.certificate.caPurpose)
        XCTAssertEqual(result.certificate.der, virtualCard.certificate(certificate: .authentication))
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
        XCTAssertFalse(try SecurityFramework.verifies(result.signature, of: Data("another nonce".utf8),
                                                      certificate: result.certificate.der))
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 3)
        XCTAssertGreaterThan(result.counts.apdus, 0)
    }

    /// Log-in version 2: the app shows whom the log-in is for, and the card signs the
    /// domain-separated bytes the README documents, not the bare challenge.
    func testLoginV2IsBoundToTheRelyingPartyItShows() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)
        let challenge = Data((0..<32).map { UInt8($0) })
        let json = """
            {"version": 2, "relying_party": "a.example", "challenge": "\(challenge.base64EncodedString())",
             "issued_at": 1800000000, "expires_at": 1800000300}
            """
        let request = try parseLoginRequest(json: json, expectedRelyingParty: "a.example")
        XCTAssertEqual(request.prompt, "Log in to a.example")
        let elsewhere = await kazashiError { try parseLoginRequest(json: json, expectedRelyingParty: "b.example") }
        XCTAssertEqual(elsewhere?.kind, .invalidInput)

        let result = try await KazashiNFC.login(request: request, pin: Data("1234".utf8))

        var signed = Data("kazashi JPKI log-in v2".utf8) + Data([0])
        signed += Data([0, UInt8("a.example".utf8.count)]) + Data("a.example".utf8)
        signed += Data([0, UInt8(challenge.count)]) + challenge
        for time in [Int64(1_800_000_000), Int64(1_800_000_300)] {
            signed += withUnsafeBytes(of: time.bigEndian) { Data($0) }
        }
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: signed, certificate: result.certificate.der))
        XCTAssertFalse(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
        XCTAssertEqual(result.relyingParty, "a.example")
        XCTAssertTrue(result.messageJson.contains("\"relying_party\": \"a.example\""), result.messageJson)
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
    }

    func testLoginThroughCardSessionDirectly() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let cardSession = CardSession(transceiver: virtualCard)
        let challenge = Data((0..<64).map { UInt8($0) })

        let result = try await cardSession.login(challenge: challenge, pin: Data("1234".utf8), confirmLastAttempt: false)

        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
        let counts = await cardSession.counts()
        XCTAssertEqual(counts.apdus, result.counts.apdus)
    }

    func testCachedCertificateSavesTheRead() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let challenge = Data("second visit".utf8)
        let first = try await CardSession(transceiver: virtualCard)
            .login(challenge: challenge, pin: Data("1234".utf8), confirmLastAttempt: false)
        virtualCard.reset()

        let again = try await CardSession(transceiver: virtualCard).loginWithCachedCertificate(
            challenge: challenge, pin: Data("1234".utf8), confirmLastAttempt: false, cachedCertificate: first.certificate.der)

        XCTAssertTrue(again.certificateFromCache)
        XCTAssertEqual(again.counts.apdus, 4)
        XCTAssertTrue(try SecurityFramework.verifies(again.signature, of: challenge, certificate: again.certificate.der))
    }

    func testEmptyChallengeIsRefusedBeforeAnyPin() async {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let error = await kazashiError { try await KazashiNFC.login(challenge: Data(), pin: Data("1234".utf8)) }

        guard error?.kind == .invalidInput else {
            return XCTFail("expected InvalidInput, got \(String(describing: error))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
    }

    func testShortApdusOnlyStillLogIn() async throws {
        let virtualCard = VirtualCard(profile: .noExtendedLength)
        XCTAssertFalse(try virtualCard.linkInfo().extendedLength)
        KazashiNFC.useSimulatedCard(virtualCard)
        let challenge = Data("short APDUs".utf8)

        let result = try await KazashiNFC.login(challenge: challenge, pin: Data("1234".utf8))

        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: challenge, certificate: result.certificate.der))
    }

    /// The sheet's messages follow the real command sequence of a log-in: reading, then the PIN
    /// check, then the signature, never moving back.
    func testSheetStagesFollowTheLoginCommands() async throws {
        let recorder = RecordingTransceiver(VirtualCard(profile: .physicalCard))
        KazashiNFC.useSimulatedCard(recorder)

        _ = try await KazashiNFC.login(challenge: Data("stages".utf8), pin: Data("1234".utf8))

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
        let error = await thrownError { try await KazashiNFC.login(challenge: Data("x".utf8), pin: Data("1234".utf8)) }
        XCTAssertEqual(error as? KazashiNFCError, .readingUnavailable)
        #endif
    }
}
