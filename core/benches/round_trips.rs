//! Round trips and bytes on the air for each flow and virtual-card profile, next to what the
//! usual approach costs (a 4-byte header read, then 256-byte chunks, no retry check), which is
//! measured here by replaying that approach against the same virtual card.
//!
//! Run: `cargo bench -p kazashi --bench round_trips` (counts, not timings).

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

fn row(flow: &str, profile: Profile, stats: ApduStats, typical: Option<u32>) {
    println!(
        "| {flow:<26} | {:<20} | {:>5} | {:>10} | {:>14} | {:>13} |",
        profile.name(),
        stats.apdus,
        stats.bytes_sent,
        stats.bytes_received,
        typical.map(|t| t.to_string()).unwrap_or_else(|| "-".into())
    );
}

fn main() {
    let pin = AuthPin::new("1234").unwrap();
    let password = SigningPassword::new("ABC123").unwrap();
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"document");
    println!("| flow                       | profile              | APDUs | bytes sent | bytes received | typical APDUs |");
    println!("|----------------------------|----------------------|------:|-----------:|---------------:|--------------:|");
    for profile in [
        Profile::PhysicalCard,
        Profile::NoExtendedLength,
        Profile::AndroidPhoneToken,
    ] {
        let mut card = VirtualCard::from_profile(profile);
        let cert_len = card
            .certificate_der(CertificateKind::Authentication)
            .unwrap()
            .len();
        let mut session = JpkiCard::new(&mut card);
        let status = block(session.status()).unwrap();
        row("status", profile, status.stats, None);
        if status.authentication_certificate.is_some() {
            let before = session.stats();
            block(session.read_certificate(CertificateKind::Authentication)).unwrap();
            row(
                &format!("read auth cert ({cert_len} B)"),
                profile,
                session.stats().since(before),
                None,
            );
        }
        let login = block(session.login(b"challenge", &pin, LastAttempt::Refuse)).unwrap();
        let typical = (profile != Profile::AndroidPhoneToken).then(|| {
            let mut fresh = VirtualCard::from_profile(profile);
            typical_login(&mut fresh)
        });
        row("log-in incl. cert + retry", profile, login.stats, typical);
        let mut session = JpkiCard::new(&mut card);
        let sign = block(session.sign(&digest, &password, SignOptions::default())).unwrap();
        row("sign incl. cert + retry", profile, sign.stats, None);
    }
    println!();
    println!(
        "typical = header read, 256-byte chunks, SELECT per EF, no retry check (protocol.md §3.4);"
    );
    println!("it is replayed against the same virtual card. Sign also reads the availability file first.");
}
