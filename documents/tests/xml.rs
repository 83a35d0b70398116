//! XAdES signatures through the virtual card: enveloped (whole document and element by Id),
//! detached, and XAdES-T against the local OpenSSL TSA. Each file is checked by our verifier
//! and by `xmlsec1 --verify` (with the virtual card's root trusted); edits are refused by both,
//! ours with a typed reason. The embedded tokens are checked by `openssl ts -verify`.

#![cfg(feature = "xml")]

mod timestamp_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use kazashi::{unix_now, CertificatePurpose, JpkiCard, PinKind, SignOptions, SigningPassword};
use kazashi_documents::timestamp::{TimestampClient, TimestampError};
use kazashi_documents::xml::{
    canonicalize, sign_xml, sign_xml_with_timestamp, timestamp_xml, verify_xml, Canonicalization,
    SignedReference, XmlError, XmlSignOptions, XmlTarget, XADES_NS,
};
use kazashi_verify::{TrustError, TrustStore};
use kazashi_virtual_card::{Profile, VirtualCard};
use timestamp_support::{openssl_ts_verify, LocalTsa};

const FORM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- 電子申請 -->
<申請書 xmlns="urn:example:application" xmlns:x="urn:example:extra" version="1.0">
  <申請者 Id="applicant">
    <氏名>山田 太郎</氏名>
    <住所>東京都千代田区1-1</住所>
  </申請者>
  <内容 Id="body" x:kind="permit">
    <項目 name="amount">1200</項目>
    <備考><![CDATA[a < b & c]]></備考>
  </内容>
</申請書>
"#;

fn password() -> SigningPassword {
    SigningPassword::new("ABC123").unwrap()
}

fn options(target: XmlTarget) -> XmlSignOptions {
    XmlSignOptions {
        target,
        signing_time: unix_now(),
        sign: SignOptions::default(),
    }
}

fn store(card: &VirtualCard) -> TrustStore {
    TrustStore::production()
        .with_test_root(
            card.root_der(PinKind::Signing),
            CertificatePurpose::Signature,
        )
        .unwrap()
}

