import Foundation
import Kazashi
import KazashiNFC
import XCTest
#if canImport(Security)
import Security
#else
// Linux (swift-corelibs-foundation has no Security framework): swift-crypto's RSA and
// swift-certificates' X.509 parser, test-only dependencies declared in Package.swift for Linux.
import _CryptoExtras
import Crypto
import X509
#endif

/// A transceiver in front of a `VirtualCard` that fails on a chosen command, then keeps failing,
/// as a card that has left the field does. It counts what was attempted after the failure, so a
/// test can prove that nothing (above all, no PIN) was re-sent.
final class FailingTransceiver: NfcTransceiver, @unchecked Sendable {
    let virtualCard: VirtualCard
    private let failure: Error
    private let failsOn: @Sendable (Data) -> Bool
    private let lock = NSLock()
    private var failed = false
    private var delivered = 0
    private var attemptedAfterFailure = 0

    /// - Parameters:
    ///   - failure: what to throw (`NfcError.TagLost`, `.Timeout`, `.Io`, or any other error).
    ///   - failsOn: the first command for which this is true fails and never reaches the card.
    init(_ virtualCard: VirtualCard, failure: Error, failsOn: @escaping @Sendable (Data) -> Bool) {
        self.virtualCard = virtualCard
        self.failure = failure
        self.failsOn = failsOn
    }

    /// Commands that reached the card.
    var commandsDelivered: Int {
        lock.lock()
        defer { lock.unlock() }
        return delivered
    }

    /// Commands attempted after the failure (a retry would show up here).
    var commandsAfterFailure: Int {
        lock.lock()
        defer { lock.unlock() }
        return attemptedAfterFailure
    }

    func linkInfo() throws -> LinkInfo {
        try virtualCard.linkInfo()
    }

    func transceive(command: Data) async throws -> Data {
        lock.lock()
        if failed {
            attemptedAfterFailure += 1
            lock.unlock()
            throw failure
        }
        if failsOn(command) {
            failed = true
            lock.unlock()
            throw failure
        }
        delivered += 1
        lock.unlock()
        return virtualCard.process(command: command)
    }
}

/// Passes every command to a `VirtualCard` and records the kind of each (never its bytes).
final class RecordingTransceiver: NfcTransceiver, @unchecked Sendable {
    let virtualCard: VirtualCard
    private let lock = NSLock()
    private var kinds: [CommandKind] = []

    init(_ virtualCard: VirtualCard) {
        self.virtualCard = virtualCard
    }

    var commandKinds: [CommandKind] {
        lock.lock()
        defer { lock.unlock() }
        return kinds
    }

    func linkInfo() throws -> LinkInfo {
        try virtualCard.linkInfo()
    }

    func transceive(command: Data) async throws -> Data {
        lock.lock()
        kinds.append(CommandKind(command: command))
        lock.unlock()
        return virtualCard.process(command: command)
    }
}

#if canImport(Security)
/// The signature algorithms the tests check with.
typealias SignatureAlgorithm = SecKeyAlgorithm

/// Signature checks with the Security framework, independent of the Rust core's own check.
enum SecurityFramework {
    static func publicKey(ofCertificate der: Data) throws -> SecKey {
        let certificate = try XCTUnwrap(SecCertificateCreateWithData(nil, der as CFData),
                                        "the card's certificate is not DER X.509")
        return try XCTUnwrap(SecCertificateCopyKey(certificate), "no public key in the certificate")
    }

    /// RSASSA-PKCS1-v1_5 over `message` (hashed by Security with `algorithm`'s hash), or over a
    /// ready digest with a `...Digest...` algorithm.
    static func verifies(_ signature: Data,
                         of message: Data,
                         certificate der: Data,
                         algorithm: SignatureAlgorithm = .rsaSignatureMessagePKCS1v15SHA256) throws -> Bool {
        let key = try publicKey(ofCertificate: der)
        XCTAssertTrue(SecKeyIsAlgorithmSupported(key, .verify, algorithm))
        var error: Unmanaged<CFError>?
        let valid = SecKeyVerifySignature(key, algorithm, message as CFData, signature as CFData, &error)
        error?.release()
        return valid
    }
}
#else
/// The signature algorithms the tests check with (the `SecKeyAlgorithm` names, for the same call sites).
enum SignatureAlgorithm {
    case rsaSignatureMessagePKCS1v15SHA256
    case rsaSignatureMessagePKCS1v15SHA384
    case rsaSignatureDigestPKCS1v15SHA256
}

/// Signature checks with swift-crypto and swift-certificates on Linux, independent of the Rust
/// core's own check (the Security framework's role on Apple platforms).
enum SecurityFramework {
    /// RSASSA-PKCS1-v1_5 over `message`, hashed here with `algorithm`'s hash. A ready digest
    /// (`.rsaSignatureDigestPKCS1v15SHA256`) cannot be handed to swift-crypto, which verifies only
    /// digests it computed: that case is skipped (SigningTests checks it on Apple platforms only).
    static func verifies(_ signature: Data,
                         of message: Data,
                         certificate der: Data,
                         algorithm: SignatureAlgorithm = .rsaSignatureMessagePKCS1v15SHA256) throws -> Bool {
        let certificate = try X509.Certificate(derEncoded: Array(der))
        let key = try _RSA.Signing.PublicKey(derRepresentation: certificate.publicKey.subjectPublicKeyInfoBytes)
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
        switch algorithm {
        case .rsaSignatureMessagePKCS1v15SHA256:
            return key.isValidSignature(rsaSignature, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        case .rsaSignatureMessagePKCS1v15SHA384:
            return key.isValidSignature(rsaSignature, for: SHA384.hash(data: message), padding: .insecurePKCS1v1_5)
        case .rsaSignatureDigestPKCS1v15SHA256:
            throw XCTSkip("a ready digest cannot be verified with swift-crypto; the message form is checked instead")
        }
    }
}
#endif

/// Runs `body`, expecting it to throw a `KazashiError`; records a failure otherwise.
func kazashiError<T>(file: StaticString = #filePath,
                     line: UInt = #line,
                     _ body: () async throws -> T) async -> KazashiError? {
    do {
        _ = try await body()
        XCTFail("expected a KazashiError, got a result", file: file, line: line)
    } catch let error as KazashiError {
        XCTAssertFalse(error.reason.isEmpty, "every KazashiError carries a reason", file: file, line: line)
        return error
    } catch {
        XCTFail("expected a KazashiError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Runs `body` and returns whatever it throws (nil if it returned).
func thrownError<T>(_ body: () async throws -> T) async -> Error? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

/// The repository's `ios/` folder, found from this file.
let iosDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent() // KazashiTests
    .deletingLastPathComponent() // Tests
    .deletingLastPathComponent() // ios

/// A PIN-free command's bytes, from hex.
func apdu(_ hex: String) -> Data {
    var bytes: [UInt8] = []
    var digits = hex.filter { !$0.isWhitespace }[...]
    while digits.count >= 2 {
        bytes.append(UInt8(digits.prefix(2), radix: 16)!)
        digits = digits.dropFirst(2)
    }
    return Data(bytes)
}

/// A card-flow error as the core reports it, for tests of what the app shows.
func failure(_ kind: ErrorKind,
             pin: PinKind? = nil,
             attemptsLeft: UInt8? = nil,
             byThisAttempt: Bool = false,
             statusWord: UInt16? = nil,
             reason: String = "r") -> KazashiError {
    .Failed(kind: kind, reason: reason, action: "what to do", pin: pin, attemptsLeft: attemptsLeft,
            byThisAttempt: byThisAttempt, statusWord: statusWord)
}

