import Foundation
import Kazashi
import KazashiNFC
import XCTest

/// The pure parts of the Core NFC shell: error codes and command classification.
final class CoreNFCMappingTests: XCTestCase {
    private let domain = CoreNFCErrorCode.domain

    func testLostTagsAndEndedSessionsBecomeTagLost() {
        for code in [100, 103, 104, 200, 202, 203] {
            XCTAssertEqual(CoreNFCErrorCode.transceiveError(domain: domain, code: code, description: "d"), .TagLost,
                           "code \(code)")
        }
    }

    func testSessionTimeoutBecomesTimeout() {
        XCTAssertEqual(CoreNFCErrorCode.transceiveError(domain: domain, code: 201, description: "d"), .Timeout)
    }

    func testOtherFailuresBecomeIo() {
        XCTAssertEqual(CoreNFCErrorCode.transceiveError(domain: domain, code: 102, description: "bad response"),
                       .Io(reason: "bad response"))
        XCTAssertEqual(CoreNFCErrorCode.transceiveError(domain: domain, code: 105, description: "too long"),
                       .Io(reason: "too long"))
        XCTAssertEqual(CoreNFCErrorCode.transceiveError(domain: NSPOSIXErrorDomain, code: 100, description: "posix"),
                       .Io(reason: "posix"), "only NFCErrorDomain codes are interpreted")
    }

    func testNewerCodesAreNumberedAsInTheSDK() {
        XCTAssertEqual(CoreNFCErrorCode.ineligible, 7)
        XCTAssertEqual(CoreNFCErrorCode.accessNotAccepted, 8)
        XCTAssertEqual(CoreNFCErrorCode.tagCommandConfigurationInvalidParameters, 300)
        XCTAssertEqual([CoreNFCErrorCode.ndefTagNotWritable, CoreNFCErrorCode.ndefTagUpdateFailure,
                        CoreNFCErrorCode.ndefTagSizeTooSmall, CoreNFCErrorCode.ndefZeroLengthMessage], [400, 401, 402, 403])
    }

    func testNewerCodesDuringACommandBecomeIo() {
        // Not a lost card: the core must not treat them as "tap again without a PIN check".
        for code in [7, 8, 101, 300, 400, 401, 402, 403] {
            XCTAssertEqual(CoreNFCErrorCode.transceiveError(domain: domain, code: code, description: "d\(code)"),
                           .Io(reason: "d\(code)"), "code \(code)")
        }
    }

    func testNewerSessionEnds() {
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 7, description: "d"), .readingUnavailable,
                       "ineligible: not this device")
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 8, description: "not accepted"),
                       .sessionFailed(reason: "not accepted"), "access not accepted: the platform's text")
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 300, description: "config"),
                       .sessionFailed(reason: "config"))
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 403, description: "ndef"),
                       .sessionFailed(reason: "ndef"))
    }

    func testSessionEnds() {
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 200, description: "d"), .userCanceled)
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 201, description: "d"), .sessionTimedOut)
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 203, description: "d"), .systemBusy)
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 2, description: "d"), .missingEntitlement)
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 1, description: "d"), .readingUnavailable)
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 6, description: "d"), .radioDisabled)
        XCTAssertEqual(CoreNFCErrorCode.sessionEnd(domain: domain, code: 202, description: "gone"),
                       .sessionFailed(reason: "gone"))
    }

    func testCommandKinds() {
        XCTAssertEqual(CommandKind(command: apdu("00 A4 04 0C 0A D392F000260100000001")), .select)
        XCTAssertEqual(CommandKind(command: apdu("00 A4 02 0C 02 0018")), .select)
        XCTAssertEqual(CommandKind(command: apdu("00 20 00 80")), .retryQuery)
        XCTAssertEqual(CommandKind(command: apdu("00 20 00 80 04 31323334")), .verify)
        XCTAssertEqual(CommandKind(command: apdu("00 24 01 80 04 31323334")), .changePin)
        XCTAssertEqual(CommandKind(command: apdu("80 2A 00 80 33 00")), .sign)
        XCTAssertEqual(CommandKind(command: apdu("00 B0 00 00 00")), .readBinary)
        XCTAssertEqual(CommandKind(command: apdu("00 B0 00 00 00 00 00")), .readBinary)
        XCTAssertEqual(CommandKind(command: apdu("00 CA 01 00 00")), .other)
        XCTAssertEqual(CommandKind(command: apdu("00 20 00")), .other)
        XCTAssertEqual(CommandKind(command: Data()), .other)
    }

    func testCommandKindOfASlice() {
        let buffer = apdu("FF FF 00 20 00 80 04 31323334")
        XCTAssertEqual(CommandKind(command: buffer.dropFirst(2)), .verify)
    }

    func testStagesOnlyMoveForward() {
        XCTAssertEqual(ReaderStage.advance(from: .waitingForCard, on: .select), .reading)
        XCTAssertNil(ReaderStage.advance(from: .reading, on: .readBinary))
        XCTAssertEqual(ReaderStage.advance(from: .reading, on: .verify), .checkingPin)
        XCTAssertNil(ReaderStage.advance(from: .checkingPin, on: .select))
        XCTAssertEqual(ReaderStage.advance(from: .checkingPin, on: .sign), .signing)
        XCTAssertEqual(ReaderStage.advance(from: .checkingPin, on: .changePin), .changingPin)
        XCTAssertNil(ReaderStage.advance(from: .signing, on: .readBinary))
        XCTAssertNil(ReaderStage.advance(from: .reading, on: .other))
    }

    func testLinkInfoOfTheVirtualCardProfiles() throws {
        XCTAssertTrue(try VirtualCard(profile: .physicalCard).linkInfo().extendedLength)
        XCTAssertEqual(try VirtualCard(profile: .noExtendedLength).linkInfo().extendedLength, false)
    }
}
