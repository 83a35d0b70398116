//! Certificate verification for a relying party: chain to an accepted root (chosen by
//! signature, since every generation of a purpose shares one name), validity, the root's CA
//! constraints, and the leaf's key usage, extended key usage and policy for its purpose.

use rsa::pkcs8::DecodePublicKey;
use rsa::RsaPublicKey;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::TrustError;
use crate::roots::PRODUCTION_ROOTS;
use kazashi_certificate::certificate::{
    CertificateInfo, CertificatePurpose, POLICY_AUTHENTICATION, POLICY_AUTHENTICATION_TEST,
    POLICY_SIGNATURE, POLICY_SIGNATURE_SMARTPHONE, POLICY_SIGNATURE_TEST,
};
use kazashi_certificate::digest::DigestAlgorithm;

const ID_KP_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

/// The extensions this verifier processes; a critical extension outside this list makes a
/// certificate unusable (RFC 5280 §4.2). keyUsage, basicConstraints and certificatePolicies are
/// the ones J-LIS marks critical.
const PROCESSED_EXTENSIONS: [&str; 10] = [
    "2.5.29.14",         // subjectKeyIdentifier
    "2.5.29.15",         // keyUsage
    "2.5.29.17",         // subjectAltName
    "2.5.29.18",         // issuerAltName
    "2.5.29.19",         // basicConstraints
    "2.5.29.31",         // cRLDistributionPoints
    "2.5.29.32",         // certificatePolicies
    "2.5.29.35",         // authorityKeyIdentifier
    "2.5.29.37",         // extKeyUsage
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
];
/// The smallest RSA key accepted (CRYPTREC, and every J-LIS key).
const MIN_RSA_BITS: usize = 2048;

/// Which of J-LIS's two hierarchies a root belongs to, which decides the policies its
/// certificates must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hierarchy {
    /// J-LIS's production roots (`O=JPKI`): the six built in, and any root a caller adds that
    /// bears the production name (a newer generation, say). Real cards' certificates.
    Production,
    /// A root the caller opted into that does not bear the production name: the J-LIS test
    /// hierarchy (`O=JPKI-TEST`, from test cards), the virtual card's test PKI.
    Test,
}

impl Hierarchy {
    fn name(self) -> &'static str {
        match self {
            Hierarchy::Production => "production",
            Hierarchy::Test => "test",
        }
    }
}

/// One certificate policy J-LIS puts on an end-entity certificate.
struct JlisPolicy {
    oid: &'static str,
    purpose: CertificatePurpose,
    hierarchy: Hierarchy,
    /// Where it is documented.
    source: &'static str,
}

/// The certificate policies accepted on a leaf, by purpose and by the hierarchy of the root it
/// chains to. This table is the only place the verifier decides policies. A leaf must carry one
/// of its purpose's policies for its root's hierarchy, and none of the other hierarchy's: a
/// production certificate with a test policy, or a test certificate under a production root,
/// is refused as [`TrustError::WrongUsage`] naming the policy found and the hierarchy.
///
/// - `docs/protocol.md` §6.2: production authentication `…8.5.1.3.30`.
/// - §6.3: production signature `…8.5.1.1.20`; the smartphone signature policy `…8.5.1.1.40`
///   (a single, unverified source; accepted under production roots as before).
/// - §6.3a: test authentication `…8.5.1.0.30` and test signature `…8.5.1.0.20`, read from a
///   J-LIS test card (`O=JPKI-TEST`).
const JLIS_POLICIES: [JlisPolicy; 5] = [
    JlisPolicy {
        oid: POLICY_AUTHENTICATION,
        purpose: CertificatePurpose::Authentication,
        hierarchy: Hierarchy::Production,
        source: "protocol.md §6.2",
    },
    JlisPolicy {
        oid: POLICY_AUTHENTICATION_TEST,
        purpose: CertificatePurpose::Authentication,
        hierarchy: Hierarchy::Test,
        source: "protocol.md §6.3a",
    },
    JlisPolicy {
        oid: POLICY_SIGNATURE,
        purpose: CertificatePurpose::Signature,
        hierarchy: Hierarchy::Production,
        source: "protocol.md §6.3",
    },
    JlisPolicy {
        oid: POLICY_SIGNATURE_SMARTPHONE,
        purpose: CertificatePurpose::Signature,
        hierarchy: Hierarchy::Production,
        source: "protocol.md §6.3 (smartphone)",
    },
    JlisPolicy {
        oid: POLICY_SIGNATURE_TEST,
        purpose: CertificatePurpose::Signature,
        hierarchy: Hierarchy::Test,
        source: "protocol.md §6.3a",
    },
];

