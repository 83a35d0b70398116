package jp.kazashi.sample

// The shipping AAR (`jp.kazashi:kazashi-android`) has no VirtualCard: a sample built against it
// reads real cards only, and the activity hides the virtual-card switch.

/** No virtual card in this build. */
object VirtualCards {
    /** Whether this build carries the virtual card (the switch is shown only then). */
    const val AVAILABLE: Boolean = false

    /** Never called when [AVAILABLE] is false. */
    fun create(): CardAccess = throw UnsupportedOperationException("built without the virtual card (kazashi.ffiFeatures=testing)")
}
