import Foundation
import Kazashi
import KazashiNFC
import XCTest

/// The tap's coordinator without Core NFC: a fake sheet (`ReaderSessionLink`) and a fake ISO 7816
/// tag in front of the virtual card. Runs wherever Swift does, Linux included.
final class ReaderCoordinatorTests: XCTestCase {
    /// Records what the sheet was told; `onBegin` plays the user holding a card (or not).
    private final class FakeSheet: ReaderSessionLink, @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        private var closings: [String?] = []
        private var restarts = 0
        /// Set by `makeSession`, as Core NFC's delegate is.
        weak var coordinator: ReaderCoordinator?
        /// The user holding a card (or not) once the sheet is up.
        var onBegin: ((FakeSheet, ReaderCoordinator) -> Void)?
        /// Core NFC answers every `invalidate` with the delegate's `didInvalidateWithError`.
        var reportsInvalidation = false

        var alertMessage: String {
            get {
                lock.lock()
                defer { lock.unlock() }
                return messages.last ?? ""
            }
            set {
                lock.lock()
                messages.append(newValue)
                lock.unlock()
            }
        }

        func begin() {
            if let coordinator { onBegin?(self, coordinator) }
        }

        func invalidate() { record(nil) }
        func invalidate(errorMessage: String) { record(errorMessage) }

        func restartPolling() {
            lock.lock()
            restarts += 1
            lock.unlock()
        }

        private func record(_ error: String?) {
            lock.lock()
            closings.append(error)
            lock.unlock()
            if reportsInvalidation, let coordinator {
                coordinator.queue.async { coordinator.sessionDidInvalidate(with: KazashiNFCError.userCanceled) }
            }
        }

        var shown: [String] {
            lock.lock()
            defer { lock.unlock() }
            return messages
        }

        /// Each `invalidate`: `nil` for a plain one, the error line otherwise.
        var closed: [String?] {
            lock.lock()
            defer { lock.unlock() }
            return closings
        }

