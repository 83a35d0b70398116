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

/** Runs [block], which must fail with a card-flow error of [kind]; returns that error. */
inline fun expectFailure(kind: jp.kazashi.ErrorKind, block: () -> Unit): jp.kazashi.KazashiException.Failed {
    val e = expectThrows<jp.kazashi.KazashiException.Failed>(block)
    if (e.kind != kind) throw AssertionError("expected $kind, got ${e.kind}: ${e.reason}", e)
    check(e.reason.isNotEmpty() && e.action.isNotEmpty()) { "every failure says what happened and what to do" }
    return e
}

/** Whether this is a card-flow error of [kind]. */
fun Throwable?.isKind(kind: jp.kazashi.ErrorKind): Boolean =
    this is jp.kazashi.KazashiException.Failed && this.kind == kind
