//! Records and enums that cross the FFI, converted from the core's types.

use crate::error::KazashiError;

/// Which PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PinKind {
    /// 利用者証明用暗証番号: 4 digits, 3 attempts.
    Authentication,
    /// 署名用パスワード: 6–16 of A–Z and 0–9, 5 attempts.
    Signing,
    /// 券面事項入力補助用暗証番号 (card-info application): 4 digits, 3 attempts, its own counter.
    CardInfo,
    /// 照合番号A: the 12-digit My Number (card-info and card-surface applications).
    VerificationNumberA,
    /// 照合番号B: 14 digits, era birth date, expiry year, security code.
    VerificationNumberB,
}

impl From<kazashi::PinKind> for PinKind {
    fn from(k: kazashi::PinKind) -> Self {
        match k {
            kazashi::PinKind::Authentication => PinKind::Authentication,
            kazashi::PinKind::Signing => PinKind::Signing,
            kazashi::PinKind::CardInfo => PinKind::CardInfo,
            kazashi::PinKind::VerificationNumberA => PinKind::VerificationNumberA,
            kazashi::PinKind::VerificationNumberB => PinKind::VerificationNumberB,
        }
    }
}

impl From<PinKind> for kazashi::PinKind {
    fn from(p: PinKind) -> Self {
        match p {
            PinKind::Authentication => kazashi::PinKind::Authentication,
            PinKind::Signing => kazashi::PinKind::Signing,
            PinKind::CardInfo => kazashi::PinKind::CardInfo,
            PinKind::VerificationNumberA => kazashi::PinKind::VerificationNumberA,
            PinKind::VerificationNumberB => kazashi::PinKind::VerificationNumberB,
        }
    }
}

/// What answers as the JPKI application.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum TokenType {
    /// A physical My Number Card (`JPKIAPICCTOKEN2`).
    PhysicalCard,
    /// An Android phone's JPKI token (`JPKIAPGPSETOKEN`).
    AndroidPhone,
    /// An iPhone's JPKI token (`JPKIAPIOSTOKEN`).
    Iphone,
    /// The older 住基カード (`JPKIAPICCTOKEN`).
    JukiCard,
    /// Anything else.
    Other {
        /// The label as read.
        label: String,
    },
}

impl From<kazashi::TokenType> for TokenType {
    fn from(t: kazashi::TokenType) -> Self {
        match t {
            kazashi::TokenType::PhysicalCard => TokenType::PhysicalCard,
            kazashi::TokenType::AndroidPhone => TokenType::AndroidPhone,
            kazashi::TokenType::Iphone => TokenType::Iphone,
            kazashi::TokenType::JukiCard => TokenType::JukiCard,
            kazashi::TokenType::Other(label) => TokenType::Other { label },
        }
    }
}

/// The four certificates on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CertificateKind {
    /// 利用者証明用電子証明書.
    Authentication,
    /// Its CA.
    AuthenticationCa,
    /// 署名用電子証明書 (needs the signing password; personal data).
    Signing,
    /// Its CA.
    SigningCa,
}

impl From<CertificateKind> for kazashi::CertificateKind {
    fn from(c: CertificateKind) -> Self {
        match c {
            CertificateKind::Authentication => kazashi::CertificateKind::Authentication,
            CertificateKind::AuthenticationCa => kazashi::CertificateKind::AuthenticationCa,
            CertificateKind::Signing => kazashi::CertificateKind::Signing,
            CertificateKind::SigningCa => kazashi::CertificateKind::SigningCa,
        }
    }
}

/// What a certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CertificatePurpose {
    /// Log-in.
    Authentication,
    /// Legally binding signatures.
    Signature,
    /// A J-LIS certification authority.
    CertificateAuthority,
    /// Not recognisably JPKI.
    Unknown,
}

