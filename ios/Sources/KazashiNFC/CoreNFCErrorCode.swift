import Foundation
import Kazashi

/// Core NFC's `NFCReaderError` codes, as plain numbers.
///
/// Why numbers instead of `NFCReaderError.Code`: the mapping below decides what the Rust core
/// hears when the card goes away, which is what keeps a lost tag from looking like a wrong PIN.
/// Keeping it free of Core NFC lets the macOS test run cover every branch. The values are those
/// of Apple's `NFCError.h` (`NFCErrorDomain`); `CoreNFCTransceiver` asserts in debug builds that
/// they still match the SDK.
public enum CoreNFCErrorCode {
    /// `NFCErrorDomain`.
    public static let domain = "NFCErrorDomain"

    public static let unsupportedFeature = 1
    public static let securityViolation = 2
    public static let invalidParameter = 3
    public static let invalidParameterLength = 4
    public static let parameterOutOfBound = 5
    public static let radioDisabled = 6
    /// `readerErrorIneligible` (iOS 26): this device, region or account may not use the feature.
    public static let ineligible = 7
    /// `readerErrorAccessNotAccepted` (iOS 26): the user has not accepted the app's request to
    /// use NFC.
    public static let accessNotAccepted = 8

    public static let tagConnectionLost = 100
    public static let retryExceeded = 101
    public static let tagResponseError = 102
    public static let sessionInvalidated = 103
    public static let tagNotConnected = 104
    public static let packetTooLong = 105

    public static let userCanceled = 200
    public static let sessionTimeout = 201
    public static let sessionTerminatedUnexpectedly = 202
    public static let systemIsBusy = 203
    public static let firstNDEFTagRead = 204

    /// `tagCommandConfigurationErrorInvalidParameters`: a tag command's configuration (e.g. the
    /// FeliCa/ISO 15693 retry settings) was invalid.
    public static let tagCommandConfigurationInvalidParameters = 300

    // NDEF reader sessions only (Kazashi's tag session never sees them; listed so that every
    // documented code has a name and a tested mapping).
    public static let ndefTagNotWritable = 400
    public static let ndefTagUpdateFailure = 401
    public static let ndefTagSizeTooSmall = 402
    public static let ndefZeroLengthMessage = 403

    /// What a failed `sendCommand` means to the core.
    ///
    /// - the tag left or the session ended (connection lost, not connected, session
    ///   invalidated, any session-invalidation code): `TagLost`; the core then never re-sends,
    ///   and reports `PinCheckInterrupted` if it was a VERIFY;
    /// - the session's time limit: `Timeout`;
    /// - anything else (a tag error, a packet too long, too many retries, a session that is not
    ///   allowed: ineligible, access not accepted, ...): `Io` with the platform's text.
    public static func transceiveError(domain: String, code: Int, description: String) -> NfcError {
        guard domain == self.domain else {
            return .Io(reason: description)
        }
        switch code {
        case tagConnectionLost, tagNotConnected, sessionInvalidated,
             userCanceled, sessionTerminatedUnexpectedly, systemIsBusy, firstNDEFTagRead:
            return .TagLost
        case sessionTimeout:
            return .Timeout
        default:
            return .Io(reason: description)
        }
    }

    /// Why Core NFC ended a reader session, as the error the app sees.
    public static func sessionEnd(domain: String, code: Int, description: String) -> KazashiNFCError {
        guard domain == self.domain else {
            return .sessionFailed(reason: description)
        }
        switch code {
        case userCanceled:
            return .userCanceled
        case sessionTimeout:
            return .sessionTimedOut
        case systemIsBusy:
            return .systemBusy
        case securityViolation:
            return .missingEntitlement
        case unsupportedFeature, ineligible:
            // Not this device (or region, or account): nothing the user can do by trying again.
            return .readingUnavailable
        case radioDisabled:
            return .radioDisabled
        case accessNotAccepted:
            // The user has not (yet) accepted the app's NFC request: the platform's text says what
            // to do, and another try shows the request again.
            return .sessionFailed(reason: description)
        default:
            return .sessionFailed(reason: description)
        }
    }
}
