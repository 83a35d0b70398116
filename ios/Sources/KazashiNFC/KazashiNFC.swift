import Foundation
import Kazashi
#if canImport(CoreNFC) && os(iOS)
@preconcurrency import CoreNFC
#endif

/// Tap-to-log-in, tap-to-sign and tap-to-read-the-card's-details with a My Number Card, over
/// Core NFC.
///
/// Each call shows the NFC sheet, waits for one card, runs one flow of the Rust core and closes
/// the sheet with a check mark or a short message in Japanese or English. Errors are the core's
/// `KazashiError` (wrong PIN, locked, last attempt, lost tag...), ``KazashiNFCError`` for the
/// sheet itself (Cancel, time limit, no NFC), or ``ConfigurationError`` for a misconfigured app.
///
/// Nothing is retried: after a `KazashiError` of kind `.tagLost` ask the user to tap again and call the flow
/// again yourself. Call from any task; the calls suspend and never block the main thread.
///
/// PINs, passwords and verification numbers are `Data`, their UTF-8 bytes, never `String`: a
/// Swift `String` cannot be wiped, bytes can. Keep them as bytes and call ``wipe(_:)`` on them
/// once the call has returned. Bytes that are not UTF-8 fail with a `KazashiError` of kind
/// `.invalidPinFormat`, like any malformed entry, and nothing is sent to the card.
///
/// Where there is no NFC (the simulator, a Mac, unit tests), ``useSimulatedCard(_:)`` routes
/// every call to a transceiver such as `VirtualCard` instead of Core NFC.
public enum KazashiNFC {
    /// The JPKI application's AID; it must be in the app's select-identifiers list.
    public static let jpkiApplicationIdentifier = ConfigurationCheck.jpkiApplicationIdentifier

    /// Checks the app's Info.plist (`NFCReaderUsageDescription`, and the AID of each application
    /// in `applications` in `com.apple.developer.nfc.readersession.iso7816.select-identifiers`).
    /// Call it at start-up with every application the app uses, e.g.
    /// `checkConfiguration(applications: [.jpki, .cardInfo])`, to fail loudly in development;
    /// every tap also checks the applications its own flow selects unless
    /// ``ReaderOptions/checkConfiguration`` is off.
    ///
    /// - Throws: ``ConfigurationError`` naming each missing or wrong key and each missing AID.
    public static func checkConfiguration(bundle: Bundle = .main,
                                          applications: [CardApplication] = [.jpki]) throws {
        try ConfigurationCheck.validate(bundle.infoDictionary ?? [:], applications: applications)
    }

    /// The same check on a dictionary (for tests and tooling).
    public static func checkConfiguration(infoDictionary: [String: Any],
                                          applications: [CardApplication] = [.jpki]) throws {
        try ConfigurationCheck.validate(infoDictionary, applications: applications)
    }

    /// Sends every following tap to `transceiver` (typically `VirtualCard(profile:)`) instead of
    /// Core NFC, or back to Core NFC with `nil`. For the simulator, SwiftUI previews, UI tests and
    /// demos; no sheet is shown and the configuration check is skipped.
    public static func useSimulatedCard(_ transceiver: NfcTransceiver?) {
        simulation.set(transceiver)
    }

    /// Whether taps go to a simulated card.
    public static var isSimulating: Bool {
        simulation.get() != nil
    }

    /// Whether a tap can work on this device: true with a simulated card, otherwise whether
    /// Core NFC can read tags (false on the simulator, Macs and older devices).
    public static var isReadingAvailable: Bool {
        if isSimulating {
            return true
        }
        #if canImport(CoreNFC) && os(iOS)
        return NFCTagReaderSession.readingAvailable
        #else
        return false
        #endif
    }

    /// Runs `body` against the card during one tap and returns its result.
    ///
    /// The sheet follows the card: it says "reading", "checking" and "signing" as the card gets
    /// the matching commands. `body` must not retry a flow that failed with a lost tag: the tap
    /// is over, and only the user may decide to tap again.
    ///
    /// - Parameters:
    ///   - applications: the card applications `body` selects, whose AIDs the configuration
    ///     check requires in the Info.plist (`[.jpki, .cardInfo]` for a body that reads the
    ///     signing certificate and the card-info attributes).
    ///   - secret: the secret `body` sends, so that the sheet names it while the card checks it
    ///     ("checking your PIN", "... your password", "... your verification number"); `nil`
    ///     (a body that sends none, or several kinds) shows a neutral "checking".
    ///
    /// ```swift
    /// let status = try await KazashiNFC.perform { cardSession in
    ///     try await cardSession.status()
    /// }
    /// ```
    public static func perform<T>(options: ReaderOptions = ReaderOptions(),
                                  applications: [CardApplication] = [.jpki],
                                  checking secret: PinKind? = nil,
                                  successMessage: String? = nil,
                                  _ body: @escaping @Sendable (CardSession) async throws -> T) async throws -> T {
        if let simulated = simulation.get() {
            return try await body(CardSession(transceiver: simulated))
        }
        #if canImport(CoreNFC) && os(iOS)
        return try await performWithCoreNFC(options: options, applications: applications,
                                            checking: secret, successMessage: successMessage, body)
        #else
        throw KazashiNFCError.readingUnavailable
        #endif
    }

