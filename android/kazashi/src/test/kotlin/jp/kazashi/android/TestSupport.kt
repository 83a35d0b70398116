package jp.kazashi.android

import java.io.ByteArrayInputStream
import java.security.Signature
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate

/** A named test; the body runs inside `runBlocking` with a time limit. */
class TestCase(val name: String, val body: suspend () -> Unit)

fun test(name: String, body: suspend () -> Unit) = TestCase(name, body)

class AssertionFailed(message: String) : AssertionError(message)

fun fail(message: String): Nothing = throw AssertionFailed(message)

fun assertTrue(condition: Boolean, message: () -> String) {
    if (!condition) fail(message())
}

fun <T> assertEquals(expected: T, actual: T, what: String = "value") {
    if (expected != actual) fail("$what: expected <$expected>, got <$actual>")
}

fun assertBytes(expected: ByteArray, actual: ByteArray, what: String = "bytes") {
    if (!expected.contentEquals(actual)) fail("$what: expected ${expected.hex()}, got ${actual.hex()}")
}

/** Runs [block] and returns what it threw, failing when it threw nothing or something else. */
inline fun <reified T : Throwable> assertThrows(block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionFailed("expected ${T::class.simpleName}, got $e").apply { initCause(e) }
    }
    fail("expected ${T::class.simpleName}, nothing was thrown")
}

/** Runs [block], which must fail with a card-flow error of [kind]; returns that error. */
inline fun assertFailure(kind: jp.kazashi.ErrorKind, block: () -> Unit): jp.kazashi.KazashiException.Failed {
    val e = assertThrows<jp.kazashi.KazashiException.Failed>(block)
    if (e.kind != kind) throw AssertionFailed("expected $kind, got ${e.kind}: ${e.reason}").apply { initCause(e) }
    return e
}

fun ByteArray.hex(): String = joinToString("") { "%02X".format(it) }

fun bytes(vararg values: Int) = ByteArray(values.size) { values[it].toByte() }

fun isSignatureCommand(command: ByteArray) = command.size >= 2 && command[0] == 0x80.toByte() && command[1] == 0x2A.toByte()

/** VERIFY with data, i.e. carrying a PIN (a VERIFY without data only reads the counter). */
fun isVerifyWithPin(command: ByteArray) = command.size > 5 && command[1] == 0x20.toByte()

fun x509(der: ByteArray): X509Certificate =
    CertificateFactory.getInstance("X.509").generateCertificate(ByteArrayInputStream(der)) as X509Certificate

/** Checks an RSASSA-PKCS1-v1_5 SHA-256 signature with the JDK, independently of the Rust core. */
fun assertSha256WithRsa(certificate: X509Certificate, message: ByteArray, signature: ByteArray) {
    val verifier = Signature.getInstance("SHA256withRSA")
    verifier.initVerify(certificate.publicKey)
    verifier.update(message)
    assertTrue(verifier.verify(signature)) { "the signature does not verify against ${certificate.subjectX500Principal}" }
}

/** An extended-length command APDU: a zero byte where a short APDU has Lc or Le, then two length bytes. */
fun isExtendedApdu(command: ByteArray) = command.size >= 7 && command[4] == 0.toByte()
