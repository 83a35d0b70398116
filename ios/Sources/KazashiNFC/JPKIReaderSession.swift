#if canImport(CoreNFC) && os(iOS)
@preconcurrency import CoreNFC
import Foundation
import Kazashi

/// The Core NFC adapter of one tap: owns an `NFCTagReaderSession` and forwards its delegate
/// callbacks to a ``ReaderCoordinator``, which holds the logic (the state machine, the sheet's
/// texts, no retries) and compiles and is tested without Core NFC. This file is the only place
/// that touches `NFCTagReaderSession` and `NFCISO7816Tag`; it compiles on iOS only.
final class JPKIReaderSession: NSObject, NFCTagReaderSessionDelegate, @unchecked Sendable {
    typealias Flow = ReaderCoordinator.Flow

    private var coordinator: ReaderCoordinator!

    init(messages: ReaderMessages, checking secret: PinKind?, linkInfo: LinkInfo, successMessage: String,
         flow: @escaping Flow) {
        super.init()
        coordinator = ReaderCoordinator(
            messages: messages, checking: secret, linkInfo: linkInfo, successMessage: successMessage,
            readingAvailable: NFCTagReaderSession.readingAvailable,
            mapError: { CoreNFCTransceiver.nfcError(from: $0) },
            makeSession: { [unowned self] coordinator in
                self.makeReaderSession(queue: coordinator.queue).map(CoreNFCSessionLink.init)
            },
            flow: flow)
    }

    /// Shows the NFC sheet and returns when the flow has finished and the sheet is closing.
    /// Cancelling the calling task closes the sheet and throws `CancellationError`.
    func run() async throws {
        try await coordinator.run()
    }

    /// A tag reader session polling ISO 14443 (the My Number Card is Type B), delegate callbacks on
    /// `queue`. iOS 26.4 deprecates `init(pollingOption:delegate:queue:)` in favour of
    /// `init(configuration:delegate:queue:)`; an empty AID list in the configuration means every
    /// AID of the app's Info.plist, as with the old initialiser. The new one exists only in the
    /// iOS 26.4 SDK (Xcode 26.4, Swift 6.3); older Xcodes and older iOS versions use the old one.
    private func makeReaderSession(queue: DispatchQueue) -> NFCTagReaderSession? {
        #if compiler(>=6.3)
        if #available(iOS 26.4, *) {
            return NFCTagReaderSession(configuration: NFCTagReaderSession.Configuration(pollingOption: .iso14443),
                                       delegate: self, queue: queue)
        }
        #endif
        return NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: queue)
    }

    // MARK: - NFCTagReaderSessionDelegate (on the coordinator's queue)

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        let nsError = error as NSError
        coordinator.sessionDidInvalidate(with: CoreNFCErrorCode.sessionEnd(domain: nsError.domain, code: nsError.code,
                                                                           description: nsError.localizedDescription))
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        let link = CoreNFCSessionLink(session)
        guard tags.count == 1, let tag = tags.first else {
            coordinator.detectedSeveralTags(link)
            return
        }
        guard case let .iso7816(iso7816Tag) = tag else {
            coordinator.detectedForeignTag(link)
            return
        }
        let coordinator: ReaderCoordinator = self.coordinator
        session.connect(to: tag) { error in
            if error != nil {
                coordinator.connectionFailed(link)
            } else {
                coordinator.connected(link, to: CoreNFCTagLink(iso7816Tag))
            }
        }
    }
}

/// `NFCTagReaderSession` as a ``ReaderSessionLink``.
final class CoreNFCSessionLink: ReaderSessionLink {
    private let session: NFCTagReaderSession

    init(_ session: NFCTagReaderSession) {
        self.session = session
    }

    var alertMessage: String {
        get { session.alertMessage }
        set { session.alertMessage = newValue }
    }

    func begin() { session.begin() }
    func invalidate() { session.invalidate() }
    func invalidate(errorMessage: String) { session.invalidate(errorMessage: errorMessage) }
    func restartPolling() { session.restartPolling() }
}
#endif
