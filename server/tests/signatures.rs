//! `POST /v1/signatures/verify` over HTTP: CMS and PDF files signed with the virtual card are
//! verified, the signer is named without personal data unless the configuration allows it, and
//! altered files, unsupported formats, bad bodies and bodies over the limit are refused.

mod common;

use base64ct::{Base64, Encoding};
use common::{config, Client, TestServer};
use kazashi::{CertificateInfo, CertificateKind, JpkiCard, SignOptions, SigningPassword};
use kazashi_certificate::{unix_now, DigestAlgorithm};
use kazashi_documents::pdf::{sign_pdf, PdfSignOptions};
use kazashi_documents::{sign_cms, CmsOptions};
use kazashi_virtual_card::VirtualCard;
use lopdf::{dictionary, Document, Object, Stream};
use reqwest::StatusCode;
use serde_json::{json, Value};

const CONTENT: &[u8] = "申請書 / application form\n".as_bytes();

fn password() -> SigningPassword {
    SigningPassword::new("ABC123").unwrap()
}

fn signed_cms(card: &mut VirtualCard, detached: bool) -> Vec<u8> {
    let options = CmsOptions {
        algorithm: DigestAlgorithm::Sha256,
        detached,
        signing_time: unix_now() - 5,
        sign: SignOptions::default(),
    };
    pollster::block_on(sign_cms(
        &mut JpkiCard::new(card),
        CONTENT,
        &password(),
        options,
    ))
    .unwrap()
    .der
}

/// A one-page PDF written by lopdf, signed (PAdES B-B) with the virtual card.
fn signed_pdf(card: &mut VirtualCard) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 24 Tf 72 720 Td (Hello) Tj ET".to_vec(),
    ));
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id,
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
    let mut original = Vec::new();
    doc.save_to(&mut original).unwrap();
    let options = PdfSignOptions::new(unix_now() - 5);
    pollster::block_on(sign_pdf(
        &mut JpkiCard::new(card),
        &original,
        &password(),
        &options,
    ))
    .unwrap()
    .pdf
}

fn signing_certificate(card: &VirtualCard) -> (String, CertificateInfo) {
    let der = card.certificate_der(CertificateKind::Signing).unwrap();
    let (_, parsed) = x509_parser::parse_x509_certificate(der).unwrap();
    let cn = parsed
        .subject()
        .iter_common_name()
        .next()
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    (cn, CertificateInfo::from_der(der).unwrap())
}

fn assert_rejected(answer: &common::Answer, status: StatusCode, reason: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["verdict"], "rejected", "{}", answer.body);
    assert_eq!(answer.body["reason"], reason, "{}", answer.body);
}

#[tokio::test]
async fn a_cms_file_is_verified_and_its_signer_named_without_personal_data() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("signatures_cms");
    let mut card = VirtualCard::default();
    let detached = signed_cms(&mut card, true);
    let attached = signed_cms(&mut card, false);
    let (cn, info) = signing_certificate(&card);

    let body = json!({
        "format": "cms",
        "file_base64": Base64::encode_string(&detached),
        "content_base64": Base64::encode_string(CONTENT),
    });
    let ok = client.verify_signature(&server.base, &body).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["verdict"], "valid");
    assert_eq!(ok.body["format"], "cms");
    assert_eq!(ok.body["signer"]["subject_id"], cn.as_str());
    assert_eq!(ok.body["signer"]["token_type"], "card");
    assert_eq!(ok.body["signer"]["not_after"], info.not_after);
    assert_eq!(ok.body["details"]["detached"], true);
    assert_eq!(ok.body["revocation"], "not checked");
    assert!(ok.body["signer"].get("personal").is_none());
    let present = ok.body["signer"]["personal_attributes_present"]
        .as_array()
        .unwrap();
    assert!(!present.is_empty());
    // The holder's name appears nowhere in the answer.
    let name = info.personal.as_ref().unwrap().name.clone().unwrap();
    assert!(!ok.body.to_string().contains(&name));

    // Attached, in auto format.
    let auto = json!({"file_base64": Base64::encode_string(&attached)});
    let ok = client.verify_signature(&server.base, &auto).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["details"]["detached"], false);

    // Other content than what was signed.
    let altered = json!({
        "format": "cms",
        "file_base64": Base64::encode_string(&detached),
        "content_base64": Base64::encode_string(b"another form"),
    });
    let answer = client.verify_signature(&server.base, &altered).await;
    assert_rejected(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "content-mismatch",
    );
    // Detached without its content.
    let answer = client
        .verify_signature(
            &server.base,
            &json!({"file_base64": Base64::encode_string(&detached)}),
        )
        .await;
    assert_rejected(&answer, StatusCode::BAD_REQUEST, "malformed");
    server.stop().await;
}

