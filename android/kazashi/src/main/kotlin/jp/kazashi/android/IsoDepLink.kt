package jp.kazashi.android

import java.io.IOException

/**
 * The calls Kazashi makes on an [android.nfc.tech.IsoDep], and no others.
 *
 * `IsoDep` is a final framework class whose every call goes to the NFC service, so code written
 * directly against it can only be exercised on a phone with a card in the field. Everything built
 * on this interface instead (timeouts, error mapping, threading, the session facade) is unit-tested
 * on a desktop JVM with a fake link. [asIsoDepLink] adapts the real class.
 *
 * The members mirror `IsoDep` one for one, with the same meaning. Any of them may block on a
 * binder call or on the radio, so callers run them off the main thread.
 */
interface IsoDepLink {
    /** Opens the ISO-DEP connection to the tag (`IsoDep.connect`). */
    @Throws(IOException::class)
    fun connect()

    /** Whether the connection is open and the tag still answers (`IsoDep.isConnected`). */
    val isConnected: Boolean

    /**
     * Closes the connection (`IsoDep.close`). Called from another thread it aborts a blocked
     * [transceive] with an `IOException`; it also resets [timeout].
     */
    @Throws(IOException::class)
    fun close()

    /** How long [transceive] waits for the card, in milliseconds (`IsoDep.timeout`). */
    var timeout: Int

    /** The largest APDU the controller carries, in bytes (`IsoDep.maxTransceiveLength`). */
    val maxTransceiveLength: Int

    /** Whether the controller carries extended-length APDUs (`IsoDep.isExtendedLengthApduSupported`). */
    val isExtendedLengthApduSupported: Boolean

    /** Sends one command APDU and returns the response, status word included (`IsoDep.transceive`). */
    @Throws(IOException::class)
    fun transceive(command: ByteArray): ByteArray
}
