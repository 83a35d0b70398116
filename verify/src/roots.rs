//! The six J-LIS production root certificates, compiled in (public certificates as J-LIS
//! publishes them; SHA-256 fingerprints pinned by a test against `FINGERPRINTS.txt`).

use kazashi_certificate::CertificatePurpose;

/// One J-LIS root certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JlisRoot {
    /// File name as published (`authca02.cer`).
    pub name: &'static str,
    /// What it issues: authentication or signature certificates.
    pub purpose: CertificatePurpose,
    /// Generation (1: 2015, 2: 2019, 3: 2023).
    pub generation: u8,
    /// DER bytes.
    pub der: &'static [u8],
}

/// Every production root, oldest first.
pub const PRODUCTION_ROOTS: [JlisRoot; 6] = [
    root(
        "authca01.cer",
        CertificatePurpose::Authentication,
        1,
        include_bytes!("../roots/authca01.cer"),
    ),
    root(
        "authca02.cer",
        CertificatePurpose::Authentication,
        2,
        include_bytes!("../roots/authca02.cer"),
    ),
    root(
        "authca03.cer",
        CertificatePurpose::Authentication,
        3,
        include_bytes!("../roots/authca03.cer"),
    ),
    root(
        "signca01.cer",
        CertificatePurpose::Signature,
        1,
        include_bytes!("../roots/signca01.cer"),
    ),
    root(
        "signca02.cer",
        CertificatePurpose::Signature,
        2,
        include_bytes!("../roots/signca02.cer"),
    ),
    root(
        "signca03.cer",
        CertificatePurpose::Signature,
        3,
        include_bytes!("../roots/signca03.cer"),
    ),
];

const fn root(
    name: &'static str,
    purpose: CertificatePurpose,
    generation: u8,
    der: &'static [u8],
) -> JlisRoot {
    JlisRoot {
        name,
        purpose,
        generation,
        der,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn fingerprints_match_the_pinned_list() {
        let list = include_str!("../roots/FINGERPRINTS.txt");
        for root in PRODUCTION_ROOTS {
            let line = list
                .lines()
                .find(|l| l.starts_with(root.name))
                .unwrap_or_else(|| panic!("{} is not in FINGERPRINTS.txt", root.name));
            let pinned = line
                .split_whitespace()
                .last()
                .unwrap()
                .replace(':', "")
                .to_lowercase();
            assert_eq!(
                hex::encode(Sha256::digest(root.der)),
                pinned,
                "{}",
                root.name
            );
            let generation: u8 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
            assert_eq!(generation, root.generation);
            // Real certificates pass the length bound that guards `der`'s allocations.
            assert_eq!(
                kazashi_certificate::der_limits::check_der_lengths(root.der),
                Ok(())
            );
        }
        // The certificate model recognises exactly these six, with the same name, purpose and
        // generation (`cert inspect` and the bindings' certificate record read it there).
        assert_eq!(
            kazashi_certificate::known_roots::KNOWN_ROOTS.len(),
            PRODUCTION_ROOTS.len()
        );
        for root in PRODUCTION_ROOTS {
            let known = kazashi_certificate::known_root(root.der)
                .unwrap_or_else(|| panic!("{} is not a known root", root.name));
            assert_eq!(
                (known.name, known.purpose, known.generation),
                (root.name, root.purpose, root.generation)
            );
        }
        // The fingerprints quoted in docs/protocol.md §6.5 for two of them.
        assert_eq!(
            hex::encode_upper(Sha256::digest(PRODUCTION_ROOTS[4].der)),
            "79679C33E4CC9319440F1AD120A597FF1844E2EF217063ADB176966FD5E6FBEB"
        );
        assert_eq!(
            hex::encode_upper(Sha256::digest(PRODUCTION_ROOTS[1].der)),
            "0D98DE47FC11B7F67126874B7028B6026A803D2638D6EDFE53176953961FADE6"
        );
    }
}
