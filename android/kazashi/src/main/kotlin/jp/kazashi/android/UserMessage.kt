package jp.kazashi.android

import jp.kazashi.KazashiException

/**
 * The sentence for the user that every [KazashiException] carries as `reason`.
 *
 * Each generated variant has its own `reason` property but the sealed base class has none, and
 * `message` is a debugging string (`"pin=…, reason=…"`). This reads it from any variant, so a UI can
 * show the specific cases it handles and fall back to `e.userMessage` for the rest. The `when` is
 * exhaustive on purpose: a variant added to the FFI fails this build rather than showing nothing.
 */
val KazashiException.userMessage: String
    get() =
        when (this) {
            is KazashiException.TagLost -> reason
            is KazashiException.Timeout -> reason
            is KazashiException.Transport -> reason
            is KazashiException.PinCheckInterrupted -> reason
            is KazashiException.InvalidPinFormat -> reason
            is KazashiException.WrongPin -> reason
            is KazashiException.PinBlocked -> reason
            is KazashiException.LastAttemptNotConfirmed -> reason
            is KazashiException.PinRequired -> reason
            is KazashiException.NoSigningCertificate -> reason
            is KazashiException.NotJpkiCard -> reason
            is KazashiException.CardStatus -> reason
            is KazashiException.MalformedResponse -> reason
            is KazashiException.Certificate -> reason
            is KazashiException.SignatureMismatch -> reason
            is KazashiException.InvalidInput -> reason
        }