        var pollingRestarts: Int {
            lock.lock()
            defer { lock.unlock() }
            return restarts
        }
    }

    /// An ISO 7816 tag in front of a virtual card; `lostOn` makes a command fail as a card that left.
    private final class FakeTag: ISO7816TagLink, @unchecked Sendable {
        let virtualCard: VirtualCard
        private let lostOn: @Sendable (Data) -> Bool
        private let lock = NSLock()
        private var sent = 0

        init(_ virtualCard: VirtualCard, lostOn: @escaping @Sendable (Data) -> Bool = { _ in false }) {
            self.virtualCard = virtualCard
            self.lostOn = lostOn
        }

        var isAvailable: Bool { true }

        var commandsSent: Int {
            lock.lock()
            defer { lock.unlock() }
            return sent
        }

        func sendCommand(_ apdu: Data) async throws -> (Data, UInt8, UInt8) {
            lock.lock()
            sent += 1
            lock.unlock()
            if lostOn(apdu) {
                throw NfcError.TagLost
            }
            let response = virtualCard.process(command: apdu)
            return (response.dropLast(2), response[response.count - 2], response[response.count - 1])
        }
    }

    private let messages = ReaderMessages(language: .english)

    private func coordinator(sheet: FakeSheet, readingAvailable: Bool = true,
                             flow: @escaping ReaderCoordinator.Flow) -> ReaderCoordinator {
        ReaderCoordinator(messages: messages, checking: .signing, linkInfo: ISO7816TagTransceiver.extendedLinkInfo,
                          successMessage: messages.text(for: .signed), readingAvailable: readingAvailable,
                          restartDelay: .milliseconds(10),
                          makeSession: { coordinator in
                              sheet.coordinator = coordinator
                              return sheet
                          },
                          flow: flow)
    }

    func testATapSignsFollowsTheStagesAndClosesWithTheSuccessMessage() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let tag = FakeTag(virtualCard)
        let sheet = FakeSheet()
        let document = Data("coordinated".utf8)
        let result = ResultSlot()
        sheet.onBegin = { sheet, reader in
            reader.queue.async { reader.connected(sheet, to: tag) }
        }
        let reader = coordinator(sheet: sheet) { cardSession in
            result.set(try await cardSession.signDocument(document: document, algorithm: .sha256, password: Data("ABC123".utf8),
                                                          options: SignOptions(confirmLastAttempt: false, allowLegacySha1: false)))
        }
        try await reader.run()

        let signed = try XCTUnwrap(result.get())
        XCTAssertTrue(try SecurityFramework.verifies(signed.signature, of: document, certificate: signed.certificate.der))
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
        XCTAssertEqual(sheet.closed, [nil], "closed once, with a check mark")
        // The stage texts hop through the queue; the farewell is last.
        let shown = sheet.shown
        XCTAssertEqual(shown.first, messages.text(for: .waitingForCard))
        XCTAssertEqual(shown.last, messages.text(for: .signed))
        XCTAssertTrue(shown.contains(messages.progressText(.verifyingPin, checking: .signing)), "\(shown)")
    }

    func testSeveralCardsRestartPollingAndNothingIsSent() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        let tag = FakeTag(virtualCard)
        let sheet = FakeSheet()
        sheet.onBegin = { sheet, reader in
            reader.queue.async {
                reader.detectedSeveralTags(sheet)
                // Then one card: the flow runs.
                reader.queue.asyncAfter(deadline: .now() + .milliseconds(50)) { reader.connected(sheet, to: tag) }
            }
        }
        let reader = coordinator(sheet: sheet) { cardSession in
            _ = try await cardSession.status()
        }
        try await reader.run()
        XCTAssertEqual(sheet.pollingRestarts, 1)
        XCTAssertTrue(sheet.shown.contains(messages.text(for: .oneCardOnly)))
        XCTAssertGreaterThan(tag.commandsSent, 0)
        XCTAssertEqual(virtualCard.pinVerifications(), 0)
    }

    func testALostTagEndsTheTapWithTheCatalogueLineAndNoSecondVerify() async throws {
        let virtualCard = VirtualCard(profile: .physicalCard)
        // COMPUTE DIGITAL SIGNATURE (80 2A) never reaches the card.
        let tag = FakeTag(virtualCard) { $0.count > 2 && $0[0] == 0x80 && $0[1] == 0x2A }
        let sheet = FakeSheet()
        sheet.onBegin = { sheet, reader in
            reader.queue.async { reader.connected(sheet, to: tag) }
        }
        let reader = coordinator(sheet: sheet) { cardSession in
            _ = try await cardSession.signDocument(document: Data("lost".utf8), algorithm: .sha256, password: Data("ABC123".utf8),
                                                   options: SignOptions(confirmLastAttempt: false, allowLegacySha1: false))
        }
        let error = await thrownError { try await reader.run() }
        let kazashi = try XCTUnwrap(error as? KazashiError, "\(String(describing: error))")
        XCTAssertEqual(sheet.closed, [messages.errorMessage(for: kazashi)])
        XCTAssertEqual(virtualCard.pinVerifications(), 1, "the password was sent once, never again")
    }

    func testNoReaderFailsWithoutShowingASheet() async {
        let sheet = FakeSheet()
        let reader = coordinator(sheet: sheet, readingAvailable: false) { _ in XCTFail("the flow ran") }
        let error = await thrownError { try await reader.run() }
        XCTAssertEqual(error as? KazashiNFCError, .readingUnavailable)
        XCTAssertTrue(sheet.shown.isEmpty)
    }

    func testCancellingTheCallerClosesTheSheet() async {
        let sheet = FakeSheet()
        sheet.reportsInvalidation = true
        let reader = coordinator(sheet: sheet) { _ in XCTFail("the flow ran") }
        let task = Task { try await reader.run() }
        // The sheet is up (nobody holds a card); the user leaves the screen.
        while sheet.shown.isEmpty {
            await Task.yield()
        }
        task.cancel()
        let error = await thrownError { try await task.value }
        XCTAssertTrue(error is CancellationError, "\(String(describing: error))")
        XCTAssertEqual(sheet.closed.first, .some(nil))
    }
}

/// Carries a flow's result out of its task.
private final class ResultSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var value: SignResult?

    func set(_ result: SignResult) {
        lock.lock()
        value = result
        lock.unlock()
    }

    func get() -> SignResult? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
