//! The relying party's log-in check on arbitrary text. Proves that `LoginMessage::from_json`
//! never panics and that a parsed message re-serialises to an equal one; then, with the
//! message's own challenge issued in an in-memory challenge store, that `LoginVerifier::verify`
//! never panics against the production roots (accepting only production chains) nor against
//! production plus the virtual card's test root, and that a challenge is never accepted twice.
#![no_main]

use base64ct::{Base64, Encoding};
use kazashi::CertificatePurpose;
use kazashi_fuzz::NOW;
use kazashi_verify::{
    ChallengeStore, InMemoryChallengeStore, LoginMessage, LoginVerifier, RelyingPartyId,
    TrustError, TrustStore,
};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[global_allocator]
static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;

/// The virtual card's authentication root (seed "kazashi"), written by `make_seeds`.
const TEST_ROOT: &[u8] = include_bytes!("../data/virtual-auth-root.der");

fn stores() -> &'static [TrustStore; 2] {
    static STORES: OnceLock<[TrustStore; 2]> = OnceLock::new();
    STORES.get_or_init(|| {
        let with_test = TrustStore::production()
            .with_test_root(TEST_ROOT, CertificatePurpose::Authentication)
            .expect("the committed test root parses");
        [TrustStore::production(), with_test]
    })
}

/// The relying party the fuzzed server is; version-1 messages are read too, so both paths run.
fn relying_party() -> RelyingPartyId {
    RelyingPartyId::parse("a.example").expect("a valid id")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let message = match LoginMessage::from_json(text) {
        Ok(message) => message,
        Err(e) => {
            let _ = format!("{e} {}", TrustError::from(e.clone()).kind());
            return;
        }
    };
    let again = LoginMessage::from_json(&message.to_json()).expect("our JSON parses");
    assert_eq!(again, message);

    // The server issued exactly this challenge (when it is base64), a minute ago.
    let challenge = Base64::decode_vec(&message.challenge).unwrap_or_default();
    for (i, store) in stores().iter().enumerate() {
        let challenges = InMemoryChallengeStore::default();
        let _ = challenges.remember(&challenge, NOW, NOW + 60);
        let verifier = LoginVerifier::new(store, &challenges, relying_party()).accept_version_1();
        match verifier.verify(&message, &challenge, NOW) {
            Ok(verified) => {
                assert!(
                    i == 1 || verified.chain.production,
                    "a test chain passed production"
                );
                let _ = format!("{verified:?} {}", verified.revocation.describe());
            }
            Err(e) => {
                let _ = format!("{e} {}", e.kind());
            }
        }
        // Single use, whatever the first outcome.
        assert!(
            verifier.verify(&message, &challenge, NOW).is_err(),
            "a replay was accepted"
        );
        // A challenge the server never issued.
        let other = InMemoryChallengeStore::default();
        assert!(LoginVerifier::new(store, &other, relying_party())
            .accept_version_1()
            .verify(&message, &challenge, NOW)
            .is_err());
    }
});