fn sign(card: &mut VirtualCard, input: &[u8], target: XmlTarget) -> Vec<u8> {
    let mut session = JpkiCard::new(card);
    let signed =
        pollster::block_on(sign_xml(&mut session, input, &password(), &options(target))).unwrap();
    assert!(session.stats().apdus > 0);
    signed.xml
}

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kazashi-xml-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `xmlsec1 --verify` with the virtual card's signing root trusted and the Id attributes
/// registered (no DTD declares them).
fn xmlsec1(dir: &Path, file: &str, card: &VirtualCard, extra_ids: &[&str]) -> (bool, String) {
    let root = dir.join("card-root.der");
    std::fs::write(&root, card.root_der(PinKind::Signing)).unwrap();
    let mut command = Command::new("xmlsec1");
    command
        .current_dir(dir)
        .args(["--verify", "--trusted-der"])
        .arg(&root)
        .args(["--id-attr:Id", &format!("{XADES_NS}:SignedProperties")]);
    for id in extra_ids {
        command.args(["--id-attr:Id", id]);
    }
    let out = command
        .arg(file)
        .output()
        .expect("xmlsec1 is installed (scripts/test-xml.sh installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn an_enveloped_signature_over_the_document_is_accepted_by_us_and_xmlsec1() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let signed = sign(&mut card, FORM.as_bytes(), XmlTarget::Document);
    let verified = verify_xml(&signed, None, unix_now(), &store(&card), &[]).unwrap();
    assert_eq!(verified.signed, SignedReference::Document);
    assert!(verified.signing_time.is_some());
    assert!(verified.timestamp.is_none());

    let dir = workdir("enveloped");
    std::fs::write(dir.join("signed.xml"), &signed).unwrap();
    let (ok, out) = xmlsec1(&dir, "signed.xml", &card, &[]);
    assert!(ok && out.contains("OK"), "xmlsec1: {out}");
    println!("xmlsec1 --verify (enveloped, URI=\"\"): {}", out.trim());

    // The document's text is untouched apart from the signature: the same canonical form.
    let text = String::from_utf8(signed.clone()).unwrap();
    assert!(text.contains("<氏名>山田 太郎</氏名>"));

    // An edited element: both refuse, ours saying the content was altered.
    let edited = text.replace("1200", "9200");
    assert_eq!(
        verify_xml(edited.as_bytes(), None, unix_now(), &store(&card), &[]).unwrap_err(),
        XmlError::ReferenceMismatch { uri: String::new() }
    );
    std::fs::write(dir.join("edited.xml"), &edited).unwrap();
    let (ok, out) = xmlsec1(&dir, "edited.xml", &card, &[]);
    assert!(
        !ok && out.contains("FAIL"),
        "xmlsec1 accepted an edited file: {out}"
    );
    println!(
        "xmlsec1 --verify (edited element): {}",
        out.lines().last().unwrap_or("")
    );
}

#[test]
fn an_element_signed_by_id_is_accepted_and_edits_outside_it_do_not_matter() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let signed = sign(
        &mut card,
        FORM.as_bytes(),
        XmlTarget::Element { id: "body".into() },
    );
    let verified = verify_xml(&signed, None, unix_now(), &store(&card), &[]).unwrap();
    assert_eq!(
        verified.signed,
        SignedReference::Element { id: "body".into() }
    );

    let dir = workdir("by-id");
    std::fs::write(dir.join("signed.xml"), &signed).unwrap();
    let ids = ["urn:example:application:内容"];
    let (ok, out) = xmlsec1(&dir, "signed.xml", &card, &ids);
    assert!(ok, "xmlsec1: {out}");

    let text = String::from_utf8(signed).unwrap();
    // Outside the signed element: still valid (that is what signing an element means).
    let outside = text.replace("山田 太郎", "山田 次郎");
    verify_xml(outside.as_bytes(), None, unix_now(), &store(&card), &[]).unwrap();
    // Inside it: refused by both.
    let inside = text.replace("x:kind=\"permit\"", "x:kind=\"refuse\"");
    assert_eq!(
        verify_xml(inside.as_bytes(), None, unix_now(), &store(&card), &[]).unwrap_err(),
        XmlError::ReferenceMismatch {
            uri: "#body".into()
        }
    );
    std::fs::write(dir.join("inside.xml"), &inside).unwrap();
    let (ok, out) = xmlsec1(&dir, "inside.xml", &card, &ids);
    assert!(!ok, "xmlsec1 accepted an edited element: {out}");
}

#[test]
fn a_detached_signature_covers_the_separate_file() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let dir = workdir("detached");
    let content = b"%PDF-1.4 stand-in for an attachment\n".to_vec();
    std::fs::write(dir.join("attachment.bin"), &content).unwrap();
    let signed = sign(
        &mut card,
        &content,
        XmlTarget::Detached {
            uri: "attachment.bin".into(),
        },
    );
    let verified = verify_xml(&signed, Some(&content), unix_now(), &store(&card), &[]).unwrap();
    assert_eq!(
        verified.signed,
        SignedReference::Detached {
            uri: "attachment.bin".into()
        }
    );
    assert!(matches!(
        verify_xml(&signed, None, unix_now(), &store(&card), &[]),
        Err(XmlError::DetachedContentNeeded { .. })
    ));
    assert_eq!(
        verify_xml(&signed, Some(b"other"), unix_now(), &store(&card), &[]).unwrap_err(),
        XmlError::ReferenceMismatch {
            uri: "attachment.bin".into()
        }
    );
    std::fs::write(dir.join("attachment.xml"), &signed).unwrap();
    let (ok, out) = xmlsec1(&dir, "attachment.xml", &card, &[]);
    assert!(ok, "xmlsec1: {out}");
    std::fs::write(dir.join("attachment.bin"), b"changed").unwrap();
    let (ok, out) = xmlsec1(&dir, "attachment.xml", &card, &[]);
    assert!(!ok, "xmlsec1 accepted a changed attachment: {out}");
}

