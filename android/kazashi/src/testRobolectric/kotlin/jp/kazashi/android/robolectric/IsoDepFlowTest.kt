package jp.kazashi.android.robolectric

import jp.kazashi.CertificatePurpose
import jp.kazashi.LoginVerifier
import jp.kazashi.TestRoot
import jp.kazashi.parseLoginRequest
import java.io.ByteArrayOutputStream
import java.nio.ByteBuffer
import jp.kazashi.AttributesUnlock
import jp.kazashi.CertificateKind
import jp.kazashi.ErrorKind
import jp.kazashi.FieldMatch
import jp.kazashi.IntegrityCheck
import jp.kazashi.MyNumberUnlock
import jp.kazashi.PinKind
import jp.kazashi.SurfaceSignatureVerdict
import jp.kazashi.SurfaceUnlock
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import jp.kazashi.crossCheckCardInfo
import jp.kazashi.android.login
import jp.kazashi.android.tapToLogin
import jp.kazashi.android.tapToReadCardInfo
import jp.kazashi.android.tapToReadCardSurface
import jp.kazashi.android.tapToReadMyNumber
import jp.kazashi.android.tapToSign
import jp.kazashi.android.withJpkiSession
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * The card flows through the real `android.nfc.tech.IsoDep` (Robolectric's framework classes and
 * shadows), obtained with `IsoDep.get(tag)` from a discovered `Tag`, and the production
 * `asIsoDepLink()` / `withJpkiSession` / `tapTo…`: the calls an app makes, end to end to the
 * virtual card. Signatures are checked with the JDK; expected values come from the virtual card.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [SDK], manifest = Config.NONE, shadows = [FieldIsoDepShadow::class, ReaderModeNfcAdapterShadow::class])
class IsoDepFlowTest {
    private val challenge = "nonce from the relying party: 8f14e45fceea167a".toByteArray()
    private val document = "申請書 / application form, version 1".toByteArray()

    private fun field(profile: VirtualCardProfile = VirtualCardProfile.PHYSICAL_CARD) =
        Field(VirtualCard(profile)).also { Field.current = it }

    @After
    fun leaveField() {
        Field.current?.card?.close()
        Field.current = null
    }

    @Test
    fun `log in through IsoDep - the signature verifies with SHA256withRSA against the card's certificate`() = runBlocking {
        val field = field()
        val isoDep = discoveredIsoDep()
        val result = isoDep.tapToLogin(challenge, "1234".toCharArray())

        val certificate = x509(result.certificate.der)
        assertSha256WithRsa(certificate, challenge, result.signature)
        assertArrayEquals(field.card.certificate(CertificateKind.AUTHENTICATION), certificate.encoded)
        assertEquals("VERIFYs with a PIN", 1, field.verifiesWithPin())
        assertEquals("connect() calls", 1, field.connects.get())
        assertTrue("close() was not called", field.closes.get() >= 1)
        assertFalse("the IsoDep was left connected", isoDep.isConnected)
    }

    @Test
    fun `sign through IsoDep - the document signature verifies against the signing certificate`() = runBlocking {
        val field = field()
        val result = discoveredIsoDep().tapToSign(document, "ABC123".toCharArray())

        val certificate = x509(result.certificate.der)
        assertSha256WithRsa(certificate, document, result.signature)
        assertArrayEquals(field.card.certificate(CertificateKind.SIGNING), certificate.encoded)
        assertEquals("VERIFYs with a PIN", 1, field.verifiesWithPin())
    }

    @Test
    fun `status then log-in on one tap - one connection, counters as the card has them`() = runBlocking {
        val field = field()
        val isoDep = discoveredIsoDep()
        val (status, login) = isoDep.withJpkiSession { session -> session.status() to session.login(challenge, "1234".toCharArray(), false) }

        assertEquals(field.card.attemptsLeft(PinKind.AUTHENTICATION), status.authenticationPin.attemptsLeft)
        assertEquals(3.toUByte(), status.authenticationPin.attemptsLeft)
        assertEquals(field.card.attemptsLeft(PinKind.SIGNING), status.signingPassword?.attemptsLeft)
        assertTrue("signing certificate present", status.signingCertificatePresent)
        assertSha256WithRsa(x509(login.certificate.der), challenge, login.signature)
        assertEquals("connect() calls", 1, field.connects.get())
        assertEquals("VERIFYs with a PIN", 1, field.verifiesWithPin())
    }

