package jp.kazashi.sample

import jp.kazashi.CardSession
import jp.kazashi.ProgressListener
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

// Compiled only into a sample built with the testing artifact (`-Pkazashi.ffiFeatures=testing`):
// the shipping AAR has no VirtualCard. src/noVirtualCard holds the other half of this switch.

/** The virtual card of this build: one card for the app's lifetime, so its PIN counters persist. */
object VirtualCards {
    /** Whether this build carries the virtual card (the switch is shown only then). */
    const val AVAILABLE: Boolean = true

    /** A card as issued: authentication PIN 1234, signing password ABC123, all attempts left. */
    fun create(): CardAccess = VirtualCardAccess(VirtualCard(VirtualCardProfile.PHYSICAL_CARD))
}

/**
 * The bindings' VirtualCard is itself an `NfcTransceiver`: the session talks to it directly, with
 * the same progress listener and the same flows as over a tag, on the I/O dispatcher (the card's RSA
 * runs on the calling thread, as the real card's would keep the radio busy).
 */
class VirtualCardAccess(val card: VirtualCard) : CardAccess {
    override suspend fun <T> session(progress: ProgressListener, block: suspend (CardSession) -> T): T =
        withContext(Dispatchers.IO) {
            CardSession.withProgress(card, progress).use { block(it) }
        }
}
