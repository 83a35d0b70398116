import Foundation
import Kazashi
@testable import KazashiNFC
import XCTest

/// `KazashiNFC.wipe(_:)` and the shell's own copy of a secret (`SecretCopy`): bytes are
/// overwritten where they are, not replaced, and the shell never shares the app's bytes, so the
/// app's wipe after a call reaches the very bytes it passed.
///
/// "Where they are" is told by the address of the first byte. Only a `Data` of more than 14
/// bytes has a buffer of its own (a shorter one is stored inline and has no stable address), so
/// the address checks use longer values.
final class SecretWipingTests: XCTestCase {
    override func tearDown() {
        KazashiNFC.useSimulatedCard(nil)
        super.tearDown()
    }

    private func address(of data: Data) -> UInt {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in UInt(bitPattern: raw.baseAddress) }
    }

    func testWipeOverwritesEveryByteInPlace() {
        var secret = Data(repeating: 0x37, count: 64)
        let before = address(of: secret)

        KazashiNFC.wipe(&secret)

        XCTAssertEqual(secret.count, 64, "the count is kept")
        XCTAssertTrue(secret.allSatisfy { $0 == 0 }, "a byte was left")
        XCTAssertEqual(address(of: secret), before, "the bytes were replaced by new ones, not overwritten")

        var pin = Data("1234".utf8)
        KazashiNFC.wipe(&pin)
        XCTAssertEqual(pin, Data(count: 4))
    }

    /// A slice keeps its parent's indices (here 2..<6): the wipe must cover the slice by those,
    /// not by 0..<count.
    func testWipeCoversASliceByItsOwnIndices() {
        let buffer = Data("xx5678yy".utf8)
        var slice = buffer[2 ..< 6]
        XCTAssertEqual(slice.startIndex, 2)

        KazashiNFC.wipe(&slice)

        XCTAssertEqual(Array(slice), [0, 0, 0, 0])
        XCTAssertEqual(slice.startIndex, 2)
        XCTAssertEqual(slice.count, 4)
    }

    /// The shell copies the secret into a buffer of its own: the app can wipe its bytes in place
    /// while the copy lives, and the copy, once wiped, hands out nothing.
    func testTheShellsCopyHasItsOwnBytesAndIsWiped() {
        let original = Data(repeating: 0x41, count: 32)
        var entry = Data(repeating: 0x41, count: 32) // not `original`: that would share the bytes
        let entryAddress = address(of: entry)
        let copy = SecretCopy(entry)

        XCTAssertEqual(copy.data, original)
        XCTAssertNotEqual(address(of: copy.data), entryAddress, "the copy shares the app's bytes")
        XCTAssertFalse(copy.isWiped)

        KazashiNFC.wipe(&entry)
        XCTAssertEqual(address(of: entry), entryAddress, "the app's wipe had to copy: the shell shares its bytes")
        XCTAssertEqual(copy.data, original, "the app's wipe reached the shell's copy")

        copy.wipe()
        XCTAssertTrue(copy.isWiped)
        XCTAssertTrue(copy.data.isEmpty, "a wiped copy still hands out bytes")
        copy.wipe()
        XCTAssertTrue(copy.data.isEmpty)
    }

    /// End to end: after a shortcut returns, nothing holds the app's password any more, so the
    /// app's wipe overwrites the very bytes it passed (a reference kept by the shell would make
    /// Swift copy them first and leave the originals behind).
    func testAfterAShortcutTheAppsWipeReachesTheBytesItPassed() async throws {
        // 16 characters: a buffer of its own, not inline.
        let password = "ABCDEFGH12345678"
        let virtualCard = VirtualCard.withOptions(options: VirtualCardOptions(profile: .physicalCard,
                                                                              signingPassword: password))
        KazashiNFC.useSimulatedCard(virtualCard)
        var entry = Data(password.utf8)
        let before = address(of: entry)
        let document = Data("wiped afterwards".utf8)

        let result = try await KazashiNFC.sign(document: document, password: entry)
        KazashiNFC.wipe(&entry)

        XCTAssertTrue(try SecurityFramework.verifies(result.signature, of: document, certificate: result.certificate.der))
        XCTAssertEqual(virtualCard.pinVerifications(), 1)
        XCTAssertTrue(entry.allSatisfy { $0 == 0 }, "a byte of the password was left")
        XCTAssertEqual(address(of: entry), before, "something still shared the password's bytes")
    }
}
