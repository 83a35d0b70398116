import Foundation
import Kazashi
@testable import KazashiNFC
import XCTest

/// The card-info application (券面事項入力補助AP) end to end against the virtual card, through the
/// facade an app calls. Expected values come from the virtual card itself (its signing
/// certificate, its My Number, its verification number B), never from the flow under test. The
/// My Number is compared with `==`, never with `XCTAssertEqual`, so that a failure does not print
/// it (even the virtual card's made-up one).
final class CardInfoTests: XCTestCase {
    /// The virtual card's card-info PIN, as the app sends it (UTF-8 bytes): by default the
    /// authentication PIN's digits.
    private let cardInfoPin = Data("1234".utf8)

    override func tearDown() {
        KazashiNFC.useSimulatedCard(nil)
        super.tearDown()
    }

    func testReadCardInfoWithThePinMatchesTheSigningCertificate() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let recorder = RecordingTransceiver(virtualCard)
        KazashiNFC.useSimulatedCard(recorder)

        let attributes = try await KazashiNFC.readCardInfo(unlock: .cardInfoPin, secret: cardInfoPin)

        let der = try XCTUnwrap(virtualCard.certificate(certificate: .signing))
        let personal = try XCTUnwrap(try parseCertificate(der: der).personal)
        XCTAssertEqual(attributes.name, personal.name)
        XCTAssertEqual(attributes.address, personal.address)
        XCTAssertEqual(attributes.birthDate, personal.birthDate?.replacingOccurrences(of: "-", with: ""))
        XCTAssertEqual(attributes.sex, personal.sex)
        XCTAssertEqual(attributes.birthDate.count, 8, "YYYYMMDD")

        XCTAssertEqual(attributes.integrity.attributesDigest, .passed)
        XCTAssertEqual(attributes.integrity.recordSignature, .passed)
        XCTAssertEqual(attributes.integrity.myNumberDigest, .notRead)
        XCTAssertFalse(attributes.integrity.issuerVerified, "no issuer key was given")