impl From<CertificatePurpose> for kazashi::CertificatePurpose {
    fn from(p: CertificatePurpose) -> Self {
        match p {
            CertificatePurpose::Authentication => kazashi::CertificatePurpose::Authentication,
            CertificatePurpose::Signature => kazashi::CertificatePurpose::Signature,
            CertificatePurpose::CertificateAuthority => {
                kazashi::CertificatePurpose::CertificateAuthority
            }
            CertificatePurpose::Unknown => kazashi::CertificatePurpose::Unknown,
        }
    }
}

impl From<kazashi::CertificatePurpose> for CertificatePurpose {
    fn from(p: kazashi::CertificatePurpose) -> Self {
        match p {
            kazashi::CertificatePurpose::Authentication => CertificatePurpose::Authentication,
            kazashi::CertificatePurpose::Signature => CertificatePurpose::Signature,
            kazashi::CertificatePurpose::CertificateAuthority => {
                CertificatePurpose::CertificateAuthority
            }
            kazashi::CertificatePurpose::Unknown => CertificatePurpose::Unknown,
        }
    }
}

/// Hash algorithm of a document signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DigestAlgorithm {
    /// Legacy only; needs `SignOptions.allowLegacySha1`.
    Sha1,
    /// The default.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl From<DigestAlgorithm> for kazashi::DigestAlgorithm {
    fn from(d: DigestAlgorithm) -> Self {
        match d {
            DigestAlgorithm::Sha1 => kazashi::DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256 => kazashi::DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384 => kazashi::DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512 => kazashi::DigestAlgorithm::Sha512,
        }
    }
}

impl From<kazashi::DigestAlgorithm> for DigestAlgorithm {
    fn from(d: kazashi::DigestAlgorithm) -> Self {
        match d {
            kazashi::DigestAlgorithm::Sha1 => DigestAlgorithm::Sha1,
            kazashi::DigestAlgorithm::Sha256 => DigestAlgorithm::Sha256,
            kazashi::DigestAlgorithm::Sha384 => DigestAlgorithm::Sha384,
            kazashi::DigestAlgorithm::Sha512 => DigestAlgorithm::Sha512,
        }
    }
}

/// A PIN's retry counter.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PinStatus {
    /// Which PIN.
    pub pin: PinKind,
    /// Attempts left; 0 means locked. `None`: the card did not report a count, so the next
    /// wrong entry may lock it (flows then ask for the same confirmation as the last attempt).
    pub attempts_left: Option<u8>,
    /// Attempts of a fresh counter (3 or 5).
    pub max_attempts: u8,
    /// Whether it is locked.
    pub blocked: bool,
    /// A sentence for the user ("authentication PIN: 2 of 3 attempts left").
    pub description: String,
}

impl From<kazashi::PinStatus> for PinStatus {
    fn from(s: kazashi::PinStatus) -> Self {
        PinStatus {
            pin: s.kind.into(),
            attempts_left: s.attempts_left,
            max_attempts: s.kind.max_attempts(),
            blocked: s.is_blocked(),
            description: s.to_string(),
        }
    }
}

/// APDUs and bytes a flow exchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ApduStats {
    /// Command/response pairs.
    pub apdus: u32,
    /// Command bytes sent.
    pub bytes_sent: u64,
    /// Response bytes received.
    pub bytes_received: u64,
}

impl From<kazashi::ApduStats> for ApduStats {
    fn from(s: kazashi::ApduStats) -> Self {
        ApduStats {
            apdus: s.apdus,
            bytes_sent: s.bytes_sent,
            bytes_received: s.bytes_received,
        }
    }
}

/// The holder's attributes in a signing certificate. Personal data: show it only to the holder,
/// never log it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct PersonalAttributes {
    /// 氏名.
    pub name: Option<String>,
    /// 氏名代替文字, raw: a digit string, one digit per character of the name (`00000` for a
    /// five-character name). Not a name: never show it as one.
    pub substitute_name: Option<String>,
    /// 性別: "1" male, "2" female, "9" not applicable.
    pub sex: Option<String>,
    /// 生年月日 as `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// The birth year in the Japanese calendar, from the date: `昭和55年`, `平成元年`.
    pub birth_date_japanese: Option<String>,
    /// 生年月日 as the certificate holds it: `EYYYYMMDD`, the era digit (1 明治 … 5 令和) and
    /// the Gregorian date.
    pub birth_date_raw: Option<String>,
    /// 住所.
    pub address: Option<String>,
    /// 住所代替文字, raw: a digit string, one digit per character of the address. Not an
    /// address: never show it as one.
    pub substitute_address: Option<String>,
}

