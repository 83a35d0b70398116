package jp.kazashi.android

import android.nfc.TagLostException
import java.io.IOException
import java.util.concurrent.Executors
import jp.kazashi.LinkInfo
import jp.kazashi.NfcException
import kotlinx.coroutines.asCoroutineDispatcher

// The transceiver alone, over a fake link: no Rust involved except the generated types.
// The commands are fresh arrays on every use: the transceiver wipes the array it is given.

private val SELECT_JPKI: ByteArray get() = bytes(0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01)
private val READ_BINARY: ByteArray get() = bytes(0x00, 0xB0, 0x00, 0x00, 0x00)
private val COMPUTE_SIGNATURE: ByteArray get() = bytes(0x80, 0x2A, 0x00, 0x80, 0x03, 0x01, 0x02, 0x03, 0x00)
private val STANDARD = TransceiveTimeouts.DEFAULT_STANDARD_MS

val transceiverTests = listOf(
    test("the command array is wiped once the card answered, and when the link failed") {
        val verify = bytes(0x00, 0x20, 0x00, 0x81, 0x04, 0x38, 0x32, 0x36, 0x34)
        val link = FakeIsoDepLink()
        IsoDepTransceiver(link).transceive(verify)
        assertEquals(bytes(0x00, 0x20, 0x00, 0x81, 0x04, 0x38, 0x32, 0x36, 0x34).toList(), link.exchanges[0].command.toList(), "what the card got")
        assertTrue(verify.all { it == 0.toByte() }) { "the command array still holds ${verify.count { it != 0.toByte() }} bytes" }

        val lost = bytes(0x00, 0x20, 0x00, 0x81, 0x04, 0x38, 0x32, 0x36, 0x34)
        val failing = FakeIsoDepLink { throw TagLostException() }
        assertThrows<NfcException.TagLost> { IsoDepTransceiver(failing).transceive(lost) }
        assertTrue(lost.all { it == 0.toByte() }) { "the command array survived a lost tag" }
    },
    test("80 2A runs with a timeout of at least 5 s; other commands with the standard one, restored after") {
        val link = FakeIsoDepLink()
        val transceiver = IsoDepTransceiver(link)
        transceiver.transceive(SELECT_JPKI)
        transceiver.transceive(COMPUTE_SIGNATURE)
        transceiver.transceive(READ_BINARY)
        val seen = link.exchanges.map { it.timeoutMs }
        assertTrue(seen[1] >= 5_000) { "80 2A ran with a ${seen[1]} ms timeout" }
        assertEquals(listOf(STANDARD, TransceiveTimeouts.DEFAULT_SIGNATURE_MS, STANDARD), seen, "timeouts per command")
        assertEquals(STANDARD, link.timeoutNow, "timeout after the flow")
    },
    test("the timeout is restored when the signature command fails") {
        val link = FakeIsoDepLink { command -> if (isSignatureCommand(command)) throw TagLostException() else bytes(0x90, 0x00) }
        val transceiver = IsoDepTransceiver(link)
        transceiver.transceive(SELECT_JPKI)
        assertThrows<NfcException.TagLost> { transceiver.transceive(COMPUTE_SIGNATURE) }
        assertEquals(STANDARD, link.timeoutNow, "timeout after the failed signature")
    },
    test("custom timeouts are used; a signature limit under 5 s is refused") {
        val link = FakeIsoDepLink()
        val transceiver = IsoDepTransceiver(link, timeouts = TransceiveTimeouts(standardMs = 1_500, signatureMs = 20_000))
        transceiver.transceive(SELECT_JPKI)
        transceiver.transceive(COMPUTE_SIGNATURE)
        assertEquals(listOf(1_500, 20_000), link.exchanges.map { it.timeoutMs }, "timeouts per command")
        assertThrows<IllegalArgumentException> { TransceiveTimeouts(signatureMs = 4_999) }
    },
    test("connects before the first command only, and not at all when the app already connected") {
        val fresh = FakeIsoDepLink()
        val transceiver = IsoDepTransceiver(fresh)
        repeat(3) { transceiver.transceive(READ_BINARY) }
        assertEquals(1, fresh.connectCalls, "connect() calls")

        val alreadyOpen = FakeIsoDepLink(connected = true)
        IsoDepTransceiver(alreadyOpen).transceive(READ_BINARY)
        assertEquals(0, alreadyOpen.connectCalls, "connect() calls on an open link")
    },
    test("linkInfo reports the controller's extended-length support and maximum length") {
        assertEquals(LinkInfo(true, 65_279u), IsoDepTransceiver(FakeIsoDepLink(true, 65_279)).linkInfo(), "extended")
        assertEquals(LinkInfo(false, 261u), IsoDepTransceiver(FakeIsoDepLink(false, 261)).linkInfo(), "short only")
        assertEquals(LinkInfo(false, 1_024u), IsoDepTransceiver(FakeIsoDepLink(false, 1_024)).linkInfo(), "long but short APDUs")
    },
    test("linkInfo falls back to short APDUs when the NFC service does not answer, and never throws") {
        assertEquals(LinkInfo(false, 261u), IsoDepTransceiver(FakeIsoDepLink(true, 0)).linkInfo(), "service gone (0)")
        val dying = FakeIsoDepLink().apply { capabilityFailure = SecurityException("Permission Denial: Tag is out of date") }
        assertEquals(LinkInfo(false, 261u), IsoDepTransceiver(dying).linkInfo(), "getter threw")
    },
    test("TagLostException becomes NfcException.TagLost") {
        val link = FakeIsoDepLink { throw TagLostException("Tag was lost.") }
        assertThrows<NfcException.TagLost> { IsoDepTransceiver(link).transceive(READ_BINARY) }
    },
    test("SecurityException (tag out of date) becomes NfcException.TagLost") {
        val link = FakeIsoDepLink { throw SecurityException("Permission Denial: Tag ( ID: 01 02 03 04 ) is out of date") }
        assertThrows<NfcException.TagLost> { IsoDepTransceiver(link).transceive(READ_BINARY) }
    },
    test("another IOException becomes NfcException.Io with the platform's message") {
        val link = FakeIsoDepLink { throw IOException("Transceive failed") }
        val e = assertThrows<NfcException.Io> { IsoDepTransceiver(link).transceive(READ_BINARY) }
        assertEquals("Transceive failed", e.reason, "reason")
    },
    test("a failing connect is mapped the same way") {
        val lost = FakeIsoDepLink().apply { connectFailure = TagLostException() }
        assertThrows<NfcException.TagLost> { IsoDepTransceiver(lost).transceive(READ_BINARY) }
        val broken = FakeIsoDepLink().apply { connectFailure = IOException("connect failed") }
        val e = assertThrows<NfcException.Io> { IsoDepTransceiver(broken).transceive(READ_BINARY) }
        assertEquals("connect failed", e.reason, "reason")
    },
    test("a connection closed mid-flow becomes NfcException.Io, without reconnecting") {
        val link = FakeIsoDepLink()
        val transceiver = IsoDepTransceiver(link)
        transceiver.transceive(SELECT_JPKI)
        link.close()
        assertThrows<NfcException.Io> { transceiver.transceive(READ_BINARY) }
        assertEquals(1, link.connectCalls, "connect() calls")
        assertEquals(1, link.exchanges.size, "commands that reached the card")
    },
    test("an exception that is not a link failure is not disguised as one") {
        val link = FakeIsoDepLink { throw IllegalArgumentException("bug in a custom link") }
        assertThrows<IllegalArgumentException> { IsoDepTransceiver(link).transceive(READ_BINARY) }
    },
    test("every link call runs on the injected dispatcher's thread, not the caller's") {
        val executor = Executors.newSingleThreadExecutor { Thread(it, "kazashi-test-nfc").apply { isDaemon = true } }
        try {
            val link = FakeIsoDepLink()
            val transceiver = IsoDepTransceiver(link, dispatcher = executor.asCoroutineDispatcher())
            transceiver.transceive(SELECT_JPKI)
            transceiver.transceive(COMPUTE_SIGNATURE)
            val caller = Thread.currentThread().name
            assertTrue(link.ioThreads.isNotEmpty()) { "no link call recorded" }
            assertEquals(setOf("kazashi-test-nfc"), link.ioThreads.toSet(), "threads of the link calls")
            assertTrue(caller !in link.ioThreads) { "a link call ran on the caller's thread $caller" }
        } finally {
            executor.shutdown()
        }
    },
    test("commands and responses pass through byte for byte") {
        val command = ByteArray(5 + 256) { it.toByte() }.also { it[0] = 0x00; it[1] = 0xD6.toByte() }
        val response = ByteArray(258) { (255 - it).toByte() }.also { it[256] = 0x90.toByte(); it[257] = 0x00 }
        var received: ByteArray? = null
        val link = FakeIsoDepLink { received = it; response }
        val answer = IsoDepTransceiver(link).transceive(command)
        assertBytes(command, received ?: fail("the link got nothing"), "command at the link")
        assertBytes(response, answer, "response to the core")
    },
    test("a failed command is not retried") {
        val link = FakeIsoDepLink { throw IOException("Transceive failed") }
        assertThrows<NfcException.Io> { IsoDepTransceiver(link).transceive(READ_BINARY) }
        assertEquals(1, link.exchanges.size, "attempts")
    },
)
