//! What the fuzz targets share: the framing that cuts a fuzz input into APDUs, a transport
//! whose card answers come from the input, a guard that checks the PIN safety rules on every
//! command the engine sends, and the card flows the `card_responses` target drives.
//! `examples/make_seeds.rs` uses the same code against the virtual card to write the seeds, so
//! a seed replays a real, successful session.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;

use async_trait::async_trait;
use kazashi::apdu::{Command, LengthForm};
use kazashi::jpki::ins;
use kazashi::{
    AuthPin, CertificateKind, DigestAlgorithm, DocumentDigest, JpkiCard, LastAttempt,
    LinkCapabilities, PinKind, SignOptions, SigningPassword, Transport, TransportError,
};
use kazashi_documents::{sign_cms, CmsOptions};

/// The largest single allocation a target may make. Inputs are at most a few KB, so anything
/// near this is an allocation driven by a length field, not by the data.
pub const MAX_ALLOCATION: usize = 64 << 20;

/// The system allocator, aborting (a crash for libFuzzer, with the input saved) on any
/// allocation above [`MAX_ALLOCATION`]. libFuzzer's own `-malloc_limit_mb` needs a sanitizer's
/// malloc hooks, which a build without sanitizer lacks; this works in both. Each target installs
/// it:
///
/// ```ignore
/// #[global_allocator]
/// static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;
/// ```
pub struct CappedAllocator;

