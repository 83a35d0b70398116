package jp.kazashi.android.robolectric

import android.nfc.TagLostException
import java.io.IOException
import java.util.concurrent.CopyOnWriteArrayList
import jp.kazashi.ErrorKind
import jp.kazashi.KazashiException
import jp.kazashi.PinKind
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import jp.kazashi.android.TransceiveTimeouts
import jp.kazashi.android.asIsoDepLink
import jp.kazashi.android.shortApdusOnly
import jp.kazashi.android.tapToLogin
import jp.kazashi.android.tapToSign
import jp.kazashi.android.userMessage
import jp.kazashi.android.withJpkiSession
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * What the shell does to the real `IsoDep` (through Robolectric's framework classes): the
 * timeouts it sets, how a lost tag and a failing controller end a flow, and the APDU forms it
 * chooses from `isExtendedLengthApduSupported` and `getMaxTransceiveLength`.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [SDK], manifest = Config.NONE, shadows = [FieldIsoDepShadow::class, ReaderModeNfcAdapterShadow::class])
class IsoDepLinkTest {
    private val challenge = "nonce: 3c59dc048e8850243be8079a5c74d079".toByteArray()
    private val document = "契約書 / contract".toByteArray()

    private fun field(card: VirtualCard = VirtualCard(VirtualCardProfile.PHYSICAL_CARD), extendedLength: Boolean = true, max: Int = 65_279) =
        Field(card, extendedLength, max).also { Field.current = it }

    @After
    fun leaveField() {
        Field.current?.card?.close()
        Field.current = null
    }

    private fun sw(response: ByteArray) = ((response[response.size - 2].toInt() and 0xFF) shl 8) or (response.last().toInt() and 0xFF)

    @Test
    fun `IsoDep timeout - 2 s for every command, 10 s set around COMPUTE DIGITAL SIGNATURE and restored after`() = runBlocking {
        for (flow in listOf("log-in", "sign")) {
            val field = field()
            val isoDep = discoveredIsoDep()
            if (flow == "log-in") isoDep.tapToLogin(challenge, "1234".toCharArray()) else isoDep.tapToSign(document, "ABC123".toCharArray())

            val standard = TransceiveTimeouts.DEFAULT_STANDARD_MS
            val signature = TransceiveTimeouts.DEFAULT_SIGNATURE_MS
            assertEquals("$flow: IsoDep.setTimeout calls", listOf(standard, signature, standard), field.timeoutsSet)
            val signIndex = field.exchanges.indexOfFirst { isSignatureCommand(it.command) }
            assertTrue("$flow: no COMPUTE DIGITAL SIGNATURE", signIndex >= 0)
            assertEquals("$flow: timeout during 80 2A", signature, field.exchanges[signIndex].timeoutMs)
            val others = field.exchanges.filterIndexed { i, _ -> i != signIndex }
            if (flow == "log-in") {
                // Log-in reads the certificate after signing: that command runs with 2 s again.
                assertTrue("$flow: no command after the signature", field.exchanges.size > signIndex + 1)
            }
            assertEquals("$flow: timeouts of the other commands", setOf(standard), others.map { it.timeoutMs }.toSet())
            assertEquals("$flow: IsoDep.getTimeout() after the flow", standard, isoDep.timeout)
            leaveField()
        }
    }

    @Test
    fun `TagLostException mid-flow - TAG_LOST or PIN_CHECK_INTERRUPTED, the VERIFY never re-sent, the timeout restored`() = runBlocking {
        // Lost during the signature, after the PIN was accepted.
        var field = field()
        field.between = { command, answer -> if (isSignatureCommand(command)) throw TagLostException("Tag was lost.") else answer() }
        var isoDep = discoveredIsoDep()
        val lost = assertFailure(ErrorKind.TAG_LOST) { isoDep.tapToSign(document, "ABC123".toCharArray()) }
        val asBase: KazashiException = lost
        assertTrue("tag-lost text: ${asBase.userMessage}", asBase.userMessage.contains("tap again", ignoreCase = true))
        assertEquals("VERIFYs seen by the IsoDep", 1, field.verifiesWithPin())
        assertEquals("the card's own count", 1u, field.card.pinVerifications())
        assertEquals("timeout restored after the lost signature", TransceiveTimeouts.DEFAULT_STANDARD_MS, field.timeoutsSet.last())
        assertFalse("the IsoDep was left connected", isoDep.isConnected)
        leaveField()

        // Lost while the card checks the PIN: the attempt may have counted; never re-sent.
        field = field()
        field.between = { command, answer -> answer().also { if (isVerifyWithPin(command)) throw TagLostException("Tag was lost.") } }
        isoDep = discoveredIsoDep()
        val interrupted = assertFailure(ErrorKind.PIN_CHECK_INTERRUPTED) { isoDep.tapToLogin(challenge, "1234".toCharArray()) }
        assertEquals(PinKind.AUTHENTICATION, interrupted.pin)
        assertEquals("VERIFYs seen by the IsoDep", 1, field.verifiesWithPin())
        assertTrue("signed after an interrupted VERIFY", field.exchanges.none { isSignatureCommand(it.command) })
        leaveField()

        // Lost before the PIN: no VERIFY at all, and the next tap works.
        field = field()
        var first = true
        field.between = { command, answer -> if (first) { first = false; throw TagLostException("Tag was lost.") } else answer() }
        assertFailure(ErrorKind.TAG_LOST) { discoveredIsoDep().tapToLogin(challenge, "1234".toCharArray()) }
        assertEquals("VERIFYs after a loss before the PIN", 0, field.verifiesWithPin())
        val again = discoveredIsoDep().tapToLogin(challenge, "1234".toCharArray())
        assertSha256WithRsa(x509(again.certificate.der), challenge, again.signature)
        assertEquals("VERIFYs after the second tap", 1, field.verifiesWithPin())
    }

