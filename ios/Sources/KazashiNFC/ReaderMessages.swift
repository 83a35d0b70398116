import Foundation
import Kazashi

/// The language of the NFC sheet.
public enum ReaderLanguage: Equatable, Sendable {
    /// Japanese when the user's first preferred language is Japanese, English otherwise.
    case automatic
    case japanese
    case english

    /// `.japanese` or `.english`, deciding `.automatic` from `preferredLanguages`.
    public func resolved(preferredLanguages: [String] = Locale.preferredLanguages) -> ReaderLanguage {
        switch self {
        case .japanese, .english:
            return self
        case .automatic:
            return preferredLanguages.first?.lowercased().hasPrefix("ja") == true ? .japanese : .english
        }
    }
}

/// Fixed sentences of the NFC sheet that are not tied to a stage.
public enum ReaderNotice: Equatable, Sendable {
    /// Several cards answered at once.
    case oneCardOnly
    /// The tag is not an ISO 7816 card (a transit card, a tag sticker...).
    case notMyNumberCard
    /// Connecting to the card failed before anything was sent.
    case connectionFailed
    /// Shown with the check mark after a log-in.
    case loggedIn
    /// Shown with the check mark after a signature.
    case signed
    /// Shown with the check mark after the four attributes were read (`readCardInfo`).
    case cardInfoRead
    /// Shown with the check mark after the My Number was read (`readMyNumber`); never the number.
    case myNumberRead
    /// Shown with the check mark after the card's front was read (`readCardSurface`).
    case cardSurfaceRead
    /// Shown with the check mark after any other operation.
    case done
}

/// Every text this library shows, in Japanese and English: a thin view of the library's one
/// message catalogue (the Rust crate `kazashi-messages`, through the bindings), which the Android
/// shell and the CLI read too, so the platforms never say different things.
///
/// Messages never contain a PIN or personal data; they never repeat the core's English `reason`
/// (a sentence for logs, which could change).
public struct ReaderMessages: Equatable, Sendable {
    /// The language actually used (never `.automatic`).
    public let language: ReaderLanguage

    public init(language: ReaderLanguage = .automatic) {
        self.language = language.resolved()
    }

    /// The catalogue's language.
    private var catalogueLanguage: Language {
        language == .japanese ? .japanese : .english
    }

    /// What the sheet says during `stage` when the secret being checked is a PIN (the
    /// authentication or card-info PIN): ``text(for:checking:)`` with `.authentication`.
    public func text(for stage: ReaderStage) -> String {
        text(for: stage, checking: .authentication)
    }

    /// What the sheet says during `stage` of a flow that checks `secret`. Only `.checkingPin`
    /// depends on it: a PIN (暗証番号), the signing password (パスワード), a verification number
    /// (照合番号), or, with `nil` (a flow that did not say, e.g. an app's own `perform`), a
    /// neutral "checking" that fits any of them.
    public func text(for stage: ReaderStage, checking secret: PinKind?) -> String {
        switch stage {
        case .waitingForCard:
            return Kazashi.noticeMessage(notice: .holdCard, device: .iphone, language: catalogueLanguage)
        case .reading:
            return progressText(.readingCertificate, checking: secret)
        case .checkingPin:
            return progressText(.verifyingPin, checking: secret)
        case .signing:
            return progressText(.signing, checking: secret)
        case .changingPin:
            return progressText(.changingPin, checking: secret)
        }
    }

    /// What the sheet says when a `CardSession`'s ``ProgressListener`` hears `stage`.
    public func progressText(_ stage: ProgressStage, checking secret: PinKind?) -> String {
        Kazashi.progressMessage(stage: stage, secret: secret, language: catalogueLanguage)
    }

    /// A fixed notice.
    public func text(for notice: ReaderNotice) -> String {
        let catalogued: Notice
        switch notice {
        case .oneCardOnly: catalogued = .oneCardOnly
        case .notMyNumberCard: catalogued = .notMyNumberCard
        case .connectionFailed: catalogued = .connectionFailed
        case .loggedIn: catalogued = .loggedIn
        case .signed: catalogued = .signed
        case .cardInfoRead: catalogued = .cardInfoRead
        case .myNumberRead: catalogued = .myNumberRead
        case .cardSurfaceRead: catalogued = .cardSurfaceRead
        case .done: catalogued = .done
        }
        return noticeText(catalogued)
    }

    /// A notice of the catalogue, worded for an iPhone.
    public func noticeText(_ notice: Notice) -> String {
        Kazashi.noticeMessage(notice: notice, device: .iphone, language: catalogueLanguage)
    }

    /// The name of a PIN as the card's paperwork calls it.
    public func name(of pin: PinKind) -> String {
        Kazashi.secretName(pin: pin, language: catalogueLanguage)
    }

    /// A short message for the NFC sheet (`invalidate(errorMessage:)`) or an alert.
    ///
    /// - Parameter phoneToken: the card is a phone's certificate (スマホ用電子証明書): a locked
    ///   PIN is reset in the Myna Portal app.
    public func errorMessage(for error: Error, phoneToken: Bool = false) -> String {
        if let error = error as? KazashiError {
            return Kazashi.errorMessage(error: error, language: catalogueLanguage, phoneToken: phoneToken)
        }
        if let error = error as? KazashiNFCError {
            return noticeText(error.notice)
        }
        if let error = error as? NfcError {
            return Kazashi.errorKindMessage(kind: error.kind, language: catalogueLanguage)
        }
        if error is ConfigurationError {
            return noticeText(.appNotSetUp)
        }
        if error is CancellationError {
            return noticeText(.cancelled)
        }
        return noticeText(.somethingWentWrong)
    }
}

extension KazashiNFCError {
    /// The catalogue's notice for a Core NFC session error.
    var notice: Notice {
        switch self {
        case .userCanceled: return .cancelled
        case .sessionTimedOut: return .timeRanOut
        case .systemBusy: return .nfcBusy
        case .readingUnavailable: return .nfcUnavailable
        case .radioDisabled: return .nfcOff
        case .missingEntitlement: return .appNotSetUp
        case .sessionFailed: return .readingIncomplete
        }
    }
}

extension NfcError {
    /// The error kind the core reports for this transceiver error.
    var kind: ErrorKind {
        switch self {
        case .TagLost: return .tagLost
        case .Timeout: return .timeout
        case .Io, .Unexpected: return .link
        }
    }
}
