//! Signed files across implementations: OpenSSL verifies the CMS files we build around a
//! virtual-card signature, and our verifier accepts files OpenSSL signs.

use std::path::Path;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Any, Decode, Encode};
use kazashi::{
    CertificateInfo, CertificateKind, CertificatePurpose, DigestAlgorithm, JpkiCard, PinKind,
    SignOptions, SigningPassword,
};
use kazashi_documents::{sign_cms, CmsOptions};
use kazashi_tests::{openssl, workdir};
use kazashi_verify::{verify_cms, TrustError, TrustStore};
use kazashi_virtual_card::{VirtualCard, VirtualCardConfig};

const NOW: i64 = 1_800_000_000;

fn options(detached: bool, algorithm: DigestAlgorithm) -> CmsOptions {
    CmsOptions {
        algorithm,
        detached,
        signing_time: NOW,
        sign: SignOptions::default(),
    }
}

fn sign(
    card: &mut VirtualCard,
    content: &[u8],
    detached: bool,
    algorithm: DigestAlgorithm,
) -> Vec<u8> {
    let password = SigningPassword::new("ABC123").unwrap();
    pollster::block_on(sign_cms(
        &mut JpkiCard::new(card),
        content,
        &password,
        options(detached, algorithm),
    ))
    .unwrap()
    .der
}

fn store_for(card: &VirtualCard) -> TrustStore {
    TrustStore::production()
        .with_test_root(
            card.root_der(PinKind::Signing),
            CertificatePurpose::Signature,
        )
        .unwrap()
}

/// `openssl cms -verify` of `p7s` in `dir` (which holds `doc.txt`, the content, and
/// `root.pem`, the trust anchor); the content goes to `out.txt`.
fn openssl_cms_verify(dir: &Path, p7s: &Path, detached: bool) -> (bool, String) {
    let content = dir.join("doc.txt");
    let root = dir.join("root.pem");
    let out = dir.join("out.txt");
    let mut args = vec![
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        p7s.to_str().unwrap(),
    ];
    if detached {
        args.extend(["-content", content.to_str().unwrap()]);
    }
    args.extend([
        "-CAfile",
        root.to_str().unwrap(),
        "-purpose",
        "any",
        "-out",
        out.to_str().unwrap(),
    ]);
    openssl(&args)
}

fn write_pem(path: &Path, der: &[u8]) {
    std::fs::write(path, CertificateInfo::from_der(der).unwrap().to_pem()).unwrap();
}

#[test]
fn openssl_verifies_our_detached_and_attached_files() {
    let dir = workdir("cms", "ours");
    let content = "確定申告書 / tax return 2026".as_bytes();
    std::fs::write(dir.join("doc.txt"), content).unwrap();
    let mut card = VirtualCard::default();
    write_pem(&dir.join("root.pem"), card.root_der(PinKind::Signing));
    for (detached, algorithm) in [
        (true, DigestAlgorithm::Sha256),
        (false, DigestAlgorithm::Sha256),
        (true, DigestAlgorithm::Sha384),
        (false, DigestAlgorithm::Sha512),
    ] {
        let der = sign(&mut card, content, detached, algorithm);
        // Ours first.
        let ours = verify_cms(&der, detached.then_some(content), NOW, &store_for(&card)).unwrap();
        assert_eq!(ours.algorithm, algorithm);
        assert_eq!(ours.signing_time, Some(NOW));
        assert_eq!(ours.content, content);
        // Then OpenSSL's.
        let p7s = dir.join("doc.p7s");
        std::fs::write(&p7s, &der).unwrap();
        let out = dir.join("out.txt");
        let (ok, text) = openssl_cms_verify(&dir, &p7s, detached);
        assert!(
            ok && text.contains("Verification successful"),
            "{detached} {algorithm:?}: {text}"
        );
        assert_eq!(std::fs::read(&out).unwrap(), content);
        // OpenSSL sees the CAdES-BES signed attributes.
        let (_, printed) = openssl(&[
            "cms",
            "-cmsout",
            "-print",
            "-inform",
            "DER",
            "-in",
            p7s.to_str().unwrap(),
        ]);
        for attr in [
            "contentType",
            "messageDigest",
            "signingTime",
            "id-smime-aa-signingCertificateV2",
        ] {
            assert!(printed.contains(attr), "{attr} missing:\n{printed}");
        }
    }
}

