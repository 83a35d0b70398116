//! Round trips and bytes on the air for each flow and virtual-card profile, next to what the
//! usual approach costs (a 4-byte header read, then 256-byte chunks, no retry check), which is
//! measured here by replaying that approach against the same virtual card.
//!
//! Run: `cargo bench -p kazashi --bench round_trips` (counts and a modelled tap time, not
//! timings).

mod tap_model;

use tap_model::TapModel;

use kazashi::{
    ApduStats, AuthPin, CertificateKind, DigestAlgorithm, DocumentDigest, JpkiCard, LastAttempt,
    Profile, SignOptions, SigningPassword, VirtualCard,
};

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// The common client of `protocol.md` §3.4/§3.7: header read then 256-byte chunks, PIN and
/// key selected by SELECT, no retry-counter check. Returns its APDU count.
fn typical_login(card: &mut VirtualCard) -> u32 {
    let mut apdus = 0u32;
    let mut send = |card: &mut VirtualCard, bytes: Vec<u8>| {
        apdus += 1;
        let r = card.process(&bytes);
        assert_eq!(&r[r.len() - 2..], &[0x90, 0x00], "typical flow step failed");
        r[..r.len() - 2].to_vec()
    };
    let select_ap = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
    ];
    send(card, select_ap.to_vec());
    send(card, vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]);
    let head = send(card, vec![0x00, 0xB0, 0x00, 0x00, 0x04]);
    let total = (usize::from(head[2]) << 8 | usize::from(head[3])) + 4;
    let mut offset = 4;
    while offset < total {
        let n = (total - offset).min(256);
        send(
            card,
            vec![
                0x00,
                0xB0,
                (offset >> 8) as u8,
                offset as u8,
                (n % 256) as u8,
            ],
        );
        offset += n;
    }
    send(card, vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]);
    send(
        card,
        vec![0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'],
    );
    send(card, vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17]);
    let info = DigestAlgorithm::Sha256
        .digest_info(&DigestAlgorithm::Sha256.digest(b"c"))
        .unwrap();
    let mut sign = vec![0x80, 0x2A, 0x00, 0x80, info.len() as u8];
    sign.extend(info);
    sign.push(0x00);
    send(card, sign);
    apdus
}

/// The same client's signing flow: SELECT the password, VERIFY, SELECT and read the signing
/// certificate (header, then chunks), SELECT the key, sign.
fn typical_sign(card: &mut VirtualCard) -> u32 {
    let mut apdus = 0u32;
    let mut send = |card: &mut VirtualCard, bytes: Vec<u8>| {
        apdus += 1;
        let r = card.process(&bytes);
        assert_eq!(&r[r.len() - 2..], &[0x90, 0x00], "typical flow step failed");
        r[..r.len() - 2].to_vec()
    };
    let select_ap = [
        0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
    ];
    send(card, select_ap.to_vec());
    send(card, vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B]);
    let mut verify = vec![0x00, 0x20, 0x00, 0x80, 0x06];
    verify.extend(b"ABC123");
    send(card, verify);
    send(card, vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01]);
    let head = send(card, vec![0x00, 0xB0, 0x00, 0x00, 0x04]);
    let total = (usize::from(head[2]) << 8 | usize::from(head[3])) + 4;
    let mut offset = 4;
    while offset < total {
        let n = (total - offset).min(256);
        send(
            card,
            vec![
                0x00,
                0xB0,
                (offset >> 8) as u8,
                offset as u8,
                (n % 256) as u8,
            ],
        );
        offset += n;
    }
    send(card, vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1A]);
    let info = DigestAlgorithm::Sha256
        .digest_info(&DigestAlgorithm::Sha256.digest(b"document"))
        .unwrap();
    let mut sign = vec![0x80, 0x2A, 0x00, 0x80, info.len() as u8];
    sign.extend(info);
    sign.push(0x00);
    send(card, sign);
    apdus
}

/// One flow's cost: counts from the library, modelled time from the card's transcript.
struct Cost {
    stats: ApduStats,
    ms: f64,
}

