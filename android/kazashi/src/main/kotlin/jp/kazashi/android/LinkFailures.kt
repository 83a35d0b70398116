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
 * - `TagLostException`: the card left the field, **or the card did not answer in time**. AOSP's NFC
 *   service reports a transceive timeout as `TagLostException`: when no answer arrives within
 *   `IsoDep.timeout`, `nativeNfcTag_doTransceive` (packages/apps/Nfc, `NativeNfcTag.cpp`: "wait
 *   response timeout") sets its target-lost flag, the service answers `RESULT_TAGLOST`, and
 *   `IsoDep.transceive` throws `TagLostException("Tag was lost.")`. So on Android a timeout looks
 *   exactly like a card that left the field, and `NfcException.Timeout` is never produced here: the user is told what a lost card tells them,
 *   "hold the card still and tap again" (`ErrorKind.TAG_LOST`), or, during VERIFY, that the PIN
 *   attempt may have counted (`PIN_CHECK_INTERRUPTED`). That is also the right advice for a timeout:
 *   a card that stops answering has almost always slipped out of the field. [TransceiveTimeouts]
 *   keeps the limits long enough that a card still in the field does not time out.
 * - `SecurityException`: Android says the `Tag` is "out of date" when the card left and was
 *   rediscovered (or the app kept a stale tag). For the user that is a lost card too.
 * - `IllegalStateException`: `IsoDep` is not connected, typically because it was closed (which is
 *   how an operation is aborted from outside). The card's state is gone; reported as `Io`.
 * - any other `IOException` (e.g. "Transceive failed": the controller reported an error other than a
 *   timeout, such as a transmission error or a command longer than the controller takes): `Io`,
 *   with the platform's message.
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
