//! The virtual card's command handler on arbitrary command sequences. The input's first byte
//! picks the profile (`Profile::ALL`); the rest is up to 64 commands, one length-prefixed frame
//! each (a link-failure frame resets the card, as when it leaves the field). Proves that
//! `VirtualCard::process` never panics and always answers at least a status word, and checks
//! the card's rules on every command: PIN counters never exceed their maximum, fall by at most
//! one per command, rise only through a successful VERIFY, and a locked PIN never verifies;
//! no signature without a verified PIN; READ BINARY never returns more than Ne; undecodable
//! commands and extended ones on a short-only card get `6700`; transcripts mask PINs.
//!
//! Building a card costs about 10 ms (its certificates are signed anew; keys are cached per
//! seed), so one card per profile is kept and `reset` between inputs. A card whose counters
//! changed gets them back through VERIFY (the right PIN, then wrong ones); one whose PIN was
//! changed or whose counter cannot be restored (locked) is dropped and rebuilt. Either way the
//! next input starts from a card equivalent to a fresh one (asserted), so a crash reproduces
//! from its input alone.
#![no_main]

use std::sync::Mutex;

use kazashi::apdu::{Command, LengthForm};
use kazashi::jpki::ins;
use kazashi::PinKind;
use kazashi_fuzz::{Frame, Frames};
use kazashi_virtual_card::{Profile, VirtualCard};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;

const MAX_COMMANDS: usize = 64;
const KINDS: [PinKind; 2] = [PinKind::Authentication, PinKind::Signing];

struct Slot {
    card: VirtualCard,
    /// The counters of the fresh card.
    fresh: [Option<u8>; 2],
}

static CARDS: Mutex<Vec<Option<Slot>>> = Mutex::new(Vec::new());

fn counters(card: &VirtualCard) -> [Option<u8>; 2] {
    KINDS.map(|k| card.attempts_left(k))
}

fn new_slot(profile: Profile) -> Slot {
    let card = VirtualCard::from_profile(profile);
    let fresh = counters(&card);
    Slot { card, fresh }
}

fuzz_target!(
    // Before libFuzzer's clock and per-input timeout start: the first card derives the test
    // PKI's RSA keys, which takes seconds in an instrumented build.
    init: {
        let mut cards = CARDS.lock().unwrap_or_else(|p| p.into_inner());
        *cards = Profile::ALL.into_iter().map(|p| Some(new_slot(p))).collect();
    },
    |data: &[u8]| run(data)
);

