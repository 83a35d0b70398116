// End to end on the JVM: a running kazashi-server issues the challenge over HTTP
// (java.net.http), the bindings' CardSession signs it with the virtual card, the message is
// posted back and the server says "logged_in". The signature and the subject id are also
// checked with java.security, independently of both the bindings and the server.
//
// Its own entry (ServerE2eTestKt), compiled and run only by scripts/test-server-e2e.sh, which
// starts the server and passes its URL in KAZASHI_SERVER_URL; without it the run fails (it
// never skips). Kept out of bindings/kotlin/tests/*.kt because it needs a JSON parser
// (org.json, from Maven Central) that the other binding tests do not.
package jp.kazashi.tests

import java.io.ByteArrayOutputStream
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.ByteBuffer
import java.security.Signature
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.time.Duration
import javax.naming.ldap.LdapName
import jp.kazashi.CardSession
import jp.kazashi.ErrorKind
import jp.kazashi.LoginV2Result
import jp.kazashi.VirtualCard
import jp.kazashi.VirtualCardProfile
import jp.kazashi.parseLoginRequest
import kotlin.system.exitProcess
import org.json.JSONObject

/** A test PIN as the UTF-8 bytes the bindings take (test data; an app never holds a user's PIN in a String). */
private fun utf8(text: String): ByteArray = text.toByteArray(Charsets.UTF_8)

/** The server under test, and a JSON exchange with it. */
class Server(val url: String) {
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()

    fun post(path: String, body: String): Pair<Int, JSONObject> = send(
        HttpRequest.newBuilder(URI.create(url + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)),
    )

    fun get(path: String, bearer: String?): Pair<Int, JSONObject> = send(
        HttpRequest.newBuilder(URI.create(url + path)).apply {
            if (bearer != null) header("Authorization", "Bearer $bearer")
        }.GET(),
    )

    private fun send(builder: HttpRequest.Builder): Pair<Int, JSONObject> {
        val response = http.send(builder.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString())
        return response.statusCode() to JSONObject(response.body())
    }

    /** POST /v1/login/challenges: the whole answer (request, qr_payload, poll_token, …). */
    fun challenge(): JSONObject {
        val (status, issued) = post("/v1/login/challenges", "{}")
        check(status == 201) { "challenge: HTTP $status $issued" }
        return issued
    }
}

/** What java.security says of a v2 log-in: the signature over the README's bytes. */
fun javaVerifiesLogin(message: JSONObject, result: LoginV2Result): Boolean {
    val rp = message.getString("relying_party").toByteArray()
    val challenge = java.util.Base64.getDecoder().decode(message.getString("challenge"))
    val signed = ByteArrayOutputStream().apply {
        write("kazashi JPKI log-in v2".toByteArray()); write(0)
        write(ByteBuffer.allocate(2).putShort(rp.size.toShort()).array()); write(rp)
        write(ByteBuffer.allocate(2).putShort(challenge.size.toShort()).array()); write(challenge)
        write(ByteBuffer.allocate(16).putLong(message.getLong("issued_at")).putLong(message.getLong("expires_at")).array())
    }.toByteArray()
    val x509 = CertificateFactory.getInstance("X.509")
        .generateCertificate(result.certificate.der.inputStream()) as X509Certificate
    return Signature.getInstance("SHA256withRSA").run {
        initVerify(x509.publicKey); update(signed); verify(result.signature)
    }
}

/** The certificate's subject CN, as java.security reads it. */
fun commonName(der: ByteArray): String {
    val x509 = CertificateFactory.getInstance("X.509").generateCertificate(der.inputStream()) as X509Certificate
    return LdapName(x509.subjectX500Principal.name).rdns.last { it.type.equals("CN", ignoreCase = true) }.value.toString()
}

fun main() {
    val url = System.getenv("KAZASHI_SERVER_URL")
    if (url.isNullOrEmpty()) {
        println("FAILED: KAZASHI_SERVER_URL is not set; run scripts/test-server-e2e.sh, which starts kazashi-server")
        println("0 passed, 1 failed")
        exitProcess(1)
    }
    val server = Server(url.trimEnd('/'))
    val t = TestRunner()
    var posted: String? = null

    t.test("a challenge from kazashi-server, signed through CardSession, is logged in") {
        val issued = server.challenge()
        val requestJson = issued.getJSONObject("request").toString()
        // The app: parse what the server sent, refusing any relying party but its own.
        val request = parseLoginRequest(requestJson, "localhost")
        check(request.prompt == "Log in to localhost") { request.prompt }
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            val result = CardSession(card).use { phone -> phone.loginV2(request, utf8("1234"), false, null) }
            val message = JSONObject(result.messageJson)
            check(message.getInt("version") == 2 && message.getString("relying_party") == "localhost")
            check(javaVerifiesLogin(message, result)) { "java.security rejects the log-in signature" }
            val (status, verdict) = server.post("/v1/login/verify", result.messageJson)
            check(status == 200) { "verify: HTTP $status $verdict" }
            check(verdict.getString("verdict") == "logged_in") { "$verdict" }
            check(verdict.getString("subject_id") == commonName(result.certificate.der)) { "$verdict" }
            check(verdict.getString("revocation") == "not checked") { "$verdict" }
            posted = result.messageJson
            // The page that asked (holding the poll token) sees the same log-in; nobody else does.
            val path = "/v1/login/challenges/${issued.getString("challenge_id")}/result"
            val (pollStatus, poll) = server.get(path, issued.getString("poll_token"))
            check(pollStatus == 200 && poll.getString("state") == "logged_in") { "poll: HTTP $pollStatus $poll" }
            check(poll.getString("subject_id") == verdict.getString("subject_id"))
            check(server.get(path, null).first == 403)
        }
    }

    t.test("the same message posted again is rejected as a replay") {
        val message = posted ?: throw AssertionError("the log-in test did not run")
        val (status, verdict) = server.post("/v1/login/verify", message)
        check(status == 422) { "HTTP $status $verdict" }
        check(verdict.getString("verdict") == "rejected" && verdict.getString("reason") == "replay") { "$verdict" }
    }

    t.test("a log-in signed for another relying party is refused by the app and rejected by the server") {
        val issued = server.challenge()
        val forged = issued.getJSONObject("request").put("relying_party", "other.example").toString()
        // The app that knows its server refuses before the card.
        val refused = expectFailure(ErrorKind.INVALID_INPUT) { parseLoginRequest(forged, "localhost") }
        check(refused.reason.contains("other.example")) { refused.reason }
        // An app that does not check: the card signs for other.example, the server refuses it.
        VirtualCard(VirtualCardProfile.PHYSICAL_CARD).use { card ->
            val request = parseLoginRequest(forged, null)
            val result = CardSession(card).use { phone -> phone.loginV2(request, utf8("1234"), false, null) }
            val (status, verdict) = server.post("/v1/login/verify", result.messageJson)
            check(status == 422) { "HTTP $status $verdict" }
            check(verdict.getString("reason") == "relying-party-mismatch") { "$verdict" }
        }
    }

    exitProcess(t.run())
}
