import Foundation
import Kazashi
@testable import KazashiNFC
import XCTest

/// The card-surface application (券面事項確認AP) end to end against the virtual card, through the
/// facade an app calls. Expected values come from the virtual card itself (its signing
/// certificate, its My Number, its verification number B) or from the file formats (the
/// JPEG 2000 and PNG signatures), never from the flow under test. Secrets and the front's fields
/// are compared with `==` where a failure message would otherwise print them.
final class CardSurfaceTests: XCTestCase {
    /// The JPEG 2000 signature box (JP2 file format).
    private let jp2Signature = Data([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20])
    /// The PNG file signature.
    private let pngSignature = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

    override func tearDown() {
        KazashiNFC.useSimulatedCard(nil)
        super.tearDown()
    }

    func testReadCardSurfaceWithVerificationNumberA() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let recorder = RecordingTransceiver(virtualCard)
        KazashiNFC.useSimulatedCard(recorder)

        let surface = try await KazashiNFC.readCardSurface(unlock: .verificationNumberA,
                                                           secret: Data(virtualCard.myNumber().utf8),
                                                           issuerKey: virtualCard.cardInfoIssuerKey())

        XCTAssertTrue(surface.photo.starts(with: jp2Signature), "the photo does not start with the JPEG 2000 signature box")
        XCTAssertEqual(surface.photoMediaType, "image/jp2")
        XCTAssertTrue(surface.nameImage.starts(with: pngSignature), "the name image is not a PNG")
        XCTAssertTrue(surface.addressImage.starts(with: pngSignature), "the address image is not a PNG")
        XCTAssertTrue(surface.securityCodeImage.starts(with: pngSignature), "the security-code image is not a PNG")
        XCTAssertEqual(surface.signature, .verifiedVirtualCardLayout)
        XCTAssertTrue(surface.issuerVerified, "the issuer key was given")

        // The printed birth date and sex are the signing certificate's.
        let der = try XCTUnwrap(virtualCard.certificate(certificate: .signing))
        let personal = try XCTUnwrap(try parseCertificate(der: der).personal)
        XCTAssertTrue(surface.birthDate == personal.birthDate?.replacingOccurrences(of: "-", with: ""),
                      "the birth date differs from the signing certificate's")
        XCTAssertTrue(surface.sex == personal.sex, "the sex differs from the signing certificate's")
        XCTAssertEqual(surface.expiry.count, 8, "YYYYMMDD")
        XCTAssertTrue(surface.expiry.allSatisfy(\.isNumber), "YYYYMMDD")

