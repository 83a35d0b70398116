package jp.kazashi.android

import java.util.Locale
import java.util.concurrent.CopyOnWriteArrayList
import jp.kazashi.AttributesUnlock
import jp.kazashi.CertificateKind
import jp.kazashi.ErrorKind
import jp.kazashi.FieldMatch
import jp.kazashi.IntegrityCheck
import jp.kazashi.KazashiException
import jp.kazashi.MyNumberUnlock
import jp.kazashi.PinKind
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import jp.kazashi.crossCheckCardInfo
import jp.kazashi.parseCertificate

// The card-info application (券面事項入力補助AP) through the one-tap shortcuts: facade ->
// CardSession (Rust) -> IsoDepTransceiver -> fake IsoDep -> the virtual card. The expected values
// come from the virtual card itself (its signing certificate, its My Number, its verification
// number B), never from the flow under test.

/** The virtual card's card-info PIN: by default the authentication PIN's digits. */
private const val CARD_INFO_PIN = "1234"

/** A virtual card behind a fake IsoDep that also keeps a copy of every response. */
private class RecordingCardLink(val card: VirtualCard) {
    val responses: MutableList<ByteArray> = CopyOnWriteArrayList()
    val link = FakeIsoDepLink { command -> card.process(command).also { responses += it.copyOf() } }

    /** Whether [needle] occurs in any response the card sent. */
    fun anyResponseContains(needle: ByteArray) = responses.any { it.indexOf(needle) >= 0 }
}

private fun ByteArray.indexOf(needle: ByteArray): Int {
    if (needle.isEmpty()) return 0
    for (start in 0..size - needle.size) {
        if ((needle.indices).all { this[start + it] == needle[it] }) return start
    }
    return -1
}

/** The signing certificate's birth date (`YYYY-MM-DD`) in the card-info form (`YYYYMMDD`). */
private fun compactDate(date: String?) = date?.replace("-", "")

