//! PAdES signing costs: bytes a signature adds to a PDF, APDUs per signing (one tap per
//! document), and host time for 1 MB and 50 MB PDFs (parse, write the update, hash the byte
//! range in place, sign on the virtual card, verify).
//!
//! Run: `cargo bench -p kazashi-documents --bench pdf` (figures, not a pass/fail test).

use std::time::{Duration, Instant};

use kazashi::{CertificateKind, JpkiCard, PinKind, SigningPassword};
use kazashi_documents::pdf::{sign_pdf, verify_pdf, PdfSignOptions, VisibleSignature};
use kazashi_verify::TrustStore;
use kazashi_virtual_card::{Profile, VirtualCard};
use lopdf::{dictionary, Document, Object, Stream};

const NOW: i64 = 1_800_000_000;

/// A PDF of about `megabytes` MB: one page per MB, each with a 1 MB content stream (text
/// drawing operators, uncompressed, so the size is what it says).
fn pdf_of(megabytes: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut kids = Vec::new();
    for page in 0..megabytes.max(1) {
        let mut content = Vec::with_capacity(1 << 20);
        let mut line = 0usize;
        while content.len() < (1 << 20) {
            content.extend_from_slice(
                format!(
                    "BT /F1 8 Tf 20 {} Td (page {page} line {line} of the benchmark document) Tj ET\n",
                    810 - (line % 90) * 9
                )
                .as_bytes(),
            );
            line += 1;
        }
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn store(card: &VirtualCard) -> TrustStore {
    TrustStore::production()
        .with_test_root(
            card.root_der(PinKind::Signing),
            kazashi::CertificatePurpose::Signature,
        )
        .unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let password = SigningPassword::new("ABC123").unwrap();
    let small = pdf_of(1);

    println!(
        "PDF benchmark ({})\n",
        if cfg!(debug_assertions) {
            "test profile: kazashi code unoptimised, dependencies at opt-level 2"
        } else {
            "optimised bench profile"
        }
    );
    println!("## Signature overhead (bytes the incremental update adds)\n");
    println!("| signature | bytes added | CMS bytes | /Contents reserved |");
    println!("|---|---:|---:|---:|");
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    for (label, visible) in [
        ("invisible B-B", None),
        (
            "visible B-B",
            Some(VisibleSignature {
                page: 1,
                rect: [300.0, 60.0, 240.0, 70.0],
            }),
        ),
    ] {
        let mut options = PdfSignOptions::new(NOW);
        options.visible = visible;
        let signed = pollster::block_on(sign_pdf(
            &mut JpkiCard::new(&mut card),
            &small,
            &password,
            &options,
        ))
        .unwrap();
        println!(
            "| {label} | {} | {} | {} |",
            signed.pdf.len() - small.len(),
            signed.cms.len(),
            signed.contents_reserved
        );
    }
    let mut options = PdfSignOptions::new(NOW);
    options.timestamp_reserve = kazashi_documents::pdf::DEFAULT_TIMESTAMP_RESERVE;
    let reserved = pollster::block_on(sign_pdf(
        &mut JpkiCard::new(&mut card),
        &small,
        &password,
        &options,
    ))
    .unwrap();
    println!(
        "| B-B with room for a B-T token | {} | {} | {} |",
        reserved.pdf.len() - small.len(),
        reserved.cms.len(),
        reserved.contents_reserved
    );

    println!("\n## APDUs per signing (one tap, one VERIFY)\n");
    println!("| profile | CA certificate | APDUs | bytes sent | bytes received |");
    println!("|---|---|---:|---:|---:|");
    for profile in [Profile::PhysicalCard, Profile::NoExtendedLength] {
        for cached in [false, true] {
            let mut card = VirtualCard::from_profile(profile);
            let mut options = PdfSignOptions::new(NOW);
            if cached {
                options.ca_certificate = card
                    .certificate_der(CertificateKind::SigningCa)
                    .map(<[u8]>::to_vec);
            }
            let signed = pollster::block_on(sign_pdf(
                &mut JpkiCard::new(&mut card),
                &small,
                &password,
                &options,
            ))
            .unwrap();
            println!(
                "| {} | {} | {} | {} | {} |",
                profile.name(),
                if cached {
                    "given by the caller"
                } else {
                    "read from the card"
                },
                signed.stats.apdus,
                signed.stats.bytes_sent,
                signed.stats.bytes_received
            );
        }
    }

    println!("\n## Host time (virtual card; median of the runs)\n");
    println!("| PDF | runs | sign (parse + update + hash + card) | verify |");
    println!("|---|---:|---:|---:|");
    for (megabytes, runs) in [(1usize, 7usize), (50, 3)] {
        let pdf = pdf_of(megabytes);
        let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
        let trust = store(&card);
        let mut sign_times = Vec::new();
        let mut verify_times = Vec::new();
        for _ in 0..runs {
            let start = Instant::now();
            let signed = pollster::block_on(sign_pdf(
                &mut JpkiCard::new(&mut card),
                &pdf,
                &password,
                &PdfSignOptions::new(NOW),
            ))
            .unwrap();
            sign_times.push(start.elapsed());
            let start = Instant::now();
            verify_pdf(&signed.pdf, NOW + 60, &trust).unwrap();
            verify_times.push(start.elapsed());
        }
        println!(
            "| {:.1} MB | {runs} | {:.1} ms | {:.1} ms |",
            pdf.len() as f64 / 1_048_576.0,
            ms(median(sign_times)),
            ms(median(verify_times))
        );
    }
}
