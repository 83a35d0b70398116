//! The `kazashi` binary end to end on the virtual card: outputs, exit codes, PIN handling.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{json, kazashi};
use serde_json::Value;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kazashi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Removes the random and binary fields, leaving what could leak a PIN.
fn without_hex(mut v: Value) -> String {
    fn scrub(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for key in ["challenge", "signature", "digest", "serial", "subject"] {
                    map.remove(key);
                }
                map.values_mut().for_each(scrub);
            }
            Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut v);
    v.to_string()
}

#[test]
fn demo_tells_the_whole_story_without_pins() {
    let out = kazashi(&["demo"], "");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "Card status",
        "Tap to log in",
        "Tap to sign",
        "verified against the authentication certificate",
        "verified against the signing certificate",
        "attempts left",
        "APDUs",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert!(!text.contains("ABC123"));
    let out = kazashi(&["demo", "--json"], "");
    let v = json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["login"]["verified"], true);
    assert_eq!(v["sign"]["verified"], true);
    assert!(v["login"]["traffic"]["apdus"].as_u64().unwrap() <= 5);
    assert_eq!(v["login"]["cached_login"]["certificate_from_cache"], true);
    assert_eq!(v["login"]["cached_login"]["traffic"]["apdus"], 4);
    assert!(v["apdus"].as_u64().unwrap() > 20);
    let scrubbed = without_hex(v);
    assert!(
        !scrubbed.contains("1234") && !scrubbed.contains("ABC123"),
        "{scrubbed}"
    );
}

#[test]
fn demo_on_other_profiles() {
    let out = kazashi(&["demo", "--profile", "under-15"], "");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("no signing certificate"), "{text}");
    let out = kazashi(&["demo", "--profile", "no-extended-length", "--json"], "");
    let v = json(&out);
    assert!(v["login"]["traffic"]["apdus"].as_u64().unwrap() <= 12);
}

#[test]
fn status_reports_counters_and_apdus() {
    let v = json(&kazashi(&["status", "--virtual", "--json"], ""));
    assert_eq!(v["authentication_pin"]["attempts_left"], 3);
    assert_eq!(v["signing_password"]["attempts_left"], 5);
    assert_eq!(v["token"], "physical-card");
    assert!(v["apdus"].as_u64().unwrap() > 0);
    let v = json(&kazashi(
        &[
            "status",
            "--virtual",
            "--json",
            "--profile",
            "android-token",
        ],
        "",
    ));
    assert_eq!(v["token"], "android-phone");
    assert!(v["authentication_certificate"].is_null());
    let v = json(&kazashi(
        &["status", "--virtual", "--json", "--profile", "auth-blocked"],
        "",
    ));
    assert_eq!(v["authentication_pin"]["blocked"], true);
}

#[test]
fn login_signature_verifies_with_openssl() {
    let sig = tmp("login.sig");
    let cert = tmp("login.der");
    let out = kazashi(
        &[
            "login",
            "--virtual",
            "--challenge",
            "000102030405060708090a0b0c0d0e0f",
            "--pin-stdin",
            "--out",
            sig.to_str().unwrap(),
            "--cert-out",
            cert.to_str().unwrap(),
            "--json",
        ],
        "1234\n",
    );
    let v = json(&out);
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["apdus"].as_u64().unwrap() <= 5);
    assert!(openssl_verifies_sha256(
        &cert,
        &(0u8..16).collect::<Vec<_>>(),
        &sig
    ));
}

/// OpenSSL's verdict on an RSASSA-PKCS1-v1_5 SHA-256 signature, with the key of a DER
/// certificate.
fn openssl_verifies_sha256(cert: &Path, message: &[u8], signature: &Path) -> bool {
    let name = cert.file_name().unwrap().to_string_lossy();
    let message_file = tmp(&format!("{name}.msg"));
    std::fs::write(&message_file, message).unwrap();
    let public = tmp(&format!("{name}.pub"));
    let status = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-in"])
        .arg(cert)
        .args(["-pubkey", "-noout", "-out"])
        .arg(&public)
        .status()
        .unwrap();
    assert!(status.success());
    let verify = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&public)
        .arg("-signature")
        .arg(signature)
        .arg(&message_file)
        .output()
        .unwrap();
    String::from_utf8_lossy(&verify.stdout).contains("Verified OK")
}

#[test]
fn login_with_a_certificate_cache_skips_the_read() {
    let cache = tmp("cache-auth.der");
    let _ = std::fs::remove_file(&cache);
    let run = |sig: &Path| {
        json(&kazashi(
            &[
                "login",
                "--virtual",
                "--challenge",
                "cafe",
                "--pin-stdin",
                "--certificate-cache",
                cache.to_str().unwrap(),
                "--out",
                sig.to_str().unwrap(),
                "--json",
            ],
            "1234\n",
        ))
    };
    let first_sig = tmp("cache-first.sig");
    let first = run(&first_sig);
    assert_eq!(first["certificate_from_cache"], false, "{first}");
    assert_eq!(first["apdus"], 5);
    assert!(cache.exists(), "the certificate was stored");
    let second_sig = tmp("cache-second.sig");
    let second = run(&second_sig);
    assert_eq!(second["certificate_from_cache"], true, "{second}");
    assert_eq!(second["apdus"], 4);
    assert!(openssl_verifies_sha256(&cache, &[0xCA, 0xFE], &second_sig));
    // A damaged cache is a miss, and is replaced.
    std::fs::write(&cache, b"not a certificate").unwrap();
    let third = run(&tmp("cache-third.sig"));
    assert_eq!(third["certificate_from_cache"], false, "{third}");
    assert!(openssl_verifies_sha256(&cache, &[0xCA, 0xFE], &first_sig));
}

