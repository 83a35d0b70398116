#if canImport(SwiftUI)
import Foundation
import Kazashi
import KazashiNFC
import KazashiSampleCore
import SwiftUI

/// The state the screens draw, on the main actor.
@MainActor
public final class SampleModel: ObservableObject {
    @Published public var screen: SampleScreen = .status
    @Published public var useVirtualCard = false
    @Published public var pin = ""
    @Published public var password = ""
    @Published public var text = "申請書 version 1"
    @Published public var confirmLastAttempt = false
    @Published public private(set) var busy = false
    @Published public private(set) var progress = ""
    @Published public private(set) var result = ""
    @Published public private(set) var error = ""

    private let flows = SampleFlows()
    #if KAZASHI_VIRTUAL_CARD
    /// One virtual card for the app's lifetime, so its counters persist between runs.
    private let virtualCard = VirtualCard(profile: .physicalCard)
    #endif

    public init() {}

    /// Whether this build has the virtual card (the testing build of the library).
    public var virtualCardAvailable: Bool {
        #if KAZASHI_VIRTUAL_CARD
        return true
        #else
        return false
        #endif
    }

    /// Whether this device can read a card (Core NFC on an iPhone), or the virtual card is on.
    public var canRun: Bool {
        useVirtualCard || KazashiNFC.isReadingAvailable
    }

    private var card: NfcTransceiver? {
        #if KAZASHI_VIRTUAL_CARD
        return useVirtualCard ? virtualCard : nil
        #else
        return nil
        #endif
    }

    public func start() {
        let card = self.card
        let screen = self.screen
        // The secrets leave the fields at once.
        let pinText = self.pin, passwordText = self.password, text = self.text, confirm = confirmLastAttempt
        self.pin = ""
        self.password = ""
        confirmLastAttempt = false
        busy = true
        progress = ""
        result = ""
        error = ""
        let progress: @Sendable (String) -> Void = { line in
            Task { @MainActor [weak self] in self?.progress = line }
        }
        let flows = self.flows
        Task {
            // SecureField gives a String, and a Swift String cannot be wiped: that is why the
            // library takes PINs as Data. The text becomes bytes here, at the edge, and the bytes
            // are wiped once the flow has returned. An app with its own keypad would collect the
            // digits as bytes and never make a String at all.
            var pin = Data(pinText.utf8)
            var password = Data(passwordText.utf8)
            defer {
                KazashiNFC.wipe(&pin)
                KazashiNFC.wipe(&password)
            }
            do {
                let outcome: SampleOutcome
                switch screen {
                case .status:
                    outcome = try await flows.status(on: card, progress: progress)
                case .login:
                    outcome = try await flows.login(pin: pin, confirmLastAttempt: confirm, on: card, progress: progress)
                case .sign:
                    outcome = try await flows.sign(text: text, password: password, confirmLastAttempt: confirm,
                                                   on: card, progress: progress)
                }
                self.result = outcome.text
            } catch {
                self.error = flows.errorText(error)
            }
            self.busy = false
        }
    }
}
#endif
