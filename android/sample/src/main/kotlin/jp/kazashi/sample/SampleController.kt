package jp.kazashi.sample

import java.io.ByteArrayInputStream
import java.security.SecureRandom
import java.security.Signature
import java.security.cert.CertificateFactory
import java.util.Locale
import jp.kazashi.CardSession
import jp.kazashi.CardStatus
import jp.kazashi.CertificateInfo
import jp.kazashi.DigestAlgorithm
import jp.kazashi.ErrorKind
import jp.kazashi.KazashiException
import jp.kazashi.Notice
import jp.kazashi.PinKind
import jp.kazashi.PinStatus
import jp.kazashi.ProgressListener
import jp.kazashi.ProgressStage
import jp.kazashi.SignOptions
import jp.kazashi.TokenType
import jp.kazashi.android.IsoDepLink
import jp.kazashi.android.NfcState
import jp.kazashi.android.kazashiLanguage
import jp.kazashi.android.login
import jp.kazashi.android.signDocument
import jp.kazashi.android.userMessage
import jp.kazashi.secretName
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The sample's three screens. */
enum class Screen { STATUS, LOGIN, SIGN }

/**
 * What the user asked for. PINs are `CharArray`s (a String cannot be wiped): the shell's overloads
 * zero them when the call ends, and [SampleController.run] wipes them too when the flow never got
 * that far (a replaced or failed request).
 */
sealed class Request {
    /** The PIN counters and the authentication certificate's validity; no PIN. */
    object Status : Request()

    /** Log in: sign a fresh random challenge with the authentication key (4-digit PIN). */
    class Login(val pin: CharArray, val confirmLastAttempt: Boolean = false) : Request()

    /** Sign [text] (UTF-8) with the signing key (6–16 character password). */
    class Sign(val text: String, val password: CharArray, val confirmLastAttempt: Boolean = false) : Request()

    /** The secret the flow sends, which the progress text names. */
    val secret: PinKind?
        get() = when (this) {
            Status -> null
            is Login -> PinKind.AUTHENTICATION
            is Sign -> PinKind.SIGNING
        }

    internal fun wipe() {
        when (this) {
            Status -> Unit
            is Login -> pin.fill('\u0000')
            is Sign -> password.fill('\u0000')
        }
    }
}

/** Everything the activity draws; the activity holds no other state. */
data class SampleState(
    val screen: Screen = Screen.STATUS,
    /** Whether this build has the virtual card (the switch is hidden otherwise). */
    val virtualCardAvailable: Boolean = false,
    val useVirtualCard: Boolean = false,
    /** The phone's NFC state; `null` until the first report. */
    val nfc: NfcState? = null,
    /** A request waits for a tap. */
    val waitingForTap: Boolean = false,
    /** A flow is running. */
    val busy: Boolean = false,
    /** The last stage the core reported, and its sentence from the message catalogue. */
    val stage: ProgressStage? = null,
    val message: String? = null,
    /** The flow's result, or the error's catalogue sentence (never `e.message`). */
    val result: String? = null,
    val error: String? = null,
    val errorKind: ErrorKind? = null,
    /** Whether java.security verified the returned signature against the returned certificate. */
    val signatureVerified: Boolean? = null,
    /** Every stage of the last flow, in order (for the log line and the tests). */
    val stages: List<ProgressStage> = emptyList(),
    /** What was signed, the signature and the certificate, for a server (or a test) to check. */
    val evidence: Evidence? = null,
)

/** A signature the card made: [message] (the challenge or the text's bytes), [signature], [certificateDer]. */
class Evidence(val message: ByteArray, val signature: ByteArray, val certificateDer: ByteArray)

