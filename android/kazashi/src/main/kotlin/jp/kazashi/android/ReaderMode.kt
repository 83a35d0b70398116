package jp.kazashi.android

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.tech.IsoDep
import android.os.Bundle
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.flowOn

/**
 * The cards tapped on this phone while the flow is collected: the heart of a "hold your card to
 * the phone" screen. Collect it while the activity is resumed, e.g. inside
 * `repeatOnLifecycle(Lifecycle.State.RESUMED)`, and hand each tag to [withJpkiSession].
 *
 * It uses reader mode (`NfcAdapter.enableReaderMode`) rather than intent dispatch because:
 * - the My Number Card is ISO 14443 Type B; reader mode polls only types B and A, so FeliCa
 *   transit cards in the same wallet are ignored;
 * - the card carries no NDEF, and skipping the NDEF check (`FLAG_READER_SKIP_NDEF_CHECK`) saves
 *   time and commands before the app gets the tag;
 * - while the screen is up, no other app and no system UI reacts to the tap;
 * - Android's presence check runs every [presenceCheckDelayMs] instead of every fraction of a
 *   second, so fewer extra frames compete with the app's commands; 1000 ms is what existing My
 *   Number Card readers use.
 *
 * Reader mode is switched off when collection stops. Tags that do not speak ISO-DEP are skipped.
 * If the app is busy with one tap when the next arrives, only the latest tag is kept.
 *
 * @throws NfcUnavailableException.NoNfcHardware at collection, when the device has no NFC.
 * @throws NfcUnavailableException.NfcDisabled at collection, when NFC is switched off.
 */
fun Activity.jpkiTags(presenceCheckDelayMs: Int = DEFAULT_PRESENCE_CHECK_DELAY_MS): Flow<IsoDep> {
    val activity = this
    return callbackFlow {
        val adapter = NfcAdapter.getDefaultAdapter(activity) ?: throw NfcUnavailableException.NoNfcHardware()
        if (!adapter.isEnabled) throw NfcUnavailableException.NfcDisabled()

        // Runs on a binder thread; trySend never blocks it.
        val callback = NfcAdapter.ReaderCallback { tag -> IsoDep.get(tag)?.let { trySend(it) } }
        val extras = Bundle().apply { putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, presenceCheckDelayMs) }
        adapter.enableReaderMode(activity, callback, JPKI_READER_FLAGS, extras)
        awaitClose { adapter.disableReaderMode(activity) }
    }
        .buffer(Channel.CONFLATED)
        // NfcAdapter's reader-mode calls belong on the main thread, whoever collects.
        .flowOn(Dispatchers.Main.immediate)
}

/** Default interval of Android's presence check during reader mode, in milliseconds. */
const val DEFAULT_PRESENCE_CHECK_DELAY_MS: Int = 1_000

/** Poll NFC-B (the My Number Card) and NFC-A (as existing card readers do), skip the NDEF check. */
private const val JPKI_READER_FLAGS: Int =
    NfcAdapter.FLAG_READER_NFC_B or NfcAdapter.FLAG_READER_NFC_A or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK
