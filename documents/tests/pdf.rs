//! PAdES signing through the virtual card and our own verification of the result: the happy
//! paths (invisible, visible, two signatures, certification, cross-reference streams) and each
//! typed rejection. The independent validators (pdfsig, pyHanko, qpdf) run in
//! `scripts/test-pdf.sh`.

use kazashi::{CertificatePurpose, JpkiCard, PinKind, SigningPassword};
use kazashi_documents::pdf::{
    sign_pdf, verify_pdf, DocMdp, PdfError, PdfSignOptions, VisibleSignature,
};
use kazashi_verify::{TrustError, TrustStore};
use kazashi_virtual_card::{Profile, VirtualCard};
use lopdf::{dictionary, Document, Object, Stream};

const NOW: i64 = 1_800_000_000;

/// A small PDF made by lopdf: `pages` pages of text, classic xref table, or object streams with
/// a cross-reference stream when `modern`.
fn sample_pdf(pages: usize, modern: bool) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut kids = Vec::new();
    for n in 0..pages {
        let content = format!("BT /F1 24 Tf 72 720 Td (Page {}) Tj ET", n + 1);
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        });
        kids.push(Object::Reference(page_id));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => pages as i64,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    if modern {
        doc.save_modern(&mut out).unwrap();
    } else {
        doc.save_to(&mut out).unwrap();
    }
    out
}

fn password() -> SigningPassword {
    SigningPassword::new("ABC123").unwrap()
}

fn store(card: &VirtualCard) -> TrustStore {
    TrustStore::production()
        .with_test_root(
            card.root_der(PinKind::Signing),
            CertificatePurpose::Signature,
        )
        .unwrap()
}

fn sign(card: &mut VirtualCard, pdf: &[u8], options: &PdfSignOptions) -> Result<Vec<u8>, PdfError> {
    let mut session = JpkiCard::new(card);
    pollster::block_on(sign_pdf(&mut session, pdf, &password(), options)).map(|s| s.pdf)
}

#[test]
fn an_invisible_signature_keeps_the_original_and_verifies() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let original = sample_pdf(2, false);
    let mut options = PdfSignOptions::new(NOW);
    options.reason = Some("申請書への署名".into());
    options.location = Some("Tokyo".into());
    let signed = sign(&mut card, &original, &options).unwrap();
    assert_eq!(&signed[..original.len()], original.as_slice());
    let verified = verify_pdf(&signed, NOW + 60, &store(&card)).unwrap();
    assert_eq!(verified.signatures.len(), 1);
    let s = &verified.signatures[0];
    assert!(s.covers_whole_file);
    assert_eq!(s.revision_end, signed.len());
    assert_eq!(s.sub_filter, "ETSI.CAdES.detached");
    assert_eq!(s.reason.as_deref(), Some("申請書への署名"));
    assert_eq!(s.certification, None);
    assert!(s.later.is_empty());
    // PAdES: no CMS signingTime; the time is the dictionary's /M.
    assert_eq!(s.cms.signing_time, None);
    assert!(s.claimed_time.as_deref().unwrap().starts_with("D:2027"));
}

#[test]
fn the_card_is_tapped_once_and_the_cms_embeds_both_certificates() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let original = sample_pdf(1, false);
    let mut session = JpkiCard::new(&mut card);
    let signed = pollster::block_on(sign_pdf(
        &mut session,
        &original,
        &password(),
        &PdfSignOptions::new(NOW),
    ))
    .unwrap();
    // One session: CA read, VERIFY, certificate read, SIGN.
    assert_eq!(signed.stats.apdus, session.stats().apdus);
    assert!(signed.stats.apdus < 20, "{} APDUs", signed.stats.apdus);
    let ca = card.root_der(PinKind::Signing).to_vec();
    let leaf = signed.signature.certificate.der().to_vec();
    let contains = |needle: &[u8]| signed.cms.windows(needle.len()).any(|w| w == needle);
    assert!(contains(&leaf), "signing certificate embedded");
    assert!(contains(&ca), "CA certificate embedded");
    assert!(signed.cms.len() <= signed.contents_reserved);
}

