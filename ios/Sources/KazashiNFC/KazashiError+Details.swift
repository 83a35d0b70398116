import Foundation
import Kazashi

/// Typed access to the fields every `KazashiError` case carries.
///
/// Why: uniffi gives each case its own associated values and an `errorDescription` that is the
/// debug form of the enum. Apps want the `reason` sentence (written for the user by the core) and
/// the PIN concerned without a ten-case `switch` at every call site.
extension KazashiError {
    /// The core's sentence for the user (English), e.g. "authentication PIN incorrect: 2
    /// attempts left". For a Japanese or English message sized for the NFC sheet use
    /// ``ReaderMessages/errorMessage(for:)``.
    public var reason: String {
        switch self {
        case let .TagLost(reason),
             let .Timeout(reason),
             let .Transport(reason),
             let .NoSigningCertificate(reason),
             let .NotJpkiCard(reason),
             let .MalformedResponse(reason),
             let .Certificate(reason),
             let .SignatureMismatch(reason),
             let .InvalidInput(reason):
            return reason
        case let .PinCheckInterrupted(_, reason),
             let .InvalidPinFormat(_, reason),
             let .LastAttemptNotConfirmed(_, reason),
             let .PinRequired(_, reason):
            return reason
        case let .WrongPin(_, _, reason):
            return reason
        case let .PinBlocked(_, _, reason):
            return reason
        case let .CardStatus(_, reason):
            return reason
        }
    }

    /// The PIN the error is about, if any.
    public var pinType: PinKind? {
        switch self {
        case let .PinCheckInterrupted(pin, _),
             let .InvalidPinFormat(pin, _),
             let .LastAttemptNotConfirmed(pin, _),
             let .PinRequired(pin, _):
            return pin
        case let .WrongPin(pin, _, _):
            return pin
        case let .PinBlocked(pin, _, _):
            return pin
        case .TagLost, .Timeout, .Transport, .NoSigningCertificate, .NotJpkiCard,
             .MalformedResponse, .Certificate, .SignatureMismatch, .InvalidInput, .CardStatus:
            return nil
        }
    }

    /// Whether the card left the field or stopped answering before the flow ended. Ask the user
    /// to tap again; never re-send a PIN on their behalf (a `PinCheckInterrupted` is not
    /// included: the attempt may have counted, and the user must see the new counter first).
    public var isLinkFailure: Bool {
        switch self {
        case .TagLost, .Timeout, .Transport:
            return true
        default:
            return false
        }
    }
}
