import Foundation
import Kazashi
import KazashiNFC
import XCTest

/// Cards that are not the common case: a holder under 15, phone tokens.
final class TokenTests: XCTestCase {
    override func tearDown() {
        KazashiNFC.useSimulatedCard(nil)
        super.tearDown()
    }

    func testPhysicalCardStatus() async throws {
        KazashiNFC.useSimulatedCard(VirtualCard(profile: .physicalCard))

        let status = try await KazashiNFC.status()

        XCTAssertEqual(status.token, .physicalCard)
        XCTAssertTrue(status.signingCertificatePresent)
        XCTAssertEqual(status.authenticationPin.attemptsLeft, 3)
        XCTAssertEqual(status.signingPassword?.attemptsLeft, 5)
        XCTAssertEqual(status.authenticationCertificate?.purpose, .authentication)
    }

    func testUnder15CardHasNoSigningCertificateAndNoPasswordIsSent() async throws {
        let virtualCard = VirtualCard(profile: .under15)
        KazashiNFC.useSimulatedCard(virtualCard)

        let status = try await KazashiNFC.status()
        XCTAssertFalse(status.signingCertificatePresent)
        XCTAssertNil(status.signingPassword)

        let error = await kazashiError { try await KazashiNFC.sign(document: Data("d".utf8), password: Data("ABC123".utf8)) }
        guard error?.kind == .noSigningCertificate else {
            return XCTFail("expected NoSigningCertificate, got \(String(describing: error))")
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)

        // Log-in still works: the authentication certificate is there.
        let challenge = Data("under 15".utf8)
        let login = try await KazashiNFC.login(challenge: challenge, pin: Data("1234".utf8))
        XCTAssertTrue(try SecurityFramework.verifies(login.signature, of: challenge, certificate: login.certificate.der))
    }

    func testAndroidPhoneTokenProtectsTheAuthenticationCertificate() async throws {
        let virtualCard = VirtualCard(profile: .androidPhoneToken)
        let cardSession = CardSession(transceiver: virtualCard)

        let status = try await cardSession.status()
        XCTAssertEqual(status.token, .androidPhone)
        XCTAssertNil(status.authenticationCertificate)

        let error = await kazashiError { try await cardSession.readCertificate(certificate: .authentication) }
        guard error?.kind == .pinRequired, error?.pinKind == .authentication else {
            return XCTFail("expected PinRequired, got \(String(describing: error))")
        }

        let certificate = try await cardSession.readAuthenticationCertificateWithPin(pin: Data("1234".utf8), confirmLastAttempt: false)
        XCTAssertEqual(certificate.purpose, .authentication)

        let challenge = Data("phone token".utf8)
        let login = try await cardSession.login(challenge: challenge, pin: Data("1234".utf8), confirmLastAttempt: false)
        XCTAssertTrue(try SecurityFramework.verifies(login.signature, of: challenge, certificate: login.certificate.der))
    }

    func testIphoneTokenIsRecognised() async throws {
        KazashiNFC.useSimulatedCard(VirtualCard(profile: .iphoneToken))

        let status = try await KazashiNFC.status()

        XCTAssertEqual(status.token, .iphone)
    }

    func testCertificateAuthoritiesNeedNoPin() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let cardSession = CardSession(transceiver: virtualCard)

        for type in [CertificateKind.authenticationCa, CertificateKind.signingCa] {
            let certificate = try await cardSession.readCertificate(certificate: type)
            XCTAssertEqual(certificate.purpose, .certificateAuthority)
        }
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
    }
}
