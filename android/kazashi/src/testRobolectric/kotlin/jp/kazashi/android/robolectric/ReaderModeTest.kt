package jp.kazashi.android.robolectric

import android.app.Activity
import android.content.Intent
import android.content.pm.PackageManager
import android.nfc.NfcAdapter
import android.nfc.tech.IsoDep
import android.os.Looper
import java.io.IOException
import java.util.concurrent.CopyOnWriteArrayList
import jp.kazashi.LoginResult
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import jp.kazashi.android.DEFAULT_PRESENCE_CHECK_DELAY_MS
import jp.kazashi.android.NfcState
import jp.kazashi.android.NfcUnavailableException
import jp.kazashi.android.userMessage
import jp.kazashi.Notice
import java.util.Locale
import jp.kazashi.android.jpkiTags
import jp.kazashi.android.tapToLogin
import kotlin.concurrent.thread
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertSame
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadow.api.Shadow
import org.robolectric.shadows.ShadowNfcAdapter

/**
 * `Activity.jpkiTags()` against Robolectric's `NfcAdapter`: reader mode on with the right flags
 * and presence-check delay while collected, a discovered tag emitted as an `IsoDep`, reader mode
 * off when collection ends (cancelled, or the activity paused under `repeatOnLifecycle`), and
 * the `NfcUnavailableException` an app shows when NFC is missing or off.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [SDK], manifest = Config.NONE, shadows = [FieldIsoDepShadow::class, ReaderModeNfcAdapterShadow::class])
class ReaderModeTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)

    private fun adapterShadow(): ReaderModeNfcAdapterShadow =
        Shadow.extract(NfcAdapter.getDefaultAdapter(RuntimeEnvironment.getApplication()))

    @Before
    fun nfcOn() {
        // A phone with an NFC controller, switched on.
        shadowOf(RuntimeEnvironment.getApplication().packageManager).setSystemFeature(PackageManager.FEATURE_NFC, true)
        adapterShadow().setEnabled(true)
    }

    @After
    fun cleanUp() {
        scope.cancel()
        idleMain()
        Field.current?.card?.close()
        Field.current = null
    }

    private fun idleMain() = shadowOf(Looper.getMainLooper()).idle()

    /** Runs the main looper until [done] holds, failing after [seconds]. */
    private fun idleUntil(what: String, seconds: Long = 30, done: () -> Boolean) {
        val deadline = System.nanoTime() + seconds * 1_000_000_000
        while (true) {
            idleMain()
            if (done()) return
            if (System.nanoTime() > deadline) throw AssertionError("timed out waiting for: $what")
            Thread.sleep(2)
        }
    }

    /** Hands [tag] to reader mode's callback from another thread, as the NFC service's binder thread does. */
    private fun discover(tag: android.nfc.Tag) {
        thread(name = "nfc-binder") { adapterShadow().dispatchTagDiscovered(tag) }.join()
    }

    @Test
    fun `jpkiTags - reader mode with NFC-B, NFC-A, skip-NDEF and the presence delay, a discovered tag emitted, reader mode off when the collector is cancelled`() {
        val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
        val nfc = adapterShadow()
        val received = CopyOnWriteArrayList<IsoDep>()
        val collector = scope.launch { activity.jpkiTags().collect { received += it } }
        idleMain()

        assertTrue("reader mode is not on while collecting", nfc.isInReaderMode)
        assertEquals("reader-mode flags",
            NfcAdapter.FLAG_READER_NFC_B or NfcAdapter.FLAG_READER_NFC_A or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK,
            nfc.readerFlags)
        assertEquals("presence-check delay", DEFAULT_PRESENCE_CHECK_DELAY_MS,
            nfc.readerExtras?.getInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY))
        assertEquals(1000, DEFAULT_PRESENCE_CHECK_DELAY_MS)

        val id = byteArrayOf(0x0A, 0x0B, 0x0C, 0x0D)
        discover(isoDepTag(id))
        idleUntil("the tag to reach the collector") { received.size == 1 }
        assertArrayEquals("the emitted IsoDep's tag", id, received.single().tag.id)

        // A tag without ISO-DEP (a FeliCa or plain NFC-A tag) is skipped.
        discover(mockTag(byteArrayOf(0x11, 0x22), "NFC_A"))
        idleMain()
        assertEquals("tags emitted after a non-ISO-DEP tag", 1, received.size)

        collector.cancel()
        idleMain()
        assertFalse("reader mode stayed on after the collector was cancelled", nfc.isInReaderMode)
        assertEquals("disableReaderMode calls", 1, nfc.disableCalls)
    }

    @Test
    fun `jpkiTags - a presence delay of the app's choice, reader mode switched on and off on the main thread whoever collects`() {
        val activity = Robolectric.buildActivity(Activity::class.java).setup().get()
        val nfc = adapterShadow()
        val background = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            val collector = background.launch { activity.jpkiTags(presenceCheckDelayMs = 250).collect { } }
            idleUntil("reader mode to be switched on") { nfc.isInReaderMode }
            assertEquals(250, nfc.readerExtras?.getInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY))
            assertSame("enableReaderMode ran off the main thread", Looper.getMainLooper().thread, nfc.readerModeThread)

            collector.cancel()
            idleUntil("reader mode to be switched off") { !nfc.isInReaderMode }
            assertSame("disableReaderMode ran off the main thread", Looper.getMainLooper().thread, nfc.readerModeThread)
        } finally {
            background.cancel()
        }
    }

    @Test
    fun `repeatOnLifecycle(RESUMED) - reader mode on while resumed, off when the activity pauses, on again when it resumes`() {
        val controller = Robolectric.buildActivity(ReaderActivity::class.java).setup()
        val activity = controller.get()
        val nfc = adapterShadow()
        idleMain()
        assertTrue("reader mode is not on in a resumed activity", nfc.isInReaderMode)

        discover(isoDepTag())
        idleUntil("the tag to reach the activity") { activity.tags.size == 1 }

        controller.pause()
        idleMain()
        assertFalse("reader mode stayed on after the activity paused", nfc.isInReaderMode)

        controller.resume()
        idleMain()
        assertTrue("reader mode is not back on after the activity resumed", nfc.isInReaderMode)
        assertEquals("enableReaderMode calls", 2, nfc.enableCalls)

        controller.pause().stop().destroy()
        idleMain()
        assertFalse("reader mode stayed on after the activity was destroyed", nfc.isInReaderMode)
        assertNull("no NFC error expected", activity.unavailable)
    }

    @Test
    fun `a tap in the resumed activity - reader mode to IsoDep to the virtual card, the log-in signature verified`() {
        val field = Field(VirtualCard(VirtualCardProfile.PHYSICAL_CARD)).also { Field.current = it }
        val challenge = "challenge from the activity test".toByteArray()
        val controller = Robolectric.buildActivity(ReaderActivity::class.java).setup()
        val activity = controller.get()
        var result: LoginResult? = null
        activity.onTag = { tag -> result = tag.tapToLogin(challenge, "1234".toCharArray()) }
        idleMain()

        discover(isoDepTag())
        idleUntil("the log-in to finish") { result != null }
        val login = result!!
        assertSha256WithRsa(x509(login.certificate.der), challenge, login.signature)
        assertEquals("VERIFYs with a PIN", 1, field.verifiesWithPin())
        assertTrue("reader mode went off during the tap", adapterShadow().isInReaderMode)
        controller.pause()
        idleMain()
        assertFalse(adapterShadow().isInReaderMode)
    }

    @Test
    fun `the activity pauses during a tap - the tap is cancelled, the connection closed, reader mode off, the PIN sent once`() {
        val field = Field(VirtualCard(VirtualCardProfile.PHYSICAL_CARD)).also { Field.current = it }
        // The card "thinks" about the signature until the connection is closed, as a blocked
        // IsoDep.transceive returns only when another thread closes the IsoDep.
        val signing = java.util.concurrent.atomic.AtomicBoolean(false)
        field.between = { command, answer ->
            if (isSignatureCommand(command)) {
                signing.set(true)
                val deadline = System.nanoTime() + 20_000_000_000
                while (field.closes.get() == 0) {
                    if (System.nanoTime() > deadline) error("the blocked transceive was never released by close()")
                    Thread.sleep(2)
                }
                throw IOException("Transceive failed")
            }
            answer()
        }
        val controller = Robolectric.buildActivity(ReaderActivity::class.java).setup()
        val activity = controller.get()
        var finished = false
        activity.onTag = { tag ->
            tag.tapToLogin("challenge".toByteArray(), "1234".toCharArray())
            finished = true
        }
        idleMain()
        discover(isoDepTag())
        idleUntil("the signature command to reach the card") { signing.get() }

        controller.pause()
        idleUntil("the connection to be closed") { field.closes.get() >= 1 }
        idleMain()
        assertFalse("the tap finished although the activity paused", finished)
        assertFalse("reader mode stayed on after the activity paused", adapterShadow().isInReaderMode)
        assertEquals("VERIFYs with a PIN", 1, field.verifiesWithPin())
        assertNull(activity.unavailable)
    }

    @Test
    fun `no NFC hardware - NoNfcHardware with the text the app shows, reader mode never requested`() {
        ShadowNfcAdapter.setNfcHardwareExists(false)
        val activity = Robolectric.buildActivity(ReaderActivity::class.java).setup().get()
        idleMain()
        val e = activity.unavailable
        assertTrue("expected NoNfcHardware, got $e", e is NfcUnavailableException.NoNfcHardware)
        assertEquals("This device has no NFC reader, so it cannot read a My Number Card.", e!!.message)
    }

    @Test
    fun `NFC off when the screen opens - NfcDisabled with the text the app shows, reader mode never switched on`() {
        adapterShadow().setEnabled(false)
        val activity = Robolectric.buildActivity(ReaderActivity::class.java).setup().get()
        idleMain()
        val e = activity.unavailable
        assertTrue("expected NfcDisabled, got $e", e is NfcUnavailableException.NfcDisabled)
        assertEquals("NFC is turned off. Turn it on in Settings, then hold the card to the phone again.", e!!.message)
        assertEquals("enableReaderMode calls", 0, adapterShadow().enableCalls)
    }

    @Test
    fun `NFC switched off while collecting - nfcState reports OFF with the NFC-off notice, ON again when switched back`() {
        val controller = Robolectric.buildActivity(ReaderActivity::class.java).setup()
        val activity = controller.get()
        val nfc = adapterShadow()
        idleMain()
        assertTrue(nfc.isInReaderMode)
        assertEquals("states while NFC is on", listOf(NfcState.ON), activity.states)

        // What the NFC service does when the user switches NFC off (quick settings, which does not
        // pause the activity): the adapter reports disabled and the state change is broadcast.
        fun switchNfc(on: Boolean, vararg states: Int) {
            nfc.setEnabled(on)
            for (state in states) {
                RuntimeEnvironment.getApplication()
                    .sendBroadcast(Intent(NfcAdapter.ACTION_ADAPTER_STATE_CHANGED).putExtra(NfcAdapter.EXTRA_ADAPTER_STATE, state))
            }
        }
        switchNfc(false, NfcAdapter.STATE_TURNING_OFF, NfcAdapter.STATE_OFF)
        idleUntil("the screen to hear that NFC is off") { activity.states.lastOrNull() == NfcState.OFF }
        assertEquals(listOf(NfcState.ON, NfcState.TURNING, NfcState.OFF), activity.states)
        // The screen shows the library's NFC-off notice, in the user's language.
        for (locale in listOf(Locale.ENGLISH, Locale.JAPANESE)) {
            val notice = Notice.NFC_OFF.userMessage(locale)
            assertTrue("NFC-off notice ($locale): $notice", notice.contains("NFC"))
        }
        assertTrue(Notice.NFC_OFF.userMessage(Locale.ENGLISH) != Notice.NFC_OFF.userMessage(Locale.JAPANESE))

        switchNfc(true, NfcAdapter.STATE_TURNING_ON, NfcAdapter.STATE_ON)
        idleUntil("the screen to hear that NFC is back") { activity.states.lastOrNull() == NfcState.ON }

        controller.pause()
        idleMain()
        assertFalse("reader mode stayed on after the activity paused", nfc.isInReaderMode)
        assertNull("jpkiTags failed", activity.unavailable)
    }
}
