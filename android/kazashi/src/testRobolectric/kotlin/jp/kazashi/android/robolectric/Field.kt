package jp.kazashi.android.robolectric

import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import jp.kazashi.VirtualCard

/**
 * What lies on the phone during one test: a virtual card in the NFC field, and what the phone's
 * controller says it can carry. [FieldIsoDepShadow] answers every `IsoDep` of the test from here,
 * including the ones `jpkiTags()` builds from a dispatched `Tag`.
 *
 * It records what the production code did to the real `IsoDep` (commands, the timeout in force
 * for each, every `setTimeout`), so tests check the framework calls themselves.
 */
class Field(
    val card: VirtualCard,
    @Volatile var extendedLength: Boolean = true,
    @Volatile var maxTransceiveLength: Int = 65_279,
) {
    /** One command as the `IsoDep` saw it: a copy of the bytes and `IsoDep.getTimeout()` then. */
    class Exchange(val command: ByteArray, val timeoutMs: Int)

    val exchanges: MutableList<Exchange> = CopyOnWriteArrayList()

    /** Every value passed to `IsoDep.setTimeout`, in order. */
    val timeoutsSet: MutableList<Int> = CopyOnWriteArrayList()

    val connects = AtomicInteger()
    val closes = AtomicInteger()

    /**
     * Stands between the phone and the card: gets the command and a way to have the card answer
     * it, and returns the response or throws what `IsoDep.transceive` would (`TagLostException`,
     * `IOException`). The default lets the card answer.
     */
    @Volatile var between: (command: ByteArray, answer: () -> ByteArray) -> ByteArray = { _, answer -> answer() }

    fun respond(command: ByteArray): ByteArray = between(command) { card.process(command) }

    /** The VERIFY commands carrying a PIN that reached the `IsoDep`. */
    fun verifiesWithPin(): Int = exchanges.count { isVerifyWithPin(it.command) }

    companion object {
        /** The field of the running test; null when no card is near the phone. */
        @Volatile
        var current: Field? = null
    }
}

/** JPKI's COMPUTE DIGITAL SIGNATURE (CLA 80, INS 2A). */
fun isSignatureCommand(command: ByteArray) =
    command.size >= 2 && command[0] == 0x80.toByte() && command[1] == 0x2A.toByte()

/** VERIFY with data, i.e. carrying a PIN (a VERIFY without data only reads the counter). */
fun isVerifyWithPin(command: ByteArray) = command.size > 5 && command[1] == 0x20.toByte()

/**
 * Whether [command] uses the extended length form (ISO/IEC 7816-4 5.1): a zero byte after the
 * header followed by two length bytes. A short command is 4 bytes, or 5 + Lc (+ 1 for Le) with
 * a non-zero Lc, or 5 bytes with Le.
 */
fun isExtendedForm(command: ByteArray) = command.size >= 7 && command[4] == 0.toByte()