/// A JPKI-shaped signature certificate and its root, made by OpenSSL.
fn openssl_pki(dir: &Path) {
    let config = "[root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n\
                  [leaf]\nkeyUsage=critical,digitalSignature,nonRepudiation\ncertificatePolicies=critical,1.2.392.200149.8.5.1.0.20\n\
                  subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n";
    std::fs::write(dir.join("ext.cnf"), config).unwrap();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let steps: Vec<Vec<String>> = vec![
        vec![
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "3650",
            "-subj",
            "/C=JP/O=Example Test CA",
            "-keyout",
            &p("root.key"),
            "-out",
            &p("root.pem"),
            "-extensions",
            "root",
            "-config",
            &p("ext.cnf"),
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        vec![
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/C=JP/CN=OPENSSL SIGNER",
            "-keyout",
            &p("leaf.key"),
            "-out",
            &p("leaf.csr"),
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        vec![
            "x509",
            "-req",
            "-in",
            &p("leaf.csr"),
            "-CA",
            &p("root.pem"),
            "-CAkey",
            &p("root.key"),
            "-CAcreateserial",
            "-days",
            "3650",
            "-sha256",
            "-extfile",
            &p("ext.cnf"),
            "-extensions",
            "leaf",
            "-out",
            &p("leaf.pem"),
        ]
        .into_iter()
        .map(String::from)
        .collect(),
    ];
    for step in steps {
        let args: Vec<&str> = step.iter().map(String::as_str).collect();
        let (ok, text) = openssl(&args);
        assert!(ok, "{args:?}: {text}");
    }
}

fn pem_der(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap();
    let (_, der) = der::pem::decode_vec(text.as_bytes()).unwrap();
    der
}

#[test]
fn our_verifier_accepts_files_openssl_signs() {
    let dir = workdir("cms", "theirs");
    openssl_pki(&dir);
    let content = b"signed by OpenSSL";
    std::fs::write(dir.join("doc.txt"), content).unwrap();
    let store = TrustStore::empty()
        .with_test_root(
            &pem_der(&dir.join("root.pem")),
            CertificatePurpose::Signature,
        )
        .unwrap();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    for detached in [true, false] {
        let mut args = vec![
            "cms",
            "-sign",
            "-binary",
            "-cades",
            "-md",
            "sha256",
            "-in",
            &p("doc.txt"),
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        args.extend(
            [
                "-signer",
                &p("leaf.pem"),
                "-inkey",
                &p("leaf.key"),
                "-outform",
                "DER",
                "-out",
                &p("signed.p7s"),
            ]
            .map(String::from),
        );
        if !detached {
            args.push("-nodetach".into());
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, text) = openssl(&argv);
        assert!(ok, "{text}");
        let der = std::fs::read(dir.join("signed.p7s")).unwrap();
        let now = kazashi::unix_now();
        let verified = verify_cms(&der, detached.then_some(&content[..]), now, &store).unwrap();
        assert_eq!(verified.content, content);
        assert_eq!(verified.detached, detached);
        assert!(verified
            .chain
            .certificate
            .subject
            .contains("OPENSSL SIGNER"));
        // SHA-1 is refused even from a valid signer.
        if detached {
            let sha1 = [
                "cms",
                "-sign",
                "-binary",
                "-md",
                "sha1",
                "-in",
                &p("doc.txt"),
                "-signer",
                &p("leaf.pem"),
                "-inkey",
                &p("leaf.key"),
                "-outform",
                "DER",
                "-out",
                &p("sha1.p7s"),
            ];
            let (ok, text) = openssl(&sha1);
            assert!(ok, "{text}");
            let weak = std::fs::read(dir.join("sha1.p7s")).unwrap();
            assert!(matches!(
                verify_cms(&weak, Some(&content[..]), now, &store),
                Err(TrustError::WeakAlgorithm { .. })
            ));
        }
        // The same file against other content.
        if detached {
            assert_eq!(
                verify_cms(&der, Some(b"other"), now, &store).unwrap_err(),
                TrustError::ContentMismatch
            );
        }
    }
}

#[test]
fn signed_file_rejections() {
    let mut card = VirtualCard::default();
    let store = store_for(&card);
    let content = b"contract v1";
    let der = sign(&mut card, content, true, DigestAlgorithm::Sha256);

    // Tampered content.
    assert_eq!(
        verify_cms(&der, Some(b"contract v2"), NOW, &store).unwrap_err(),
        TrustError::ContentMismatch
    );
    // Detached without content.
    assert!(matches!(
        verify_cms(&der, None, NOW, &store),
        Err(TrustError::Malformed { .. })
    ));
    // Tampered signature: flip one byte of the signature value (the last 256 bytes of the file).
    let mut bad = der.clone();
    let at = bad.len() - 10;
    bad[at] ^= 0x01;
    assert_eq!(
        verify_cms(&bad, Some(content), NOW, &store).unwrap_err(),
        TrustError::BadSignature
    );
    // Test root without opt-in.
    assert_eq!(
        verify_cms(&der, Some(content), NOW, &TrustStore::production()).unwrap_err(),
        TrustError::TestRootNotAccepted
    );
    // Expired signer certificate at the time of the check.
    let info =
        CertificateInfo::from_der(card.certificate_der(CertificateKind::Signing).unwrap()).unwrap();
    assert!(matches!(
        verify_cms(&der, Some(content), info.not_after + 1, &store),
        Err(TrustError::Expired { .. })
    ));

    // Wrong signer: the certificate in the file replaced by another card's.
    let other = VirtualCard::new(VirtualCardConfig {
        seed: "another holder".into(),
        ..VirtualCardConfig::default()
    });
    let mut info = ContentInfo::from_der(&der).unwrap();
    let mut signed: SignedData = info.content.decode_as().unwrap();
    let replacement =
        x509_cert::Certificate::from_der(other.certificate_der(CertificateKind::Signing).unwrap())
            .unwrap();
    signed.certificates = Some(cms::signed_data::CertificateSet(
        der::asn1::SetOfVec::try_from(vec![cms::cert::CertificateChoices::Certificate(
            replacement,
        )])
        .unwrap(),
    ));
    info.content = Any::encode_from(&signed).unwrap();
    let swapped = info.to_der().unwrap();
    assert_eq!(
        verify_cms(&swapped, Some(content), NOW, &store).unwrap_err(),
        TrustError::SignerMismatch
    );

    // SHA-1 is refused when signing.
    let password = SigningPassword::new("ABC123").unwrap();
    let result = pollster::block_on(sign_cms(
        &mut JpkiCard::new(&mut card),
        content,
        &password,
        options(true, DigestAlgorithm::Sha1),
    ));
    assert!(result.is_err());
    // Garbage.
    assert!(matches!(
        verify_cms(b"garbage", None, NOW, &store),
        Err(TrustError::Malformed { .. })
    ));
}

/// The files a reviewer built to make the verifier accept what it should not (security review
/// findings 5 and 6), each checked by our verifier and by OpenSSL. Both reject the duplicated
/// messageDigest, PSS, ECDSA and a digest missing from digestAlgorithms. OpenSSL 3 accepts a
/// signatureAlgorithm that names MD5, SHA-1 or another SHA-2 than the digest (it verifies the
/// PKCS#1 signature with the digest algorithm and ignores the label); we refuse those, as the
/// review asked. Both verdicts are pinned, so a change on either side shows.
#[test]
fn our_verifier_and_openssl_agree_on_edited_files() {
    use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
    use x509_cert::spki::AlgorithmIdentifierOwned;

    let dir = workdir("cms", "edited");
    let content = b"contract v1";
    std::fs::write(dir.join("doc.txt"), content).unwrap();
    let mut card = VirtualCard::default();
    write_pem(&dir.join("root.pem"), card.root_der(PinKind::Signing));
    let store = store_for(&card);
    let der = sign(&mut card, content, true, DigestAlgorithm::Sha256);

    let decode = |der: &[u8]| -> SignedData {
        ContentInfo::from_der(der)
            .unwrap()
            .content
            .decode_as()
            .unwrap()
    };
    let encode = |signed: &SignedData| -> Vec<u8> {
        let mut info = ContentInfo::from_der(&der).unwrap();
        info.content = Any::encode_from(signed).unwrap();
        info.to_der().unwrap()
    };
    let oid = ObjectIdentifier::new_unwrap;
    let with_signature_algorithm = |id: &str| {
        let mut signed = decode(&der);
        let mut signers = signed.signer_infos.0.into_vec();
        signers[0].signature_algorithm = AlgorithmIdentifierOwned {
            oid: oid(id),
            parameters: None,
        };
        signed.signer_infos = cms::signed_data::SignerInfos(SetOfVec::try_from(signers).unwrap());
        encode(&signed)
    };

    // A second messageDigest (for another document), and the attributes signed again by the
    // card: the signature is good, the file says two things.
    let duplicated = {
        let mut signed = decode(&der);
        let mut signers = signed.signer_infos.0.into_vec();
        let mut attrs = signers[0].signed_attrs.clone().unwrap().into_vec();
        let other = DigestAlgorithm::Sha256.digest(b"contract v2");
        attrs.push(x509_cert::attr::Attribute {
            oid: oid("1.2.840.113549.1.9.4"),
            values: SetOfVec::try_from(vec![
                Any::encode_from(&OctetString::new(other).unwrap()).unwrap()
            ])
            .unwrap(),
        });
        let attrs = SetOfVec::try_from(attrs).unwrap();
        let attrs_der = attrs.to_der().unwrap();
        let password = SigningPassword::new("ABC123").unwrap();
        let digest = kazashi::DocumentDigest::of_document(DigestAlgorithm::Sha256, &attrs_der);
        let resigned = pollster::block_on(JpkiCard::new(&mut card).sign(
            &digest,
            &password,
            SignOptions::default(),
        ))
        .unwrap();
        signers[0].signed_attrs = Some(attrs);
        signers[0].signature = OctetString::new(resigned.signature).unwrap();
        signed.signer_infos = cms::signed_data::SignerInfos(SetOfVec::try_from(signers).unwrap());
        encode(&signed)
    };
    // digestAlgorithms no longer lists the signer's digest.
    let unlisted = {
        let mut signed = decode(&der);
        signed.digest_algorithms = SetOfVec::try_from(vec![AlgorithmIdentifierOwned {
            oid: oid("2.16.840.1.101.3.4.2.3"),
            parameters: None,
        }])
        .unwrap();
        encode(&signed)
    };

    // (name, file, we accept, OpenSSL accepts)
    let cases: Vec<(&str, Vec<u8>, bool, bool)> = vec![
        ("as signed", der.clone(), true, true),
        (
            "sha256WithRSAEncryption",
            with_signature_algorithm("1.2.840.113549.1.1.11"),
            true,
            true,
        ),
        (
            "two messageDigest attributes",
            duplicated.clone(),
            false,
            false,
        ),
        (
            "md5WithRSAEncryption",
            with_signature_algorithm("1.2.840.113549.1.1.4"),
            false,
            true,
        ),
        (
            "sha1WithRSAEncryption",
            with_signature_algorithm("1.2.840.113549.1.1.5"),
            false,
            true,
        ),
        (
            "RSASSA-PSS",
            with_signature_algorithm("1.2.840.113549.1.1.10"),
            false,
            false,
        ),
        (
            "ecdsa-with-SHA256",
            with_signature_algorithm("1.2.840.10045.4.3.2"),
            false,
            false,
        ),
        (
            "sha512WithRSAEncryption over SHA-256",
            with_signature_algorithm("1.2.840.113549.1.1.13"),
            false,
            true,
        ),
        ("digest not in digestAlgorithms", unlisted, false, false),
    ];
    for (name, file, valid, openssl_accepts) in cases {
        let ours = verify_cms(&file, Some(content), NOW, &store);
        assert_eq!(ours.is_ok(), valid, "{name}: ours said {ours:?}");
        let p7s = dir.join("edited.p7s");
        std::fs::write(&p7s, &file).unwrap();
        let (theirs, text) = openssl_cms_verify(&dir, &p7s, true);
        assert_eq!(
            theirs, openssl_accepts,
            "{name}: OpenSSL's verdict changed: {text}"
        );
    }
}

/// Security review, finding 7: signingTime is the signer's claim and was reported as fact even
/// when impossible. Now a time after the verification (beyond the skew) or outside the signing
/// certificate's validity is refused.
#[test]
fn impossible_signing_times_are_refused() {
    let mut card = VirtualCard::default();
    let store = store_for(&card);
    let content = b"contract v1";
    let info =
        CertificateInfo::from_der(card.certificate_der(CertificateKind::Signing).unwrap()).unwrap();
    let password = SigningPassword::new("ABC123").unwrap();
    let mut signed_at = |signing_time: i64| {
        let mut options = options(true, DigestAlgorithm::Sha256);
        options.signing_time = signing_time;
        pollster::block_on(sign_cms(
            &mut JpkiCard::new(&mut card),
            content,
            &password,
            options,
        ))
        .unwrap()
        .der
    };
    // 2049, well after the verification.
    let future = signed_at(2_500_000_000);
    // Before the certificate existed.
    let early = signed_at(info.not_before - 86_400);
    // Within the skew of the verifier's clock, and a plain past time: both fine.
    let skewed = signed_at(NOW + kazashi_verify::SIGNING_TIME_SKEW - 1);
    let past = signed_at(NOW - 3_600);
    for (file, ok) in [
        (future, false),
        (early, false),
        (skewed, true),
        (past, true),
    ] {
        let result = verify_cms(&file, Some(content), NOW, &store);
        if ok {
            assert!(result.is_ok(), "{result:?}");
        } else {
            assert!(
                matches!(&result, Err(TrustError::SignedAttributes { reason }) if reason.contains("signingTime")),
                "{result:?}"
            );
        }
    }
}
