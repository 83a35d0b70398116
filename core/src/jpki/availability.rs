//! EF `0008`: which certificates the card carries.

use crate::error::{Error, Result};

/// The three bytes of EF `0008`. `8F` marks a certificate that is present (the only value seen
/// on a card carrying both); anything else is read as absent. The third byte's meaning is
/// unknown and kept raw. Single source: soltia48/myna-card (`docs/protocol.md` §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CertificateAvailability {
    /// The bytes as stored.
    pub raw: [u8; 3],
}

impl CertificateAvailability {
    /// The value that marks a present certificate.
    pub const PRESENT: u8 = 0x8F;

    /// Parses the file; it has exactly three bytes.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedResponse`] when the record is not 3 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let raw: [u8; 3] = bytes.try_into().map_err(|_| {
            Error::malformed(
                "READ BINARY of the certificate availability file",
                format!("expected 3 bytes, got {}", bytes.len()),
            )
        })?;
        Ok(Self { raw })
    }

    /// Whether the signing certificate is present.
    pub fn has_signing_certificate(&self) -> bool {
        self.raw[0] == Self::PRESENT
    }

    /// Whether the authentication certificate is present.
    pub fn has_authentication_certificate(&self) -> bool {
        self.raw[1] == Self::PRESENT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_and_missing_signing_certificate() {
        let both = CertificateAvailability::parse(&[0x8F, 0x8F, 0x00]).unwrap();
        assert!(both.has_signing_certificate() && both.has_authentication_certificate());
        let child = CertificateAvailability::parse(&[0x00, 0x8F, 0x00]).unwrap();
        assert!(!child.has_signing_certificate() && child.has_authentication_certificate());
        assert!(CertificateAvailability::parse(&[0x8F, 0x8F]).is_err());
        assert!(CertificateAvailability::parse(&[0x8F; 4]).is_err());
    }
}
