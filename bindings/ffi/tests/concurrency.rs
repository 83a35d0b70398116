//! One `CardSession` shared by several threads: flows queue up behind each other and never
//! interleave their APDUs on the card, and every signature still verifies (checked with the
//! `rsa` crate, not the library).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use kazashi_ffi::{
    CardSession, LinkInfo, NfcError, NfcTransceiver, PinKind, VirtualCard, VirtualCardProfile,
};
use rsa::pkcs8::DecodePublicKey;
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

/// Passes APDUs to the virtual card slowly, recording each instruction byte, so two flows
/// running at once would show up mixed in the log.
struct SlowRecordingLink {
    card: Arc<VirtualCard>,
    log: Mutex<Vec<u8>>,
}

#[async_trait]
impl NfcTransceiver for SlowRecordingLink {
    fn link_info(&self) -> Result<LinkInfo, NfcError> {
        self.card.link_info()
    }

    async fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, NfcError> {
        self.log.lock().unwrap().push(command[1]);
        std::thread::sleep(Duration::from_millis(2));
        self.card.transceive(command).await
    }
}

fn verifies(cert_der: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let (_, cert) = X509Certificate::from_der(cert_der).unwrap();
    let key = rsa::RsaPublicKey::from_public_key_der(cert.public_key().raw).unwrap();
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(message),
        signature,
    )
    .is_ok()
}

#[test]
fn threads_sharing_a_session_never_interleave_flows() {
    let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
    let link = Arc::new(SlowRecordingLink {
        card: card.clone(),
        log: Mutex::new(Vec::new()),
    });
    let session = CardSession::new(link.clone());
    let threads: Vec<_> = (0..4u8)
        .map(|i| {
            let session = session.clone();
            std::thread::spawn(move || {
                let challenge = vec![i; 32];
                if i % 2 == 0 {
                    let r =
                        pollster::block_on(session.login(challenge.clone(), "1234".into(), false))
                            .unwrap();
                    assert!(verifies(&r.certificate.der, &challenge, &r.signature));
                } else {
                    let r = pollster::block_on(session.retry_counter(PinKind::Signing)).unwrap();
                    assert_eq!(r.attempts_left, Some(5));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let log: String = link
        .log
        .lock()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    // Two log-ins (SELECT AP, query, VERIFY, SIGN, READ) and two counter reads (SELECT AP,
    // query), in some order, each unbroken: every flow starts with the only SELECT it sends.
    let runs: Vec<&str> = log.split("A4").skip(1).collect();
    assert_eq!(runs.len(), 4, "{log}");
    let mut shapes = runs.clone();
    shapes.sort();
    assert_eq!(shapes, ["20", "20", "20202AB0", "20202AB0"], "{log}");
    assert_eq!(card.pin_verifications(), 2);
    assert_eq!(card.attempts_left(PinKind::Authentication), Some(3));
}