#[test]
fn a_xades_t_signature_carries_a_token_openssl_accepts() {
    let tsa = LocalTsa::start();
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let client = TimestampClient::new(tsa.url(""), vec![tsa.root_der()]);
    let stamped = pollster::block_on(sign_xml_with_timestamp(
        &mut JpkiCard::new(&mut card),
        FORM.as_bytes(),
        &password(),
        &options(XmlTarget::Document),
        &client,
    ))
    .unwrap();
    let token = stamped.timestamp.clone().expect("the TSA answered");
    let xml = stamped.document.xml;
    let verified = verify_xml(&xml, None, unix_now(), &store(&card), &[tsa.root_der()]).unwrap();
    assert_eq!(
        verified.timestamp.as_ref().map(|t| t.gen_time),
        Some(token.gen_time)
    );
    // Without the TSA root, the timestamp is refused rather than ignored.
    assert!(matches!(
        verify_xml(&xml, None, unix_now(), &store(&card), &[]),
        Err(XmlError::Timestamp(TimestampError::UntrustedTsa { .. }))
    ));

    // xmlsec1 still accepts the signature (the timestamp is an unsigned property).
    let dir = workdir("xades-t");
    std::fs::write(dir.join("signed.xml"), &xml).unwrap();
    let (ok, out) = xmlsec1(&dir, "signed.xml", &card, &[]);
    assert!(ok, "xmlsec1: {out}");
    // OpenSSL: the token's imprint is the hash of the canonical SignatureValue.
    let value = canonicalize(
        &xml,
        Canonicalization::Exclusive,
        Some((Some("http://www.w3.org/2000/09/xmldsig#"), "SignatureValue")),
    )
    .unwrap();
    let (ok, out) = openssl_ts_verify(&token.der, &value, &tsa.root_pem(), &tsa.scratch("xades-t"));
    assert!(
        ok && out.contains("Verification: OK"),
        "openssl ts -verify: {out}"
    );
    println!("openssl ts -verify (XAdES-T token): {}", out.trim());

    // An edited token is refused.
    let text = String::from_utf8(xml).unwrap();
    let start = text.find("<xades:EncapsulatedTimeStamp>").unwrap() + 200;
    let mut bytes = text.into_bytes();
    bytes[start] = if bytes[start] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        verify_xml(&bytes, None, unix_now(), &store(&card), &[tsa.root_der()]),
        Err(XmlError::Timestamp(_))
    ));
}

#[test]
fn a_tsa_failure_keeps_the_b_b_signature() {
    let tsa = LocalTsa::start();
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    for (mode, check) in [
        ("bad-nonce", TimestampError::WrongNonce),
        ("bad-imprint", TimestampError::WrongImprint),
    ] {
        let client = TimestampClient::new(tsa.url(mode), vec![tsa.root_der()]);
        let stamped = pollster::block_on(sign_xml_with_timestamp(
            &mut JpkiCard::new(&mut card),
            FORM.as_bytes(),
            &password(),
            &options(XmlTarget::Document),
            &client,
        ))
        .unwrap();
        assert_eq!(stamped.timestamp.unwrap_err(), check);
        let verified =
            verify_xml(&stamped.document.xml, None, unix_now(), &store(&card), &[]).unwrap();
        assert!(verified.timestamp.is_none());
    }
    let untrusted = TimestampClient::new(tsa.url("untrusted"), vec![tsa.root_der()]);
    let signed = sign(&mut card, FORM.as_bytes(), XmlTarget::Document);
    let stamped = timestamp_xml(signed.clone(), &untrusted);
    assert!(matches!(
        stamped.timestamp,
        Err(TimestampError::UntrustedTsa { .. })
    ));
    assert_eq!(stamped.document, signed);
}

