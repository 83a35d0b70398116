//! The signed-file verifier on arbitrary CMS bytes. The first input byte picks the mode: bit 0
//! set means detached, with the content as a length-prefixed frame before the CMS bytes;
//! otherwise the whole rest is the CMS (attached content expected). Proves that
//! `trust::verify_cms` never panics against the production roots nor against production plus
//! the virtual card's test root, that the production store accepts only production chains, and
//! that an accepted file's content is the content supplied or embedded.
#![no_main]

use kazashi::CertificatePurpose;
use kazashi_fuzz::{Frame, Frames, NOW};
use kazashi_verify::{verify_cms, TrustStore};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[global_allocator]
static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;

/// The virtual card's signature root (seed "kazashi"), written by `make_seeds`.
const TEST_ROOT: &[u8] = include_bytes!("../data/virtual-sign-root.der");

fn stores() -> &'static [TrustStore; 2] {
    static STORES: OnceLock<[TrustStore; 2]> = OnceLock::new();
    STORES.get_or_init(|| {
        let with_test = TrustStore::production()
            .with_test_root(TEST_ROOT, CertificatePurpose::Signature)
            .expect("the committed test root parses");
        [TrustStore::production(), with_test]
    })
}

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    let (content, der) = if mode & 1 != 0 {
        let mut frames = Frames::new(rest);
        let Some(Frame::Bytes(content)) = frames.next() else {
            return;
        };
        let used = 2 + content.len();
        (Some(content), &rest[used.min(rest.len())..])
    } else {
        (None, rest)
    };
    for (i, store) in stores().iter().enumerate() {
        match verify_cms(der, content, NOW, store) {
            Ok(verified) => {
                assert!(
                    i == 1 || verified.chain.production,
                    "a test chain passed production"
                );
                if let Some(content) = content {
                    assert_eq!(verified.content, content);
                }
                if content.is_none() {
                    assert!(!verified.detached, "detached, yet no content was supplied");
                }
                let _ = format!("{verified:?}");
            }
            Err(e) => {
                let _ = format!("{e} {}", e.kind());
            }
        }
    }
});