#[test]
fn a_second_signature_leaves_the_first_valid() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let once = sign(&mut card, &sample_pdf(1, false), &PdfSignOptions::new(NOW)).unwrap();
    let twice = sign(&mut card, &once, &PdfSignOptions::new(NOW + 10)).unwrap();
    assert_eq!(&twice[..once.len()], once.as_slice());
    let verified = verify_pdf(&twice, NOW + 60, &store(&card)).unwrap();
    assert_eq!(verified.signatures.len(), 2);
    let first = &verified.signatures[0];
    assert_eq!(first.field, "Signature1");
    assert_eq!(verified.signatures[1].field, "Signature2");
    assert!(!first.covers_whole_file);
    assert_eq!(first.later.len(), 1);
    assert_eq!(first.later[0].signature, Some(1));
    assert!(first.later[0]
        .objects
        .iter()
        .any(|o| o.kind == "Sig" && o.added));
    assert!(verified.signatures[1].covers_whole_file);
}

#[test]
fn object_streams_and_cross_reference_streams_are_signed() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let original = sample_pdf(3, true);
    assert!(original.windows(5).any(|w| w == b"/XRef"));
    let signed = sign(&mut card, &original, &PdfSignOptions::new(NOW)).unwrap();
    let twice = sign(&mut card, &signed, &PdfSignOptions::new(NOW)).unwrap();
    let verified = verify_pdf(&twice, NOW + 60, &store(&card)).unwrap();
    assert_eq!(verified.signatures.len(), 2);
}

#[test]
fn a_visible_signature_with_japanese_text_verifies() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let mut options = PdfSignOptions::new(NOW);
    options.visible = Some(VisibleSignature {
        page: 2,
        rect: [300.0, 80.0, 220.0, 60.0],
    });
    let signed = sign(&mut card, &sample_pdf(2, false), &options).unwrap();
    assert!(signed.windows(16).any(|w| w == b"UniJIS-UCS2-HW-H"));
    verify_pdf(&signed, NOW + 60, &store(&card)).unwrap();
    options.visible = Some(VisibleSignature {
        page: 3,
        rect: [300.0, 80.0, 220.0, 60.0],
    });
    assert!(matches!(
        sign(&mut card, &sample_pdf(2, false), &options),
        Err(PdfError::InvalidOption { .. })
    ));
}

