package jp.kazashi.android

import android.nfc.tech.IsoDep
import jp.kazashi.CardSession
import jp.kazashi.ProgressListener
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.withContext

/**
 * Runs [block] with a [CardSession] over this tag, then closes the connection and frees the
 * session, however [block] ends. The result of [block] is returned; its exceptions (usually
 * `jp.kazashi.KazashiException`) are rethrown unchanged.
 *
 * One call is one tap: [block] may run several flows (read the status, then log in), all on the
 * same connection, which opens with the first command. Call it from any coroutine, including one on the main thread: the card I/O runs
 * on [dispatcher], and so does the session's creation (which reads the controller's capabilities).
 *
 * Cancelling the calling coroutine (the user left the screen) closes the connection, which aborts
 * a command in flight; the card then forgets any PIN verified during the tap.
 *
 * [progress] hears each flow's stages (card found, reading, checking the PIN counter, verifying
 * the PIN, signing, done) on the I/O thread: post them to the UI, e.g. with
 * `stage.userMessage(secret)` under the card picture.
 *
 * ```
 * // pin: CharArray, wiped by the call (PinEntry.kt)
 * val result = isoDep.withJpkiSession { session -> session.login(challenge, pin, false) }
 * ```
 */
suspend fun <T> IsoDep.withJpkiSession(
    dispatcher: CoroutineDispatcher = Dispatchers.IO,
    timeouts: TransceiveTimeouts = TransceiveTimeouts(),
    progress: ProgressListener? = null,
    block: suspend (CardSession) -> T,
): T = asIsoDepLink().withJpkiSession(dispatcher, timeouts, progress, block)

/** [IsoDep.withJpkiSession] over any [IsoDepLink] (a fake one in tests, for instance). */
suspend fun <T> IsoDepLink.withJpkiSession(
    dispatcher: CoroutineDispatcher = Dispatchers.IO,
    timeouts: TransceiveTimeouts = TransceiveTimeouts(),
    progress: ProgressListener? = null,
    block: suspend (CardSession) -> T,
): T {
    val link = this
    try {
        val session =
            withContext(dispatcher) {
                val transceiver = IsoDepTransceiver(link, dispatcher, timeouts)
                if (progress == null) CardSession(transceiver) else CardSession.withProgress(transceiver, progress)
            }
        // `use` frees the Rust session now rather than whenever the garbage collector runs.
        return session.use { block(it) }
    } finally {
        // NonCancellable: the connection must close even when we got here by cancellation.
        // From the dispatcher: closing from another thread is what aborts a blocked transceive.
        withContext(NonCancellable + dispatcher) {
            runCatching { link.close() }
        }
    }
}