impl CappedAllocator {
    fn check(size: usize) {
        if size > MAX_ALLOCATION {
            // No allocation, no unwinding: an allocator must do neither.
            let _ = std::io::stderr().write_all(b"kazashi-fuzz: an allocation above 64 MiB\n");
            std::process::abort();
        }
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator, after a size check that
// allocates nothing and does not unwind.
unsafe impl GlobalAlloc for CappedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::check(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::check(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::check(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

/// "Now" for every time-dependent check (2027-01-15): inside the validity of the virtual
/// card's certificates and of the J-LIS roots, so the success paths are reachable.
pub const NOW: i64 = 1_800_000_000;

/// The challenge the `card_responses` log-in flow signs (also in the seeds).
pub const CHALLENGE: &[u8] = b"kazashi fuzz challenge: 32 bytes";

/// The content the CMS flow signs (also in the seeds).
pub const CONTENT: &[u8] = b"kazashi fuzz content\n";

/// The `signingTime` of the CMS flow, fixed so that a replayed session signs the same bytes.
pub const SIGNING_TIME: i64 = 1_770_000_000;

/// A frame length at or above this is a link failure instead of bytes.
pub const FAULT_BASE: u16 = 0xFFF0;

/// One piece of a fuzz input.
#[derive(Debug)]
pub enum Frame<'a> {
    /// Bytes: a card's answer, or a command for the virtual card.
    Bytes(&'a [u8]),
    /// A link failure (only the `card_responses` transport gives it a meaning).
    Fault(TransportError),
}

/// Cuts bytes into frames: a big-endian `u16` length, then that many bytes (or what is left).
/// Lengths from [`FAULT_BASE`] up stand for link failures. A single trailing byte is ignored.
pub struct Frames<'a> {
    rest: &'a [u8],
}

impl<'a> Frames<'a> {
    /// Frames of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Frame<'a>;

    fn next(&mut self) -> Option<Frame<'a>> {
        let [hi, lo, rest @ ..] = self.rest else {
            self.rest = &[];
            return None;
        };
        let len = u16::from_be_bytes([*hi, *lo]);
        self.rest = rest;
        if len >= FAULT_BASE {
            return Some(Frame::Fault(match len & 3 {
                0 => TransportError::TagLost,
                1 => TransportError::Timeout,
                _ => TransportError::Io {
                    reason: "fuzzed link failure".into(),
                },
            }));
        }
        let (bytes, rest) = self.rest.split_at(usize::from(len).min(self.rest.len()));
        self.rest = rest;
        Some(Frame::Bytes(bytes))
    }
}

/// Appends one frame of bytes (the inverse of [`Frames`]).
pub fn push_frame(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u16::try_from(bytes.len())
        .ok()
        .filter(|&len| len < FAULT_BASE)
        .expect("frame too long");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Checks every command the protocol engine sends, whatever the card answered before:
/// - it is a well-formed APDU that fits the link (short form on a short-only link);
/// - at most one VERIFY with a PIN per flow, and only straight after a retry-counter query
///   (GET RESPONSE continuations aside) naming the same PIN (same P2) that left an attempt to
///   spend: never on a locked PIN, and never the last attempt unless the caller confirmed it.
///
/// Violations panic, which the fuzzer reports as a crash.
#[derive(Debug)]
pub struct PinGuard {
    capabilities: LinkCapabilities,
    last_attempt: LastAttempt,
    query_pending: bool,
    query_p2: u8,
    query_sw: Option<u16>,
    verifies: usize,
}

impl PinGuard {
    /// A guard for one flow.
    pub fn new(capabilities: LinkCapabilities, last_attempt: LastAttempt) -> Self {
        Self {
            capabilities,
            last_attempt,
            query_pending: false,
            query_p2: 0,
            query_sw: None,
            verifies: 0,
        }
    }

    /// Checks a command about to be sent.
    pub fn on_command(&mut self, bytes: &[u8]) {
        let (command, form) = Command::decode(bytes)
            .unwrap_or_else(|e| panic!("the engine sent an APDU that does not decode: {e}"));
        assert!(
            bytes.len() <= self.capabilities.max_transceive_length,
            "a {}-byte APDU on a link of {} bytes",
            bytes.len(),
            self.capabilities.max_transceive_length
        );
        if !self.capabilities.extended_length {
            assert_eq!(
                form,
                LengthForm::Short,
                "extended APDU on a short-only link"
            );
        }
        match command.ins {
            ins::VERIFY if command.data().is_empty() => {
                self.query_pending = true;
                self.query_p2 = command.p2;
                self.query_sw = None;
            }
            ins::VERIFY => {
                self.verifies += 1;
                assert_eq!(self.verifies, 1, "a second VERIFY in one flow");
                assert!(
                    self.query_pending,
                    "VERIFY without a retry-counter query just before"
                );
                assert_eq!(
                    command.p2, self.query_p2,
                    "VERIFY names another PIN than the query before it"
                );
                let sw = self.query_sw.expect("VERIFY before the query was answered");
                assert!(
                    !matches!(sw, 0x63C0 | 0x6983 | 0x6984),
                    "VERIFY sent to a locked PIN (query answered {sw:04X})"
                );
                if self.last_attempt != LastAttempt::Confirmed {
                    assert_ne!(sw, 0x63C1, "the last attempt spent without confirmation");
                }
                self.query_pending = false;
            }
            ins::GET_RESPONSE => {}
            _ => self.query_pending = false,
        }
    }

    /// Notes the answer to the command last checked.
    pub fn on_response(&mut self, bytes: &[u8]) {
        if let [.., sw1, sw2] = bytes {
            if self.query_pending {
                self.query_sw = Some(u16::from_be_bytes([*sw1, *sw2]));
            }
        }
    }

    /// VERIFY commands with a PIN seen so far.
    pub fn verifies(&self) -> usize {
        self.verifies
    }
}

/// A card whose answers are the frames of a fuzz input; when they run out, the tag is lost.
pub struct ScriptedCard<'a> {
    frames: Frames<'a>,
    capabilities: LinkCapabilities,
    /// The PIN rules, checked on every command.
    pub guard: PinGuard,
    /// Commands received.
    pub commands: usize,
}

impl<'a> ScriptedCard<'a> {
    /// A card answering with the frames of `answers`.
    pub fn new(answers: &'a [u8], choice: FlowChoice) -> Self {
        Self {
            frames: Frames::new(answers),
            capabilities: choice.capabilities(),
            guard: PinGuard::new(choice.capabilities(), choice.last_attempt()),
            commands: 0,
        }
    }
}

#[async_trait]
impl Transport for ScriptedCard<'_> {
    fn capabilities(&self) -> LinkCapabilities {
        self.capabilities
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.commands += 1;
        self.guard.on_command(command);
        match self.frames.next() {
            Some(Frame::Bytes(answer)) => {
                self.guard.on_response(answer);
                Ok(answer.to_vec())
            }
            Some(Frame::Fault(e)) => Err(e),
            None => Err(TransportError::TagLost),
        }
    }
}

/// Which flow a `card_responses` input drives, and how: the input's first two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowChoice {
    /// The flow (see [`FlowChoice::name`]).
    pub flow: u8,
    /// Bits 0–1: link; bit 2: last attempt confirmed; bits 3–4: variant (certificate, digest or
    /// PIN); bit 5: flag (SHA-1 allowed, or attached CMS).
    pub options: u8,
}

impl FlowChoice {
    /// How many flows there are.
    pub const FLOWS: u8 = 12;

