package jp.kazashi.android.robolectric

import kotlin.system.exitProcess
import org.junit.runner.Description
import org.junit.runner.JUnitCore
import org.junit.runner.notification.Failure
import org.junit.runner.notification.RunListener

/** Every Robolectric test class of the shell, in the order they run. */
val robolectricTestClasses: List<Class<*>> = listOf(
    IsoDepFlowTest::class.java,
    IsoDepLinkTest::class.java,
    ReaderModeTest::class.java,
    SampleActivityTest::class.java,
)

/**
 * Runs the Robolectric tests with JUnit's own runner (`JUnitCore`; each class says
 * `@RunWith(RobolectricTestRunner::class)`), prints one line per test and then
 * `N passed, N failed`, which CI reads. Exits non-zero on any failure, or when no test ran.
 */
fun main() {
    val junit = JUnitCore()
    junit.addListener(object : RunListener() {
        private var started = 0L
        private var failed = false

        override fun testStarted(description: Description) {
            started = System.nanoTime()
            failed = false
        }

        override fun testFailure(failure: Failure) {
            failed = true
            println("FAIL  ${failure.description.displayName}")
            println("      ${failure.exception}")
            failure.exception.stackTrace.take(12).forEach { println("        at $it") }
            generateSequence(failure.exception.cause) { it.cause }.take(3).forEach { println("      caused by $it") }
        }

        override fun testFinished(description: Description) {
            if (!failed) println("ok    ${description.displayName} (${(System.nanoTime() - started) / 1_000_000} ms)")
        }
    })
    val result = junit.run(*robolectricTestClasses.toTypedArray())
    val passed = result.runCount - result.failureCount
    println("${passed} passed, ${result.failureCount} failed" + if (result.ignoreCount > 0) ", ${result.ignoreCount} skipped" else "")
    System.out.flush()
    exitProcess(if (result.wasSuccessful() && result.runCount > 0) 0 else 1)
}
