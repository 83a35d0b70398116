package jp.kazashi.android

import java.io.IOException
import jp.kazashi.CardSession
import jp.kazashi.CertificateKind
import jp.kazashi.DigestAlgorithm
import jp.kazashi.ErrorKind
import jp.kazashi.PinKind
import jp.kazashi.SignOptions
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile

// PINs as CharArray (PinEntry.kt): the bytes handed on are the entry's UTF-8, both they and the
// caller's array are zeros afterwards on every path, and a full-width entry never reaches the card.
// Signatures are checked with the JDK; the virtual card counts what it received.

private val CHALLENGE = "nonce from the relying party: 0cc175b9c0f1b6a8".toByteArray()
private val DOCUMENT = "申請書 / application form, version 2".toByteArray()

private fun assertWiped(chars: CharArray, what: String) =
    assertTrue(chars.all { it == '\u0000' }) { "$what was not wiped: ${chars.size} chars, ${chars.count { it != '\u0000' }} non-zero" }

private fun assertWiped(bytes: ByteArray, what: String) =
    assertTrue(bytes.all { it == 0.toByte() }) { "$what was not wiped: ${bytes.hex()}" }

/** The data field of a short VERIFY (`00 20 00 80 Lc data`). */
private fun verifyData(command: ByteArray): ByteArray = command.copyOfRange(5, 5 + (command[4].toInt() and 0xFF))