/// A root the verifier accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// DER bytes.
    pub der: Vec<u8>,
    /// What it issues.
    pub purpose: CertificatePurpose,
    /// A name for results and logs (`authca02.cer`, or `test root: <subject>`).
    pub label: String,
    /// The J-LIS generation, for production roots.
    pub generation: Option<u8>,
    /// Whether it is a J-LIS production root.
    pub production: bool,
}

/// The roots a verifier accepts. Production-only unless test roots are added explicitly.
#[derive(Debug, Clone)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
}

impl Default for TrustStore {
    fn default() -> Self {
        Self::production()
    }
}

impl TrustStore {
    /// The six J-LIS production roots, nothing else.
    pub fn production() -> Self {
        Self {
            anchors: PRODUCTION_ROOTS
                .iter()
                .map(|r| Anchor {
                    der: r.der.to_vec(),
                    purpose: r.purpose,
                    label: r.name.to_string(),
                    generation: Some(r.generation),
                    production: true,
                })
                .collect(),
        }
    }

    /// No roots at all (add your own with [`TrustStore::with_test_root`]).
    pub fn empty() -> Self {
        Self {
            anchors: Vec::new(),
        }
    }

    /// Also accepts a caller-supplied root (the JPKI test hierarchy, the virtual card's test
    /// PKI). This is the explicit opt-in: without it, test certificates are rejected.
    ///
    /// # Errors
    ///
    /// [`TrustError::BadRoot`] when the certificate is not a usable self-signed CA, or
    /// [`TrustError::Malformed`].
    pub fn with_test_root(
        mut self,
        der: &[u8],
        purpose: CertificatePurpose,
    ) -> Result<Self, TrustError> {
        let info =
            CertificateInfo::from_der(der).map_err(|e| TrustError::malformed(e.to_string()))?;
        self.anchors.push(Anchor {
            der: der.to_vec(),
            purpose,
            label: format!("test root: {}", info.subject),
            generation: None,
            production: false,
        });
        Ok(self)
    }

    /// The accepted roots.
    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }
}

/// A certificate that passed every check.
#[derive(Debug, Clone)]
pub struct ChainVerification {
    /// The verified certificate.
    pub certificate: CertificateInfo,
    /// The root that anchored it.
    pub anchor: String,
    /// Its J-LIS generation (production roots).
    pub generation: Option<u8>,
    /// Whether the root is a production J-LIS root.
    pub production: bool,
    /// Whole days the certificate has left at the time of the check.
    pub days_left: i64,
}

/// One check [`verify_certificate`] makes, in the order it makes them. A
/// [`ChainVerification`] exists only when every check of its purpose passed;
/// [`ChainVerification::checks_passed`] lists them, and a [`TrustError`] names the one that
/// failed. Revocation is not among them: J-LIS revocation data needs an authorised operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChainCheck {
    /// One DER X.509 certificate, with an RSA key.
    Decoded,
    /// Signed with sha256/384/512WithRSAEncryption (SHA-1 refused).
    SignatureAlgorithm,
    /// Its purpose (from its policies, else its issuer) is the one asked for.
    Purpose,
    /// RFC 5280: the inner and outer signature algorithms agree, every critical extension is
    /// one this verifier processes, and the RSA key has at least 2048 bits.
    Structure,
    /// Signed by an accepted root of that purpose (each root of the issuer's name is tried by
    /// signature).
    IssuerSignature,
    /// The root: the same structure rules, valid at the time, a critical CA:TRUE with
    /// keyCertSign.
    Root,
    /// The time of the check lies within the certificate's validity.
    Validity,
    /// keyUsage of its purpose.
    KeyUsage,
    /// extendedKeyUsage clientAuth (authentication certificates).
    ExtendedKeyUsage,
    /// The certificate policy its purpose needs under the root's hierarchy.
    Policy,
}

