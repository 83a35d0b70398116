package jp.kazashi.android.robolectric

import android.nfc.Tag
import android.nfc.tech.IsoDep
import android.os.Bundle
import java.io.ByteArrayInputStream
import java.security.Signature
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import jp.kazashi.ErrorKind
import jp.kazashi.KazashiException
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail

/**
 * The SDK level every Robolectric test here runs: 35, the module's compileSdk (Robolectric 4.14.1
 * runs it on Java 17). scripts/test-robolectric.sh fetches the framework jar of this level.
 */
const val SDK = 35

/**
 * A `Tag` as the NFC service hands it to reader mode: a card that speaks ISO-DEP (ISO 14443-4),
 * built with the framework's own `Tag.createMockTag` (a hidden API, hence reflection). The
 * technology number is read from the framework too (`TagTechnology.ISO_DEP`).
 */
fun isoDepTag(id: ByteArray = byteArrayOf(0x01, 0x02, 0x03, 0x04)): Tag = mockTag(id, "ISO_DEP")

/** A `Tag` with the given technologies only (names of `TagTechnology` constants, e.g. `NFC_A`). */
fun mockTag(id: ByteArray, vararg technologies: String): Tag {
    val techClass = Class.forName("android.nfc.tech.TagTechnology")
    val create = Tag::class.java.methods.single { it.name == "createMockTag" }
    val techs = technologies.map { techClass.getField(it).getInt(null) }.toIntArray()
    val extras = Array(techs.size) { Bundle() }
    val tag = when (create.parameterCount) {
        3 -> create.invoke(null, id, techs, extras)
        4 -> create.invoke(null, id, techs, extras, 0L) // API 34 and later add a cookie
        else -> error("unexpected Tag.createMockTag signature: $create")
    }
    return tag as Tag
}

/** `IsoDep.get` of a freshly discovered ISO-DEP tag, as an app gets it. */
fun discoveredIsoDep(): IsoDep = IsoDep.get(isoDepTag()) ?: error("IsoDep.get returned null for an ISO-DEP tag")

fun x509(der: ByteArray): X509Certificate =
    CertificateFactory.getInstance("X.509").generateCertificate(ByteArrayInputStream(der)) as X509Certificate

/** Checks an RSASSA-PKCS1-v1_5 SHA-256 signature with the JDK, independently of the Rust core. */
fun assertSha256WithRsa(certificate: X509Certificate, message: ByteArray, signature: ByteArray) {
    val verifier = Signature.getInstance("SHA256withRSA")
    verifier.initVerify(certificate.publicKey)
    verifier.update(message)
    assertTrue("the signature does not verify against ${certificate.subjectX500Principal}", verifier.verify(signature))
}

/** Runs [block], which must fail with a card-flow error of [kind]; returns that error. */
inline fun assertFailure(kind: ErrorKind, block: () -> Unit): KazashiException.Failed {
    try {
        block()
    } catch (e: KazashiException.Failed) {
        assertEquals("error kind (${e.reason})", kind, e.kind)
        return e
    }
    fail("expected a KazashiException.Failed of kind $kind, nothing was thrown")
    throw AssertionError()
}
