package jp.kazashi.android

import jp.kazashi.LinkInfo
import jp.kazashi.NfcException
import jp.kazashi.NfcTransceiver
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext

/**
 * The Rust core's [NfcTransceiver] over one ISO-DEP connection: how Kazashi talks to a card on
 * Android.
 *
 * Most apps never build one: [withJpkiSession] does. Build it directly to hand a [jp.kazashi.CardSession]
 * a link of your own (e.g. a custom [IsoDepLink]). One transceiver serves one tap.
 *
 * What it guarantees, and why:
 * - **Never on the main thread.** `IsoDep.transceive` blocks until the card answers; every link call
 *   made by [transceive] runs inside `withContext(dispatcher)`.
 * - **Connects once, never reconnects.** The first command opens the connection if the app has not.
 *   If it later drops, the failure is reported rather than papered over with a new connection: a
 *   reconnected card has forgotten the verified PIN and the selected application.
 * - **A long enough timeout for the signature** (see [TransceiveTimeouts]), restored afterwards.
 * - **Failures the core understands** (see [linkFailure]): a lost card surfaces to the app as
 *   `ErrorKind.TAG_LOST`, or as `PIN_CHECK_INTERRUPTED` if it happened during VERIFY.
 * - **No retries and no traces.** Each command is sent exactly once, so a VERIFY (which carries the
 *   PIN and spends an attempt when wrong) is never repeated behind the user's back; command bytes
 *   are neither logged nor kept, and the command array is overwritten with zeros once the card
 *   has answered (or the link failed).
 * - **One command at a time**, even if misused from several coroutines: `IsoDep` is not meant for
 *   concurrent calls, and the timeout switch must not interleave with another command.
 *
 * @param link the connection, usually `isoDep.asIsoDepLink()`.
 * @param dispatcher where the blocking link calls run; `Dispatchers.IO` unless you have a
 *   dedicated NFC thread.
 * @param timeouts the card's time limits.
 */
class IsoDepTransceiver(
    private val link: IsoDepLink,
    private val dispatcher: CoroutineDispatcher = Dispatchers.IO,
    private val timeouts: TransceiveTimeouts = TransceiveTimeouts(),
) : NfcTransceiver {
    private val exclusive = Mutex()

    // Guarded by [exclusive].
    private var prepared = false

    /**
     * The controller's capabilities, read when a `CardSession` is created.
     *
     * Rust calls this synchronously on the thread that creates the session, so it cannot switch
     * dispatchers: [withJpkiSession] creates the session on [dispatcher] for that reason. Both values
     * come from the NFC service, not from the card, and need no connection.
     *
     * The FFI declares `linkInfo()` as throwing (`@Throws(NfcException::class)`): when it throws,
     * the session assumes a short-APDU link (261 bytes), and an unexpected exception crossing the
     * FFI is turned into an `NfcException` the same way. This implementation does not rely on that:
     * when the service does not answer (a maximum of 0, or a getter throwing, e.g.
     * `SecurityException` for a stale tag) it returns the same short-APDU link itself, which every
     * card and phone supports, so the fallback is decided and tested here.
     */
    override fun linkInfo(): LinkInfo =
        try {
            val max = link.maxTransceiveLength
            if (max <= 0) {
                // What IsoDep reports when the NFC service did not answer.
                shortApduOnly()
            } else {
                LinkInfo(extendedLength = link.isExtendedLengthApduSupported, maxTransceiveLength = max.toUInt())
            }
        } catch (e: RuntimeException) {
            shortApduOnly()
        }

    /**
     * Sends [command] once and returns the card's response, both byte for byte. [command] is
     * zeroed afterwards: it is this side's copy of what may be a PIN.
     *
     * @throws NfcException.TagLost when the card left the field.
     * @throws NfcException.Io for any other link failure.
     */
    override suspend fun transceive(command: ByteArray): ByteArray =
        withContext(dispatcher) {
            exclusive.withLock {
                try {
                    prepareOnce()
                    if (isComputeDigitalSignature(command)) {
                        withSignatureTimeout { link.transceive(command) }
                    } else {
                        link.transceive(command)
                    }
                } catch (e: Exception) {
                    throw linkFailure(e) ?: e
                } finally {
                    // Our copy of a VERIFY or CHANGE carries the PIN: wipe it as soon as the
                    // card has answered (the library wipes its own side of the buffer).
                    command.fill(0)
                }
            }
        }

    /** Opens the connection unless the app already did, and sets the standard timeout. */
    private fun prepareOnce() {
        if (prepared) return
        if (!link.isConnected) link.connect()
        link.timeout = timeouts.standardMs
        prepared = true
    }

    private inline fun <T> withSignatureTimeout(exchange: () -> T): T {
        val previous = link.timeout
        link.timeout = timeouts.signatureMs
        try {
            return exchange()
        } finally {
            try {
                link.timeout = previous
            } catch (e: RuntimeException) {
                // The tag is gone (stale-tag SecurityException): the exchange's own outcome is
                // what the caller needs to see, and the next command will report the loss anyway.
            }
        }
    }

    private companion object {
        /** The longest short APDU: 5-byte header, 255 data bytes, Le (ISO/IEC 7816-4). */
        const val SHORT_APDU_MAX = 261

        // A new instance each time: LinkInfo's properties are mutable.
        fun shortApduOnly() = LinkInfo(extendedLength = false, maxTransceiveLength = SHORT_APDU_MAX.toUInt())
    }
}