fn run(data: &[u8]) {
    let [selector, commands @ ..] = data else {
        return;
    };
    let index = usize::from(*selector) % Profile::ALL.len();
    let profile = Profile::ALL[index];
    let mut cards = CARDS.lock().unwrap_or_else(|p| p.into_inner());
    let slot = cards[index].get_or_insert_with(|| new_slot(profile));
    let card = &mut slot.card;
    card.reset();
    card.record_transcript(true);
    assert_eq!(
        counters(card),
        slot.fresh,
        "state leaked from an earlier input"
    );
    let extended = card.config().extended_length;

    let mut dirty = false;
    let mut changed = false;
    let mut sent = Vec::new();
    for frame in Frames::new(commands).take(MAX_COMMANDS) {
        let command = match frame {
            Frame::Bytes(command) => command,
            Frame::Fault(_) => {
                card.reset();
                continue;
            }
        };
        let before = counters(card);
        let verified_before = KINDS.map(|k| card.is_verified(k));
        let response = card.process(command);
        sent.push((command, response.clone()));
        let after = counters(card);

        assert!(response.len() >= 2, "a response without a status word");
        let (body, sw) = response.split_at(response.len() - 2);
        let sw = u16::from_be_bytes([sw[0], sw[1]]);
        let decoded = Command::decode(command);
        let ins_byte = decoded.as_ref().ok().map(|(c, _)| c.ins);
        let is_verify = ins_byte == Some(ins::VERIFY);

        for (i, kind) in KINDS.into_iter().enumerate() {
            assert_eq!(before[i].is_some(), after[i].is_some());
            let (Some(b), Some(a)) = (before[i], after[i]) else {
                continue;
            };
            assert!(a <= kind.max_attempts(), "{kind} counter above its maximum");
            assert!(a + 1 >= b, "{kind} counter fell by more than one");
            if a > b {
                assert!(
                    is_verify && sw == 0x9000,
                    "{kind} counter rose without a VERIFY"
                );
            }
            if a == 0 {
                assert!(!card.is_verified(kind), "a locked {kind} is verified");
            }
        }
        if after != slot.fresh {
            dirty = true;
        }
        match &decoded {
            Err(_) => assert_eq!(sw, 0x6700, "an undecodable command answered {sw:04X}"),
            Ok((c, form)) => {
                if *form == LengthForm::Extended && !extended {
                    assert_eq!(sw, 0x6700, "an extended command on a short-only card");
                }
                if c.ins == ins::CHANGE_REFERENCE_DATA && sw == 0x9000 {
                    changed = true;
                }
                if c.ins == ins::COMPUTE_DIGITAL_SIGNATURE && sw == 0x9000 {
                    assert!(verified_before.iter().any(|v| *v), "signed without a PIN");
                    assert_eq!(body.len(), 256);
                }
                if c.ins == ins::READ_BINARY && sw == 0x9000 {
                    assert!(body.len() <= c.ne().unwrap_or(0), "READ BINARY beyond Ne");
                }
            }
        }
    }

    // The transcript records every command, PINs masked.
    let transcript = card.transcript();
    assert_eq!(transcript.len(), sent.len());
    for ((command, response), exchange) in sent.iter().zip(transcript) {
        assert_eq!(&exchange.response, response);
        assert_eq!(exchange.command.len(), command.len());
        if let Ok((c, form)) = Command::decode(command) {
            // A decoded command knows no secrecy flag: the card's PIN instructions decide.
            let holds_pin = matches!(c.ins, ins::VERIFY | ins::CHANGE_REFERENCE_DATA);
            if holds_pin && !c.data().is_empty() {
                let start = if form == LengthForm::Short { 5 } else { 7 };
                let masked = &exchange.command[start..start + c.data().len()];
                assert!(masked.iter().all(|b| *b == b'*'), "a PIN in the transcript");
            }
        }
    }
    card.record_transcript(false);
    if changed || (dirty && !restore(card, slot.fresh)) {
        cards[index] = None;
    }
}

/// Brings the counters back to `fresh` (the PINs themselves unchanged): the right PIN resets a
/// counter to its maximum, then each wrong one takes one off. `false` when that cannot work.
fn restore(card: &mut VirtualCard, fresh: [Option<u8>; 2]) -> bool {
    const SELECT_JPKI: &[u8] = b"\x00\xA4\x04\x0C\x0A\xD3\x92\xF0\x00\x26\x01\x00\x00\x00\x01";
    card.reset();
    for (i, kind) in KINDS.into_iter().enumerate() {
        let (Some(want), Some(now)) = (fresh[i], card.attempts_left(kind)) else {
            continue;
        };
        if now == want {
            continue;
        }
        if now == 0 {
            return false;
        }
        let pin = match kind {
            PinKind::Authentication => card.config().auth_pin.clone().into_bytes(),
            PinKind::Signing => card.config().signing_password.clone().into_bytes(),
            // The card-info secrets are not this target's.
            _ => return false,
        };
        let mut wrong = pin.clone();
        wrong[0] ^= 1;
        let verify = |pin: &[u8]| {
            let mut command = vec![0x00, ins::VERIFY, 0x00, 0x80, pin.len() as u8];
            command.extend_from_slice(pin);
            command
        };
        let Some(fid) = kazashi::jpki::ef::pin(kind) else {
            return false;
        };
        let [hi, lo] = fid.to_be_bytes();
        card.process(SELECT_JPKI);
        card.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]);
        if card.process(&verify(&pin)) != [0x90, 0x00] {
            return false;
        }
        for _ in want..kind.max_attempts() {
            card.process(&verify(&wrong));
        }
    }
    card.reset();
    counters(card) == fresh
}
