package jp.kazashi.android

/**
 * Why [jpkiTags] cannot listen for a card at all, as opposed to a tap that went wrong.
 *
 * The two cases need different screens: a phone without NFC can never read the card (offer another
 * way to sign in), while NFC that is off is one switch away (send the user to
 * `android.provider.Settings.ACTION_NFC_SETTINGS`). [message] is a sentence for the user.
 */
sealed class NfcUnavailableException(message: String) : Exception(message) {
    /** The device has no NFC controller. */
    class NoNfcHardware : NfcUnavailableException("This device has no NFC reader, so it cannot read a My Number Card.")

    /** The device has NFC but it is switched off. */
    class NfcDisabled : NfcUnavailableException("NFC is turned off. Turn it on in Settings, then hold the card to the phone again.")
}
