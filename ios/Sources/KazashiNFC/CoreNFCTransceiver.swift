#if canImport(CoreNFC) && os(iOS)
@preconcurrency import CoreNFC
import Foundation
import Kazashi

/// The Rust core's link to a card through Core NFC: one command APDU in, its response
/// (data, then SW1 SW2) out.
///
/// Threading: `transceive` suspends on a continuation until Core NFC's completion handler runs
/// on the reader session's queue. Nothing waits on a semaphore, so neither the main thread nor
/// the session queue is ever blocked, and the completion handler can always run.
///
/// Safety: it sends exactly what the core gives it, once. There are no retries (a re-sent
/// VERIFY could spend a second PIN attempt) and no logging of command bytes (a VERIFY carries
/// the PIN). The Rust side wipes its buffers when they are freed; `command` here is a Swift
/// `Data` value that Core NFC copies into its own APDU object, and neither copy can be wiped
/// from this side without forcing a further copy, so on iOS they live until ARC frees them.
/// `@unchecked Sendable` because `NFCISO7816Tag` is an Objective-C object that Core
/// NFC lets any thread send commands through; this class holds no mutable state.
public final class CoreNFCTransceiver: NfcTransceiver, @unchecked Sendable {
    /// What Core NFC carries: extended length; see ``ISO7816TagTransceiver/extendedLinkInfo``.
    public static let extendedLinkInfo = ISO7816TagTransceiver.extendedLinkInfo

    /// Short APDUs only (256-byte responses), for ``ReaderOptions/extendedLength`` = false.
    public static let shortLinkInfo = ISO7816TagTransceiver.shortLinkInfo

    /// The platform-independent transceiver over the tag (the logic lives there).
    private let inner: ISO7816TagTransceiver

    /// - Parameters:
    ///   - tag: a tag the reader session is connected to.
    ///   - linkInfo: what to report to the core; see ``extendedLinkInfo``.
    ///   - onCommand: told the kind of each command just before it is sent (for progress
    ///     messages); it never sees the bytes.
    public init(tag: NFCISO7816Tag,
                linkInfo: LinkInfo = CoreNFCTransceiver.extendedLinkInfo,
                onCommand: (@Sendable (CommandKind) -> Void)? = nil) {
        inner = ISO7816TagTransceiver(tag: CoreNFCTagLink(tag), linkInfo: linkInfo,
                                      mapError: { CoreNFCTransceiver.nfcError(from: $0) }, onCommand: onCommand)
        _ = CoreNFCTransceiver.assertErrorCodesMatchSDK
    }

    public func linkInfo() -> LinkInfo {
        inner.linkInfo()
    }

    public func transceive(command: Data) async throws -> Data {
        try await inner.transceive(command: command)
    }

    /// Maps a Core NFC failure to what the core understands; see
    /// ``CoreNFCErrorCode/transceiveError(domain:code:description:)``.
    static func nfcError(from error: Error) -> NfcError {
        let nsError = error as NSError
        return CoreNFCErrorCode.transceiveError(domain: nsError.domain,
                                                code: nsError.code,
                                                description: nsError.localizedDescription)
    }

