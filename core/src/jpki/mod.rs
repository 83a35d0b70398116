//! The JPKI application (公的個人認証AP): its identifiers, its data files and the flows built on
//! them. Byte values and their sources are in `docs/protocol.md` §0–§5.

mod availability;
mod card;
mod commands;
mod flows;
mod token;

pub use crate::card::{EfAddressing, Support};
pub use availability::CertificateAvailability;
pub use card::{CertificateKind, JpkiCard};
pub use flows::{CardStatus, LoginResult, SignOptions, SignResult};
pub use token::{TokenInfo, TokenType};

/// AID of the JPKI application, `D3 92 F0 00 26 01 00 00 00 01`.
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// Elementary files of the JPKI application.
pub mod ef {
    /// 署名用電子証明書, the signing certificate (readable after the signing password).
    pub const SIGN_CERT: u16 = 0x0001;
    /// 署名用CA証明書, the signing CA (free).
    pub const SIGN_CA_CERT: u16 = 0x0002;
    /// Token information: a 160-byte PKCS#11 `CK_TOKEN_INFO`.
    pub const TOKEN_INFO: u16 = 0x0006;
    /// Certificate availability: 3 bytes, `8F 8F 00` with both certificates.
    pub const CERT_AVAILABILITY: u16 = 0x0008;
    /// 利用者証明用電子証明書, the authentication certificate (free on the physical card).
    pub const AUTH_CERT: u16 = 0x000A;
    /// 利用者証明用CA証明書, the authentication CA (free).
    pub const AUTH_CA_CERT: u16 = 0x000B;
    /// The authentication private key.
    pub const AUTH_KEY: u16 = 0x0017;
    /// The authentication PIN's key reference.
    pub const AUTH_PIN: u16 = 0x0018;
    /// The signature private key.
    pub const SIGN_KEY: u16 = 0x001A;
    /// The signing password's key reference.
    pub const SIGN_PIN: u16 = 0x001B;

    /// The EF (key reference) of a JPKI PIN; `None` for the card-info application's secrets.
    pub fn pin(kind: crate::pin::PinKind) -> Option<u16> {
        match kind {
            crate::pin::PinKind::Authentication => Some(AUTH_PIN),
            crate::pin::PinKind::Signing => Some(SIGN_PIN),
            _ => None,
        }
    }
}

/// Instruction bytes used with the JPKI application: the interindustry ones of
/// [`kazashi_iso7816::ins`] and the proprietary COMPUTE DIGITAL SIGNATURE.
pub mod ins {
    pub use super::commands::COMPUTE_DIGITAL_SIGNATURE;
    pub use kazashi_iso7816::ins::*;
}
