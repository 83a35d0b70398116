#if canImport(CryptoKit)
import CryptoKit
#else
import Crypto // swift-crypto: the same SHA256 / SHA384 API on Linux
#endif
import Foundation
import Kazashi
import KazashiNFC
import XCTest

/// Tap to sign, end to end against the virtual card.
final class SigningTests: XCTestCase {
    override func tearDown() {
        KazashiNFC.useSimulatedCard(nil)
        super.tearDown()
    }

    func testSignDocumentVerifiesWithTheSecurityFramework() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)
        let document = Data("契約書 第1版 / contract, version 1".utf8)

        let result = try await KazashiNFC.sign(document: document, algorithm: .sha256, password: Data("ABC123".utf8))

        XCTAssertEqual(result.algorithm, .sha256)
        XCTAssertEqual(result.digest, Data(SHA256.hash(data: document)))
        XCTAssertEqual(result.signature.count, 256)
        XCTAssertEqual(result.certificate.purpose, .signature)
        XCTAssertNotNil(result.certificate.personal, "the signing certificate carries the holder's attributes")
        XCTAssertEqual(result.certificate.personal?.birthDateJapanese, "平成2年")
        XCTAssertEqual(result.certificate.personal?.birthDateRaw, "419900401")
        XCTAssertEqual(result.certificate.keyUsage, ["digitalSignature", "nonRepudiation"])
        XCTAssertEqual(result.certificate.der, virtualCard.certificate(certificate: .signing))
        let der = result.certificate.der
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: document, certificate: der))
        #if canImport(Security)
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: result.digest, certificate: der,
                                                     algorithm: .rsaSignatureDigestPKCS1v15SHA256))
        #endif
        XCTAssertFalse(try SecurityFramework.verifies(result.signature, of: document + Data([0x00]), certificate: der))
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
    }

    func testSignDigestWithSha384() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let cardSession = CardSession(transceiver: virtualCard)
        let document = Data("signed elsewhere, hashed here".utf8)
        let digest = Data(SHA384.hash(data: document))

        let result = try await cardSession.signDigest(digest: digest, algorithm: .sha384,
                                                      password: Data("ABC123".utf8), options: SignOptions())

        XCTAssertEqual(result.digest, digest)
        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: document, certificate: result.certificate.der,
                                                     algorithm: .rsaSignatureMessagePKCS1v15SHA384))
    }

    func testLowerCaseSigningPasswordIsUpperCasedLikeTheOfficialClient() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let result = try await KazashiNFC.sign(document: Data("doc".utf8), password: Data("abc123".utf8))

        XCTAssertEqual(result.signature.count, 256)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .signing), 5)
    }

    func testReadingTheSigningCertificateNeedsThePassword() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let cardSession = CardSession(transceiver: virtualCard)

        let refused = await kazashiError { try await cardSession.readCertificate(certificate: .signing) }
        guard refused?.kind == .pinRequired, refused?.pinKind == .signing else {
            return XCTFail("expected PinRequired(.signing), got \(String(describing: refused))")
        }
        let certificate = try await cardSession.readSigningCertificate(password: Data("ABC123".utf8), confirmLastAttempt: false)
        XCTAssertEqual(certificate.purpose, .signature)
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
    }
}
