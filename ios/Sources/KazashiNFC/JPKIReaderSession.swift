#if canImport(CoreNFC) && os(iOS)
@preconcurrency import CoreNFC
import Foundation
import Kazashi

/// One tap, from "hold your card" to the check mark or the error line: owns an
/// `NFCTagReaderSession`, waits for a single ISO 7816 tag, connects, runs the caller's flow on a
/// `CardSession` and then invalidates the session with a message derived from the outcome.
///
/// Rules it keeps:
/// - **No automatic retries.** If the tag is lost while a flow runs, the flow fails and the tap
///   ends with "the card moved away; tap again". A PIN is sent again only when the user taps
///   again and the app calls a flow again; this class never repeats one.
/// - **Polling restarts only before anything was sent**: several cards, a non-ISO 7816 tag, or a
///   failed connect.
/// - **Nothing blocks** the main thread or the session queue: delegate callbacks only record
///   state and start work; the flow runs in a `Task`.
///
/// All mutable state is guarded by `lock`; delegate callbacks arrive on `queue`.
final class JPKIReaderSession: NSObject, NFCTagReaderSessionDelegate, @unchecked Sendable {
    typealias Flow = @Sendable (CardSession) async throws -> Void

    private enum Phase {
        case idle, polling, running, finished
    }

    private enum Farewell {
        case success(String)
        case failure(String)
        case silent
    }

    private let messages: ReaderMessages
    /// The secret the flow sends, named by the sheet's "checking" stage (`nil`: a neutral text).
    private let secret: PinKind?
    private let linkInfo: LinkInfo
    private let successMessage: String
    private let flow: Flow
    private let queue = DispatchQueue(label: "jp.kazashi.nfc.reader-session", qos: .userInitiated)
    private let lock = NSLock()

    // Guarded by `lock`.
    private var phase = Phase.idle
    private var readerSession: NFCTagReaderSession?
    private var continuation: CheckedContinuation<Void, Error>?
    private var work: Task<Void, Never>?
    private var sessionEnd: Error?
    private var cancelRequested = false
    private var stage = ReaderStage.waitingForCard

    init(messages: ReaderMessages, checking secret: PinKind?, linkInfo: LinkInfo, successMessage: String,
         flow: @escaping Flow) {
        self.messages = messages
        self.secret = secret
        self.linkInfo = linkInfo
        self.successMessage = successMessage
        self.flow = flow
    }

