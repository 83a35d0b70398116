package jp.kazashi.android

/**
 * How long [IsoDepTransceiver] lets the card take to answer, in milliseconds.
 *
 * Android's own default (a few hundred milliseconds, depending on the phone) is enough for
 * SELECT, READ BINARY and VERIFY, but not for the card's RSA-2048 private-key operation behind
 * COMPUTE DIGITAL SIGNATURE (`80 2A`), which takes a second or more on real cards. A timeout
 * there arrives *after* the PIN was accepted and looks like a lost card, so the user would have to
 * tap and enter the PIN again. The transceiver therefore uses [standardMs] for every command and
 * raises the limit to [signatureMs] around the signature command only, restoring it afterwards: a
 * card that really left the field is still noticed quickly during the rest of the flow.
 *
 * @property standardMs limit for every command except the signature.
 * @property signatureMs limit for COMPUTE DIGITAL SIGNATURE; at least [MIN_SIGNATURE_MS].
 */
data class TransceiveTimeouts(
    val standardMs: Int = DEFAULT_STANDARD_MS,
    val signatureMs: Int = DEFAULT_SIGNATURE_MS,
) {
    init {
        require(standardMs > 0) { "standardMs must be positive, was $standardMs" }
        require(signatureMs >= MIN_SIGNATURE_MS) {
            "signatureMs must be at least $MIN_SIGNATURE_MS ms (the card's RSA signature needs it), was $signatureMs"
        }
        require(signatureMs >= standardMs) {
            "signatureMs ($signatureMs) must not be shorter than standardMs ($standardMs)"
        }
    }

    companion object {
        /** Default for ordinary commands: ample for SELECT, READ BINARY and VERIFY. */
        const val DEFAULT_STANDARD_MS: Int = 2_000

        /** Default for the signature: leaves room for slow cards and weak coupling. */
        const val DEFAULT_SIGNATURE_MS: Int = 10_000

        /** The shortest signature limit accepted; what existing My Number Card readers use. */
        const val MIN_SIGNATURE_MS: Int = 5_000
    }
}

/**
 * Whether [command] is JPKI's COMPUTE DIGITAL SIGNATURE (CLA `80`, INS `2A`), the one command
 * that needs [TransceiveTimeouts.signatureMs]. Reads the header only, never the data (which, for
 * other commands, can be a PIN).
 */
internal fun isComputeDigitalSignature(command: ByteArray): Boolean =
    command.size >= 4 &&
        (command[0].toInt() and 0xFF) == 0x80 &&
        (command[1].toInt() and 0xFF) == 0x2A
