package jp.kazashi.android

import android.nfc.tech.IsoDep
import jp.kazashi.AttributesUnlock
import jp.kazashi.CardInfoAttributes
import jp.kazashi.CardSurface
import jp.kazashi.DigestAlgorithm
import jp.kazashi.LoginRequest
import jp.kazashi.LoginResult
import jp.kazashi.LoginV2Result
import jp.kazashi.MyNumberResult
import jp.kazashi.MyNumberUnlock
import jp.kazashi.SignOptions
import jp.kazashi.SignResult
import jp.kazashi.SurfaceUnlock

// One-tap shortcuts for what apps do with the card. Each is one withJpkiSession call;
// use withJpkiSession directly to combine flows on one tap. Errors are the session's
// KazashiException.Failed with an ErrorKind; none of these functions retries or re-sends a PIN.
//
// Every secret (PIN, signing password, verification number) is a CharArray that these functions
// overwrite with zeros when they return or throw, even when the tap never reached the card (see
// PinEntry.kt for why: a String cannot be wiped). Ask the user again for another attempt.

/**
 * Tap to log in (log-in version 1): signs SHA-256([challenge]) with the card's authentication key after verifying
 * the 4-digit authentication PIN. The result's signature is already checked against its
 * certificate. The signature is not bound to any relying party: prefer the [LoginRequest] overload.
 *
 * @param pin the PIN as the user typed it; overwritten with zeros when this returns or throws.
 * @param confirmLastAttempt `true` only after telling the user that one attempt is left and that a
 *   wrong PIN locks it; otherwise the card is not asked and `ErrorKind.LAST_ATTEMPT_NOT_CONFIRMED`
 *   is thrown.
 */
suspend fun IsoDep.tapToLogin(challenge: ByteArray, pin: CharArray, confirmLastAttempt: Boolean = false): LoginResult =
    asIsoDepLink().tapToLogin(challenge, pin, confirmLastAttempt)

/** [IsoDep.tapToLogin] over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToLogin(challenge: ByteArray, pin: CharArray, confirmLastAttempt: Boolean = false): LoginResult =
    withSecretBytes(pin) { bytes -> withJpkiSession { session -> session.login(challenge, bytes, confirmLastAttempt) } }

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
    pin: CharArray,
    confirmLastAttempt: Boolean = false,
    cachedCertificate: ByteArray? = null,
): LoginV2Result = asIsoDepLink().tapToLogin(request, pin, confirmLastAttempt, cachedCertificate)

/** [IsoDep.tapToLogin] with a [LoginRequest], over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToLogin(
    request: LoginRequest,
    pin: CharArray,
    confirmLastAttempt: Boolean = false,
    cachedCertificate: ByteArray? = null,
): LoginV2Result =
    withSecretBytes(pin) { bytes ->
        withJpkiSession { session -> session.loginV2(request, bytes, confirmLastAttempt, cachedCertificate) }
    }

/**
 * Tap to sign: hashes [document] with [algorithm] and signs the digest with the card's signature
 * key after verifying the signing password (6–16 characters, A–Z and 0–9). The result carries the
 * signing certificate, whose subject holds the holder's personal data.
 *
 * @param password overwritten with zeros when this returns or throws.
 * @param confirmLastAttempt as for [tapToLogin].
 */
suspend fun IsoDep.tapToSign(
    document: ByteArray,
    password: CharArray,
    confirmLastAttempt: Boolean = false,
    algorithm: DigestAlgorithm = DigestAlgorithm.SHA256,
): SignResult = asIsoDepLink().tapToSign(document, password, confirmLastAttempt, algorithm)

/** [IsoDep.tapToSign] over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToSign(
    document: ByteArray,
    password: CharArray,
    confirmLastAttempt: Boolean = false,
    algorithm: DigestAlgorithm = DigestAlgorithm.SHA256,
): SignResult =
    withSecretBytes(password) { bytes ->
        withJpkiSession { session ->
            session.signDocument(document, algorithm, bytes, SignOptions(confirmLastAttempt = confirmLastAttempt))
        }
    }

/**
 * Tap to read the four basic attributes (基本4情報: name, address, birth date, sex) from the
 * card-info application (券面事項入力補助AP), e.g. to fill in a form. Never the My Number: that
 * needs its own call, [tapToReadMyNumber].
 *
 * [unlock] chooses the secret: `AttributesUnlock.CARD_INFO_PIN` (券面事項入力補助用暗証番号, 4 digits,
 * 3 attempts, a counter of its own: a wrong entry never spends an attempt of the authentication
 * PIN, even when the digits are the same) or `AttributesUnlock.VERIFICATION_NUMBER_B` (照合番号B,
 * 14 digits: birth date as era YYMMDD, the expiry year, the security code). The format is checked
 * before anything is sent, the counter is read first, and the secret is sent at most once.
 *
 * The attributes are returned only after the card's integrity record holds (digest and signature):
 * otherwise `ErrorKind.INTEGRITY_CHECK_FAILED` is thrown and nothing is returned. The result's
 * `integrity` says which checks ran; `issuerVerified` is `false` unless [issuerKey] was given.
 *
 * The attributes are personal data: show them to their holder, keep them out of logs, crash
 * reports and analytics (the result's `toString()` shows them). `crossCheckCardInfo(attributes, signingCertificateDer)` compares them
 * with the signing certificate's, field by field.
 *
 * @param confirmLastAttempt as for [tapToLogin].
 * @param issuerKey J-LIS's card-info key (SubjectPublicKeyInfo DER), if the app has it, to verify
 *   the application's certificate too; a certificate that does not verify with it is an error.
 */
