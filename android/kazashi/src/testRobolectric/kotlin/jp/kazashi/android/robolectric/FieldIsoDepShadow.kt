package jp.kazashi.android.robolectric

import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import java.io.IOException
import org.robolectric.annotation.Implementation
import org.robolectric.annotation.Implements
import org.robolectric.shadows.ShadowIsoDep

/**
 * Robolectric's `ShadowIsoDep` answers `transceive` with canned bytes; this one hands each
 * command to the virtual card of [Field.current], as a card in the field would. Every other
 * `IsoDep` call of the production code (`connect`, `isConnected`, `close`, `setTimeout`) runs
 * through Robolectric's shadows of the framework class.
 *
 * Like the platform: `transceive` without `connect` throws `IllegalStateException`, a command
 * longer than `getMaxTransceiveLength()` throws `IOException` ("Transceive length exceeds
 * supported maximum"), and no card in the field means `TagLostException`.
 */
@Implements(IsoDep::class)
class FieldIsoDepShadow : ShadowIsoDep() {
    private fun field(): Field = Field.current ?: throw TagLostException("Tag was lost.")

    @Implementation
    override fun transceive(data: ByteArray): ByteArray {
        check(isConnected()) { "Call connect() first!" }
        val field = field()
        field.exchanges += Field.Exchange(data.copyOf(), getTimeout())
        if (field.maxTransceiveLength > 0 && data.size > field.maxTransceiveLength) throw IOException("Transceive length exceeds supported maximum")
        return field.respond(data)
    }

    @Implementation
    override fun connect() {
        field().connects.incrementAndGet()
        super.connect()
    }

    @Implementation
    override fun close() {
        Field.current?.closes?.incrementAndGet()
        super.close()
    }

    @Implementation
    override fun setTimeout(timeout: Int) {
        Field.current?.timeoutsSet?.add(timeout)
        super.setTimeout(timeout)
    }

    @Implementation
    override fun getMaxTransceiveLength(): Int = Field.current?.maxTransceiveLength ?: 0

    @Implementation
    override fun isExtendedLengthApduSupported(): Boolean = Field.current?.extendedLength ?: false
}
