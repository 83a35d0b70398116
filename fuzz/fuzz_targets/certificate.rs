//! The certificate model and chain verification on arbitrary DER. Proves that
//! `CertificateInfo::from_der` and every accessor (dates, days left, PEM, personal attributes
//! and their formatting) never panic, that a parsed certificate keeps its exact bytes, and that
//! `trust::verify_certificate` against the production J-LIS roots never panics, for either
//! purpose and at several times.
#![no_main]

use kazashi::{CertificateInfo, CertificatePurpose};
use kazashi_fuzz::{describe_certificate, NOW};
use kazashi_verify::{verify_certificate, TrustStore};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[global_allocator]
static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;

fn store() -> &'static TrustStore {
    static STORE: OnceLock<TrustStore> = OnceLock::new();
    STORE.get_or_init(TrustStore::production)
}

fuzz_target!(|data: &[u8]| {
    let Ok(cert) = CertificateInfo::from_der(data) else {
        return;
    };
    assert_eq!(cert.der(), data);
    let _ = describe_certificate(&cert);
    for at in [NOW, cert.not_before, cert.not_after, i64::MIN, i64::MAX] {
        let _ = cert.days_left(at.clamp(-(1 << 40), 1 << 40));
        let _ = cert.is_valid_at(at);
    }
    for purpose in [
        CertificatePurpose::Authentication,
        CertificatePurpose::Signature,
    ] {
        match verify_certificate(data, purpose, NOW, store()) {
            Ok(chain) => {
                // Only a certificate a J-LIS root really signed gets here.
                assert!(chain.production && chain.certificate.purpose == purpose);
            }
            Err(e) => {
                let _ = format!("{e} {}", e.kind());
            }
        }
    }
});
