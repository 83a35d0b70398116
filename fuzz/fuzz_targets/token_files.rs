//! The token information file (EF 0006) and the certificate availability file (EF 0008) on
//! arbitrary bytes. Proves that both parsers never panic, that the availability file is
//! accepted exactly when it has 3 bytes, that the token file needs its 32-byte label, and that
//! a parsed token type maps back to itself through its label.
#![no_main]

use kazashi::jpki::TokenType;
use kazashi::{CertificateAvailability, TokenInfo};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;

fuzz_target!(|data: &[u8]| {
    match TokenInfo::parse(data) {
        Ok(info) => {
            assert!(data.len() >= 32);
            assert_eq!(
                TokenType::from_label(info.token_type.label()),
                info.token_type
            );
            let _ = format!("{info:?} {}", info.token_type.describe());
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    match CertificateAvailability::parse(data) {
        Ok(a) => {
            assert_eq!(data.len(), 3);
            assert_eq!(a.raw, data);
            assert_eq!(
                a.has_signing_certificate(),
                data[0] == CertificateAvailability::PRESENT
            );
            assert_eq!(
                a.has_authentication_certificate(),
                data[1] == CertificateAvailability::PRESENT
            );
        }
        Err(_) => assert_ne!(data.len(), 3),
    }
});
