//! The roots the service accepts: J-LIS's production roots always; the virtual card's test roots
//! and other roots only when configured (`--trust-virtual-card`, `--trust-root FILE`).

use kazashi_certificate::{CertificateInfo, CertificatePurpose};
use kazashi_verify::TrustStore;

use crate::config::{Config, ConfigError};

/// Builds the trust store of `config`.
///
/// # Errors
///
/// [`ConfigError::Invalid`] naming a root file that cannot be read or is not a usable root.
pub fn trust_store(config: &Config) -> Result<TrustStore, ConfigError> {
    let invalid = |what: String| ConfigError::Invalid(what);
    let mut store = TrustStore::production();
    if config.trust_virtual_card {
        store = with_virtual_card_roots(store)?;
    }
    for path in &config.trust_roots {
        let bytes = std::fs::read(path)
            .map_err(|e| invalid(format!("cannot read the root {}: {e}", path.display())))?;
        let der = match der::pem::decode_vec(&bytes) {
            Ok((_, der)) => der,
            Err(_) => bytes,
        };
        let info = CertificateInfo::from_der(&der)
            .map_err(|e| invalid(format!("the root {}: {e}", path.display())))?;
        // A J-LIS root names its purpose in its OU; a root that does not may issue both.
        let purposes: &[CertificatePurpose] =
            if info.subject.contains("OU=JPKI for user authentication") {
                &[CertificatePurpose::Authentication]
            } else if info.subject.contains("OU=JPKI for digital signature") {
                &[CertificatePurpose::Signature]
            } else {
                &[
                    CertificatePurpose::Authentication,
                    CertificatePurpose::Signature,
                ]
            };
        for purpose in purposes {
            store = store
                .with_test_root(&der, *purpose)
                .map_err(|e| invalid(format!("the root {}: {e}", path.display())))?;
        }
    }
    Ok(store)
}

/// The virtual card's two test roots (its default seed), for tests and demos.
#[cfg(feature = "virtual-card")]
fn with_virtual_card_roots(store: TrustStore) -> Result<TrustStore, ConfigError> {
    use kazashi::PinKind;
    let card = kazashi_virtual_card::VirtualCard::default();
    store
        .with_test_root(
            card.root_der(PinKind::Authentication),
            CertificatePurpose::Authentication,
        )
        .and_then(|s| {
            s.with_test_root(
                card.root_der(PinKind::Signing),
                CertificatePurpose::Signature,
            )
        })
        .map_err(|e| ConfigError::Invalid(format!("the virtual card's roots: {e}")))
}

/// Without the virtual card, `--trust-virtual-card` is refused at start-up.
#[cfg(not(feature = "virtual-card"))]
fn with_virtual_card_roots(_: TrustStore) -> Result<TrustStore, ConfigError> {
    Err(ConfigError::Invalid(
        "--trust-virtual-card: this build has no virtual card (build with the feature \
         `virtual-card`, on by default)"
            .into(),
    ))
}
