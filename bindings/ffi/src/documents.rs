//! CMS signing through the bindings (feature `documents`): a second exported block of
//! [`CardSession`] methods, so the base library carries no CMS code.

use kazashi::SigningPassword;
use kazashi_documents::{sign_cms, CmsOptions};

use crate::error::KazashiError;
use crate::model::{DigestAlgorithm, SignOptions, SignedFile};
use crate::secret::SecretBytes;
use crate::session::CardSession;

#[uniffi::export]
impl CardSession {
    /// Tap to sign into a CMS file (CAdES-BES, detached unless `attached`): the signed
    /// attributes name the signing certificate, so it is read before signing.
    pub async fn sign_cms(
        &self,
        document: Vec<u8>,
        algorithm: DigestAlgorithm,
        password: Vec<u8>,
        attached: bool,
        options: SignOptions,
    ) -> Result<SignedFile, KazashiError> {
        let password = SecretBytes::from(password).parse(SigningPassword::new)?;
        let signing_time = kazashi::unix_now();
        let cms_options = CmsOptions {
            algorithm: algorithm.into(),
            detached: !attached,
            signing_time,
            // CMS files refuse SHA-1 whatever the options say.
            sign: options.into(),
        };
        let mut card = self.begin_flow().await;
        let result: Result<_, KazashiError> = async {
            let signed = sign_cms(&mut card, &document, &password, cms_options).await?;
            Ok(SignedFile {
                der: signed.der,
                certificate: (&signed.signature.certificate).into(),
                counts: signed.signature.stats.into(),
            })
        }
        .await;
        self.end_flow(&mut card, &result);
        result
    }
}

/// Why an asked-for timestamp is missing from a signed document (`None` when none was asked for
/// or it was added): the document itself is kept, at its -B level, either way.
#[cfg(any(feature = "pdf", feature = "xml"))]
pub(crate) fn timestamp_error<T, E: std::fmt::Display>(
    timestamp: &Option<Result<T, E>>,
) -> Option<String> {
    match timestamp {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    }
}
