import Foundation
import Kazashi
import KazashiNFC

/// The sample's three screens.
public enum SampleScreen: String, CaseIterable, Sendable {
    case status, login, sign
}

/// What a flow returns to the screen: a sentence, and for log-in and signing what was signed, the
/// signature and the certificate (what an app sends to its server).
public struct SampleOutcome: Sendable {
    public let text: String
    public let signedMessage: Data?
    public let signature: Data?
    public let certificateDer: Data?
}

/// The flows of the sample, free of SwiftUI and Core NFC so that they compile and are tested
/// everywhere: with a transceiver (the virtual card, when the switch is on) they run at once on a
/// `CardSession.withProgress` whose stages reach `progress` through a ``ProgressRelay``, worded by
/// ``ReaderMessages``; with `nil` they run through `KazashiNFC.perform`, whose NFC sheet shows the
/// same stages. Errors are worded by ``errorText(_:)`` (the shared catalogue), never `error.localizedDescription`.
public struct SampleFlows: Sendable {
    public let messages: ReaderMessages

    public init(messages: ReaderMessages = ReaderMessages()) {
        self.messages = messages
    }

    /// The PIN counters and the authentication certificate's validity; no PIN, no personal data.
    public func status(on card: NfcTransceiver?,
                       progress: @escaping @Sendable (String) -> Void) async throws -> SampleOutcome {
        let status = try await run(on: card, checking: nil, success: .done, progress: progress) { cardSession in
            try await cardSession.status()
        }
        var lines = ["\(messages.name(of: .authentication)): \(attempts(status.authenticationPin))"]
        if let signing = status.signingPassword {
            lines.append("\(messages.name(of: .signing)): \(attempts(signing))")
        }
        if let certificate = status.authenticationCertificate {
            lines.append(certificate.validUntilJst)
        }
        return SampleOutcome(text: lines.joined(separator: "\n"), signedMessage: nil, signature: nil, certificateDer: nil)
    }

    /// Log in: signs a fresh random challenge with the authentication key. `pin` is the PIN's
    /// UTF-8 bytes, which the caller wipes (`KazashiNFC.wipe`) once this returns.
    public func login(pin: Data, confirmLastAttempt: Bool, on card: NfcTransceiver?,
                      progress: @escaping @Sendable (String) -> Void) async throws -> SampleOutcome {
        let challenge = Data((0 ..< 32).map { _ in UInt8.random(in: .min ... .max) })
        let result = try await run(on: card, checking: .authentication, success: .loggedIn, progress: progress) { cardSession in
            try await cardSession.login(challenge: challenge, pin: pin, confirmLastAttempt: confirmLastAttempt)
        }
        return SampleOutcome(text: "\(messages.text(for: .loggedIn))\n\(result.certificate.validUntilJst)",
                             signedMessage: challenge, signature: result.signature,
                             certificateDer: result.certificate.der)
    }

    /// Signs `text` (UTF-8) with the signing key. `password` is the password's UTF-8 bytes, which
    /// the caller wipes once this returns.
    public func sign(text: String, password: Data, confirmLastAttempt: Bool, on card: NfcTransceiver?,
                     progress: @escaping @Sendable (String) -> Void) async throws -> SampleOutcome {
        let document = Data(text.utf8)
        let result = try await run(on: card, checking: .signing, success: .signed, progress: progress) { cardSession in
            try await cardSession.signDocument(document: document, algorithm: .sha256, password: password,
                                               options: SignOptions(confirmLastAttempt: confirmLastAttempt,
                                                                    allowLegacySha1: false))
        }
        return SampleOutcome(text: "\(messages.text(for: .signed))\n\(result.certificate.validUntilJst)",
                             signedMessage: document, signature: result.signature,
                             certificateDer: result.certificate.der)
    }

    /// The sentence for any error a flow throws (the catalogue's, in the chosen language).
    public func errorText(_ error: Error) -> String {
        messages.errorMessage(for: error)
    }

    private func attempts(_ pin: PinStatus) -> String {
        "\(pin.attemptsLeft.map(String.init) ?? "?")/\(pin.maxAttempts)"
    }

    private func run<T>(on card: NfcTransceiver?, checking secret: PinKind?, success: ReaderNotice,
                        progress: @escaping @Sendable (String) -> Void,
                        _ body: @escaping @Sendable (CardSession) async throws -> T) async throws -> T {
        let messages = self.messages
        if let card {
            let relay = ProgressRelay { stage in
                progress(messages.progressText(stage, checking: secret))
            }
            return try await body(CardSession.withProgress(transceiver: card, listener: relay))
        }
        return try await KazashiNFC.perform(checking: secret, successMessage: messages.text(for: success), body)
    }
}