#[test]
fn wrong_locked_and_last_attempt_pins_have_their_exit_codes() {
    let out = kazashi(
        &["login", "--virtual", "--challenge", "00", "--pin-stdin"],
        "9999\n",
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("authentication PIN incorrect: 2 attempts left"));

    let out = kazashi(
        &[
            "login",
            "--virtual",
            "--profile",
            "auth-blocked",
            "--challenge",
            "00",
            "--pin-stdin",
            "--json",
        ],
        "1234\n",
    );
    assert_eq!(out.status.code(), Some(4));
    let v = json(&out);
    assert_eq!(v["error"]["kind"], "pin-locked");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("municipal office"));

    let out = kazashi(
        &[
            "login",
            "--virtual",
            "--profile",
            "auth-last-attempt",
            "--challenge",
            "00",
            "--pin-stdin",
        ],
        "1234\n",
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--confirm-last-attempt"));
    let out = kazashi(
        &[
            "login",
            "--virtual",
            "--profile",
            "auth-last-attempt",
            "--challenge",
            "00",
            "--pin-stdin",
            "--confirm-last-attempt",
        ],
        "1234\n",
    );
    assert!(out.status.success());

    let out = kazashi(
        &[
            "sign",
            "--virtual",
            "--profile",
            "signing-blocked",
            "Cargo.toml",
            "--out",
            tmp("x.sig").to_str().unwrap(),
            "--pin-stdin",
        ],
        "ABC123\n",
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kiosk"));
}

#[test]
fn malformed_pins_send_no_apdu() {
    for pin in ["123", "12345", "abcd", ""] {
        let out = kazashi(
            &[
                "login",
                "--virtual",
                "--challenge",
                "00",
                "--pin-stdin",
                "--json",
            ],
            &format!("{pin}\n"),
        );
        assert_eq!(out.status.code(), Some(2), "{pin:?}");
        let v = json(&out);
        assert_eq!(v["apdus"], 0);
        if pin.len() > 3 {
            assert!(
                !String::from_utf8_lossy(&out.stdout).contains(pin),
                "the PIN is echoed"
            );
        }
    }
    let out = kazashi(
        &[
            "sign",
            "--virtual",
            "Cargo.toml",
            "--out",
            tmp("y.sig").to_str().unwrap(),
            "--pin-stdin",
            "--json",
        ],
        "ABCDEF\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["apdus"], 0);
}

#[test]
fn sign_writes_a_verifiable_signature() {
    let sig = tmp("doc.sig");
    let out = kazashi(
        &[
            "sign",
            "--virtual",
            "Cargo.toml",
            "--out",
            sig.to_str().unwrap(),
            "--pin-stdin",
            "--json",
            "--hash",
            "sha384",
        ],
        "abc123\n",
    );
    let v = json(&out);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["digest_algorithm"], "sha384");
    assert_eq!(std::fs::read(&sig).unwrap().len(), 256);
    // Personal attributes are not in the sign output.
    assert!(v["certificate"].get("personal").is_none());
    let out = kazashi(
        &[
            "sign",
            "--virtual",
            "Cargo.toml",
            "--out",
            sig.to_str().unwrap(),
            "--pin-stdin",
            "--hash",
            "sha1",
        ],
        "ABC123\n",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = kazashi(
        &[
            "sign",
            "--virtual",
            "--profile",
            "under-15",
            "Cargo.toml",
            "--out",
            sig.to_str().unwrap(),
            "--pin-stdin",
        ],
        "ABC123\n",
    );
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn certificates_come_out_as_der_or_pem() {
    let der = tmp("auth.der");
    let out = kazashi(
        &["cert", "auth", "--virtual", "--out", der.to_str().unwrap()],
        "",
    );
    assert!(out.status.success());
    assert_eq!(std::fs::read(&der).unwrap()[0], 0x30);
    let out = kazashi(&["cert", "auth-ca", "--virtual"], "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("-----BEGIN CERTIFICATE-----"));
    let v = json(&kazashi(
        &["cert", "sign", "--virtual", "--pin-stdin", "--json"],
        "ABC123\n",
    ));
    assert_eq!(v["purpose"], "signature");
    assert_eq!(v["personal"]["birth_date"], "1990-04-01");
    // The phone token asks for the PIN before giving its certificate.
    let v = json(&kazashi(
        &[
            "cert",
            "auth",
            "--virtual",
            "--profile",
            "android-token",
            "--pin-stdin",
            "--json",
        ],
        "1234\n",
    ));
    assert_eq!(v["purpose"], "authentication");
}

#[cfg(feature = "pcsc")]
#[test]
fn a_missing_reader_is_reported_clearly() {
    // Whatever this machine has (no pcscd, no reader, other readers), this one does not exist.
    let args = [
        "status",
        "--reader",
        "kazashi-test-no-such-reader",
        "--wait",
        "0",
    ];
    let out = kazashi(&[&args[..], &["--json"]].concat(), "");
    assert_eq!(out.status.code(), Some(10));
    let v = json(&out);
    assert!(
        matches!(
            v["error"]["kind"].as_str(),
            Some("pcsc-service" | "no-reader" | "reader-not-found")
        ),
        "{v}"
    );
    let out = kazashi(&args, "");
    assert_eq!(out.status.code(), Some(10));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--virtual"));
    let out = kazashi(&["--help"], "");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        help.contains("Exit codes") && help.contains(" 10  no reader"),
        "{help}"
    );
}

#[cfg(not(feature = "pcsc"))]
#[test]
fn reader_mode_is_refused_clearly() {
    let out = kazashi(&["status"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--virtual"));
    let out = kazashi(&["--help"], "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes"));
}

#[test]
fn cms_files_sign_and_verify() {
    let doc = tmp("contract.txt");
    std::fs::write(&doc, "契約書 v1").unwrap();
    let p7s = tmp("contract.p7s");
    let out = kazashi(
        &[
            "sign",
            "--virtual",
            doc.to_str().unwrap(),
            "--cms",
            "--out",
            p7s.to_str().unwrap(),
            "--pin-stdin",
            "--json",
        ],
        "ABC123\n",
    );
    let v = json(&out);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["detached"], true);
    let ok = json(&kazashi(
        &[
            "verify",
            p7s.to_str().unwrap(),
            "--content",
            doc.to_str().unwrap(),
            "--trust-virtual-card",
            "--show-personal",
            "--json",
        ],
        "",
    ));
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["revocation"], "not-checked");
    assert_eq!(ok["signer"]["personal"]["birth_date"], "1990-04-01");
    // Without --show-personal, only which attributes exist.
    let quiet = json(&kazashi(
        &[
            "verify",
            p7s.to_str().unwrap(),
            "--content",
            doc.to_str().unwrap(),
            "--trust-virtual-card",
            "--json",
        ],
        "",
    ));
    assert!(quiet["signer"].get("personal").is_none(), "{quiet}");
    assert!(!quiet.to_string().contains("1990"), "{quiet}");
    // Production roots only.
    let out = kazashi(
        &[
            "verify",
            p7s.to_str().unwrap(),
            "--content",
            doc.to_str().unwrap(),
            "--json",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(9));
    assert_eq!(json(&out)["error"]["kind"], "test-root-not-accepted");
    // Altered content.
    let forged = tmp("forged.txt");
    std::fs::write(&forged, "契約書 v2").unwrap();
    let out = kazashi(
        &[
            "verify",
            p7s.to_str().unwrap(),
            "--content",
            forged.to_str().unwrap(),
            "--trust-virtual-card",
            "--json",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(9));
    assert_eq!(json(&out)["error"]["kind"], "content-mismatch");
    // Attached: no --content needed.
    let attached = tmp("attached.p7s");
    let out = kazashi(
        &[
            "sign",
            "--virtual",
            doc.to_str().unwrap(),
            "--cms",
            "--attached",
            "--out",
            attached.to_str().unwrap(),
            "--pin-stdin",
        ],
        "ABC123\n",
    );
    assert!(out.status.success());
    let out = kazashi(
        &["verify", attached.to_str().unwrap(), "--trust-virtual-card"],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn login_messages_verify_against_their_challenge() {
    // Version 2: the server's request, the user shown whom it is for, the verifier's own id.
    let request = tmp("request.json");
    let out = kazashi(&["login-request", "--relying-party", "a.example"], "");
    assert!(out.status.success());
    std::fs::write(&request, &out.stdout).unwrap();
    let message = tmp("login-v2.json");
    let out = kazashi(
        &[
            "login",
            "--virtual",
            "--request",
            request.to_str().unwrap(),
            "--expect-relying-party",
            "a.example",
            "--pin-stdin",
            "--message-out",
            message.to_str().unwrap(),
        ],
        "1234\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Log in to a.example"));
    let verify = |rp: &str| {
        kazashi(
            &[
                "verify-login",
                message.to_str().unwrap(),
                "--relying-party",
                rp,
                "--request",
                request.to_str().unwrap(),
                "--trust-virtual-card",
                "--json",
            ],
            "",
        )
    };
    let v = json(&verify("a.example"));
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["relying_party"], "a.example", "{v}");
    // Security review, finding 11: a one-shot check cannot see replays or stale messages, and
    // says so instead of implying it did.
    assert_eq!(v["replay_checked"], false, "{v}");
    assert_eq!(v["freshness_checked"], false, "{v}");
    // Finding 4: made for a.example, refused by b.example.
    let other = verify("b.example");
    assert_eq!(other.status.code(), Some(9));
    assert_eq!(json(&other)["error"]["kind"], "relying-party-mismatch");
    // The app refuses a request for another relying party before any PIN.
    let refused = kazashi(
        &[
            "login",
            "--virtual",
            "--request",
            request.to_str().unwrap(),
            "--expect-relying-party",
            "b.example",
            "--pin-stdin",
        ],
        "1234\n",
    );
    assert!(!refused.status.success());

    // Version 1: read only with --allow-v1.
    let message = tmp("login.json");
    let challenge = "00112233445566778899aabbccddeeff";
    let out = kazashi(
        &[
            "login",
            "--virtual",
            "--challenge",
            challenge,
            "--pin-stdin",
            "--message-out",
            message.to_str().unwrap(),
        ],
        "1234\n",
    );
    assert!(out.status.success());
    let v1 = |extra: &[&str], challenge: &str| {
        let mut args = vec![
            "verify-login",
            message.to_str().unwrap(),
            "--relying-party",
            "a.example",
            "--challenge",
            challenge,
            "--trust-virtual-card",
            "--json",
        ];
        args.extend_from_slice(extra);
        kazashi(&args, "")
    };
    let strict = v1(&[], challenge);
    assert_eq!(json(&strict)["error"]["kind"], "version-1-not-accepted");
    assert_eq!(json(&v1(&["--allow-v1"], challenge))["valid"], true);
    let text = kazashi(
        &[
            "verify-login",
            message.to_str().unwrap(),
            "--relying-party",
            "a.example",
            "--challenge",
            challenge,
            "--allow-v1",
            "--trust-virtual-card",
        ],
        "",
    );
    assert!(String::from_utf8_lossy(&text.stdout).contains("replay and freshness: NOT checked"));
    // A challenge or request is required: without either the command is a usage error.
    let missing = kazashi(
        &[
            "verify-login",
            message.to_str().unwrap(),
            "--relying-party",
            "a.example",
        ],
        "",
    );
    assert_eq!(missing.status.code(), Some(2));
    let out = v1(&["--allow-v1"], "ffeeddccbbaa99887766554433221100");
    assert_eq!(out.status.code(), Some(9));
    assert_eq!(json(&out)["error"]["kind"], "challenge-mismatch");
}

/// An expired root says so in words, not as a negative count of days left.
#[test]
fn cert_inspect_says_when_a_certificate_has_expired() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../verify/roots/authca01.cer");
    let out = kazashi(&["cert", "inspect", root], "");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("expired ") && text.contains(" ago)"),
        "{text}"
    );
    assert!(!text.contains("(-"), "no negative days: {text}");
    assert!(text.contains("serial:   01"), "{text}");
}

#[test]
fn cert_inspect_describes_any_jpki_certificate() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../verify/roots/signca03.cer");
    let v = json(&kazashi(&["cert", "inspect", root, "--json"], ""));
    assert_eq!(v["purpose"], "certificate-authority");
    assert!(v["subject"]
        .as_str()
        .unwrap()
        .contains("JPKI for digital signature"));
    let pem = tmp("sign.pem");
    assert!(kazashi(
        &[
            "cert",
            "sign",
            "--virtual",
            "--pin-stdin",
            "--pem",
            "--out",
            pem.to_str().unwrap()
        ],
        "ABC123\n"
    )
    .status
    .success());
    let v = json(&kazashi(
        &["cert", "inspect", pem.to_str().unwrap(), "--json"],
        "",
    ));
    assert_eq!(v["purpose"], "signature");
    assert_eq!(v["personal"]["sex"], "2");
    assert!(v["days_left"].as_i64().unwrap() > 0);
}

/// `--pin-stdin` reads one line per PIN straight from the descriptor (no std buffer keeps a
/// copy): a PIN change takes two lines (current, new), CRLF endings included, and the first
/// line alone is what the card checks.
#[test]
fn pin_change_reads_its_lines_from_standard_input() {
    for (which, input) in [("auth", "1234\n5678\n"), ("sign", "abc123\r\nNEW456\n")] {
        let out = kazashi(&["pin", "change", which, "--virtual", "--pin-stdin"], input);
        assert!(
            out.status.success(),
            "{which}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = kazashi(
        &[
            "pin",
            "change",
            "auth",
            "--virtual",
            "--pin-stdin",
            "--json",
        ],
        "9999\n5678\n",
    );
    assert_eq!(out.status.code(), Some(3), "a wrong current PIN");
    assert_eq!(json(&out)["error"]["attempts_left"], 2);
}

// ---------------------------------------------------------------------------------------------
// `cert verify` and `cert inspect`: the virtual card's certificates, the six production roots,
// and certificates made here for the edges (a serial with a DER sign byte, one not yet valid).
// The signing certificate carries the virtual holder's (fictional) personal attributes: the
// tests look at single fields and never echo a whole output that shows them.

/// The J-LIS production roots as published (`verify/roots/`).
const ROOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../verify/roots");

/// The virtual card's `which` certificate (`auth`, `auth-ca`, `sign`, `sign-ca`), written by
/// `kazashi cert WHICH --virtual --out FILE` (DER).
fn virtual_certificate(which: &str) -> PathBuf {
    let path = tmp(&format!("virtual-{which}.der"));
    let out = kazashi(
        &[
            "cert",
            which,
            "--virtual",
            "--pin-stdin",
            "--out",
            path.to_str().unwrap(),
        ],
        "ABC123\n",
    );
    assert!(out.status.success(), "cert {which}");
    path
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The line of `text` that starts with `label` (exactly one).
fn line<'a>(text: &'a str, label: &str) -> &'a str {
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(label)).collect();
    assert_eq!(lines.len(), 1, "one line {label:?}");
    lines[0]
}

