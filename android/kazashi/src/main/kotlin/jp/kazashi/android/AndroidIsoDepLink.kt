package jp.kazashi.android

import android.nfc.tech.IsoDep

/**
 * This tag as an [IsoDepLink], the form [IsoDepTransceiver] and [withJpkiSession] work with.
 *
 * A thin pass-through: it adds no behaviour, so that all the behaviour stays where a desktop
 * test can reach it.
 */
fun IsoDep.asIsoDepLink(): IsoDepLink = AndroidIsoDepLink(this)

/** [IsoDepLink] over the real framework class: every member forwards to the same `IsoDep` call. */
private class AndroidIsoDepLink(private val isoDep: IsoDep) : IsoDepLink {
    override fun connect() = isoDep.connect()

    override val isConnected: Boolean
        get() = isoDep.isConnected

    override fun close() = isoDep.close()

    override var timeout: Int
        get() = isoDep.timeout
        set(value) {
            isoDep.timeout = value
        }

    override val maxTransceiveLength: Int
        get() = isoDep.maxTransceiveLength

    override val isExtendedLengthApduSupported: Boolean
        get() = isoDep.isExtendedLengthApduSupported

    override fun transceive(command: ByteArray): ByteArray = isoDep.transceive(command)
}
