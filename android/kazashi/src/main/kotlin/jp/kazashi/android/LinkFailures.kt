package jp.kazashi.android

import android.nfc.TagLostException
import java.io.IOException
import jp.kazashi.NfcException

/**
 * What an [IsoDepLink] call threw, as the [NfcException] the Rust core understands, or `null` when
 * it is not a link failure (a bug, left to surface as it is).
 *
 * The core reacts differently to a lost card (`TagLost`: "tap again") and to other link failures
 * (`Io`), and if the failure happens during VERIFY it reports that the attempt may have been
 * counted. So the mapping matters:
 *
 * - `TagLostException`: the card left the field.
 * - `SecurityException`: Android says the `Tag` is "out of date" when the card left and was
 *   rediscovered (or the app kept a stale tag). For the user that is a lost card too.
 * - `IllegalStateException`: `IsoDep` is not connected, typically because it was closed (which is
 *   how an operation is aborted from outside). The card's state is gone; reported as `Io`.
 * - any other `IOException` (e.g. "Transceive failed", which is also how Android reports a timeout):
 *   `Io`, with the platform's message. Android cannot tell a timeout apart from other failures, so
 *   `NfcException.Timeout` is never produced here.
 *
 * None of these messages carries APDU bytes, so nothing secret reaches the core's error text.
 */
internal fun linkFailure(e: Exception): NfcException? =
    when (e) {
        is TagLostException -> NfcException.TagLost()
        is SecurityException -> NfcException.TagLost()
        is IllegalStateException -> NfcException.Io("the NFC connection is closed (${describe(e)})")
        is IOException -> NfcException.Io(describe(e))
        else -> null
    }

private fun describe(e: Exception): String = e.message?.takeIf { it.isNotBlank() } ?: e.javaClass.simpleName
