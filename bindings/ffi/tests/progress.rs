//! Progress through the bindings: a listener hears each flow's stages once, in order, from
//! "card found" to "done"; a failed flow ends without "done"; each flow starts over.

use std::sync::{Arc, Mutex};

use kazashi_ffi::{
    progress_message, CardSession, DigestAlgorithm, Language, PinKind, ProgressListener,
    ProgressStage, SignOptions, VirtualCard, VirtualCardProfile,
};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::RsaPublicKey;
use sha2::Sha256;

#[derive(Default)]
struct Recorder(Mutex<Vec<ProgressStage>>);

impl ProgressListener for Recorder {
    fn on_progress(&self, stage: ProgressStage) {
        self.0.lock().unwrap().push(stage);
    }
}

impl Recorder {
    fn take(&self) -> Vec<ProgressStage> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn session() -> (Arc<CardSession>, Arc<Recorder>) {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let recorder = Arc::new(Recorder::default());
    (CardSession::with_progress(card, recorder.clone()), recorder)
}

#[test]
fn signing_reports_every_stage_once_in_order_and_the_signature_verifies() {
    use ProgressStage::*;
    let (session, recorder) = session();
    let document = b"progress through the bindings".to_vec();
    let options = SignOptions {
        confirm_last_attempt: false,
        allow_legacy_sha1: false,
    };
    let signed = pollster::block_on(session.sign_document(
        document.clone(),
        DigestAlgorithm::Sha256,
        "ABC123".into(),
        options,
    ))
    .expect("signs");
    assert_eq!(
        recorder.take(),
        [
            CardFound,
            ReadingCertificate,
            CheckingPinCounter,
            VerifyingPin,
            Signing,
            Done
        ]
    );
    // The flow behind the events is real: the signature verifies independently.
    let certificate = x509_parser::parse_x509_certificate(&signed.certificate.der)
        .unwrap()
        .1;
    let key = RsaPublicKey::from_public_key_der(certificate.public_key().raw).unwrap();
    VerifyingKey::<Sha256>::new(key)
        .verify(
            &document,
            &Signature::try_from(signed.signature.as_slice()).unwrap(),
        )
        .expect("the card's signature verifies");
}

#[test]
fn a_wrong_pin_ends_without_done_and_the_next_flow_starts_over() {
    use ProgressStage::*;
    let (session, recorder) = session();
    let wrong = pollster::block_on(session.login(b"challenge".to_vec(), "9999".into(), false));
    assert!(wrong.is_err());
    let stages = recorder.take();
    assert_eq!(stages.first(), Some(&CardFound));
    assert!(stages.contains(&VerifyingPin), "{stages:?}");
    assert!(!stages.contains(&Done), "{stages:?}");

    pollster::block_on(session.status()).expect("status");
    let stages = recorder.take();
    assert_eq!(stages.first(), Some(&CardFound), "{stages:?}");
    assert_eq!(stages.last(), Some(&Done), "{stages:?}");
    assert!(
        !stages.contains(&VerifyingPin),
        "status spends no attempt: {stages:?}"
    );
}

#[test]
fn every_stage_has_its_sentence_in_both_languages() {
    for stage in [
        ProgressStage::CardFound,
        ProgressStage::ReadingCertificate,
        ProgressStage::CheckingPinCounter,
        ProgressStage::VerifyingPin,
        ProgressStage::ChangingPin,
        ProgressStage::Signing,
        ProgressStage::Done,
    ] {
        let ja = progress_message(stage, Some(PinKind::Signing), Language::Japanese);
        let en = progress_message(stage, Some(PinKind::Signing), Language::English);
        assert!(!ja.is_empty() && !en.is_empty() && ja != en, "{stage:?}");
    }
}