val pinEntryTests = listOf(
    test("withSecretBytes hands on the entry's UTF-8 bytes (ASCII, full-width, a surrogate pair), then zeroes them and the caller's array") {
        for (entry in listOf("1234", "ABC123", "１２３４", "ＡＢＣ１２３", "12\uD842\uDFB74")) {
            val chars = entry.toCharArray()
            var seen: ByteArray? = null
            val size = withSecretBytes(chars) { bytes ->
                assertBytes(entry.toByteArray(Charsets.UTF_8), bytes, "bytes of <$entry>")
                assertTrue(chars.contentEquals(entry.toCharArray())) { "the caller's array changed before the call" }
                seen = bytes
                bytes.size
            }
            val handed = seen ?: fail("the block never ran")
            assertEquals(entry.toByteArray(Charsets.UTF_8).size, size, "the block's result")
            assertWiped(handed, "the ByteArray handed to the block for <$entry>")
            assertWiped(chars, "the caller's array for <$entry>")
        }
    },
    test("withSecretBytes zeroes both arrays when the block throws, and the exception comes through unchanged") {
        val chars = "ABC123".toCharArray()
        var seen: ByteArray? = null
        val thrown = IllegalStateException("from the block")
        val e = assertThrows<IllegalStateException> {
            withSecretBytes(chars) { bytes ->
                seen = bytes
                throw thrown
            }
        }
        assertTrue(e === thrown) { "another exception came out: $e" }
        assertWiped(seen ?: fail("the block never ran"), "the ByteArray handed to the block")
        assertWiped(chars, "the caller's array")
    },
    test("an unpaired surrogate is encoded as '?', which no secret allows: INVALID_PIN_FORMAT, nothing sent") {
        val chars = charArrayOf('1', '2', '\uD800', '4')
        withSecretBytes(chars) { bytes -> assertBytes("12?4".toByteArray(), bytes, "replacement") }
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val entry = charArrayOf('1', '2', '\uD800', '4')
        CardSession(card).use { session ->
            assertFailure(ErrorKind.INVALID_PIN_FORMAT) { session.login(CHALLENGE, entry, false) }
            assertEquals(0u, session.counts().apdus, "APDUs exchanged")
        }
        assertWiped(entry, "the caller's array")
        assertEquals(0uL, card.commandsProcessed(), "commands the card processed")
    },
    test("CardSession.login with a CharArray PIN: the signature verifies with SHA256withRSA, the caller's array is zeros") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val pin = "1234".toCharArray()
        val result = CardSession(card).use { it.login(CHALLENGE, pin, false) }
        assertWiped(pin, "the PIN array after a successful log-in")
        val certificate = x509(result.certificate.der)
        assertBytes(card.certificate(CertificateKind.AUTHENTICATION) ?: fail("no certificate"), certificate.encoded, "certificate")
        assertSha256WithRsa(certificate, CHALLENGE, result.signature)
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a PIN")
        assertEquals(3.toUByte(), card.attemptsLeft(PinKind.AUTHENTICATION), "attempts left after the right PIN")
    },
    test("CardSession.login with a wrong CharArray PIN: WRONG_PIN, one attempt spent, the caller's array is zeros") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val pin = "9999".toCharArray()
        val e = CardSession(card).use { session -> assertFailure(ErrorKind.WRONG_PIN) { session.login(CHALLENGE, pin, false) } }
        assertWiped(pin, "the PIN array after a wrong PIN")
        assertEquals(2.toUByte(), e.attemptsLeft, "attempts left")
        assertEquals(2.toUByte(), card.attemptsLeft(PinKind.AUTHENTICATION), "the card's counter")
    },
    test("a full-width PIN １２３４ and password ＡＢＣ１２３: INVALID_PIN_FORMAT with zero APDUs exchanged, arrays zeroed") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val pin = "１２３４".toCharArray()
        val password = "ＡＢＣ１２３".toCharArray()
        CardSession(card).use { session ->
            val e = assertFailure(ErrorKind.INVALID_PIN_FORMAT) { session.login(CHALLENGE, pin, false) }
            assertEquals(PinKind.AUTHENTICATION, e.pin, "pin")
            val s = assertFailure(ErrorKind.INVALID_PIN_FORMAT) {
                session.signDocument(DOCUMENT, DigestAlgorithm.SHA256, password, SignOptions())
            }
            assertEquals(PinKind.SIGNING, s.pin, "pin")
            val counts = session.counts()
            assertEquals(0u, counts.apdus, "APDUs the session exchanged")
            assertEquals(0uL, counts.bytesSent, "bytes the session sent")
        }
        assertWiped(pin, "the full-width PIN array")
        assertWiped(password, "the full-width password array")
        assertEquals(0uL, card.commandsProcessed(), "commands the card processed")
        assertEquals(3.toUByte(), card.attemptsLeft(PinKind.AUTHENTICATION), "authentication attempts left")
        assertEquals(5.toUByte(), card.attemptsLeft(PinKind.SIGNING), "signing attempts left")
    },
    test("tapToLogin with a CharArray: the VERIFY carries exactly the PIN's ASCII bytes; the array is zeros; the signature verifies") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = FakeIsoDepLink { command -> card.process(command) }
        val pin = "1234".toCharArray()
        val result = link.tapToLogin(CHALLENGE, pin)
        assertWiped(pin, "the PIN array")
        val verifies = link.exchanges.filter { isVerifyWithPin(it.command) }
        assertEquals(1, verifies.size, "VERIFYs sent")
        assertBytes("1234".toByteArray(Charsets.US_ASCII), verifyData(verifies.single().command), "VERIFY data")
        assertSha256WithRsa(x509(result.certificate.der), CHALLENGE, result.signature)
    },
    test("tapToSign with a full-width password: INVALID_PIN_FORMAT, nothing reaches the link, the array is zeros") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = FakeIsoDepLink { command -> card.process(command) }
        val password = "ＡＢＣ１２３".toCharArray()
        assertFailure(ErrorKind.INVALID_PIN_FORMAT) { link.tapToSign(DOCUMENT, password) }
        assertWiped(password, "the password array")
        assertEquals(0, link.exchanges.size, "APDUs on the link")
        assertEquals(0uL, card.commandsProcessed(), "commands the card processed")
    },
    test("a tap that fails before the card is reached (connect() throws) still zeroes the caller's array") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = FakeIsoDepLink { command -> card.process(command) }
        link.connectFailure = IOException("the NFC service is gone")
        val pin = "1234".toCharArray()
        val outcome = runCatching { link.tapToLogin(CHALLENGE, pin) }
        assertTrue(outcome.isFailure) { "the tap succeeded without a connection" }
        assertWiped(pin, "the PIN array")
        assertEquals(0u, card.pinVerifications(), "VERIFYs carrying a PIN")
    },
    test("changePin with CharArrays wipes both; the new PIN logs in (signature verified), the old one is wrong") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val current = "1234".toCharArray()
        val new = "4321".toCharArray()
        CardSession(card).use { it.changePin(PinKind.AUTHENTICATION, current, new, false) }
        assertWiped(current, "the current PIN array")
        assertWiped(new, "the new PIN array")
        val result = CardSession(card).use { it.login(CHALLENGE, "4321".toCharArray(), false) }
        assertSha256WithRsa(x509(result.certificate.der), CHALLENGE, result.signature)
        CardSession(card).use { session -> assertFailure(ErrorKind.WRONG_PIN) { session.login(CHALLENGE, "1234".toCharArray(), false) } }
    },
    test("readSigningCertificate and signDigest with CharArrays: the digest signature verifies against the signing certificate") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val first = "abc123".toCharArray()
        val second = "ABC123".toCharArray()
        val digest = java.security.MessageDigest.getInstance("SHA-256").digest(DOCUMENT)
        val (certificate, signed) = CardSession(card).use { session ->
            session.readSigningCertificate(first, false) to session.signDigest(digest, DigestAlgorithm.SHA256, second, SignOptions())
        }
        assertWiped(first, "the first password array")
        assertWiped(second, "the second password array")
        assertBytes(card.certificate(CertificateKind.SIGNING) ?: fail("no certificate"), certificate.der, "signing certificate")
        assertSha256WithRsa(x509(certificate.der), DOCUMENT, signed.signature)
    },
)
