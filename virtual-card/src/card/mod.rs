//! The simulator itself: a stateful card that answers raw APDU bytes, following the simulator
//! checklist of `docs/protocol.md` §10. Choices the sources leave open are documented where
//! they are made (search for "open question"); the ones with two plausible answers are
//! switches of [`CommandStrictness`], strict by default. The crate documentation tabulates
//! which command forms and file contents are sourced and which are chosen.
//!
//! One module per job: this one holds the card, its selection state and the commands every
//! application answers the same way (SELECT, READ BINARY, VERIFY, CHANGE REFERENCE DATA, GET
//! CHALLENGE); [`pins`] the PIN machinery, [`files`] the file model, [`jpki`], [`card_info`]
//! and [`card_surface`] the three applications with files, [`personal`] the holder's data as
//! those applications carry it, [`tlv`] their encoding, [`transcript`] the masked record.

mod card_info;
mod card_surface;
mod files;
mod jpki;
mod personal;
mod pins;
mod tlv;
mod transcript;

use std::sync::OnceLock;

use async_trait::async_trait;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rsa::pkcs8::EncodePublicKey;
use rsa::{RsaPrivateKey, RsaPublicKey};

use kazashi::apdu::{Command, LengthForm, Response, StatusWord};
use kazashi::card::addressing::fid_of_short_ef_id;
use kazashi::jpki::{ins, CertificateKind, JPKI_AID};
use kazashi::pin::PinKind;
use kazashi::transport::{LinkCapabilities, Transport, TransportError};

use crate::pki;
use crate::profile::{Profile, VirtualCardConfig};
#[cfg(doc)]
use crate::strictness::CommandStrictness;
use files::{Access, AppId, FileContent, Files};
use pins::{SecretKind, Secrets};
pub use transcript::{is_pin_verify, Exchange};

/// The applications by AID, in the order SELECT by DF name tries them (a prefix selects the
/// first match). The 住基 and 共通 applications can be selected (so AID probing behaves) but
/// hold no files here.
const APPLICATIONS: [([u8; 10], AppId); 5] = [
    (JPKI_AID, AppId::Jpki),
    (card_info::AID, AppId::CardInfo),
    (card_surface::AID, AppId::CardSurface),
    (
        [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01],
        AppId::Resident,
    ),
    (
        [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00],
        AppId::Common,
    ),
];

/// GET CHALLENGE (ISO/IEC 7816-4). Answered by the card in every state (`docs/protocol.md` §3.6).
const GET_CHALLENGE: u8 = 0x84;

/// `68 82`: secure messaging not supported (ISO/IEC 7816-4). What the card answers to a
/// secure-messaging SELECT (myna-card's README).
const SECURE_MESSAGING_NOT_SUPPORTED: StatusWord = StatusWord(0x6882);

/// `69 FC`: what the card answers to READ BINARY and VERIFY under a secure-messaging class
/// (myna-card's README, `docs/protocol.md` §4). Not an ISO/IEC 7816-4 value; its meaning is
/// not published.
const SECURE_MESSAGING_REFUSED: StatusWord = StatusWord(0x69FC);

/// The files of the card-info and card-surface applications. Their keys take RSA key
/// generation, so they are made when a command first needs one of those files (or an
/// accessor asks), not when the card is made.
struct OtherApplications {
    card_info: Files,
    card_surface: Files,
    issuer_public_key_der: Vec<u8>,
}

/// The virtual card. See the module documentation.
pub struct VirtualCard {
    config: VirtualCardConfig,
    jpki_files: Files,
    other_applications: OnceLock<OtherApplications>,
    auth_key: RsaPrivateKey,
    sign_key: RsaPrivateKey,
    auth_root: Vec<u8>,
    sign_root: Vec<u8>,
    secrets: Secrets,
    application: Option<AppId>,
    current_ef: Option<u16>,
    transcript: Option<Vec<Exchange>>,
    commands: u64,
    /// The card's random number generator (GET CHALLENGE, PSS salts). Seeded from the
    /// configuration so that a session replays byte for byte; it runs on across resets, so
    /// no two draws of one card repeat.
    rng: ChaCha20Rng,
}

impl Default for VirtualCard {
    fn default() -> Self {
        Self::new(VirtualCardConfig::default())
    }
}

