//! `kazashi card-surface` on the virtual card: both unlock paths, the text and JSON reports,
//! the saved photo (a JPEG 2000 file that `file` and OpenJPEG's `opj_decompress` recognise and
//! decode; scripts/test.sh installs both), the signature verdict's wording, and the exit codes of
//! the PIN rules.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{json, kazashi};
use kazashi_virtual_card::{Profile, VirtualCard};

const JP2_SIGNATURE: [u8; 12] = [
    0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
];

fn card() -> VirtualCard {
    VirtualCard::from_profile(Profile::PhysicalCard)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kazashi-card-surface-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs an independent checker; a missing one fails the test (scripts/test.sh installs them).
fn tool(program: &str, package: &str, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} (Debian {package}) is needed: {e}"))
}

#[test]
fn number_b_reports_the_front_and_saves_the_photo() {
    let virtual_card = card();
    let dir = folder("b");
    let photo = dir.join("face.jp2");
    let photo_arg = photo.to_str().unwrap();
    let out = kazashi(
        &[
            "card-surface",
            "--virtual",
            "--pin-stdin",
            "--photo-out",
            photo_arg,
            "--json",
        ],
        &format!("{}\n", virtual_card.verification_number_b()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["birth_date"], "19900401");
    assert_eq!(v["birth_date_iso"], "1990-04-01");
    assert_eq!(v["birth_date_japanese"], "平成2年");
    assert_eq!(v["sex"], virtual_card.config().holder.sex.as_str());
    let (y, m, d) = virtual_card.card_expiry();
    assert_eq!(v["expiry_iso"], format!("{y:04}-{m:02}-{d:02}"));
    assert_eq!(v["photo"]["media_type"], "image/jp2");
    assert_eq!(v["photo"]["bytes"], 2669);
    assert_eq!(v["photo"]["saved_to"], photo_arg);
    for image in ["name_image", "address_image", "security_code_image"] {
        assert_eq!(v[image]["media_type"], "image/png", "{image}: {v}");
    }
    assert_eq!(v["signature"], "verified-virtual-card-layout");
    assert_eq!(v["issuer"], "not-verified");
    assert_eq!(v["apdus"], 5, "SELECT, query, VERIFY, two READ BINARY");
    assert!(!stdout(&out).contains(&virtual_card.verification_number_b()));

    // The saved photo is the card's JPEG 2000 file, byte for byte.
    let saved = std::fs::read(&photo).unwrap();
    assert!(saved.starts_with(&JP2_SIGNATURE));
    let front = virtual_card.card_surface_file(0x0002).unwrap();
    assert!(front.windows(saved.len()).any(|w| w == saved.as_slice()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&photo).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the face is the owner's only: {mode:o}");
    }
    let said = stdout(&tool("file", "file", &["-b", photo_arg]));
    assert!(said.contains("JPEG 2000"), "file(1) says: {said}");
    let png = dir.join("face.png");
    let out = tool(
        "opj_decompress",
        "libopenjp2-tools",
        &["-i", photo_arg, "-o", png.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "opj_decompress: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoded = std::fs::read(&png).unwrap();
    assert!(decoded.starts_with(b"\x89PNG"), "decoded to a PNG");
}

#[test]
fn number_a_and_the_text_report() {
    let virtual_card = card();
    let out = kazashi(
        &[
            "card-surface",
            "--virtual",
            "--pin-stdin",
            "--unlock",
            "number-a",
        ],
        &format!("{}\n", virtual_card.my_number()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.contains("birth date:  1990-04-01 (平成2年)"), "{text}");
    assert!(text.contains("sex:         female (2)"), "{text}");
    assert!(
        text.contains("photo:       2669 bytes, image/jp2 (save it with --photo-out FILE)"),
        "{text}"
    );
    assert!(text.contains("name image:  144 bytes, image/png"), "{text}");
    assert!(
        text.contains("signature:   verified in the virtual card's layout"),
        "{text}"
    );
    assert!(
        text.contains("no public source confirms that layout for a real card"),
        "{text}"
    );
    assert!(text.contains("issuer:      not verified"), "{text}");
    assert!(!text.contains(&virtual_card.my_number()));
}

#[test]
fn wrong_and_malformed_numbers_have_their_exit_codes() {
    let virtual_card = card();
    let right = virtual_card.verification_number_b();
    let last = if right.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &right[..13]);
    let out = kazashi(
        &["card-surface", "--virtual", "--pin-stdin", "--json"],
        &format!("{wrong}\n"),
    );
    assert_eq!(out.status.code(), Some(3));
    let v = json(&out);
    assert_eq!(v["error"]["kind"], "wrong-pin");
    assert_eq!(v["error"]["attempts_left"], 9);
    // Not 14 digits, or a month 13: refused before any APDU.
    for malformed in ["1234", "02130120351234"] {
        let out = kazashi(
            &["card-surface", "--virtual", "--pin-stdin", "--json"],
            &format!("{malformed}\n"),
        );
        assert_eq!(out.status.code(), Some(2), "{malformed}");
        assert_eq!(json(&out)["apdus"], 0);
    }
    let out = kazashi(
        &[
            "card-surface",
            "--virtual",
            "--pin-stdin",
            "--unlock",
            "number-a",
        ],
        "123456789017\n",
    );
    assert_eq!(out.status.code(), Some(2), "check digit");
}
