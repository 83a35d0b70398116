//! Signatures made through the protocol engine and the virtual card, checked by OpenSSL's
//! command line: an implementation that shares no code with ours.

use std::path::Path;

use kazashi::{
    AuthPin, CertificateKind, DigestAlgorithm, DocumentDigest, JpkiCard, LastAttempt, PinKind,
    SignOptions, SigningPassword,
};
use kazashi_tests::{openssl, workdir};
use kazashi_virtual_card::{Profile, VirtualCard};

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// `openssl dgst -<hash> -verify <public key of cert> -signature sig message`.
fn openssl_verifies(
    dir: &Path,
    cert_der: &[u8],
    hash: &str,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let cert = dir.join("cert.der");
    let public = dir.join("public.pem");
    let msg = dir.join("message.bin");
    let sig = dir.join("signature.bin");
    std::fs::write(&cert, cert_der).unwrap();
    std::fs::write(&msg, message).unwrap();
    std::fs::write(&sig, signature).unwrap();
    let (ok, text) = openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        cert.to_str().unwrap(),
        "-pubkey",
        "-noout",
        "-out",
        public.to_str().unwrap(),
    ]);
    assert!(ok, "openssl reads the certificate: {text}");
    let (ok, text) = openssl(&[
        "dgst",
        &format!("-{hash}"),
        "-verify",
        public.to_str().unwrap(),
        "-signature",
        sig.to_str().unwrap(),
        msg.to_str().unwrap(),
    ]);
    ok && text.contains("Verified OK")
}

#[test]
fn openssl_accepts_login_signatures() {
    for profile in [
        Profile::PhysicalCard,
        Profile::NoExtendedLength,
        Profile::AndroidPhoneToken,
        Profile::Under15,
    ] {
        let dir = workdir("openssl", profile.name());
        let mut card = VirtualCard::from_profile(profile);
        let challenge = format!("login challenge for {profile}").into_bytes();
        let result = block(JpkiCard::new(&mut card).login(
            &challenge,
            &AuthPin::new("1234").unwrap(),
            LastAttempt::Refuse,
        ))
        .unwrap();
        assert!(
            openssl_verifies(
                &dir,
                result.certificate.der(),
                "sha256",
                &challenge,
                &result.signature
            ),
            "{profile}"
        );
        assert!(!openssl_verifies(
            &dir,
            result.certificate.der(),
            "sha256",
            b"tampered",
            &result.signature
        ));
    }
}

#[test]
fn openssl_accepts_document_signatures() {
    let dir = workdir("openssl", "sign");
    let mut card = VirtualCard::default();
    let document = "納税申告書 / tax return".as_bytes();
    let password = SigningPassword::new("ABC123").unwrap();
    for algorithm in [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ] {
        let digest = DocumentDigest::of_document(algorithm, document);
        let result =
            block(JpkiCard::new(&mut card).sign(&digest, &password, SignOptions::default()))
                .unwrap();
        assert!(openssl_verifies(
            &dir,
            result.certificate.der(),
            algorithm.name(),
            document,
            &result.signature
        ));
    }
}

#[test]
fn openssl_chains_the_virtual_pki() {
    let dir = workdir("openssl", "chain");
    let mut card = VirtualCard::default();
    let mut session = JpkiCard::new(&mut card);
    let auth = block(session.read_certificate(CertificateKind::Authentication)).unwrap();
    let sign = block(session.read_signing_certificate(
        &SigningPassword::new("ABC123").unwrap(),
        LastAttempt::Refuse,
    ))
    .unwrap();
    for (leaf, kind, purpose) in [
        (auth, PinKind::Authentication, "sslclient"),
        (sign, PinKind::Signing, "any"),
    ] {
        let root = dir.join("root.pem");
        let leaf_path = dir.join("leaf.pem");
        let root_der = card.root_der(kind);
        let root_info = kazashi::CertificateInfo::from_der(root_der).unwrap();
        std::fs::write(&root, root_info.to_pem()).unwrap();
        std::fs::write(&leaf_path, leaf.to_pem()).unwrap();
        let (ok, text) = openssl(&[
            "verify",
            "-CAfile",
            root.to_str().unwrap(),
            "-attime",
            "1800000000",
            "-purpose",
            purpose,
            leaf_path.to_str().unwrap(),
        ]);
        assert!(ok && text.contains(": OK"), "{kind}: {text}");
    }
}
