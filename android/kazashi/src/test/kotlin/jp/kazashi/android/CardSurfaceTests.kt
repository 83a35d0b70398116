package jp.kazashi.android

import java.util.concurrent.CopyOnWriteArrayList
import jp.kazashi.CertificateKind
import jp.kazashi.ErrorKind
import jp.kazashi.PinKind
import jp.kazashi.SurfaceSignatureVerdict
import jp.kazashi.SurfaceUnlock
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import jp.kazashi.parseCertificate

// The card-surface application (券面事項確認AP) through the one-tap shortcut: facade ->
// CardSession (Rust) -> IsoDepTransceiver -> fake IsoDep -> the virtual card. Expected values
// come from the virtual card itself (its signing certificate, its My Number, its verification
// number B) or from the file formats (the JPEG 2000 and PNG signatures), never from the flow
// under test.

/** The JPEG 2000 signature box (JP2 file format): `00 00 00 0C 6A 50 20 20`. */
private val JP2_SIGNATURE = bytes(0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20)

/** The PNG file signature. */
private val PNG_SIGNATURE = bytes(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)

/** A virtual card behind a fresh fake IsoDep (one per tap, as a phone delivers one per tap). */
private fun surfaceLinkTo(card: VirtualCard) = FakeIsoDepLink { command -> card.process(command) }

/** A virtual card behind a fake IsoDep that also keeps a copy of every response. */
private class RecordingSurfaceLink(card: VirtualCard) {
    private val responses: MutableList<ByteArray> = CopyOnWriteArrayList()
    val link = FakeIsoDepLink { command -> card.process(command).also { responses += it.copyOf() } }

    /** Whether [needle] occurs in any response the card sent. */
    fun anyResponseContains(needle: ByteArray) = responses.any { it.contains(needle) }
}

private fun ByteArray.contains(needle: ByteArray): Boolean =
    (0..size - needle.size).any { start -> needle.indices.all { this[start + it] == needle[it] } }

private fun ByteArray.startsWith(prefix: ByteArray) =
    size >= prefix.size && copyOfRange(0, prefix.size).contentEquals(prefix)

/** [number] with its last digit changed: still 14 digits, so it reaches the card, and wrong. */
private fun wrongNumberB(number: String): String {
    val last = number.last().digitToInt()
    return number.dropLast(1) + ((last + 1) % 10)
}

