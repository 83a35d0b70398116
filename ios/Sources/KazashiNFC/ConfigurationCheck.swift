import Foundation

/// An application on the My Number Card that an app selects, and so must list in its Info.plist.
///
/// Core NFC refuses a SELECT of any AID missing from the app's select-identifiers list, so each
/// application an app uses must be named there: ``KazashiNFC/checkConfiguration(bundle:applications:)``
/// checks the ones the app says it uses.
public enum CardApplication: String, CaseIterable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The JPKI application (公的個人認証AP): log-in, signing, certificates, PIN counters.
    case jpki
    /// The card-info input support application (券面事項入力補助AP): the four basic attributes and
    /// the My Number (`KazashiNFC.readCardInfo`, `KazashiNFC.readMyNumber`).
    case cardInfo
    /// The card-surface application (券面事項確認AP): the face photo and the printed front.
    case cardSurface

    /// Every application, in the order problems are reported (written out rather than
    /// synthesized, so the order is part of the source).
    public static let allCases: [CardApplication] = [.jpki, .cardInfo, .cardSurface]

    /// The AID to list, upper-case hexadecimal.
    public var applicationIdentifier: String {
        switch self {
        case .jpki:
            return ConfigurationCheck.jpkiApplicationIdentifier
        case .cardInfo:
            return ConfigurationCheck.cardInfoApplicationIdentifier
        case .cardSurface:
            return ConfigurationCheck.cardSurfaceApplicationIdentifier
        }
    }

    /// "the JPKI application", "the card-info application (券面事項入力補助AP)", ...
    public var description: String {
        switch self {
        case .jpki:
            return "the JPKI application"
        case .cardInfo:
            return "the card-info application, 券面事項入力補助AP"
        case .cardSurface:
            return "the card-surface application, 券面事項確認AP"
        }
    }
}

/// The Info.plist entries an app needs before Core NFC will hand it a My Number Card.
///
/// Why a check at all: without `NFCReaderUsageDescription` iOS terminates the app the moment a
/// reader session begins, and without the JPKI AID in the select-identifiers list the card is
/// never presented as an ISO 7816 tag, so the app just sits on "hold your card" forever. Both
/// mistakes are silent on the simulator and easy to ship; this check turns them into one precise
/// error at start-up. It is a pure function over the Info.plist dictionary so that it runs (and
/// is tested) on any platform.
///
/// The check covers the applications the app says it uses (``CardApplication``; by default only
/// the JPKI application): each one's AID must be listed, since Core NFC refuses to SELECT an
/// unlisted AID and the flow then fails mid-tap.
///
/// The `com.apple.developer.nfc.readersession.formats` entitlement cannot be read back at run
/// time on iOS; a missing entitlement shows up as `KazashiNFCError.missingEntitlement` when the
/// session starts.
public enum ConfigurationCheck {
    /// The Info.plist key with the sentence iOS shows when the app first uses NFC.
    public static let usageDescriptionKey = "NFCReaderUsageDescription"

    /// The Info.plist key (despite its name, not an entitlement) listing every AID the app may
    /// SELECT.
    public static let selectIdentifiersKey = "com.apple.developer.nfc.readersession.iso7816.select-identifiers"

    /// The JPKI application (公的個人認証AP): log-in and signing.
    public static let jpkiApplicationIdentifier = "D392F000260100000001"

    /// The card-info input support application (券面事項入力補助AP): the four attributes and
    /// the My Number.
    public static let cardInfoApplicationIdentifier = "D3921000310001010408"

    /// The card-surface application (券面事項確認AP): the face photo and the printed front.
    public static let cardSurfaceApplicationIdentifier = "D3921000310001010402"

