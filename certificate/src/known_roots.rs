//! Which J-LIS production root a certificate *is*, if any: the six published roots
//! (`docs/protocol.md` §6.5) recognised by the SHA-256 of their DER, with their purpose and
//! generation. This lets anything that shows a certificate (`kazashi cert inspect`, the
//! bindings' certificate record) say "J-LIS production root authca02.cer, generation 2" without
//! carrying the certificates. It decides no trust: the roots themselves, for chain verification,
//! are compiled into `kazashi-verify` (`PRODUCTION_ROOTS`), whose tests hold that list and this
//! one equal.
//!
//! A test-hierarchy root (`O=JPKI-TEST`) is never a known root: J-LIS does not publish them, and
//! no generation is known for them.

use sha2::{Digest, Sha256};

use crate::certificate::{CertificateInfo, CertificatePurpose};

/// One of the six J-LIS production roots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownRoot {
    /// The file name J-LIS publishes it under (`authca02.cer`).
    pub name: &'static str,
    /// What it issues: authentication or signature certificates.
    pub purpose: CertificatePurpose,
    /// Its generation (1: 2015, 2: 2019, 3: 2023).
    pub generation: u8,
    /// SHA-256 of its DER, upper-case hex without separators (`verify/roots/FINGERPRINTS.txt`).
    pub sha256: &'static str,
}

/// The six production roots, oldest first, as in `verify/roots/FINGERPRINTS.txt`.
pub const KNOWN_ROOTS: [KnownRoot; 6] = [
    KnownRoot {
        name: "authca01.cer",
        purpose: CertificatePurpose::Authentication,
        generation: 1,
        sha256: "4DCFC4CA0AAF9FB2A3081B3F0C991C320B3ACC008667A341EEAEC5AF1D58CA7D",
    },
    KnownRoot {
        name: "authca02.cer",
        purpose: CertificatePurpose::Authentication,
        generation: 2,
        sha256: "0D98DE47FC11B7F67126874B7028B6026A803D2638D6EDFE53176953961FADE6",
    },
    KnownRoot {
        name: "authca03.cer",
        purpose: CertificatePurpose::Authentication,
        generation: 3,
        sha256: "64114F29620C24ED2631D46476A040E7EE740D956089C00B036A6A8118C322B5",
    },
    KnownRoot {
        name: "signca01.cer",
        purpose: CertificatePurpose::Signature,
        generation: 1,
        sha256: "19645405A1FE14377434BD55957628AC4038557C542403A2243F21C706FC9355",
    },
    KnownRoot {
        name: "signca02.cer",
        purpose: CertificatePurpose::Signature,
        generation: 2,
        sha256: "79679C33E4CC9319440F1AD120A597FF1844E2EF217063ADB176966FD5E6FBEB",
    },
    KnownRoot {
        name: "signca03.cer",
        purpose: CertificatePurpose::Signature,
        generation: 3,
        sha256: "D227F6CDE11D35C5252178F106F843D24651944975413B539FA2FB68DBFA365F",
    },
];

/// The production root whose DER is exactly `der`, if any.
pub fn known_root(der: &[u8]) -> Option<&'static KnownRoot> {
    let fingerprint = hex::encode_upper(Sha256::digest(der));
    KNOWN_ROOTS.iter().find(|root| root.sha256 == fingerprint)
}

impl CertificateInfo {
    /// Whether this certificate is one of the six J-LIS production roots, and which
    /// (byte-for-byte the published DER; [`known_root`]). `None` for every leaf, every test
    /// root and any other CA, whatever its name says.
    pub fn known_root(&self) -> Option<&'static KnownRoot> {
        known_root(self.der())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_six_distinct_roots_three_generations_per_purpose() {
        for (i, a) in KNOWN_ROOTS.iter().enumerate() {
            assert_eq!(a.sha256.len(), 64, "{}", a.name);
            assert!(
                a.sha256.bytes().all(|b| b.is_ascii_hexdigit()),
                "{}",
                a.name
            );
            assert_eq!(a.sha256, a.sha256.to_uppercase(), "{}", a.name);
            for b in &KNOWN_ROOTS[i + 1..] {
                assert_ne!(a.sha256, b.sha256);
                assert_ne!(a.name, b.name);
            }
        }
        for purpose in [
            CertificatePurpose::Authentication,
            CertificatePurpose::Signature,
        ] {
            let mut generations: Vec<u8> = KNOWN_ROOTS
                .iter()
                .filter(|r| r.purpose == purpose)
                .map(|r| r.generation)
                .collect();
            generations.sort_unstable();
            assert_eq!(generations, [1, 2, 3], "{purpose:?}");
        }
        assert_eq!(known_root(b"not a root"), None);
    }
}