    @Test
    fun `PINs as CharArray through IsoDep - zeroed after a log-in and after a wrong PIN, a full-width PIN never reaches the IsoDep`() = runBlocking {
        val field = field()
        val right = "1234".toCharArray()
        val result = discoveredIsoDep().tapToLogin(challenge, right)
        assertSha256WithRsa(x509(result.certificate.der), challenge, result.signature)
        assertTrue("the PIN array was not wiped after the log-in", right.all { it == '\u0000' })

        val wrong = "9999".toCharArray()
        assertFailure(ErrorKind.WRONG_PIN) { discoveredIsoDep().tapToLogin(challenge, wrong) }
        assertTrue("the PIN array was not wiped after a wrong PIN", wrong.all { it == '\u0000' })
        assertEquals("VERIFYs with a PIN", 2, field.verifiesWithPin())

        val before = field.exchanges.size
        val fullWidth = "１２３４".toCharArray()
        val e = assertFailure(ErrorKind.INVALID_PIN_FORMAT) {
            discoveredIsoDep().withJpkiSession { session -> session.login(challenge, fullWidth, false) }
        }
        assertEquals(PinKind.AUTHENTICATION, e.pin)
        assertTrue("the full-width PIN array was not wiped", fullWidth.all { it == '\u0000' })
        assertEquals("commands the IsoDep saw for a full-width PIN", before, field.exchanges.size)
        assertEquals("the card's counter", 2.toUByte(), field.card.attemptsLeft(PinKind.AUTHENTICATION))
    }

    @Test
    fun `a wrong PIN through IsoDep - WRONG_PIN with the attempts left, one VERIFY, the next status agrees`() = runBlocking {
        val field = field()
        val e = assertFailure(ErrorKind.WRONG_PIN) { discoveredIsoDep().tapToLogin(challenge, "9999".toCharArray()) }
        assertEquals(PinKind.AUTHENTICATION, e.pin)
        assertEquals(2.toUByte(), e.attemptsLeft)
        assertEquals("VERIFYs with a PIN", 1, field.verifiesWithPin())
        assertEquals("the card's own counter", 2.toUByte(), field.card.attemptsLeft(PinKind.AUTHENTICATION))

        val status = discoveredIsoDep().withJpkiSession { it.status() }
        assertEquals(2.toUByte(), status.authenticationPin.attemptsLeft)
        assertEquals("no VERIFY with a PIN for the status", 1, field.verifiesWithPin())
    }

    @Test
    fun `lock-out through IsoDep - unconfirmed last attempt sends nothing, a confirmed wrong PIN locks, then nothing is sent`() = runBlocking {
        val field = field(VirtualCardProfile.AUTH_LAST_ATTEMPT)
        assertFailure(ErrorKind.LAST_ATTEMPT_NOT_CONFIRMED) { discoveredIsoDep().tapToLogin(challenge, "1234".toCharArray()) }
        assertEquals("VERIFYs before confirmation", 0, field.verifiesWithPin())

        val locked = assertFailure(ErrorKind.PIN_BLOCKED) {
            discoveredIsoDep().tapToLogin(challenge, "9999".toCharArray(), confirmLastAttempt = true)
        }
        assertEquals(0.toUByte(), locked.attemptsLeft)
        assertEquals("VERIFYs after the confirmed wrong PIN", 1, field.verifiesWithPin())
        assertEquals(0.toUByte(), field.card.attemptsLeft(PinKind.AUTHENTICATION))

        // Locked: even the right PIN is never sent again.
        assertFailure(ErrorKind.PIN_BLOCKED) { discoveredIsoDep().tapToLogin(challenge, "1234".toCharArray(), confirmLastAttempt = true) }
        assertEquals("VERIFYs on a locked card", 1, field.verifiesWithPin())
    }

