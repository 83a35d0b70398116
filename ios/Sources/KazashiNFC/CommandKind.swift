import Foundation

/// What a command APDU does, judged from its header alone.
///
/// Why: the NFC sheet should say "checking your PIN" while the card checks the PIN and
/// "signing" while it signs, and the core's flows are single calls. The transceiver sees every
/// command, so it reports the kind of each one just before sending it. Only CLA, INS and whether
/// a data field is present are looked at: the data of a VERIFY is the PIN, and it is never read,
/// copied or logged here.
public enum CommandKind: Equatable, Sendable {
    /// SELECT (`A4`): choosing the application or a file.
    case select
    /// READ BINARY (`B0`): certificates, token information.
    case readBinary
    /// VERIFY without data (`00 20 00 80`, or `00 20 00 98` naming the PIN by short EF id):
    /// the retry counter, which spends nothing.
    case retryQuery
    /// VERIFY with data: a PIN is being checked.
    case verify
    /// CHANGE REFERENCE DATA (`24`): a PIN is being changed.
    case changePin
    /// COMPUTE DIGITAL SIGNATURE (`2A`): the card is signing.
    case sign
    /// Anything else.
    case other

    /// Classifies `command` from its first bytes. A command shorter than a header is `.other`.
    public init(command: Data) {
        guard command.count >= 4 else {
            self = .other
            return
        }
        let ins = command[command.index(command.startIndex, offsetBy: 1)]
        let hasBody = command.count > 4
        switch ins {
        case 0xA4:
            self = .select
        case 0xB0, 0xB1:
            self = .readBinary
        case 0x20:
            // A case-1 VERIFY (header only) is the retry query. Anything longer carries a PIN
            // (a `00 20 00 80 00` probe would too, and the core never sends one).
            self = hasBody ? .verify : .retryQuery
        case 0x24:
            self = .changePin
        case 0x2A:
            self = .sign
        default:
            self = .other
        }
    }
}

/// What the NFC sheet tells the user while the card works.
public enum ReaderStage: Equatable, Sendable {
    /// Waiting for a card.
    case waitingForCard
    /// Selecting files, reading certificates or counters.
    case reading
    /// The card is checking a PIN.
    case checkingPin
    /// The card is computing a signature.
    case signing
    /// The card is changing a PIN.
    case changingPin

    /// The stage a command belongs to; `nil` leaves the current message alone.
    public init?(command: CommandKind) {
        switch command {
        case .select, .readBinary, .retryQuery:
            self = .reading
        case .verify:
            self = .checkingPin
        case .sign:
            self = .signing
        case .changePin:
            self = .changingPin
        case .other:
            return nil
        }
    }

    /// How far into a flow a stage is. A flow reads, then checks the PIN, then signs (and reads
    /// a certificate once more); the sheet only ever moves forward, so the SELECT between VERIFY
    /// and the signature does not flash "reading" again.
    var rank: Int {
        switch self {
        case .waitingForCard: return 0
        case .reading: return 1
        case .checkingPin: return 2
        case .changingPin, .signing: return 3
        }
    }

    /// The stage to show after `command` when `current` is on screen, or `nil` to keep it.
    public static func advance(from current: ReaderStage, on command: CommandKind) -> ReaderStage? {
        guard let proposed = ReaderStage(command: command), proposed.rank > current.rank else {
            return nil
        }
        return proposed
    }
}
