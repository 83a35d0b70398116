import Foundation
import Kazashi

/// A `ProgressListener` that hands each stage of a card flow to a closure.
///
/// Why: `CardSession.withProgress(transceiver:listener:)` wants an object; a closure is what a
/// view model has. The stages come from the core (card found, reading, checking the PIN counter,
/// verifying the PIN, signing, done), on the thread that sends the commands: hop to the main
/// actor before touching the UI. ``ReaderMessages/progressText(_:checking:)`` words each stage.
///
/// ```swift
/// let relay = ProgressRelay { stage in
///     Task { @MainActor in status = ReaderMessages().progressText(stage, checking: .signing) }
/// }
/// let session = CardSession.withProgress(transceiver: transceiver, listener: relay)
/// ```
public final class ProgressRelay: ProgressListener {
    private let onStage: @Sendable (ProgressStage) -> Void

    public init(_ onStage: @escaping @Sendable (ProgressStage) -> Void) {
        self.onStage = onStage
    }

    public func onProgress(stage: ProgressStage) {
        onStage(stage)
    }
}
