//! The JPKI application (公的個人認証AP): its files, its PINs and COMPUTE DIGITAL SIGNATURE
//! (`docs/protocol.md` §2, §3.5, §7.1).

use rand_chacha::ChaCha20Rng;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};
use sha2::Sha256;

use kazashi::apdu::{Command, Response, StatusWord};
use kazashi::card::addressing::fid_of_short_ef_id;
use kazashi::jpki::{ef, TokenType};
use kazashi::pin::PinKind;
use kazashi_certificate::DigestAlgorithm;

use super::files::{data, Access, AppId, FileContent, Files};
use super::pins::{Secret, SecretKind, Secrets};
use super::{status, VirtualCard};
use crate::pki::{self, TestCertificates};
use crate::profile::VirtualCardConfig;

/// Largest payload PKCS#1 v1.5 leaves under a 2048-bit key.
const MAX_SIGN_INPUT: usize = 245;

/// Largest message the hashing forms of COMPUTE DIGITAL SIGNATURE take: what a short Lc
/// carries. myna-card holds its callers to it (`docs/protocol.md` §3.5); a longer one can only
/// come in an extended APDU, and what the card does with that is unrecorded, so it is refused.
const MAX_SIGN_MESSAGE: usize = 255;

/// The JPKI application's EFs.
pub(super) fn files(config: &VirtualCardConfig, certs: &TestCertificates) -> Files {
    let mut files = Files::default();
    files.add(
        ef::SIGN_CA_CERT,
        data(certs.sign_root.clone(), Access::Free),
    );
    files.add(ef::TOKEN_INFO, data(token_info(config), Access::Free));
    let availability = vec![
        if config.signing_certificate {
            0x8F
        } else {
            0x00
        },
        0x8F,
        0x00,
    ];
    files.add(ef::CERT_AVAILABILITY, data(availability, Access::Free));
    let auth_access = if config.auth_certificate_needs_pin {
        Access::AnyOf(&[ef::AUTH_PIN])
    } else {
        Access::Free
    };
    files.add(ef::AUTH_CERT, data(certs.auth.clone(), auth_access));
    files.add(
        ef::AUTH_CA_CERT,
        data(certs.auth_root.clone(), Access::Free),
    );
    files.add(ef::AUTH_KEY, FileContent::Key(PinKind::Authentication));
    files.add(ef::AUTH_PIN, FileContent::Secret);
    if config.signing_certificate {
        files.add(
            ef::SIGN_CERT,
            data(certs.sign.clone(), Access::AnyOf(&[ef::SIGN_PIN])),
        );
        files.add(ef::SIGN_KEY, FileContent::Key(PinKind::Signing));
        files.add(ef::SIGN_PIN, FileContent::Secret);
    }
    files
}

/// The authentication PIN (3 tries) and, on a card with a signing certificate, the signing
/// password (5 tries).
pub(super) fn secrets(config: &VirtualCardConfig, secrets: &mut Secrets) {
    let pin = |fid, kind: PinKind, value: &str, left| {
        Secret::new(
            AppId::Jpki,
            fid,
            SecretKind::Pin(kind),
            value,
            kind.max_attempts(),
            left,
        )
    };
    secrets.add(pin(
        ef::AUTH_PIN,
        PinKind::Authentication,
        &config.auth_pin,
        config.auth_attempts_left,
    ));
    if config.signing_certificate {
        secrets.add(pin(
            ef::SIGN_PIN,
            PinKind::Signing,
            &config.signing_password,
            config.signing_attempts_left,
        ));
    }
}

impl VirtualCard {
    /// COMPUTE DIGITAL SIGNATURE `80 2A P1 80|SFI Lc data Le`.
    pub(super) fn compute_signature(&mut self, command: &Command) -> Response {
        let Some(form) = SignForm::from_p1(command.p1) else {
            return status(StatusWord::INCORRECT_P1_P2);
        };
        let fid = match command.p2 {
            0x80 => match self.current_ef {
                Some(fid) => fid,
                None => return status(StatusWord::REFERENCED_DATA_NOT_FOUND),
            },
            _ => match fid_of_short_ef_id(command.p2) {
                Some(fid) => fid,
                None => return status(StatusWord::INCORRECT_P1_P2),
            },
        };
        if self.application != Some(AppId::Jpki) {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        let kind = match self.jpki_files.get(fid) {
            Some(FileContent::Key(kind)) => *kind,
            _ => return status(StatusWord::REFERENCED_DATA_NOT_FOUND),
        };
        let verified = self
            .secrets
            .of_kind(AppId::Jpki, SecretKind::Pin(kind))
            .is_some_and(|s| s.verified);
        if !verified {
            return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let input = command.data();
        if let Err(sw) = form.check_input(input) {
            return status(sw);
        }
        // Every client sends Le = 00; what a card does with no Le or a shorter one is an open
        // question, refused unless the card is lenient.
        if !self.config.strictness.sign_without_full_le && command.ne().is_none_or(|ne| ne < 256) {
            return status(StatusWord::WRONG_LENGTH);
        }
        let key = match kind {
            PinKind::Authentication => &self.auth_key,
            PinKind::Signing => &self.sign_key,
            // No key of the JPKI application is guarded by another application's secret.
            PinKind::CardInfo | PinKind::VerificationNumberA | PinKind::VerificationNumberB => {
                return status(StatusWord::CONDITIONS_NOT_SATISFIED)
            }
        };
        match form.sign(key, &mut self.rng, input) {
            Some(signature) => Response::new(signature, StatusWord::SUCCESS),
            None => status(StatusWord::CONDITIONS_NOT_SATISFIED),
        }
    }
}

/// The six forms of COMPUTE DIGITAL SIGNATURE, by P1 (`docs/protocol.md` §3.5: myna-card's
/// `SignatureScheme`, found by trying every P1 on a card). All end in the RSA private-key
/// operation; they differ in what the card does to the data first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignForm {
    /// `00`: PKCS#1 v1.5 type-1 padding of the data as given (the caller's DigestInfo). The
    /// card neither hashes nor parses it. The only form every source uses on real cards.
    AsGiven,
    /// `01`: SHA-256 of the data; the bare 32-byte hash is padded, with no DigestInfo.
    HashBare,
    /// `02`: the data is a SHA-256 hash; the card wraps it in its DigestInfo and pads.
    DigestInfoOfHash,
    /// `03`: SHA-256 of the data, DigestInfo, padding: `sha256WithRSAEncryption` of the data.
    HashDigestInfo,
    /// `04`: the data is a SHA-256 hash, signed with RSASSA-PSS.
    PssOfHash,
    /// `05`: SHA-256 of the data, then RSASSA-PSS.
    HashPss,
}

impl SignForm {
    fn from_p1(p1: u8) -> Option<Self> {
        Some(match p1 {
            0x00 => Self::AsGiven,
            0x01 => Self::HashBare,
            0x02 => Self::DigestInfoOfHash,
            0x03 => Self::HashDigestInfo,
            0x04 => Self::PssOfHash,
            0x05 => Self::HashPss,
            _ => return None,
        })
    }

