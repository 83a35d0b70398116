import Foundation
import KazashiNFC
import XCTest

/// The start-up check of the app's Info.plist, on good and bad dictionaries and on the samples
/// shipped in ios/Examples.
final class ConfigurationCheckTests: XCTestCase {
    private let usageKey = "NFCReaderUsageDescription"
    private let selectKey = "com.apple.developer.nfc.readersession.iso7816.select-identifiers"
    private let jpki = "D392F000260100000001"

    private var good: [String: Any] {
        [
            usageKey: "マイナンバーカードで本人確認を行うためにNFCを使用します",
            selectKey: [jpki, "D3921000310001010408", "D3921000310001010100", "D3921000310001010401"],
        ]
    }

    func testGoodDictionaryPasses() throws {
        XCTAssertEqual(ConfigurationCheck.problems(in: good), [])
        XCTAssertNoThrow(try KazashiNFC.checkConfiguration(infoDictionary: good))
        XCTAssertNoThrow(try KazashiNFC.checkConfiguration(infoDictionary: [usageKey: "NFC", selectKey: [jpki]]))
    }

    func testLowerCaseAidIsAccepted() {
        let info: [String: Any] = [usageKey: "NFC", selectKey: [jpki.lowercased()]]
        XCTAssertEqual(ConfigurationCheck.problems(in: info), [])
    }

    func testMissingUsageDescriptionIsNamed() {
        var info = good
        info.removeValue(forKey: usageKey)

        XCTAssertEqual(ConfigurationCheck.problems(in: info), [.missingUsageDescription])
        assertThrows(info, mentioning: usageKey)
    }

    func testBlankUsageDescriptionIsRejected() {
        for value: Any in ["", "   \n", 42] {
            var info = good
            info[usageKey] = value
            XCTAssertEqual(ConfigurationCheck.problems(in: info), [.emptyUsageDescription])
        }
    }

    func testMissingSelectIdentifiersIsNamed() {
        var info = good
        info.removeValue(forKey: selectKey)

        XCTAssertEqual(ConfigurationCheck.problems(in: info), [.missingSelectIdentifiers])
        assertThrows(info, mentioning: selectKey)
        assertThrows(info, mentioning: jpki)
    }

    func testListWithoutTheJpkiAidIsRejected() {
        let others = ["D3921000310001010408", "D3921000310001010100"]
        let info: [String: Any] = [usageKey: "NFC", selectKey: others]

        XCTAssertEqual(ConfigurationCheck.problems(in: info), [.jpkiIdentifierNotListed(listed: others)])
        assertThrows(info, mentioning: jpki)
        // A truncated or padded AID is not the AID.
        for wrong in ["D392F0002601000000", "D392F000260100000001 ", "D392F000260100000002"] {
            XCTAssertEqual(ConfigurationCheck.problems(in: [usageKey: "NFC", selectKey: [wrong]]),
                           [.jpkiIdentifierNotListed(listed: [wrong])])
        }
    }

    func testWrongTypesAreRejected() {
        XCTAssertEqual(ConfigurationCheck.problems(in: [usageKey: "NFC", selectKey: jpki]), [.selectIdentifiersNotAList])
        XCTAssertEqual(ConfigurationCheck.problems(in: [usageKey: "NFC", selectKey: [jpki, 7] as [Any]]),
                       [.selectIdentifiersNotStrings])
    }