impl ChainCheck {
    /// The checks made for `purpose`, in order.
    pub fn for_purpose(purpose: CertificatePurpose) -> Vec<ChainCheck> {
        use ChainCheck::*;
        let mut checks = vec![
            Decoded,
            SignatureAlgorithm,
            Purpose,
            Structure,
            IssuerSignature,
            Root,
            Validity,
            KeyUsage,
        ];
        if purpose == CertificatePurpose::Authentication {
            checks.push(ExtendedKeyUsage);
        }
        checks.push(Policy);
        checks
    }

    /// A stable kebab-case name (`"issuer-signature"`), for JSON.
    pub fn name(self) -> &'static str {
        match self {
            ChainCheck::Decoded => "decoded",
            ChainCheck::SignatureAlgorithm => "signature-algorithm",
            ChainCheck::Purpose => "purpose",
            ChainCheck::Structure => "structure",
            ChainCheck::IssuerSignature => "issuer-signature",
            ChainCheck::Root => "root",
            ChainCheck::Validity => "validity",
            ChainCheck::KeyUsage => "key-usage",
            ChainCheck::ExtendedKeyUsage => "extended-key-usage",
            ChainCheck::Policy => "policy",
        }
    }

    /// What was checked, in words, for a certificate of `purpose`.
    pub fn describe(self, purpose: CertificatePurpose) -> &'static str {
        match self {
            ChainCheck::Decoded => "one DER X.509 certificate with an RSA key",
            ChainCheck::SignatureAlgorithm => {
                "signed with SHA-256 or stronger (sha*WithRSAEncryption)"
            }
            ChainCheck::Purpose => "its purpose is the one asked for",
            ChainCheck::Structure => {
                "RFC 5280 structure: signature algorithms agree, no unknown critical extension, \
                 RSA key of 2048 bits or more"
            }
            ChainCheck::IssuerSignature => "signed by an accepted root of its purpose",
            ChainCheck::Root => {
                "the root is valid at that time and is a certification authority \
                 (critical CA:TRUE, keyCertSign)"
            }
            ChainCheck::Validity => "within its validity at that time",
            ChainCheck::KeyUsage => match purpose {
                CertificatePurpose::Signature => "keyUsage digitalSignature and nonRepudiation",
                _ => "keyUsage digitalSignature",
            },
            ChainCheck::ExtendedKeyUsage => "extendedKeyUsage clientAuth",
            ChainCheck::Policy => "the certificate policy of its purpose for the root's hierarchy",
        }
    }
}

impl ChainVerification {
    /// Every check the certificate passed, in the order [`verify_certificate`] made them.
    pub fn checks_passed(&self) -> Vec<ChainCheck> {
        ChainCheck::for_purpose(self.certificate.purpose)
    }
}