    /// Tap to log in (log-in version 1): verifies the authentication PIN (利用者証明用暗証番号)
    /// and signs SHA-256(`challenge`) with the authentication key. The signature has already
    /// been checked against the returned certificate. It is not bound to any relying party:
    /// prefer `login(request:pin:)`.
    ///
    /// - Parameters:
    ///   - pin: the PIN's UTF-8 bytes (4 digits). The shell works on a copy of its own, wiped
    ///     when the flow ends; wipe yours with ``wipe(_:)`` once this returns.
    ///   - confirmLastAttempt: pass `true` only after warning the user that one attempt
    ///     is left and hearing them agree; otherwise such a card fails with
    ///     a `KazashiError` of kind `.lastAttemptNotConfirmed` and no attempt is spent.
    public static func login(challenge: Data,
                             pin: Data,
                             confirmLastAttempt: Bool = false,
                             options: ReaderOptions = ReaderOptions()) async throws -> LoginResult {
        let messages = ReaderMessages(language: options.language)
        let pinCopy = SecretCopy(pin)
        defer { pinCopy.wipe() }
        return try await perform(options: options, checking: .authentication,
                                 successMessage: messages.text(for: .loggedIn)) { cardSession in
            try await cardSession.login(challenge: challenge, pin: pinCopy.data, confirmLastAttempt: confirmLastAttempt)
        }
    }

    /// Tap to log in to a relying party (log-in version 2): signs the domain-separated bytes of
    /// `request` (from `parseLoginRequest`), so the signature is valid for
    /// `request.relyingParty` only. Show `request.prompt` ("Log in to example.jp") on the
    /// screen where the PIN is entered. Send the result's `messageJson` to the server.
    ///
    /// - Parameters:
    ///   - pin: the PIN's UTF-8 bytes, as for ``login(challenge:pin:confirmLastAttempt:options:)``.
    ///   - cachedCertificate: the `certificate.der` of an earlier log-in; when it is
    ///     still this card's, the card does not send it again.
    public static func login(request: LoginRequest,
                             pin: Data,
                             confirmLastAttempt: Bool = false,
                             cachedCertificate: Data? = nil,
                             options: ReaderOptions = ReaderOptions()) async throws -> LoginV2Result {
        let messages = ReaderMessages(language: options.language)
        let pinCopy = SecretCopy(pin)
        defer { pinCopy.wipe() }
        return try await perform(options: options, checking: .authentication,
                                 successMessage: messages.text(for: .loggedIn)) { cardSession in
            try await cardSession.loginV2(request: request, pin: pinCopy.data,
                                          confirmLastAttempt: confirmLastAttempt,
                                          cachedCertificate: cachedCertificate)
        }
    }

    /// Tap to sign: verifies the signing password (署名用パスワード), hashes `document` with
    /// `algorithm` and signs the digest with the signature key. The signature has already been
    /// checked against the returned signing certificate, which carries personal data: show it
    /// only to its holder.
    ///
    /// - Parameter password: the password's UTF-8 bytes (6–16 letters and digits). The shell
    ///   works on a copy of its own, wiped when the flow ends; wipe yours with ``wipe(_:)``.
    public static func sign(document: Data,
                            algorithm: DigestAlgorithm = .sha256,
                            password: Data,
                            options signOptions: SignOptions = SignOptions(),
                            reader: ReaderOptions = ReaderOptions()) async throws -> SignResult {
        let messages = ReaderMessages(language: reader.language)
        let passwordCopy = SecretCopy(password)
        defer { passwordCopy.wipe() }
        return try await perform(options: reader, checking: .signing,
                                 successMessage: messages.text(for: .signed)) { cardSession in
            try await cardSession.signDocument(document: document, algorithm: algorithm,
                                               password: passwordCopy.data, options: signOptions)
        }
    }

    /// Tap to read the card's status: token type, both retry counters, the authentication
    /// certificate. No PIN, no attempt spent.
    public static func status(options: ReaderOptions = ReaderOptions()) async throws -> CardStatus {
        try await perform(options: options) { cardSession in
            try await cardSession.status()
        }
    }

