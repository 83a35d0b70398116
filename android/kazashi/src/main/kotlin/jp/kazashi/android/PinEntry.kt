package jp.kazashi.android

import java.nio.ByteBuffer
import java.nio.CharBuffer
import java.nio.charset.CodingErrorAction
import java.nio.charset.StandardCharsets
import jp.kazashi.AttributesUnlock
import jp.kazashi.CardInfoAttributes
import jp.kazashi.CardSessionInterface
import jp.kazashi.CardSurface
import jp.kazashi.CertificateInfo
import jp.kazashi.DigestAlgorithm
import jp.kazashi.LoginRequest
import jp.kazashi.LoginResult
import jp.kazashi.LoginV2Result
import jp.kazashi.MyNumberResult
import jp.kazashi.MyNumberUnlock
import jp.kazashi.PinKind
import jp.kazashi.SignOptions
import jp.kazashi.SignResult
import jp.kazashi.SurfaceUnlock

// PINs, signing passwords and verification numbers as `CharArray`, wiped after use.
//
// Why not String: a JVM String is immutable, so a PIN in one stays in the heap until the garbage
// collector happens to reuse that memory, and a heap dump or a memory-reading exploit finds it.
// A CharArray can be overwritten, which is why `PBEKeySpec`, `KeyStore` and `Console.readPassword`
// take and give one. The generated bindings take each secret as a `ByteArray` (its UTF-8 bytes);
// these functions take the app's CharArray, encode it straight into a ByteArray (never through a
// String), make the call, then overwrite the bytes and the caller's CharArray with zeros, whether
// the call succeeded or failed. The Rust side wipes its own copies (see bindings/ffi/src/secret.rs).
//
// The caller's array is always wiped, as `PBEKeySpec` advises for its own copy: after a wrong PIN,
// ask the user again rather than keeping the entry for a retry. Read an EditText with
// `editable.getChars(0, editable.length, array, 0)` and clear it, never with `text.toString()`.
//
// What this cannot do: the JVM may have copied the array while moving it (garbage collection), and
// the keyboard and the EditText had the characters before the app did. Wiping what the app holds
// narrows the window; it is not a guarantee.

/**
 * Runs [block] with [secret]'s UTF-8 bytes, then overwrites those bytes and [secret] itself with
 * zeros, whether [block] returns or throws.
 *
 * The `CardSession` overloads below and the `tapTo…` shortcuts use it; call it yourself for a
 * generated call that has no overload here (`signCms`, `signPdf`: they exist only in libraries
 * built with the `documents` / `pdf` features, so the shell cannot name them):
 * ```
 * val signed = withSecretBytes(password) { bytes -> session.signCms(document, DigestAlgorithm.SHA256, bytes, false, options) }
 * ```
 * Do not keep the array [block] receives: it is all zeros once this returns.
 *
 * A character that is not valid UTF-16 (an unpaired surrogate) is encoded as `?`, which no PIN,
 * password or verification number allows, so the library rejects the entry as
 * `ErrorKind.INVALID_PIN_FORMAT` before sending anything, as it does a full-width "１２３４".
 */
inline fun <T> withSecretBytes(secret: CharArray, block: (ByteArray) -> T): T {
    var bytes: ByteArray? = null
    try {
        bytes = encodeSecretUtf8(secret)
        return block(bytes)
    } finally {
        bytes?.fill(0)
        secret.fill('\u0000')
    }
}

/**
 * [secret] as UTF-8, in a new array, without a String in between. The encoder writes into a buffer
 * sized for the worst case up front, so it never grows one and leaves the old copy behind; that
 * buffer is zeroed before returning.
 */
@PublishedApi
internal fun encodeSecretUtf8(secret: CharArray): ByteArray {
    val encoder =
        StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE)
    val capacity = Math.ceil(secret.size.toDouble() * encoder.maxBytesPerChar()).toInt()
    val out = ByteBuffer.allocate(capacity)
    try {
        val encoded = encoder.encode(CharBuffer.wrap(secret), out, true)
        if (!encoded.isUnderflow) encoded.throwException()
        val flushed = encoder.flush(out)
        if (!flushed.isUnderflow) flushed.throwException()
        return out.array().copyOf(out.position())
    } finally {
        if (out.hasArray()) out.array().fill(0)
    }
}