/// Verifies `leaf_der` for `purpose` at `at` (Unix seconds).
///
/// # Errors
///
/// A [`TrustError`] naming the first check that failed: malformed, wrong purpose, expired or
/// not yet valid, untrusted or invalid root, test root not accepted, tampered, wrong usage or
/// policy, weak algorithm.
pub fn verify_certificate(
    leaf_der: &[u8],
    purpose: CertificatePurpose,
    at: i64,
    store: &TrustStore,
) -> Result<ChainVerification, TrustError> {
    let info =
        CertificateInfo::from_der(leaf_der).map_err(|e| TrustError::malformed(e.to_string()))?;
    let (_, leaf) =
        X509Certificate::from_der(leaf_der).map_err(|e| TrustError::malformed(e.to_string()))?;
    let algorithm = signature_digest(&leaf)?;
    if info.purpose != purpose {
        return Err(TrustError::WrongPurpose {
            expected: purpose,
            found: info.purpose,
        });
    }
    check_structure(&leaf, info.key_bits)?;

    // Every generation of a purpose has the same name: try each root of that name by signature.
    // A root the certificate names by key identifier that does not verify it means alteration;
    // no such root means an issuer we do not trust.
    let issuer_raw = leaf.issuer().as_raw();
    let claimed_key = authority_key_id(&leaf);
    let mut claimed = 0;
    let mut anchor = None;
    for candidate in store.anchors().iter().filter(|a| a.purpose == purpose) {
        let (_, root) = X509Certificate::from_der(&candidate.der)
            .map_err(|e| TrustError::malformed(e.to_string()))?;
        if root.subject().as_raw() != issuer_raw {
            continue;
        }
        if claimed_key.is_none() || claimed_key == subject_key_id(&root) {
            claimed += 1;
        }
        if signed_by(&leaf, &root, algorithm) {
            anchor = Some((candidate, root));
            break;
        }
    }
    let Some((anchor, root)) = anchor else {
        let test_roots_enabled = store
            .anchors()
            .iter()
            .any(|a| !a.production && a.purpose == purpose);
        return Err(if claimed > 0 {
            TrustError::TamperedCertificate
        } else if info.test_hierarchy && !test_roots_enabled {
            TrustError::TestRootNotAccepted
        } else {
            TrustError::UntrustedRoot {
                issuer: info.issuer.clone(),
            }
        });
    };

    check_root(&root, anchor, at)?;
    if at < info.not_before {
        return Err(TrustError::NotYetValid {
            not_before: info.not_before_date(),
        });
    }
    if at > info.not_after {
        return Err(TrustError::Expired {
            not_after: info.not_after_date(),
        });
    }
    check_usage(&leaf, purpose)?;
    check_policy(&info, purpose, hierarchy_of(anchor, &root), anchor)?;
    Ok(ChainVerification {
        days_left: info.days_left(at),
        certificate: info,
        anchor: anchor.label.clone(),
        generation: anchor.generation,
        production: anchor.production,
    })
}

/// The hash of a certificate's sha*WithRSAEncryption signature; SHA-1 and others refused.
fn signature_digest(cert: &X509Certificate<'_>) -> Result<DigestAlgorithm, TrustError> {
    let oid = cert.signature_algorithm.algorithm.to_id_string();
    match oid.as_str() {
        "1.2.840.113549.1.1.11" => Ok(DigestAlgorithm::Sha256),
        "1.2.840.113549.1.1.12" => Ok(DigestAlgorithm::Sha384),
        "1.2.840.113549.1.1.13" => Ok(DigestAlgorithm::Sha512),
        "1.2.840.113549.1.1.5" => Err(TrustError::WeakAlgorithm {
            algorithm: "sha1WithRSAEncryption".into(),
        }),
        other => Err(TrustError::WeakAlgorithm {
            algorithm: other.into(),
        }),
    }
}

fn authority_key_id(cert: &X509Certificate<'_>) -> Option<Vec<u8>> {
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                aki.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
}

fn subject_key_id(cert: &X509Certificate<'_>) -> Option<Vec<u8>> {
    cert.extensions()
        .iter()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(ski) => Some(ski.0.to_vec()),
            _ => None,
        })
}

/// Whether `issuer`'s key signed `cert`.
fn signed_by(
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
    algorithm: DigestAlgorithm,
) -> bool {
    let Ok(key) = RsaPublicKey::from_public_key_der(issuer.public_key().raw) else {
        return false;
    };
    let digest = algorithm.digest(cert.tbs_certificate.as_ref());
    key.verify(algorithm.pkcs1v15(), &digest, &cert.signature_value.data)
        .is_ok()
}