    /// The length rules. The sources say a wrong length draws `6985` or `6700`; which one
    /// for which case is our choice: `6985` for a hash that is not 32 bytes (the APDU is
    /// well formed, its data cannot be used), `6700` for an empty or oversized data field.
    fn check_input(self, input: &[u8]) -> Result<(), StatusWord> {
        let len = input.len();
        let fits = match self {
            _ if len == 0 => false,
            Self::AsGiven => len <= MAX_SIGN_INPUT,
            Self::DigestInfoOfHash | Self::PssOfHash => {
                return if len == DigestAlgorithm::Sha256.output_len() {
                    Ok(())
                } else {
                    Err(StatusWord::CONDITIONS_NOT_SATISFIED)
                };
            }
            Self::HashBare | Self::HashDigestInfo | Self::HashPss => len <= MAX_SIGN_MESSAGE,
        };
        if fits {
            Ok(())
        } else {
            Err(StatusWord::WRONG_LENGTH)
        }
    }

    /// Signs `input` (already length-checked) with `key`; `None` if the key refuses (the
    /// card then answers `6985`). The DigestInfo comes from the same builder the library
    /// uses; PSS takes MGF1 with SHA-256 and a 32-byte salt, the parameters myna-card verifies
    /// the card's PSS signatures with.
    fn sign(self, key: &RsaPrivateKey, rng: &mut ChaCha20Rng, input: &[u8]) -> Option<Vec<u8>> {
        let sha256 = DigestAlgorithm::Sha256;
        let pad = |data: &[u8]| key.sign(Pkcs1v15Sign::new_unprefixed(), data).ok();
        let pss = |rng: &mut ChaCha20Rng, hash: &[u8]| {
            key.sign_with_rng(rng, Pss::new::<Sha256>(), hash).ok()
        };
        match self {
            Self::AsGiven => pad(input),
            Self::HashBare => pad(&sha256.digest(input)),
            Self::DigestInfoOfHash => pad(&sha256.digest_info(input).ok()?),
            Self::HashDigestInfo => pad(&sha256.digest_info(&sha256.digest(input)).ok()?),
            Self::PssOfHash => pss(rng, input),
            Self::HashPss => pss(rng, &sha256.digest(input)),
        }
    }
}

/// The 160-byte `CK_TOKEN_INFO` with 32-bit big-endian fields (`docs/protocol.md` §7.1).
fn token_info(config: &VirtualCardConfig) -> Vec<u8> {
    fn padded(text: &str, len: usize) -> Vec<u8> {
        let mut v = text.as_bytes().to_vec();
        v.resize(len, b' ');
        v
    }
    let serial: String = pki::derive(&config.seed, "token-serial")[..8]
        .iter()
        .map(|b| format!("{:02}", b % 100))
        .collect();
    let label = match &config.token {
        TokenType::Other(label) => label.clone(),
        known => known.label().to_string(),
    };
    let mut out = Vec::with_capacity(160);
    out.extend(padded(&label, 32));
    out.extend(padded("KAZASHI VIRTUAL CARD", 32));
    out.extend(padded("VIRTUAL1", 16));
    out.extend(padded(&serial, 16));
    for word in [
        0x0000_040Du32,
        1,
        0,
        1,
        0,
        16,
        4,
        u32::MAX,
        u32::MAX,
        u32::MAX,
        u32::MAX,
    ] {
        out.extend(word.to_be_bytes());
    }
    out.extend(b"0301");
    out.extend([b'0'; 16]);
    debug_assert_eq!(out.len(), 160);
    out
}
