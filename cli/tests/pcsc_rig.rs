//! The real PC/SC stack: pcscd + vsmartcard-vpcd, with `kazashi virtual-card serve` as the card.
//! Clients: our CLI through PC/SC, and OpenSC (`pkcs15-tool`, `pkcs11-tool`) as an independent
//! one; `openssl` checks every signature.
//!
//! These tests need the rig and are ignored by a plain `cargo test`. Run them with
//! `scripts/test-pcsc.sh` (which starts pcscd, sets `KAZASHI_PCSC_RIG=1` and runs them with
//! `--ignored`, failing unless all of them pass).
#![cfg(feature = "pcsc")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{json, kazashi};
use kazashi::CertificateKind;
use kazashi_virtual_card::{Profile, VirtualCard};
use serde_json::Value;

const READER: &str = "Virtual PCD 00 00";
const NEEDS_RIG: &str = "needs pcscd + vpcd: run scripts/test-pcsc.sh";
const OPENSC_PKCS11: &str = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";

/// One card in the one vpcd slot at a time.
static SLOT: Mutex<()> = Mutex::new(());

fn require_rig() {
    assert_eq!(
        std::env::var("KAZASHI_PCSC_RIG").as_deref(),
        Ok("1"),
        "{NEEDS_RIG} (KAZASHI_PCSC_RIG=1 is not set)"
    );
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

fn ok(program: &str, args: &[&str]) -> String {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kazashi-pcsc-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn card_present() -> bool {
    let v = json(&kazashi(&["readers", "--json"], ""));
    v["readers"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .any(|r| r["name"] == READER && r["card_present"] == true)
}

fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `kazashi virtual-card serve` in the background; stopped (SIGTERM) and checked on drop.
struct Served {
    child: Option<Child>,
    _slot: std::sync::MutexGuard<'static, ()>,
}

impl Served {
    fn start(profile: Profile) -> Self {
        require_rig();
        let slot = SLOT.lock().unwrap_or_else(|e| e.into_inner());
        wait_until("the previous card to leave the reader", || !card_present());
        let child = Command::new(env!("CARGO_BIN_EXE_kazashi"))
            .args([
                "virtual-card",
                "serve",
                "--json",
                "--profile",
                profile.name(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_until("the virtual card in the reader", card_present);
        Self {
            child: Some(child),
            _slot: slot,
        }
    }

    /// Stops the card with SIGTERM and returns its final report.
    fn stop(mut self) -> Value {
        self.stop_inner().expect("serve stopped")
    }

    fn stop_inner(&mut self) -> Option<Value> {
        let child = self.child.take()?;
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "serve exited with {}", out.status);
        Some(json(&out))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(mut c) = self.child.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        } else {
            self.stop_inner();
        }
    }
}

fn reference_card() -> VirtualCard {
    VirtualCard::from_profile(Profile::PhysicalCard)
}

fn openssl_verify(cert: &Path, data: &Path, signature: &Path, dir: &Path) {
    let pubkey = dir.join(format!(
        "{}.pub.pem",
        cert.file_name().unwrap().to_string_lossy()
    ));
    let form = if cert.extension().is_some_and(|e| e == "der") {
        "DER"
    } else {
        "PEM"
    };
    ok(
        "openssl",
        &[
            "x509",
            "-inform",
            form,
            "-in",
            s(cert),
            "-pubkey",
            "-noout",
            "-out",
            s(&pubkey),
        ],
    );
    let out = ok(
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-verify",
            s(&pubkey),
            "-signature",
            s(signature),
            s(data),
        ],
    );
    assert!(out.contains("Verified OK"), "{out}");
}

fn pem_to_der(pem: &Path, dir: &Path) -> Vec<u8> {
    let der = dir.join("converted.der");
    ok(
        "openssl",
        &["x509", "-in", s(pem), "-outform", "DER", "-out", s(&der)],
    );
    std::fs::read(der).unwrap()
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/test-pcsc.sh"]
fn our_cli_through_pcsc() {
    let served = Served::start(Profile::PhysicalCard);
    let dir = dir("cli");
    let reference = reference_card();

    // status, on the named reader and on "the first reader with a card".
    for args in [
        &["status", "--json", "--reader", READER][..],
        &["status", "--json"][..],
    ] {
        let v = json(&kazashi(args, ""));
        assert_eq!(v["ok"], true, "{v}");
        assert_eq!(v["authentication_pin"]["attempts_left"], 3);
        assert_eq!(v["signing_password"]["attempts_left"], 5);
        assert_eq!(v["signing_certificate_present"], true);
    }

    // Certificates, byte-identical to what the card holds.
    let auth = dir.join("auth.der");
    let out = kazashi(&["cert", "auth", "--reader", READER, "--out", s(&auth)], "");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read(&auth).unwrap(),
        reference
            .certificate_der(CertificateKind::Authentication)
            .unwrap()
    );
    let sign_cert = dir.join("sign.der");
    let out = kazashi(
        &[
            "cert",
            "sign",
            "--reader",
            READER,
            "--pin-stdin",
            "--out",
            s(&sign_cert),
        ],
        "ABC123\n",
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read(&sign_cert).unwrap(),
        reference.certificate_der(CertificateKind::Signing).unwrap()
    );

    // Log-in: the signature verifies with openssl over SHA-256 of the challenge.
    let challenge = "00112233445566778899aabbccddeeff";
    let challenge_file = dir.join("challenge.bin");
    std::fs::write(&challenge_file, hex::decode(challenge).unwrap()).unwrap();
    let login_sig = dir.join("login.sig");
    let login_cert = dir.join("login-cert.der");
    let out = kazashi(
        &[
            "login",
            "--reader",
            READER,
            "--pin-stdin",
            "--challenge",
            challenge,
            "--out",
            s(&login_sig),
            "--cert-out",
            s(&login_cert),
        ],
        "1234\n",
    );
    assert!(out.status.success(), "{out:?}");
    openssl_verify(&login_cert, &challenge_file, &login_sig, &dir);

    // Signing a document.
    let document = dir.join("document.txt");
    std::fs::write(&document, b"kazashi on a PC/SC reader\n").unwrap();
    let doc_sig = dir.join("document.sig");
    let v = json(&kazashi(
        &[
            "sign",
            s(&document),
            "--out",
            s(&doc_sig),
            "--reader",
            READER,
            "--pin-stdin",
            "--json",
        ],
        "ABC123\n",
    ));
    assert_eq!(v["ok"], true, "{v}");
    openssl_verify(&sign_cert, &document, &doc_sig, &dir);

    // A wrong PIN: exit 3, one attempt gone, and the card (not the process) remembers it.
    let out = kazashi(
        &[
            "login",
            "--reader",
            READER,
            "--pin-stdin",
            "--json",
            "--challenge",
            "00",
        ],
        "9999\n",
    );
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["error"]["kind"], "wrong-pin");
    assert_eq!(v["error"]["attempts_left"], 2);
    let v = json(&kazashi(&["status", "--json", "--reader", READER], ""));
    assert_eq!(v["authentication_pin"]["attempts_left"], 2);

    // PIN change, then the new PIN works and resets the counter.
    let out = kazashi(
        &["pin", "change", "auth", "--reader", READER, "--pin-stdin"],
        "1234\n5678\n",
    );
    assert!(out.status.success(), "{out:?}");
    let out = kazashi(
        &[
            "login",
            "--reader",
            READER,
            "--pin-stdin",
            "--challenge",
            "01",
        ],
        "5678\n",
    );
    assert!(out.status.success(), "{out:?}");

    // --extended: the same certificate in fewer APDUs.
    let apdus = |extra: &[&str]| {
        let mut args = vec!["cert", "auth", "--reader", READER, "--json"];
        args.extend_from_slice(extra);
        let v = json(&kazashi(&args, ""));
        assert_eq!(v["ok"], true, "{v}");
        v["apdus"].as_u64().unwrap()
    };
    let (short, extended) = (apdus(&[]), apdus(&["--extended"]));
    assert!(
        extended < short,
        "{extended} APDUs with --extended, {short} without"
    );

    // No such reader: exit 10.
    let out = kazashi(&["status", "--json", "--reader", "No Such Reader"], "");
    assert_eq!(out.status.code(), Some(10));
    assert_eq!(json(&out)["error"]["kind"], "reader-not-found");

    let report = served.stop();
    assert_eq!(report["ok"], true);
    assert_eq!(report["stopped"], "shutdown");
    assert_eq!(report["authentication_attempts_left"], 3);
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/test-pcsc.sh"]
fn lockout_through_pcsc() {
    let served = Served::start(Profile::AuthLastAttempt);
    let login = |pin: &str, extra: &[&str]| {
        let mut args = vec![
            "login",
            "--reader",
            READER,
            "--pin-stdin",
            "--json",
            "--challenge",
            "00",
        ];
        args.extend_from_slice(extra);
        kazashi(&args, &format!("{pin}\n"))
    };
    // The last attempt is refused without confirmation, and no attempt is spent.
    let out = login("9999", &[]);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let v = json(&kazashi(&["status", "--json", "--reader", READER], ""));
    assert_eq!(v["authentication_pin"]["attempts_left"], 1);
    // Confirmed and wrong: locked.
    let out = login("9999", &["--confirm-last-attempt"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    // Locked for good, even with the right PIN, in a new process.
    let out = login("1234", &["--confirm-last-attempt"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let v = json(&kazashi(&["status", "--json", "--reader", READER], ""));
    assert_eq!(v["authentication_pin"]["blocked"], true);
    let report = served.stop();
    assert_eq!(report["authentication_attempts_left"], 0);
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/test-pcsc.sh"]
fn short_apdus_reach_a_card_without_extended_length() {
    // Short APDUs by default: a card that refuses extended ones still works.
    let served = Served::start(Profile::NoExtendedLength);
    let dir = dir("short");
    let auth = dir.join("auth.der");
    let out = kazashi(
        &[
            "cert",
            "auth",
            "--reader",
            READER,
            "--out",
            s(&auth),
            "--json",
        ],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read(&auth).unwrap(),
        VirtualCard::from_profile(Profile::NoExtendedLength)
            .certificate_der(CertificateKind::Authentication)
            .unwrap()
    );
    served.stop();
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/test-pcsc.sh"]
fn opensc_reads_and_signs() {
    let served = Served::start(Profile::PhysicalCard);
    let dir = dir("opensc");
    let reference = reference_card();

    assert_eq!(
        ok("opensc-tool", &["--reader", "0", "--name"]).trim(),
        "jpki"
    );

    let list = ok("pkcs15-tool", &["--list-certificates"]);
    for label in [
        "User Authentication Certificate",
        "Digital Signature Certificate",
    ] {
        assert!(list.contains(label), "{list}");
    }
    let pins = ok("pkcs15-tool", &["--list-pins"]);
    assert!(pins.contains("Tries left     : 3"), "{pins}");
    assert!(pins.contains("Tries left     : 5"), "{pins}");

    // The authentication certificate, byte-identical.
    let auth_pem = dir.join("auth.pem");
    ok(
        "pkcs15-tool",
        &["--read-certificate", "01", "--output", s(&auth_pem)],
    );
    assert_eq!(
        pem_to_der(&auth_pem, &dir),
        reference
            .certificate_der(CertificateKind::Authentication)
            .unwrap()
    );

    // The signing certificate: refused without the signing password, identical after it.
    let sign_pem = dir.join("sign.pem");
    let refused = run(
        "pkcs15-tool",
        &["--read-certificate", "02", "--output", s(&sign_pem)],
    );
    assert!(
        !refused.status.success() || !sign_pem.exists(),
        "read the signing certificate without the password"
    );
    ok(
        "pkcs15-tool",
        &[
            "--verify-pin",
            "--auth-id",
            "02",
            "--pin",
            "ABC123",
            "--read-certificate",
            "02",
            "--output",
            s(&sign_pem),
        ],
    );
    assert_eq!(
        pem_to_der(&sign_pem, &dir),
        reference.certificate_der(CertificateKind::Signing).unwrap()
    );

    // pkcs11-tool signs with each key; openssl accepts both signatures.
    let message = dir.join("message.txt");
    std::fs::write(&message, b"signed through OpenSC's jpki driver\n").unwrap();
    for (slot, pin, id, cert) in [
        ("0", "1234", "01", &auth_pem),
        ("1", "ABC123", "02", &sign_pem),
    ] {
        let signature = dir.join(format!("pkcs11-{id}.sig"));
        ok(
            "pkcs11-tool",
            &[
                "--module",
                OPENSC_PKCS11,
                "--slot",
                slot,
                "--login",
                "--pin",
                pin,
                "--sign",
                "--id",
                id,
                "--mechanism",
                "SHA256-RSA-PKCS",
                "--input-file",
                s(&message),
                "--output-file",
                s(&signature),
            ],
        );
        openssl_verify(cert, &message, &signature, &dir);
    }

    // OpenSC's wrong PIN costs one attempt, as the card reports it.
    let wrong = run(
        "pkcs15-tool",
        &["--verify-pin", "--auth-id", "01", "--pin", "9999"],
    );
    assert!(!wrong.status.success());
    let pins = ok("pkcs15-tool", &["--list-pins"]);
    assert!(pins.contains("Tries left     : 2"), "{pins}");

    let report = served.stop();
    assert_eq!(report["authentication_attempts_left"], 2);
    assert_eq!(report["signing_attempts_left"], 5);
}