impl std::fmt::Debug for PersonalAttributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonalAttributes(values withheld)")
    }
}

/// One authorityInfoAccess entry of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InfoAccess {
    /// `OCSP`, `caIssuers`, or the access method's OID.
    pub method: String,
    /// Where: a URL, or a name as text.
    pub location: String,
}

/// A parsed certificate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CertificateInfo {
    /// What it is for.
    pub purpose: CertificatePurpose,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial, upper-case hex.
    pub serial: String,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// End of validity as `YYYY-MM-DD` (UTC).
    pub valid_until: String,
    /// Start of validity in Japan time, RFC 3339 (`2025-10-28T02:29:00+09:00`): J-LIS states
    /// validity in JST.
    pub valid_from_jst: String,
    /// End of validity in Japan time, RFC 3339 (`2030-02-17T23:59:59+09:00`).
    pub valid_until_jst: String,
    /// Whole days left from now (negative once expired).
    pub days_left: i64,
    /// RSA key size.
    pub key_bits: u32,
    /// Which hierarchy: `true` for the JPKI test hierarchy (a leaf issued by, or a root named,
    /// `O=JPKI-TEST`), `false` for production names (`O=JPKI`). A name decides no trust.
    pub test_hierarchy: bool,
    /// For a certification authority, what its certificates are for (authentication or
    /// signature); `None` for other certificates.
    pub ca_purpose: Option<CertificatePurpose>,
    /// For one of the six J-LIS production roots (byte for byte the published certificate),
    /// its file name: `authca02.cer`. `None` for leaves, test roots and any other CA, whatever
    /// its name says (`kazashi cert inspect` shows the same).
    pub root_name: Option<String>,
    /// For one of the six J-LIS production roots, its generation: 1 (2015), 2 (2019) or 3
    /// (2023). `None` otherwise; no generation is known for test roots.
    pub root_generation: Option<u8>,
    /// Certificate policy OIDs.
    pub policies: Vec<String>,
    /// keyUsage bits by their RFC 5280 names (`digitalSignature`, `nonRepudiation`,
    /// `keyCertSign`, `cRLSign`); empty without keyUsage.
    pub key_usage: Vec<String>,
    /// extendedKeyUsage OIDs (`1.3.6.1.5.5.7.3.2` clientAuth); empty without one.
    pub extended_key_usage: Vec<String>,
    /// authorityInfoAccess entries (the OCSP responder of an authentication certificate).
    pub authority_info_access: Vec<InfoAccess>,
    /// cRLDistributionPoints, one text line each (`DirName: C=JP, O=JPKI, …`).
    pub crl_distribution_points: Vec<String>,
    /// The holder's attributes (signing certificate only).
    pub personal: Option<PersonalAttributes>,
    /// The DER bytes.
    pub der: Vec<u8>,
}