/// Runs `flow` on a fresh recording card of `profile` (a new session: first-tap costs).
fn measure<R>(
    profile: Profile,
    flow: impl FnOnce(&mut JpkiCard<&mut VirtualCard>) -> R,
) -> (Cost, R) {
    let mut card = VirtualCard::from_profile(profile);
    card.record_transcript(true);
    let (out, stats) = {
        let mut session = JpkiCard::new(&mut card);
        let out = flow(&mut session);
        (out, session.stats())
    };
    let ms = TapModel::PHONE.transcript_ms(card.transcript());
    (Cost { stats, ms }, out)
}

/// Replays the typical client on a fresh card: (APDUs, modelled ms).
fn measure_typical(profile: Profile, flow: fn(&mut VirtualCard) -> u32) -> (u32, f64) {
    let mut card = VirtualCard::from_profile(profile);
    card.record_transcript(true);
    let apdus = flow(&mut card);
    (apdus, TapModel::PHONE.transcript_ms(card.transcript()))
}

fn row(flow: &str, profile: Profile, cost: &Cost, typical: Option<(u32, f64)>) {
    let (t_apdus, t_ms) = match typical {
        Some((apdus, ms)) => (apdus.to_string(), format!("{ms:.0}")),
        None => ("-".into(), "-".into()),
    };
    println!(
        "| {flow:<28} | {:<18} | {:>5} | {:>6} | {:>8} | {:>8.0} | {t_apdus:>13} | {t_ms:>10} |",
        profile.name(),
        cost.stats.apdus,
        cost.stats.bytes_sent,
        cost.stats.bytes_received,
        cost.ms,
    );
}

fn main() {
    let pin = AuthPin::new("1234").unwrap();
    let password = SigningPassword::new("ABC123").unwrap();
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"document");
    println!("| flow                         | profile            | APDUs | bytes→ | ←bytes   | model ms | typical APDUs | typical ms |");
    println!("|------------------------------|--------------------|------:|-------:|---------:|---------:|--------------:|-----------:|");
    for profile in [
        Profile::PhysicalCard,
        Profile::NoExtendedLength,
        Profile::NoShortEfIds,
        Profile::AndroidPhoneToken,
    ] {
        let (cost, status) = measure(profile, |s| block(s.status()).unwrap());
        row("status (no PIN)", profile, &cost, None);
        if status.authentication_certificate.is_some() {
            let (cost, cert) = measure(profile, |s| {
                block(s.read_certificate(CertificateKind::Authentication)).unwrap()
            });
            let name = format!("read auth cert ({} B)", cert.der().len());
            row(&name, profile, &cost, None);
        }
        let (cost, login) = measure(profile, |s| {
            block(s.login(b"challenge", &pin, LastAttempt::Refuse)).unwrap()
        });
        // The usual client reads the certificate before the PIN; a phone token refuses that.
        let typical = (profile != Profile::AndroidPhoneToken)
            .then(|| measure_typical(profile, typical_login));
        row("log-in, certificate read", profile, &cost, typical);
        let (cost, again) = measure(profile, |s| {
            block(s.login_with_cached_certificate(
                b"challenge",
                &pin,
                LastAttempt::Refuse,
                &login.certificate,
            ))
            .unwrap()
        });
        assert!(again.certificate_from_cache);
        row("log-in, cached certificate", profile, &cost, None);
        let (cost, _) = measure(profile, |s| {
            block(s.sign(&digest, &password, SignOptions::default())).unwrap()
        });
        row(
            "sign, incl. signing cert",
            profile,
            &cost,
            Some(measure_typical(profile, typical_sign)),
        );
    }
    println!();
    println!(
        "Every row is a first tap on a new session, retry check included (no-short-ef-ids pays"
    );
    println!(
        "its one refused probe). typical = SELECT per EF, 4-byte header read, 256-byte chunks, no"
    );
    println!("retry check (protocol.md §3.4), replayed against the same virtual card.");
    println!(
        "Tap-time model (core/benches/tap_model.rs): {}.",
        TapModel::PHONE.describe()
    );
}
