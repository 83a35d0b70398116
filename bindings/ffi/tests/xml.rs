//! `CardSession.signXml` and `verifyXml` as Kotlin and Swift call them, against the virtual
//! card: one tap signs, the result verifies, an edited element is rejected as altered content,
//! and a TSA that cannot be reached leaves a valid B-B document with the reason.

use std::sync::Arc;

use kazashi_ffi::xml::{verify_xml, XmlSignOptions, XmlTarget};
use kazashi_ffi::{
    CardSession, CertificatePurpose, PinKind, RejectionKind, SignOptions, TestRoot,
    VerificationError, VirtualCard, VirtualCardProfile,
};

const FORM: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<申請 xmlns=\"urn:example\"><氏名 Id=\"name\">山田 太郎</氏名><金額>1200</金額></申請>\n";

fn roots(card: &Arc<VirtualCard>) -> Vec<TestRoot> {
    vec![TestRoot {
        der: card.root_certificate(PinKind::Signing),
        purpose: CertificatePurpose::Signature,
    }]
}

fn sign_options() -> SignOptions {
    SignOptions {
        confirm_last_attempt: false,
        allow_legacy_sha1: false,
    }
}

#[test]
fn sign_xml_then_verify_xml_through_the_bindings() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let session = CardSession::new(card.clone());
    for target in [
        XmlTarget::Document,
        XmlTarget::Element { id: "name".into() },
    ] {
        let before = card.pin_verifications();
        let signed = pollster::block_on(session.sign_xml(
            FORM.as_bytes().to_vec(),
            "ABC123".into(),
            XmlSignOptions {
                target: target.clone(),
                timestamp_url: None,
                tsa_roots: Vec::new(),
            },
            sign_options(),
        ))
        .unwrap();
        assert_eq!(card.pin_verifications() - before, 1, "one tap per document");
        assert!(!signed.timestamped);
        let check = verify_xml(signed.xml.clone(), None, roots(&card), Vec::new()).unwrap();
        assert_eq!(check.signed, target);
        assert!(check.signing_time.is_some());

        let edited = String::from_utf8(signed.xml.clone())
            .unwrap()
            .replace("山田 太郎", "山田 次郎");
        match verify_xml(edited.into_bytes(), None, roots(&card), Vec::new()) {
            Err(VerificationError::Rejected { kind, reason }) => {
                assert_eq!(kind, RejectionKind::ContentMismatch, "{reason}");
                assert!(reason.contains("reference-mismatch"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // Without the test root, the signer is not trusted.
        match verify_xml(signed.xml, None, Vec::new(), Vec::new()) {
            Err(VerificationError::Rejected { kind, .. }) => {
                assert_ne!(kind, RejectionKind::Malformed)
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_detached_signature_and_an_unreachable_tsa() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let session = CardSession::new(card.clone());
    let attachment = b"attachment bytes".to_vec();
    let signed = pollster::block_on(session.sign_xml(
        attachment.clone(),
        "ABC123".into(),
        XmlSignOptions {
            target: XmlTarget::Detached {
                uri: "attachment.bin".into(),
            },
            // Nothing listens on the discard port: the TSA step fails after the tap.
            timestamp_url: Some("http://127.0.0.1:9/".into()),
            tsa_roots: Vec::new(),
        },
        sign_options(),
    ))
    .unwrap();
    assert!(!signed.timestamped);
    assert!(signed
        .timestamp_error
        .unwrap()
        .contains("could not be reached"));
    let check = verify_xml(
        signed.xml.clone(),
        Some(attachment),
        roots(&card),
        Vec::new(),
    )
    .unwrap();
    assert_eq!(
        check.signed,
        XmlTarget::Detached {
            uri: "attachment.bin".into()
        }
    );
    assert_eq!(check.timestamp_time, None);
    match verify_xml(
        signed.xml,
        Some(b"other".to_vec()),
        roots(&card),
        Vec::new(),
    ) {
        Err(VerificationError::Rejected { kind, .. }) => {
            assert_eq!(kind, RejectionKind::ContentMismatch)
        }
        other => panic!("{other:?}"),
    }
}
