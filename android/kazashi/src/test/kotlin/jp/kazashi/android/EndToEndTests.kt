package jp.kazashi.android

import android.nfc.TagLostException
import java.io.IOException
import java.util.Locale
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import jp.kazashi.CardSession
import jp.kazashi.CertificateKind
import jp.kazashi.DigestAlgorithm
import jp.kazashi.ErrorKind
import jp.kazashi.KazashiException
import jp.kazashi.LinkInfo
import jp.kazashi.NfcException
import jp.kazashi.NfcTransceiver
import jp.kazashi.PinKind
import jp.kazashi.Notice
import jp.kazashi.ProgressStage
import jp.kazashi.ProgressListener
import jp.kazashi.SignOptions
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.runInterruptible

// The whole stack: facade -> CardSession (Rust) -> IsoDepTransceiver -> fake IsoDep -> the
// virtual card's raw APDU interface. Signatures are checked with the JDK, not with the core.

private const val AUTH_PIN = "1234"
private const val SIGNING_PASSWORD = "ABC123"
private val CHALLENGE = "nonce from the relying party: 8f14e45fceea167a".toByteArray()
private val DOCUMENT = "申請書 / application form, version 1".toByteArray()

/** A virtual card behind a fake IsoDep; [intercept] may throw instead of (or after) answering. */
private fun cardLink(
    card: VirtualCard,
    extendedLength: Boolean = true,
    maxLength: Int = 65_279,
    intercept: (command: ByteArray, answer: () -> ByteArray) -> ByteArray = { _, answer -> answer() },
) = FakeIsoDepLink(extendedLength, maxLength) { command -> intercept(command) { card.process(command) } }

private fun assertSignatureTimeouts(link: FakeIsoDepLink) {
    val signatures = link.exchanges.filter { isSignatureCommand(it.command) }
    assertTrue(signatures.isNotEmpty()) { "no COMPUTE DIGITAL SIGNATURE was sent" }
    assertTrue(signatures.all { it.timeoutMs >= 5_000 }) { "80 2A ran with ${signatures.map { it.timeoutMs }} ms" }
    val others = link.exchanges.filterNot { isSignatureCommand(it.command) }.map { it.timeoutMs }.toSet()
    assertEquals(setOf(TransceiveTimeouts.DEFAULT_STANDARD_MS), others, "timeouts of the other commands")
}

