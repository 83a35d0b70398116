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
