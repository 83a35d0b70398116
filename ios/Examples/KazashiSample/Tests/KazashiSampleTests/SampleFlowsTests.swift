import Foundation
import Kazashi
import KazashiNFC
import KazashiSampleCore
import XCTest
#if canImport(Security)
import Security
#endif

/// The sample's flows on the virtual card (the testing build of the library), as with the switch on.
final class SampleFlowsTests: XCTestCase {
    private let flows = SampleFlows(messages: ReaderMessages(language: .english))

    private final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []

        func append(_ line: String) {
            lock.lock()
            lines.append(line)
            lock.unlock()
        }

        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return lines
        }
    }

    func testStatusShowsTheCounters() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let lines = Lines()
        let outcome = try await flows.status(on: virtualCard) { lines.append($0) }
        XCTAssertTrue(outcome.text.contains("3/3"), outcome.text)
        XCTAssertTrue(outcome.text.contains("5/5"), outcome.text)
        XCTAssertFalse(lines.all.isEmpty, "no progress line")
    }

    func testLogInAndSignReturnSignaturesThatVerify() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let lines = Lines()
        let login = try await flows.login(pin: Data("1234".utf8), confirmLastAttempt: false, on: virtualCard) { lines.append($0) }
        let signed = try await flows.sign(text: "申請書", password: Data("ABC123".utf8), confirmLastAttempt: false,
                                          on: virtualCard) { lines.append($0) }
        XCTAssertTrue(lines.all.contains(flows.messages.progressText(.signing, checking: .signing)), "\(lines.all)")
        XCTAssertEqual(signed.signedMessage, Data("申請書".utf8))
        XCTAssertEqual(virtualCard.pinVerifications(), 2)
        #if canImport(Security)
        for outcome in [login, signed] {
            let der = try XCTUnwrap(outcome.certificateDer)
            let certificate = try XCTUnwrap(SecCertificateCreateWithData(nil, der as CFData))
            let key = try XCTUnwrap(SecCertificateCopyKey(certificate))
            XCTAssertTrue(SecKeyVerifySignature(key, .rsaSignatureMessagePKCS1v15SHA256,
                                                try XCTUnwrap(outcome.signedMessage) as CFData,
                                                try XCTUnwrap(outcome.signature) as CFData, nil))
        }
        #else
        XCTAssertEqual(login.signature?.count, 256)
        XCTAssertEqual(signed.signature?.count, 256)
        #endif
    }

    func testAWrongPinShowsTheCatalogueSentence() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        do {
            _ = try await flows.login(pin: Data("9999".utf8), confirmLastAttempt: false, on: virtualCard) { _ in }
            XCTFail("a wrong PIN logged in")
        } catch {
            let text = flows.errorText(error)
            XCTAssertEqual(text, errorMessage(error: try XCTUnwrap(error as? KazashiError), language: .english))
            XCTAssertTrue(text.contains("2 attempts left"), text)
        }
    }
}
