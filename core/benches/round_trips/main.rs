//! Round trips and bytes on the air for each flow and virtual-card profile, next to what the
//! usual approach costs (a 4-byte header read, then 256-byte chunks, no retry check), which is
//! measured here by replaying that approach against the same virtual card.
//!
//! Run: `cargo bench -p kazashi --bench round_trips` (counts and a modelled tap time, not
//! timings).

mod tap_model;
mod typical_client;

use tap_model::TapModel;

use kazashi::card_info::{
    self, AttributesKey, CardInfoCard, CardInfoPin, MyNumberKey, VerificationNumberB,
};
use kazashi::card_surface::{CardSurfaceCard, SurfaceKey};
use kazashi::{
    ApduStats, AuthPin, CertificateKind, DigestAlgorithm, DocumentDigest, JpkiCard, LastAttempt,
    SignOptions, SigningPassword,
};
use kazashi_virtual_card::{Profile, VirtualCard};

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
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
    let card_info_pin = CardInfoPin::new("1234").unwrap();
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
            .then(|| measure_typical(profile, typical_client::login));
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
            Some(measure_typical(profile, typical_client::sign)),
        );
        if profile == Profile::AndroidPhoneToken {
            continue; // a phone token carries JPKI only
        }
        let (cost, read) = measure(profile, |s| {
            block(
                CardInfoCard::new(s.card_mut())
                    .read_attributes(AttributesKey::Pin(&card_info_pin), LastAttempt::Refuse),
            )
            .unwrap()
        });
        assert_eq!(read.integrity.record_signature, card_info::Check::Passed);
        row("card-info 4 attributes", profile, &cost, None);
        let (cost, _) = measure(profile, |s| {
            block(
                CardInfoCard::new(s.card_mut())
                    .read_my_number(MyNumberKey::Pin(&card_info_pin), LastAttempt::Refuse),
            )
            .unwrap()
        });
        row("card-info My Number", profile, &cost, None);
        let (cost, _) = measure(profile, |s| {
            let number =
                VerificationNumberB::new(&s.transport_mut().verification_number_b()).unwrap();
            block(
                CardSurfaceCard::new(s.card_mut())
                    .read_surface(SurfaceKey::NumberB(&number), LastAttempt::Refuse),
            )
            .unwrap()
        });
        row("card-surface front + photo", profile, &cost, None);
    }
    println!();
    println!(
        "Every row is a first tap on a new session, retry check included (no-short-ef-ids pays"
    );
    println!(
        "its one refused probe). typical = SELECT per EF, 4-byte header read, 256-byte chunks, no"
    );
    println!("retry check (docs/protocol.md §3.4), replayed against the same virtual card.");
    println!(
        "card-info rows: SELECT, counter, VERIFY, the data file, EF 0003 and EF 0004, the data"
    );
    println!("integrity-checked before it is returned.");
    println!(
        "Tap-time model (core/benches/round_trips/tap_model.rs): {}.",
        TapModel::PHONE.describe()
    );
}
