// The generated Kotlin bindings driven against the virtual card on a desktop JVM (JNA).
// Every signature is checked with java.security against the returned certificate.
package jp.kazashi.tests

import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import java.nio.ByteBuffer
import java.security.Signature
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.util.concurrent.atomic.AtomicInteger
import jp.kazashi.AttributesUnlock
import jp.kazashi.CardSession
import jp.kazashi.IntegrityCheck
import jp.kazashi.MyNumberUnlock
import jp.kazashi.SurfaceSignatureVerdict
import jp.kazashi.SurfaceUnlock
import jp.kazashi.crossCheckCardInfo
import jp.kazashi.CertificateInfo
import jp.kazashi.CertificatePurpose
import jp.kazashi.CertificateKind
import jp.kazashi.DigestAlgorithm
import jp.kazashi.ErrorKind
import jp.kazashi.KazashiException
import jp.kazashi.LinkFault
import jp.kazashi.LinkInfo
import jp.kazashi.NfcException
import jp.kazashi.NfcTransceiver
import jp.kazashi.PinKind
import jp.kazashi.SignOptions
import jp.kazashi.TokenType
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import jp.kazashi.LoginVerifier
import jp.kazashi.RejectionKind
import jp.kazashi.TestRoot
import jp.kazashi.VerificationException
import jp.kazashi.createLoginMessage
import jp.kazashi.parseLoginRequest
import jp.kazashi.kazashiVersion
import jp.kazashi.parseCertificate
import jp.kazashi.verifyCertificate
import jp.kazashi.verifySignedFile
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlin.system.exitProcess

/**
 * A test secret as the UTF-8 bytes the bindings take for every PIN, password and verification
 * number. Test data only: an app never puts a user's entry in a String (it cannot be wiped); the
 * Android shell takes a CharArray and encodes it without one (android/kazashi PinEntry.kt).
 */
private fun utf8(text: String): ByteArray = text.toByteArray(Charsets.UTF_8)

fun x509(cert: CertificateInfo): X509Certificate =
    CertificateFactory.getInstance("X.509").generateCertificate(ByteArrayInputStream(cert.der)) as X509Certificate

/** java.security's verdict on an RSASSA-PKCS1-v1_5 signature. */
fun javaVerifies(algorithm: String, cert: CertificateInfo, message: ByteArray, signature: ByteArray): Boolean {
    val verifier = Signature.getInstance(algorithm)
    verifier.initVerify(x509(cert).publicKey)
    verifier.update(message)
    return verifier.verify(signature)
}

/** Delegates to a virtual card and fails the link at APDU number [failAt] (0-based). */
class FlakyTransceiver(
    private val card: VirtualCard,
    private val failAt: Int,
    private val failure: () -> Throwable,
) : NfcTransceiver {
    val count = AtomicInteger(0)
    override fun linkInfo(): LinkInfo = card.linkInfo()
    override suspend fun transceive(command: ByteArray): ByteArray {
        if (count.getAndIncrement() == failAt) throw failure()
        return card.process(command)
    }
}

/** Answers through the virtual card after yielding, so concurrent flows would interleave if they could. */
class YieldingTransceiver(private val card: VirtualCard) : NfcTransceiver {
    val log = java.util.Collections.synchronizedList(mutableListOf<Byte>())
    override fun linkInfo(): LinkInfo = card.linkInfo()
    override suspend fun transceive(command: ByteArray): ByteArray {
        delay(1)
        log += command[1]
        return card.process(command)
    }
}

val challenge = "server challenge 0123456789abcdef".toByteArray()