/// What RFC 5280 requires of any certificate before its contents are believed: the signature
/// algorithm inside the signed part equals the outer one (§4.1.1.2), and every critical
/// extension is one this verifier processes (§4.2). nameConstraints is not processed, so a
/// critical one is refused (a leaf must never carry it, §4.2.1.10; no J-LIS root does). And the
/// RSA key has at least 2048 bits.
fn check_structure(cert: &X509Certificate<'_>, key_bits: usize) -> Result<(), TrustError> {
    let inner = &cert.tbs_certificate.signature;
    let outer = &cert.signature_algorithm;
    if inner.algorithm != outer.algorithm
        || inner.parameters.as_ref().map(|p| p.as_bytes())
            != outer.parameters.as_ref().map(|p| p.as_bytes())
    {
        return Err(TrustError::malformed(format!(
            "the certificate's inner signature algorithm {} differs from the outer {}",
            inner.algorithm, outer.algorithm
        )));
    }
    for ext in cert.extensions() {
        let oid = ext.oid.to_id_string();
        if ext.critical && !PROCESSED_EXTENSIONS.contains(&oid.as_str()) {
            return Err(TrustError::CriticalExtension { oid });
        }
    }
    if key_bits < MIN_RSA_BITS {
        return Err(TrustError::WeakKey { bits: key_bits });
    }
    Ok(())
}

fn check_root(root: &X509Certificate<'_>, anchor: &Anchor, at: i64) -> Result<(), TrustError> {
    let key_bits = RsaPublicKey::from_public_key_der(root.public_key().raw)
        .map(|key| rsa::traits::PublicKeyParts::n(&key).bits())
        .unwrap_or(0);
    check_structure(root, key_bits)?;
    let validity = root.validity();
    if at < validity.not_before.timestamp() || at > validity.not_after.timestamp() {
        return Err(TrustError::RootNotValid {
            root: anchor.label.clone(),
        });
    }
    let bad = |reason: &str| TrustError::BadRoot {
        root: anchor.label.clone(),
        reason: reason.into(),
    };
    let mut is_ca = false;
    let mut can_sign_certificates = false;
    for ext in root.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::BasicConstraints(bc) => is_ca = bc.ca && ext.critical,
            ParsedExtension::KeyUsage(ku) => can_sign_certificates = ku.key_cert_sign(),
            _ => {}
        }
    }
    if !is_ca {
        return Err(bad("basicConstraints is not a critical CA:TRUE"));
    }
    if !can_sign_certificates {
        return Err(bad("keyUsage lacks keyCertSign"));
    }
    Ok(())
}

/// The key usage and extended key usage of `purpose`. Policies: [`check_policy`].
fn check_usage(leaf: &X509Certificate<'_>, purpose: CertificatePurpose) -> Result<(), TrustError> {
    let wrong = |reason: &str| TrustError::WrongUsage {
        reason: reason.into(),
    };
    let mut key_usage = None;
    let mut client_auth = None;
    for ext in leaf.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::KeyUsage(ku) => {
                key_usage = Some((ku.digital_signature(), ku.non_repudiation()))
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                client_auth = Some(
                    eku.client_auth
                        || eku
                            .other
                            .iter()
                            .any(|o| o.to_id_string() == ID_KP_CLIENT_AUTH),
                );
            }
            _ => {}
        }
    }
    match purpose {
        CertificatePurpose::Authentication => {
            if key_usage.map(|k| k.0) != Some(true) {
                return Err(wrong("keyUsage lacks digitalSignature"));
            }
            if client_auth != Some(true) {
                return Err(wrong("extendedKeyUsage lacks clientAuth"));
            }
        }
        CertificatePurpose::Signature => {
            if key_usage != Some((true, true)) {
                return Err(wrong("keyUsage lacks digitalSignature and nonRepudiation"));
            }
        }
        _ => {
            return Err(wrong(
                "only authentication and signature certificates are verified",
            ))
        }
    }
    Ok(())
}