    /// Everything wrong with `info` for an app that selects `applications`, in a stable order
    /// (the applications in ``CardApplication`` order, whatever order they are given in); empty
    /// when the app is ready. A missing JPKI AID is ``ConfigurationProblem/jpkiIdentifierNotListed(listed:)``,
    /// a missing card-info or card-surface AID ``ConfigurationProblem/identifierNotListed(_:listed:)``.
    public static func problems(in info: [String: Any],
                                applications: [CardApplication] = [.jpki]) -> [ConfigurationProblem] {
        var found: [ConfigurationProblem] = []

        if let value = info[usageDescriptionKey] {
            let text = (value as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if text.isEmpty {
                found.append(.emptyUsageDescription)
            }
        } else {
            found.append(.missingUsageDescription)
        }

        if let value = info[selectIdentifiersKey] {
            if let list = value as? [Any] {
                let identifiers = list.compactMap { $0 as? String }
                if identifiers.count != list.count {
                    found.append(.selectIdentifiersNotStrings)
                } else {
                    for application in CardApplication.allCases where applications.contains(application) {
                        if identifiers.contains(where: { isIdentifier($0, of: application) }) {
                            continue
                        }
                        if application == .jpki {
                            found.append(.jpkiIdentifierNotListed(listed: identifiers))
                        } else {
                            found.append(.identifierNotListed(application, listed: identifiers))
                        }
                    }
                }
            } else {
                found.append(.selectIdentifiersNotAList)
            }
        } else {
            found.append(.missingSelectIdentifiers)
        }

        return found
    }

    /// Throws a ``ConfigurationError`` naming every missing or wrong entry in `info` for an app
    /// that selects `applications`.
    public static func validate(_ info: [String: Any], applications: [CardApplication] = [.jpki]) throws {
        let found = problems(in: info, applications: applications)
        if !found.isEmpty {
            throw ConfigurationError(problems: found, applications: applications)
        }
    }

    /// Hex digits are compared without regard to case; nothing else is forgiven, because iOS
    /// does not forgive it either.
    static func isJPKIApplicationIdentifier(_ candidate: String) -> Bool {
        isIdentifier(candidate, of: .jpki)
    }

    static func isIdentifier(_ candidate: String, of application: CardApplication) -> Bool {
        candidate.uppercased() == application.applicationIdentifier
    }
}

/// One thing wrong with the app's Info.plist.
public enum ConfigurationProblem: Equatable, Sendable, CustomStringConvertible {
    /// `NFCReaderUsageDescription` is absent: iOS would terminate the app on the first tap.
    case missingUsageDescription
    /// `NFCReaderUsageDescription` is empty or not a string.
    case emptyUsageDescription
    /// The select-identifiers list is absent: the card would never be offered to the app.
    case missingSelectIdentifiers
    /// The select-identifiers entry is not an array.
    case selectIdentifiersNotAList
    /// The select-identifiers array holds something other than strings.
    case selectIdentifiersNotStrings
    /// The select-identifiers array does not contain the JPKI AID.
    case jpkiIdentifierNotListed(listed: [String])
    /// The select-identifiers array does not contain the AID of an application the app said it
    /// uses (`.cardInfo` or `.cardSurface`; the JPKI AID is ``jpkiIdentifierNotListed(listed:)``).
    case identifierNotListed(CardApplication, listed: [String])

    /// The problem in words, for an app that uses only the JPKI application.
    public var description: String {
        description(applications: [.jpki])
    }

    /// The problem in words, for an app that selects `applications`: a missing list names the
    /// AIDs of those applications.
    public func description(applications: [CardApplication]) -> String {
        let usage = ConfigurationCheck.usageDescriptionKey
        let select = ConfigurationCheck.selectIdentifiersKey
        let aid = ConfigurationProblem.aidList(applications)
        switch self {
        case .missingUsageDescription:
            return "Info.plist has no \(usage): add a sentence telling the user why the app reads "
                + "their My Number Card (iOS terminates an app that starts NFC without it)."
        case .emptyUsageDescription:
            return "Info.plist \(usage) must be a non-empty string."
        case .missingSelectIdentifiers:
            return "Info.plist has no \(select): add an array containing \(aid)."
        case .selectIdentifiersNotAList:
            return "Info.plist \(select) must be an array of AID strings containing \(aid)."
        case .selectIdentifiersNotStrings:
            return "Info.plist \(select) must contain only strings (hexadecimal AIDs)."
        case let .jpkiIdentifierNotListed(listed):
            return ConfigurationProblem.notListed(.jpki, listed: listed)
        case let .identifierNotListed(application, listed):
            return ConfigurationProblem.notListed(application, listed: listed)
        }
    }

    private static func notListed(_ application: CardApplication, listed: [String]) -> String {
        let select = ConfigurationCheck.selectIdentifiersKey
        let shown = listed.isEmpty ? "an empty list" : listed.joined(separator: ", ")
        return "Info.plist \(select) does not contain \(aidList([application])); it lists \(shown)."
    }

    /// "D392F000260100000001 (the JPKI application) and D3921000310001010408 (...)".
    private static func aidList(_ applications: [CardApplication]) -> String {
        let named = CardApplication.allCases
            .filter { applications.contains($0) }
            .map { "\($0.applicationIdentifier) (\($0))" }
        switch named.count {
        case 0:
            return "the AIDs of the applications the app selects"
        case 1:
            return named[0]
        default:
            return named.dropLast().joined(separator: ", ") + " and " + named[named.count - 1]
        }
    }
}

/// The app is not set up for reading My Number Cards; `problems` says exactly what to fix.
public struct ConfigurationError: Error, Equatable, LocalizedError, CustomStringConvertible {
    /// Every problem found, never empty.
    public let problems: [ConfigurationProblem]

    /// The applications the check was for.
    public let applications: [CardApplication]

    public init(problems: [ConfigurationProblem], applications: [CardApplication] = [.jpki]) {
        self.problems = problems
        self.applications = applications
    }

    public var description: String {
        "Kazashi cannot read My Number Cards in this app:\n"
            + problems.map { "- \($0.description(applications: applications))" }.joined(separator: "\n")
    }

    public var errorDescription: String? { description }
}
