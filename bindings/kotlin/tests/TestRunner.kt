// A minimal test runner for the binding tests: each test is a named suspend block; the run
// ends with the line "N passed, N failed" that CI reads, and a non-zero exit on failure.
package jp.kazashi.tests

import kotlinx.coroutines.runBlocking

class TestRunner {
    private val tests = mutableListOf<Pair<String, suspend () -> Unit>>()

    fun test(name: String, body: suspend () -> Unit) {
        tests += name to body
    }

    fun run(): Int {
        var passed = 0
        var failed = 0
        for ((name, body) in tests) {
            try {
                runBlocking { body() }
                passed++
                println("ok     $name")
            } catch (t: Throwable) {
                failed++
                println("FAILED $name: $t")
                t.stackTrace.take(6).forEach { println("         at $it") }
            }
        }
        println("$passed passed, $failed failed")
        return if (failed == 0) 0 else 1
    }
}

fun check(condition: Boolean, message: () -> String = { "check failed" }) {
    if (!condition) throw AssertionError(message())
}

inline fun <reified E : Throwable> expectThrows(block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e", e)
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}
