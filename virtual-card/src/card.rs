//! The simulator itself: a stateful JPKI application that answers raw APDU bytes, following
//! the simulator checklist of `docs/protocol.md` §10. Choices the sources leave open are
//! documented where they are made (search for "open question"); the ones with two plausible
//! answers are switches of [`CommandStrictness`], strict by default. The crate documentation
//! tabulates which command forms are sourced and which are chosen.

use async_trait::async_trait;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};
use sha2::Sha256;
use zeroize::Zeroizing;

use kazashi_certificate::DigestAlgorithm;

use kazashi::apdu::{Command, LengthForm, Response, StatusWord};
use kazashi::card::addressing::fid_of_short_ef_id;
use kazashi::jpki::{ef, ins, CertificateKind, TokenType, JPKI_AID};
use kazashi::pin::PinKind;
use kazashi::transport::{LinkCapabilities, Transport, TransportError};

use crate::pki;
use crate::profile::{Profile, VirtualCardConfig};
#[cfg(doc)]
use crate::strictness::CommandStrictness;

/// Other applications of the card. They can be selected (so AID probing behaves) but hold no
/// files here: the simulator covers JPKI only.
const OTHER_AIDS: [[u8; 10]; 4] = [
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08],
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02],
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01],
    [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00],
];

/// Largest payload PKCS#1 v1.5 leaves under a 2048-bit key.
const MAX_SIGN_INPUT: usize = 245;

/// Largest message the hashing forms of COMPUTE DIGITAL SIGNATURE take: what a short Lc
/// carries. myna-card holds its callers to it (`docs/protocol.md` §3.5); a longer one can only
/// come in an extended APDU, and what the card does with that is unrecorded, so it is refused.
const MAX_SIGN_MESSAGE: usize = 255;

/// GET CHALLENGE (ISO/IEC 7816-4). Answered by the card in every state (`docs/protocol.md` §3.6).
const GET_CHALLENGE: u8 = 0x84;

/// `68 82`: secure messaging not supported (ISO/IEC 7816-4). What the card answers to a
/// secure-messaging SELECT (myna-card's README).
const SECURE_MESSAGING_NOT_SUPPORTED: StatusWord = StatusWord(0x6882);

/// `69 FC`: what the card answers to READ BINARY and VERIFY under a secure-messaging class
/// (myna-card's README, `docs/protocol.md` §4). Not an ISO/IEC 7816-4 value; its meaning is
/// not published.
const SECURE_MESSAGING_REFUSED: StatusWord = StatusWord(0x69FC);

/// One command/response pair as seen by the card. VERIFY and CHANGE REFERENCE DATA bodies
/// are masked with `*` (0x2A) so transcripts never hold a PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The command bytes (PIN bytes masked).
    pub command: Vec<u8>,
    /// The response bytes.
    pub response: Vec<u8>,
}

impl Exchange {
    /// The instruction byte.
    pub fn ins(&self) -> Option<u8> {
        self.command.get(1).copied()
    }

    /// Whether this was a VERIFY carrying a PIN (not a retry query).
    pub fn is_pin_verify(&self) -> bool {
        is_pin_verify(&self.command)
    }
}

/// Whether command bytes are a VERIFY carrying a PIN (not the retry query): the one test of
/// "did this spend an attempt", shared by transcripts, tests and the bindings' virtual card.
pub fn is_pin_verify(command: &[u8]) -> bool {
    command.get(1) == Some(&ins::VERIFY) && command.len() > 5
}