    /// Link choices (bits 0–1 of the options).
    pub const LINKS: [LinkCapabilities; 4] = [
        LinkCapabilities::SHORT_ONLY,
        LinkCapabilities::EXTENDED,
        // Android's default transceive length with extended length claimed.
        LinkCapabilities {
            extended_length: true,
            max_transceive_length: 261,
        },
        LinkCapabilities {
            extended_length: true,
            max_transceive_length: 1_000,
        },
    ];

    /// The choice a header names.
    pub fn from_header(flow: u8, options: u8) -> Self {
        Self {
            flow: flow % Self::FLOWS,
            options,
        }
    }

    /// The two header bytes.
    pub fn header(self) -> [u8; 2] {
        [self.flow, self.options]
    }

    /// The flow's name, for seed file names.
    pub fn name(self) -> &'static str {
        [
            "status",
            "read-certificate",
            "read-signing-certificate",
            "read-auth-certificate-with-pin",
            "login",
            "sign",
            "change-auth-pin",
            "change-signing-password",
            "retry-counter",
            "token-info",
            "availability",
            "sign-cms",
        ][usize::from(self.flow % Self::FLOWS)]
    }

    /// The link.
    pub fn capabilities(self) -> LinkCapabilities {
        Self::LINKS[usize::from(self.options & 3)]
    }

    /// Whether the caller confirmed the last attempt.
    pub fn last_attempt(self) -> LastAttempt {
        if self.options & 4 != 0 {
            LastAttempt::Confirmed
        } else {
            LastAttempt::Refuse
        }
    }

    fn variant(self) -> u8 {
        (self.options >> 3) & 3
    }

    fn flag(self) -> bool {
        self.options & 0x20 != 0
    }
}

/// The PINs the flows use: the virtual card's defaults, so the seeds are successful sessions.
pub fn auth_pin() -> AuthPin {
    AuthPin::new(kazashi_virtual_card::DEFAULT_AUTH_PIN).expect("a valid PIN")
}

/// The signing password (the virtual card's default).
pub fn signing_password() -> SigningPassword {
    SigningPassword::new(kazashi_virtual_card::DEFAULT_SIGNING_PASSWORD).expect("a valid password")
}