impl VirtualCard {
    /// A card built from `config`. Key generation for a new seed takes a moment; later cards
    /// with the same seed reuse the keys. The keys of the card-info and card-surface
    /// applications are made the first time those applications' files are needed.
    pub fn new(config: VirtualCardConfig) -> Self {
        let keys = pki::keys_for_seed(&config.seed);
        let certs = pki::build(&config.seed, &keys, &config.holder, config.issued_on);
        let mut secrets = Secrets::default();
        jpki::secrets(&config, &mut secrets);
        card_info::secrets(&config, &mut secrets);
        card_surface::secrets(&config, &mut secrets);
        Self {
            jpki_files: jpki::files(&config, &certs),
            other_applications: OnceLock::new(),
            auth_key: keys.auth_leaf.clone(),
            sign_key: keys.sign_leaf.clone(),
            auth_root: certs.auth_root,
            sign_root: certs.sign_root,
            secrets,
            application: None,
            current_ef: None,
            transcript: None,
            commands: 0,
            rng: ChaCha20Rng::from_seed(pki::derive(&config.seed, "card-rng")),
            config,
        }
    }

    /// A card from a named profile.
    pub fn from_profile(profile: Profile) -> Self {
        Self::new(profile.config())
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &VirtualCardConfig {
        &self.config
    }

    /// Attempts left on a secret; `None` if the card has no such secret (the signing
    /// password under 15). The JPKI PINs are the JPKI application's; the card-info PIN and the
    /// two verification numbers are the card-info application's (EF `0011`, `0014`, `0015`).
    /// The card-surface application's verification numbers count for themselves: see
    /// [`VirtualCard::card_surface_attempts_left`].
    pub fn attempts_left(&self, kind: PinKind) -> Option<u8> {
        self.secret_of(kind).map(|s| s.left)
    }

    /// Attempts left on the card-surface application's 照合番号A (EF `0013`) or B (EF `0012`);
    /// `None` for the other kinds.
    pub fn card_surface_attempts_left(&self, kind: PinKind) -> Option<u8> {
        self.secrets
            .of_kind(AppId::CardSurface, SecretKind::Pin(kind))
            .map(|s| s.left)
    }

    /// Whether a secret is currently verified (for the card-info PIN and the verification
    /// numbers: in the card-info application).
    pub fn is_verified(&self, kind: PinKind) -> bool {
        self.secret_of(kind).is_some_and(|s| s.verified)
    }

    fn secret_of(&self, kind: PinKind) -> Option<&pins::Secret> {
        let app = if kind.is_jpki() {
            AppId::Jpki
        } else {
            AppId::CardInfo
        };
        self.secrets.of_kind(app, SecretKind::Pin(kind))
    }

    /// The certificate the card holds, DER; `None` for a missing signing certificate.
    pub fn certificate_der(&self, kind: CertificateKind) -> Option<&[u8]> {
        self.jpki_files.bytes(kind.ef())
    }

    /// The test root that issued a certificate family, DER (what a relying party would trust).
    /// Empty for the card-info application's secrets, which guard no X.509 certificate.
    pub fn root_der(&self, kind: PinKind) -> &[u8] {
        match kind {
            PinKind::Authentication => &self.auth_root,
            PinKind::Signing => &self.sign_root,
            PinKind::CardInfo | PinKind::VerificationNumberA | PinKind::VerificationNumberB => &[],
        }
    }

    /// The card's My Number, 12 digits: derived from the seed, with a valid check digit
    /// (`docs/protocol.md` §7.2). It is also 照合番号A. For tests: never log it.
    pub fn my_number(&self) -> String {
        personal::my_number(&self.config.seed)
    }

    /// 照合番号B, 14 digits: the birth date as era `YYMMDD`, the card's expiry year, the
    /// security code (`docs/protocol.md` §2.1).
    pub fn verification_number_b(&self) -> String {
        personal::verification_number_b(&self.config)
    }

    /// The birth date as era `YYMMDD` (1990-04-01 → `020401`): the card-surface
    /// application's EF `0011`, which opens its birth-date record.
    pub fn era_birth_date(&self) -> String {
        personal::era_yymmdd(self.config.holder.birth_date)
    }

    /// The 4-digit security code printed on the card's front, derived from the seed.
    pub fn security_code(&self) -> String {
        personal::security_code(&self.config.seed)
    }

    /// The card's own expiry (year, month, day): the holder's tenth birthday after the issue
    /// date, the fifth for a holder under 18 then. Not the certificates' expiry.
    pub fn card_expiry(&self) -> (i32, u8, u8) {
        personal::card_expiry(&self.config)
    }

    /// The virtual J-LIS card-info issuer key, as a SubjectPublicKeyInfo DER: what verifies
    /// the `5F37` signature of both applications' CV certificates (EF `0004`), i.e. the key a
    /// caller would configure in place of J-LIS's. No card file holds it.
    pub fn card_info_issuer_public_key_der(&self) -> Vec<u8> {
        self.other_applications().issuer_public_key_der.clone()
    }

    /// The raw bytes of a card-info application EF (`0001`–`0007`, as a reader would get
    /// them once allowed), for dump tests; `None` for a secret or an unknown EF.
    pub fn card_info_file(&self, fid: u16) -> Option<Vec<u8>> {
        self.other_applications()
            .card_info
            .bytes(fid)
            .map(<[u8]>::to_vec)
    }

    /// The raw bytes of a card-surface application EF (`0001`–`0005`); `None` for a secret or
    /// an unknown EF.
    pub fn card_surface_file(&self, fid: u16) -> Option<Vec<u8>> {
        self.other_applications()
            .card_surface
            .bytes(fid)
            .map(<[u8]>::to_vec)
    }

    fn other_applications(&self) -> &OtherApplications {
        self.other_applications.get_or_init(|| {
            let keys = pki::application_keys_for_seed(&self.config.seed);
            let issuer_public_key_der = RsaPublicKey::from(&keys.issuer)
                .to_public_key_der()
                .expect("SPKI encoding")
                .as_bytes()
                .to_vec();
            OtherApplications {
                card_info: card_info::files(&self.config, &keys),
                card_surface: card_surface::files(&self.config, &keys),
                issuer_public_key_der,
            }
        })
    }

    /// The EFs of an application; `None` for one that holds no files here.
    fn files_of(&self, app: AppId) -> Option<&Files> {
        match app {
            AppId::Jpki => Some(&self.jpki_files),
            AppId::CardInfo => Some(&self.other_applications().card_info),
            AppId::CardSurface => Some(&self.other_applications().card_surface),
            AppId::Resident | AppId::Common => None,
        }
    }

    /// Whether the selected application has an EF `fid` (data, secret or key). A secret is
    /// found without building the application's files.
    fn has_file(&self, fid: u16) -> bool {
        let Some(app) = self.application else {
            return false;
        };
        self.secrets.get(app, fid).is_some()
            || self.files_of(app).is_some_and(|f| f.get(fid).is_some())
    }

    /// Simulates the card leaving the field: no application selected, no PIN verified.
    pub fn reset(&mut self) {
        self.application = None;
        self.current_ef = None;
        self.secrets.clear_verification();
    }

    /// Starts or stops recording a transcript (stopping discards it).
    pub fn record_transcript(&mut self, on: bool) {
        self.transcript = on.then(Vec::new);
    }

    /// The recorded exchanges.
    pub fn transcript(&self) -> &[Exchange] {
        self.transcript.as_deref().unwrap_or_default()
    }

    /// Commands processed since the card was made.
    pub fn commands_processed(&self) -> u64 {
        self.commands
    }

    /// Answers one command APDU with one response APDU.
    pub fn process(&mut self, command: &[u8]) -> Vec<u8> {
        self.commands += 1;
        let response = self.respond(command).encode();
        if let Some(transcript) = &mut self.transcript {
            transcript.push(Exchange {
                command: transcript::mask_secret(command),
                response: response.clone(),
            });
        }
        response
    }

    fn respond(&mut self, raw: &[u8]) -> Response {
        let (command, form) = match Command::decode(raw) {
            Ok(decoded) => decoded,
            Err(_) => return status(StatusWord::WRONG_LENGTH),
        };
        if form == LengthForm::Extended && !self.config.extended_length {
            return status(StatusWord::WRONG_LENGTH);
        }
        if let Some(refusal) = self.config.short_ef_id_refusal {
            if names_short_ef_id(&command) {
                return status(refusal);
            }
        }
        match (command.cla, command.ins) {
            (0x01..=0x03, _) => status(StatusWord::LOGICAL_CHANNEL_NOT_SUPPORTED),
            (0x04 | 0x08 | 0x0C, ins_byte) => refuse_secure_messaging(ins_byte),
            (0x00, ins::SELECT) => self.select(&command),
            (0x00, GET_CHALLENGE) => self.get_challenge(&command, form),
            (0x00, ins::READ_BINARY) => self.read_binary(&command),
            (0x00, ins::VERIFY) => self.verify(&command),
            (0x00, ins::CHANGE_REFERENCE_DATA) => self.change_reference_data(&command),
            (0x80, ins::COMPUTE_DIGITAL_SIGNATURE) => self.compute_signature(&command),
            (0x00 | 0x80, _) => status(StatusWord::INS_NOT_SUPPORTED),
            _ => status(StatusWord::CLA_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, command: &Command) -> Response {
        match command.p1 {
            0x04 => self.select_application(command),
            0x02 => {
                if command.p2 & !0x0C != 0 && command.p2 != 0x00 {
                    return status(StatusWord::INCORRECT_P1_P2);
                }
                let [hi, lo] = match command.data() {
                    [hi, lo] => [*hi, *lo],
                    _ => return status(StatusWord::WRONG_LENGTH),
                };
                let fid = u16::from_be_bytes([hi, lo]);
                if self.has_file(fid) {
                    self.current_ef = Some(fid);
                    status(StatusWord::SUCCESS)
                } else {
                    status(StatusWord::FILE_NOT_FOUND)
                }
            }
            // "Select MF": 6A86 after reset, accepted without effect inside a DF (§1).
            0x00 if self.application.is_some() => status(StatusWord::SUCCESS),
            _ => status(StatusWord::INCORRECT_P1_P2),
        }
    }

    fn select_application(&mut self, command: &Command) -> Response {
        if !matches!(command.p2, 0x0C | 0x00) {
            return status(StatusWord::INCORRECT_P1_P2);
        }
        let name = command.data();
        // SELECT by DF name matches a prefix of the AID (JICSAP 4.2(1)).
        let Some(&(_, selected)) = APPLICATIONS
            .iter()
            .find(|(aid, _)| !name.is_empty() && aid.starts_with(name))
        else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        // Whether an application SELECT ends the verified state is an open question
        // (`docs/protocol.md` §5). Strict: every successful one does, the current application
        // included, for the secrets of every application, so a client must VERIFY after its
        // last SELECT; an unknown AID (6A82 above) changes nothing.
        if !self.config.strictness.keep_verification_across_applications {
            self.secrets.clear_verification();
        }
        self.application = Some(selected);
        self.current_ef = None;
        // P2 = 00 asks for an FCI; no real FCI bytes are public (open question), so none is sent.
        status(StatusWord::SUCCESS)
    }

    fn read_binary(&mut self, command: &Command) -> Response {
        let Some(ne) = command.ne() else {
            return status(StatusWord::WRONG_LENGTH);
        };
        if !command.data().is_empty() {
            return status(StatusWord::WRONG_LENGTH);
        }
        let (fid, offset) = if command.p1 & 0x80 != 0 {
            if command.p1 & 0x60 != 0 {
                return status(StatusWord::INCORRECT_P1_P2);
            }
            let Some(fid) = fid_of_short_ef_id(command.p1) else {
                return status(StatusWord::FILE_NOT_FOUND);
            };
            if !self.has_file(fid) {
                return status(StatusWord::FILE_NOT_FOUND);
            }
            // Reading by short EF identifier makes that EF current.
            self.current_ef = Some(fid);
            (fid, usize::from(command.p2))
        } else {
            let Some(fid) = self.current_ef else {
                return status(StatusWord::NO_CURRENT_EF);
            };
            (
                fid,
                usize::from(command.p1 & 0x7F) << 8 | usize::from(command.p2),
            )
        };
        let Some(app) = self.application else {
            return status(StatusWord::NO_CURRENT_EF);
        };
        let (bytes, access) = match self.files_of(app).and_then(|f| f.get(fid)) {
            Some(FileContent::Data { bytes, access }) => (bytes, *access),
            // What READ BINARY does on key and PIN EFs is an open question; we refuse it.
            Some(_) => return status(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
            None => return status(StatusWord::FILE_NOT_FOUND),
        };
        if let Access::AnyOf(secrets) = access {
            if !secrets.iter().any(|s| self.secrets.is_verified(app, *s)) {
                return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
            }
        }
        if offset >= bytes.len() {
            return status(StatusWord::WRONG_OFFSET);
        }
        let end = bytes.len().min(offset + ne);
        Response::new(bytes[offset..end].to_vec(), StatusWord::SUCCESS)
    }

    /// The secret a VERIFY or CHANGE names in the selected application: the current EF
    /// (P2 = 80) or a short EF id (P2 = 80|id).
    fn referenced_secret(&self, p2: u8) -> Result<(AppId, u16), StatusWord> {
        let fid = match p2 {
            0x80 => self
                .current_ef
                .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?,
            _ => fid_of_short_ef_id(p2).ok_or(StatusWord::INCORRECT_P1_P2)?,
        };
        let app = self
            .application
            .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?;
        match self.secrets.get(app, fid) {
            Some(_) => Ok((app, fid)),
            None => Err(StatusWord::REFERENCED_DATA_NOT_FOUND),
        }
    }

    fn verify(&mut self, command: &Command) -> Response {
        if command.p1 != 0x00 {
            return status(StatusWord::INCORRECT_P1_P2);
        }
        let (app, fid) = match self.referenced_secret(command.p2) {
            Ok(found) => found,
            Err(sw) => return status(sw),
        };
        // Any Le, with or without data, is a wrong length: `00 20 00 80 00` drew 6700 from a
        // real card (§3.2).
        if command.ne().is_some() {
            return status(StatusWord::WRONG_LENGTH);
        }
        let Some(secret) = self.secrets.get_mut(app, fid) else {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        };
        if command.data().is_empty() {
            // The retry query: the count, even after a successful VERIFY; 63C0 when blocked.
            return status(secret.query());
        }
        status(secret.verify(command.data()))
    }

    fn change_reference_data(&mut self, command: &Command) -> Response {
        if command.p1 != 0x01 {
            return status(StatusWord::INCORRECT_P1_P2);
        }
        let (app, fid) = match self.referenced_secret(command.p2) {
            Ok(found) => found,
            Err(sw) => return status(sw),
        };
        if command.ne().is_some() || command.data().is_empty() {
            return status(StatusWord::WRONG_LENGTH);
        }
        match self.secrets.get_mut(app, fid) {
            Some(secret) => status(secret.change(command.data())),
            None => status(StatusWord::REFERENCED_DATA_NOT_FOUND),
        }
    }

    /// GET CHALLENGE `00 84 00 00 Le`: Le random bytes (1–256), answered with or without an
    /// application selected; the extended form is refused with `6985` (myna-card,
    /// `docs/protocol.md` §3.6). The status words for other P1-P2 (`6A86`) and for a missing Le
    /// (`6700`) are ours.
    fn get_challenge(&mut self, command: &Command, form: LengthForm) -> Response {
        if (command.p1, command.p2) != (0x00, 0x00) {
            return status(StatusWord::INCORRECT_P1_P2);
        }
        if form == LengthForm::Extended {
            return status(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let Some(ne) = command.ne().filter(|_| command.data().is_empty()) else {
            return status(StatusWord::WRONG_LENGTH);
        };
        let mut challenge = vec![0; ne];
        self.rng.fill_bytes(&mut challenge);
        Response::new(challenge, StatusWord::SUCCESS)
    }
}

#[async_trait]
impl Transport for VirtualCard {
    fn capabilities(&self) -> LinkCapabilities {
        if self.config.extended_length {
            LinkCapabilities::EXTENDED
        } else {
            LinkCapabilities::SHORT_ONLY
        }
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.process(command))
    }
}

/// A secure-messaging class (`04`, `08`, `0C`: ISO/IEC 7816-4 SM indication, channel 0). The
/// JPKI card has no secure messaging; myna-card's README reports that the card refuses every
/// such class, with `6882` to SELECT and `69FC` to READ BINARY and VERIFY. Other instructions
/// get ISO's `6882` "secure messaging not supported" (our choice: no source tried them).
fn refuse_secure_messaging(ins_byte: u8) -> Response {
    match ins_byte {
        ins::READ_BINARY | ins::VERIFY => status(SECURE_MESSAGING_REFUSED),
        _ => status(SECURE_MESSAGING_NOT_SUPPORTED),
    }
}

/// Whether a command names its file by short EF id (`docs/protocol.md` §3): READ BINARY with
/// `P1 = 80|SFI`; VERIFY, CHANGE REFERENCE DATA and COMPUTE DIGITAL SIGNATURE with
/// `P2 = 80|SFI`.
fn names_short_ef_id(command: &Command) -> bool {
    let short_p2 = (0x81..=0x9F).contains(&command.p2);
    match (command.cla, command.ins) {
        (0x00, ins::READ_BINARY) => command.p1 & 0x80 != 0,
        (0x00, ins::VERIFY | ins::CHANGE_REFERENCE_DATA) => short_p2,
        (0x80, ins::COMPUTE_DIGITAL_SIGNATURE) => short_p2,
        _ => false,
    }
}

fn status(sw: StatusWord) -> Response {
    Response::new(Vec::new(), sw)
}

#[cfg(test)]
mod tests;
