package jp.kazashi.sample

import java.io.ByteArrayInputStream
import java.security.Signature
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.util.Locale
import jp.kazashi.CertificateKind
import jp.kazashi.ErrorKind
import jp.kazashi.KazashiException
import jp.kazashi.PinKind
import jp.kazashi.ProgressStage
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import jp.kazashi.android.NfcState
import jp.kazashi.android.userMessage
import kotlin.system.exitProcess
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

// The sample's controller on a desktop JVM, with the switch on the virtual card: the same flows the
// activity runs, through CardSession.withProgress. Signatures are checked here with java.security,
// independently of both the core and the controller's own check.

private class Case(val name: String, val body: suspend () -> Unit)

private fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

private fun x509(der: ByteArray) =
    CertificateFactory.getInstance("X.509").generateCertificate(ByteArrayInputStream(der)) as X509Certificate

/** A controller on its own virtual card, switched to it; returns both. */
private fun controller(scope: CoroutineScope, profile: VirtualCardProfile = VirtualCardProfile.PHYSICAL_CARD, locale: Locale = Locale.ENGLISH):
    Pair<SampleController, VirtualCardAccess> {
    val access = VirtualCardAccess(VirtualCard(profile))
    val controller = SampleController(scope, locale, access)
    controller.useVirtualCard(true)
    return controller to access
}

/** SHA256withRSA with the JDK, independently of the core and of the controller. */
private fun verifies(evidence: Evidence): Boolean {
    val certificate = x509(evidence.certificateDer)
    return Signature.getInstance("SHA256withRSA").run {
        initVerify(certificate.publicKey)
        update(evidence.message)
        verify(evidence.signature)
    }
}

private val signingStages = listOf(
    ProgressStage.CARD_FOUND, ProgressStage.READING_CERTIFICATE, ProgressStage.CHECKING_PIN_COUNTER,
    ProgressStage.VERIFYING_PIN, ProgressStage.SIGNING, ProgressStage.DONE,
)