fun hex(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
val document = "申請書 / application form".toByteArray()

fun main() {
    val t = TestRunner()

    t.test("version is exported") { check(kazashiVersion().isNotEmpty()) }

    t.test("log-in signature verifies with java.security on every link") {
        for (profile in listOf(VirtualCardProfile.PHYSICAL_CARD, VirtualCardProfile.NO_EXTENDED_LENGTH, VirtualCardProfile.ANDROID_PHONE_TOKEN)) {
            VirtualCard(profile).use { card ->
                CardSession(card).use { session ->
                    val result = session.login(challenge, utf8("1234"), false)
                    check(result.signature.size == 256)
                    check(result.certificate.purpose == CertificatePurpose.AUTHENTICATION)
                    check(javaVerifies("SHA256withRSA", result.certificate, challenge, result.signature)) { "$profile" }
                    check(!javaVerifies("SHA256withRSA", result.certificate, "other".toByteArray(), result.signature))
                    check(result.certificate.der.contentEquals(card.certificate(CertificateKind.AUTHENTICATION)!!))
                    // The extensions and the validity in Japan time come through the record.
                    check(result.certificate.keyUsage == listOf("digitalSignature")) { "${result.certificate.keyUsage}" }
                    check(result.certificate.extendedKeyUsage == listOf("1.3.6.1.5.5.7.3.2")) { "${result.certificate.extendedKeyUsage}" }
                    check(result.certificate.authorityInfoAccess.any { it.method == "OCSP" }) { "${result.certificate.authorityInfoAccess}" }
                    check(result.certificate.validUntilJst.endsWith("+09:00")) { result.certificate.validUntilJst }
                    check(result.certificate.caPurpose == null)
                    val limit = if (profile == VirtualCardProfile.NO_EXTENDED_LENGTH) 12u else 5u
                    check(result.counts.apdus <= limit) { "${result.counts}" }
                    check(card.pinVerifications() == 1u)
                }
            }
        }
    }

    t.test("document signatures verify for SHA-256, SHA-384 and SHA-512") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                for ((alg, javaName) in listOf(
                    DigestAlgorithm.SHA256 to "SHA256withRSA",
                    DigestAlgorithm.SHA384 to "SHA384withRSA",
                    DigestAlgorithm.SHA512 to "SHA512withRSA",
                )) {
                    val result = session.signDocument(document, alg, utf8("ABC123"), SignOptions(false, false))
                    check(result.certificate.purpose == CertificatePurpose.SIGNATURE)
                    check(javaVerifies(javaName, result.certificate, document, result.signature)) { "$alg" }
                }
                val personal = session.readSigningCertificate(utf8("abc123"), false).personal!!
                check(personal.birthDate == "1990-04-01") { "${personal.birthDate}" }
                check(personal.birthDateJapanese == "平成2年") { "${personal.birthDateJapanese}" }
                check(personal.birthDateRaw == "419900401") { "${personal.birthDateRaw}" }
                // The substitute fields are digit strings, not a name or an address.
                check(personal.substituteName!!.all { it.isDigit() })
                check(personal.substituteAddress!!.all { it.isDigit() })
                check(personal.name!!.contains("\u3000"))
            }
        }
    }

    t.test("a digest computed in Kotlin signs the same way") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                val digest = java.security.MessageDigest.getInstance("SHA-256").digest(document)
                val result = session.signDigest(digest, DigestAlgorithm.SHA256, utf8("ABC123"), SignOptions(false, false))
                check(javaVerifies("SHA256withRSA", result.certificate, document, result.signature))
                expectFailure(ErrorKind.INVALID_INPUT) {
                    kotlinx.coroutines.runBlocking { session.signDigest(digest.copyOf(20), DigestAlgorithm.SHA256, utf8("ABC123"), SignOptions(false, false)) }
                }
                expectFailure(ErrorKind.INVALID_INPUT) {
                    kotlinx.coroutines.runBlocking { session.signDocument(document, DigestAlgorithm.SHA1, utf8("ABC123"), SignOptions(false, false)) }
                }
            }
        }
    }

    t.test("wrong PIN says how many attempts are left") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                val e = expectFailure(ErrorKind.WRONG_PIN) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8("9999"), false) } }
                check(e.pin == PinKind.AUTHENTICATION && e.attemptsLeft?.toInt() == 2)
                check(e.reason == "authentication PIN incorrect: 2 attempts left") { e.reason }
                check(card.attemptsLeft(PinKind.AUTHENTICATION)?.toInt() == 2)
            }
        }
    }

    t.test("lockout: last attempt needs confirmation, then the PIN locks and no VERIFY follows") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                repeat(2) { expectFailure(ErrorKind.WRONG_PIN) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8("0000"), false) } } }
                val refused = expectFailure(ErrorKind.LAST_ATTEMPT_NOT_CONFIRMED) {
                    kotlinx.coroutines.runBlocking { session.login(challenge, utf8("0000"), false) }
                }
                check(refused.pin == PinKind.AUTHENTICATION)
                val locked = expectFailure(ErrorKind.PIN_BLOCKED) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8("0000"), true) } }
                check(locked.byThisAttempt && locked.reason.contains("municipal office")) { locked.reason }
                val still = expectFailure(ErrorKind.PIN_BLOCKED) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8("1234"), true) } }
                check(!still.byThisAttempt)
                check(card.pinVerifications() == 3u) { "${card.pinVerifications()}" }
                check(session.retryCounter(PinKind.AUTHENTICATION).blocked)
            }
        }
    }

    t.test("five wrong signing passwords lock it") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                for (left in 4 downTo 1) {
                    val e = expectFailure(ErrorKind.WRONG_PIN) {
                        kotlinx.coroutines.runBlocking { session.signDocument(document, DigestAlgorithm.SHA256, utf8("WRONG1"), SignOptions(false, false)) }
                    }
                    check(e.attemptsLeft?.toInt() == left && e.pin == PinKind.SIGNING)
                }
                val locked = expectFailure(ErrorKind.PIN_BLOCKED) {
                    kotlinx.coroutines.runBlocking { session.signDocument(document, DigestAlgorithm.SHA256, utf8("WRONG1"), SignOptions(true, false)) }
                }
                check(locked.reason.contains("kiosk"))
            }
        }
    }

    t.test("malformed PINs are refused before any APDU") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                for (pin in listOf("123", "12345", "12a4", "")) {
                    val e = expectFailure(ErrorKind.INVALID_PIN_FORMAT) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8(pin), false) } }
                    check(e.pin == PinKind.AUTHENTICATION)
                    if (pin.length > 3) check(!e.reason.contains(pin))
                }
                for (password in listOf("ABC12", "ABCDEF", "123456", "ABC-123")) {
                    expectFailure(ErrorKind.INVALID_PIN_FORMAT) {
                        kotlinx.coroutines.runBlocking { session.signDocument(document, DigestAlgorithm.SHA256, utf8(password), SignOptions(false, false)) }
                    }
                }
                // Full-width digits and letters (what a Japanese keyboard may give), and bytes that
                // are not UTF-8 at all: refused the same way, before any APDU.
                for (pin in listOf(utf8("１２３４"), byteArrayOf(0x31, 0x32, 0xFF.toByte(), 0x34), byteArrayOf(0xC3.toByte()))) {
                    val e = expectFailure(ErrorKind.INVALID_PIN_FORMAT) { kotlinx.coroutines.runBlocking { session.login(challenge, pin, false) } }
                    check(e.pin == PinKind.AUTHENTICATION) { "pin ${e.pin}" }
                }
                expectFailure(ErrorKind.INVALID_PIN_FORMAT) {
                    kotlinx.coroutines.runBlocking { session.signDocument(document, DigestAlgorithm.SHA256, utf8("ＡＢＣ１２３"), SignOptions(false, false)) }
                }
                expectFailure(ErrorKind.INVALID_PIN_FORMAT) {
                    kotlinx.coroutines.runBlocking { session.readCardInfo(AttributesUnlock.CARD_INFO_PIN, byteArrayOf(0xFF.toByte(), 0x31, 0x32, 0x33), false, null) }
                }
                val apdus = session.counts().apdus
                check(apdus == 0u) { "$apdus APDUs counted by the session" }
                check(card.commandsProcessed() == 0uL) { "${card.commandsProcessed()} APDUs" }
            }
        }
    }

    t.test("last-attempt profile: refused without confirmation, counter reset after the right PIN") {
        VirtualCard(VirtualCardProfile.SIGNING_LAST_ATTEMPT).use { card ->
            CardSession(card).use { session ->
                expectFailure(ErrorKind.LAST_ATTEMPT_NOT_CONFIRMED) {
                    kotlinx.coroutines.runBlocking { session.signDocument(document, DigestAlgorithm.SHA256, utf8("ABC123"), SignOptions(false, false)) }
                }
                check(card.pinVerifications() == 0u)
                session.signDocument(document, DigestAlgorithm.SHA256, utf8("ABC123"), SignOptions(true, false))
                check(card.attemptsLeft(PinKind.SIGNING)?.toInt() == 5)
            }
        }
    }

    t.test("under-15 card has no signing certificate") {
        VirtualCard(VirtualCardProfile.UNDER15).use { card ->
            CardSession(card).use { session ->
                val status = session.status()
                check(!status.signingCertificatePresent && status.signingPassword == null)
                expectFailure(ErrorKind.NO_SIGNING_CERTIFICATE) {
                    kotlinx.coroutines.runBlocking { session.signDocument(document, DigestAlgorithm.SHA256, utf8("ABC123"), SignOptions(false, false)) }
                }
                check(card.pinVerifications() == 0u)
                session.login(challenge, utf8("1234"), false)
            }
        }
    }

    t.test("Android phone token: status, protected certificate, log-in") {
        VirtualCard(VirtualCardProfile.ANDROID_PHONE_TOKEN).use { card ->
            CardSession(card).use { session ->
                val status = session.status()
                check(status.token == TokenType.AndroidPhone)
                check(status.authenticationCertificate == null)
                val e = expectFailure(ErrorKind.PIN_REQUIRED) {
                    kotlinx.coroutines.runBlocking { session.readCertificate(CertificateKind.AUTHENTICATION) }
                }
                check(e.pin == PinKind.AUTHENTICATION)
                check(session.readAuthenticationCertificateWithPin(utf8("1234"), false).purpose == CertificatePurpose.AUTHENTICATION)
            }
        }
    }

    t.test("status and CA certificates") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                val status = session.status()
                check(status.token == TokenType.PhysicalCard)
                check(status.authenticationPin.attemptsLeft?.toInt() == 3)
                check(status.signingPassword!!.attemptsLeft?.toInt() == 5)
                check(status.authenticationCertificate!!.keyBits == 2048u)
                val ca = session.readCertificate(CertificateKind.AUTHENTICATION_CA)
                check(ca.purpose == CertificatePurpose.CERTIFICATE_AUTHORITY)
                check(ca.caPurpose == CertificatePurpose.AUTHENTICATION) { "${ca.caPurpose}" }
                check(ca.keyUsage == listOf("keyCertSign", "cRLSign")) { "${ca.keyUsage}" }
                check(ca.testHierarchy)
                // A test root: not one of J-LIS's published roots, so no name or generation.
                check(ca.rootName == null && ca.rootGeneration == null) { "${ca.rootName} ${ca.rootGeneration}" }
                check(status.authenticationCertificate!!.rootGeneration == null)
                // The leaf chains to the virtual card's test root, as java.security sees it.
                x509(status.authenticationCertificate!!).verify(x509(ca).publicKey)
                expectFailure(ErrorKind.PIN_REQUIRED) { kotlinx.coroutines.runBlocking { session.readCertificate(CertificateKind.SIGNING) } }
            }
        }
    }

    t.test("each J-LIS production root: its purpose, hierarchy, name and generation") {
        for ((name, purpose, generation) in listOf(
            Triple("authca01.cer", CertificatePurpose.AUTHENTICATION, 1),
            Triple("authca02.cer", CertificatePurpose.AUTHENTICATION, 2),
            Triple("authca03.cer", CertificatePurpose.AUTHENTICATION, 3),
            Triple("signca01.cer", CertificatePurpose.SIGNATURE, 1),
            Triple("signca02.cer", CertificatePurpose.SIGNATURE, 2),
            Triple("signca03.cer", CertificatePurpose.SIGNATURE, 3),
        )) {
            // The roots as J-LIS publishes them (the tests run from the repository root).
            val der = java.io.File("verify/roots/$name").readBytes()
            val root = parseCertificate(der)
            check(root.purpose == CertificatePurpose.CERTIFICATE_AUTHORITY) { "$name: ${root.purpose}" }
            check(root.caPurpose == purpose) { "$name: ${root.caPurpose}" }
            check(!root.testHierarchy) { name }
            check(root.rootName == name) { "$name: ${root.rootName}" }
            check(root.rootGeneration?.toInt() == generation) { "$name: ${root.rootGeneration}" }
            check(root.validUntilJst.endsWith("T23:59:59+09:00")) { root.validUntilJst }
            // One byte changed: still a certificate, no longer the published root.
            val altered = der.copyOf().also { it[it.size - 1] = (it[it.size - 1].toInt() xor 1).toByte() }
            check(parseCertificate(altered).rootGeneration == null) { name }
        }
        expectFailure(ErrorKind.CERTIFICATE) { parseCertificate(byteArrayOf(0x30, 0x03, 1)) }
    }

    t.test("lenient profile: the verified PIN survives another application's SELECT only there") {
        val selectJpki = hex("00A4040C0AD392F000260100000001")
        val selectTextAp = hex("00A4040C0AD3921000310001010408")
        val verifyPin = hex("0020009804") + "1234".toByteArray()
        // The library's SIGN form: a SHA-256 DigestInfo, Le = 00 (or [le]).
        fun sign(message: ByteArray, le: ByteArray = byteArrayOf(0)): ByteArray {
            val digestInfo = hex("3031300d060960864801650304020105000420") +
                java.security.MessageDigest.getInstance("SHA-256").digest(message)
            return hex("802A0097") + byteArrayOf(digestInfo.size.toByte()) + digestInfo + le
        }
        fun sw(response: ByteArray) = String.format("%02X%02X", response[response.size - 2], response[response.size - 1])
        for ((profile, afterSelect, shortLe) in listOf(
            Triple(VirtualCardProfile.PHYSICAL_CARD, "6982", "6700"),
            Triple(VirtualCardProfile.LENIENT, "9000", "9000"),
        )) {
            VirtualCard(profile).use { card ->
                check(sw(card.process(selectJpki)) == "9000")
                check(sw(card.process(verifyPin)) == "9000")
                check(sw(card.process(sign("before".toByteArray()))) == "9000") { "$profile" }
                check(sw(card.process(selectTextAp)) == "9000")
                check(sw(card.process(selectJpki)) == "9000")
                val after = card.process(sign("after".toByteArray()))
                check(sw(after) == afterSelect) { "$profile after SELECT: ${sw(after)}" }
                if (sw(after) == "9000") {
                    val leaf = parseCertificate(card.certificate(CertificateKind.AUTHENTICATION)!!)
                    check(javaVerifies("SHA256withRSA", leaf, "after".toByteArray(), after.copyOf(256)))
                }
                // A VERIFY after the last SELECT, as the library sends it, works on both cards;
                // a SIGN asking for one byte (Le = 01) only on the lenient one.
                check(sw(card.process(verifyPin)) == "9000")
                check(sw(card.process(sign("short".toByteArray(), byteArrayOf(1)))) == shortLe) { "$profile Le=01" }
                check(sw(card.process(sign("full".toByteArray()))) == "9000")
            }
            // The library's flows are the same on both, APDU for APDU.
            VirtualCard(profile).use { card ->
                CardSession(card).use { session ->
                    val result = session.login(challenge, utf8("1234"), false)
                    check(result.counts.apdus == 5u) { "$profile: ${result.counts}" }
                    check(javaVerifies("SHA256withRSA", result.certificate, challenge, result.signature))
                }
            }
        }
    }

    t.test("PINs can be changed") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                session.changePin(PinKind.AUTHENTICATION, utf8("1234"), utf8("4321"), false)
                card.reset()
                expectFailure(ErrorKind.WRONG_PIN) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8("1234"), false) } }
                session.login(challenge, utf8("4321"), false)
            }
        }
    }

    t.test("tag lost during VERIFY: PinCheckInterrupted, never re-sent; the next tap works") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            // APDU 2 of a log-in is the VERIFY (SELECT AP, retry query, VERIFY, SIGN, READ).
            val flaky = FlakyTransceiver(card, 2) { NfcException.TagLost() }
            CardSession(flaky).use { session ->
                val e = expectFailure(ErrorKind.PIN_CHECK_INTERRUPTED) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8("1234"), false) } }
                check(e.pin == PinKind.AUTHENTICATION)
                check(card.pinVerifications() == 0u) { "the lost VERIFY never reached the card and was not retried" }
                val result = session.login(challenge, utf8("1234"), false)
                check(javaVerifies("SHA256withRSA", result.certificate, challenge, result.signature))
                check(card.pinVerifications() == 1u)
            }
        }
    }

    t.test("a log-in cancelled while VERIFY is on the air: the next entry is PinCheckInterrupted, not re-sent") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            val verifyDelivered = kotlinx.coroutines.CompletableDeferred<Unit>()
            // Delivers the first VERIFY with a PIN to the card, then never answers it.
            val stalling = object : NfcTransceiver {
                var stalled = false
                override fun linkInfo(): LinkInfo = card.linkInfo()
                override suspend fun transceive(command: ByteArray): ByteArray {
                    val isVerify = command[1] == 0x20.toByte() && command.size > 5
                    val response = card.process(command)
                    if (isVerify && !stalled) {
                        stalled = true
                        verifyDelivered.complete(Unit)
                        kotlinx.coroutines.awaitCancellation()
                    }
                    return response
                }
            }
            CardSession(stalling).use { session ->
                coroutineScope {
                    val login = async { session.login(challenge, utf8("9999"), false) }
                    verifyDelivered.await()
                    login.cancel()
                    expectThrows<kotlinx.coroutines.CancellationException> { login.await() }
                }
                check(card.attemptsLeft(PinKind.AUTHENTICATION) == 2.toUByte()) { "the card counted the wrong PIN" }
                val e = expectFailure(ErrorKind.PIN_CHECK_INTERRUPTED) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8("1234"), false) } }
                check(e.pin == PinKind.AUTHENTICATION)
                check(card.pinVerifications() == 1u) { "no VERIFY was sent for the refused entry" }
                check(session.retryCounter(PinKind.AUTHENTICATION).attemptsLeft == 2.toUByte())
                val result = session.login(challenge, utf8("1234"), false)
                check(javaVerifies("SHA256withRSA", result.certificate, challenge, result.signature))
            }
        }
    }

    t.test("tag lost after VERIFY surfaces as TagLost") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            // APDU 3 is the SIGN, after the VERIFY.
            CardSession(FlakyTransceiver(card, 3) { NfcException.TagLost() }).use { session ->
                val e = expectFailure(ErrorKind.TAG_LOST) { kotlinx.coroutines.runBlocking { session.login(challenge, utf8("1234"), false) } }
                check(e.reason.contains("tap again")) { e.reason }
                check(card.pinVerifications() == 1u)
            }
        }
    }

    t.test("an unexpected Kotlin exception in the transceiver is an error, not a crash") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(FlakyTransceiver(card, 0) { IllegalStateException("boom") }).use { session ->
                val e = expectFailure(ErrorKind.LINK) { kotlinx.coroutines.runBlocking { session.status() } }
                check(e.reason.contains("boom")) { e.reason }
                check(session.status().authenticationPin.attemptsLeft?.toInt() == 3)
            }
        }
    }

    t.test("concurrent flows on one session never interleave their APDUs") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            val link = YieldingTransceiver(card)
            CardSession(link).use { session ->
                val results = coroutineScope {
                    (1..4).map { async { session.login(challenge, utf8("1234"), false) } }.awaitAll()
                }
                results.forEach { check(javaVerifies("SHA256withRSA", it.certificate, challenge, it.signature)) }
                // Each log-in is one unbroken run: SELECT AP (A4), retry query and VERIFY (20 20),
                // SIGN (2A), READ BINARY (B0).
                val runs = link.log.joinToString("") { String.format("%02X", it) }
                check(Regex("(A420202AB0){4}").matches(runs)) { runs }
            }
        }
    }

    t.test("log-in v2: the app shows the relying party, the server verifies once, another relying party is refused") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            val roots = listOf(TestRoot(card.rootCertificate(PinKind.AUTHENTICATION), CertificatePurpose.AUTHENTICATION))
            LoginVerifier("a.example", roots, false).use { server ->
                val issued = server.issueRequest(120u)
                check(issued.challenge.size == 32)
                // The app: parse what the server sent, refuse anyone but its own server, show whom.
                val request = parseLoginRequest(issued.json, "a.example")
                check(request.prompt == "Log in to a.example") { request.prompt }
                val elsewhere = expectFailure(ErrorKind.INVALID_INPUT) { parseLoginRequest(issued.json, "b.example") }
                check(elsewhere.reason.contains("b.example")) { elsewhere.reason }
                val result = CardSession(card).use { phone -> phone.loginV2(request, utf8("1234"), false, null) }
                check(result.relyingParty == "a.example" && result.messageJson.contains("\"version\": 2")) { result.messageJson }
                // Independently of Kotlin's bindings: java.security checks the signature over the
                // domain-separated bytes the README documents.
                val signed = ByteArrayOutputStream().apply {
                    write("kazashi JPKI log-in v2".toByteArray()); write(0)
                    write(0); write("a.example".length); write("a.example".toByteArray())
                    write(0); write(request.challenge.size); write(request.challenge)
                    write(ByteBuffer.allocate(16).putLong(request.issuedAt).putLong(request.expiresAt).array())
                }.toByteArray()
                val x509 = CertificateFactory.getInstance("X.509")
                    .generateCertificate(result.certificate.der.inputStream()) as X509Certificate
                val verifier = Signature.getInstance("SHA256withRSA").apply { initVerify(x509.publicKey); update(signed) }
                check(verifier.verify(result.signature)) { "java.security rejects the v2 log-in signature" }

                // A verifier for b.example sharing nothing with a.example's refuses the message.
                LoginVerifier("b.example", roots, false).use { other ->
                    val e = expectThrows<VerificationException.Rejected> { other.verifyIssued(result.messageJson) }
                    check(e.kind == RejectionKind.RELYING_PARTY_MISMATCH) { "${e.kind}" }
                }
                val ok = server.verify(result.messageJson, issued.challenge)
                check(ok.version == 2u && ok.relyingParty == "a.example")
                check(ok.chain.anchor.startsWith("test root: C=JP, O=JPKI-TEST")) { ok.chain.anchor }
                check(!ok.revocationChecked && ok.chain.daysLeft > 0)
                val replay = expectThrows<VerificationException.Rejected> { server.verifyIssued(result.messageJson) }
                check(replay.kind == RejectionKind.CHALLENGE_REPLAYED)
            }
            // Production roots only: the virtual card's test PKI is refused.
            LoginVerifier("a.example", emptyList(), false).use { strict ->
                val request = parseLoginRequest(strict.issueRequest(60u).json, null)
                val result = CardSession(card).use { phone -> phone.loginV2(request, utf8("1234"), false, null) }
                val e = expectThrows<VerificationException.Rejected> { strict.verifyIssued(result.messageJson) }
                check(e.kind == RejectionKind.TEST_ROOT_NOT_ACCEPTED) { "${e.kind}" }
            }
        }
    }

    t.test("log-in v1: read only by a verifier that opts in") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            val roots = listOf(TestRoot(card.rootCertificate(PinKind.AUTHENTICATION), CertificatePurpose.AUTHENTICATION))
            LoginVerifier("a.example", roots, false).use { strict ->
                val challenge = strict.issueChallenge(60u)
                val message = CardSession(card).use { phone ->
                    val result = phone.login(challenge, utf8("1234"), false)
                    createLoginMessage(challenge, result.signature, result.certificate.der, "physical-card")
                }
                check(message.contains("\"version\": 1")) { message }
                val e = expectThrows<VerificationException.Rejected> { strict.verify(message, challenge) }
                check(e.kind == RejectionKind.VERSION1_NOT_ACCEPTED) { "${e.kind}" }
            }
            LoginVerifier("a.example", roots, true).use { lenient ->
                val challenge = lenient.issueChallenge(60u)
                val message = CardSession(card).use { phone ->
                    val result = phone.login(challenge, utf8("1234"), false)
                    createLoginMessage(challenge, result.signature, result.certificate.der, "physical-card")
                }
                val ok = lenient.verify(message, challenge)
                check(ok.version == 1u && ok.relyingParty == null)
            }
        }
    }

    t.test("CMS signed file made on the card verifies; altered content is rejected") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            val roots = listOf(TestRoot(card.rootCertificate(PinKind.SIGNING), CertificatePurpose.SIGNATURE))
            CardSession(card).use { session ->
                val detached = session.signCms(document, DigestAlgorithm.SHA256, utf8("ABC123"), false, SignOptions(false, false))
                val ok = verifySignedFile(detached.der, document, roots)
                check(ok.detached && ok.content.contentEquals(document) && ok.signingTime != null)
                val e = expectThrows<VerificationException.Rejected> { verifySignedFile(detached.der, "forged".toByteArray(), roots) }
                check(e.kind == RejectionKind.CONTENT_MISMATCH)
                val attached = session.signCms(document, DigestAlgorithm.SHA512, utf8("ABC123"), true, SignOptions(false, false))
                check(verifySignedFile(attached.der, null, roots).algorithm == DigestAlgorithm.SHA512)
            }
            // A signing certificate offered as an authentication certificate.
            val e = expectThrows<VerificationException.Rejected> {
                verifyCertificate(card.certificate(CertificateKind.SIGNING)!!, CertificatePurpose.AUTHENTICATION, emptyList())
            }
            check(e.kind == RejectionKind.WRONG_PURPOSE)
        }
    }

    t.test("a cached certificate saves the read; another card's certificate is replaced") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            val stored = CardSession(card).use { it.login(challenge, utf8("1234"), false).certificate.der }
            card.reset()
            CardSession(card).use { session ->
                val result = session.loginWithCachedCertificate(challenge, utf8("1234"), false, stored)
                check(result.certificateFromCache)
                check(result.counts.apdus == 4u) { "${result.counts}" }
                check(javaVerifies("SHA256withRSA", result.certificate, challenge, result.signature))
            }
            VirtualCard.withOptions(jp.kazashi.VirtualCardOptions(VirtualCardProfile.PHYSICAL_CARD, seed = "another holder")).use { other ->
                CardSession(other).use { session ->
                    val result = session.loginWithCachedCertificate(challenge, utf8("1234"), false, stored)
                    check(!result.certificateFromCache)
                    check(result.certificate.der.contentEquals(other.certificate(CertificateKind.AUTHENTICATION)!!))
                    check(javaVerifies("SHA256withRSA", result.certificate, challenge, result.signature))
                }
            }
            // A damaged cache entry is a miss, not an error.
            CardSession(card).use { session ->
                val result = session.loginWithCachedCertificate(challenge, utf8("1234"), false, byteArrayOf(0x30, 0x03, 1))
                check(!result.certificateFromCache)
                check(javaVerifies("SHA256withRSA", result.certificate, challenge, result.signature))
            }
        }
    }

    t.test("a card that refuses short EF ids is served with SELECT forms, one probe per session") {
        VirtualCard(VirtualCardProfile.NO_SHORT_EF_IDS).use { card ->
            CardSession(card).use { session ->
                val first = session.login(challenge, utf8("1234"), false)
                val second = session.login(challenge, utf8("1234"), false)
                check(first.counts.apdus == 9u && second.counts.apdus == 8u) { "${first.counts} ${second.counts}" }
                check(javaVerifies("SHA256withRSA", second.certificate, challenge, second.signature))
                check(card.pinVerifications() == 2u)
            }
        }
    }

    t.test("a fault staged by the virtual card at every APDU of a log-in: typed error, no attempt lost") {
        val faults = listOf(
            LinkFault.TagLostBeforeDelivery, LinkFault.TagLostAfterDelivery, LinkFault.Timeout,
            LinkFault.Corrupt, LinkFault.Truncate, LinkFault.Delay(1u),
        )
        val healthy = VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { it.login(challenge, utf8("1234"), false).counts.apdus.toInt() }
        }
        var runs = 0
        for (at in 0 until healthy) {
            for (fault in faults) {
                runs++
                VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
                    card.injectFault(at.toUInt(), fault)
                    val outcome = runCatching { CardSession(card).use { it.login(challenge, utf8("1234"), false) } }
                    check(card.faultInjected()) { "$fault at $at never struck" }
                    val error = outcome.exceptionOrNull()
                    val context = "$fault at APDU $at: $error"
                    when (fault) {
                        LinkFault.TagLostBeforeDelivery, LinkFault.TagLostAfterDelivery -> check(
                            error.isKind(ErrorKind.TAG_LOST) || error.isKind(ErrorKind.PIN_CHECK_INTERRUPTED),
                        ) { context }
                        LinkFault.Timeout -> check(
                            error.isKind(ErrorKind.TIMEOUT) || error.isKind(ErrorKind.PIN_CHECK_INTERRUPTED),
                        ) { context }
                        is LinkFault.Delay -> check(error == null) { context }
                        // A damaged answer is a card or format error (or, for a probe, a fallback), never a link error.
                        else -> check(
                            error == null || (error is KazashiException && !error.isKind(ErrorKind.TAG_LOST) &&
                                !error.isKind(ErrorKind.TIMEOUT) && !error.isKind(ErrorKind.PIN_CHECK_INTERRUPTED)),
                        ) { context }
                    }
                    check(card.pinVerifications() <= 1u) { "VERIFY sent twice: $context" }
                    check(card.attemptsLeft(PinKind.AUTHENTICATION)?.toInt() == 3) { "attempt lost: $context" }
                    card.reset()
                    val next = CardSession(card).use { it.login(challenge, utf8("1234"), false) }
                    check(javaVerifies("SHA256withRSA", next.certificate, challenge, next.signature)) { context }
                }
            }
        }
        check(runs == healthy * faults.size && healthy == 5) { "$runs runs over $healthy APDUs" }
        println("       Kotlin fault matrix: $runs runs ($healthy APDUs x ${faults.size} faults)")
    }

    t.test("card-info: the four attributes checked and equal to the signing certificate; the My Number only on request") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                val attributes = session.readCardInfo(AttributesUnlock.CARD_INFO_PIN, utf8("1234"), false, card.cardInfoIssuerKey())
                check(attributes.birthDate == "19900401" && attributes.sex == "2") { "attributes" }
                check(attributes.integrity.attributesDigest == IntegrityCheck.PASSED)
                check(attributes.integrity.myNumberDigest == IntegrityCheck.NOT_READ) { "the My Number was not read" }
                check(attributes.integrity.recordSignature == IntegrityCheck.PASSED)
                check(attributes.integrity.issuerVerified)
                // The signing certificate, checked by java.security, names the same person.
                val signing = session.readSigningCertificate(utf8("ABC123"), false)
                x509(signing).checkValidity()
                check(crossCheckCardInfo(attributes, signing.der).allEqual)

                val byB = session.readCardInfo(AttributesUnlock.VERIFICATION_NUMBER_B, utf8(card.verificationNumberB()), false, null)
                check(!byB.integrity.issuerVerified) { "no issuer key given: not verified" }
                val number = session.readMyNumber(MyNumberUnlock.VERIFICATION_NUMBER_A, utf8(card.myNumber()), false, null)
                check(number.digits() == card.myNumber())
                check(number.integrity().myNumberDigest == IntegrityCheck.PASSED)
                check(!number.toString().contains(card.myNumber())) { "an object: toString() never shows the digits" }
            }
        }
    }

    t.test("card-info PIN: its own counter, locked after three, the authentication PIN untouched") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                for (left in listOf(2, 1)) {
                    val e = expectFailure(ErrorKind.WRONG_PIN) {
                        kotlinx.coroutines.runBlocking { session.readCardInfo(AttributesUnlock.CARD_INFO_PIN, utf8("9999"), false, null) }
                    }
                    check(e.pin == PinKind.CARD_INFO && e.attemptsLeft?.toInt() == left) { "${e.pin} ${e.attemptsLeft}" }
                }
                expectFailure(ErrorKind.LAST_ATTEMPT_NOT_CONFIRMED) {
                    kotlinx.coroutines.runBlocking { session.readCardInfo(AttributesUnlock.CARD_INFO_PIN, utf8("9999"), false, null) }
                }
                expectFailure(ErrorKind.PIN_BLOCKED) {
                    kotlinx.coroutines.runBlocking { session.readCardInfo(AttributesUnlock.CARD_INFO_PIN, utf8("9999"), true, null) }
                }
                check(session.retryCounter(PinKind.CARD_INFO).blocked)
                check(session.retryCounter(PinKind.AUTHENTICATION).attemptsLeft?.toInt() == 3)
                val login = session.login(challenge, utf8("1234"), false)
                check(javaVerifies("SHA256withRSA", login.certificate, challenge, login.signature))
            }
        }
        VirtualCard(VirtualCardProfile.CARD_INFO_TAMPERED).use { card ->
            CardSession(card).use { session ->
                expectFailure(ErrorKind.INTEGRITY_CHECK_FAILED) {
                    kotlinx.coroutines.runBlocking { session.readCardInfo(AttributesUnlock.CARD_INFO_PIN, utf8("1234"), false, null) }
                }
            }
        }
    }

    t.test("card-surface: the front with verification number A or B, a real JPEG 2000 photo, an honest signature verdict") {
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            CardSession(card).use { session ->
                val byA = session.readCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_A, utf8(card.myNumber()), false, card.cardInfoIssuerKey())
                val jp2Signature = byteArrayOf(0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20)
                check(byA.photo.copyOfRange(0, 8).contentEquals(jp2Signature)) { "JPEG 2000 signature box" }
                check(byA.photoMediaType == "image/jp2")
                check(byA.birthDate == "19900401" && byA.sex == "2")
                check(byA.signature == SurfaceSignatureVerdict.VERIFIED_VIRTUAL_CARD_LAYOUT)
                check(byA.issuerVerified)
                val byB = session.readCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_B, utf8(card.verificationNumberB()), false, null)
                check(byB.photo.contentEquals(byA.photo)) { "B opens the same front" }
                check(!byB.issuerVerified)
                // A wrong number costs this application's counter, not the card-info one.
                val e = expectFailure(ErrorKind.WRONG_PIN) {
                    kotlinx.coroutines.runBlocking { session.readCardSurface(SurfaceUnlock.VERIFICATION_NUMBER_B, utf8("02040120991234"), false, null) }
                }
                check(e.pin == PinKind.VERIFICATION_NUMBER_B)
                val cardInfoB = session.retryCounter(PinKind.VERIFICATION_NUMBER_B)
                check(cardInfoB.attemptsLeft == cardInfoB.maxAttempts) { "the card-info counter is untouched" }
            }
        }
    }

    exitProcess(t.run())
}
