//! The protocol engine against a hostile card. The input's first byte picks the flow (status,
//! certificates, log-in, signing, PIN change, retry counter, token files, CMS signing), the
//! second the link, the last-attempt confirmation and a variant; the rest is the card's
//! answers, one length-prefixed frame each (lengths from 0xFFF0 are link failures; when the
//! answers run out the tag is lost). Proves that no answer makes a flow panic, loop or
//! allocate without bound (any `Err` is fine), and that whatever the card answers the engine
//! keeps the PIN rules: well-formed APDUs that fit the link, at most one VERIFY per flow, only
//! right after a counter query on the same PIN, never to a locked PIN, never the last attempt
//! unconfirmed (see `PinGuard`).
#![no_main]

use kazashi::JpkiCard;
use kazashi_fuzz::{run_flow, FlowChoice, ScriptedCard};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;

fuzz_target!(|data: &[u8]| {
    let [flow, options, answers @ ..] = data else {
        return;
    };
    let choice = FlowChoice::from_header(*flow, *options);
    let mut card = ScriptedCard::new(answers, choice);
    let outcome = pollster::block_on(run_flow(&mut JpkiCard::new(&mut card), choice));
    assert!(!outcome.is_empty());
    assert!(card.guard.verifies() <= 1);
});
