//! `kazashi card-info` on the virtual card and `kazashi card-info inspect` on its raw files:
//! every unlock path, the integrity verdicts, the cross-check, the exit codes, and the My
//! Number kept out of every output that did not ask for it.

mod common;

use std::path::PathBuf;

use common::{json, kazashi};
use kazashi_virtual_card::{Profile, VirtualCard};

fn card() -> VirtualCard {
    VirtualCard::from_profile(Profile::PhysicalCard)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kazashi-card-info-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_four_attributes_come_checked_and_without_the_my_number() {
    let virtual_card = card();
    let holder = &virtual_card.config().holder;
    let my_number = virtual_card.my_number();
    let out = kazashi(
        &["card-info", "--virtual", "--pin-stdin", "--json"],
        "1234\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["attributes"]["name"], holder.name.as_str());
    assert_eq!(v["attributes"]["address"], holder.address.as_str());
    assert_eq!(v["attributes"]["sex"], holder.sex.as_str());
    assert_eq!(v["attributes"]["birth_date_japanese"], "平成2年");
    assert_eq!(v["integrity"]["attributes_digest"], "ok");
    assert_eq!(v["integrity"]["record_signature"], "ok");
    assert_eq!(v["integrity"]["my_number_digest"], "not read");
    assert_eq!(v["integrity"]["issuer"], "not-verified");
    assert_eq!(v["apdus"], 6, "SELECT, query, VERIFY, three READ BINARY");
    assert!(v.get("my_number").is_none());
    assert!(!stdout(&out).contains(&my_number));

    let out = kazashi(&["card-info", "--virtual", "--pin-stdin"], "1234\n");
    let text = stdout(&out);
    assert!(text.contains("birth date:  1990-04-01 (平成2年)"), "{text}");
    assert!(text.contains("sex:         female (2)"), "{text}");
    assert!(text.contains("issuer:      not verified"), "{text}");
    assert!(!text.contains(&my_number));
}

#[test]
fn the_my_number_only_with_my_number_and_the_right_secret() {
    let virtual_card = card();
    let my_number = virtual_card.my_number();
    let out = kazashi(
        &[
            "card-info",
            "--virtual",
            "--pin-stdin",
            "--my-number",
            "--json",
        ],
        "1234\n",
    );
    let v = json(&out);
    assert_eq!(v["my_number"], my_number.as_str());
    assert_eq!(v["integrity"]["my_number_digest"], "ok");
    assert!(v.get("attributes").is_none(), "the My Number only");

    let by_a = kazashi(
        &[
            "card-info",
            "--virtual",
            "--pin-stdin",
            "--my-number",
            "--unlock",
            "number-a",
            "--json",
        ],
        &format!("{my_number}\n"),
    );
    assert_eq!(json(&by_a)["my_number"], my_number.as_str());

    // B opens the attributes, not the number; A the number, not the attributes.
    let wrong = kazashi(
        &[
            "card-info",
            "--virtual",
            "--pin-stdin",
            "--my-number",
            "--unlock",
            "number-b",
        ],
        &format!("{}\n", virtual_card.verification_number_b()),
    );
    assert_eq!(wrong.status.code(), Some(2));
    let wrong = kazashi(
        &[
            "card-info",
            "--virtual",
            "--pin-stdin",
            "--unlock",
            "number-a",
        ],
        &format!("{my_number}\n"),
    );
    assert_eq!(wrong.status.code(), Some(2));
    let by_b = kazashi(
        &[
            "card-info",
            "--virtual",
            "--pin-stdin",
            "--unlock",
            "number-b",
            "--json",
        ],
        &format!("{}\n", virtual_card.verification_number_b()),
    );
    assert_eq!(json(&by_b)["integrity"]["attributes_digest"], "ok");
}

#[test]
fn the_cross_check_compares_with_the_signing_certificate() {
    let out = kazashi(
        &[
            "card-info",
            "--virtual",
            "--pin-stdin",
            "--cross-check",
            "--json",
        ],
        "1234\nABC123\n",
    );
    let v = json(&out);
    assert_eq!(v["cross_check"]["all_equal"], true, "{v}");
    assert_eq!(v["cross_check"]["address"], "equal");
}

#[test]
fn wrong_pins_locks_and_tampering_have_their_exit_codes() {
    let out = kazashi(
        &["card-info", "--virtual", "--pin-stdin", "--json"],
        "9999\n",
    );
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["error"]["kind"], "wrong-pin");
    assert_eq!(v["error"]["attempts_left"], 2);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("card-info PIN incorrect: 2 attempts left"));

    let out = kazashi(
        &[
            "card-info",
            "--virtual",
            "--profile",
            "card-info-pin-blocked",
            "--pin-stdin",
        ],
        "1234\n",
    );
    assert_eq!(out.status.code(), Some(4));
    let out = kazashi(
        &[
            "card-info",
            "--virtual",
            "--profile",
            "card-info-last-attempt",
            "--pin-stdin",
        ],
        "1234\n",
    );
    assert_eq!(out.status.code(), Some(5));
    let out = kazashi(
        &[
            "card-info",
            "--virtual",
            "--profile",
            "card-info-tampered",
            "--pin-stdin",
            "--json",
        ],
        "1234\n",
    );
    assert_eq!(out.status.code(), Some(8));
    assert_eq!(json(&out)["error"]["kind"], "integrity-check-failed");
    let out = kazashi(&["card-info", "--virtual", "--pin-stdin"], "12345\n");
    assert_eq!(out.status.code(), Some(2), "malformed: no APDU, usage");
}

#[test]
fn inspect_decodes_and_checks_raw_dumps() {
    let virtual_card = card();
    let my_number = virtual_card.my_number();
    let folder = dir("good");
    for fid in 1u16..=7 {
        let bytes = virtual_card
            .card_info_file(fid)
            .expect("a file of the application");
        // Both spellings a dump tool may use.
        let name = if fid % 2 == 0 {
            format!("{fid:04X}.bin")
        } else {
            format!("{fid:04X}")
        };
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    let path = folder.to_str().unwrap();
    let out = kazashi(&["card-info", "inspect", path, "--json"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    for check in [
        "my_number_digest",
        "attributes_digest",
        "record_signature",
        "key_file_signature",
    ] {
        assert_eq!(v["checks"][check]["result"], "passed", "{check}: {v}");
    }
    assert_eq!(v["checks"]["issuer"]["result"], "not-checked");
    assert_eq!(v["my_number"], "withheld");
    assert!(!stdout(&out).contains(&my_number));
    let shown = kazashi(&["card-info", "inspect", path, "--my-number", "--json"], "");
    assert_eq!(json(&shown)["my_number"], my_number.as_str());

    // One byte of the name changed, and the certificate gone.
    let mut attributes = virtual_card.card_info_file(2).unwrap();
    let at = attributes
        .windows(2)
        .position(|w| w == [0xDF, 0x22])
        .unwrap()
        + 3;
    attributes[at] ^= 0x01;
    std::fs::write(folder.join("0002.bin"), &attributes).unwrap();
    std::fs::remove_file(folder.join("0004.bin")).unwrap();
    let out = kazashi(&["card-info", "inspect", path, "--json"], "");
    let v = json(&out);
    assert_eq!(v["checks"]["attributes_digest"]["result"], "failed", "{v}");
    assert_eq!(v["checks"]["record_signature"]["result"], "not-checked");
    let text = stdout(&kazashi(&["card-info", "inspect", path], ""));
    assert!(text.contains("attributes digest (DF32): FAILED"), "{text}");

    let empty = dir("empty");
    let out = kazashi(&["card-info", "inspect", empty.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(2));
}