/// Whether the card treats this instruction's body as a PIN: VERIFY and CHANGE REFERENCE DATA.
fn carries_pin(ins_byte: u8) -> bool {
    matches!(ins_byte, ins::VERIFY | ins::CHANGE_REFERENCE_DATA)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Application {
    Jpki,
    Other(usize),
}

struct PinState {
    value: Zeroizing<Vec<u8>>,
    max: u8,
    left: u8,
    verified: bool,
}

impl PinState {
    fn new(value: &str, max: u8, left: u8) -> Self {
        Self {
            value: Zeroizing::new(value.as_bytes().to_vec()),
            max,
            left: left.min(max),
            verified: false,
        }
    }
}

/// What lives in one EF of the JPKI application.
enum FileContent {
    Data {
        bytes: Vec<u8>,
        needs: Option<PinKind>,
    },
    Pin(PinKind),
    Key(PinKind),
}

/// The virtual card. See the module documentation.
pub struct VirtualCard {
    config: VirtualCardConfig,
    files: Vec<(u16, FileContent)>,
    auth_key: RsaPrivateKey,
    sign_key: RsaPrivateKey,
    auth_root: Vec<u8>,
    sign_root: Vec<u8>,
    auth_pin: PinState,
    sign_pin: Option<PinState>,
    application: Option<Application>,
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
    /// with the same seed reuse the keys.
    pub fn new(config: VirtualCardConfig) -> Self {
        let keys = pki::keys_for_seed(&config.seed);
        let certs = pki::build(&config.seed, &keys, &config.holder, config.issued_on);
        let mut files = vec![
            (ef::SIGN_CA_CERT, data(certs.sign_root.clone(), None)),
            (ef::TOKEN_INFO, data(token_info(&config), None)),
            (
                ef::CERT_AVAILABILITY,
                data(
                    vec![
                        if config.signing_certificate {
                            0x8F
                        } else {
                            0x00
                        },
                        0x8F,
                        0x00,
                    ],
                    None,
                ),
            ),
            (
                ef::AUTH_CERT,
                data(
                    certs.auth.clone(),
                    config
                        .auth_certificate_needs_pin
                        .then_some(PinKind::Authentication),
                ),
            ),
            (ef::AUTH_CA_CERT, data(certs.auth_root.clone(), None)),
            (ef::AUTH_KEY, FileContent::Key(PinKind::Authentication)),
            (ef::AUTH_PIN, FileContent::Pin(PinKind::Authentication)),
        ];
        if config.signing_certificate {
            files.push((
                ef::SIGN_CERT,
                data(certs.sign.clone(), Some(PinKind::Signing)),
            ));
            files.push((ef::SIGN_KEY, FileContent::Key(PinKind::Signing)));
            files.push((ef::SIGN_PIN, FileContent::Pin(PinKind::Signing)));
        }
        let auth_pin = PinState::new(&config.auth_pin, 3, config.auth_attempts_left);
        let sign_pin = config
            .signing_certificate
            .then(|| PinState::new(&config.signing_password, 5, config.signing_attempts_left));
        Self {
            files,
            auth_key: keys.auth_leaf.clone(),
            sign_key: keys.sign_leaf.clone(),
            auth_root: certs.auth_root,
            sign_root: certs.sign_root,
            auth_pin,
            sign_pin,
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

    /// Attempts left on a PIN; `None` if the card has no such PIN (signing, under 15).
    pub fn attempts_left(&self, kind: PinKind) -> Option<u8> {
        self.pin_state(kind).map(|p| p.left)
    }

    /// Whether a PIN is currently verified.
    pub fn is_verified(&self, kind: PinKind) -> bool {
        self.pin_state(kind).is_some_and(|p| p.verified)
    }

    /// The certificate the card holds, DER; `None` for a missing signing certificate.
    pub fn certificate_der(&self, kind: CertificateKind) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(fid, _)| *fid == kind.ef())
            .and_then(|(_, c)| match c {
                FileContent::Data { bytes, .. } => Some(bytes.as_slice()),
                _ => None,
            })
    }

    /// The test root that issued a certificate family, DER (what a relying party would trust).
    pub fn root_der(&self, kind: PinKind) -> &[u8] {
        match kind {
            PinKind::Authentication => &self.auth_root,
            PinKind::Signing => &self.sign_root,
        }
    }

    /// Simulates the card leaving the field: no application selected, no PIN verified.
    pub fn reset(&mut self) {
        self.application = None;
        self.current_ef = None;
        self.clear_verification();
    }

    /// Ends the verified state of every PIN.
    fn clear_verification(&mut self) {
        self.auth_pin.verified = false;
        if let Some(p) = &mut self.sign_pin {
            p.verified = false;
        }
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
                command: mask_secret(command),
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
                if self.application == Some(Application::Jpki) && self.file(fid).is_some() {
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
        let matches = |aid: &[u8]| !name.is_empty() && aid.starts_with(name);
        let selected = if matches(&JPKI_AID) {
            Application::Jpki
        } else if let Some(i) = OTHER_AIDS.iter().position(|aid| matches(aid)) {
            Application::Other(i)
        } else {
            return status(StatusWord::FILE_NOT_FOUND);
        };
        // Whether an application SELECT ends the verified state is an open question
        // (`docs/protocol.md` §5). Strict: every successful one does, the current application
        // included, so a client must VERIFY after its last SELECT; an unknown AID (6A82 above)
        // changes nothing.
        if !self.config.strictness.keep_verification_across_applications {
            self.clear_verification();
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
            if self.application != Some(Application::Jpki) || self.file(fid).is_none() {
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
        let (bytes, needs) = match self.file(fid) {
            Some(FileContent::Data { bytes, needs }) => (bytes, *needs),
            // What READ BINARY does on key and PIN EFs is an open question; we refuse it.
            Some(_) => return status(StatusWord::INCOMPATIBLE_FILE_STRUCTURE),
            None => return status(StatusWord::FILE_NOT_FOUND),
        };
        if let Some(pin) = needs {
            if !self.pin_state(pin).is_some_and(|p| p.verified) {
                return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
            }
        }
        if offset >= bytes.len() {
            return status(StatusWord::WRONG_OFFSET);
        }
        let end = bytes.len().min(offset + ne);
        Response::new(bytes[offset..end].to_vec(), StatusWord::SUCCESS)
    }

    /// The PIN a VERIFY or CHANGE names: the current EF (P2 = 80) or a short EF id (P2 = 80|id).
    fn referenced_pin(&self, p2: u8) -> Result<PinKind, StatusWord> {
        let fid = match p2 {
            0x80 => self
                .current_ef
                .ok_or(StatusWord::REFERENCED_DATA_NOT_FOUND)?,
            _ => fid_of_short_ef_id(p2).ok_or(StatusWord::INCORRECT_P1_P2)?,
        };
        if self.application != Some(Application::Jpki) {
            return Err(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        match self.file(fid) {
            Some(FileContent::Pin(kind)) => Ok(*kind),
            _ => Err(StatusWord::REFERENCED_DATA_NOT_FOUND),
        }
    }

    fn verify(&mut self, command: &Command) -> Response {
        if command.p1 != 0x00 {
            return status(StatusWord::INCORRECT_P1_P2);
        }
        let kind = match self.referenced_pin(command.p2) {
            Ok(kind) => kind,
            Err(sw) => return status(sw),
        };
        // Any Le, with or without data, is a wrong length: `00 20 00 80 00` drew 6700 from a
        // real card (§3.2).
        if command.ne().is_some() {
            return status(StatusWord::WRONG_LENGTH);
        }
        let Some(pin) = self.pin_state_mut(kind) else {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        };
        if command.data().is_empty() {
            // The retry query: the count, even after a successful VERIFY; 63C0 when blocked.
            return status(StatusWord(0x63C0 | u16::from(pin.left)));
        }
        if pin.left == 0 {
            return status(StatusWord::REFERENCE_DATA_BLOCKED);
        }
        // Whether the card counts a PIN of the wrong length is an open question; every
        // mismatch counts here, which is the cautious reading for clients.
        if constant_time_eq(command.data(), &pin.value) {
            pin.left = pin.max;
            pin.verified = true;
            status(StatusWord::SUCCESS)
        } else {
            pin.left -= 1;
            pin.verified = false;
            status(StatusWord(0x63C0 | u16::from(pin.left)))
        }
    }

    fn change_reference_data(&mut self, command: &Command) -> Response {
        if command.p1 != 0x01 {
            return status(StatusWord::INCORRECT_P1_P2);
        }
        let kind = match self.referenced_pin(command.p2) {
            Ok(kind) => kind,
            Err(sw) => return status(sw),
        };
        if command.ne().is_some() || command.data().is_empty() {
            return status(StatusWord::WRONG_LENGTH);
        }
        let Some(pin) = self.pin_state_mut(kind) else {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        };
        if pin.left == 0 {
            return status(StatusWord::REFERENCE_DATA_BLOCKED);
        }
        if !pin.verified {
            return status(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        // The card's own format check is undocumented; this one mirrors the published rules.
        let new = command.data();
        let well_formed = match kind {
            PinKind::Authentication => new.len() == 4 && new.iter().all(u8::is_ascii_digit),
            PinKind::Signing => {
                (6..=16).contains(&new.len())
                    && new
                        .iter()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                    && new.iter().any(u8::is_ascii_uppercase)
                    && new.iter().any(u8::is_ascii_digit)
            }
        };
        if !well_formed {
            return status(StatusWord::INCORRECT_DATA);
        }
        pin.value = Zeroizing::new(new.to_vec());
        status(StatusWord::SUCCESS)
    }

    fn compute_signature(&mut self, command: &Command) -> Response {
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
        if self.application != Some(Application::Jpki) {
            return status(StatusWord::REFERENCED_DATA_NOT_FOUND);
        }
        let kind = match self.file(fid) {
            Some(FileContent::Key(kind)) => *kind,
            _ => return status(StatusWord::REFERENCED_DATA_NOT_FOUND),
        };
        if !self.is_verified(kind) {
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
        };
        match form.sign(key, &mut self.rng, input) {
            Some(signature) => Response::new(signature, StatusWord::SUCCESS),
            None => status(StatusWord::CONDITIONS_NOT_SATISFIED),
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

    fn file(&self, fid: u16) -> Option<&FileContent> {
        self.files.iter().find(|(f, _)| *f == fid).map(|(_, c)| c)
    }

    fn pin_state(&self, kind: PinKind) -> Option<&PinState> {
        match kind {
            PinKind::Authentication => Some(&self.auth_pin),
            PinKind::Signing => self.sign_pin.as_ref(),
        }
    }

    fn pin_state_mut(&mut self, kind: PinKind) -> Option<&mut PinState> {
        match kind {
            PinKind::Authentication => Some(&mut self.auth_pin),
            PinKind::Signing => self.sign_pin.as_mut(),
        }
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

fn data(bytes: Vec<u8>, needs: Option<PinKind>) -> FileContent {
    FileContent::Data { bytes, needs }
}

fn status(sw: StatusWord) -> Response {
    Response::new(Vec::new(), sw)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Masks the body of VERIFY and CHANGE REFERENCE DATA for the transcript.
fn mask_secret(command: &[u8]) -> Vec<u8> {
    let mut out = command.to_vec();
    if command.len() <= 4 || !carries_pin(command[1]) {
        return out;
    }
    match Command::decode(command) {
        Ok((decoded, form)) => {
            let start = match form {
                LengthForm::Short => 5,
                LengthForm::Extended => 7,
            };
            let end = (start + decoded.data().len()).min(out.len());
            out[start..end].fill(b'*');
        }
        // A malformed VERIFY or CHANGE may still hold a PIN: mask all after the header.
        Err(_) => out[4..].fill(b'*'),
    }
    out
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

#[cfg(test)]
mod tests;
