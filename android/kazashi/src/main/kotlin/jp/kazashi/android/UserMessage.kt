package jp.kazashi.android

import jp.kazashi.KazashiException
import jp.kazashi.Notice
import jp.kazashi.ProgressStage
import jp.kazashi.PinKind
import jp.kazashi.Device
import jp.kazashi.Language
import jp.kazashi.errorMessage
import jp.kazashi.languageForLocale
import jp.kazashi.noticeMessage
import jp.kazashi.progressMessage
import java.util.Locale

/**
 * The sentence to show the user for this error, in [locale]'s language (Japanese for `ja`,
 * English otherwise): what happened, the attempts left, and for a locked secret where to unlock
 * it. The text comes from the library's one message catalogue, the same the iOS shell and the
 * CLI show, so the platforms never say different things.
 *
 * `message` is a debugging string (`"kind=…, reason=…"`); show this instead. A UI can switch on
 * `(e as KazashiException.Failed).kind` for the cases it handles specially and show
 * `e.userMessage(locale)` for the rest.
 *
 * @param phoneToken `true` when the card is a phone's certificate (スマホ用電子証明書): its locked
 *   PIN is reset in the Myna Portal app rather than at the office.
 */
fun KazashiException.userMessage(locale: Locale = Locale.getDefault(), phoneToken: Boolean = false): String =
    errorMessage(this, locale.kazashiLanguage, phoneToken)

/** [userMessage] in the device's current language. */
val KazashiException.userMessage: String
    get() = userMessage(Locale.getDefault())

/** What to show while the card is at [stage] of a flow that checks [secret] (`null`: neutral). */
fun ProgressStage.userMessage(secret: PinKind? = null, locale: Locale = Locale.getDefault()): String =
    progressMessage(this, secret, locale.kazashiLanguage)

/** A fixed notice ("hold your card against the back of your phone", "NFC is off", ...). */
fun Notice.userMessage(locale: Locale = Locale.getDefault()): String =
    noticeMessage(this, Device.ANDROID_PHONE, locale.kazashiLanguage)

/** The catalogue's language for this locale: Japanese for `ja`, English for any other. */
val Locale.kazashiLanguage: Language
    get() = languageForLocale(toLanguageTag())