    /// Tap to read the four basic attributes (基本4情報: name, address, birth date `YYYYMMDD`,
    /// sex as ISO 5218 `"1"`/`"2"`/`"9"`) from the card-info application (券面事項入力補助AP),
    /// e.g. to fill in a form. Never the My Number: that is ``readMyNumber(unlock:secret:confirmLastAttempt:issuerKey:options:)``.
    ///
    /// `unlock` chooses the secret: `.cardInfoPin` (券面事項入力補助用暗証番号, 4 digits, 3 attempts,
    /// a counter of its own: a wrong entry never spends an authentication-PIN attempt, even when
    /// the digits are the same) or `.verificationNumberB` (照合番号B, 14 digits: the birth date as
    /// era YYMMDD, the expiry year, the security code). The format is checked before anything is
    /// sent, the counter is read first, and the secret is sent at most once.
    ///
    /// The attributes are returned only once the card's integrity record holds; otherwise a
    /// `KazashiError` of kind `.integrityCheckFailed` is thrown and nothing is returned. They are
    /// personal data: show them to their holder only, never log them.
    /// `crossCheckCardInfo(attributes:signingCertificate:)` compares them with the signing
    /// certificate's, field by field.
    ///
    /// The app's Info.plist must list the card-info AID (`D3921000310001010408`).
    ///
    /// - Parameters:
    ///   - secret: the PIN's or the number's UTF-8 bytes. The shell works on a copy of its own,
    ///     wiped when the flow ends; wipe yours with ``wipe(_:)``.
    ///   - confirmLastAttempt: as for `login`.
    ///   - issuerKey: J-LIS's card-info key (SubjectPublicKeyInfo DER), if the app has it, to
    ///     verify the application's certificate too (`integrity.issuerVerified`).
    public static func readCardInfo(unlock: AttributesUnlock,
                                    secret: Data,
                                    confirmLastAttempt: Bool = false,
                                    issuerKey: Data? = nil,
                                    options: ReaderOptions = ReaderOptions()) async throws -> CardInfoAttributes {
        let messages = ReaderMessages(language: options.language)
        let secretCopy = SecretCopy(secret)
        defer { secretCopy.wipe() }
        return try await perform(options: options, applications: [.cardInfo], checking: unlock.checkedSecret,
                                 successMessage: messages.text(for: .cardInfoRead)) { cardSession in
            try await cardSession.readCardInfo(unlock: unlock, secret: secretCopy.data,
                                               confirmLastAttempt: confirmLastAttempt, issuerKey: issuerKey)
        }
    }

    /// Tap to read the My Number (個人番号) from the card-info application: the only call of
    /// this package that returns it; nothing reads it as a side effect.
    ///
    /// **The My Number Act (番号法).** Ask for and keep the My Number only for the purposes the
    /// Act allows (social security, tax and disaster response procedures, by an entity entitled to
    /// handle them), and only as long as the procedure needs it. Never log it, never put it in
    /// crash reports, analytics or a cache; send it only over a protected channel.
    ///
    /// `unlock` is `.cardInfoPin` (4 digits) or `.verificationNumberA` (照合番号A, which is the
    /// My Number itself: this then confirms a number the user typed against the card). Same PIN
    /// rules and integrity check as ``readCardInfo(unlock:secret:confirmLastAttempt:issuerKey:options:)``;
    /// the Info.plist must list the card-info AID (`D3921000310001010408`). `secret` is the PIN's
    /// or the number's UTF-8 bytes; wipe yours with ``wipe(_:)`` once this returns.
    public static func readMyNumber(unlock: MyNumberUnlock,
                                    secret: Data,
                                    confirmLastAttempt: Bool = false,
                                    issuerKey: Data? = nil,
                                    options: ReaderOptions = ReaderOptions()) async throws -> MyNumberResult {
        let messages = ReaderMessages(language: options.language)
        let secretCopy = SecretCopy(secret)
        defer { secretCopy.wipe() }
        return try await perform(options: options, applications: [.cardInfo], checking: unlock.checkedSecret,
                                 successMessage: messages.text(for: .myNumberRead)) { cardSession in
            try await cardSession.readMyNumber(unlock: unlock, secret: secretCopy.data,
                                               confirmLastAttempt: confirmLastAttempt, issuerKey: issuerKey)
        }
    }

