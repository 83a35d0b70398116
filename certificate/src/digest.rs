//! Hash algorithms for signatures, and the PKCS#1 DigestInfo the card signs.
//!
//! The card pads whatever it receives and applies its key; it neither hashes nor parses. So
//! the DigestInfo must be built here, and the prefixes come from the `rsa` crate rather than
//! from hand-copied bytes.

use der::oid::{AssociatedOid, ObjectIdentifier};
use rsa::Pkcs1v15Sign;
use sha2::Digest;

use crate::error::{CertificateError, Result};

/// A hash algorithm for a document signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DigestAlgorithm {
    /// SHA-1: broken for collisions and outside CRYPTREC's list; only behind an explicit
    /// legacy opt-in.
    Sha1,
    /// SHA-256, the default and what relying parties expect.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// Digest size in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            DigestAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            DigestAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            DigestAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// The hash's object identifier (as the hash crates declare it).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha1 => sha1::Sha1::OID,
            DigestAlgorithm::Sha256 => sha2::Sha256::OID,
            DigestAlgorithm::Sha384 => sha2::Sha384::OID,
            DigestAlgorithm::Sha512 => sha2::Sha512::OID,
        }
    }

    /// The algorithm an object identifier names, if it is one of these four.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|a| a.oid() == *oid)
    }

    /// The RSASSA-PKCS1-v1_5 scheme for this hash, for verification.
    pub fn pkcs1v15(self) -> Pkcs1v15Sign {
        match self {
            DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
            DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
            DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
            DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }

    /// The DER DigestInfo (AlgorithmIdentifier and digest) the card must sign.
    ///
    /// # Errors
    ///
    /// [`CertificateError::InvalidInput`] when the digest's length is not the algorithm's.
    pub fn digest_info(self, digest: &[u8]) -> Result<Vec<u8>> {
        self.check_len(digest)?;
        let scheme = self.pkcs1v15();
        let mut info = Vec::with_capacity(scheme.prefix.len() + digest.len());
        info.extend_from_slice(&scheme.prefix);
        info.extend_from_slice(digest);
        Ok(info)
    }

    /// Lower-case name as used on the command line (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    fn check_len(self, digest: &[u8]) -> Result<()> {
        if digest.len() == self.output_len() {
            Ok(())
        } else {
            Err(CertificateError::InvalidInput {
                reason: format!(
                    "a {} digest has {} bytes, not {}",
                    self.name(),
                    self.output_len(),
                    digest.len()
                ),
            })
        }
    }
}

impl std::str::FromStr for DigestAlgorithm {
    type Err = CertificateError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace('-', "").as_str() {
            "sha1" => Ok(DigestAlgorithm::Sha1),
            "sha256" => Ok(DigestAlgorithm::Sha256),
            "sha384" => Ok(DigestAlgorithm::Sha384),
            "sha512" => Ok(DigestAlgorithm::Sha512),
            other => Err(CertificateError::InvalidInput {
                reason: format!("unknown hash algorithm {other:?}: use sha256, sha384 or sha512"),
            }),
        }
    }
}

/// A digest to be signed with the signature key, checked for length at construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDigest {
    algorithm: DigestAlgorithm,
    digest: Vec<u8>,
}

impl DocumentDigest {
    /// Hashes a document.
    pub fn of_document(algorithm: DigestAlgorithm, document: &[u8]) -> Self {
        Self {
            algorithm,
            digest: algorithm.digest(document),
        }
    }

    /// Wraps a digest computed elsewhere.
    ///
    /// # Errors
    ///
    /// [`CertificateError::InvalidInput`] when the digest's length is not the algorithm's.
    pub fn from_digest(algorithm: DigestAlgorithm, digest: Vec<u8>) -> Result<Self> {
        algorithm.check_len(&digest)?;
        Ok(Self { algorithm, digest })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The digest bytes.
    pub fn digest(&self) -> &[u8] {
        &self.digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_infos_match_the_published_prefixes() {
        // docs/protocol.md §3.5, from myna's libmyna/common.go.
        let cases = [
            (DigestAlgorithm::Sha1, "3021300906052b0e03021a05000414"),
            (
                DigestAlgorithm::Sha256,
                "3031300d060960864801650304020105000420",
            ),
            (
                DigestAlgorithm::Sha384,
                "3041300d060960864801650304020205000430",
            ),
            (
                DigestAlgorithm::Sha512,
                "3051300d060960864801650304020305000440",
            ),
        ];
        for (alg, prefix) in cases {
            let digest = alg.digest(b"abc");
            let info = alg.digest_info(&digest).unwrap();
            assert_eq!(
                hex::encode(&info[..info.len() - digest.len()]),
                prefix,
                "{alg:?}"
            );
            assert!(info.len() <= 245);
        }
    }

    #[test]
    fn wrong_digest_lengths_are_refused() {
        assert!(DocumentDigest::from_digest(DigestAlgorithm::Sha256, vec![0; 31]).is_err());
        assert!(DocumentDigest::from_digest(DigestAlgorithm::Sha512, vec![0; 64]).is_ok());
        assert!(DigestAlgorithm::Sha384.digest_info(&[0; 32]).is_err());
        assert_eq!(
            "SHA-384".parse::<DigestAlgorithm>().unwrap(),
            DigestAlgorithm::Sha384
        );
        assert!("md5".parse::<DigestAlgorithm>().is_err());
    }
}