val cardSurfaceTests = listOf(
    test("tap to read the card surface with verification number A: a JPEG 2000 photo, PNG images, the verdict of the virtual card's layout") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = surfaceLinkTo(card)
        val surface = link.tapToReadCardSurface(
            SurfaceUnlock.VERIFICATION_NUMBER_A,
            card.myNumber().toCharArray(),
            issuerKey = card.cardInfoIssuerKey(),
        )

        assertTrue(surface.photo.startsWith(JP2_SIGNATURE)) { "the photo does not start with the JPEG 2000 signature box" }
        assertEquals("image/jp2", surface.photoMediaType, "photo media type")
        assertTrue(surface.nameImage.startsWith(PNG_SIGNATURE)) { "the name image is not a PNG" }
        assertTrue(surface.addressImage.startsWith(PNG_SIGNATURE)) { "the address image is not a PNG" }
        assertTrue(surface.securityCodeImage.startsWith(PNG_SIGNATURE)) { "the security-code image is not a PNG" }
        assertEquals(SurfaceSignatureVerdict.VERIFIED_VIRTUAL_CARD_LAYOUT, surface.signature, "signature verdict")
        assertEquals(true, surface.issuerVerified, "issuer verified with the key")

        // The printed birth date and sex are the signing certificate's.
        val signing = parseCertificate(card.certificate(CertificateKind.SIGNING) ?: fail("no signing certificate"))
        val personal = signing.personal ?: fail("the signing certificate has no personal data")
        assertEquals(personal.birthDate?.replace("-", ""), surface.birthDate, "birth date")
        assertEquals(personal.sex, surface.sex, "sex")
        assertTrue(surface.expiry.matches(Regex("\\d{8}"))) { "expiry is not YYYYMMDD" }

        // One secret sent, on this application's own counter; nothing else spent.
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a secret")
        assertEquals(1, link.exchanges.count { isVerifyWithPin(it.command) }, "VERIFYs sent")
        assertTrue(link.exchanges.none { isSignatureCommand(it.command) }) { "a signature command was sent" }
        assertEquals(3.toUByte(), card.attemptsLeft(PinKind.AUTHENTICATION), "authentication attempts left")
        assertEquals(5.toUByte(), card.attemptsLeft(PinKind.SIGNING), "signing attempts left")
        assertEquals(1, link.connectCalls, "connect() calls")
        assertTrue(!link.isOpen) { "the connection was left open" }
    },
    test("tap to read the card surface with verification number B: the same front, issuer not verified without a key, no My Number on the link") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val byA = surfaceLinkTo(card).tapToReadCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_A, card.myNumber().toCharArray())
        val recording = RecordingSurfaceLink(card)
        val byB = recording.link.tapToReadCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_B, card.verificationNumberB().toCharArray())

        assertTrue(byB.photo.startsWith(JP2_SIGNATURE)) { "the photo does not start with the JPEG 2000 signature box" }
        assertEquals("image/jp2", byB.photoMediaType, "photo media type")
        assertTrue(byB.photo.contentEquals(byA.photo)) { "B opens another photo than A" }
        assertTrue(byB.nameImage.contentEquals(byA.nameImage)) { "B opens another name image than A" }
        assertEquals(byA.birthDate, byB.birthDate, "birth date")
        assertEquals(byA.sex, byB.sex, "sex")
        assertEquals(byA.expiry, byB.expiry, "expiry")
        assertEquals(SurfaceSignatureVerdict.VERIFIED_VIRTUAL_CARD_LAYOUT, byB.signature, "signature verdict")
        assertEquals(false, byB.issuerVerified, "issuer verified without a key")
        assertEquals(false, byA.issuerVerified, "issuer verified without a key (A)")
        assertTrue(!recording.anyResponseContains(card.myNumber().toByteArray(Charsets.US_ASCII))) {
            "the My Number crossed the link during a read with verification number B"
        }
        assertEquals(2u, card.pinVerifications(), "VERIFYs carrying a secret")
        assertTrue(!recording.link.isOpen) { "the connection was left open" }
    },
    test("a wrong verification number B: WRONG_PIN for VERIFICATION_NUMBER_B on the card-surface counter; the card-info counters stay full") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val before = surfaceLinkTo(card).withJpkiSession { it.cardSurfaceRetryCounter(PinKind.VERIFICATION_NUMBER_B) }
        val beforeLeft = before.attemptsLeft ?: fail("the card-surface counter of verification number B is not reported")
        val cardInfoB = card.attemptsLeft(PinKind.VERIFICATION_NUMBER_B)
        val right = card.verificationNumberB()
        val wrong = wrongNumberB(right)
        assertTrue(wrong != right && wrong.length == 14) { "the wrong number is not a different 14-digit number" }

        val link = surfaceLinkTo(card)
        val e = assertFailure(ErrorKind.WRONG_PIN) { link.tapToReadCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_B, wrong.toCharArray()) }
        assertEquals(PinKind.VERIFICATION_NUMBER_B, e.pin, "pin")
        assertEquals((beforeLeft - 1u).toUByte(), e.attemptsLeft, "attempts left")
        assertEquals(1, link.exchanges.count { isVerifyWithPin(it.command) }, "VERIFYs sent")
        assertTrue(!e.reason.contains(wrong) && !e.toString().contains(wrong)) { "the error carries the secret" }
        assertTrue(!link.isOpen) { "the connection was left open" }

        // This application's counter went down; the card-info application's did not.
        val (surface, cardInfo, cardInfoA) = surfaceLinkTo(card).withJpkiSession { session ->
            Triple(
                session.cardSurfaceRetryCounter(PinKind.VERIFICATION_NUMBER_B),
                session.retryCounter(PinKind.VERIFICATION_NUMBER_B),
                session.retryCounter(PinKind.VERIFICATION_NUMBER_A),
            )
        }
        assertEquals((beforeLeft - 1u).toUByte(), surface.attemptsLeft, "cardSurfaceRetryCounter(VERIFICATION_NUMBER_B)")
        assertEquals(cardInfo.maxAttempts, cardInfo.attemptsLeft, "retryCounter(VERIFICATION_NUMBER_B), the card-info counter")
        assertEquals(cardInfoA.maxAttempts, cardInfoA.attemptsLeft, "retryCounter(VERIFICATION_NUMBER_A), the card-info counter")
        assertEquals(cardInfoB, card.attemptsLeft(PinKind.VERIFICATION_NUMBER_B), "the virtual card's card-info counter of B")
        assertEquals(3.toUByte(), card.attemptsLeft(PinKind.CARD_INFO), "card-info PIN attempts left")

        // The right number still opens the front, and the counter is full again.
        val surfaceRead = surfaceLinkTo(card).tapToReadCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_B, right.toCharArray())
        assertTrue(surfaceRead.photo.startsWith(JP2_SIGNATURE)) { "no photo after the right number" }
        val after = surfaceLinkTo(card).withJpkiSession { it.cardSurfaceRetryCounter(PinKind.VERIFICATION_NUMBER_B) }
        assertEquals(beforeLeft, after.attemptsLeft, "the card-surface counter after the right number")
    },
    test("a malformed verification number: INVALID_PIN_FORMAT, nothing sent") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val linkB = surfaceLinkTo(card)
        val b = assertFailure(ErrorKind.INVALID_PIN_FORMAT) { linkB.tapToReadCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_B, "1234".toCharArray()) }
        assertEquals(PinKind.VERIFICATION_NUMBER_B, b.pin, "pin")
        val linkA = surfaceLinkTo(card)
        val a = assertFailure(ErrorKind.INVALID_PIN_FORMAT) { linkA.tapToReadCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_A, "12345".toCharArray()) }
        assertEquals(PinKind.VERIFICATION_NUMBER_A, a.pin, "pin")
        assertEquals(0u, card.pinVerifications(), "VERIFYs carrying a secret")
        assertTrue(linkA.exchanges.none { isVerifyWithPin(it.command) } && linkB.exchanges.none { isVerifyWithPin(it.command) }) {
            "a malformed secret reached the card"
        }
    },
)
