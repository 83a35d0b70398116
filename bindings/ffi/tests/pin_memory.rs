//! No PIN outlives the call that used it: after every PIN-carrying call of the bindings, the
//! process's writable memory (heap, stacks, data; read through `/proc/self/mem`) holds no copy
//! of any PIN or password the test entered, nor of a VERIFY or CHANGE command body.
//!
//! The PINs reach the library the way Kotlin and Swift hand them over (a `RustBuffer` lifted by
//! uniffi's converter), and the commands leave it the way uniffi's callback glue sends them
//! (lowered into a `RustBuffer`, copied out by the "foreign side", freed through uniffi's
//! free function). The test keeps the secrets only XOR-masked, so its own needles are not
//! found. Linux only (`/proc`).
#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use async_trait::async_trait;
use kazashi_ffi::{
    parse_login_request, AttributesUnlock, CardSession, CertificateKind, DigestAlgorithm, LinkInfo,
    LoginVerifier, MyNumberUnlock, NfcError, NfcTransceiver, PinKind, SignOptions, SurfaceUnlock,
    UniFfiTag, VirtualCard, VirtualCardOptions, VirtualCardProfile,
};
use uniffi::{Lift, Lower, RustBuffer, RustCallStatus};

const MASK: u8 = 0xA5;

/// A secret as the test stores it: masked, so the needle itself is never in memory in clear.
struct Secret(&'static [u8]);

const fn masked<const N: usize>(clear: &[u8; N]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = clear[i] ^ MASK;
        i += 1;
    }
    out
}

// The masked forms are computed at compile time and live in read-only data, which the scan
// skips; the clear bytes exist only inside the calls under test.
static AUTH_PIN: [u8; 4] = masked(b"8264");
static NEW_AUTH_PIN: [u8; 4] = masked(b"5173");
static WRONG_AUTH_PIN: [u8; 4] = masked(b"6931");
static PASSWORD: [u8; 16] = masked(b"QX7KZ2WM9RPL4TNV");
static NEW_PASSWORD: [u8; 16] = masked(b"ZN4P8W2KQ6TRM3XJ");
static WRONG_PASSWORD: [u8; 12] = masked(b"HV3T7QK2ZW9B");

/// The virtual card's two verification numbers (its My Number and number B), masked. They
/// come from the card, so they are taken once from a card that is then dropped.
fn card_numbers() -> &'static (Vec<u8>, Vec<u8>) {
    static NUMBERS: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    NUMBERS.get_or_init(|| {
        let card = VirtualCard::new(VirtualCardProfile::PhysicalCard);
        let mask = |s: String| s.bytes().map(|b| b ^ MASK).collect::<Vec<u8>>();
        (mask(card.my_number()), mask(card.verification_number_b()))
    })
}

fn all_secrets() -> [(&'static str, Secret); 8] {
    let (number_a, number_b) = card_numbers();
    [
        ("authentication PIN", Secret(&AUTH_PIN)),
        ("new authentication PIN", Secret(&NEW_AUTH_PIN)),
        ("wrong authentication PIN", Secret(&WRONG_AUTH_PIN)),
        ("signing password", Secret(&PASSWORD)),
        ("new signing password", Secret(&NEW_PASSWORD)),
        ("wrong signing password", Secret(&WRONG_PASSWORD)),
        ("verification number A (My Number)", Secret(number_a)),
        ("verification number B", Secret(number_b)),
    ]
}

/// A PIN parameter as a foreign caller passes it: Kotlin's `ByteArray` / Swift's `Data`,
/// serialised into a `RustBuffer` (an `i32` count, then the bytes) and lifted by uniffi, which
/// copies them out and frees the buffer (wiped by the library's allocator).
fn from_foreign(secret: &Secret) -> Vec<u8> {
    let mut wire: Vec<u8> = (secret.0.len() as i32).to_be_bytes().to_vec();
    wire.extend(secret.0.iter().map(|b| b ^ MASK));
    let buffer = RustBuffer::from_vec(wire);
    <Vec<u8> as Lift<UniFfiTag>>::try_lift(buffer).expect("a well-formed buffer")
}

/// A string parameter as a foreign caller passes it (the virtual card's PINs, test data):
/// the UTF-8 bytes in a `RustBuffer`, lifted by uniffi.
fn text_from_foreign(secret: &Secret) -> String {
    let clear: Vec<u8> = secret.0.iter().map(|b| b ^ MASK).collect();
    let buffer = RustBuffer::from_vec(clear);
    <String as Lift<UniFfiTag>>::try_lift(buffer).expect("UTF-8")
}

/// The writable mappings of this process: `(start, end)`.
fn writable_regions() -> Vec<(u64, u64)> {
    std::fs::read_to_string("/proc/self/maps")
        .expect("/proc/self/maps")
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let range = fields.next()?;
            let perms = fields.next()?;
            if !perms.starts_with("rw") || line.contains("[vvar") || line.contains("[vsyscall") {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            Some((
                u64::from_str_radix(start, 16).ok()?,
                u64::from_str_radix(end, 16).ok()?,
            ))
        })
        .collect()
}

