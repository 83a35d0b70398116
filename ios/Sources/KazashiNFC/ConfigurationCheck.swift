import Foundation

/// The Info.plist entries an app needs before Core NFC will hand it a My Number Card.
///
/// Why a check at all: without `NFCReaderUsageDescription` iOS terminates the app the moment a
/// reader session begins, and without the JPKI AID in the select-identifiers list the card is
/// never presented as an ISO 7816 tag, so the app just sits on "hold your card" forever. Both
/// mistakes are silent on the simulator and easy to ship; this check turns them into one precise
/// error at start-up. It is a pure function over the Info.plist dictionary so that it runs (and
/// is tested) on any platform.
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

    /// The JPKI application (公的個人認証AP), the only AID this library selects.
    public static let jpkiApplicationIdentifier = "D392F000260100000001"

    /// Everything wrong with `info`, in a stable order; empty when the app is ready.
    public static func problems(in info: [String: Any]) -> [ConfigurationProblem] {
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
                } else if !identifiers.contains(where: isJPKIApplicationIdentifier) {
                    found.append(.jpkiIdentifierNotListed(listed: identifiers))
                }
            } else {
                found.append(.selectIdentifiersNotAList)
            }
        } else {
            found.append(.missingSelectIdentifiers)
        }

        return found
    }

    /// Throws a ``ConfigurationError`` naming every missing or wrong entry in `info`.
    public static func validate(_ info: [String: Any]) throws {
        let found = problems(in: info)
        if !found.isEmpty {
            throw ConfigurationError(problems: found)
        }
    }

    /// Hex digits are compared without regard to case; nothing else is forgiven, because iOS
    /// does not forgive it either.
    static func isJPKIApplicationIdentifier(_ candidate: String) -> Bool {
        candidate.uppercased() == jpkiApplicationIdentifier
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

    public var description: String {
        let usage = ConfigurationCheck.usageDescriptionKey
        let select = ConfigurationCheck.selectIdentifiersKey
        let aid = ConfigurationCheck.jpkiApplicationIdentifier
        switch self {
        case .missingUsageDescription:
            return "Info.plist has no \(usage): add a sentence telling the user why the app reads "
                + "their My Number Card (iOS terminates an app that starts NFC without it)."
        case .emptyUsageDescription:
            return "Info.plist \(usage) must be a non-empty string."
        case .missingSelectIdentifiers:
            return "Info.plist has no \(select): add an array containing \(aid) (the JPKI application)."
        case .selectIdentifiersNotAList:
            return "Info.plist \(select) must be an array of AID strings containing \(aid)."
        case .selectIdentifiersNotStrings:
            return "Info.plist \(select) must contain only strings (hexadecimal AIDs)."
        case let .jpkiIdentifierNotListed(listed):
            let shown = listed.isEmpty ? "an empty list" : listed.joined(separator: ", ")
            return "Info.plist \(select) does not contain \(aid) (the JPKI application); it lists \(shown)."
        }
    }
}

/// The app is not set up for reading My Number Cards; `problems` says exactly what to fix.
public struct ConfigurationError: Error, Equatable, LocalizedError, CustomStringConvertible {
    /// Every problem found, never empty.
    public let problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    public var description: String {
        "Kazashi cannot read My Number Cards in this app:\n"
            + problems.map { "- \($0.description)" }.joined(separator: "\n")
    }

    public var errorDescription: String? { description }
}
