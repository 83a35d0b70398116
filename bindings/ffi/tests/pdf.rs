//! `CardSession.signPdf` and `verifyPdf` as Kotlin and Swift call them, against the virtual
//! card: one tap signs, the original bytes stay, a second signature keeps the first valid, and
//! a changed byte is rejected with a reason.

use std::sync::Arc;

use kazashi_ffi::pdf::{verify_pdf, PdfSignOptions, PdfVisibleSignature};
use kazashi_ffi::{
    CardSession, CertificatePurpose, DigestAlgorithm, PinKind, RejectionKind, SignOptions,
    TestRoot, VerificationError, VirtualCard, VirtualCardProfile,
};
use lopdf::{dictionary, Document, Object, Stream};

fn sample_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 24 Tf 72 720 Td (Bindings) Tj ET".to_vec(),
    ));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![Object::Reference(page_id)], "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn options(visible: bool) -> PdfSignOptions {
    PdfSignOptions {
        algorithm: DigestAlgorithm::Sha256,
        reason: Some("契約への同意".into()),
        location: None,
        contact_info: None,
        visible: visible.then_some(PdfVisibleSignature {
            page: 1,
            x: 72.0,
            y: 72.0,
            width: 200.0,
            height: 50.0,
        }),
        certify: None,
        timestamp_url: None,
        tsa_roots: Vec::new(),
    }
}

fn roots(card: &Arc<VirtualCard>) -> Vec<TestRoot> {
    vec![TestRoot {
        der: card.root_certificate(PinKind::Signing),
        purpose: CertificatePurpose::Signature,
    }]
}

#[test]
fn sign_pdf_then_verify_pdf_through_the_bindings() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let session = CardSession::new(card.clone());
    let original = sample_pdf();
    let signed = pollster::block_on(session.sign_pdf(
        original.clone(),
        "ABC123".into(),
        options(false),
        SignOptions {
            confirm_last_attempt: false,
            allow_legacy_sha1: false,
        },
    ))
    .unwrap();
    assert_eq!(&signed.pdf[..original.len()], original.as_slice());
    assert!(!signed.timestamped);
    assert_eq!(signed.timestamp_error, None);
    assert_eq!(
        card.pin_verifications(),
        1,
        "one VERIFY: the card is tapped once"
    );

    let twice = pollster::block_on(session.sign_pdf(
        signed.pdf.clone(),
        "ABC123".into(),
        options(true),
        SignOptions {
            confirm_last_attempt: false,
            allow_legacy_sha1: false,
        },
    ))
    .unwrap();
    let results = verify_pdf(twice.pdf.clone(), roots(&card), Vec::new()).unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].reason.as_deref(), Some("契約への同意"));
    assert!(!results[0].covers_whole_file);
    assert_eq!(results[0].later_revisions, 1);
    assert!(results[1].covers_whole_file);

    let mut tampered = twice.pdf.clone();
    let at = tampered.windows(8).position(|w| w == b"Bindings").unwrap();
    tampered[at] = b'b';
    match verify_pdf(tampered, roots(&card), Vec::new()) {
        Err(VerificationError::Rejected { reason, .. }) => {
            assert!(
                reason.contains("altered") || reason.contains("match"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    // Without the test root, the signer is not trusted.
    match verify_pdf(twice.pdf, Vec::new(), Vec::new()) {
        Err(VerificationError::Rejected { kind, .. }) => {
            assert_ne!(kind, RejectionKind::Malformed)
        }
        other => panic!("{other:?}"),
    }
}