    @Test
    fun `extended length reported but refused by the card (6700) - falls back to short reads and completes`() = runBlocking {
        // The phone says extended length; the card (the virtual card's short-only profile) answers
        // an extended READ BINARY with 6700, as a card or a reader that cannot carry it does.
        val field = field(VirtualCard(VirtualCardProfile.NO_EXTENDED_LENGTH), extendedLength = true)
        val answers = CopyOnWriteArrayList<Pair<ByteArray, Int>>()
        field.between = { command, answer -> answer().also { answers += command.copyOf() to sw(it) } }
        val result = discoveredIsoDep().tapToLogin(challenge, "1234".toCharArray())

        assertSha256WithRsa(x509(result.certificate.der), challenge, result.signature)
        val refused = answers.indexOfFirst { (command, sw) -> isExtendedForm(command) && sw == 0x6700 }
        assertTrue("no extended APDU was tried and refused: the fallback was not exercised", refused >= 0)
        assertTrue("extended APDUs were sent after the refusal",
            answers.drop(refused + 1).none { (command, _) -> isExtendedForm(command) })
        assertEquals("VERIFYs with a PIN", 1, field.verifiesWithPin())
    }

    @Test
    fun `extended length reported but the controller fails the extended APDU - the tap ends without a retry, the next tap in short mode completes`() = runBlocking {
        // Some phones claim extended length and then fail the first extended command: Android's
        // "Transceive failed" (IOException) or a dropped link (TagLostException), not a status
        // word. The core never re-sends a command, so that tap ends (LINK / TAG_LOST) with the PIN
        // sent at most once; the designed way on is the next tap over shortApdusOnly().
        val failures = listOf<Pair<() -> Exception, ErrorKind>>(
            { IOException("Transceive failed") } to ErrorKind.LINK,
            { TagLostException("Tag was lost.") } to ErrorKind.TAG_LOST,
        )
        for ((failure, kind) in failures) {
            val field = field(extendedLength = true)
            field.between = { command, answer -> if (isExtendedForm(command)) throw failure() else answer() }
            val e = assertFailure(kind) { discoveredIsoDep().tapToLogin(challenge, "1234".toCharArray()) }
            assertEquals("$kind: extended APDUs tried", 1, field.exchanges.count { isExtendedForm(it.command) })
            assertTrue("$kind: VERIFYs with a PIN", field.verifiesWithPin() <= 1)
            if (kind == ErrorKind.LINK) {
                assertTrue("the platform's message is kept: ${e.reason}", (e.reason + e.toString()).contains("Transceive failed"))
            }

            val before = field.exchanges.size
            val result = discoveredIsoDep().asIsoDepLink().shortApdusOnly().tapToLogin(challenge, "1234".toCharArray())
            assertSha256WithRsa(x509(result.certificate.der), challenge, result.signature)
            assertTrue("$kind: an extended APDU in short mode", field.exchanges.drop(before).none { isExtendedForm(it.command) })
            leaveField()
        }
    }

    @Test
    fun `maxTransceiveLength below 261 - only short APDUs, every command within the limit`() = runBlocking {
        // getMaxTransceiveLength bounds what transceive may send; the shadow throws IOException
        // for a longer command, as the platform does.
        val max = 253
        val field = field(extendedLength = true, max = max)
        val signed = discoveredIsoDep().tapToSign(document, "ABC123".toCharArray())

        assertSha256WithRsa(x509(signed.certificate.der), document, signed.signature)
        assertTrue("an extended-form APDU was sent", field.exchanges.none { isExtendedForm(it.command) })
        assertTrue("a command exceeded $max bytes", field.exchanges.all { it.command.size <= max })

        // And with the service not answering (a maximum of 0), the shell assumes short APDUs.
        leaveField()
        val silent = field(extendedLength = true, max = 0)
        val status = discoveredIsoDep().withJpkiSession { it.status() }
        assertEquals(3.toUByte(), status.authenticationPin.attemptsLeft)
        assertTrue("an extended-form APDU was sent with a maximum of 0", silent.exchanges.none { isExtendedForm(it.command) })
    }
}
