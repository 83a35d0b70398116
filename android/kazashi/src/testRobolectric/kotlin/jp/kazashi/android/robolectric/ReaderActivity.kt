package jp.kazashi.android.robolectric

import android.app.Activity
import android.nfc.tech.IsoDep
import android.os.Bundle
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.LifecycleRegistry
import androidx.lifecycle.lifecycleScope
import androidx.lifecycle.repeatOnLifecycle
import java.util.concurrent.CopyOnWriteArrayList
import jp.kazashi.android.NfcState
import jp.kazashi.android.NfcUnavailableException
import jp.kazashi.android.jpkiTags
import jp.kazashi.android.nfcState
import kotlinx.coroutines.launch

/**
 * An activity that listens for cards the way android/README.md tells apps to: inside
 * `lifecycleScope.launch { repeatOnLifecycle(RESUMED) { jpkiTags().collect { … } } }`, catching
 * `NfcUnavailableException` to show its message, with `nfcState()` collected alongside to notice
 * NFC being switched off while the screen is up.
 *
 * `androidx.activity.ComponentActivity` (the README's base class) is published on Google's
 * repository only, so this activity is its own `LifecycleOwner`, moving a `LifecycleRegistry`
 * with the activity's callbacks as `ComponentActivity` does; `lifecycleScope` and
 * `repeatOnLifecycle` are androidx.lifecycle's own (lifecycle-runtime-android, on Maven Central).
 */
class ReaderActivity : Activity(), LifecycleOwner {
    // createUnsafe: no main-thread assertion through androidx.arch.core's ArchTaskExecutor, whose
    // runtime artifact is not on Maven Central. Robolectric drives the callbacks on the main thread.
    private val registry = LifecycleRegistry.createUnsafe(this)
    override val lifecycle: Lifecycle get() = registry

    /** Every tag the collector received. */
    val tags: MutableList<IsoDep> = CopyOnWriteArrayList()

    /** What the screen would show when NFC cannot be used. */
    @Volatile var unavailable: NfcUnavailableException? = null

    /** Every NFC state the screen was told about, in order. */
    val states: MutableList<NfcState> = CopyOnWriteArrayList()

    /** What the app does with a tag, inside the collector (like the README's `viewModel.onTag`). */
    @Volatile var onTag: suspend (IsoDep) -> Unit = {}

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        registry.handleLifecycleEvent(Lifecycle.Event.ON_CREATE)
        lifecycleScope.launch {
            repeatOnLifecycle(Lifecycle.State.RESUMED) {
                // NFC switched off in the quick settings while the screen waits: nfcState() says so.
                launch { nfcState().collect { states += it } }
                try {
                    jpkiTags().collect { tag ->
                        tags += tag
                        onTag(tag)
                    }
                } catch (e: NfcUnavailableException) {
                    unavailable = e
                }
            }
        }
    }

    override fun onStart() {
        super.onStart()
        registry.handleLifecycleEvent(Lifecycle.Event.ON_START)
    }

    override fun onResume() {
        super.onResume()
        registry.handleLifecycleEvent(Lifecycle.Event.ON_RESUME)
    }

    override fun onPause() {
        registry.handleLifecycleEvent(Lifecycle.Event.ON_PAUSE)
        super.onPause()
    }

    override fun onStop() {
        registry.handleLifecycleEvent(Lifecycle.Event.ON_STOP)
        super.onStop()
    }

    override fun onDestroy() {
        registry.handleLifecycleEvent(Lifecycle.Event.ON_DESTROY)
        super.onDestroy()
    }
}