        // One secret sent, on its own counter; the JPKI PINs are untouched.
        XCTAssertEqual(recorder.commandKinds.filter { $0 == .verify }.count, 1)
        XCTAssertFalse(recorder.commandKinds.contains(.sign))
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .cardInfo), 3)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 3)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .signing), 5)

        let check = try crossCheckCardInfo(attributes: attributes, signingCertificate: der)
        XCTAssertEqual(check.name, .equal)
        XCTAssertEqual(check.address, .equal)
        XCTAssertEqual(check.birthDate, .equal)
        XCTAssertEqual(check.sex, .equal)
        XCTAssertTrue(check.allEqual)
    }

    func testReadCardInfoWithVerificationNumberBAndTheIssuerKey() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let byPin = try await KazashiNFC.readCardInfo(unlock: .cardInfoPin, secret: cardInfoPin)
        let byNumberB = try await KazashiNFC.readCardInfo(unlock: .verificationNumberB,
                                                          secret: Data(virtualCard.verificationNumberB().utf8),
                                                          issuerKey: virtualCard.cardInfoIssuerKey())

        XCTAssertEqual(byNumberB.name, byPin.name)
        XCTAssertEqual(byNumberB.address, byPin.address)
        XCTAssertEqual(byNumberB.birthDate, byPin.birthDate)
        XCTAssertEqual(byNumberB.sex, byPin.sex)
        XCTAssertTrue(byNumberB.integrity.issuerVerified, "the issuer key was given")
        XCTAssertEqual(byNumberB.integrity.recordSignature, .passed)
    }

    func testReadMyNumberWithThePinAndWithVerificationNumberA() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)
        let expected = virtualCard.myNumber()
        XCTAssertEqual(expected.count, 12)

        let byPin = try await KazashiNFC.readMyNumber(unlock: .cardInfoPin, secret: cardInfoPin)
        XCTAssertTrue(byPin.digits() == expected, "the My Number read with the PIN differs from the card's")
        XCTAssertEqual(byPin.integrity().myNumberDigest, .passed)
        XCTAssertEqual(byPin.integrity().recordSignature, .passed)
        XCTAssertEqual(byPin.integrity().attributesDigest, .notRead)

        let byNumberA = try await KazashiNFC.readMyNumber(unlock: .verificationNumberA, secret: Data(expected.utf8))
        XCTAssertTrue(byNumberA.digits() == expected, "the My Number read with verification number A differs")
        XCTAssertEqual(virtualCard.pinVerifications(), 2)
    }

    /// Attributes and counters on one tap, through `perform` with the application it selects.
    func testPerformCombinesTheCounterAndTheRead() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let (counter, attributes) = try await KazashiNFC.perform(applications: [.cardInfo]) { cardSession -> (PinStatus, CardInfoAttributes) in
            let counter = try await cardSession.retryCounter(pin: .cardInfo)
            let attributes = try await cardSession.readCardInfo(unlock: .cardInfoPin, secret: Data("1234".utf8),
                                                                confirmLastAttempt: false, issuerKey: nil)
            return (counter, attributes)
        }
        XCTAssertEqual(counter.attemptsLeft, 3)
        XCTAssertFalse(attributes.name.isEmpty)
    }

    func testWrongCardInfoPinSpendsOnlyItsOwnCounter() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let error = await kazashiError { try await KazashiNFC.readCardInfo(unlock: .cardInfoPin, secret: Data("9999".utf8)) }
        XCTAssertEqual(error?.kind, .wrongPin)
        XCTAssertEqual(error?.pinKind, .cardInfo)
        XCTAssertEqual(error?.attemptsLeft, 2)
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .cardInfo), 2)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 3)

        let counter = try await KazashiNFC.perform(applications: [.cardInfo]) { cardSession in
            try await cardSession.retryCounter(pin: .cardInfo)
        }
        XCTAssertEqual(counter.attemptsLeft, 2)

        let wrongPin = try XCTUnwrap(error)
        let text = ReaderMessages(language: .japanese).errorMessage(for: wrongPin)
        XCTAssertTrue(text.contains("券面事項入力補助用暗証番号"), text)
        XCTAssertTrue(text.contains("残り2回"), text)
    }

    func testMalformedSecretsAreRefusedBeforeAnyVerify() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let pin = await kazashiError { try await KazashiNFC.readCardInfo(unlock: .cardInfoPin, secret: Data("12a4".utf8)) }
        XCTAssertEqual(pin?.kind, .invalidPinFormat)
        XCTAssertEqual(pin?.pinKind, .cardInfo)
        let numberA = await kazashiError { try await KazashiNFC.readMyNumber(unlock: .verificationNumberA, secret: Data("12345".utf8)) }
        XCTAssertEqual(numberA?.kind, .invalidPinFormat)
        XCTAssertEqual(numberA?.pinKind, .verificationNumberA)
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
    }

    func testLastCardInfoAttemptIsRefusedUntilConfirmed() async throws {
        let virtualCard = VirtualCard(profile: .cardInfoLastAttempt)
        KazashiNFC.useSimulatedCard(virtualCard)

        let refused = await kazashiError { try await KazashiNFC.readCardInfo(unlock: .cardInfoPin, secret: cardInfoPin) }
        XCTAssertEqual(refused?.kind, .lastAttemptNotConfirmed)
        XCTAssertEqual(refused?.pinKind, .cardInfo)
        XCTAssertEqual(virtualCard.pinVerifications(), 0)

        let attributes = try await KazashiNFC.readCardInfo(unlock: .cardInfoPin, secret: cardInfoPin,
                                                           confirmLastAttempt: true)
        XCTAssertFalse(attributes.name.isEmpty)
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
    }

    func testLockedCardInfoPinLeavesVerificationNumberB() async throws {
        let virtualCard = VirtualCard(profile: .cardInfoPinBlocked)
        KazashiNFC.useSimulatedCard(virtualCard)

        let locked = await kazashiError {
            try await KazashiNFC.readMyNumber(unlock: .cardInfoPin, secret: cardInfoPin, confirmLastAttempt: true)
        }
        XCTAssertEqual(locked?.kind, .pinBlocked)
        XCTAssertEqual(locked?.pinKind, .cardInfo)
        XCTAssertEqual(virtualCard.pinVerifications(), 0, "a locked PIN is never tried")

        let attributes = try await KazashiNFC.readCardInfo(unlock: .verificationNumberB,
                                                           secret: Data(virtualCard.verificationNumberB().utf8))
        XCTAssertEqual(attributes.integrity.attributesDigest, .passed)
    }

    func testTamperedAttributesFailTheIntegrityCheck() async throws {
        let virtualCard = VirtualCard(profile: .cardInfoTampered)
        KazashiNFC.useSimulatedCard(virtualCard)

        let error = await kazashiError { try await KazashiNFC.readCardInfo(unlock: .cardInfoPin, secret: cardInfoPin) }
        XCTAssertEqual(error?.kind, .integrityCheckFailed)
        let unwrapped = try XCTUnwrap(error)
        let der = try XCTUnwrap(virtualCard.certificate(certificate: .signing))
        let personal = try parseCertificate(der: der).personal
        let secrets = [personal?.name, personal?.address, virtualCard.myNumber()].compactMap { $0 }
        for language in [ReaderLanguage.japanese, .english] {
            let text = ReaderMessages(language: language).errorMessage(for: unwrapped)
            XCTAssertFalse(text.isEmpty)
            XCTAssertFalse(secrets.contains(where: { text.contains($0) }), "the message carries personal data")
        }
        XCTAssertFalse(secrets.contains(where: { unwrapped.reason.contains($0) || unwrapped.action.contains($0) }),
                       "the error carries personal data")
        XCTAssertTrue(ReaderMessages(language: .english).errorMessage(for: unwrapped).contains("integrity check"))
        XCTAssertTrue(ReaderMessages(language: .japanese).errorMessage(for: unwrapped).contains("市区町村の窓口"))
    }
}