/** Runs [block] with both secrets' bytes (see [withSecretBytes]); wipes both arrays however it ends. */
internal inline fun <T> withSecretBytes(first: CharArray, second: CharArray, block: (ByteArray, ByteArray) -> T): T =
    try {
        withSecretBytes(first) { a -> withSecretBytes(second) { b -> block(a, b) } }
    } finally {
        // Already wiped unless encoding the first one failed before the second was reached.
        second.fill('\u0000')
    }

// The generated CardSession methods that take a secret, with a CharArray in its place. Same names,
// parameters and defaults as the generated ones; Kotlin picks these because the members do not
// accept a CharArray. Each wipes the caller's array(s) when it returns or throws.

/** `login` with the authentication PIN as a CharArray, wiped afterwards (see [withSecretBytes]). */
suspend fun CardSessionInterface.login(challenge: ByteArray, pin: CharArray, confirmLastAttempt: Boolean): LoginResult =
    withSecretBytes(pin) { login(challenge, it, confirmLastAttempt) }

/** `loginV2` with the authentication PIN as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.loginV2(
    request: LoginRequest,
    pin: CharArray,
    confirmLastAttempt: Boolean,
    cachedCertificate: ByteArray?,
): LoginV2Result = withSecretBytes(pin) { loginV2(request, it, confirmLastAttempt, cachedCertificate) }

/** `loginWithCachedCertificate` with the authentication PIN as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.loginWithCachedCertificate(
    challenge: ByteArray,
    pin: CharArray,
    confirmLastAttempt: Boolean,
    cachedCertificate: ByteArray,
): LoginResult = withSecretBytes(pin) { loginWithCachedCertificate(challenge, it, confirmLastAttempt, cachedCertificate) }

/** `readAuthenticationCertificateWithPin` with the PIN as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.readAuthenticationCertificateWithPin(pin: CharArray, confirmLastAttempt: Boolean): CertificateInfo =
    withSecretBytes(pin) { readAuthenticationCertificateWithPin(it, confirmLastAttempt) }

/** `readSigningCertificate` with the signing password as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.readSigningCertificate(password: CharArray, confirmLastAttempt: Boolean): CertificateInfo =
    withSecretBytes(password) { readSigningCertificate(it, confirmLastAttempt) }

/** `signDocument` with the signing password as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.signDocument(
    document: ByteArray,
    algorithm: DigestAlgorithm,
    password: CharArray,
    options: SignOptions,
): SignResult = withSecretBytes(password) { signDocument(document, algorithm, it, options) }

/** `signDigest` with the signing password as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.signDigest(
    digest: ByteArray,
    algorithm: DigestAlgorithm,
    password: CharArray,
    options: SignOptions,
): SignResult = withSecretBytes(password) { signDigest(digest, algorithm, it, options) }

/** `changePin` with the current and the new secret as CharArrays, both wiped afterwards. */
suspend fun CardSessionInterface.changePin(pin: PinKind, current: CharArray, new: CharArray, confirmLastAttempt: Boolean) =
    withSecretBytes(current, new) { c, n -> changePin(pin, c, n, confirmLastAttempt) }

/** `readCardInfo` with the card-info PIN or verification number B as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.readCardInfo(
    unlock: AttributesUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean,
    issuerKey: ByteArray?,
): CardInfoAttributes = withSecretBytes(secret) { readCardInfo(unlock, it, confirmLastAttempt, issuerKey) }

/** `readMyNumber` with the card-info PIN or verification number A as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.readMyNumber(
    unlock: MyNumberUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean,
    issuerKey: ByteArray?,
): MyNumberResult = withSecretBytes(secret) { readMyNumber(unlock, it, confirmLastAttempt, issuerKey) }

/** `readCardSurface` with verification number A or B as a CharArray, wiped afterwards. */
suspend fun CardSessionInterface.readCardSurface(
    unlock: SurfaceUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean,
    issuerKey: ByteArray? = null,
): CardSurface = withSecretBytes(secret) { readCardSurface(unlock, it, confirmLastAttempt, issuerKey) }
