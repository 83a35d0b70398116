//! RFC 3161 timestamps against the local OpenSSL TSA (`scripts/tsa/`): CAdES-T files made
//! through the virtual card, checked by us, by `openssl ts -verify` (the token) and by
//! `openssl cms -verify` (the file); each bad TSA answer rejected with its typed reason, and the
//! card's signature kept when the TSA fails.

mod timestamp_support;

use kazashi::{unix_now, CertificateInfo, CertificatePurpose, DigestAlgorithm, JpkiCard, PinKind};
use kazashi::{SignOptions, SigningPassword};
use kazashi_documents::timestamp::{
    add_signature_timestamp, sign_cms_with_timestamp, signature_timestamp_token,
    verify_timestamp_token, TimestampClient, TimestampError,
};
use kazashi_documents::CmsOptions;
use kazashi_verify::{verify_cms, TrustStore};
use kazashi_virtual_card::{Profile, VirtualCard};
use timestamp_support::{openssl, openssl_ts_verify, LocalTsa};

fn options() -> CmsOptions {
    CmsOptions {
        algorithm: DigestAlgorithm::Sha256,
        detached: true,
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

fn sign_with(
    card: &mut VirtualCard,
    content: &[u8],
    tsa: &TimestampClient,
) -> kazashi_documents::timestamp::Timestamped<kazashi_documents::SignedFile> {
    let password = SigningPassword::new("ABC123").unwrap();
    pollster::block_on(sign_cms_with_timestamp(
        &mut JpkiCard::new(card),
        content,
        &password,
        options(),
        tsa,
    ))
    .expect("the card signs")
}

#[test]
fn a_cades_t_file_is_accepted_by_us_and_by_openssl() {
    let tsa = LocalTsa::start();
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let content = "電子申請書 / application form".as_bytes();
    for mode in ["", "ess-v1"] {
        let client = TimestampClient::new(tsa.url(mode), vec![tsa.root_der()]);
        let before = unix_now();
        let signed = sign_with(&mut card, content, &client);
        let token = signed.timestamp.clone().expect("the TSA answered");
        assert!(signed.is_timestamped());
        assert!(token.gen_time >= before - 5 && token.gen_time <= unix_now() + 5);
        assert!(
            token.tsa_name.contains("Kazashi test TSA"),
            "{}",
            token.tsa_name
        );
        let der = &signed.document.der;

        // The CMS signature is untouched: our verifier still accepts the file.
        verify_cms(der, Some(content), unix_now(), &store(&card)).unwrap();
        // The embedded token covers this file's signature value, from a trusted TSA.
        let found = signature_timestamp_token(der).unwrap().unwrap();
        let (embedded, signature_value) = (found.token, found.signature_value);
        assert_eq!(signature_value, signed.document.signature.signature);
        let checked =
            verify_timestamp_token(&embedded, &signature_value, &[tsa.root_der()]).unwrap();
        assert_eq!(checked.gen_time, token.gen_time);

        // OpenSSL: the token over the signature value, then the whole CAdES-T file.
        let (ok, out) = openssl_ts_verify(
            &embedded,
            &signature_value,
            &tsa.root_pem(),
            &tsa.scratch(&format!("cades-t{mode}")),
        );
        assert!(
            ok && out.contains("Verification: OK"),
            "openssl ts -verify: {out}"
        );
        println!(
            "openssl ts -verify (CAdES-T token, mode {mode:?}): {}",
            out.trim()
        );
        let dir = tsa.scratch("");
        let p7s = dir.join("doc.p7s");
        let doc = dir.join("doc.txt");
        let root = dir.join("card-root.pem");
        std::fs::write(&p7s, der).unwrap();
        std::fs::write(&doc, content).unwrap();
        std::fs::write(
            &root,
            CertificateInfo::from_der(card.root_der(PinKind::Signing))
                .unwrap()
                .to_pem(),
        )
        .unwrap();
        let (ok, out) = openssl(&[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            p7s.to_str().unwrap(),
            "-content",
            doc.to_str().unwrap(),
            "-CAfile",
            root.to_str().unwrap(),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ]);
        assert!(ok, "openssl cms -verify: {out}");
        println!("openssl cms -verify (CAdES-T file): {}", out.trim());
        let (_, printed) = openssl(&[
            "cms",
            "-cmsout",
            "-print",
            "-inform",
            "DER",
            "-in",
            p7s.to_str().unwrap(),
        ]);
        assert!(printed.contains("id-smime-aa-timeStampToken"), "{printed}");
    }
}

#[test]
fn bad_tsa_answers_are_rejected_with_their_reason_and_the_signature_is_kept() {
    let tsa = LocalTsa::start();
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let content = b"keep the tap";
    type Expected = fn(&TimestampError) -> bool;
    let cases: [(&str, Vec<Vec<u8>>, Expected); 6] = [
        ("bad-nonce", vec![tsa.root_der()], |e| {
            *e == TimestampError::WrongNonce
        }),
        ("bad-imprint", vec![tsa.root_der()], |e| {
            *e == TimestampError::WrongImprint
        }),
        ("untrusted", vec![tsa.root_der()], |e| {
            matches!(e, TimestampError::UntrustedTsa { .. })
        }),
        // A good token, but the caller trusts only another root.
        ("", vec![tsa.other_root_der()], |e| {
            matches!(e, TimestampError::UntrustedTsa { .. })
        }),
        ("reject", vec![tsa.root_der()], |e| {
            matches!(e, TimestampError::Rejected { status: 2, .. })
        }),
        ("http-error", vec![tsa.root_der()], |e| {
            matches!(e, TimestampError::Transport { .. })
        }),
    ];
    for (mode, roots, expected) in cases {
        let client = TimestampClient::new(tsa.url(mode), roots);
        let signed = sign_with(&mut card, content, &client);
        let error = signed.timestamp.clone().unwrap_err();
        assert!(expected(&error), "mode {mode:?}: {error:?}");
        println!("TSA mode {mode:?}: {} — {error}", error.kind());
        // The B-B file is there and valid, without a timestamp.
        verify_cms(
            &signed.document.der,
            Some(content),
            unix_now(),
            &store(&card),
        )
        .unwrap();
        assert_eq!(
            signature_timestamp_token(&signed.document.der).unwrap(),
            None
        );
    }
    // No TSA listening at all.
    let closed = TimestampClient::new("http://127.0.0.1:9/", vec![tsa.root_der()]);
    let signed = sign_with(&mut card, content, &closed);
    assert!(matches!(
        signed.timestamp,
        Err(TimestampError::Transport { .. })
    ));
}

#[test]
fn openssl_agrees_on_the_bad_tokens() {
    // The nonce check needs the request, so OpenSSL judges the other two cases on the token.
    let tsa = LocalTsa::start();
    let data = b"signature value stand-in";
    let good = TimestampClient::new(tsa.url(""), vec![tsa.root_der()])
        .timestamp_data(data)
        .unwrap();
    let (ok, out) = openssl_ts_verify(&good.der, data, &tsa.root_pem(), &tsa.scratch("good"));
    assert!(ok, "{out}");
    // Another imprint: both refuse.
    let (ok, out) = openssl_ts_verify(
        &good.der,
        b"other data",
        &tsa.root_pem(),
        &tsa.scratch("imprint"),
    );
    assert!(!ok && out.contains("message imprint mismatch"), "{out}");
    assert_eq!(
        verify_timestamp_token(&good.der, b"other data", &[tsa.root_der()]),
        Err(TimestampError::WrongImprint)
    );
    // A root that did not issue the TSA certificate: both refuse.
    let other_pem = tsa.scratch("other-root.pem");
    let (ok, out) = openssl_ts_verify(&good.der, data, &other_pem, &tsa.scratch("untrusted"));
    assert!(!ok, "{out}");
    assert!(matches!(
        verify_timestamp_token(&good.der, data, &[tsa.other_root_der()]),
        Err(TimestampError::UntrustedTsa { .. })
    ));
    // A token that was altered (one byte of the TSTInfo's serial area): refused.
    let mut altered = good.der.clone();
    let at = altered.len() / 3;
    altered[at] ^= 0x01;
    assert!(verify_timestamp_token(&altered, data, &[tsa.root_der()]).is_err());
}

#[test]
fn a_token_over_another_signature_is_not_added() {
    let tsa = LocalTsa::start();
    let mut card = VirtualCard::from_profile(Profile::PhysicalCard);
    let client = TimestampClient::new(tsa.url(""), vec![tsa.root_der()]);
    let first = sign_with(&mut card, b"one", &client);
    let second = sign_with(&mut card, b"two", &client);
    let token = first.timestamp.unwrap();
    let second_bb = {
        // The second file without its token: rebuild from the card signature by re-signing.
        let password = SigningPassword::new("ABC123").unwrap();
        pollster::block_on(kazashi_documents::sign_cms(
            &mut JpkiCard::new(&mut card),
            b"two",
            &password,
            options(),
        ))
        .unwrap()
    };
    assert_eq!(
        add_signature_timestamp(&second_bb.der, &token),
        Err(TimestampError::WrongImprint)
    );
    assert!(second.is_timestamped());
}
