//! Helpers shared by the verifier's integration tests: the virtual card's test trust store, a
//! PKI that re-issues the virtual card's certificates under a key the test holds (so that only
//! the property under test can make a chain fail), and OpenSSL's command line, the independent
//! implementation the chains are cross-checked with.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use der::asn1::{Any, BitString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Tag};
use kazashi::{CertificateInfo, CertificateKind, CertificatePurpose, PinKind};
use kazashi_verify::{verify_certificate, ChainVerification, TrustError, TrustStore};
use kazashi_virtual_card::VirtualCard;
use rand_core::SeedableRng;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::EncodePublicKey;
use rsa::signature::{SignatureEncoding, Signer};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::certpolicy::CertificatePolicies;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::AuthorityKeyIdentifier;
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::{Certificate, TbsCertificate};

/// 2027-01-15, inside the virtual card's validity (2025-10-27 .. 2030-04-01).
pub const NOW: i64 = 1_800_000_000;

/// The production roots plus the virtual card's two test roots (the explicit opt-in).
pub fn test_store(card: &VirtualCard) -> TrustStore {
    TrustStore::production()
        .with_test_root(
            card.root_der(PinKind::Authentication),
            CertificatePurpose::Authentication,
        )
        .unwrap()
        .with_test_root(
            card.root_der(PinKind::Signing),
            CertificatePurpose::Signature,
        )
        .unwrap()
}

/// One of the card's certificates, DER.
pub fn cert(card: &VirtualCard, kind: CertificateKind) -> Vec<u8> {
    card.certificate_der(kind).unwrap().to_vec()
}

/// An RSA key from a fixed seed (the same on every run).
pub fn key(bits: usize, seed: u64) -> rsa::RsaPrivateKey {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    rsa::RsaPrivateKey::new(&mut rng, bits).unwrap()
}

pub fn spki(key: &rsa::RsaPrivateKey) -> SubjectPublicKeyInfoOwned {
    let der = key.to_public_key().to_public_key_der().unwrap();
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).unwrap()
}

/// `tbs` signed with sha256WithRSAEncryption by `by`, the algorithm copied from `template`.
pub fn sign(tbs: TbsCertificate, template: &Certificate, by: &rsa::RsaPrivateKey) -> Vec<u8> {
    let signature = SigningKey::<sha2::Sha256>::new(by.clone())
        .sign(&tbs.to_der().unwrap())
        .to_vec();
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: template.signature_algorithm.clone(),
        signature: BitString::from_bytes(&signature).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// A critical extension with the given DER value.
pub fn critical(oid: &str, value: &[u8]) -> Extension {
    Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical: true,
        extn_value: OctetString::new(value.to_vec()).unwrap(),
    }
}

/// Replaces the OID of every certificate policy with `oid` (J-LIS certificates carry one),
/// keeping its criticality and qualifiers (the CPS URI).
pub fn set_policy(tbs: &mut TbsCertificate, oid: &str) {
    let extension = tbs
        .extensions
        .as_mut()
        .and_then(|e| e.iter_mut().find(|e| e.extn_id.to_string() == "2.5.29.32"))
        .expect("a certificatePolicies extension");
    let mut policies = CertificatePolicies::from_der(extension.extn_value.as_bytes()).unwrap();
    assert!(!policies.0.is_empty());
    for policy in &mut policies.0 {
        policy.policy_identifier = ObjectIdentifier::new_unwrap(oid);
    }
    extension.extn_value = OctetString::new(policies.to_der().unwrap()).unwrap();
}

/// `name` with its organisation `O=JPKI-TEST` renamed to J-LIS's production organisation
/// `O=JPKI` (still a UTF8String, as J-LIS encodes it).
pub fn production_named(name: &Name) -> Name {
    let organization = ObjectIdentifier::new_unwrap("2.5.4.10");
    RdnSequence(
        name.0
            .iter()
            .map(|rdn| {
                let renamed: Vec<AttributeTypeAndValue> = rdn
                    .0
                    .iter()
                    .map(|atv| {
                        let mut atv = atv.clone();
                        if atv.oid == organization {
                            atv.value = Any::new(Tag::Utf8String, "JPKI".as_bytes()).unwrap();
                        }
                        atv
                    })
                    .collect();
                RelativeDistinguishedName(SetOfVec::try_from(renamed).unwrap())
            })
            .collect(),
    )
}

