package jp.kazashi.android.robolectric

import android.content.pm.PackageManager
import android.nfc.NfcAdapter
import android.os.Looper
import android.text.Editable
import android.text.TextWatcher
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.EditText
import android.widget.Switch
import android.widget.TextView
import java.util.concurrent.CopyOnWriteArrayList
import jp.kazashi.Device
import jp.kazashi.ErrorKind
import jp.kazashi.KazashiException
import jp.kazashi.Language
import jp.kazashi.Notice
import jp.kazashi.PinKind
import jp.kazashi.ProgressStage
import jp.kazashi.errorMessage
import jp.kazashi.noticeMessage
import jp.kazashi.progressMessage
import jp.kazashi.sample.SampleActivity
import jp.kazashi.sample.SampleState
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.annotation.Config
import org.robolectric.shadow.api.Shadow

/**
 * The sample app's activity (android/sample, built with the virtual card) started by Robolectric's
 * `ActivityController`: the user turns the virtual-card switch on, types into the activity's own
 * views and presses its buttons; the test reads what the views then show. The flows run the
 * sample's controller, the shell and the Rust core against the virtual card on the I/O
 * dispatcher, and the views are drawn on the main looper, which the test runs.
 *
 * Expected sentences come from the message catalogue itself (the bindings' `errorMessage`,
 * `progressMessage`, `noticeMessage` in the language the locale calls for), and signatures are
 * checked here with java.security over the bytes the controller holds.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [SDK], manifest = Config.NONE, shadows = [ReaderModeNfcAdapterShadow::class])
class SampleActivityTest {
    private var launched: ActivityController<SampleActivity>? = null

    private fun adapterShadow(): ReaderModeNfcAdapterShadow =
        Shadow.extract(NfcAdapter.getDefaultAdapter(RuntimeEnvironment.getApplication()))

    @Before
    fun nfcOn() {
        // A phone with NFC switched on: the activity starts with reader mode, until the switch.
        shadowOf(RuntimeEnvironment.getApplication().packageManager).setSystemFeature(PackageManager.FEATURE_NFC, true)
        adapterShadow().setEnabled(true)
    }

    @After
    fun finish() {
        launched?.pause()?.stop()?.destroy()
        idleMain()
    }

    private fun idleMain() = shadowOf(Looper.getMainLooper()).idle()

    /** Runs the main looper until [done] holds, failing after [seconds]. */
    private fun idleUntil(what: String, seconds: Long = 60, done: () -> Boolean) {
        val deadline = System.nanoTime() + seconds * 1_000_000_000
        while (true) {
            idleMain()
            if (done()) return
            if (System.nanoTime() > deadline) throw AssertionError("timed out waiting for: $what")
            Thread.sleep(2)
        }
    }

    /**
     * The sample's views, found the way a user sees them: the buttons and switch by their labels,
     * the fields by their hints, and the three plain text views under the Start button (progress,
     * result, error, top to bottom).
     */
    private class Screen(val activity: SampleActivity) {
        private val all: List<View> = descendants(activity.findViewById(android.R.id.content))

        fun button(label: String): Button =
            all.filterIsInstance<Button>().filter { it !is Switch && it.text.toString() == label }.singleOrNull()
                ?: throw AssertionError("no button <$label>")

        private fun field(hint: String): EditText =
            all.filterIsInstance<EditText>().singleOrNull { it.hint?.toString() == hint }
                ?: throw AssertionError("no field with hint <$hint>")

        val statusTab = button("Status / 状態")
        val loginTab = button("Log in / ログイン")
        val signTab = button("Sign / 署名")
        val start = button("Start / 開始")
        val nfcSettings = button("NFC settings / NFCの設定")
        val virtualCard: Switch = all.filterIsInstance<Switch>().single()
        val pin = field("PIN (4 digits)")
        val password = field("Signing password")
        val text = field("Text to sign / 署名する文")
        private val texts = all.filter { it.javaClass == TextView::class.java }.map { it as TextView }
        val progress: TextView
        val result: TextView
        val error: TextView

        init {
            assertEquals("plain text views (progress, result, error)", 3, texts.size)
            progress = texts[0]
            result = texts[1]
            error = texts[2]
        }

        /** Every text the progress view showed, in order, without repeats. */
        val progressShown: MutableList<String> = CopyOnWriteArrayList()

        init {
            progress.addTextChangedListener(object : TextWatcher {
                override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) = Unit
                override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) = Unit
                override fun afterTextChanged(s: Editable?) {
                    val now = s.toString()
                    if (now.isNotEmpty() && progressShown.lastOrNull() != now) progressShown += now
                }
            })
        }

        val state: SampleState get() = activity.controller.state.value

        companion object {
            fun descendants(view: View): List<View> =
                listOf(view) + if (view is ViewGroup) (0 until view.childCount).flatMap { descendants(view.getChildAt(it)) } else emptyList()
        }
    }

    /** Starts the sample's activity (create, start, resume, visible) and turns the virtual card on. */
    private fun startWithVirtualCard(): Screen {
        val controller = Robolectric.buildActivity(SampleActivity::class.java).setup()
        launched = controller
        idleMain()
        val screen = Screen(controller.get())
        val nfc = adapterShadow()
        assertEquals("the switch is shown in a build with the virtual card", View.VISIBLE, screen.virtualCard.visibility)
        assertFalse(screen.virtualCard.isChecked)
        idleUntil("reader mode on while the activity waits for a tap") { nfc.isInReaderMode }

        screen.virtualCard.performClick()
        idleUntil("reader mode off once the virtual card is on") { !nfc.isInReaderMode }
        assertTrue("the switch", screen.virtualCard.isChecked)
        assertTrue("the controller was not told", screen.state.useVirtualCard)
        assertEquals("the NFC settings button with the virtual card on", View.GONE, screen.nfcSettings.visibility)
        assertEquals("enableReaderMode calls", 1, nfc.enableCalls)
        assertEquals("disableReaderMode calls", 1, nfc.disableCalls)
        return screen
    }

    /** Clicks Start and waits until the flow has ended and the views show its outcome. */
    private fun runFlow(screen: Screen, what: String) {
        screen.progressShown.clear()
        // The state is an immutable value replaced on every change: the flow has run once the
        // state on screen is a new one that is no longer busy (a fast flow may finish before the
        // click returns, so "busy right after Start" is not something to wait for).
        val before = screen.state
        screen.start.performClick()
        idleUntil("$what: the flow to end and the views to show it") {
            val s = screen.state
            s !== before && !s.busy && screen.start.isEnabled &&
                screen.error.text.toString() == s.error.orEmpty() &&
                screen.result.text.toString().startsWith(s.result.orEmpty()) &&
                (s.result != null || s.error != null)
        }
    }

    /**
     * The progress view showed catalogue sentences of the stages the core reported, in order
     * (the main looper may skip some), ending with "done".
     */
    private fun assertProgressShown(screen: Screen, secret: PinKind?, language: Language) {
        val reported = screen.state.stages.map { progressMessage(it, secret, language) }
        assertEquals("the last stage the core reported", ProgressStage.DONE, screen.state.stages.lastOrNull())
        val done = progressMessage(ProgressStage.DONE, secret, language)
        assertEquals("the progress view after the flow", done, screen.progress.text.toString())
        var at = 0
        for (shown in screen.progressShown) {
            while (at < reported.size && reported[at] != shown) at++
            assertTrue("progress text <$shown> is not a reported stage in order; shown ${screen.progressShown}, reported $reported",
                at < reported.size)
        }
        assertEquals("the last progress text shown", done, screen.progressShown.lastOrNull())
    }

    @Test
    fun `the sample activity on the virtual card - status, log in and sign from its views, signatures verified with java security`() {
        val screen = startWithVirtualCard()
        val english = Language.ENGLISH

        // Status: the counters of a fresh card.
        screen.statusTab.performClick()
        idleMain()
        assertEquals("the PIN field on the status screen", View.GONE, screen.pin.visibility)
        runFlow(screen, "status")
        assertEquals("error view", "", screen.error.text.toString())
        val status = screen.result.text.toString()
        assertTrue(status, status.contains("My Number Card"))
        assertTrue("authentication PIN counter: $status", status.contains("3 of 3 attempts left"))
        assertTrue("signing password counter: $status", status.contains("5 of 5 attempts left"))
        assertProgressShown(screen, null, english)

        // Log in with the PIN typed into the PIN field.
        screen.loginTab.performClick()
        idleMain()
        assertEquals("the PIN field on the log-in screen", View.VISIBLE, screen.pin.visibility)
        screen.pin.setText("1234")
        runFlow(screen, "log in")
        assertEquals("the PIN field after Start", "", screen.pin.text.toString())
        assertEquals("error view", "", screen.error.text.toString())
        val login = screen.result.text.toString()
        assertTrue("log-in result: $login", login.startsWith(noticeMessage(Notice.LOGGED_IN, Device.ANDROID_PHONE, english)))
        assertTrue("log-in result: $login", login.endsWith("✓ java.security: the signature verifies"))
        assertEquals("the core's stages of a log-in",
            listOf(ProgressStage.CARD_FOUND, ProgressStage.READING_CERTIFICATE, ProgressStage.CHECKING_PIN_COUNTER,
                ProgressStage.VERIFYING_PIN, ProgressStage.SIGNING, ProgressStage.DONE),
            screen.state.stages)
        assertProgressShown(screen, PinKind.AUTHENTICATION, english)
        val challenge = screen.state.evidence ?: throw AssertionError("no log-in evidence")
        assertEquals("challenge length", 32, challenge.message.size)
        assertSha256WithRsa(x509(challenge.certificateDer), challenge.message, challenge.signature)
        // The check can fail: a changed challenge does not verify.
        val tampered = challenge.message.copyOf().also { it[0] = (it[0] + 1).toByte() }
        val verifier = java.security.Signature.getInstance("SHA256withRSA")
        verifier.initVerify(x509(challenge.certificateDer).publicKey)
        verifier.update(tampered)
        assertFalse("a tampered challenge verified", verifier.verify(challenge.signature))

        // Sign the text typed into the text field, with the password typed into its field.
        screen.signTab.performClick()
        idleMain()
        assertEquals("the password field on the sign screen", View.VISIBLE, screen.password.visibility)
        val document = "申請書 / application form, Robolectric"
        screen.text.setText(document)
        screen.password.setText("ABC123")
        runFlow(screen, "sign")
        assertEquals("the password field after Start", "", screen.password.text.toString())
        assertEquals("error view", "", screen.error.text.toString())
        val signed = screen.result.text.toString()
        assertTrue("sign result: $signed", signed.startsWith(noticeMessage(Notice.SIGNED, Device.ANDROID_PHONE, english)))
        assertTrue("sign result: $signed", signed.endsWith("✓ java.security: the signature verifies"))
        assertProgressShown(screen, PinKind.SIGNING, english)
        val evidence = screen.state.evidence ?: throw AssertionError("no signing evidence")
        assertArrayEquals("what was signed", document.toByteArray(Charsets.UTF_8), evidence.message)
        val certificate = x509(evidence.certificateDer)
        assertNotEquals("the signing certificate is the log-in one", x509(challenge.certificateDer), certificate)
        assertSha256WithRsa(certificate, evidence.message, evidence.signature)
        // The view shows the signature's size and first bytes: those of the bytes just verified.
        val head = evidence.signature.take(8).joinToString("") { "%02x".format(it) }
        assertTrue("sign result: $signed", signed.contains("SHA256withRSA ${evidence.signature.size * 8} bit: $head…"))
        assertEquals("RSA-2048 signature bytes", 256, evidence.signature.size)
    }

    /**
     * A wrong PIN typed on the log-in screen, then the status the card reports afterwards; returns
     * the sentence the error view showed.
     */
    private fun wrongPin(language: Language, attemptsAfter: String): String {
        val screen = startWithVirtualCard()
        screen.loginTab.performClick()
        idleMain()
        screen.pin.setText("9999")
        runFlow(screen, "wrong PIN")
        assertEquals("error kind", ErrorKind.WRONG_PIN, screen.state.errorKind)
        assertEquals("result view after a wrong PIN", "", screen.result.text.toString())
        val shown = screen.error.text.toString()
        assertEquals("the error view shows the catalogue's sentence", wrongPinSentence(language), shown)
        assertFalse("the debug string leaked: $shown", shown.contains("kind="))
        assertEquals("progress stops at the PIN check",
            listOf(ProgressStage.CARD_FOUND, ProgressStage.READING_CERTIFICATE, ProgressStage.CHECKING_PIN_COUNTER, ProgressStage.VERIFYING_PIN),
            screen.state.stages)
        assertEquals("the progress view", progressMessage(ProgressStage.VERIFYING_PIN, PinKind.AUTHENTICATION, language),
            screen.progress.text.toString())

        // The attempt counted: the status screen says so, in the same language.
        screen.statusTab.performClick()
        idleMain()
        runFlow(screen, "status after a wrong PIN")
        assertEquals("error view", "", screen.error.text.toString())
        val status = screen.result.text.toString()
        assertTrue("status after a wrong PIN: $status", status.contains(attemptsAfter))
        assertProgressShown(screen, null, language)
        return shown
    }

    /** The catalogue's sentence for a wrong authentication PIN with 2 attempts left. */
    private fun wrongPinSentence(language: Language): String = errorMessage(
        KazashiException.Failed(ErrorKind.WRONG_PIN, "r", "a", PinKind.AUTHENTICATION, 2.toUByte(), false, 0x63C2.toUShort()),
        language,
    )

    @Test
    fun `a wrong PIN in the sample activity shows the catalogue's sentence in English`() {
        assertEquals("en", RuntimeEnvironment.getApplication().resources.configuration.locales[0].language)
        val shown = wrongPin(Language.ENGLISH, "2 of 3 attempts left")
        assertTrue(shown, shown.startsWith("Wrong ") && shown.contains("2 attempts left"))
    }

    @Test
    @Config(qualifiers = "ja")
    fun `a wrong PIN in the sample activity shows the catalogue's sentence in Japanese (ja qualifier)`() {
        assertEquals("ja", RuntimeEnvironment.getApplication().resources.configuration.locales[0].language)
        val shown = wrongPin(Language.JAPANESE, "残り2/3回")
        assertTrue(shown, shown.contains("残り2回です"))
        assertNotEquals("the Japanese sentence is the English one", wrongPinSentence(Language.ENGLISH), shown)
    }
}