#[test]
fn a_byte_changed_inside_the_byte_range_is_rejected() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let mut signed = sign(&mut card, &sample_pdf(1, false), &PdfSignOptions::new(NOW)).unwrap();
    let at = signed.windows(6).position(|w| w == b"Page 1").unwrap();
    signed[at + 5] = b'9';
    let err = verify_pdf(&signed, NOW + 60, &store(&card)).unwrap_err();
    assert!(
        matches!(
            err,
            PdfError::Signature {
                index: 0,
                source: TrustError::ContentMismatch
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_byte_range_that_leaves_out_more_than_contents_is_rejected() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let signed = sign(&mut card, &sample_pdf(1, false), &PdfSignOptions::new(NOW)).unwrap();
    let start = signed
        .windows(11)
        .position(|w| w == b"/ByteRange[")
        .unwrap()
        + 11;
    let end = start + signed[start..].iter().position(|&b| b == b']').unwrap();
    let numbers: Vec<usize> = std::str::from_utf8(&signed[start..end])
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    // Leave out ten more bytes before /Contents, and (separately) stop before the file's end.
    for (b, d) in [(numbers[1] - 10, numbers[3]), (numbers[1], numbers[3] - 20)] {
        let mut tampered = signed.clone();
        let text = format!("0 {b} {} {d}", numbers[2]);
        let padded = format!("{text:<width$}", width = end - start);
        tampered[start..end].copy_from_slice(padded.as_bytes());
        let err = verify_pdf(&tampered, NOW + 60, &store(&card)).unwrap_err();
        assert!(
            matches!(err, PdfError::ByteRangeNotWholeFile { index: 0, .. }),
            "{err:?}"
        );
    }
}

#[test]
fn padding_changed_in_contents_is_rejected() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let mut signed = sign(&mut card, &sample_pdf(1, false), &PdfSignOptions::new(NOW)).unwrap();
    // The last hex digit of /Contents is padding outside the byte range.
    let close = signed.windows(3).rposition(|w| w == b"00>").unwrap();
    signed[close + 1] = b'1';
    let err = verify_pdf(&signed, NOW + 60, &store(&card)).unwrap_err();
    assert!(
        matches!(err, PdfError::ContentsAltered { index: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn changes_appended_after_signing_are_reported() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let signed = sign(&mut card, &sample_pdf(1, false), &PdfSignOptions::new(NOW)).unwrap();
    // An unsigned incremental update that replaces the page's content, written by lopdf.
    let parsed = Document::load_mem(&signed).unwrap();
    let content = parsed
        .objects
        .iter()
        .find(|(_, o)| matches!(o, Object::Stream(s) if s.content.starts_with(b"BT")))
        .map(|(id, _)| *id)
        .unwrap();
    let mut update = lopdf::IncrementalDocument::create_from(signed.clone(), parsed);
    update.new_document.objects.insert(
        content,
        Object::Stream(Stream::new(
            dictionary! {},
            b"BT /F1 24 Tf 72 720 Td (Paid) Tj ET".to_vec(),
        )),
    );
    let mut modified = Vec::new();
    update.save_to(&mut modified).unwrap();
    let err = verify_pdf(&modified, NOW + 60, &store(&card)).unwrap_err();
    match err {
        PdfError::ModifiedAfterSigning { index: 0, changes } => {
            assert!(changes.contains("replaced"), "{changes}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_content_change_hidden_before_a_later_signature_is_rejected() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let signed = sign(&mut card, &sample_pdf(1, false), &PdfSignOptions::new(NOW)).unwrap();
    let parsed = Document::load_mem(&signed).unwrap();
    let content = parsed
        .objects
        .iter()
        .find(|(_, o)| matches!(o, Object::Stream(s) if s.content.starts_with(b"BT")))
        .map(|(id, _)| *id)
        .unwrap();
    let mut update = lopdf::IncrementalDocument::create_from(signed.clone(), parsed);
    update.new_document.objects.insert(
        content,
        Object::Stream(Stream::new(
            dictionary! {},
            b"BT /F1 24 Tf 72 720 Td (Paid) Tj ET".to_vec(),
        )),
    );
    let mut modified = Vec::new();
    update.save_to(&mut modified).unwrap();
    let countersigned = sign(&mut card, &modified, &PdfSignOptions::new(NOW)).unwrap();
    let err = verify_pdf(&countersigned, NOW + 60, &store(&card)).unwrap_err();
    match err {
        PdfError::ModifiedAfterSigning { index: 0, changes } => {
            assert!(changes.contains("Stream"), "{changes}")
        }
        other => panic!("{other:?}"),
    }
}

/// Replaces the DER in the only `/Contents` of `pdf` (same reserved size).
fn replace_contents(pdf: &mut [u8], der: &[u8]) {
    let start = pdf.windows(10).position(|w| w == b"/Contents<").unwrap() + 10;
    let end = start + pdf[start..].iter().position(|&b| b == b'>').unwrap();
    assert!(2 * der.len() <= end - start);
    let hex: String = der.iter().map(|b| format!("{b:02X}")).collect();
    pdf[start..start + hex.len()].copy_from_slice(hex.as_bytes());
    pdf[start + hex.len()..end].fill(b'0');
}

#[test]
fn another_cards_certificate_swapped_into_the_cms_is_rejected() {
    use cms::cert::CertificateChoices;
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    use der::{Any, Decode, Encode};

    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let other = VirtualCard::new(kazashi_virtual_card::VirtualCardConfig {
        seed: "another holder".into(),
        ..Profile::PhysicalCard.config()
    });
    let mut session = JpkiCard::new(&mut card);
    let signed = pollster::block_on(sign_pdf(
        &mut session,
        &sample_pdf(1, false),
        &password(),
        &PdfSignOptions::new(NOW),
    ))
    .unwrap();
    let info = ContentInfo::from_der(&signed.cms).unwrap();
    let mut data: SignedData = info.content.decode_as().unwrap();
    let leaf = signed.signature.certificate.der().to_vec();
    let other_leaf = x509_cert::Certificate::from_der(
        other
            .certificate_der(kazashi::CertificateKind::Signing)
            .unwrap(),
    )
    .unwrap();
    let certificates: Vec<CertificateChoices> = data
        .certificates
        .as_ref()
        .unwrap()
        .0
        .iter()
        .map(|c| match c {
            CertificateChoices::Certificate(cert) if cert.to_der().unwrap() == leaf => {
                CertificateChoices::Certificate(other_leaf.clone())
            }
            c => c.clone(),
        })
        .collect();
    data.certificates = Some(cms::signed_data::CertificateSet(
        der::asn1::SetOfVec::try_from(certificates).unwrap(),
    ));
    let swapped = ContentInfo {
        content_type: info.content_type,
        content: Any::encode_from(&data).unwrap(),
    }
    .to_der()
    .unwrap();
    let mut pdf = signed.pdf.clone();
    replace_contents(&mut pdf, &swapped);
    // scripts/test-pdf.sh gives this file to pdfsig and pyHanko too.
    if let Ok(dir) = std::env::var("KAZASHI_PDF_ARTIFACTS") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join("swapped-certificate.pdf"), &pdf).unwrap();
        std::fs::write(
            dir.join("other-card-root.der"),
            other.root_der(PinKind::Signing),
        )
        .unwrap();
    }
    let store = store(&card).with_test_root(
        other.root_der(PinKind::Signing),
        CertificatePurpose::Signature,
    );
    let err = verify_pdf(&pdf, NOW + 60, &store.unwrap()).unwrap_err();
    assert!(
        matches!(
            err,
            PdfError::Signature {
                index: 0,
                source: TrustError::SignerMismatch | TrustError::BadSignature
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_signer_outside_the_trust_store_is_rejected() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let signed = sign(&mut card, &sample_pdf(1, false), &PdfSignOptions::new(NOW)).unwrap();
    let err = verify_pdf(&signed, NOW + 60, &TrustStore::production()).unwrap_err();
    assert!(
        matches!(err, PdfError::Signature { index: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn a_certification_forbids_later_changes_at_p1_and_comes_first() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let mut options = PdfSignOptions::new(NOW);
    options.certify = Some(DocMdp::NoChanges);
    let certified = sign(&mut card, &sample_pdf(1, false), &options).unwrap();
    let verified = verify_pdf(&certified, NOW + 60, &store(&card)).unwrap();
    assert_eq!(verified.signatures[0].certification, Some(1));
    assert!(matches!(
        sign(&mut card, &certified, &options),
        Err(PdfError::InvalidOption { .. })
    ));
    let countersigned = sign(&mut card, &certified, &PdfSignOptions::new(NOW)).unwrap();
    let err = verify_pdf(&countersigned, NOW + 60, &store(&card)).unwrap_err();
    assert!(
        matches!(err, PdfError::ModifiedAfterSigning { index: 0, .. }),
        "{err:?}"
    );

    options.certify = Some(DocMdp::FormFilling);
    let certified = sign(&mut card, &sample_pdf(1, false), &options).unwrap();
    let countersigned = sign(&mut card, &certified, &PdfSignOptions::new(NOW)).unwrap();
    let verified = verify_pdf(&countersigned, NOW + 60, &store(&card)).unwrap();
    assert_eq!(verified.signatures[0].certification, Some(2));
}

#[test]
fn not_a_pdf_and_unsigned_pdfs_are_named() {
    let card = VirtualCard::from_profile(Profile::PhysicalCard);
    assert!(matches!(
        verify_pdf(b"hello", NOW, &store(&card)),
        Err(PdfError::NotPdf { .. })
    ));
    assert!(matches!(
        verify_pdf(&sample_pdf(1, false), NOW, &store(&card)),
        Err(PdfError::NoSignature)
    ));
}
