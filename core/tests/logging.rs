//! With logging at its most verbose, no PIN, no VERIFY/CHANGE body, no personal attribute and no
//! My Number reaches the log.

use std::sync::Mutex;

use kazashi::card::Card;
use kazashi::card_info::{
    AttributesKey, CardInfoCard, CardInfoPin, MyNumberKey, VerificationNumberA, VerificationNumberB,
};
use kazashi::{
    AuthPin, DigestAlgorithm, DocumentDigest, JpkiCard, LastAttempt, SignOptions, SigningPassword,
};
use kazashi_virtual_card::VirtualCard;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        LINES.lock().unwrap().push(record.args().to_string());
    }
    fn flush(&self) {}
}

#[test]
fn verbose_logs_hold_no_secrets_or_personal_data() {
    log::set_boxed_logger(Box::new(Capture)).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let mut card = VirtualCard::default();
    let mut session = JpkiCard::new(&mut card);
    let pin = AuthPin::new("4826").unwrap();
    let wrong = SigningPassword::new("ZQ7XK9").unwrap();
    let _ = pollster::block_on(session.login(
        b"c",
        &AuthPin::new("7391").unwrap(),
        LastAttempt::Refuse,
    ));
    let _ = pollster::block_on(session.change_pin(
        &AuthPin::new("1234").unwrap(),
        &pin,
        LastAttempt::Refuse,
    ));
    pollster::block_on(session.login(b"c", &pin, LastAttempt::Refuse)).unwrap();
    let digest = DocumentDigest::of_document(DigestAlgorithm::Sha256, b"d");
    let _ = pollster::block_on(session.sign(&digest, &wrong, SignOptions::default()));
    let result = pollster::block_on(session.sign(
        &digest,
        &SigningPassword::new("ABC123").unwrap(),
        SignOptions::default(),
    ))
    .unwrap();
    let personal = result.certificate.personal.clone().unwrap();
    // The card-info application: the attributes, and the My Number with verification number A.
    let my_number = card.my_number();
    let number_b = card.verification_number_b();
    {
        let mut layer = Card::new(&mut card);
        let mut card_info = CardInfoCard::new(&mut layer);
        let attributes = pollster::block_on(card_info.read_attributes(
            AttributesKey::NumberB(&VerificationNumberB::new(&number_b).unwrap()),
            LastAttempt::Refuse,
        ))
        .unwrap();
        assert_eq!(attributes.attributes.name, personal.name.clone().unwrap());
        let _ = pollster::block_on(card_info.read_attributes(
            AttributesKey::Pin(&CardInfoPin::new("6402").unwrap()),
            LastAttempt::Refuse,
        ));
        let number = pollster::block_on(card_info.read_my_number(
            MyNumberKey::NumberA(&VerificationNumberA::new(&my_number).unwrap()),
            LastAttempt::Refuse,
        ))
        .unwrap();
        assert_eq!(number.my_number.digits(), my_number);
        // Debug output of what was read says nothing either.
        let shown = format!("{attributes:?} {number:?}");
        assert!(
            !shown.contains(&my_number) && !shown.contains("仮想"),
            "{shown}"
        );
    }
    let lines = LINES.lock().unwrap().join("\n");
    assert!(lines.contains("VERIFY"), "logging is on: {lines}");
    let mut secrets = vec!["4826", "7391", "1234", "ZQ7XK9", "ABC123", "6402"]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    secrets.push(my_number.clone());
    secrets.push(number_b.clone());
    for s in [
        "4826", "7391", "ZQ7XK9", "ABC123", "6402", &my_number, &number_b,
    ] {
        secrets.push(hex::encode_upper(s));
        secrets.push(hex::encode(s));
    }
    for value in [personal.name, personal.address, personal.birth_date]
        .into_iter()
        .flatten()
    {
        secrets.push(value);
    }
    for secret in secrets {
        assert!(!lines.contains(&secret), "{secret:?} leaked into the log");
    }
    // Nor anything from the signing certificate's body.
    let cert_hex = hex::encode_upper(&result.certificate.der()[100..120]);
    assert!(!lines.contains(&cert_hex));
}