/// The hierarchy whose policies a chain to `anchor` must carry. A built-in root is production;
/// so is a caller-added root bearing J-LIS's production organisation name (`O=JPKI`), because a
/// root that claims to be J-LIS's production CA is held to what that CA issues. Every other
/// caller-added root is the test hierarchy the caller opted into.
fn hierarchy_of(anchor: &Anchor, root: &X509Certificate<'_>) -> Hierarchy {
    let production_name = root
        .subject()
        .iter_organization()
        .any(|o| o.as_str() == Ok("JPKI"));
    if anchor.production || production_name {
        Hierarchy::Production
    } else {
        Hierarchy::Test
    }
}

/// The leaf's certificate policy against [`JLIS_POLICIES`]: one of its purpose's policies for
/// the root's hierarchy, and none of the other hierarchy's (a J-LIS certificate never mixes
/// them; one that does was not issued by J-LIS's process).
fn check_policy(
    info: &CertificateInfo,
    purpose: CertificatePurpose,
    hierarchy: Hierarchy,
    anchor: &Anchor,
) -> Result<(), TrustError> {
    let of_purpose = || JLIS_POLICIES.iter().filter(move |p| p.purpose == purpose);
    let carried = |p: &&JlisPolicy| info.policies.iter().any(|oid| oid == p.oid);
    let root = format!("the {} root {}", hierarchy.name(), anchor.label);
    if let Some(foreign) = of_purpose()
        .filter(|p| p.hierarchy != hierarchy)
        .find(carried)
    {
        return Err(TrustError::WrongUsage {
            reason: format!(
                "certificate policy {} is the {} hierarchy's {} policy ({}), but the \
                 certificate chains to {root}, whose certificates carry {}",
                foreign.oid,
                foreign.hierarchy.name(),
                purpose_word(purpose),
                foreign.source,
                expected_policies(purpose, hierarchy),
            ),
        });
    }
    if of_purpose()
        .filter(|p| p.hierarchy == hierarchy)
        .any(|p| carried(&p))
    {
        return Ok(());
    }
    let found = if info.policies.is_empty() {
        "none".to_string()
    } else {
        info.policies.join(", ")
    };
    Err(TrustError::WrongUsage {
        reason: format!(
            "certificate policy {} missing for a {} certificate under {root} (found: {found})",
            expected_policies(purpose, hierarchy),
            purpose_word(purpose),
        ),
    })
}

/// The accepted policies of a purpose and hierarchy, as `a or b`.
fn expected_policies(purpose: CertificatePurpose, hierarchy: Hierarchy) -> String {
    JLIS_POLICIES
        .iter()
        .filter(|p| p.purpose == purpose && p.hierarchy == hierarchy)
        .map(|p| p.oid)
        .collect::<Vec<_>>()
        .join(" or ")
}

fn purpose_word(purpose: CertificatePurpose) -> &'static str {
    match purpose {
        CertificatePurpose::Authentication => "authentication",
        CertificatePurpose::Signature => "signature",
        _ => "other",
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    /// Every purpose has at least one policy in each hierarchy, and no OID appears twice (a
    /// policy belongs to exactly one purpose and hierarchy).
    #[test]
    fn the_policy_table_is_complete_and_unambiguous() {
        for purpose in [
            CertificatePurpose::Authentication,
            CertificatePurpose::Signature,
        ] {
            for hierarchy in [Hierarchy::Production, Hierarchy::Test] {
                assert!(
                    !expected_policies(purpose, hierarchy).is_empty(),
                    "{purpose:?} {hierarchy:?}"
                );
            }
        }
        for (i, a) in JLIS_POLICIES.iter().enumerate() {
            for b in &JLIS_POLICIES[i + 1..] {
                assert_ne!(a.oid, b.oid);
            }
        }
        assert_eq!(
            expected_policies(CertificatePurpose::Authentication, Hierarchy::Test),
            "1.2.392.200149.8.5.1.0.30"
        );
        assert_eq!(
            expected_policies(CertificatePurpose::Signature, Hierarchy::Production),
            "1.2.392.200149.8.5.1.1.20 or 1.2.392.200149.8.5.1.1.40"
        );
    }
}