        // One secret sent, on this application's own counter; the JPKI PINs are untouched.
        XCTAssertEqual(recorder.commandKinds.filter { $0 == .verify }.count, 1)
        XCTAssertFalse(recorder.commandKinds.contains(.sign))
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .authentication), 3)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .signing), 5)
    }

    func testReadCardSurfaceWithVerificationNumberBOpensTheSameFront() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let byA = try await KazashiNFC.readCardSurface(unlock: .verificationNumberA, secret: Data(virtualCard.myNumber().utf8))
        let byB = try await KazashiNFC.readCardSurface(unlock: .verificationNumberB,
                                                       secret: Data(virtualCard.verificationNumberB().utf8))

        XCTAssertTrue(byB.photo.starts(with: jp2Signature), "the photo does not start with the JPEG 2000 signature box")
        XCTAssertEqual(byB.photoMediaType, "image/jp2")
        XCTAssertTrue(byB.photo == byA.photo, "B opens another photo than A")
        XCTAssertTrue(byB.nameImage == byA.nameImage, "B opens another name image than A")
        XCTAssertTrue(byB.birthDate == byA.birthDate && byB.sex == byA.sex && byB.expiry == byA.expiry,
                      "B opens other fields than A")
        XCTAssertEqual(byB.signature, .verifiedVirtualCardLayout)
        XCTAssertFalse(byB.issuerVerified, "no issuer key was given")
        XCTAssertEqual(virtualCard.pinVerifications(), 2)
    }

    /// A wrong number spends the card-surface application's counter, never the card-info one.
    func testWrongVerificationNumberBSpendsOnlyTheCardSurfaceCounter() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let before = try await KazashiNFC.perform(applications: [.cardSurface]) { cardSession in
            try await cardSession.cardSurfaceRetryCounter(pin: .verificationNumberB)
        }
        let beforeLeft = try XCTUnwrap(before.attemptsLeft, "the card-surface counter of B is not reported")
        let expectedLeft: UInt8 = beforeLeft - 1
        let cardInfoB = virtualCard.attemptsLeft(pin: .verificationNumberB)
        let right = virtualCard.verificationNumberB()
        let wrong = String(right.dropLast()) + (right.last == "0" ? "1" : "0")
        XCTAssertTrue(wrong != right && wrong.count == 14, "the wrong number is not a different 14-digit number")

        let error = await kazashiError {
            try await KazashiNFC.readCardSurface(unlock: .verificationNumberB, secret: Data(wrong.utf8))
        }
        XCTAssertEqual(error?.kind, .wrongPin)
        XCTAssertEqual(error?.pinKind, .verificationNumberB)
        XCTAssertEqual(error?.attemptsLeft, expectedLeft)
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
        let unwrapped = try XCTUnwrap(error)
        XCTAssertFalse(unwrapped.reason.contains(wrong) || unwrapped.action.contains(wrong), "the error carries the secret")

        let (surface, cardInfo) = try await KazashiNFC.perform(applications: [.cardInfo, .cardSurface]) { cardSession -> (PinStatus, PinStatus) in
            let surface = try await cardSession.cardSurfaceRetryCounter(pin: .verificationNumberB)
            let cardInfo = try await cardSession.retryCounter(pin: .verificationNumberB)
            return (surface, cardInfo)
        }
        XCTAssertEqual(surface.attemptsLeft, expectedLeft, "the card-surface counter went down")
        XCTAssertEqual(cardInfo.attemptsLeft, cardInfo.maxAttempts, "the card-info counter of B stays full")
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .verificationNumberB), cardInfoB)
        XCTAssertEqual(virtualCard.attemptsLeft(pin: .cardInfo), 3)

        let text = ReaderMessages(language: .japanese).errorMessage(for: unwrapped)
        XCTAssertTrue(text.hasPrefix("照合番号Bが違います"), text)
    }

    func testMalformedVerificationNumbersAreRefusedBeforeAnyVerify() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        KazashiNFC.useSimulatedCard(virtualCard)

        let numberB = await kazashiError { try await KazashiNFC.readCardSurface(unlock: .verificationNumberB, secret: Data("1234".utf8)) }
        XCTAssertEqual(numberB?.kind, .invalidPinFormat)
        XCTAssertEqual(numberB?.pinKind, .verificationNumberB)
        let numberA = await kazashiError { try await KazashiNFC.readCardSurface(unlock: .verificationNumberA, secret: Data("12345".utf8)) }
        XCTAssertEqual(numberA?.kind, .invalidPinFormat)
        XCTAssertEqual(numberA?.pinKind, .verificationNumberA)
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
    }

    /// Each shortcut tells the sheet which secret it sends, so the "checking" stage never calls
    /// a verification number a PIN.
    func testShortcutsNameTheSecretTheySend() {
        XCTAssertEqual(SurfaceUnlock.verificationNumberA.checkedSecret, .verificationNumberA)
        XCTAssertEqual(SurfaceUnlock.verificationNumberB.checkedSecret, .verificationNumberB)
        XCTAssertEqual(AttributesUnlock.cardInfoPin.checkedSecret, .cardInfo)
        XCTAssertEqual(AttributesUnlock.verificationNumberB.checkedSecret, .verificationNumberB)
        XCTAssertEqual(MyNumberUnlock.cardInfoPin.checkedSecret, .cardInfo)
        XCTAssertEqual(MyNumberUnlock.verificationNumberA.checkedSecret, .verificationNumberA)

        let ja = ReaderMessages(language: .japanese)
        let text = ja.text(for: .checkingPin, checking: SurfaceUnlock.verificationNumberB.checkedSecret)
        XCTAssertTrue(text.hasPrefix("照合番号を確認しています"), text)
        XCTAssertFalse(text.contains("暗証番号"), text)
    }

    func testReadNotice() {
        let ja = ReaderMessages(language: .japanese)
        let en = ReaderMessages(language: .english)
        XCTAssertEqual(ja.text(for: .cardSurfaceRead), "券面を読み取りました")
        XCTAssertEqual(en.text(for: .cardSurfaceRead), "Card front read.")
        XCTAssertFalse(en.text(for: .cardSurfaceRead).contains(where: \.isNumber), "no field of the front")
    }
}