val cardInfoTests = listOf(
    test("tap to read card info with the card-info PIN: the four attributes, integrity-checked, equal to the signing certificate's") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val recording = RecordingCardLink(card)
        val attributes = recording.link.tapToReadCardInfo(AttributesUnlock.CARD_INFO_PIN, CARD_INFO_PIN.toCharArray())

        val signing = parseCertificate(card.certificate(CertificateKind.SIGNING) ?: fail("no signing certificate"))
        val personal = signing.personal ?: fail("the signing certificate has no personal data")
        assertEquals(personal.name, attributes.name, "name")
        assertEquals(personal.address, attributes.address, "address")
        assertEquals(compactDate(personal.birthDate), attributes.birthDate, "birth date")
        assertEquals(personal.sex, attributes.sex, "sex")
        assertTrue(attributes.birthDate.matches(Regex("\\d{8}"))) { "birth date is not YYYYMMDD" }

        assertEquals(IntegrityCheck.PASSED, attributes.integrity.attributesDigest, "attributes digest")
        assertEquals(IntegrityCheck.PASSED, attributes.integrity.recordSignature, "record signature")
        assertEquals(IntegrityCheck.NOT_READ, attributes.integrity.myNumberDigest, "My Number digest")
        assertEquals(false, attributes.integrity.issuerVerified, "issuer verified without a key")

        // The My Number never crosses the link for the attributes, not even inside a response.
        assertTrue(!recording.anyResponseContains(card.myNumber().toByteArray(Charsets.US_ASCII))) {
            "the My Number was read by tapToReadCardInfo"
        }
        // The card-info PIN has its own counter: the JPKI PINs are untouched.
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a PIN")
        assertEquals(3.toUByte(), card.attemptsLeft(PinKind.CARD_INFO), "card-info attempts left")
        assertEquals(3.toUByte(), card.attemptsLeft(PinKind.AUTHENTICATION), "authentication attempts left")
        assertEquals(5.toUByte(), card.attemptsLeft(PinKind.SIGNING), "signing attempts left")
        assertEquals(1, recording.link.connectCalls, "connect() calls")
        assertTrue(!recording.link.isOpen) { "the connection was left open" }

        val check = crossCheckCardInfo(attributes, signing.der)
        assertEquals(FieldMatch.EQUAL, check.name, "name against the certificate")
        assertEquals(FieldMatch.EQUAL, check.address, "address against the certificate")
        assertEquals(FieldMatch.EQUAL, check.birthDate, "birth date against the certificate")
        assertEquals(FieldMatch.EQUAL, check.sex, "sex against the certificate")
        assertTrue(check.allEqual) { "cross-check not all equal" }
    },
    test("tap to read card info with verification number B, and with the issuer key: the certificate is verified too") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val numberBAttempts = card.attemptsLeft(PinKind.VERIFICATION_NUMBER_B)
        val byPin = cardLinkTo(card).tapToReadCardInfo(AttributesUnlock.CARD_INFO_PIN, CARD_INFO_PIN.toCharArray())
        val byNumberB = cardLinkTo(card).tapToReadCardInfo(
            AttributesUnlock.VERIFICATION_NUMBER_B,
            card.verificationNumberB().toCharArray(),
            issuerKey = card.cardInfoIssuerKey(),
        )
        assertEquals(byPin.name, byNumberB.name, "name")
        assertEquals(byPin.address, byNumberB.address, "address")
        assertEquals(byPin.birthDate, byNumberB.birthDate, "birth date")
        assertEquals(byPin.sex, byNumberB.sex, "sex")
        assertEquals(true, byNumberB.integrity.issuerVerified, "issuer verified with the key")
        assertEquals(IntegrityCheck.PASSED, byNumberB.integrity.recordSignature, "record signature")
        assertEquals(numberBAttempts, card.attemptsLeft(PinKind.VERIFICATION_NUMBER_B), "verification number B attempts left")
    },
    test("tap to read the My Number: with the card-info PIN and with verification number A, only through its own call") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val expected = card.myNumber()
        assertTrue(expected.matches(Regex("\\d{12}"))) { "the virtual card's My Number is not 12 digits" }

        val recording = RecordingCardLink(card)
        val byPin = recording.link.tapToReadMyNumber(MyNumberUnlock.CARD_INFO_PIN, CARD_INFO_PIN.toCharArray())
        assertTrue(byPin.digits() == expected) { "the My Number read with the PIN differs from the card's" }
        // The control for the attributes test's "not in any response": here it must be found.
        assertTrue(recording.anyResponseContains(expected.toByteArray(Charsets.US_ASCII))) {
            "the response search does not find the My Number where it was read"
        }
        assertEquals(IntegrityCheck.PASSED, byPin.integrity().myNumberDigest, "My Number digest")
        assertEquals(IntegrityCheck.PASSED, byPin.integrity().recordSignature, "record signature")
        assertEquals(IntegrityCheck.NOT_READ, byPin.integrity().attributesDigest, "attributes digest")

        val byNumberA = cardLinkTo(card).tapToReadMyNumber(MyNumberUnlock.VERIFICATION_NUMBER_A, expected.toCharArray())
        assertTrue(byNumberA.digits() == expected) { "the My Number read with verification number A differs" }
        assertEquals(2u, card.pinVerifications(), "VERIFYs carrying a secret")
    },
    test("a wrong card-info PIN: WRONG_PIN for PinKind.CARD_INFO with 2 left, JPKI counters untouched") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val link = cardLinkTo(card)
        val e = assertFailure(ErrorKind.WRONG_PIN) { link.tapToReadCardInfo(AttributesUnlock.CARD_INFO_PIN, "9999".toCharArray()) }
        assertEquals(PinKind.CARD_INFO, e.pin, "pin")
        assertEquals(2.toUByte(), e.attemptsLeft, "attempts left")
        assertEquals(1u, card.pinVerifications(), "VERIFYs carrying a PIN")
        assertEquals(1, link.exchanges.count { isVerifyWithPin(it.command) }, "VERIFYs sent")
        assertEquals(2.toUByte(), card.attemptsLeft(PinKind.CARD_INFO), "card-info attempts left")
        assertEquals(3.toUByte(), card.attemptsLeft(PinKind.AUTHENTICATION), "authentication attempts left")
        assertTrue(!link.isOpen) { "the connection was left open" }

        // The same tap-level counter query an app shows before asking again.
        val counter = cardLinkTo(card).withJpkiSession { it.retryCounter(PinKind.CARD_INFO) }
        assertEquals(2.toUByte(), counter.attemptsLeft, "retryCounter(CARD_INFO)")
    },
    test("a malformed card-info PIN or verification number: INVALID_PIN_FORMAT, nothing sent") {
        val card = VirtualCard(VirtualCardProfile.PHYSICAL_CARD)
        val pinLink = cardLinkTo(card)
        val e = assertFailure(ErrorKind.INVALID_PIN_FORMAT) { pinLink.tapToReadCardInfo(AttributesUnlock.CARD_INFO_PIN, "12a4".toCharArray()) }
        assertEquals(PinKind.CARD_INFO, e.pin, "pin")
        val numberLink = cardLinkTo(card)
        val a = assertFailure(ErrorKind.INVALID_PIN_FORMAT) {
            numberLink.tapToReadMyNumber(MyNumberUnlock.VERIFICATION_NUMBER_A, "12345".toCharArray())
        }
        assertEquals(PinKind.VERIFICATION_NUMBER_A, a.pin, "pin")
        assertEquals(0u, card.pinVerifications(), "VERIFYs carrying a secret")
        assertTrue(pinLink.exchanges.none { isVerifyWithPin(it.command) } && numberLink.exchanges.none { isVerifyWithPin(it.command) }) {
            "a malformed secret reached the card"
        }
    },
    test("one card-info attempt left: LAST_ATTEMPT_NOT_CONFIRMED without any VERIFY, then the read once confirmed") {
        val card = VirtualCard(VirtualCardProfile.CARD_INFO_LAST_ATTEMPT)
        val e = assertFailure(ErrorKind.LAST_ATTEMPT_NOT_CONFIRMED) {
            cardLinkTo(card).tapToReadCardInfo(AttributesUnlock.CARD_INFO_PIN, CARD_INFO_PIN.toCharArray())
        }
        assertEquals(PinKind.CARD_INFO, e.pin, "pin")
        assertEquals(0u, card.pinVerifications(), "VERIFYs before confirmation")
        val attributes = cardLinkTo(card).tapToReadCardInfo(AttributesUnlock.CARD_INFO_PIN, CARD_INFO_PIN.toCharArray(), confirmLastAttempt = true)
        assertTrue(attributes.name.isNotEmpty()) { "no name" }
        assertEquals(1u, card.pinVerifications(), "VERIFYs after confirmation")
    },
    test("a locked card-info PIN: PIN_BLOCKED without any VERIFY; verification number B still opens the attributes") {
        val card = VirtualCard(VirtualCardProfile.CARD_INFO_PIN_BLOCKED)
        val e = assertFailure(ErrorKind.PIN_BLOCKED) {
            cardLinkTo(card).tapToReadMyNumber(MyNumberUnlock.CARD_INFO_PIN, CARD_INFO_PIN.toCharArray(), confirmLastAttempt = true)
        }
        assertEquals(PinKind.CARD_INFO, e.pin, "pin")
        assertEquals(0u, card.pinVerifications(), "VERIFYs to a locked PIN")
        val attributes = cardLinkTo(card).tapToReadCardInfo(AttributesUnlock.VERIFICATION_NUMBER_B, card.verificationNumberB().toCharArray())
        assertEquals(IntegrityCheck.PASSED, attributes.integrity.attributesDigest, "attributes digest")
    },
    test("tampered attributes: INTEGRITY_CHECK_FAILED, nothing returned, a user message without personal data") {
        val card = VirtualCard(VirtualCardProfile.CARD_INFO_TAMPERED)
        val link = cardLinkTo(card)
        val e = assertFailure(ErrorKind.INTEGRITY_CHECK_FAILED) { link.tapToReadCardInfo(AttributesUnlock.CARD_INFO_PIN, CARD_INFO_PIN.toCharArray()) }
        val message = (e as KazashiException).userMessage(Locale.ENGLISH)
        assertTrue(e.reason.isNotBlank() && e.action.isNotBlank()) { "no reason or action" }
        assertTrue((e as KazashiException).userMessage(Locale.JAPANESE).contains("市区町村の窓口")) { "no Japanese guidance" }
        assertTrue(message.contains("integrity")) { "the message does not say what failed: $message" }
        assertTrue(message.contains("municipal office")) { "the message does not say what to do: $message" }
        val personal = parseCertificate(card.certificate(CertificateKind.SIGNING) ?: fail("no signing certificate")).personal
        for (value in listOfNotNull(personal?.name, personal?.address, card.myNumber())) {
            assertTrue(!message.contains(value) && !e.toString().contains(value)) { "the error carries personal data" }
        }
        assertTrue(!link.isOpen) { "the connection was left open" }
    },
)

/** A virtual card behind a fresh fake IsoDep (one per tap, as a phone delivers one per tap). */
private fun cardLinkTo(card: VirtualCard) = FakeIsoDepLink { command -> card.process(command) }
