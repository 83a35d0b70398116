package jp.kazashi.sample

import jp.kazashi.CardSession
import jp.kazashi.ProgressListener
import jp.kazashi.android.IsoDepLink
import jp.kazashi.android.withJpkiSession

/**
 * Where the card of the next flow is: a tapped tag, or (in a build with the testing artifact) the
 * virtual card. The controller runs the same flows over either, so the virtual-card switch
 * exercises exactly the code a tap runs, minus the radio.
 */
interface CardAccess {
    /** Runs [block] on a session that reports its stages to [progress], then frees the session. */
    suspend fun <T> session(progress: ProgressListener, block: suspend (CardSession) -> T): T
}

/** A tapped card (`jpkiTags()` gives the `IsoDep`; `asIsoDepLink()` wraps it). */
class TagAccess(private val link: IsoDepLink) : CardAccess {
    override suspend fun <T> session(progress: ProgressListener, block: suspend (CardSession) -> T): T =
        link.withJpkiSession(progress = progress, block = block)
}