#[test]
fn wrong_certificates_and_forged_parts_are_refused_with_their_reason() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let signed = sign(&mut card, FORM.as_bytes(), XmlTarget::Document);
    // Nobody opted into the virtual card's test root.
    assert!(matches!(
        verify_xml(&signed, None, unix_now(), &TrustStore::production(), &[]),
        Err(XmlError::Trust(_))
    ));
    // Another card's certificate in KeyInfo: the signature no longer verifies.
    let mut other = VirtualCard::from_profile(Profile::PhysicalCard);
    let other_signed = sign(&mut other, FORM.as_bytes(), XmlTarget::Document);
    let cert_of = |xml: &[u8]| {
        let text = String::from_utf8(xml.to_vec()).unwrap();
        let start = text.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
        let end = text.find("</ds:X509Certificate>").unwrap();
        text[start..end].to_string()
    };
    let (mine, theirs) = (cert_of(&signed), cert_of(&other_signed));
    if mine != theirs {
        let swapped = String::from_utf8(signed.clone())
            .unwrap()
            .replace(&mine, &theirs);
        assert_eq!(
            verify_xml(swapped.as_bytes(), None, unix_now(), &store(&card), &[]).unwrap_err(),
            XmlError::BadSignature
        );
    }
    // An edited SigningTime: the SignedProperties digest fails.
    let text = String::from_utf8(signed.clone()).unwrap();
    let at = text.find("<xades:SigningTime>").unwrap() + "<xades:SigningTime>".len();
    let forged = format!("{}1999{}", &text[..at], &text[at + 4..]);
    assert!(matches!(
        verify_xml(forged.as_bytes(), None, unix_now(), &store(&card), &[]).unwrap_err(),
        XmlError::ReferenceMismatch { uri } if uri.starts_with("#kazashi-")
    ));
    // A document that is not signed.
    assert_eq!(
        verify_xml(FORM.as_bytes(), None, unix_now(), &store(&card), &[]).unwrap_err(),
        XmlError::NoSignature
    );
    let _ = TrustError::BadSignature;
}

#[test]
fn documents_that_cannot_be_signed_are_refused_before_the_card_is_asked() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let cases: [(&[u8], XmlTarget); 4] = [
        (b"<a><b></a>", XmlTarget::Document),
        (
            b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            XmlTarget::Document,
        ),
        (
            FORM.as_bytes(),
            XmlTarget::Element {
                id: "missing".into(),
            },
        ),
        (
            b"<a><b Id=\"x\"/><c Id=\"x\"/></a>",
            XmlTarget::Element { id: "x".into() },
        ),
    ];
    for (input, target) in cases {
        let mut session = JpkiCard::new(&mut card);
        let err = pollster::block_on(sign_xml(&mut session, input, &password(), &options(target)))
            .unwrap_err();
        assert!(
            matches!(err, XmlError::Parse { .. } | XmlError::Unsupported { .. }),
            "{err:?}"
        );
        assert_eq!(session.stats().apdus, 0, "the card was asked for {err}");
    }
}

#[test]
fn a_shift_jis_document_is_signed_as_utf8_and_stays_valid() {
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    // `<申請><氏名>山田</氏名></申請>` in Shift_JIS: 申請 = 90 5C 90 BF, 氏名 = 8E 81 96 BC,
    // 山田 = 8E 52 93 63.
    let sjis: &[u8] = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n\
<\x90\x5c\x90\xbf><\x8e\x81\x96\xbc>\x8e\x52\x93\x63</\x8e\x81\x96\xbc></\x90\x5c\x90\xbf>\n";
    let signed = sign(&mut card, sjis, XmlTarget::Document);
    let text = String::from_utf8(signed.clone()).expect("the output is UTF-8");
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{text}"
    );
    assert!(text.contains("<申請><氏名>山田</氏名>"), "{text}");
    verify_xml(&signed, None, unix_now(), &store(&card), &[]).unwrap();
    let dir = workdir("sjis");
    std::fs::write(dir.join("signed.xml"), &signed).unwrap();
    let (ok, out) = xmlsec1(&dir, "signed.xml", &card, &[]);
    assert!(ok, "xmlsec1: {out}");
}