    @Test
    fun `card-info, My Number and card-surface reads through IsoDep - integrity-checked, equal to the card's own values`() = runBlocking {
        val field = field()
        val card = field.card
        val attributes = discoveredIsoDep().tapToReadCardInfo(AttributesUnlock.CARD_INFO_PIN, "1234".toCharArray(), issuerKey = card.cardInfoIssuerKey())
        assertEquals(IntegrityCheck.PASSED, attributes.integrity.attributesDigest)
        assertEquals(IntegrityCheck.PASSED, attributes.integrity.recordSignature)
        assertTrue("issuer verified with the virtual J-LIS key", attributes.integrity.issuerVerified)
        val check = crossCheckCardInfo(attributes, card.certificate(CertificateKind.SIGNING)!!)
        assertEquals(listOf(FieldMatch.EQUAL, FieldMatch.EQUAL, FieldMatch.EQUAL, FieldMatch.EQUAL),
            listOf(check.name, check.address, check.birthDate, check.sex))

        val myNumber = discoveredIsoDep().tapToReadMyNumber(MyNumberUnlock.CARD_INFO_PIN, "1234".toCharArray())
        myNumber.use {
            assertEquals(card.myNumber(), it.digits())
            assertEquals(IntegrityCheck.PASSED, it.integrity().myNumberDigest)
        }

        val surface = discoveredIsoDep().tapToReadCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_B, card.verificationNumberB().toCharArray())
        val jp2Signature = byteArrayOf(0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87.toByte(), 0x0A)
        assertArrayEquals(jp2Signature, surface.photo.copyOf(jp2Signature.size))
        assertEquals(SurfaceSignatureVerdict.VERIFIED_VIRTUAL_CARD_LAYOUT, surface.signature)
        assertEquals("three taps, three connections", 3, field.connects.get())
    }

    @Test
    fun `log-in v2 for a relying party through IsoDep - java security checks the domain-separated bytes, the server accepts, the cached certificate is not read again`() = runBlocking {
        val field = field()
        val roots = listOf(TestRoot(field.card.rootCertificate(PinKind.AUTHENTICATION), CertificatePurpose.AUTHENTICATION))
        LoginVerifier("a.example", roots, false).use { server ->
            val issued = server.issueRequest(120u)
            val request = parseLoginRequest(issued.json, "a.example")
            val result = discoveredIsoDep().tapToLogin(request, "1234".toCharArray())
            assertEquals("a.example", result.relyingParty)
            assertFalse(result.certificateFromCache)

            // What the card signed, rebuilt here from the documented layout, checked by the JDK.
            val signed = ByteArrayOutputStream().apply {
                write("kazashi JPKI log-in v2".toByteArray()); write(0)
                write(0); write("a.example".length); write("a.example".toByteArray())
                write(0); write(request.challenge.size); write(request.challenge)
                write(ByteBuffer.allocate(16).putLong(request.issuedAt).putLong(request.expiresAt).array())
            }.toByteArray()
            assertSha256WithRsa(x509(result.certificate.der), signed, result.signature)
            val check = server.verify(result.messageJson, issued.challenge)
            assertEquals("a.example", check.relyingParty)

            // The next tap passes the certificate it already has: fewer commands, same key.
            val commandsBefore = field.exchanges.size
            val second = server.issueRequest(120u)
            val again = discoveredIsoDep().tapToLogin(parseLoginRequest(second.json, "a.example"), "1234".toCharArray(), cachedCertificate = result.certificate.der)
            assertTrue("the cached certificate was not used", again.certificateFromCache)
            assertTrue("the second tap sent as many commands as the first",
                field.exchanges.size - commandsBefore < commandsBefore)
            assertEquals("a.example", server.verify(again.messageJson, second.challenge).relyingParty)
        }
    }
}
