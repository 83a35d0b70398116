import Foundation
import Kazashi

// Which secret each unlock choice sends, so that the sheet's "checking" stage names it
// (``ReaderMessages/text(for:checking:)``): a verification number is not a PIN.

extension AttributesUnlock {
    /// The secret `readCardInfo` checks with this choice.
    var checkedSecret: PinKind {
        switch self {
        case .cardInfoPin:
            return .cardInfo
        case .verificationNumberB:
            return .verificationNumberB
        }
    }
}

extension MyNumberUnlock {
    /// The secret `readMyNumber` checks with this choice.
    var checkedSecret: PinKind {
        switch self {
        case .cardInfoPin:
            return .cardInfo
        case .verificationNumberA:
            return .verificationNumberA
        }
    }
}

extension SurfaceUnlock {
    /// The secret `readCardSurface` checks with this choice.
    var checkedSecret: PinKind {
        switch self {
        case .verificationNumberA:
            return .verificationNumberA
        case .verificationNumberB:
            return .verificationNumberB
        }
    }
}
