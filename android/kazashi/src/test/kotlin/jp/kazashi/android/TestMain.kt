package jp.kazashi.android

import kotlin.system.exitProcess
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

/**
 * Runs every test of the Android shell on a desktop JVM (see scripts/test-android.sh) and prints
 * one line per test, then `N passed, N failed`, which CI reads. Exits non-zero on any failure.
 *
 * A plain runner rather than JUnit keeps the test classpath to what the script already has.
 */
fun main() {
    val tests = transceiverTests + endToEndTests + cardInfoTests + cardSurfaceTests + pinEntryTests
    var passed = 0
    var failed = 0
    for (case in tests) {
        val started = System.nanoTime()
        try {
            runBlocking { withTimeout(60_000) { case.body() } }
            passed++
            println("ok    ${case.name} (${(System.nanoTime() - started) / 1_000_000} ms)")
        } catch (e: Throwable) {
            failed++
            println("FAIL  ${case.name}")
            println("      $e")
            e.stackTrace.take(8).forEach { println("        at $it") }
            e.cause?.let { println("      caused by $it") }
        }
    }
    println("$passed passed, $failed failed")
    System.out.flush()
    exitProcess(if (failed == 0 && passed == tests.size) 0 else 1)
}