    /// Checked once, in debug builds: the numbers in ``CoreNFCErrorCode`` are the SDK's.
    private static let assertErrorCodesMatchSDK: Void = {
        assert(NFCReaderError.errorDomain == CoreNFCErrorCode.domain)
        assert(NFCReaderError.Code.readerErrorSecurityViolation.rawValue == CoreNFCErrorCode.securityViolation)
        assert(NFCReaderError.Code.readerTransceiveErrorTagConnectionLost.rawValue == CoreNFCErrorCode.tagConnectionLost)
        assert(NFCReaderError.Code.readerTransceiveErrorSessionInvalidated.rawValue == CoreNFCErrorCode.sessionInvalidated)
        assert(NFCReaderError.Code.readerTransceiveErrorTagNotConnected.rawValue == CoreNFCErrorCode.tagNotConnected)
        assert(NFCReaderError.Code.readerTransceiveErrorPacketTooLong.rawValue == CoreNFCErrorCode.packetTooLong)
        assert(NFCReaderError.Code.readerSessionInvalidationErrorUserCanceled.rawValue == CoreNFCErrorCode.userCanceled)
        assert(NFCReaderError.Code.readerSessionInvalidationErrorSessionTimeout.rawValue == CoreNFCErrorCode.sessionTimeout)
        assert(NFCReaderError.Code.readerSessionInvalidationErrorSystemIsBusy.rawValue == CoreNFCErrorCode.systemIsBusy)
        assert(NFCReaderError.Code.readerErrorRadioDisabled.rawValue == CoreNFCErrorCode.radioDisabled)
        assert(NFCReaderError.Code.readerErrorUnsupportedFeature.rawValue == CoreNFCErrorCode.unsupportedFeature)
        assert(NFCReaderError.Code.readerTransceiveErrorRetryExceeded.rawValue == CoreNFCErrorCode.retryExceeded)
        assert(NFCReaderError.Code.readerTransceiveErrorTagResponseError.rawValue == CoreNFCErrorCode.tagResponseError)
        assert(NFCReaderError.Code.readerSessionInvalidationErrorSessionTerminatedUnexpectedly.rawValue
            == CoreNFCErrorCode.sessionTerminatedUnexpectedly)
        assert(NFCReaderError.Code.readerSessionInvalidationErrorFirstNDEFTagRead.rawValue == CoreNFCErrorCode.firstNDEFTagRead)
        assert(NFCReaderError.Code.tagCommandConfigurationErrorInvalidParameters.rawValue
            == CoreNFCErrorCode.tagCommandConfigurationInvalidParameters)
        assert(NFCReaderError.Code.ndefReaderSessionErrorTagNotWritable.rawValue == CoreNFCErrorCode.ndefTagNotWritable)
        assert(NFCReaderError.Code.ndefReaderSessionErrorTagUpdateFailure.rawValue == CoreNFCErrorCode.ndefTagUpdateFailure)
        assert(NFCReaderError.Code.ndefReaderSessionErrorTagSizeTooSmall.rawValue == CoreNFCErrorCode.ndefTagSizeTooSmall)
        assert(NFCReaderError.Code.ndefReaderSessionErrorZeroLengthMessage.rawValue == CoreNFCErrorCode.ndefZeroLengthMessage)
        // The iOS 26 codes exist only in the iOS 26 SDK (Xcode 26, Swift 6.2).
        #if compiler(>=6.2)
        if #available(iOS 26.0, *) {
            assert(NFCReaderError.Code.readerErrorIneligible.rawValue == CoreNFCErrorCode.ineligible)
            assert(NFCReaderError.Code.readerErrorAccessNotAccepted.rawValue == CoreNFCErrorCode.accessNotAccepted)
        }
        #endif
    }()
}

/// `NFCISO7816Tag` as an ``ISO7816TagLink``. `@unchecked Sendable`: Core NFC lets any thread send
/// commands through the tag object; this class holds no mutable state.
final class CoreNFCTagLink: ISO7816TagLink, @unchecked Sendable {
    private let tag: NFCISO7816Tag

    init(_ tag: NFCISO7816Tag) {
        self.tag = tag
    }

    var isAvailable: Bool {
        tag.isAvailable
    }

    func sendCommand(_ apdu: Data) async throws -> (Data, UInt8, UInt8) {
        guard let command = NFCISO7816APDU(data: apdu) else {
            throw NfcError.Io(reason: "Core NFC rejected the command APDU as malformed (\(apdu.count) bytes)")
        }
        let tag = self.tag
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, UInt8, UInt8), Error>) in
            tag.sendCommand(apdu: command, completionHandler: { data, sw1, sw2, error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    continuation.resume(returning: (data, sw1, sw2))
                }
            })
        }
    }
}
#endif
