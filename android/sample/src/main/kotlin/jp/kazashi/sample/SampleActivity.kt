package jp.kazashi.sample

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.provider.Settings
import android.text.InputType
import android.view.View
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.Switch
import android.widget.TextView
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.LifecycleRegistry
import androidx.lifecycle.lifecycleScope
import androidx.lifecycle.repeatOnLifecycle
import jp.kazashi.android.NfcState
import jp.kazashi.android.NfcUnavailableException
import jp.kazashi.android.asIsoDepLink
import jp.kazashi.android.jpkiTags
import jp.kazashi.android.nfcState
import kotlinx.coroutines.flow.collectLatest
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch

/**
 * The Kazashi sample: one activity, three screens (status, log in, sign a text), plain Android
 * views and no support library beyond androidx.lifecycle (on Maven Central), so it builds with the
 * library alone. [SampleController] holds the logic; this class only draws [SampleState] and
 * forwards input.
 *
 * It is a `LifecycleOwner` of its own (a [LifecycleRegistry] fed from the activity callbacks) so
 * that `repeatOnLifecycle` works on a plain `Activity`; an app built on AppCompat or
 * `ComponentActivity` (Google Maven) already is one and drops that part.
 */
class SampleActivity : Activity(), LifecycleOwner {
    // createUnsafe: every lifecycle event comes from the activity callbacks, on the main thread, so
    // the registry's thread check (androidx.arch.core's ArchTaskExecutor, published on Google's
    // repository only) adds nothing, and the activity also runs under Robolectric with the Maven
    // Central jars alone (scripts/test-robolectric.sh).
    private val registry = LifecycleRegistry.createUnsafe(this)
    override val lifecycle: Lifecycle
        get() = registry

    /** The logic behind the views; readable so that a test can check the signature bytes it holds. */
    lateinit var controller: SampleController
        private set
    private lateinit var views: Views

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        registry.handleLifecycleEvent(Lifecycle.Event.ON_CREATE)
        val locale = resources.configuration.locales[0]
        controller = SampleController(lifecycleScope, locale)
        views = Views(this)
        setContentView(views.root)
        wireInput()

        lifecycleScope.launch {
            repeatOnLifecycle(Lifecycle.State.STARTED) {
                controller.state.collect { views.render(it) }
            }
        }
        lifecycleScope.launch {
            // Reader mode only while the activity is in front, NFC is on and the virtual card is off.
            // The tags are handled inside collect: collection (and reader mode) must outlive the tap's
            // I/O, which `first()` would not.
            repeatOnLifecycle(Lifecycle.State.RESUMED) {
                val useTags = nfcState()
                    .combine(controller.state.map { it.useVirtualCard }.distinctUntilChanged()) { nfc, virtual ->
                        controller.onNfcState(nfc)
                        nfc == NfcState.ON && !virtual
                    }
                    .distinctUntilChanged()
                useTags.collectLatest { on ->
                    if (!on) return@collectLatest
                    try {
                        jpkiTags().collect { isoDep -> controller.onTag(isoDep.asIsoDepLink()) }
                    } catch (e: NfcUnavailableException) {
                        // Switched off between the state report and reader mode: nfcState() reports it next.
                    }
                }
            }
        }
    }

    private fun wireInput() {
        views.statusTab.setOnClickListener { controller.select(Screen.STATUS) }
        views.loginTab.setOnClickListener { controller.select(Screen.LOGIN) }
        views.signTab.setOnClickListener { controller.select(Screen.SIGN) }
        views.virtualCard.setOnCheckedChangeListener { _, on -> controller.useVirtualCard(on) }
        views.nfcSettings.setOnClickListener { startActivity(Intent(Settings.ACTION_NFC_SETTINGS)) }
        views.go.setOnClickListener {
            val confirm = views.confirmLastAttempt.isChecked
            val request = when (controller.state.value.screen) {
                Screen.STATUS -> Request.Status
                Screen.LOGIN -> Request.Login(views.takeSecret(views.pin), confirm)
                Screen.SIGN -> Request.Sign(views.text.text.toString(), views.takeSecret(views.password), confirm)
            }
            views.confirmLastAttempt.isChecked = false
            controller.start(request)
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

/** The views, built in code (no layout XML, no generated R class). */
private class Views(activity: Activity) {
    val statusTab = Button(activity).apply { text = "Status / 状態" }
    val loginTab = Button(activity).apply { text = "Log in / ログイン" }
    val signTab = Button(activity).apply { text = "Sign / 署名" }
    val virtualCard = Switch(activity).apply { text = "Virtual card / 仮想カード" }
    val nfcSettings = Button(activity).apply { text = "NFC settings / NFCの設定" }
    val pin = secretField(activity, "PIN (4 digits)", InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD)
    val password = secretField(activity, "Signing password", InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PASSWORD)
    val text = EditText(activity).apply { hint = "Text to sign / 署名する文"; setText("申請書 version 1") }
    val confirmLastAttempt = CheckBox(activity).apply { text = "I know one attempt is left / 残り1回を承知" }
    val go = Button(activity).apply { text = "Start / 開始" }
    val progress = TextView(activity)
    val result = TextView(activity)
    val error = TextView(activity).apply { setTextColor(0xFFB00020.toInt()) }
    val root: View

    init {
        val tabs = LinearLayout(activity).apply {
            orientation = LinearLayout.HORIZONTAL
            addView(statusTab); addView(loginTab); addView(signTab)
        }
        val column = LinearLayout(activity).apply {
            orientation = LinearLayout.VERTICAL
            setPadding(32, 32, 32, 32)
            listOf(tabs, virtualCard, nfcSettings, pin, password, text, confirmLastAttempt, go, progress, result, error)
                .forEach { addView(it) }
        }
        root = ScrollView(activity).apply { addView(column) }
    }

    /** The field's characters as a CharArray, and the field cleared (the flow wipes the array). */
    fun takeSecret(field: EditText): CharArray {
        val editable = field.text
        val secret = CharArray(editable.length).also { editable.getChars(0, editable.length, it, 0) }
        editable.clear()
        return secret
    }

    fun render(state: SampleState) {
        virtualCard.visibility = if (state.virtualCardAvailable) View.VISIBLE else View.GONE
        if (virtualCard.isChecked != state.useVirtualCard) virtualCard.isChecked = state.useVirtualCard
        nfcSettings.visibility = if (state.nfc == NfcState.OFF && !state.useVirtualCard) View.VISIBLE else View.GONE
        pin.visibility = if (state.screen == Screen.LOGIN) View.VISIBLE else View.GONE
        password.visibility = if (state.screen == Screen.SIGN) View.VISIBLE else View.GONE
        text.visibility = password.visibility
        confirmLastAttempt.visibility = if (state.screen == Screen.STATUS) View.GONE else View.VISIBLE
        go.isEnabled = !state.busy
        progress.text = state.message.orEmpty()
        result.text = state.result?.let { r ->
            when (state.signatureVerified) {
                true -> "$r\n✓ java.security: the signature verifies"
                false -> "$r\n✗ java.security: the signature does NOT verify"
                null -> r
            }
        }.orEmpty()
        error.text = state.error.orEmpty()
    }

    private fun secretField(activity: Activity, label: String, type: Int) =
        EditText(activity).apply {
            hint = label
            inputType = type
        }
}