#[tokio::test]
async fn personal_attributes_are_returned_only_when_the_configuration_allows_them() {
    let mut cfg = config("example.jp");
    cfg.allow_personal_data = true;
    let server = TestServer::start(cfg).await;
    let client = Client::new("signatures_personal");
    let mut card = VirtualCard::default();
    let attached = signed_cms(&mut card, false);
    let (_, info) = signing_certificate(&card);
    let ok = client
        .verify_signature(
            &server.base,
            &json!({"file_base64": Base64::encode_string(&attached)}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let personal = info.personal.unwrap();
    assert_eq!(ok.body["signer"]["personal"]["name"], json!(personal.name));
    assert_eq!(
        ok.body["signer"]["personal"]["address"],
        json!(personal.address)
    );
    server.stop().await;
}

#[tokio::test]
async fn a_signed_pdf_is_verified_and_an_altered_one_rejected() {
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("signatures_pdf");
    let mut card = VirtualCard::default();
    let pdf = signed_pdf(&mut card);
    let (cn, _) = signing_certificate(&card);
    let ok = client
        .verify_signature(
            &server.base,
            &json!({"file_base64": Base64::encode_string(&pdf)}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["format"], "pdf");
    assert_eq!(ok.body["signer"]["subject_id"], cn.as_str());
    assert_eq!(ok.body["signers"].as_array().unwrap().len(), 1);

    // One byte of the page's text changed ("Hello" -> "Jello"): the signed range no longer
    // matches its digest.
    let at = pdf.windows(5).position(|w| w == b"Hello").unwrap();
    let mut altered = pdf.clone();
    altered[at] = b'J';
    let answer = client
        .verify_signature(
            &server.base,
            &json!({"format": "pdf", "file_base64": Base64::encode_string(&altered)}),
        )
        .await;
    assert_rejected(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "content-mismatch",
    );
    server.stop().await;
}

#[tokio::test]
async fn test_roots_unsupported_formats_bad_bodies_and_big_bodies_are_refused() {
    let mut cfg = config("example.jp");
    cfg.trust_virtual_card = false;
    cfg.signature_body_limit = 64 * 1024;
    let server = TestServer::start(cfg).await;
    let client = Client::new("signatures_refused");
    let mut card = VirtualCard::default();
    let attached = signed_cms(&mut card, false);
    let answer = client
        .verify_signature(
            &server.base,
            &json!({"file_base64": Base64::encode_string(&attached)}),
        )
        .await;
    assert_rejected(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "test-root-not-accepted",
    );

    // Without the `xml` feature, XML has no verifier in the service; with it, a document that
    // holds no signature is a bad request.
    let xml = Base64::encode_string(b"<?xml version=\"1.0\"?><Signature/>");
    for body in [
        json!({"format": "xml", "file_base64": xml}),
        json!({"file_base64": xml}),
    ] {
        let answer = client.verify_signature(&server.base, &body).await;
        #[cfg(not(feature = "xml"))]
        assert_rejected(
            &answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "format-not-supported",
        );
        #[cfg(feature = "xml")]
        assert_rejected(&answer, StatusCode::BAD_REQUEST, "no-signature");
    }
    for body in [
        json!({"file_base64": "***"}),
        json!({"format": "docx", "file_base64": ""}),
        json!({"file_base64": "", "extra": 1}),
        json!([]),
        Value::String("x".into()),
    ] {
        let answer = client.verify_signature(&server.base, &body).await;
        assert_rejected(&answer, StatusCode::BAD_REQUEST, "malformed");
    }
    let big = json!({"file_base64": Base64::encode_string(&vec![0u8; 80 * 1024])});
    let answer = client.verify_signature(&server.base, &big).await;
    assert_rejected(&answer, StatusCode::PAYLOAD_TOO_LARGE, "body-too-large");
    server.stop().await;
}

/// With the `xml` feature (scripts/test-xml.sh): an enveloped XAdES-B-B document signed with the
/// virtual card is verified, and one with an edited element is rejected.
#[cfg(feature = "xml")]
#[tokio::test]
async fn a_signed_xml_document_is_verified_and_an_edited_one_rejected() {
    use kazashi_documents::xml::{sign_xml, XmlSignOptions, XmlTarget};
    let server = TestServer::start(config("example.jp")).await;
    let client = Client::new("signatures_xml");
    let mut card = VirtualCard::default();
    let form = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><申請><氏名>デジタル 花子</氏名><金額>1000</金額></申請>";
    let options = XmlSignOptions {
        target: XmlTarget::Document,
        signing_time: unix_now() - 5,
        sign: SignOptions::default(),
    };
    let signed = pollster::block_on(sign_xml(
        &mut JpkiCard::new(&mut card),
        form.as_bytes(),
        &password(),
        &options,
    ))
    .unwrap()
    .xml;
    let (cn, _) = signing_certificate(&card);
    let ok = client
        .verify_signature(
            &server.base,
            &json!({"file_base64": Base64::encode_string(&signed)}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["format"], "xml");
    assert_eq!(ok.body["signer"]["subject_id"], cn.as_str());
    assert_eq!(ok.body["details"]["covers"]["document"], true);

    let text = String::from_utf8(signed).unwrap();
    let edited = text.replace("<金額>1000</金額>", "<金額>9000</金額>");
    assert_ne!(edited, text);
    let answer = client
        .verify_signature(
            &server.base,
            &json!({"format": "xml", "file_base64": Base64::encode_string(edited.as_bytes())}),
        )
        .await;
    assert_rejected(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reference-mismatch",
    );
    server.stop().await;
}