private val cases = listOf(
    Case("status on the virtual card: counters of a fresh card, no flow error, progress reported") {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val (c, _) = controller(scope)
        checkNotNull(c.start(Request.Status)) { "the virtual card ran nothing" }.join()
        val s = c.state.value
        check(s.error == null) { "error: ${s.error}" }
        val text = s.result ?: throw AssertionError("no result")
        check(text.contains("3 of 3 attempts left")) { "authentication PIN counter missing: $text" }
        check(text.contains("5 of 5 attempts left")) { "signing password counter missing: $text" }
        check(s.stages.firstOrNull() == ProgressStage.CARD_FOUND && s.stages.last() == ProgressStage.DONE) { "stages ${s.stages}" }
        check(s.message == ProgressStage.DONE.userMessage(null, Locale.ENGLISH)) { "last progress text: ${s.message}" }
        scope.cancel()
    },
    Case("log in on the virtual card: the signature over the challenge verifies (java.security), the PIN array is wiped") {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val (c, access) = controller(scope)
        val pin = "1234".toCharArray()
        checkNotNull(c.start(Request.Login(pin))).join()
        val s = c.state.value
        check(s.error == null) { "error: ${s.error}" }
        check(s.signatureVerified == true) { "the controller's java.security check did not pass" }
        check(pin.all { it == '\u0000' }) { "the PIN array was not wiped" }
        check(access.card.pinVerifications() == 1u) { "VERIFYs carrying a PIN: ${access.card.pinVerifications()}" }
        check(s.stages == signingStages) { "stages ${s.stages}" }
        val evidence = s.evidence ?: throw AssertionError("no evidence")
        check(evidence.message.size == 32) { "challenge of ${evidence.message.size} bytes" }
        check(evidence.certificateDer.contentEquals(access.card.certificate(CertificateKind.AUTHENTICATION))) { "not the card's authentication certificate" }
        check(verifies(evidence)) { "the login signature does not verify" }
        // A tampered challenge must not verify: the check above can fail.
        check(!verifies(Evidence(evidence.message.copyOf().also { it[0] = (it[0] + 1).toByte() }, evidence.signature, evidence.certificateDer))) {
            "a tampered challenge verified"
        }
        scope.cancel()
    },
    Case("sign a text on the virtual card: stages in order, the signature verifies with SHA256withRSA against the signing certificate") {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val (c, access) = controller(scope)
        val text = "申請書 / application form, version 1"
        c.select(Screen.SIGN)
        checkNotNull(c.start(Request.Sign(text, "ABC123".toCharArray()))).join()
        val s = c.state.value
        check(s.error == null) { "error: ${s.error}" }
        check(s.stages == signingStages) { "stages ${s.stages}" }
        check(s.message == ProgressStage.DONE.userMessage(PinKind.SIGNING, Locale.ENGLISH)) { "last progress text: ${s.message}" }
        check(s.signatureVerified == true) { "the controller's check did not pass" }
        val evidence = s.evidence ?: throw AssertionError("no evidence")
        check(evidence.message.contentEquals(text.toByteArray(Charsets.UTF_8))) { "signed something else" }
        check(evidence.certificateDer.contentEquals(access.card.certificate(CertificateKind.SIGNING))) { "not the card's signing certificate" }
        check(verifies(evidence)) { "the signature does not verify" }
        scope.cancel()
    },
    Case("a wrong PIN shows the catalogue's sentence (English and Japanese), not the debug message") {
        for (locale in listOf(Locale.ENGLISH, Locale.JAPAN)) {
            val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
            val (c, access) = controller(scope, locale = locale)
            checkNotNull(c.start(Request.Login("9999".toCharArray()))).join()
            val s = c.state.value
            check(s.errorKind == ErrorKind.WRONG_PIN) { "kind ${s.errorKind}" }
            check(access.card.attemptsLeft(PinKind.AUTHENTICATION) == 2.toUByte()) { "attempts left on the card" }
            // What the shell's userMessage gives for the same error, which is the catalogue's.
            val expected = KazashiException.Failed(ErrorKind.WRONG_PIN, "r", "a", PinKind.AUTHENTICATION, 2.toUByte(), true, 0x63C2.toUShort())
                .userMessage(locale)
            val shown = s.error ?: throw AssertionError("$locale: no error shown")
            check(shown == expected) { "$locale: shown <$shown>, catalogue <$expected>" }
            check(!shown.contains("kind=")) { "the debug string leaked: $shown" }
            if (locale == Locale.ENGLISH) check(shown.contains("2 attempts left")) { shown }
            scope.cancel()
        }
    },
    Case("a wrong PIN's array and a full-width PIN's array are wiped; the full-width one never reaches the card") {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val (c, access) = controller(scope)
        val wrong = "9999".toCharArray()
        checkNotNull(c.start(Request.Login(wrong))).join()
        check(c.state.value.errorKind == ErrorKind.WRONG_PIN) { "kind ${c.state.value.errorKind}" }
        check(wrong.all { it == '\u0000' }) { "the wrong PIN's array was not wiped" }
        val commands = access.card.commandsProcessed()
        val fullWidth = "１２３４".toCharArray()
        checkNotNull(c.start(Request.Login(fullWidth))).join()
        check(c.state.value.errorKind == ErrorKind.INVALID_PIN_FORMAT) { "kind ${c.state.value.errorKind}" }
        check(fullWidth.all { it == '\u0000' }) { "the full-width PIN's array was not wiped" }
        check(access.card.commandsProcessed() == commands) { "${access.card.commandsProcessed() - commands} commands for a full-width PIN" }
        check(access.card.attemptsLeft(PinKind.AUTHENTICATION) == 2.toUByte()) { "attempts left on the card" }
        scope.cancel()
    },
    Case("with NFC the request waits for a tap; NFC off shows the catalogue's notice; nothing reaches the virtual card") {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val (c, access) = controller(scope)
        c.useVirtualCard(false)
        c.onNfcState(NfcState.OFF)
        check(c.start(Request.Status) == null) { "ran without a tap" }
        check(c.state.value.waitingForTap) { "not waiting for a tap" }
        check(c.state.value.message == jp.kazashi.Notice.NFC_OFF.userMessage(Locale.ENGLISH)) { "message ${c.state.value.message}" }
        c.onNfcState(NfcState.ON)
        check(c.state.value.message == jp.kazashi.Notice.HOLD_CARD.userMessage(Locale.ENGLISH)) { "message ${c.state.value.message}" }
        check(access.card.commandsProcessed() == 0uL) { "the virtual card saw commands" }
        scope.cancel()
    },
)

fun main() {
    var passed = 0
    var failed = 0
    for (case in cases) {
        try {
            runBlocking { withTimeout(60_000) { case.body() } }
            passed++
            println("ok    ${case.name}")
        } catch (e: Throwable) {
            failed++
            println("FAIL  ${case.name}\n      $e")
            e.stackTrace.take(6).forEach { println("        at $it") }
        }
    }
    println("$passed passed, $failed failed")
    System.out.flush()
    exitProcess(if (failed == 0) 0 else 1)
}
