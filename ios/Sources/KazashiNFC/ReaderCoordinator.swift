import Foundation
import Kazashi

/// One tap, from "hold your card" to the check mark or the error line, independent of Core NFC:
/// drives a ``ReaderSessionLink`` (the sheet), waits for a single ISO 7816 tag, runs the caller's
/// flow on a `CardSession` over it and then closes the sheet with a message derived from the
/// outcome. `JPKIReaderSession` (iOS) feeds it Core NFC's delegate callbacks; tests feed it a fake
/// session and tag, on any platform with a Swift toolchain (Linux included).
///
/// Rules it keeps:
/// - **No automatic retries.** If the tag is lost while a flow runs, the flow fails and the tap
///   ends with "the card moved away; tap again". A PIN is sent again only when the user taps
///   again and the app calls a flow again; this class never repeats one.
/// - **Polling restarts only before anything was sent**: several cards, a non-ISO 7816 tag, or a
///   failed connect.
/// - **Nothing blocks** the main thread or the session queue: the event methods only record
///   state and start work; the flow runs in a `Task`.
///
/// All mutable state is guarded by `lock`; events arrive on `queue` (or any thread).
public final class ReaderCoordinator: @unchecked Sendable {
    public typealias Flow = @Sendable (CardSession) async throws -> Void

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
    private let readingAvailable: Bool
    private let makeSession: (ReaderCoordinator) -> ReaderSessionLink?
    private let mapError: @Sendable (Error) -> NfcError
    private let restartDelay: DispatchTimeInterval
    /// The queue of the session's callbacks; sheet updates from the flow's stages hop onto it.
    public let queue: DispatchQueue
    private let lock = NSLock()

    // Guarded by `lock`.
    private var phase = Phase.idle
    private var readerSession: ReaderSessionLink?
    private var continuation: CheckedContinuation<Void, Error>?
    private var work: Task<Void, Never>?
    private var sessionEnd: Error?
    private var cancelRequested = false

    /// - Parameters:
    ///   - messages: the sheet's texts (the catalogue, in the chosen language).
    ///   - secret: the secret the flow sends, named while the card checks it.
    ///   - linkInfo: what the transceiver reports to the core (extended or short APDUs).
    ///   - successMessage: the sheet's farewell after a flow that succeeded.
    ///   - readingAvailable: whether the device can read tags at all.
    ///   - queue: where session callbacks arrive (Core NFC's delegate queue).
    ///   - restartDelay: the pause before polling again, or the same tag is detected again at once.
    ///   - mapError: turns the tag's errors into `NfcError` (Core NFC's codes on iOS).
    ///   - makeSession: creates the sheet, delegating to this coordinator; `nil` if it cannot.
    ///   - flow: the caller's card flow.
    public init(messages: ReaderMessages, checking secret: PinKind?, linkInfo: LinkInfo, successMessage: String,
                readingAvailable: Bool,
                queue: DispatchQueue = DispatchQueue(label: "jp.kazashi.nfc.reader-session", qos: .userInitiated),
                restartDelay: DispatchTimeInterval = .milliseconds(500),
                mapError: @escaping @Sendable (Error) -> NfcError = { .Io(reason: "\($0)") },
                makeSession: @escaping (ReaderCoordinator) -> ReaderSessionLink?,
                flow: @escaping Flow) {
        self.messages = messages
        self.secret = secret
        self.linkInfo = linkInfo
        self.successMessage = successMessage
        self.readingAvailable = readingAvailable
        self.queue = queue
        self.restartDelay = restartDelay
        self.mapError = mapError
        self.makeSession = makeSession
        self.flow = flow
    }

    /// Shows the sheet and returns when the flow has finished and the sheet is closing.
    /// Cancelling the calling task closes the sheet and throws `CancellationError`.
    public func run() async throws {
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
        guard readingAvailable, let session = makeSession(self) else {
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

    private func cancel() {
        lock.lock()
        cancelRequested = true
        let session = readerSession
        let work = self.work
        lock.unlock()
        work?.cancel()
        session?.invalidate()
    }

    /// Resumes the caller exactly once and closes the sheet unless the session already ended.
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

    // MARK: - Session events

    /// The session ended (Cancel, the time limit, our own `invalidate`...); `error` is what the
    /// platform reported, already mapped (``CoreNFCErrorCode/sessionEnd(domain:code:description:)``).
    public func sessionDidInvalidate(with error: Error) {
        lock.lock()
        let end: Error = cancelRequested ? CancellationError() : error
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

    /// Several tags are in the field: nothing is sent; the sheet asks for one card and polls again.
    public func detectedSeveralTags(_ session: ReaderSessionLink) {
        restartPolling(session, notice: .oneCardOnly)
    }

    /// A tag that does not speak ISO 7816 (a transit card, a sticker): nothing was sent to it.
    public func detectedForeignTag(_ session: ReaderSessionLink) {
        restartPolling(session, notice: .notMyNumberCard)
    }

    /// Connecting to the tag failed: still nothing sent to the card, so trying again is safe.
    public func connectionFailed(_ session: ReaderSessionLink) {
        restartPolling(session, notice: .connectionFailed)
    }

    /// Connected to an ISO 7816 tag: runs the flow on it (once; a later tag is ignored).
    public func connected(_ session: ReaderSessionLink, to tag: ISO7816TagLink) {
        lock.lock()
        guard phase == .polling else {
            lock.unlock()
            return
        }
        phase = .running
        lock.unlock()
        session.alertMessage = messages.text(for: .reading)

        let transceiver = ISO7816TagTransceiver(tag: tag, linkInfo: linkInfo, mapError: mapError)
        // The core reports each stage of the flow (the same stages the Android shell and the
        // CLI show); the sheet's message follows them.
        let progress = ProgressRelay { [weak self] stage in
            self?.advance(to: stage)
        }
        let flow = self.flow
        let task = Task { [self] in
            do {
                try await flow(CardSession.withProgress(transceiver: transceiver, listener: progress))
                finishFlow(error: nil)
            } catch {
                finishFlow(error: error)
            }
        }
        lock.lock()
        work = task
        lock.unlock()
    }

    // MARK: - Flow

    private func restartPolling(_ session: ReaderSessionLink, notice: ReaderNotice) {
        session.alertMessage = messages.text(for: notice)
        queue.asyncAfter(deadline: .now() + restartDelay) { [self] in
            lock.lock()
            let stillPolling = phase == .polling
            lock.unlock()
            if stillPolling {
                session.restartPolling()
            }
        }
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

    /// Shows the stage the core reports (it only ever moves forward). "Card found" and "done"
    /// are the sheet's own: it already says "reading", and the farewell replaces "done".
    private func advance(to next: ProgressStage) {
        guard next != .cardFound, next != .done else {
            return
        }
        lock.lock()
        guard phase == .running else {
            lock.unlock()
            return
        }
        let session = readerSession
        lock.unlock()
        let text = messages.progressText(next, checking: secret)
        queue.async {
            session?.alertMessage = text
        }
    }
}