/// The needles that find `secret`: a 4-digit PIN whole; a password by every 8-character
/// run, so a copy whose first bytes the system allocator overwrote with its own bookkeeping
/// when the block was freed (glibc's free lists take the first 16) is still found.
fn needles(secret: &Secret) -> impl Iterator<Item = &'static [u8]> {
    let width = secret.0.len().min(8);
    secret.0.windows(width)
}

/// How many times each masked needle occurs in writable memory, in one pass: every chunk read
/// is masked in place, so it is the masked needles that are looked for and the clear secret
/// is never formed by the scan itself.
fn occurrences_of_each(needles: &[&[u8]]) -> Vec<usize> {
    let finders: Vec<_> = needles.iter().map(memchr::memmem::Finder::new).collect();
    let overlap = needles.iter().map(|n| n.len()).max().unwrap_or(1) - 1;
    let mut mem = File::open("/proc/self/mem").expect("/proc/self/mem");
    const CHUNK: usize = 1 << 20;
    let mut buffer = vec![0u8; CHUNK];
    let mut found = vec![0; needles.len()];
    for (start, end) in writable_regions() {
        let mut at = start;
        while at < end {
            let want = CHUNK.min((end - at) as usize);
            let read = match mem
                .seek(SeekFrom::Start(at))
                .and_then(|_| mem.read(&mut buffer[..want]))
            {
                Ok(n) if n > 0 => n,
                _ => break,
            };
            buffer[..read].iter_mut().for_each(|b| *b ^= MASK);
            for (count, finder) in found.iter_mut().zip(&finders) {
                *count += finder.find_iter(&buffer[..read]).count();
            }
            if read <= overlap || at + read as u64 >= end {
                break;
            }
            // Overlap the next chunk so a copy across the boundary is seen.
            at += (read - overlap) as u64;
        }
    }
    buffer.fill(0);
    found
}

fn occurrences(needle: &[u8]) -> usize {
    occurrences_of_each(&[needle])[0]
}

/// Fails, naming the path, when any secret is found in memory.
fn assert_no_secret_left(after: &str) {
    let secrets = all_secrets();
    let tagged: Vec<(&str, &[u8])> = secrets
        .iter()
        .flat_map(|(name, secret)| needles(secret).map(move |n| (*name, n)))
        .collect();
    let counts = occurrences_of_each(&tagged.iter().map(|(_, n)| *n).collect::<Vec<_>>());
    let mut left: Vec<String> = tagged
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|((name, _), n)| format!("{name} ×{n}"))
        .collect();
    left.dedup();
    assert!(left.is_empty(), "after {after}: found {left:?} in memory");
}

/// The virtual card behind uniffi's callback glue, done the way the generated code does it:
/// the command is lowered into a `RustBuffer`, the foreign side copies it out and frees the
/// buffer through the library, works with its copy and wipes it (as the Android shell does).
struct ForeignSideLink {
    card: Arc<VirtualCard>,
}

#[async_trait]
impl NfcTransceiver for ForeignSideLink {
    fn link_info(&self) -> Result<LinkInfo, NfcError> {
        self.card.link_info()
    }

