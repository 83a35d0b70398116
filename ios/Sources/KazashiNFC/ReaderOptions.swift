import Foundation

/// Choices for one tap.
public struct ReaderOptions: Equatable, Sendable {
    /// The language of the NFC sheet.
    public var language: ReaderLanguage

    /// Whether to send extended-length APDUs. Core NFC carries them and the card reads a whole
    /// certificate in one command with them; turn this off only to work around a reader or
    /// device that fails with them (the core then reads in 256-byte pieces).
    public var extendedLength: Bool

    /// Whether to run ``KazashiNFC/checkConfiguration(bundle:)`` before the session starts, so a
    /// misconfigured app fails with a precise ``ConfigurationError`` instead of being terminated
    /// by iOS or waiting forever for a card it will never see.
    public var checkConfiguration: Bool

    public init(language: ReaderLanguage = .automatic, extendedLength: Bool = true, checkConfiguration: Bool = true) {
        self.language = language
        self.extendedLength = extendedLength
        self.checkConfiguration = checkConfiguration
    }
}
