package jp.kazashi.android.robolectric

import android.app.Activity
import android.nfc.NfcAdapter
import android.os.Bundle
import org.robolectric.annotation.Implementation
import org.robolectric.annotation.Implements
import org.robolectric.shadows.ShadowNfcAdapter

/**
 * Robolectric's `ShadowNfcAdapter` keeps whether reader mode is on and its callback (which
 * `dispatchTagDiscovered` calls), but not the flags and extras `enableReaderMode` was given; this
 * one records them too, and counts the calls.
 */
@Implements(NfcAdapter::class)
class ReaderModeNfcAdapterShadow : ShadowNfcAdapter() {
    @Volatile var readerFlags: Int? = null
    @Volatile var readerExtras: Bundle? = null
    @Volatile var enableCalls = 0
    @Volatile var disableCalls = 0

    /** The thread `enableReaderMode` / `disableReaderMode` last ran on. */
    @Volatile var readerModeThread: Thread? = null

    @Implementation
    override fun enableReaderMode(activity: Activity, callback: NfcAdapter.ReaderCallback, flags: Int, extras: Bundle?) {
        readerFlags = flags
        readerExtras = extras
        enableCalls++
        readerModeThread = Thread.currentThread()
        super.enableReaderMode(activity, callback, flags, extras)
    }

    @Implementation
    override fun disableReaderMode(activity: Activity) {
        disableCalls++
        readerModeThread = Thread.currentThread()
        super.disableReaderMode(activity)
    }
}
