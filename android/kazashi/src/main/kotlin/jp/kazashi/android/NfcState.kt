package jp.kazashi.android

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.nfc.NfcAdapter
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.distinctUntilChanged

/** Whether the phone can read a card right now. */
enum class NfcState {
    /** The phone has no NFC controller. */
    UNAVAILABLE,

    /** NFC is switched off in the settings (show `Notice.NFC_OFF` and a link to the settings). */
    OFF,

    /** NFC is being switched on or off. */
    TURNING,

    /** NFC is on: reader mode can be used. */
    ON,
}

/**
 * The NFC controller's state now and whenever it changes (`NfcAdapter.ACTION_ADAPTER_STATE_CHANGED`),
 * so a "hold your card" screen can say "NFC is off" the moment the user switches it off in the quick
 * settings, and resume [jpkiTags] when it comes back. Collect it alongside [jpkiTags], e.g. in the
 * same `repeatOnLifecycle` block; the receiver is unregistered when collection stops.
 */
fun Context.nfcState(): Flow<NfcState> {
    val context = applicationContext ?: this
    return callbackFlow {
        val adapter = NfcAdapter.getDefaultAdapter(context)
        if (adapter == null) {
            trySend(NfcState.UNAVAILABLE)
            close()
            return@callbackFlow
        }
        val receiver = object : BroadcastReceiver() {
            override fun onReceive(c: Context, intent: Intent) {
                val state = intent.getIntExtra(NfcAdapter.EXTRA_ADAPTER_STATE, NfcAdapter.STATE_OFF)
                trySend(nfcStateOf(state))
            }
        }
        context.registerReceiver(receiver, IntentFilter(NfcAdapter.ACTION_ADAPTER_STATE_CHANGED))
        trySend(if (adapter.isEnabled) NfcState.ON else NfcState.OFF)
        awaitClose { context.unregisterReceiver(receiver) }
    }.distinctUntilChanged()
}

/** Maps `NfcAdapter.STATE_*` to [NfcState]. */
internal fun nfcStateOf(adapterState: Int): NfcState =
    when (adapterState) {
        NfcAdapter.STATE_ON -> NfcState.ON
        NfcAdapter.STATE_TURNING_ON, NfcAdapter.STATE_TURNING_OFF -> NfcState.TURNING
        else -> NfcState.OFF
    }