/**
 * The sample's logic, free of views so that it runs on a desktop JVM against the virtual card
 * (scripts/test-android-sample.sh): the activity forwards clicks, NFC state changes and tags here
 * and draws [state].
 *
 * With the virtual card switched on, a request runs at once on [virtualCard]; otherwise it waits for
 * the next tag from `jpkiTags()` ([onTag]). Either way the flow runs through [CardAccess.session] with
 * a progress listener that puts the catalogue's sentence for each stage into [state], and errors are
 * shown with `KazashiException.userMessage(locale)`.
 *
 * @param scope where requests on the virtual card run (the activity's `lifecycleScope`).
 * @param locale the language of every sentence (the catalogue has Japanese and English).
 * @param virtualCard the virtual card, or `null` in a build without it.
 */
class SampleController(
    private val scope: CoroutineScope,
    private val locale: Locale = Locale.getDefault(),
    private val virtualCard: CardAccess? = if (VirtualCards.AVAILABLE) VirtualCards.create() else null,
) {
    private val mutableState = MutableStateFlow(SampleState(virtualCardAvailable = virtualCard != null))
    private var pending: Request? = null
    private val random = SecureRandom()

    val state: StateFlow<SampleState> = mutableState.asStateFlow()

    fun select(screen: Screen) = mutableState.update { it.copy(screen = screen) }

    /** The virtual-card switch; ignored in a build without the virtual card. */
    fun useVirtualCard(on: Boolean) {
        if (virtualCard == null) return
        mutableState.update { it.copy(useVirtualCard = on) }
    }

    /** From `nfcState()`: NFC off shows the catalogue's notice, and a waiting request keeps waiting. */
    fun onNfcState(nfc: NfcState) {
        mutableState.update { state ->
            val notice = when {
                state.useVirtualCard || state.busy -> null
                nfc == NfcState.OFF -> Notice.NFC_OFF
                nfc == NfcState.UNAVAILABLE -> Notice.NFC_UNAVAILABLE
                state.waitingForTap -> Notice.HOLD_CARD
                else -> null
            }
            state.copy(nfc = nfc, message = notice?.userMessage(locale) ?: state.message)
        }
    }

    /**
     * Starts [request]: on the virtual card at once (the returned job), or, with NFC, at the next
     * tap (returns `null`; the request replaces any earlier one that still waits).
     */
    fun start(request: Request): Job? {
        val card = virtualCard.takeIf { state.value.useVirtualCard }
        if (card != null) {
            return scope.launch { run(card, request) }
        }
        synchronized(this) {
            pending?.wipe()
            pending = request
        }
        val notice = if (state.value.nfc == NfcState.OFF) Notice.NFC_OFF else Notice.HOLD_CARD
        mutableState.update { it.copy(waitingForTap = true, message = notice.userMessage(locale), result = null, error = null) }
        return null
    }

    /**
     * A tag from `jpkiTags()`: runs the waiting request on it, inside the caller's collection (so
     * reader mode stays on while the card is read). A tag with nothing waiting is left alone.
     */
    suspend fun onTag(link: IsoDepLink) {
        val request = synchronized(this) { pending.also { pending = null } } ?: return
        run(TagAccess(link), request)
    }

    /** Runs [request] on [card] and records the outcome in [state]. */
    suspend fun run(card: CardAccess, request: Request) {
        val secret = request.secret
        val stages = java.util.Collections.synchronizedList(mutableListOf<ProgressStage>())
        val listener = object : ProgressListener {
            // On the I/O thread; the state flow is thread-safe and the activity redraws on Main.
            override fun onProgress(stage: ProgressStage) {
                stages.add(stage)
                mutableState.update { it.copy(stage = stage, message = stage.userMessage(secret, locale)) }
            }
        }
        mutableState.update {
            it.copy(busy = true, waitingForTap = false, stage = null, message = null, result = null, error = null,
                errorKind = null, signatureVerified = null, stages = emptyList(), evidence = null)
        }
        try {
            val outcome = card.session(listener) { session -> perform(session, request) }
            mutableState.update {
                it.copy(busy = false, result = outcome.text, signatureVerified = outcome.verified, stages = stages.toList(),
                    evidence = outcome.evidence)
            }
        } catch (e: CancellationException) {
            mutableState.update { it.copy(busy = false, message = Notice.CANCELLED.userMessage(locale), stages = stages.toList()) }
            throw e
        } catch (e: KazashiException) {
            mutableState.update {
                it.copy(busy = false, error = e.userMessage(locale), errorKind = (e as? KazashiException.Failed)?.kind,
                    stages = stages.toList())
            }
        } catch (e: Exception) {
            // Not the card's answer (a bug, a malformed certificate): a neutral sentence, never e.message.
            mutableState.update {
                it.copy(busy = false, error = Notice.SOMETHING_WENT_WRONG.userMessage(locale), stages = stages.toList())
            }
        } finally {
            request.wipe()
        }
    }

    private class Outcome(val text: String, val verified: Boolean?, val evidence: Evidence? = null)

    private suspend fun perform(session: CardSession, request: Request): Outcome =
        when (request) {
            Request.Status -> Outcome(describe(session.status()), null)
            is Request.Login -> {
                val challenge = ByteArray(32).also { random.nextBytes(it) }
                // The shell's CharArray overload: encoded to UTF-8 without a String, and the array
                // (and the bytes) zeroed when the call returns or throws.
                val result = session.login(challenge, request.pin, request.confirmLastAttempt)
                val verified = verifies(result.certificate, challenge, result.signature)
                Outcome("${Notice.LOGGED_IN.userMessage(locale)}\n${validity(result.certificate)}", verified,
                    Evidence(challenge, result.signature, result.certificate.der))
            }
            is Request.Sign -> {
                val document = request.text.toByteArray(Charsets.UTF_8)
                val result = session.signDocument(document, DigestAlgorithm.SHA256, request.password,
                    SignOptions(confirmLastAttempt = request.confirmLastAttempt))
                val verified = verifies(result.certificate, document, result.signature)
                Outcome("${Notice.SIGNED.userMessage(locale)}\n${validity(result.certificate)}\n" +
                    "SHA256withRSA ${result.signature.size * 8} bit: ${result.signature.take(8).joinToString("") { "%02x".format(it) }}…",
                    verified, Evidence(document, result.signature, result.certificate.der))
            }
        }

    /** The counters and the certificate's validity; never the holder's name or address. */
    private fun describe(status: CardStatus): String {
        val lines = mutableListOf(tokenName(status.token))
        lines += counter(status.authenticationPin)
        status.signingPassword?.let { lines += counter(it) }
        status.authenticationCertificate?.let { lines += validity(it) }
        return lines.joinToString("\n")
    }

    private fun counter(pin: PinStatus): String {
        val name = secretName(pin.pin, locale.kazashiLanguage)
        val left = pin.attemptsLeft?.toString() ?: "?"
        return if (locale.language == "ja") "$name: 残り$left/${pin.maxAttempts}回" else "$name: $left of ${pin.maxAttempts} attempts left"
    }

    private fun validity(certificate: CertificateInfo): String =
        if (locale.language == "ja") "証明書の有効期限: ${certificate.validUntilJst}" else "Certificate valid until ${certificate.validUntilJst}"

    private fun tokenName(token: TokenType): String =
        when (token) {
            TokenType.PhysicalCard -> if (locale.language == "ja") "マイナンバーカード" else "My Number Card"
            TokenType.AndroidPhone, TokenType.Iphone ->
                if (locale.language == "ja") "スマホ用電子証明書" else "Smartphone certificate"
            else -> token.toString()
        }

    /** Checks the card's signature with java.security, independently of the core's own check. */
    private fun verifies(certificate: CertificateInfo, message: ByteArray, signature: ByteArray): Boolean {
        val x509 = CertificateFactory.getInstance("X.509").generateCertificate(ByteArrayInputStream(certificate.der))
        return Signature.getInstance("SHA256withRSA").run {
            initVerify(x509.publicKey)
            update(message)
            verify(signature)
        }
    }
}
