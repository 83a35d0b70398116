//! PAdES B-T: the card signs once, the local test TSA (`scripts/tsa/tsa.py`, OpenSSL's
//! `ts -reply`) timestamps the signature value, and the token lands in `/Contents`. A TSA
//! failure after the card signed still gives a valid B-B PDF. pyHanko and pdfsig check the
//! same files in `scripts/test-pdf.sh`.

#[path = "timestamp_support/mod.rs"]
mod timestamp_support;

use kazashi::{unix_now, CertificatePurpose, JpkiCard, PinKind, SigningPassword};
use kazashi_documents::pdf::{
    sign_pdf_with_timestamp, verify_pdf, verify_pdf_with_tsa_roots, PdfSignOptions, SignedPdf,
};
use kazashi_documents::timestamp::{TimestampClient, TimestampError, Timestamped};
use kazashi_verify::TrustStore;
use kazashi_virtual_card::{Profile, VirtualCard};
use lopdf::{dictionary, Document, Object, Stream};
use timestamp_support::{openssl_ts_verify, LocalTsa};

fn sample_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 24 Tf 72 720 Td (B-T) Tj ET".to_vec(),
    ));
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
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

fn store(card: &VirtualCard) -> TrustStore {
    TrustStore::production()
        .with_test_root(
            card.root_der(PinKind::Signing),
            CertificatePurpose::Signature,
        )
        .unwrap()
}

fn sign(card: &mut VirtualCard, client: &TimestampClient) -> Timestamped<SignedPdf> {
    let password = SigningPassword::new("ABC123").unwrap();
    let mut session = JpkiCard::new(card);
    pollster::block_on(sign_pdf_with_timestamp(
        &mut session,
        &sample_pdf(),
        &password,
        &PdfSignOptions::new(unix_now()),
        client,
    ))
    .expect("the card signs")
}

#[test]
fn a_b_t_pdf_carries_a_token_over_its_signature() {
    let tsa = LocalTsa::start();
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let client = TimestampClient::new(tsa.url(""), vec![tsa.root_der()]);
    let signed = sign(&mut card, &client);
    let token = signed.timestamp.clone().expect("the TSA answered");
    let pdf = &signed.document.pdf;
    let verified =
        verify_pdf_with_tsa_roots(pdf, unix_now(), &store(&card), &[tsa.root_der()]).unwrap();
    let s = &verified.signatures[0];
    let checked = s
        .timestamp
        .clone()
        .expect("a token")
        .expect("a trusted token");
    assert_eq!(checked.der, token.der);
    // OpenSSL, independently: the token's imprint is the hash of the card's signature value.
    let (ok, out) = openssl_ts_verify(
        &token.der,
        &signed.document.signature.signature,
        &tsa.root_pem(),
        &tsa.scratch("pdf-token"),
    );
    assert!(ok, "{out}");
    // Without the TSA's root the B-B signature stands and the token is reported untrusted.
    let without = verify_pdf(pdf, unix_now(), &store(&card)).unwrap();
    assert!(matches!(
        without.signatures[0].timestamp,
        Some(Err(TimestampError::UntrustedTsa { .. }))
    ));
}

#[test]
fn a_tsa_failure_after_the_tap_keeps_the_b_b_pdf() {
    let tsa = LocalTsa::start();
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    for (mode, expect) in [
        ("untrusted", "untrusted-tsa"),
        ("bad-nonce", "wrong-nonce"),
        ("bad-imprint", "wrong-imprint"),
        ("http-error", "transport"),
    ] {
        let client = TimestampClient::new(tsa.url(mode), vec![tsa.root_der()]);
        let signed = sign(&mut card, &client);
        let error = signed.timestamp.clone().unwrap_err();
        assert_eq!(error.kind(), expect, "{mode}: {error}");
        let verified = verify_pdf(&signed.document.pdf, unix_now(), &store(&card)).unwrap();
        assert!(verified.signatures[0].timestamp.is_none(), "{mode}");
    }
}
