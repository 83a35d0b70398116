import Foundation
import Kazashi

/// Which error a tap ends with when the card flow and the reader session both failed.
///
/// Why: when the user presses Cancel (or Core NFC's time limit ends the session) while a flow
/// runs, the flow's next command fails and the core reports a lost tag. Showing "the card moved
/// away" would be wrong, so the session's reason wins over link failures. It never wins over
/// what the card said (a wrong PIN stays a wrong PIN) nor over `PinCheckInterrupted`, which
/// tells the user an attempt may have been spent.
enum SessionOutcome {
    static func surfacedError(operationError: Error, sessionEnd: Error?) -> Error {
        guard let sessionEnd else {
            return operationError
        }
        if let error = operationError as? KazashiError {
            return error.isLinkFailure ? sessionEnd : error
        }
        if operationError is NfcError || operationError is CancellationError {
            return sessionEnd
        }
        return operationError
    }
}
