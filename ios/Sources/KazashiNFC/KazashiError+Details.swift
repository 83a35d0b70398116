import Foundation
import Kazashi

/// Named access to the fields of `KazashiError.Failed`, the one shape every card-flow error has.
///
/// Why: uniffi's `errorDescription` is the debug form of the enum, and pattern matching the
/// seven associated values at every call site is noise. Apps switch on `kind` and show `reason`
/// and `action` (both written for the user by the core).
extension KazashiError {
    /// What kind of failure (the core's `ErrorKind` list).
    public var kind: ErrorKind {
        switch self {
        case let .Failed(kind, _, _, _, _, _, _):
            return kind
        }
    }

    /// The core's sentence for the user (English), e.g. "authentication PIN incorrect: 2
    /// attempts left". For a Japanese or English message sized for the NFC sheet use
    /// ``ReaderMessages/errorMessage(for:)``.
    public var reason: String {
        switch self {
        case let .Failed(_, reason, _, _, _, _, _):
            return reason
        }
    }

    /// What the user should do next, in a sentence (English).
    public var action: String {
        switch self {
        case let .Failed(_, _, action, _, _, _, _):
            return action
        }
    }

    /// The PIN the error is about, if any.
    public var pinKind: PinKind? {
        switch self {
        case let .Failed(_, _, _, pin, _, _, _):
            return pin
        }
    }

    /// Attempts left, when the card said (a wrong PIN: the count; locked: 0).
    public var attemptsLeft: UInt8? {
        switch self {
        case let .Failed(_, _, _, _, attemptsLeft, _, _):
            return attemptsLeft
        }
    }

    /// For `pinBlocked`: whether the entry just made locked the PIN (else it was locked
    /// before, and nothing was sent).
    public var byThisAttempt: Bool {
        switch self {
        case let .Failed(_, _, _, _, _, byThisAttempt, _):
            return byThisAttempt
        }
    }

    /// SW1 SW2 of an unexpected card answer (`cardStatus`).
    public var statusWord: UInt16? {
        switch self {
        case let .Failed(_, _, _, _, _, _, statusWord):
            return statusWord
        }
    }

    /// Whether the card left the field or stopped answering before the flow ended. Ask the user
    /// to tap again; never re-send a PIN on their behalf (a `pinCheckInterrupted` is not
    /// included: the attempt may have counted, and the user must see the new counter first).
    public var isLinkFailure: Bool {
        switch kind {
        case .tagLost, .timeout, .link:
            return true
        default:
            return false
        }
    }
}