/// Runs the chosen flow and describes its outcome (every result and error is formatted, so the
/// formatting code runs on hostile data too).
pub async fn run_flow<T: Transport>(card: &mut JpkiCard<T>, choice: FlowChoice) -> String {
    let last_attempt = choice.last_attempt();
    let kind = [
        CertificateKind::Authentication,
        CertificateKind::AuthenticationCa,
        CertificateKind::SigningCa,
        CertificateKind::Signing,
    ][usize::from(choice.variant())];
    let algorithm = [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
        DigestAlgorithm::Sha1,
    ][usize::from(choice.variant())];
    let pin_kind = if choice.variant() & 1 == 0 {
        PinKind::Authentication
    } else {
        PinKind::Signing
    };
    let outcome: Result<String, kazashi::Error> = match choice.flow % FlowChoice::FLOWS {
        0 => card.status().await.map(|s| {
            if let Some(cert) = &s.authentication_certificate {
                describe_certificate(cert);
            }
            format!("{s:?} {}", s.has_signing_certificate())
        }),
        1 => card
            .read_certificate(kind)
            .await
            .map(|c| describe_certificate(&c)),
        2 => card
            .read_signing_certificate(&signing_password(), last_attempt)
            .await
            .map(|c| describe_certificate(&c)),
        3 => card
            .read_authentication_certificate_with_pin(&auth_pin(), last_attempt)
            .await
            .map(|c| describe_certificate(&c)),
        4 => card
            .login(CHALLENGE, &auth_pin(), last_attempt)
            .await
            .map(|l| format!("{l:?}")),
        5 => {
            let digest = DocumentDigest::of_document(algorithm, CONTENT);
            let options = SignOptions {
                last_attempt,
                allow_legacy_sha1: choice.flag(),
            };
            card.sign(&digest, &signing_password(), options)
                .await
                .map(|s| format!("{s:?}"))
        }
        6 => card
            .change_pin(
                &auth_pin(),
                &AuthPin::new("5678").expect("PIN"),
                last_attempt,
            )
            .await
            .map(|()| "changed".into()),
        7 => card
            .change_pin(
                &signing_password(),
                &SigningPassword::new("XYZ789").expect("password"),
                last_attempt,
            )
            .await
            .map(|()| "changed".into()),
        8 => card
            .retry_counter(pin_kind)
            .await
            .map(|s| format!("{s} {} {}", s.is_blocked(), s.is_last_attempt())),
        9 => card
            .token_info()
            .await
            .map(|t| format!("{t:?} {}", t.token_type.describe())),
        10 => card.certificate_availability().await.map(|a| {
            format!(
                "{a:?} {:?}",
                a.map(|a| (
                    a.has_signing_certificate(),
                    a.has_authentication_certificate()
                ))
            )
        }),
        _ => {
            let options = CmsOptions {
                algorithm: [
                    DigestAlgorithm::Sha256,
                    DigestAlgorithm::Sha384,
                    DigestAlgorithm::Sha512,
                    DigestAlgorithm::Sha1,
                ][usize::from(choice.variant())],
                detached: !choice.flag(),
                signing_time: SIGNING_TIME,
                sign: SignOptions {
                    last_attempt,
                    allow_legacy_sha1: false,
                },
            };
            sign_cms(card, CONTENT, &signing_password(), options)
                .await
                .map(|file| format!("{} bytes {:?}", file.der.len(), file.signature))
        }
    };
    match outcome {
        Ok(text) => text,
        Err(e) => format!("{e} {e:?}"),
    }
}

/// Runs every accessor of a parsed certificate (personal attributes included) and returns a
/// description.
pub fn describe_certificate(cert: &kazashi::CertificateInfo) -> String {
    let pem = cert.to_pem();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let personal = cert.personal.as_ref().map(|p| {
        format!(
            "{p:?} {:?} {:?} {:?} {}",
            p.present_fields(),
            p.sex_description(),
            p.birth_date_iso(),
            p.is_empty()
        )
    });
    format!(
        "{cert:?} {} {} {} {} {} {} {:?} {} {}",
        cert.purpose,
        cert.subject,
        cert.not_before_date(),
        cert.not_after_date(),
        cert.days_left(NOW),
        cert.is_valid_at(NOW),
        personal,
        cert.key_bits,
        pem.len(),
    )
}
