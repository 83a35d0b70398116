package jp.kazashi.android

import java.io.IOException
import java.util.concurrent.CopyOnWriteArrayList

/**
 * An [IsoDepLink] without a phone: answers with [respond] (a fixed `90 00`, or a virtual card's
 * `process`), and records what the transceiver did to it so tests can check timeouts, threads,
 * connections and the exact bytes sent.
 *
 * It behaves like `IsoDep` where the transceiver depends on it: `transceive` on a closed link
 * throws `IllegalStateException`, a command longer than [maxLength] throws `IOException`, and
 * `close` resets the timeout.
 */
class FakeIsoDepLink(
    var extendedLength: Boolean = true,
    var maxLength: Int = 65_279,
    connected: Boolean = false,
    private val respond: (ByteArray) -> ByteArray = { byteArrayOf(0x90.toByte(), 0x00) },
) : IsoDepLink {
    /** One command as the link saw it: a copy of the bytes, the timeout in force, the thread. */
    class Exchange(val command: ByteArray, val timeoutMs: Int, val thread: String)

    val exchanges: MutableList<Exchange> = CopyOnWriteArrayList()

    /** The thread of every call except the capability getters. */
    val ioThreads: MutableList<String> = CopyOnWriteArrayList()

    /** The thread of every capability read. */
    val capabilityThreads: MutableList<String> = CopyOnWriteArrayList()

    @Volatile var connectCalls = 0
    @Volatile var closeCalls = 0

    /** Thrown by the next [connect], if set. */
    var connectFailure: Exception? = null

    /** Thrown by the capability getters, if set (the NFC service died). */
    var capabilityFailure: RuntimeException? = null

    /** Runs inside [close], e.g. to release a transceive blocked in a test. */
    var onClose: () -> Unit = {}

    @Volatile private var open = connected
    @Volatile private var currentTimeout = ANDROID_DEFAULT_TIMEOUT_MS

    override fun connect() {
        touch()
        connectFailure?.let { throw it }
        connectCalls++
        open = true
    }

    override val isConnected: Boolean
        get() {
            touch()
            return open
        }

    override fun close() {
        touch()
        closeCalls++
        open = false
        currentTimeout = ANDROID_DEFAULT_TIMEOUT_MS
        onClose()
    }

    override var timeout: Int
        get() {
            touch()
            return currentTimeout
        }
        set(value) {
            touch()
            currentTimeout = value
        }

    override val maxTransceiveLength: Int
        get() = capability { maxLength }

    override val isExtendedLengthApduSupported: Boolean
        get() = capability { extendedLength }

    override fun transceive(command: ByteArray): ByteArray {
        touch()
        check(open) { "Call connect() first!" }
        exchanges += Exchange(command.copyOf(), currentTimeout, Thread.currentThread().name)
        if (maxLength > 0 && command.size > maxLength) throw IOException("Transceive length exceeds supported maximum")
        return respond(command)
    }

    /** The timeout currently set, without recording a call. */
    val timeoutNow: Int get() = currentTimeout

    val isOpen: Boolean get() = open

    private fun touch() {
        ioThreads += Thread.currentThread().name
    }

    private fun <T> capability(read: () -> T): T {
        capabilityThreads += Thread.currentThread().name
        capabilityFailure?.let { throw it }
        return read()
    }

    companion object {
        /** Roughly what a phone starts with; shorter than any limit the transceiver sets. */
        const val ANDROID_DEFAULT_TIMEOUT_MS = 300
    }
}