    /// Shows the NFC sheet and returns when the flow has finished and the sheet is closing.
    /// Cancelling the calling task closes the sheet and throws `CancellationError`.
    func run() async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                self.start(continuation)
            }
        } onCancel: {
            self.cancel()
        }
    }

    // MARK: - Lifecycle

    private func start(_ continuation: CheckedContinuation<Void, Error>) {
        lock.lock()
        self.continuation = continuation
        if cancelRequested {
            lock.unlock()
            finish(failure: CancellationError(), farewell: .silent)
            return
        }
        guard NFCTagReaderSession.readingAvailable, let session = makeReaderSession() else {
            lock.unlock()
            finish(failure: KazashiNFCError.readingUnavailable, farewell: .silent)
            return
        }
        readerSession = session
        phase = .polling
        lock.unlock()

        session.alertMessage = messages.text(for: .waitingForCard)
        session.begin()

        lock.lock()
        let cancelledMeanwhile = cancelRequested
        lock.unlock()
        if cancelledMeanwhile {
            session.invalidate()
        }
    }

    /// A tag reader session polling ISO 14443 (the My Number Card is Type B), delegate callbacks on
    /// `queue`. iOS 26.4 deprecates `init(pollingOption:delegate:queue:)` in favour of
    /// `init(configuration:delegate:queue:)`; an empty AID list in the configuration means every
    /// AID of the app's Info.plist, as with the old initialiser. The new one exists only in the
    /// iOS 26.4 SDK (Xcode 26.4, Swift 6.3); older Xcodes and older iOS versions use the old one.
    private func makeReaderSession() -> NFCTagReaderSession? {
        #if compiler(>=6.3)
        if #available(iOS 26.4, *) {
            return NFCTagReaderSession(configuration: NFCTagReaderSession.Configuration(pollingOption: .iso14443),
                                       delegate: self, queue: queue)
        }
        #endif
        return NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: queue)
    }

    private func cancel() {
        lock.lock()
        cancelRequested = true
        let session = readerSession
        let work = self.work
        lock.unlock()
        work?.cancel()
        session?.invalidate()
    }

    /// Resumes the caller exactly once and closes the sheet unless Core NFC already did.
    private func finish(failure: Error?, farewell: Farewell) {
        lock.lock()
        guard phase != .finished, let continuation else {
            lock.unlock()
            return
        }
        phase = .finished
        self.continuation = nil
        let session = readerSession
        // Core NFC may hold its delegate strongly; let go of the session to break the cycle.
        readerSession = nil
        let alreadyInvalidated = sessionEnd != nil
        lock.unlock()

        if let session, !alreadyInvalidated {
            switch farewell {
            case let .success(message):
                session.alertMessage = message
                session.invalidate()
            case let .failure(message):
                session.invalidate(errorMessage: message)
            case .silent:
                session.invalidate()
            }
        }
        if let failure {
            continuation.resume(throwing: failure)
        } else {
            continuation.resume()
        }
    }

    // MARK: - NFCTagReaderSessionDelegate (on `queue`)

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        let nsError = error as NSError
        lock.lock()
        let end: Error = cancelRequested
            ? CancellationError()
            : CoreNFCErrorCode.sessionEnd(domain: nsError.domain, code: nsError.code,
                                          description: nsError.localizedDescription)
        if sessionEnd == nil {
            sessionEnd = end
        }
        let phase = self.phase
        let work = self.work
        lock.unlock()

        switch phase {
        case .idle, .polling:
            // No card was reached: Cancel, the time limit, a missing entitlement...
            finish(failure: end, farewell: .silent)
        case .running:
            // The flow's next command fails with a lost tag; `finishFlow` reports `end`. A flow
            // waiting on something other than the card is told to stop.
            work?.cancel()
        case .finished:
            // Our own invalidate() ends here.
            break
        }
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard tags.count == 1, let tag = tags.first else {
            restartPolling(session, notice: .oneCardOnly)
            return
        }
        guard case let .iso7816(iso7816Tag) = tag else {
            // A transit card, a sticker...: nothing was sent to it.
            restartPolling(session, notice: .notMyNumberCard)
            return
        }
        session.connect(to: tag) { [self] error in
            if error != nil {
                // Still nothing sent to the card, so trying again is safe.
                restartPolling(session, notice: .connectionFailed)
                return
            }
            startFlow(session: session, tag: iso7816Tag)
        }
    }

    // MARK: - Flow

    private func restartPolling(_ session: NFCTagReaderSession, notice: ReaderNotice) {
        session.alertMessage = messages.text(for: notice)
        // A short pause, or the same tag is detected again at once.
        queue.asyncAfter(deadline: .now() + .milliseconds(500)) { [self] in
            lock.lock()
            let stillPolling = phase == .polling
            lock.unlock()
            if stillPolling {
                session.restartPolling()
            }
        }
    }

    private func startFlow(session: NFCTagReaderSession, tag: NFCISO7816Tag) {
        lock.lock()
        guard phase == .polling else {
            lock.unlock()
            return
        }
        phase = .running
        stage = .reading
        lock.unlock()
        session.alertMessage = messages.text(for: .reading)

        let transceiver = CoreNFCTransceiver(tag: tag, linkInfo: linkInfo) { [weak self] kind in
            self?.advance(on: kind)
        }
        let flow = self.flow
        let task = Task { [self] in
            do {
                try await flow(CardSession(transceiver: transceiver))
                finishFlow(error: nil)
            } catch {
                finishFlow(error: error)
            }
        }
        lock.lock()
        work = task
        lock.unlock()
    }

    private func finishFlow(error: Error?) {
        lock.lock()
        let end = sessionEnd
        lock.unlock()
        guard let error else {
            if let end {
                // The flow finished but the sheet was already gone; report why it went.
                finish(failure: end, farewell: .silent)
            } else {
                finish(failure: nil, farewell: .success(successMessage))
            }
            return
        }
        let surfaced = SessionOutcome.surfacedError(operationError: error, sessionEnd: end)
        finish(failure: surfaced, farewell: .failure(messages.errorMessage(for: surfaced)))
    }

    /// Moves the sheet's message forward as the card reaches a new stage (see
    /// ``ReaderStage/advance(from:on:)``).
    private func advance(on command: CommandKind) {
        lock.lock()
        guard phase == .running, let next = ReaderStage.advance(from: stage, on: command) else {
            lock.unlock()
            return
        }
        stage = next
        let session = readerSession
        lock.unlock()
        let text = messages.text(for: next, checking: secret)
        queue.async {
            session?.alertMessage = text
        }
    }
}
#endif