/// The serial as OpenSSL shows it (`openssl x509 -serial`): hex without the DER sign byte.
fn openssl_serial(der: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-serial", "-in"])
        .arg(der)
        .output()
        .expect("openssl is installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .strip_prefix("serial=")
        .unwrap()
        .to_string()
}

#[test]
fn cert_verify_accepts_the_virtual_cards_certificates_under_their_opted_in_test_roots() {
    let at = "2027-01-15T09:00:00+09:00";
    for (which, purpose, ou, checks, usage, policy) in [
        (
            "auth",
            "authentication (利用者証明用)",
            "JPKI for user authentication",
            10,
            "keyUsage digitalSignature",
            "1.2.392.200149.8.5.1.0.30 (authentication, test hierarchy)",
        ),
        (
            "sign",
            "signature (署名用)",
            "JPKI for digital signature",
            9,
            "keyUsage digitalSignature and nonRepudiation",
            "1.2.392.200149.8.5.1.0.20 (signature, test hierarchy)",
        ),
    ] {
        let file = virtual_certificate(which);
        let out = kazashi(
            &[
                "cert",
                "verify",
                file.to_str().unwrap(),
                "--trust-virtual-card",
                "--at",
                at,
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(0), "{which}: {}", stderr(&out));
        let text = stdout(&out);
        assert_eq!(
            line(&text, "valid:"),
            format!(
                "valid:    the certificate verifies for {purpose} at 2027-01-15T09:00:00+09:00 \
                 (2027-01-15T00:00:00Z) (--at)"
            )
        );
        // The anchor by name, its hierarchy and (not knowing one) its generation.
        assert_eq!(
            line(&text, "anchor:"),
            format!(
                "anchor:   test root: C=JP, O=JPKI-TEST, OU={ou}, OU=Japan Agency for Local \
                 Authority Information Systems, test hierarchy: a root you opted into \
                 (--trust-virtual-card or --trust-root), not a J-LIS production root; \
                 generation not known"
            )
        );
        assert!(line(&text, "          2. ").contains("(root, serial "));
        assert_eq!(
            line(&text, "checks passed"),
            format!("checks passed ({checks}):")
        );
        let passed: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  ok  "))
            .collect();
        assert_eq!(passed.len(), checks, "{which}");
        for check in [
            "signed by an accepted root of its purpose",
            "within its validity at that time",
            usage,
            "the certificate policy of its purpose for the root's hierarchy",
        ] {
            assert!(passed.contains(&check), "{which}: {check:?} in {passed:?}");
        }
        assert_eq!(
            passed.contains(&"extendedKeyUsage clientAuth"),
            which == "auth"
        );
        assert_eq!(line(&text, "policies:"), format!("policies: {policy}"));
        assert!(line(&text, "revocation:").contains("not checked"));
        if which == "sign" {
            // Which attributes exist, never their values (that is `cert inspect`).
            assert!(line(&text, "personal:").ends_with("(values not shown)"));
            assert!(!text.contains("1990") && !text.contains("仮想"));
        }

        // --trust-root with the card's own root is the same opt-in.
        let root = virtual_certificate(&format!("{which}-ca"));
        let out = kazashi(
            &[
                "cert",
                "verify",
                file.to_str().unwrap(),
                "--trust-root",
                root.to_str().unwrap(),
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(0), "{which}: {}", stderr(&out));
    }
}

#[test]
fn cert_verify_json_names_the_anchor_the_checks_and_the_instant() {
    let file = virtual_certificate("auth");
    let v = json(&kazashi(
        &[
            "cert",
            "verify",
            file.to_str().unwrap(),
            "--trust-virtual-card",
            "--purpose",
            "auth",
            "--at",
            "2027-01-15T00:00:00Z",
            "--json",
        ],
        "",
    ));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["valid"], true);
    assert_eq!(v["purpose"], "authentication");
    assert_eq!(v["purpose_source"], "option");
    assert_eq!(v["at"]["unix"], 1_799_971_200_i64); // 2027-01-15T00:00:00Z
    assert_eq!(v["at"]["utc"], "2027-01-15T00:00:00Z");
    assert_eq!(v["at"]["jst"], "2027-01-15T09:00:00+09:00");
    let anchor = &v["anchor"];
    assert!(anchor["name"]
        .as_str()
        .unwrap()
        .starts_with("test root: C=JP, O=JPKI-TEST, OU=JPKI for user authentication"));
    assert_eq!(anchor["hierarchy"], "test");
    assert_eq!(anchor["production_root"], false);
    assert!(anchor["generation"].is_null());
    assert_eq!(v["chain"][0]["role"], "certificate");
    assert_eq!(v["chain"][0]["serial"], openssl_serial(&file));
    assert_eq!(v["chain"][1]["role"], "root");
    assert_eq!(
        v["chain"][1]["serial"],
        openssl_serial(&virtual_certificate("auth-ca"))
    );
    assert_eq!(v["chain"][1]["not_after"]["utc"], "2033-10-26T14:59:59Z");
    let checks: Vec<&str> = v["checks_passed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        [
            "decoded",
            "signature-algorithm",
            "purpose",
            "structure",
            "issuer-signature",
            "root",
            "validity",
            "key-usage",
            "extended-key-usage",
            "policy"
        ]
    );
    assert!(v["checks_passed"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| !c["description"].as_str().unwrap().is_empty()));
    // Days left at --at, in both places: notAfter 2030-04-01T14:59:59Z.
    let expected_days = (1_901_285_999_i64 - v["at"]["unix"].as_i64().unwrap()).div_euclid(86_400);
    assert_eq!(v["days_left"], expected_days);
    assert_eq!(v["certificate"]["days_left"], expected_days);
    assert_eq!(v["certificate"]["not_after"], "2030-04-01");
    assert_eq!(v["revocation"], "not-checked");

    // The signing certificate: which personal attributes exist, not their values.
    let v = json(&kazashi(
        &[
            "cert",
            "verify",
            virtual_certificate("sign").to_str().unwrap(),
            "--trust-virtual-card",
            "--json",
        ],
        "",
    ));
    assert_eq!(v["purpose"], "signature", "{}", v["error"]);
    assert_eq!(v["purpose_source"], "certificate");
    assert!(v["certificate"].get("personal").is_none());
    assert!(v["certificate"]["personal_attributes_present"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
    assert!(!v.to_string().contains("1990"));
    assert_eq!(v["checks_passed"].as_array().unwrap().len(), 9);
}

#[test]
fn cert_verify_rejections_have_the_exit_code_of_verify_and_a_precise_reason() {
    let auth = virtual_certificate("auth");
    let auth = auth.to_str().unwrap();
    let reject = |args: &[&str], kind: &str, reason: &str| {
        let mut command = vec!["cert", "verify", auth];
        command.extend_from_slice(args);
        let out = kazashi(&command, "");
        assert_eq!(out.status.code(), Some(9), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("error: rejected: {reason}")),
            "{args:?}: {err}"
        );
        command.push("--json");
        let out = kazashi(&command, "");
        assert_eq!(out.status.code(), Some(9));
        let v = json(&out);
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["kind"], kind, "{args:?}");
        assert_eq!(v["error"]["message"], format!("rejected: {reason}"));
        err
    };
    // Production roots only: the test hierarchy is not accepted, and the hint says how.
    let err = reject(
        &[],
        "test-root-not-accepted",
        "the certificate comes from the JPKI test hierarchy, which is not accepted unless \
         explicitly enabled",
    );
    assert!(
        err.contains("hint:") && err.contains("--trust-virtual-card"),
        "{err}"
    );
    // The purpose asked for is not the certificate's.
    reject(
        &["--trust-virtual-card", "--purpose", "sign"],
        "wrong-purpose",
        "wrong certificate purpose: expected signature (署名用), got authentication (利用者証明用)",
    );
    // Outside its validity (2025-10-27T16:32:30+09:00 .. 2030-04-01T23:59:59+09:00).
    reject(
        &["--trust-virtual-card", "--at", "2030-04-02T00:00:00+09:00"],
        "expired",
        "the certificate expired on 2030-04-01",
    );
    reject(
        &["--trust-virtual-card", "--at", "2025-10-01T00:00:00+09:00"],
        "not-yet-valid",
        "the certificate is not valid before 2025-10-27",
    );
    // Past the root's validity too: the root is checked first.
    reject(
        &["--trust-virtual-card", "--at", "2040-01-01T00:00:00Z"],
        "root-not-valid",
        "the issuing root test root: C=JP, O=JPKI-TEST, OU=JPKI for user authentication, \
         OU=Japan Agency for Local Authority Information Systems was not valid at that time",
    );
    // A production root is a CA, not a card holder's certificate.
    let out = kazashi(&["cert", "verify", &format!("{ROOTS}/authca02.cer")], "");
    assert_eq!(out.status.code(), Some(9));
    assert!(stderr(&out).contains("this is a root (CA) certificate"));
    // A malformed --at is a usage error, not a rejection.
    let out = kazashi(
        &[
            "cert",
            "verify",
            auth,
            "--trust-virtual-card",
            "--at",
            "2027-01-15",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cert_inspect_shows_the_extensions_and_both_time_zones() {
    let auth = virtual_certificate("auth");
    let text = stdout(&kazashi(&["cert", "inspect", auth.to_str().unwrap()], ""));
    assert_eq!(
        line(&text, "serial:"),
        format!("serial:   {}", openssl_serial(&auth))
    );
    let valid = line(&text, "valid:");
    assert!(
        valid.starts_with("valid:    2025-10-27T")
            && valid.contains("+09:00 to 2030-04-01T23:59:59+09:00 JST ("),
        "{valid}"
    );
    assert!(valid.ends_with(" days left)"), "{valid}");
    let utc = text
        .lines()
        .find(|l| l.trim_start().ends_with(" UTC"))
        .unwrap();
    assert!(
        utc.trim_start().starts_with("2025-10-27T")
            && utc.ends_with("Z to 2030-04-01T14:59:59Z UTC"),
        "{utc}"
    );
    assert_eq!(
        line(&text, "hierarchy:"),
        "hierarchy: test (issued by O=JPKI-TEST; not a production certificate)"
    );
    assert_eq!(
        line(&text, "policies:"),
        "policies: 1.2.392.200149.8.5.1.0.30 (authentication, test hierarchy)"
    );
    assert_eq!(line(&text, "key usage:"), "key usage: digitalSignature");
    assert_eq!(
        line(&text, "ext. key usage:"),
        "ext. key usage: 1.3.6.1.5.5.7.3.2 (clientAuth)"
    );
    assert_eq!(
        line(&text, "AIA:"),
        "AIA:      OCSP http://test-ocspauthnorm.jpki.go.jp"
    );
    assert!(line(&text, "CRL DP:").starts_with(
        "CRL DP:   DirName: C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=CRL \
         Distribution Points"
    ));

    let v = json(&kazashi(
        &["cert", "inspect", auth.to_str().unwrap(), "--json"],
        "",
    ));
    assert_eq!(v["serial"], openssl_serial(&auth));
    assert_eq!(v["hierarchy"], "test");
    assert_eq!(v["policies"][0]["oid"], "1.2.392.200149.8.5.1.0.30");
    assert_eq!(
        v["policies"][0]["meaning"],
        "authentication, test hierarchy"
    );
    assert_eq!(v["key_usage"], serde_json::json!(["digitalSignature"]));
    assert_eq!(v["extended_key_usage"][0]["name"], "clientAuth");
    assert_eq!(v["authority_info_access"][0]["method"], "OCSP");
    assert_eq!(
        v["authority_info_access"][0]["location"],
        "http://test-ocspauthnorm.jpki.go.jp"
    );
    assert_eq!(v["crl_distribution_points"].as_array().unwrap().len(), 1);
    let validity = &v["validity"];
    assert_eq!(validity["status"], "valid");
    assert_eq!(validity["not_after"]["jst"], "2030-04-01T23:59:59+09:00");
    assert_eq!(validity["not_after"]["utc"], "2030-04-01T14:59:59Z");
    assert_eq!(validity["not_after"]["unix"], 1_901_285_999_i64);
    // notBefore in both zones is one instant, nine hours apart on the clock.
    let before = &validity["not_before"];
    let (jst, utc) = (
        before["jst"].as_str().unwrap(),
        before["utc"].as_str().unwrap(),
    );
    assert!(jst.ends_with("+09:00") && utc.ends_with('Z'), "{before}");
    let hour = |s: &str| s[11..13].parse::<u32>().unwrap();
    assert_eq!((hour(utc) + 9) % 24, hour(jst), "{before}");
    assert!(v.get("ca").is_none());

    // The signing certificate: no AIA (as J-LIS issues it), no EKU, both key usages.
    let sign = virtual_certificate("sign");
    let v = json(&kazashi(
        &["cert", "inspect", sign.to_str().unwrap(), "--json"],
        "",
    ));
    assert_eq!(v["serial"], openssl_serial(&sign));
    assert_eq!(v["policies"][0]["oid"], "1.2.392.200149.8.5.1.0.20");
    assert_eq!(
        v["key_usage"],
        serde_json::json!(["digitalSignature", "nonRepudiation"])
    );
    assert!(v["extended_key_usage"].is_null());
    assert_eq!(v["authority_info_access"], serde_json::json!([]));
    let _ = std::fs::remove_file(&sign);
}

/// The birth date with its era, the two substitute fields raw and labelled as such (digit
/// strings, one digit per character of the name and the address, `docs/protocol.md` §6.3a).
#[test]
fn cert_inspect_shows_the_era_and_the_raw_substitute_fields() {
    let sign = virtual_certificate("sign");
    let text = stdout(&kazashi(&["cert", "inspect", sign.to_str().unwrap()], ""));
    assert_eq!(
        line(&text, "born:"),
        "born:     1990-04-01 (平成2年); 419900401 in the certificate"
    );
    for label in [
        "氏名代替文字 (name substitute field, raw): ",
        "住所代替文字 (address substitute field, raw): ",
    ] {
        let value = line(&text, label).strip_prefix(label).unwrap();
        assert!(
            !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
            "{label} is a digit string"
        );
    }
    let v = json(&kazashi(
        &["cert", "inspect", sign.to_str().unwrap(), "--json"],
        "",
    ));
    let personal = &v["personal"];
    assert_eq!(personal["birth_date"], "1990-04-01");
    assert_eq!(personal["birth_date_japanese"], "平成2年");
    assert_eq!(personal["birth_date_raw"], "419900401");
    let chars = |key: &str| personal[key].as_str().unwrap().chars().count();
    assert_eq!(chars("substitute_name"), chars("name"));
    assert_eq!(chars("substitute_address"), chars("address"));
    let _ = std::fs::remove_file(&sign);
}

/// Each of the six J-LIS roots by name, purpose, hierarchy and generation; the virtual card's
/// roots as the test hierarchy, with no generation.
#[test]
fn cert_inspect_names_each_known_root_and_its_generation() {
    for (name, issues, generation) in [
        ("authca01.cer", "authentication", 1),
        ("authca02.cer", "authentication", 2),
        ("authca03.cer", "authentication", 3),
        ("signca01.cer", "signature", 1),
        ("signca02.cer", "signature", 2),
        ("signca03.cer", "signature", 3),
    ] {
        let path = format!("{ROOTS}/{name}");
        let text = stdout(&kazashi(&["cert", "inspect", &path], ""));
        assert_eq!(
            line(&text, "root:"),
            format!("root:     J-LIS production root {name}, generation {generation}")
        );
        assert!(line(&text, "issues:").starts_with(&format!("issues:   {issues} (")));
        assert_eq!(
            line(&text, "serial:"),
            format!("serial:   {}", openssl_serial(Path::new(&path)))
        );
        assert_eq!(line(&text, "key usage:"), "key usage: keyCertSign, cRLSign");
        let v = json(&kazashi(&["cert", "inspect", &path, "--json"], ""));
        assert_eq!(v["ca"]["issues"], issues);
        assert_eq!(v["ca"]["hierarchy"], "production");
        assert_eq!(v["ca"]["known_root"]["name"], name);
        assert_eq!(v["ca"]["known_root"]["generation"], generation);
        // Every J-LIS root ends at 23:59:59 in Japan.
        assert!(v["validity"]["not_after"]["jst"]
            .as_str()
            .unwrap()
            .ends_with("T23:59:59+09:00"));
    }
    for (which, issues) in [("auth-ca", "authentication"), ("sign-ca", "signature")] {
        let path = virtual_certificate(which);
        let v = json(&kazashi(
            &["cert", "inspect", path.to_str().unwrap(), "--json"],
            "",
        ));
        assert_eq!(v["ca"]["issues"], issues);
        assert_eq!(v["ca"]["hierarchy"], "test");
        assert!(v["ca"]["known_root"].is_null(), "{v}");
        assert!(v["ca"]["description"]
            .as_str()
            .unwrap()
            .starts_with("JPKI test hierarchy (O=JPKI-TEST)"));
    }
}

/// "expired N days ago" (never a negative count) and "not yet valid", in words and in JSON.
#[test]
fn cert_inspect_says_expired_or_not_yet_valid() {
    let v = json(&kazashi(
        &[
            "cert",
            "inspect",
            &format!("{ROOTS}/signca01.cer"),
            "--json",
        ],
        "",
    ));
    assert_eq!(v["validity"]["status"], "expired");
    let ago = -v["days_left"].as_i64().unwrap();
    assert!(ago > 0);
    assert_eq!(
        v["validity"]["description"],
        format!("expired {ago} day{} ago", if ago == 1 { "" } else { "s" })
    );

    // A card whose certificates are issued on 1 January next year: not yet valid today, while
    // its roots (issued two years before the card) already are.
    let next_year = time::OffsetDateTime::now_utc().year() + 1;
    let card = kazashi_virtual_card::VirtualCard::new(kazashi_virtual_card::VirtualCardConfig {
        issued_on: (next_year, 1, 1),
        ..kazashi_virtual_card::VirtualCardConfig::default()
    });
    let future = tmp("future-auth.der");
    std::fs::write(
        &future,
        card.certificate_der(kazashi::CertificateKind::Authentication)
            .unwrap(),
    )
    .unwrap();
    let future_root = tmp("future-auth-ca.der");
    std::fs::write(
        &future_root,
        card.root_der(kazashi::PinKind::Authentication),
    )
    .unwrap();
    let text = stdout(&kazashi(&["cert", "inspect", future.to_str().unwrap()], ""));
    assert!(
        line(&text, "valid:").ends_with(" JST (not yet valid)"),
        "{text}"
    );
    let v = json(&kazashi(
        &["cert", "inspect", future.to_str().unwrap(), "--json"],
        "",
    ));
    assert_eq!(v["validity"]["status"], "not-yet-valid");
    assert_eq!(v["validity"]["description"], "not yet valid");
    // cert verify agrees: not yet valid today, valid a year later under its own root.
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "cert",
            "verify",
            future.to_str().unwrap(),
            "--trust-root",
            future_root.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        kazashi(&args, "")
    };
    let out = verify(&[]);
    assert_eq!(out.status.code(), Some(9));
    assert_eq!(json(&out)["error"]["kind"], "not-yet-valid");
    let out = verify(&["--at", &format!("{}-01-01T00:00:00+09:00", next_year + 1)]);
    assert_eq!(json(&out)["valid"], true, "{}", stderr(&out));
}

/// A serial whose DER has a sign byte (`00 BF CD`) is shown as OpenSSL shows it: `BFCD`.
#[test]
fn cert_inspect_shows_serials_without_the_der_sign_byte() {
    let der = tmp("sign-byte.der");
    let key = tmp("sign-byte.key");
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "30",
            "-subj",
            "/C=JP/CN=sign byte",
            "-set_serial",
            "0xBFCD",
            "-outform",
            "DER",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&der)
        .output()
        .expect("openssl is installed");
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&der).unwrap();
    assert!(
        bytes
            .windows(5)
            .any(|w| w == [0x02, 0x03, 0x00, 0xBF, 0xCD]),
        "the DER serial carries a sign byte"
    );
    let text = stdout(&kazashi(&["cert", "inspect", der.to_str().unwrap()], ""));
    assert_eq!(line(&text, "serial:"), "serial:   BFCD");
    let v = json(&kazashi(
        &["cert", "inspect", der.to_str().unwrap(), "--json"],
        "",
    ));
    assert_eq!(v["serial"], "BFCD");
    assert_eq!(openssl_serial(&der), "BFCD");
}
