//! PINs, passwords and verification numbers as they cross the FFI: bytes, not strings.
//!
//! Every secret parameter of the bindings is a `Vec<u8>`: Kotlin sees a `ByteArray`, Swift a
//! `Data`. A JVM `String` or a Swift `String` cannot be wiped once made, so the shells never need
//! one: the Android shell encodes a `CharArray` straight into the `ByteArray` and zeroes both
//! after the call. On this side the bytes go into a [`SecretBytes`] at once, which wipes them on
//! drop; the buffer uniffi lifted them from is wiped by the library's allocator when freed
//! (`lib.rs`). `bindings/ffi/tests/pin_memory.rs` scans the process's memory for leftovers.

use kazashi::{Pin, PinFormatError};
use zeroize::Zeroizing;

use crate::error::KazashiError;

/// A PIN, password or verification number as the app entered it: its UTF-8 bytes. Checked for
/// format by the flow that takes it, before any APDU, and wiped when dropped.
pub(crate) struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// The entry as one of `kazashi`'s PIN types (`AuthPin::new`, `CardInfoPin::new`, ...),
    /// format-checked by that type's constructor; bytes that are not UTF-8 are
    /// [`PinFormatError::NotText`] for that type's secret.
    pub(crate) fn parse<P: Pin>(
        &self,
        new: impl FnOnce(&str) -> Result<P, PinFormatError>,
    ) -> Result<P, KazashiError> {
        let text =
            std::str::from_utf8(&self.0).map_err(|_| PinFormatError::NotText { pin: P::KIND });
        Ok(text.and_then(new).map_err(kazashi::Error::from)?)
    }
}

/// The bytes are moved in, not copied.
impl From<Vec<u8>> for SecretBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }
}

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBytes(****)")
    }
}

#[cfg(test)]
mod tests {
    use kazashi::{AuthPin, SigningPassword};

    use super::*;

    #[test]
    fn checks_each_secret_with_the_core_rules() {
        let pin = SecretBytes::from(b"1234".to_vec());
        assert_eq!(
            pin.parse(AuthPin::new).unwrap(),
            AuthPin::new("1234").unwrap()
        );
        let password = SecretBytes::from(b"abc123".to_vec());
        assert_eq!(
            password.parse(SigningPassword::new).unwrap(),
            SigningPassword::new("ABC123").unwrap()
        );
        assert!(SecretBytes::from(b"12345".to_vec())
            .parse(AuthPin::new)
            .is_err());
    }

    #[test]
    fn bytes_that_are_not_text_are_a_format_error_for_that_secret() {
        let secret = SecretBytes::from(vec![0xff, 0x31, 0x32, 0x33]);
        let KazashiError::Failed {
            kind, reason, pin, ..
        } = secret.parse(AuthPin::new).unwrap_err();
        assert_eq!(kind, crate::error::ErrorKind::InvalidPinFormat);
        assert_eq!(pin, Some(crate::model::PinKind::Authentication));
        assert_eq!(
            reason,
            "the authentication PIN entered is not text (UTF-8): enter it again"
        );
    }
}