suspend fun IsoDep.tapToReadCardInfo(
    unlock: AttributesUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean = false,
    issuerKey: ByteArray? = null,
): CardInfoAttributes = asIsoDepLink().tapToReadCardInfo(unlock, secret, confirmLastAttempt, issuerKey)

/** [IsoDep.tapToReadCardInfo] over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToReadCardInfo(
    unlock: AttributesUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean = false,
    issuerKey: ByteArray? = null,
): CardInfoAttributes =
    withSecretBytes(secret) { bytes ->
        withJpkiSession { session -> session.readCardInfo(unlock, bytes, confirmLastAttempt, issuerKey) }
    }

/**
 * Tap to read the My Number (個人番号) from the card-info application. This is the only shortcut
 * that returns it; nothing else in the library reads it as a side effect.
 *
 * **The law.** An app may collect the My Number only for the purposes the My Number Act
 * (番号法) allows (tax, social security and disaster response procedures, as a 個人番号関係事務実施者
 * or 個人番号利用事務実施者), and must not ask for it otherwise. Never log it, never put it in
 * crash reports, analytics or a cache, keep it no longer than the procedure needs, and send it
 * only over a protected channel to whoever is entitled to it. [MyNumberResult] is a generated data
 * class: its `toString()` contains the number, so never log or interpolate the result either.
 *
 * [unlock] chooses the secret: `MyNumberUnlock.CARD_INFO_PIN` (4 digits, its own counter) or
 * `MyNumberUnlock.VERIFICATION_NUMBER_A` (照合番号A, which is the My Number itself, so this only
 * confirms a number the user typed in against the card). Same PIN rules and integrity check as
 * [tapToReadCardInfo]; a number whose digest does not match is never returned
 * (`ErrorKind.INTEGRITY_CHECK_FAILED`).
 *
 * @param confirmLastAttempt as for [tapToLogin].
 * @param issuerKey as for [tapToReadCardInfo].
 */
suspend fun IsoDep.tapToReadMyNumber(
    unlock: MyNumberUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean = false,
    issuerKey: ByteArray? = null,
): MyNumberResult = asIsoDepLink().tapToReadMyNumber(unlock, secret, confirmLastAttempt, issuerKey)

/** [IsoDep.tapToReadMyNumber] over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToReadMyNumber(
    unlock: MyNumberUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean = false,
    issuerKey: ByteArray? = null,
): MyNumberResult =
    withSecretBytes(secret) { bytes ->
        withJpkiSession { session -> session.readMyNumber(unlock, bytes, confirmLastAttempt, issuerKey) }
    }

/**
 * Tap to read the card's front from the card-surface application (券面事項確認AP): the face photo
 * (JPEG 2000, `photo` with `photoMediaType` `image/jp2` or `image/j2c`; decoding it for display is
 * the app's business), the name, address and security code as printed (images: `nameImage`,
 * `addressImage`, `securityCodeImage`), the birth date, sex (ISO 5218) and expiry as stored.
 *
 * [unlock] chooses the secret: `SurfaceUnlock.VERIFICATION_NUMBER_A` (照合番号A, the 12-digit My
 * Number) or `SurfaceUnlock.VERIFICATION_NUMBER_B` (照合番号B, 14 digits: birth date as era YYMMDD,
 * the expiry year, the security code). This application keeps counters of its own, separate from
 * the card-info application's (`session.cardSurfaceRetryCounter(pin)` reads them, no attempt
 * spent; `retryCounter` reads the card-info ones). Errors name `PinKind.VERIFICATION_NUMBER_A` or
 * `VERIFICATION_NUMBER_B`. The format is checked before anything is sent, the counter is read
 * first, and the secret is sent at most once.
 *
 * **The signature verdict.** `signature` is `SurfaceSignatureVerdict.VERIFIED_VIRTUAL_CARD_LAYOUT`
 * only when the front's signature verified in the layout the virtual card uses; no public source
 * gives a real card's signed layout, so on a real card expect `NOT_VERIFIED`. Either way the data is
 * returned as read: with `NOT_VERIFIED` (which is the normal result on a real card) never present
 * the photo or the fields as verified or authentic, and never treat them as proof of identity on
 * their own. `issuerVerified` is `true` only when [issuerKey] was given and the application
 * certificate verified with it.
 *
 * **Privacy.** The face photo and the images of the name, address and security code are personal
 * data (the photo is biometric-like data): show them to their holder, never log them, never put them
 * in crash reports, analytics, screenshots for support or a disk cache, and drop them when the
 * screen no longer needs them. The security code is part of verification number B. [CardSurface] is a
 * generated data class: its `toString()` shows its fields (the birth date, sex and expiry; the
 * images as array references), so never log or interpolate the result.
 *
 * @param confirmLastAttempt as for [tapToLogin].
 * @param issuerKey J-LIS's key for this application (SubjectPublicKeyInfo DER), if the app has it,
 *   to verify the application certificate too; a certificate that does not verify with it is an
 *   error.
 */
suspend fun IsoDep.tapToReadCardSurface(
    unlock: SurfaceUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean = false,
    issuerKey: ByteArray? = null,
): CardSurface = asIsoDepLink().tapToReadCardSurface(unlock, secret, confirmLastAttempt, issuerKey)

/** [IsoDep.tapToReadCardSurface] over any [IsoDepLink]. */
suspend fun IsoDepLink.tapToReadCardSurface(
    unlock: SurfaceUnlock,
    secret: CharArray,
    confirmLastAttempt: Boolean = false,
    issuerKey: ByteArray? = null,
): CardSurface =
    withSecretBytes(secret) { bytes ->
        withJpkiSession { session -> session.readCardSurface(unlock, bytes, confirmLastAttempt, issuerKey) }
    }
