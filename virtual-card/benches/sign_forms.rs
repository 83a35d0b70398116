//! What COMPUTE DIGITAL SIGNATURE P1 = 02 (the card wraps a 32-byte SHA-256 hash in its
//! DigestInfo) would save over the library's P1 = 00 (the host sends the 51-byte DigestInfo):
//! bytes on the air, modelled tap time, and host work. The library keeps P1 = 00, the only form
//! every source attests on real cards (`docs/protocol.md` §3.5); this measures the alternative.
//!
//! Run: `cargo bench -p kazashi-virtual-card --bench sign_forms`. Bytes are counted as the
//! library's `ApduStats` counts them (the whole command; the whole response with its status
//! word); the tap time uses the round-trip bench's model (`core/benches/round_trips`).

#[path = "../../core/benches/round_trips/tap_model.rs"]
mod tap_model;

use std::hint::black_box;
use std::time::Instant;

use kazashi_certificate::DigestAlgorithm;
use kazashi_virtual_card::VirtualCard;
use tap_model::TapModel;

const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];
const VERIFY_AUTH_PIN: [u8; 9] = [0x00, 0x20, 0x00, 0x98, 0x04, b'1', b'2', b'3', b'4'];

/// The data field of each form for `document`.
fn sign_data(p1: u8, document: &[u8]) -> Vec<u8> {
    let sha256 = DigestAlgorithm::Sha256;
    let hash = sha256.digest(document);
    match p1 {
        0x00 => sha256.digest_info(&hash).unwrap(),
        _ => hash,
    }
}

/// One signature by short EF id on a fresh card: (command bytes, response bytes, model ms,
/// signature).
fn sign_once(p1: u8, document: &[u8]) -> (usize, usize, f64, Vec<u8>) {
    let mut card = VirtualCard::default();
    card.process(&SELECT_JPKI);
    card.process(&VERIFY_AUTH_PIN);
    card.record_transcript(true);
    let data = sign_data(p1, document);
    let command = [
        vec![0x80, 0x2A, p1, 0x97, data.len() as u8],
        data,
        vec![0x00],
    ]
    .concat();
    let response = card.process(&command);
    assert_eq!(&response[response.len() - 2..], &[0x90, 0x00]);
    let ms = TapModel::PHONE.transcript_ms(card.transcript());
    (
        command.len(),
        response.len(),
        ms,
        response[..response.len() - 2].to_vec(),
    )
}

/// Host time to build the data field, nanoseconds per signature (mean over `rounds`).
fn host_ns(p1: u8, document: &[u8], rounds: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(sign_data(p1, black_box(document)));
    }
    start.elapsed().as_nanos() as f64 / f64::from(rounds)
}

fn main() {
    let challenge = b"a 32-byte log-in challenge......";
    let (c00, r00, ms00, sig00) = sign_once(0x00, challenge);
    let (c02, r02, ms02, sig02) = sign_once(0x02, challenge);
    assert_eq!(sig00, sig02, "the two forms give the same signature");
    let rounds = 200_000;
    println!("| form | data field | command bytes | response bytes | model ms (sign APDU) | host ns to build the data |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (form, c, r, ms, p1) in [
        ("P1=00 DigestInfo (library)", c00, r00, ms00, 0x00),
        ("P1=02 hash (card wraps)", c02, r02, ms02, 0x02),
    ] {
        println!(
            "| {form} | {} | {c} | {r} | {ms:.2} | {:.0} |",
            c - 6,
            host_ns(p1, challenge, rounds)
        );
    }
    println!();
    println!(
        "P1=02 saves {} bytes and {:.2} ms (modelled) per signature; the response and the RSA \
         operation are the same. Tap-time model: {}.",
        c00 - c02,
        ms00 - ms02,
        TapModel::PHONE.describe()
    );
}