    async fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, NfcError> {
        let lowered = <Vec<u8> as Lower<UniFfiTag>>::lower(command);
        // The foreign side reads the bytes while the library still owns the buffer (Kotlin's
        // `FfiConverterByteArray.read` into a JVM array), then frees it through the library.
        // SAFETY: `lowered` is a live buffer from uniffi's lowering: its pointer and length
        // describe initialised bytes until it is freed, which happens once, right after.
        let serialised =
            unsafe { std::slice::from_raw_parts(lowered.data_pointer(), lowered.len()) };
        let mut foreign_copy = <Vec<u8> as Lift<UniFfiTag>>::try_lift_from_rust_buffer(
            RustBuffer::from_vec(serialised.to_vec()),
        )
        .expect("lowered bytes lift back");
        let mut status = RustCallStatus::default();
        // SAFETY: as above; freed exactly once, as the generated code does.
        unsafe { kazashi_ffi::ffi_kazashi_ffi_rustbuffer_free(lowered, &mut status) };
        let response = self.card.process(foreign_copy.clone());
        foreign_copy.fill(0);
        Ok(response)
    }
}

fn options(profile: VirtualCardProfile) -> VirtualCardOptions {
    VirtualCardOptions {
        profile,
        auth_pin: Some(text_from_foreign(&Secret(&AUTH_PIN))),
        signing_password: Some(text_from_foreign(&Secret(&PASSWORD))),
        auth_attempts_left: None,
        signing_attempts_left: None,
        seed: None,
        card_info_pin: None,
        card_info_attempts_left: None,
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

fn auth() -> Vec<u8> {
    from_foreign(&Secret(&AUTH_PIN))
}

fn password() -> Vec<u8> {
    from_foreign(&Secret(&PASSWORD))
}

fn options_no_confirm() -> SignOptions {
    SignOptions {
        confirm_last_attempt: false,
        allow_legacy_sha1: false,
    }
}

type Call = fn(&Arc<CardSession>) -> bool;

/// Every PIN-carrying call of `CardSession`, each returning whether it did what it should.
const CALLS: &[(&str, VirtualCardProfile, Call)] = &[
    ("login", VirtualCardProfile::PhysicalCard, |s| {
        block(s.login(b"c".to_vec(), auth(), false)).is_ok()
    }),
    ("login v2", VirtualCardProfile::PhysicalCard, |s| {
        let verifier = LoginVerifier::new("pin-memory.example".into(), vec![], false).unwrap();
        let request = parse_login_request(verifier.issue_request(60).unwrap().json, None).unwrap();
        block(s.login_v2(request, auth(), false, None)).is_ok()
    }),
    (
        "login with a cached certificate",
        VirtualCardProfile::PhysicalCard,
        |s| {
            let first = block(s.read_certificate(CertificateKind::Authentication)).unwrap();
            block(s.login_with_cached_certificate(b"c".to_vec(), auth(), false, first.der)).is_ok()
        },
    ),
    (
        "read the signing certificate",
        VirtualCardProfile::PhysicalCard,
        |s| block(s.read_signing_certificate(password(), false)).is_ok(),
    ),
    (
        "read the token's certificate with the PIN",
        VirtualCardProfile::AndroidPhoneToken,
        |s| block(s.read_authentication_certificate_with_pin(auth(), false)).is_ok(),
    ),
    ("sign a document", VirtualCardProfile::PhysicalCard, |s| {
        let call = s.sign_document(
            b"d".to_vec(),
            DigestAlgorithm::Sha256,
            password(),
            options_no_confirm(),
        );
        block(call).is_ok()
    }),
    ("sign a digest", VirtualCardProfile::PhysicalCard, |s| {
        let call = s.sign_digest(
            vec![7; 32],
            DigestAlgorithm::Sha256,
            password(),
            options_no_confirm(),
        );
        block(call).is_ok()
    }),
    ("sign a CMS file", VirtualCardProfile::PhysicalCard, |s| {
        let call = s.sign_cms(
            b"d".to_vec(),
            DigestAlgorithm::Sha256,
            password(),
            false,
            options_no_confirm(),
        );
        block(call).is_ok()
    }),
    ("a wrong PIN", VirtualCardProfile::PhysicalCard, |s| {
        block(s.login(b"c".to_vec(), from_foreign(&Secret(&WRONG_AUTH_PIN)), false)).is_err()
    }),
    ("a wrong password", VirtualCardProfile::PhysicalCard, |s| {
        let wrong = from_foreign(&Secret(&WRONG_PASSWORD));
        let call = s.sign_document(
            b"d".to_vec(),
            DigestAlgorithm::Sha256,
            wrong,
            options_no_confirm(),
        );
        block(call).is_err()
    }),
    // Finding 9: a malformed current PIN must not leave the new one behind.
    (
        "a PIN change with a malformed current PIN",
        VirtualCardProfile::PhysicalCard,
        |s| {
            let new = from_foreign(&Secret(&NEW_AUTH_PIN));
            block(s.change_pin(PinKind::Authentication, "12".into(), new, false)).is_err()
        },
    ),
    ("a PIN change", VirtualCardProfile::PhysicalCard, |s| {
        let new = from_foreign(&Secret(&NEW_AUTH_PIN));
        block(s.change_pin(PinKind::Authentication, auth(), new, false)).is_ok()
    }),
    // The card-info application: its PIN (the virtual card's default is the authentication
    // PIN's digits) and the two verification numbers.
    (
        "card-info attributes with the PIN",
        VirtualCardProfile::PhysicalCard,
        |s| block(s.read_card_info(AttributesUnlock::CardInfoPin, auth(), false, None)).is_ok(),
    ),
    (
        "card-info attributes with number B",
        VirtualCardProfile::PhysicalCard,
        |s| {
            let number = from_foreign(&Secret(&card_numbers().1));
            block(s.read_card_info(AttributesUnlock::VerificationNumberB, number, false, None))
                .is_ok()
        },
    ),
    (
        "the My Number with number A",
        VirtualCardProfile::PhysicalCard,
        |s| {
            let number = from_foreign(&Secret(&card_numbers().0));
            block(s.read_my_number(MyNumberUnlock::VerificationNumberA, number, false, None))
                .is_ok()
        },
    ),
    (
        "the card surface with number A",
        VirtualCardProfile::PhysicalCard,
        |s| {
            let number = from_foreign(&Secret(&card_numbers().0));
            block(s.read_card_surface(SurfaceUnlock::VerificationNumberA, number, false, None))
                .is_ok()
        },
    ),
    (
        "the card surface with number B",
        VirtualCardProfile::PhysicalCard,
        |s| {
            let number = from_foreign(&Secret(&card_numbers().1));
            block(s.read_card_surface(SurfaceUnlock::VerificationNumberB, number, false, None))
                .is_ok()
        },
    ),
    ("a password change", VirtualCardProfile::PhysicalCard, |s| {
        let new = from_foreign(&Secret(&NEW_PASSWORD));
        block(s.change_pin(PinKind::Signing, password(), new, false)).is_ok()
    }),
];

#[test]
fn no_pin_or_password_outlives_the_call_that_used_it() {
    // The scan sees a live copy, and the library's allocator wipes a freed one (past the
    // first 16 bytes, which glibc's free would overwrite anyway).
    let mut live = vec![b' '; 32];
    live.extend_from_slice(text_from_foreign(&Secret(&PASSWORD)).as_bytes());
    assert_eq!(occurrences(&PASSWORD), 1, "the scan finds a live copy");
    drop(live);
    assert_no_secret_left("dropping a plain Vec");

    for (name, profile, call) in CALLS {
        // A fresh card each time: a card holds its PINs (it is the card), so the scan runs
        // once the card, the session and everything they made are gone.
        let card = VirtualCard::with_options(options(*profile));
        let session = CardSession::new(Arc::new(ForeignSideLink { card: card.clone() }));
        assert!(call(&session), "{name} did not behave");
        drop((session, card));
        assert_no_secret_left(name);
    }
}
