// Cost of one APDU round trip through the FFI: Kotlin calls a Rust flow, Rust calls back into
// a Kotlin suspend transceiver that answers from memory (no card work), Kotlin returns to Rust.
package jp.kazashi.tests

import jp.kazashi.CardSession
import jp.kazashi.LinkInfo
import jp.kazashi.NfcTransceiver
import jp.kazashi.PinKind
import kotlinx.coroutines.runBlocking

/** Answers SELECT with 90 00 and the retry query with 63 C3, without touching Rust. */
class CannedTransceiver : NfcTransceiver {
    var apdus = 0L
    private val ok = byteArrayOf(0x90.toByte(), 0x00)
    private val threeLeft = byteArrayOf(0x63, 0xC3.toByte())
    override fun linkInfo() = LinkInfo(true, 65546u)
    override suspend fun transceive(command: ByteArray): ByteArray {
        apdus++
        return if (command[1] == 0x20.toByte()) threeLeft else ok
    }
}

fun main() {
    val link = CannedTransceiver()
    CardSession(link).use { session ->
        runBlocking {
            repeat(1_000) { session.retryCounter(PinKind.AUTHENTICATION) } // warm-up
            link.apdus = 0
            val calls = 5_000
            val start = System.nanoTime()
            repeat(calls) { session.retryCounter(PinKind.AUTHENTICATION) }
            val elapsed = System.nanoTime() - start
            val perApdu = elapsed / 1000.0 / link.apdus
            println("FFI benchmark: $calls retry-counter flows, ${link.apdus} APDUs, %.1f µs per APDU round trip (Kotlin -> Rust -> Kotlin transceiver -> Rust -> Kotlin), %.1f µs per flow".format(perApdu, elapsed / 1000.0 / calls))
        }
    }
}