    func testEveryProblemIsReportedAtOnce() {
        XCTAssertEqual(ConfigurationCheck.problems(in: [:]), [.missingUsageDescription, .missingSelectIdentifiers])
        do {
            try KazashiNFC.checkConfiguration(infoDictionary: [:])
            XCTFail("an empty Info.plist must fail")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.problems.count, 2)
            XCTAssertTrue(error.localizedDescription.contains(usageKey))
            XCTAssertTrue(error.localizedDescription.contains(selectKey))
        } catch {
            XCTFail("expected ConfigurationError, got \(error)")
        }
    }

    /// The sample the README tells developers to copy passes the check.
    func testShippedInfoPlistSamplePasses() throws {
        let url = iosDirectory.appendingPathComponent("Examples/Info-NFC.plist")
        let plist = try PropertyListSerialization.propertyList(from: Data(contentsOf: url), format: nil)
        let info = try XCTUnwrap(plist as? [String: Any])

        XCTAssertNoThrow(try KazashiNFC.checkConfiguration(infoDictionary: info))
        let identifiers = try XCTUnwrap(info[selectKey] as? [String])
        XCTAssertEqual(identifiers.first, jpki, "the JPKI AID comes first")
    }

    func testShippedEntitlementsSampleAllowsTagSessions() throws {
        let url = iosDirectory.appendingPathComponent("Examples/KazashiExample.entitlements")
        let plist = try PropertyListSerialization.propertyList(from: Data(contentsOf: url), format: nil)
        let entitlements = try XCTUnwrap(plist as? [String: Any])

        let formats = try XCTUnwrap(entitlements["com.apple.developer.nfc.readersession.formats"] as? [String])
        XCTAssertEqual(formats, ["TAG"])
    }

    // MARK: - Applications other than JPKI

    private let cardInfo = "D3921000310001010408"
    private let cardSurface = "D3921000310001010402"

    func testApplicationIdentifiers() {
        XCTAssertEqual(CardApplication.jpki.applicationIdentifier, jpki)
        XCTAssertEqual(CardApplication.cardInfo.applicationIdentifier, cardInfo)
        XCTAssertEqual(CardApplication.cardSurface.applicationIdentifier, cardSurface)
        XCTAssertEqual(ConfigurationCheck.cardInfoApplicationIdentifier, cardInfo)
        XCTAssertEqual(ConfigurationCheck.cardSurfaceApplicationIdentifier, cardSurface)
        XCTAssertEqual(CardApplication.allCases, [.jpki, .cardInfo, .cardSurface])
    }

    /// The default checks the JPKI AID only, as before: a JPKI-only list passes.
    func testDefaultIsJpkiOnly() {
        let info: [String: Any] = [usageKey: "NFC", selectKey: [jpki]]
        XCTAssertEqual(ConfigurationCheck.problems(in: info), [])
        XCTAssertEqual(ConfigurationCheck.problems(in: info, applications: [.jpki]), [])
        XCTAssertNoThrow(try KazashiNFC.checkConfiguration(infoDictionary: info))
    }

    func testMissingCardInfoAidIsNamedPrecisely() {
        let info: [String: Any] = [usageKey: "NFC", selectKey: [jpki]]

        XCTAssertEqual(ConfigurationCheck.problems(in: info, applications: [.jpki, .cardInfo]),
                       [.identifierNotListed(.cardInfo, listed: [jpki])])
        XCTAssertThrowsError(try KazashiNFC.checkConfiguration(infoDictionary: info, applications: [.jpki, .cardInfo])) { error in
            let text = error.localizedDescription
            XCTAssertTrue(text.contains(cardInfo), text)
            XCTAssertTrue(text.contains("券面事項入力補助AP"), text)
            XCTAssertFalse(text.contains(cardSurface), "an application not asked for is not mentioned: \(text)")
        }
    }

    func testMissingCardSurfaceAidIsNamedPrecisely() {
        let info: [String: Any] = [usageKey: "NFC", selectKey: [jpki, cardInfo]]

        XCTAssertEqual(ConfigurationCheck.problems(in: info, applications: [.jpki, .cardInfo, .cardSurface]),
                       [.identifierNotListed(.cardSurface, listed: [jpki, cardInfo])])
        XCTAssertThrowsError(try KazashiNFC.checkConfiguration(infoDictionary: info,
                                                               applications: [.jpki, .cardInfo, .cardSurface])) { error in
            let text = error.localizedDescription
            XCTAssertTrue(text.contains(cardSurface), text)
            XCTAssertTrue(text.contains("券面事項確認AP"), text)
        }
    }

    func testEveryMissingApplicationIsReportedInAFixedOrder() {
        let others = ["D3921000310001010100"]
        let info: [String: Any] = [usageKey: "NFC", selectKey: others]

        // Given in any order, reported in CardApplication order; a duplicate is reported once.
        XCTAssertEqual(ConfigurationCheck.problems(in: info, applications: [.cardSurface, .jpki, .cardInfo, .cardSurface]),
                       [.jpkiIdentifierNotListed(listed: others),
                        .identifierNotListed(.cardInfo, listed: others),
                        .identifierNotListed(.cardSurface, listed: others)])
    }

    /// An app that reads only the card-info application need not list the JPKI AID.
    func testCardInfoOnlyAppNeedsOnlyItsAid() {
        let info: [String: Any] = [usageKey: "NFC", selectKey: [cardInfo.lowercased()]]
        XCTAssertEqual(ConfigurationCheck.problems(in: info, applications: [.cardInfo]), [])
        XCTAssertEqual(ConfigurationCheck.problems(in: info), [.jpkiIdentifierNotListed(listed: [cardInfo.lowercased()])])
    }

    /// A missing list names the AIDs of exactly the applications checked.
    func testMissingListNamesTheApplicationsChecked() {
        let info: [String: Any] = [usageKey: "NFC"]
        XCTAssertEqual(ConfigurationCheck.problems(in: info, applications: [.cardInfo]), [.missingSelectIdentifiers])
        XCTAssertThrowsError(try KazashiNFC.checkConfiguration(infoDictionary: info, applications: [.cardInfo])) { error in
            let text = error.localizedDescription
            XCTAssertTrue(text.contains(cardInfo), text)
            XCTAssertFalse(text.contains(jpki), text)
        }
        XCTAssertThrowsError(try KazashiNFC.checkConfiguration(infoDictionary: info,
                                                               applications: [.jpki, .cardInfo, .cardSurface])) { error in
            let text = error.localizedDescription
            for aid in [jpki, cardInfo, cardSurface] {
                XCTAssertTrue(text.contains(aid), text)
            }
        }
        XCTAssertEqual(ConfigurationError(problems: [.missingSelectIdentifiers]).applications, [.jpki])
    }

    /// The shipped sample lists the AIDs of all three applications Kazashi reads.
    func testShippedInfoPlistSampleListsEveryApplication() throws {
        let url = iosDirectory.appendingPathComponent("Examples/Info-NFC.plist")
        let plist = try PropertyListSerialization.propertyList(from: Data(contentsOf: url), format: nil)
        let info = try XCTUnwrap(plist as? [String: Any])

        XCTAssertNoThrow(try KazashiNFC.checkConfiguration(infoDictionary: info, applications: CardApplication.allCases))
    }

    private func assertThrows(_ info: [String: Any], mentioning text: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try KazashiNFC.checkConfiguration(infoDictionary: info), file: file, line: line) { error in
            XCTAssertTrue(error is ConfigurationError, file: file, line: line)
            XCTAssertTrue(error.localizedDescription.contains(text),
                          "\(error.localizedDescription) should name \(text)", file: file, line: line)
        }
    }
}
