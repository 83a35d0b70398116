//! The extensions a person or a tool inspects, as plain values: key usage, extended key usage,
//! authority information access and CRL distribution points (`docs/protocol.md` §6.2, §6.3a).
//! x509-parser decodes them; this module only names what it decoded.

use x509_parser::extensions::{
    AuthorityInfoAccess, CRLDistributionPoints, DistributionPointName, ExtendedKeyUsage,
    GeneralName, KeyUsage,
};

/// id-kp-clientAuth, the extended key usage of the authentication certificate.
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// id-ad-ocsp, the access method of an OCSP responder.
pub const ACCESS_OCSP: &str = "1.3.6.1.5.5.7.48.1";
/// id-ad-caIssuers, the access method of the issuer's certificate.
pub const ACCESS_CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";

/// One authorityInfoAccess entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InfoAccess {
    /// `OCSP`, `caIssuers`, or the access method's OID.
    pub method: String,
    /// Where: a URL, or a name as text (see [`general_name_text`]).
    pub location: String,
}

/// The keyUsage bits set, by their RFC 5280 names, in bit order.
pub fn key_usage_names(ku: &KeyUsage) -> Vec<String> {
    [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .map(|(_, name)| name.to_string())
    .collect()
}

/// The extendedKeyUsage purposes as dotted OIDs: the ones x509-parser recognises first, then
/// the others in certificate order.
pub fn extended_key_usage_oids(eku: &ExtendedKeyUsage<'_>) -> Vec<String> {
    let known = [
        (eku.any, "2.5.29.37.0"),
        (eku.server_auth, "1.3.6.1.5.5.7.3.1"),
        (eku.client_auth, EKU_CLIENT_AUTH),
        (eku.code_signing, "1.3.6.1.5.5.7.3.3"),
        (eku.email_protection, "1.3.6.1.5.5.7.3.4"),
        (eku.time_stamping, "1.3.6.1.5.5.7.3.8"),
        (eku.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
    ];
    known
        .into_iter()
        .filter(|(set, _)| *set)
        .map(|(_, oid)| oid.to_string())
        .chain(eku.other.iter().map(|oid| oid.to_id_string()))
        .collect()
}

/// The RFC 5280 name of a common extended key usage OID (`clientAuth`).
pub fn extended_key_usage_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.29.37.0" => "anyExtendedKeyUsage",
        "1.3.6.1.5.5.7.3.1" => "serverAuth",
        EKU_CLIENT_AUTH => "clientAuth",
        "1.3.6.1.5.5.7.3.3" => "codeSigning",
        "1.3.6.1.5.5.7.3.4" => "emailProtection",
        "1.3.6.1.5.5.7.3.8" => "timeStamping",
        "1.3.6.1.5.5.7.3.9" => "OCSPSigning",
        _ => return None,
    })
}

/// The authorityInfoAccess entries, in certificate order.
pub fn info_access(aia: &AuthorityInfoAccess<'_>) -> Vec<InfoAccess> {
    aia.iter()
        .map(|desc| {
            let oid = desc.access_method.to_id_string();
            InfoAccess {
                method: match oid.as_str() {
                    ACCESS_OCSP => "OCSP".into(),
                    ACCESS_CA_ISSUERS => "caIssuers".into(),
                    _ => oid,
                },
                location: match &desc.access_location {
                    GeneralName::URI(uri) => uri.to_string(),
                    other => general_name_text(other),
                },
            }
        })
        .collect()
}

/// Each CRL distribution point as one line of text: its names (`DirName: C=JP, O=JPKI, …`,
/// `URI: http://…`), then its CRL issuer if it names one.
pub fn distribution_points(points: &CRLDistributionPoints<'_>) -> Vec<String> {
    points
        .points
        .iter()
        .map(|point| {
            let mut parts = Vec::new();
            match &point.distribution_point {
                Some(DistributionPointName::FullName(names)) => {
                    parts.extend(names.iter().map(general_name_text));
                }
                Some(DistributionPointName::NameRelativeToCRLIssuer(rdn)) => {
                    let attrs: Vec<String> = rdn
                        .iter()
                        .map(|attr| {
                            format!(
                                "{}={}",
                                attr.attr_type().to_id_string(),
                                attr.as_str().unwrap_or("(not text)")
                            )
                        })
                        .collect();
                    parts.push(format!("relative name: {}", attrs.join(" + ")));
                }
                None => {}
            }
            if let Some(issuers) = &point.crl_issuer {
                let names: Vec<String> = issuers.iter().map(general_name_text).collect();
                parts.push(format!("CRL issuer: {}", names.join("; ")));
            }
            if parts.is_empty() {
                "(empty distribution point)".into()
            } else {
                parts.join("; ")
            }
        })
        .collect()
}

/// A GeneralName as text, tagged with its kind the way OpenSSL prints it (`DirName:`, `URI:`).
pub fn general_name_text(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::DirectoryName(dn) => format!("DirName: {dn}"),
        GeneralName::URI(uri) => format!("URI: {uri}"),
        GeneralName::DNSName(dns) => format!("DNS: {dns}"),
        GeneralName::RFC822Name(mail) => format!("email: {mail}"),
        GeneralName::IPAddress(ip) => format!("IP: {}", hex::encode_upper(ip)),
        GeneralName::RegisteredID(oid) => format!("RID: {}", oid.to_id_string()),
        GeneralName::OtherName(oid, _) => format!("othername: {}", oid.to_id_string()),
        GeneralName::X400Address(_) => "X400Name".into(),
        GeneralName::EDIPartyName(_) => "EdiPartyName".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CertificateInfo, CertificatePurpose};

    const AUTH_ROOT: &[u8] = include_bytes!("../../verify/roots/authca02.cer");
    const SIGN_ROOT: &[u8] = include_bytes!("../../verify/roots/signca03.cer");

    #[test]
    fn a_j_lis_root_shows_its_usage_and_distribution_point() {
        let root = CertificateInfo::from_der(AUTH_ROOT).unwrap();
        assert_eq!(
            root.key_usage.as_deref(),
            Some(&["keyCertSign".to_string(), "cRLSign".to_string()][..])
        );
        assert_eq!(root.extended_key_usage, None);
        assert!(root.authority_info_access.is_empty());
        // §6.5: one distribution point whose DirName is the root's own DN.
        assert_eq!(
            root.crl_distribution_points,
            vec![format!("DirName: {}", root.subject)]
        );
        assert_eq!(root.ca_purpose(), Some(CertificatePurpose::Authentication));
        assert!(!root.test_hierarchy);
        let sign = CertificateInfo::from_der(SIGN_ROOT).unwrap();
        assert_eq!(sign.ca_purpose(), Some(CertificatePurpose::Signature));
    }

    #[test]
    fn validity_reads_in_japan_time() {
        let root = CertificateInfo::from_der(AUTH_ROOT).unwrap();
        // Every J-LIS root ends at 14:59:59Z, the last second of a day in Japan.
        assert_eq!(root.not_after_utc(), "2029-09-14T14:59:59Z");
        assert_eq!(root.not_after_jst(), "2029-09-14T23:59:59+09:00");
        assert!(root.not_before_jst().ends_with("+09:00"));
    }

    #[test]
    fn extended_key_usage_names() {
        assert_eq!(extended_key_usage_name(EKU_CLIENT_AUTH), Some("clientAuth"));
        assert_eq!(extended_key_usage_name("1.2.3"), None);
    }
}