val endToEndTests = listOf(
    test("tap to log in: the signature verifies with SHA256withRSA against the returned certificate") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = cardLink(card)
        val result = link.tapToLogin(CHALLENGE, AUTH_PIN.toCharArray())

        val certificate = x509(result.certificate.der)
        assertSha256WithRsa(certificate, CHALLENGE, result.signature)
        assertBytes(card.certificate(CertificateKind.AUTHENTICATION) ?: fail("no certificate"), certificate.encoded, "certificate")
        assertEquals(listOf("digitalSignature"), result.certificate.keyUsage, "key usage")
        assertEquals(listOf("1.3.6.1.5.5.7.3.2"), result.certificate.extendedKeyUsage, "extended key usage")
        assertTrue(result.certificate.validUntilJst.endsWith("+09:00")) { result.certificate.validUntilJst }
        assertSignatureTimeouts(link)
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a PIN")
        assertEquals(1, link.connectCalls, "connect() calls")
        assertTrue(!link.isOpen) { "the connection was left open" }
    },
    test("tap to sign: the document signature verifies with SHA256withRSA against the signing certificate") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = cardLink(card)
        val result = link.tapToSign(DOCUMENT, SIGNING_PASSWORD.toCharArray())

        val certificate = x509(result.certificate.der)
        assertSha256WithRsa(certificate, DOCUMENT, result.signature)
        assertEquals(DigestAlgorithm.SHA256, result.algorithm, "algorithm")
        assertEquals("平成2年", result.certificate.personal?.birthDateJapanese, "birth year in the Japanese calendar")
        assertEquals(listOf("digitalSignature", "nonRepudiation"), result.certificate.keyUsage, "key usage")
        assertBytes(card.certificate(CertificateKind.SIGNING) ?: fail("no certificate"), certificate.encoded, "certificate")
        assertSignatureTimeouts(link)
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a PIN")
        assertTrue(!link.isOpen) { "the connection was left open" }
    },
    test("several flows on one tap share one connection, all on the session's dispatcher") {
        val executor = Executors.newSingleThreadExecutor { Thread(it, "kazashi-test-nfc").apply { isDaemon = true } }
        try {
            val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
            val link = cardLink(card)
            link.withJpkiSession(dispatcher = executor.asCoroutineDispatcher()) { session ->
                assertEquals(3.toUByte(), session.status().authenticationPin.attemptsLeft, "attempts before")
                session.login(CHALLENGE, AUTH_PIN.toCharArray(), false)
            }
            assertEquals(1, link.connectCalls, "connect() calls")
            assertEquals(setOf("kazashi-test-nfc"), (link.ioThreads + link.capabilityThreads).toSet(), "threads")
        } finally {
            executor.shutdown()
        }
    },
    test("over a short-APDU-only link, every command fits in 261 bytes") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = cardLink(card, extendedLength = false, maxLength = 261)
        val result = link.tapToSign(DOCUMENT, SIGNING_PASSWORD.toCharArray())
        assertSha256WithRsa(x509(result.certificate.der), DOCUMENT, result.signature)
        assertTrue(link.exchanges.all { it.command.size <= 261 }) { "a command exceeded 261 bytes" }
    },
    test("a wrong PIN surfaces as WrongPin with the attempts left, after exactly one VERIFY") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val e = assertFailure(ErrorKind.WRONG_PIN) { cardLink(card).tapToLogin(CHALLENGE, "9999".toCharArray()) }
        assertEquals(2.toUByte(), e.attemptsLeft, "attempts left")
        assertEquals(PinKind.AUTHENTICATION, e.pin, "pin")
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a PIN")
        val asBase: KazashiException = e
        // The catalogue's sentence, in the asked language, never the core's English reason.
        assertEquals("Wrong PIN. 2 attempts left.", asBase.userMessage(Locale.ENGLISH), "English user message")
        assertEquals("利用者証明用暗証番号が違います。残り2回です", asBase.userMessage(Locale.JAPAN), "Japanese user message")
    },
    test("progress: withJpkiSession(progress = …) hears card found, reading, counter, verifying, signing, done, in order") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val stages = java.util.Collections.synchronizedList(mutableListOf<ProgressStage>())
        val listener = object : ProgressListener {
            override fun onProgress(stage: ProgressStage) {
                stages.add(stage)
            }
        }
        val result = cardLink(card).withJpkiSession(progress = listener) { session ->
            session.signDocument(DOCUMENT, DigestAlgorithm.SHA256, SIGNING_PASSWORD.toCharArray(), SignOptions())
        }
        assertSha256WithRsa(x509(result.certificate.der), DOCUMENT, result.signature)
        assertEquals(
            listOf(
                ProgressStage.CARD_FOUND, ProgressStage.READING_CERTIFICATE, ProgressStage.CHECKING_PIN_COUNTER,
                ProgressStage.VERIFYING_PIN, ProgressStage.SIGNING, ProgressStage.DONE,
            ),
            stages.toList(),
            "stages",
        )
        assertEquals("Signing. Keep the card still.", ProgressStage.SIGNING.userMessage(PinKind.SIGNING, Locale.ENGLISH), "stage text")
        assertEquals("パスワードを確認しています。カードを動かさないでください", ProgressStage.VERIFYING_PIN.userMessage(PinKind.SIGNING, Locale.JAPANESE), "stage text")
    },
    test("shortApdusOnly(): a link claiming extended length is driven with short APDUs, and the signature verifies") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = cardLink(card, extendedLength = true, maxLength = 65_546)
        val result = link.shortApdusOnly().tapToSign(DOCUMENT, SIGNING_PASSWORD.toCharArray())
        assertSha256WithRsa(x509(result.certificate.der), DOCUMENT, result.signature)
        assertTrue(link.exchanges.all { it.command.size <= 261 }) { "an extended APDU was sent" }
        assertTrue(link.exchanges.none { isExtendedApdu(it.command) }) { "an extended-length command was sent" }
    },
    test("a locked phone-token PIN points to the Myna Portal app; the notice names the back of the phone") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        repeat(3) { runCatching { cardLink(card).tapToLogin(CHALLENGE, "9999".toCharArray(), confirmLastAttempt = true) } }
        val e: KazashiException = assertFailure(ErrorKind.PIN_BLOCKED) { cardLink(card).tapToLogin(CHALLENGE, AUTH_PIN.toCharArray()) }
        assertTrue(e.userMessage(Locale.ENGLISH).contains("municipal office")) { e.userMessage(Locale.ENGLISH) }
        assertTrue(e.userMessage(Locale.ENGLISH, phoneToken = true).contains("Myna Portal")) { "phone token guidance" }
        assertTrue(Notice.HOLD_CARD.userMessage(Locale.ENGLISH).contains("back of your phone")) { "hold-card notice" }
    },
    test("one attempt left: LastAttemptNotConfirmed without any VERIFY, then success once confirmed") {
        val card = VirtualCard(VirtualCardProfile.AUTH_LAST_ATTEMPT)
        assertFailure(ErrorKind.LAST_ATTEMPT_NOT_CONFIRMED) { cardLink(card).tapToLogin(CHALLENGE, AUTH_PIN.toCharArray()) }
        assertEquals(0u, card.pinVerifications(), "VERIFYs before confirmation")
        val result = cardLink(card).tapToLogin(CHALLENGE, AUTH_PIN.toCharArray(), confirmLastAttempt = true)
        assertSha256WithRsa(x509(result.certificate.der), CHALLENGE, result.signature)
        assertEquals(1u, card.pinVerifications(), "VERIFYs after confirmation")
    },
    test("tag lost during the signature: ErrorKind.TAG_LOST, no extra VERIFY, connection closed") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = cardLink(card) { command, answer -> if (isSignatureCommand(command)) throw TagLostException() else answer() }
        assertFailure(ErrorKind.TAG_LOST) { link.tapToLogin(CHALLENGE, AUTH_PIN.toCharArray()) }
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a PIN")
        assertEquals(1, link.exchanges.count { isVerifyWithPin(it.command) }, "VERIFYs sent")
        assertTrue(!link.isOpen) { "the connection was left open" }
    },
    test("tag lost while the card checks the PIN: PinCheckInterrupted, the PIN is not re-sent") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = cardLink(card) { command, answer ->
            val response = answer()
            if (isVerifyWithPin(command)) throw TagLostException() else response
        }
        val e = assertFailure(ErrorKind.PIN_CHECK_INTERRUPTED) { link.tapToSign(DOCUMENT, SIGNING_PASSWORD.toCharArray()) }
        assertEquals(PinKind.SIGNING, e.pin, "pin")
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a PIN")
        assertTrue(link.exchanges.none { isSignatureCommand(it.command) }) { "signed after an interrupted VERIFY" }
    },
    test("a timeout on Android (TagLostException after IsoDep.timeout) is TAG_LOST with the tap-again advice, never Timeout") {
        // AOSP's NFC service throws TagLostException("Tag was lost.") when the card does not answer
        // within IsoDep.timeout: the shell cannot tell it from a card that left, and says so.
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = cardLink(card) { command, answer ->
            if (isSignatureCommand(command)) throw TagLostException("Tag was lost.") else answer()
        }
        val e = assertFailure(ErrorKind.TAG_LOST) { link.tapToSign(DOCUMENT, SIGNING_PASSWORD.toCharArray()) }
        val asBase: KazashiException = e
        val english = asBase.userMessage(Locale.ENGLISH)
        assertTrue(english.contains("moved away") && english.contains("Tap again")) { "tag-lost text: $english" }
        val japanese = asBase.userMessage(Locale.JAPANESE)
        assertTrue(japanese.contains("もう一度かざして")) { "tag-lost text: $japanese" }
    },
    test("linkInfo may throw (the FFI declares it throwing): the session still runs, over short APDUs") {
        // The FFI's NfcTransceiver.linkInfo() is `@Throws(NfcException::class)`: when it throws, the
        // core assumes a short-APDU link. IsoDepTransceiver does not rely on that (it falls back
        // itself); a custom transceiver may, with an NfcException or with any other exception.
        for (failure in listOf<Exception>(NfcException.Io("the NFC service died"), IllegalStateException("bug"))) {
            val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
            val link = cardLink(card, extendedLength = true, maxLength = 65_279)
            val inner = IsoDepTransceiver(link)
            val throwing = object : NfcTransceiver by inner {
                override fun linkInfo(): LinkInfo = throw failure
            }
            val result = try {
                CardSession(throwing).use { it.signDocument(DOCUMENT, DigestAlgorithm.SHA256, SIGNING_PASSWORD.toCharArray(), SignOptions()) }
            } finally {
                link.close()
            }
            assertSha256WithRsa(x509(result.certificate.der), DOCUMENT, result.signature)
            assertTrue(link.exchanges.all { it.command.size <= 261 }) {
                "${failure.javaClass.simpleName}: a command exceeded 261 bytes on the assumed short link"
            }
        }
    },
    test("cancelling a tap closes the connection, which aborts the command in flight") {
        val entered = CountDownLatch(1)
        val released = CountDownLatch(1)
        val link = FakeIsoDepLink {
            entered.countDown()
            if (!released.await(20, TimeUnit.SECONDS)) error("the blocked transceive was never released")
            throw IOException("Transceive failed")
        }
        link.onClose = { released.countDown() }
        coroutineScope {
            val tap = launch { link.tapToLogin(CHALLENGE, AUTH_PIN.toCharArray()) }
            runInterruptible(Dispatchers.IO) { check(entered.await(20, TimeUnit.SECONDS)) { "no command reached the link" } }
            tap.cancelAndJoin()
        }
        assertEquals(1, link.closeCalls, "close() calls")
        assertEquals(0L, released.count, "blocked transceive released")
    },
)
