package jp.kazashi.android

/**
 * This link, reported to the library as carrying short APDUs only (261 bytes, no extended
 * length), whatever the controller claims.
 *
 * Why: some phones report `isExtendedLengthApduSupported` and then drop the link on the first
 * extended command. The library falls back to short reads when the *card* refuses an extended
 * command (`6700`), but when the phone's controller fails it, that tap ends (`TAG_LOST` or `LINK`;
 * nothing is re-sent, so a VERIFY is never repeated). An app that saw this on a phone, or knows its
 * users' phones, runs the next tap in short mode. Reading a certificate then takes a few more
 * commands (about 8 instead of 1); nothing else changes.
 *
 * ```
 * isoDep.asIsoDepLink().shortApdusOnly().withJpkiSession { session -> session.status() }
 * ```
 */
fun IsoDepLink.shortApdusOnly(): IsoDepLink = ShortApduLink(this)

private class ShortApduLink(private val inner: IsoDepLink) : IsoDepLink by inner {
    override val maxTransceiveLength: Int
        get() = minOf(inner.maxTransceiveLength, SHORT_APDU_MAX)

    override val isExtendedLengthApduSupported: Boolean
        get() = false
}

/** The largest short APDU response: 256 data bytes and the status word, plus header room. */
private const val SHORT_APDU_MAX: Int = 261
