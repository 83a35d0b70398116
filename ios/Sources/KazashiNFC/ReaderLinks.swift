import Foundation
import Kazashi

/// An ISO 7816 tag as the shell needs it: what `NFCISO7816Tag` offers, minus Core NFC.
///
/// Why a protocol: the coordinator (``ReaderCoordinator``) and the transceiver
/// (``ISO7816TagTransceiver``) then compile without Core NFC, so a Linux Swift toolchain and the
/// macOS test host build and test them with a fake tag. The Core NFC adapter
/// (`CoreNFCTagLink`, iOS only) forwards to `NFCISO7816Tag`.
public protocol ISO7816TagLink: AnyObject, Sendable {
    /// Whether the tag is still in the field and the session still connected to it.
    var isAvailable: Bool { get }

    /// Sends one command APDU (header, Lc, data, Le as bytes) and returns the response data and
    /// the status word. Throws the platform's error; the transceiver maps it with its `mapError`.
    func sendCommand(_ apdu: Data) async throws -> (Data, UInt8, UInt8)
}

/// The NFC sheet as the coordinator drives it: what `NFCTagReaderSession` offers, minus Core NFC.
/// Calls arrive on the coordinator's queue or the caller's thread, never concurrently for one session.
public protocol ReaderSessionLink: AnyObject {
    /// The sheet's text ("Hold your card...", "Checking your PIN...").
    var alertMessage: String { get set }
    /// Shows the sheet and starts polling.
    func begin()
    /// Closes the sheet with a check mark (after `alertMessage`).
    func invalidate()
    /// Closes the sheet with an error line.
    func invalidate(errorMessage: String)
    /// Polls again after a tag that could not be used (nothing was sent to it).
    func restartPolling()
}

/// The Rust core's link to a card through any ``ISO7816TagLink``: one command APDU in, its
/// response (data, then SW1 SW2) out. ``CoreNFCTransceiver`` is this over Core NFC.
///
/// Safety: it sends exactly what the core gives it, once: no retries (a re-sent VERIFY could
/// spend a second PIN attempt) and no logging of command bytes (a VERIFY carries the PIN).
public final class ISO7816TagTransceiver: NfcTransceiver, @unchecked Sendable {
    /// What Core NFC carries: extended length (it encodes an extended Le whenever more than 256
    /// bytes are expected), and at most a full extended command: a 4-byte header, a 3-byte Lc,
    /// 65 535 bytes of data and a 2-byte Le.
    public static let extendedLinkInfo = LinkInfo(extendedLength: true, maxTransceiveLength: 4 + 3 + 65_535 + 2)

    /// Short APDUs only (256-byte responses).
    public static let shortLinkInfo = LinkInfo(extendedLength: false, maxTransceiveLength: 4 + 1 + 255 + 1)

    private let tag: ISO7816TagLink
    private let link: LinkInfo
    private let mapError: @Sendable (Error) -> NfcError
    private let onCommand: (@Sendable (CommandKind) -> Void)?

    /// - Parameters:
    ///   - tag: a connected tag.
    ///   - linkInfo: what to report to the core.
    ///   - mapError: turns the tag's errors into what the core understands (an `NfcError` thrown
    ///     by the tag passes through unchanged).
    ///   - onCommand: told the kind of each command just before it is sent; never the bytes.
    public init(tag: ISO7816TagLink,
                linkInfo: LinkInfo,
                mapError: @escaping @Sendable (Error) -> NfcError = { .Io(reason: "\($0)") },
                onCommand: (@Sendable (CommandKind) -> Void)? = nil) {
        self.tag = tag
        self.link = linkInfo
        self.mapError = mapError
        self.onCommand = onCommand
    }

    public func linkInfo() -> LinkInfo {
        link
    }

    public func transceive(command: Data) async throws -> Data {
        guard tag.isAvailable else {
            // The card has left or the session has ended: nothing is sent.
            throw NfcError.TagLost
        }
        onCommand?(CommandKind(command: command))
        do {
            var (response, sw1, sw2) = try await tag.sendCommand(command)
            response.append(sw1)
            response.append(sw2)
            return response
        } catch let error as NfcError {
            throw error
        } catch {
            throw mapError(error)
        }
    }
}