impl From<&kazashi::CertificateInfo> for CertificateInfo {
    fn from(c: &kazashi::CertificateInfo) -> Self {
        let now = kazashi::unix_now();
        let known_root = c.known_root();
        CertificateInfo {
            purpose: c.purpose.into(),
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            serial: c.serial.clone(),
            not_before: c.not_before,
            not_after: c.not_after,
            valid_until: c.not_after_date(),
            valid_from_jst: c.not_before_jst(),
            valid_until_jst: c.not_after_jst(),
            days_left: c.days_left(now),
            key_bits: c.key_bits as u32,
            test_hierarchy: c.test_hierarchy,
            ca_purpose: c.ca_purpose().map(Into::into),
            root_name: known_root.map(|r| r.name.to_string()),
            root_generation: known_root.map(|r| r.generation),
            policies: c.policies.clone(),
            key_usage: c.key_usage.clone().unwrap_or_default(),
            extended_key_usage: c.extended_key_usage.clone().unwrap_or_default(),
            authority_info_access: c
                .authority_info_access
                .iter()
                .map(|a| InfoAccess {
                    method: a.method.clone(),
                    location: a.location.clone(),
                })
                .collect(),
            crl_distribution_points: c.crl_distribution_points.clone(),
            personal: c.personal.as_ref().map(|p| PersonalAttributes {
                name: p.name.clone(),
                substitute_name: p.substitute_name.clone(),
                sex: p.sex.clone(),
                birth_date: p.birth_date_iso(),
                birth_date_japanese: p.birth_date_parsed().and_then(|d| d.japanese_year()),
                birth_date_raw: p.birth_date.clone(),
                address: p.address.clone(),
                substitute_address: p.substitute_address.clone(),
            }),
            der: c.der().to_vec(),
        }
    }
}

/// Describes a certificate file's DER (one the app stored, a root it ships, one a server sent)
/// without a card: the same record the flows return, and what `kazashi cert inspect` shows.
/// It decides no trust; `verifyCertificate` does.
///
/// # Errors
///
/// [`KazashiError`] of kind `Certificate` when the bytes are not one DER X.509 certificate with
/// an RSA key.
#[uniffi::export]
pub fn parse_certificate(der: Vec<u8>) -> Result<CertificateInfo, KazashiError> {
    let info = kazashi::CertificateInfo::from_der(&der)?;
    Ok((&info).into())
}

/// What one tap tells without a PIN.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardStatus {
    /// Physical card, phone token...
    pub token: TokenType,
    /// Whether the card has a signing certificate.
    pub signing_certificate_present: bool,
    /// The authentication PIN's counter.
    pub authentication_pin: PinStatus,
    /// The signing password's counter, if the card has one.
    pub signing_password: Option<PinStatus>,
    /// The authentication certificate, unless the token protects it with the PIN.
    pub authentication_certificate: Option<CertificateInfo>,
    /// What the flow exchanged.
    pub counts: ApduStats,
}

/// A verified log-in signature.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LoginResult {
    /// RSASSA-PKCS1-v1_5 with SHA-256 over the challenge (256 bytes).
    pub signature: Vec<u8>,
    /// The authentication certificate the signature was checked against.
    pub certificate: CertificateInfo,
    /// Whether `certificate` is the cached one passed to `loginWithCachedCertificate` (no
    /// certificate read from the card).
    pub certificate_from_cache: bool,
    /// What the flow exchanged.
    pub counts: ApduStats,
}

impl From<kazashi::LoginResult> for LoginResult {
    fn from(r: kazashi::LoginResult) -> Self {
        Self {
            certificate: (&r.certificate).into(),
            certificate_from_cache: r.certificate_from_cache,
            counts: r.stats.into(),
            signature: r.signature,
        }
    }
}

/// A verified document signature.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignResult {
    /// RSASSA-PKCS1-v1_5 over the digest (256 bytes).
    pub signature: Vec<u8>,
    /// The hash algorithm.
    pub algorithm: DigestAlgorithm,
    /// The digest that was signed.
    pub digest: Vec<u8>,
    /// The signing certificate (with personal attributes).
    pub certificate: CertificateInfo,
    /// What the flow exchanged.
    pub counts: ApduStats,
}

/// Choices for signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SignOptions {
    /// The user was warned that one attempt is left and chose to use it.
    #[uniffi(default = false)]
    pub confirm_last_attempt: bool,
    /// Allow SHA-1 (legacy verifiers only).
    #[uniffi(default = false)]
    pub allow_legacy_sha1: bool,
}

/// A CMS signed file made on the card.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignedFile {
    /// DER `ContentInfo` (`.p7s`).
    pub der: Vec<u8>,
    /// The signing certificate (with personal attributes).
    pub certificate: CertificateInfo,
    /// What the flow exchanged.
    pub counts: ApduStats,
}
