import Foundation

/// Why a tap ended before the card could answer: the reader session, not the card.
///
/// Card and PIN outcomes stay `KazashiError` (wrong PIN, locked, lost tag mid-flow...); these
/// cases are about the iPhone's NFC sheet, so an app can tell "the user pressed Cancel" (say
/// nothing) from "the card moved away" (ask for another tap).
public enum KazashiNFCError: Error, Equatable, Sendable, LocalizedError {
    /// The user closed the NFC sheet.
    case userCanceled
    /// Core NFC's time limit for one session (about 60 s) ran out.
    case sessionTimedOut
    /// Another NFC session is using the reader; try again in a moment.
    case systemBusy
    /// This device cannot read NFC tags (older iPhone, iPad, simulator, Mac).
    case readingUnavailable
    /// The NFC radio is switched off.
    case radioDisabled
    /// The app lacks the `com.apple.developer.nfc.readersession.formats` entitlement (with `TAG`)
    /// or an Info.plist entry Core NFC needs.
    case missingEntitlement
    /// Core NFC ended the session for another reason (its description).
    case sessionFailed(reason: String)

    public var errorDescription: String? {
        ReaderMessages(language: .english).errorMessage(for: self)
    }
}