/// One of the virtual card's certificate families (a root and its leaf) re-issued under a root
/// key the test holds: edit the root or the leaf, and the chain is still correctly signed.
pub struct Pki {
    pub purpose: CertificatePurpose,
    root_key: rsa::RsaPrivateKey,
    root: Certificate,
    leaf: Certificate,
}

impl Pki {
    /// The authentication family.
    pub fn new(card: &VirtualCard) -> Self {
        Self::of(card, CertificatePurpose::Authentication)
    }

    /// The family of `purpose`: authentication or signature.
    pub fn of(card: &VirtualCard, purpose: CertificatePurpose) -> Self {
        let (family, kind) = match purpose {
            CertificatePurpose::Authentication => {
                (PinKind::Authentication, CertificateKind::Authentication)
            }
            CertificatePurpose::Signature => (PinKind::Signing, CertificateKind::Signing),
            other => panic!("no certificate family for {other:?}"),
        };
        let root_key = key(2048, 1);
        let mut root = Certificate::from_der(card.root_der(family)).unwrap();
        root.tbs_certificate.subject_public_key_info = spki(&root_key);
        let leaf = Certificate::from_der(&cert(card, kind)).unwrap();
        Pki {
            purpose,
            root_key,
            root,
            leaf,
        }
    }

    pub fn root_der(&self, edit: impl FnOnce(&mut TbsCertificate)) -> Vec<u8> {
        let mut tbs = self.root.tbs_certificate.clone();
        edit(&mut tbs);
        sign(tbs, &self.root, &self.root_key)
    }

    pub fn leaf_der(&self, edit: impl FnOnce(&mut TbsCertificate)) -> Vec<u8> {
        let mut tbs = self.leaf.tbs_certificate.clone();
        edit(&mut tbs);
        sign(tbs, &self.leaf, &self.root_key)
    }

    /// The root renamed to the production organisation (`O=JPKI`): a root that claims to be
    /// J-LIS's production CA.
    pub fn production_named_root(&self) -> Vec<u8> {
        self.root_der(|tbs| {
            tbs.subject = production_named(&tbs.subject);
            tbs.issuer = production_named(&tbs.issuer);
        })
    }

    /// The leaf issued under [`Pki::production_named_root`], with the policy `policy`: its
    /// issuer renamed, and the issuer's name in its authorityKeyIdentifier too (OpenSSL matches
    /// that name against the root's).
    pub fn production_named_leaf(&self, policy: &str) -> Vec<u8> {
        self.leaf_der(|tbs| {
            tbs.issuer = production_named(&tbs.issuer);
            let aki = tbs
                .extensions
                .as_mut()
                .and_then(|e| e.iter_mut().find(|e| e.extn_id.to_string() == "2.5.29.35"))
                .expect("an authorityKeyIdentifier extension");
            let mut value = AuthorityKeyIdentifier::from_der(aki.extn_value.as_bytes()).unwrap();
            for name in value.authority_cert_issuer.iter_mut().flatten() {
                if let GeneralName::DirectoryName(dn) = name {
                    *dn = production_named(dn);
                }
            }
            aki.extn_value = OctetString::new(value.to_der().unwrap()).unwrap();
            set_policy(tbs, policy);
        })
    }

    /// Verifies `leaf` for this family's purpose at [`NOW`], with `root` added to the
    /// production roots.
    pub fn check(&self, root: &[u8], leaf: &[u8]) -> Result<ChainVerification, TrustError> {
        let store = TrustStore::production()
            .with_test_root(root, self.purpose)
            .unwrap();
        verify_certificate(leaf, self.purpose, NOW, &store)
    }
}

/// A scratch folder for one test, unique to this process.
pub fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kazashi-verify-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Runs `openssl` with `args`; returns whether it succeeded and everything it printed.
pub fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed (scripts/test.sh installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Writes `der` as a PEM certificate.
pub fn write_pem(path: &Path, der: &[u8]) {
    std::fs::write(path, CertificateInfo::from_der(der).unwrap().to_pem()).unwrap();
}