    /// Tap to read the card's front from the card-surface application (券面事項確認AP): the face
    /// photo (JPEG 2000: `photo`, with `photoMediaType` `image/jp2` or `image/j2c`; decoding it
    /// for display is the app's business), the name, address and security code as printed
    /// (images: `nameImage`, `addressImage`, `securityCodeImage`), and the birth date, sex
    /// (ISO 5218) and expiry as stored.
    ///
    /// `unlock` is `.verificationNumberA` (照合番号A, the 12-digit My Number) or
    /// `.verificationNumberB` (照合番号B, 14 digits: the birth date as era YYMMDD, the expiry year,
    /// the security code). This application has counters of its own, apart from the card-info
    /// application's: `cardSession.cardSurfaceRetryCounter(pin:)` reads them (no attempt spent),
    /// `retryCounter(pin:)` reads the card-info ones. Errors carry `pinKind`
    /// `.verificationNumberA` or `.verificationNumberB`. The format is checked before anything is
    /// sent, the counter is read first, and the secret is sent at most once.
    ///
    /// **The signature verdict.** `signature` is `.verifiedVirtualCardLayout` only when the
    /// front's signature verified in the layout of the virtual card; no public source gives a
    /// real card's signed layout, so `.notVerified` is the expected result on a real card. The
    /// data is returned as read either way: with `.notVerified` never present the photo or the
    /// fields as verified or authentic, nor as proof of identity on their own. `issuerVerified`
    /// is `true` only when `issuerKey` was given and the application certificate verified with it.
    ///
    /// **Privacy.** The face photo and the images are personal data: show them to their holder,
    /// never log them, keep them out of crash reports, analytics and caches, and drop them when
    /// the screen is done. `CardSurface` is a generated struct without a description of its own:
    /// `print`, `dump` and string interpolation show its fields (birth date, sex, expiry, the
    /// images' sizes), so never log or interpolate it.
    ///
    /// The app's Info.plist must list the card-surface AID (`D3921000310001010402`).
    ///
    /// - Parameters:
    ///   - secret: the number's UTF-8 bytes (12 or 14 digits). The shell works on a copy of its
    ///     own, wiped when the flow ends; wipe yours with ``wipe(_:)``.
    ///   - confirmLastAttempt: as for `login`.
    ///   - issuerKey: J-LIS's key for this application (SubjectPublicKeyInfo DER), if the app has
    ///     it, to verify the application certificate too; a certificate that does not verify with
    ///     it is an error.
    public static func readCardSurface(unlock: SurfaceUnlock,
                                       secret: Data,
                                       confirmLastAttempt: Bool = false,
                                       issuerKey: Data? = nil,
                                       options: ReaderOptions = ReaderOptions()) async throws -> CardSurface {
        let messages = ReaderMessages(language: options.language)
        let secretCopy = SecretCopy(secret)
        defer { secretCopy.wipe() }
        return try await perform(options: options, applications: [.cardSurface], checking: unlock.checkedSecret,
                                 successMessage: messages.text(for: .cardSurfaceRead)) { cardSession in
            try await cardSession.readCardSurface(unlock: unlock, secret: secretCopy.data,
                                                  confirmLastAttempt: confirmLastAttempt, issuerKey: issuerKey)
        }
    }

    private static let simulation = SimulationSlot()
}

#if canImport(CoreNFC) && os(iOS)
extension KazashiNFC {
    private static func performWithCoreNFC<T>(options: ReaderOptions,
                                              applications: [CardApplication],
                                              checking secret: PinKind?,
                                              successMessage: String?,
                                              _ body: @escaping @Sendable (CardSession) async throws -> T) async throws -> T {
        if options.checkConfiguration {
            try checkConfiguration(applications: applications)
        }
        let messages = ReaderMessages(language: options.language)
        let box = ResultBox<T>()
        let reader = JPKIReaderSession(
            messages: messages,
            checking: secret,
            linkInfo: options.extendedLength ? CoreNFCTransceiver.extendedLinkInfo : CoreNFCTransceiver.shortLinkInfo,
            successMessage: successMessage ?? messages.text(for: .done),
            flow: { cardSession in
                box.value = try await body(cardSession)
            }
        )
        try await reader.run()
        guard let value = box.value else {
            throw KazashiNFCError.sessionFailed(reason: "the flow ended without a result")
        }
        return value
    }
}

/// Carries `perform`'s result out of the flow's task. Written once by the flow before the
/// reader resumes its caller, read once after.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
#endif

/// The simulated card, if any, behind a lock (taps may start from any task).
private final class SimulationSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var transceiver: NfcTransceiver?

    func get() -> NfcTransceiver? {
        lock.lock()
        defer { lock.unlock() }
        return transceiver
    }

    func set(_ value: NfcTransceiver?) {
        lock.lock()
        transceiver = value
        lock.unlock()
    }
}
