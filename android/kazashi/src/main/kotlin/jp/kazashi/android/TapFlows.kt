package jp.kazashi.android

import android.nfc.tech.IsoDep
import jp.kazashi.DigestAlgorithm
import jp.kazashi.LoginRequest
import jp.kazashi.LoginResult
import jp.kazashi.LoginV2Result
import jp.kazashi.SignOptions
import jp.kazashi.SignResult

// One-tap shortcuts for the two things apps do with the card. Each is one withJpkiSession call;
// use withJpkiSession directly to combine flows on one tap. Errors are the session's
// KazashiException.Failed with an ErrorKind; none of these functions retries or re-sends a PIN.

/**
 * Tap to log in (log-in version 1): signs SHA-256([challenge]) with the card's authentication key after verifying
 * the 4-digit authentication PIN. The result's signature is already checked against its
 * certificate. The signature is not bound to any relying party: prefer the [LoginRequest] overload.
 *
 * @param confirmLastAttempt `true` only after telling the user that one attempt is left and that a
 *   wrong PIN locks it; otherwise the card is not asked and `ErrorKind.LAST_ATTEMPT_NOT_CONFIRMED`
 *   is thrown.
 */
suspend fun IsoDep.tapToLogin(challenge: ByteArray, pin: String, confirmLastAttempt: Boolean = false): LoginResult =
    asIsoDepLink().tapToLogin(challenge, pin, confirmLastAttempt)

/** [IsoDep.tapToLogin] over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToLogin(challenge: ByteArray, pin: String, confirmLastAttempt: Boolean = false): LoginResult =
    withJpkiSession { session -> session.login(challenge, pin, confirmLastAttempt) }

/**
 * Tap to log in to a relying party (log-in version 2): signs the domain-separated bytes of
 * [request] (from `parseLoginRequest`), so the signature is valid for `request.relyingParty` only.
 * Show `request.prompt` ("Log in to example.jp") before asking for the PIN, and send the result's
 * `messageJson` to the server.
 *
 * @param cachedCertificate the `certificate.der` of an earlier log-in: when it is still this card's,
 *   the card does not send it again.
 * @param confirmLastAttempt as for [tapToLogin].
 */
suspend fun IsoDep.tapToLogin(
    request: LoginRequest,
    pin: String,
    confirmLastAttempt: Boolean = false,
    cachedCertificate: ByteArray? = null,
): LoginV2Result = asIsoDepLink().tapToLogin(request, pin, confirmLastAttempt, cachedCertificate)

/** [IsoDep.tapToLogin] with a [LoginRequest], over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToLogin(
    request: LoginRequest,
    pin: String,
    confirmLastAttempt: Boolean = false,
    cachedCertificate: ByteArray? = null,
): LoginV2Result =
    withJpkiSession { session -> session.loginV2(request, pin, confirmLastAttempt, cachedCertificate) }

/**
 * Tap to sign: hashes [document] with [algorithm] and signs the digest with the card's signature
 * key after verifying the signing password (6–16 characters, A–Z and 0–9). The result carries the
 * signing certificate, whose subject holds the holder's personal data.
 *
 * @param confirmLastAttempt as for [tapToLogin].
 */
suspend fun IsoDep.tapToSign(
    document: ByteArray,
    password: String,
    confirmLastAttempt: Boolean = false,
    algorithm: DigestAlgorithm = DigestAlgorithm.SHA256,
): SignResult = asIsoDepLink().tapToSign(document, password, confirmLastAttempt, algorithm)

/** [IsoDep.tapToSign] over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToSign(
    document: ByteArray,
    password: String,
    confirmLastAttempt: Boolean = false,
    algorithm: DigestAlgorithm = DigestAlgorithm.SHA256,
): SignResult =
    withJpkiSession { session ->
        session.signDocument(document, algorithm, password, SignOptions(confirmLastAttempt = confirmLastAttempt))
    }
