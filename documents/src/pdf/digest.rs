//! The digest of a signature's byte range, hashed in place over the two slices (no copy of a
//! 50 MB file to hash it).

use kazashi_certificate::DigestAlgorithm;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// `algorithm`'s digest of `parts`, in order, as if concatenated.
pub(crate) fn digest_parts(algorithm: DigestAlgorithm, parts: &[&[u8]]) -> Vec<u8> {
    fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut hasher = D::new();
        for part in parts {
            hasher.update(part);
        }
        hasher.finalize().to_vec()
    }
    match algorithm {
        DigestAlgorithm::Sha384 => run::<Sha384>(parts),
        DigestAlgorithm::Sha512 => run::<Sha512>(parts),
        // SHA-1 is refused before any digest is asked for; SHA-256 is the default.
        _ => run::<Sha256>(parts),
    }
}

/// The two signed slices of `pdf` under `/ByteRange [a b c d]` (already checked to lie inside).
pub(crate) fn byte_range_parts(pdf: &[u8], range: [usize; 4]) -> [&[u8]; 2] {
    let [a, b, c, d] = range;
    [&pdf[a..a + b], &pdf[c..c + d]]
}
