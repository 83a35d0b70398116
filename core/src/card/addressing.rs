//! How commands name the file they act on: by a short EF identifier inside the command
//! (`docs/protocol.md` §3: VERIFY `P2 = 80|SFI`, COMPUTE DIGITAL SIGNATURE `P2 = 80|SFI`, READ BINARY
//! `P1 = 80|SFI`), which saves the SELECT before each file, or by SELECT first and then the
//! current-EF form. Real cards have been driven with the short forms, but no source says every
//! card and phone token accepts them, so each family is tried once and the answer is
//! remembered for the session.
//!
//! What makes trying safe differs per family:
//! - READ BINARY is idempotent, and COMPUTE DIGITAL SIGNATURE spends no attempt, so a refused
//!   short form is simply repeated in the SELECT form.
//! - VERIFY spends an attempt and is never sent twice for one entry. The PIN family is
//!   therefore probed with the retry query (case-1 VERIFY, which spends nothing): only a
//!   `63Cx` / blocked answer to the short query lets the PIN itself go in the short form.

use crate::apdu::StatusWord;

/// Whether the card accepts one family of short-EF-id commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Support {
    /// Not tried yet in this session: try the short form, fall back if refused.
    #[default]
    Untried,
    /// The card answered the short form: keep using it.
    Accepted,
    /// The card refused it, or the caller turned shortcuts off: SELECT first.
    Refused,
}

impl Support {
    /// Whether to send the short form.
    pub fn try_short(self) -> bool {
        self != Support::Refused
    }
}

/// What a session knows about the card's short-EF-id support, per command family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EfAddressing {
    /// READ BINARY with `P1 = 80|SFI`.
    pub reads: Support,
    /// The retry query and VERIFY with `P2 = 80|SFI`.
    pub pins: Support,
    /// COMPUTE DIGITAL SIGNATURE with `P2 = 80|SFI`.
    pub keys: Support,
}

impl EfAddressing {
    /// Short forms first, each with its fallback (the default).
    pub const SHORTEST: Self = Self {
        reads: Support::Untried,
        pins: Support::Untried,
        keys: Support::Untried,
    };

    /// SELECT before every file, the form every public implementation uses.
    pub const SELECT_ONLY: Self = Self {
        reads: Support::Refused,
        pins: Support::Refused,
        keys: Support::Refused,
    };

    /// Records the card's answer to a short form of one family. A refusal of a form never tried
    /// before also retires the other untried families: a card that refuses one short form most
    /// likely refuses them all, and probing each would cost a round trip apiece.
    pub fn record(&mut self, family: fn(&mut Self) -> &mut Support, accepted: bool) {
        let support = family(self);
        match (*support, accepted) {
            (_, true) => *support = Support::Accepted,
            (Support::Untried, false) => {
                *support = Support::Refused;
                for other in [&mut self.reads, &mut self.pins, &mut self.keys] {
                    if *other == Support::Untried {
                        *other = Support::Refused;
                    }
                }
            }
            // A form that worked before and is refused now names a missing file (the signing
            // password of a holder under 15, say): the SELECT form will say so; keep the memory.
            (_, false) => {}
        }
    }
}

/// The short-EF-id byte (`80|SFI`) that names the file `fid` inside a command, or `None` when
/// the FID has no short form: ISO 7816-4 short EF identifiers are 1–30, and the card maps a
/// FID `0001`–`001E` to the SFI of the same value (every JPKI EF is `0001`–`001B`). A file
/// without one is simply reached by SELECT.
pub fn short_ef_id(fid: u16) -> Option<u8> {
    (1..=0x1E).contains(&fid).then_some(0x80 | fid as u8)
}

/// The inverse, for the card's side (the virtual card): the FID that a `80|SFI` byte names,
/// for SFI 1–31 (the five bits ISO 7816-4 gives it; 31 names no JPKI file). `None` for
/// anything else, `80` (the current EF) included.
pub fn fid_of_short_ef_id(byte: u8) -> Option<u16> {
    (0x81..=0x9F)
        .contains(&byte)
        .then_some(u16::from(byte & 0x1F))
}

/// Whether a retry query in the short form proved that the card understands it: only a
/// counter (`63Cx`) or a "blocked" answer does. Anything else, `9000` included, is not the
/// JPKI answer to that query, so the SELECT form decides.
pub fn query_understood(sw: StatusWord) -> bool {
    sw.retries_left().is_some()
        || matches!(
            sw,
            StatusWord::REFERENCE_DATA_BLOCKED | StatusWord::AUTHENTICATION_METHOD_BLOCKED
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_refusal_retires_every_untried_family() {
        let mut addressing = EfAddressing::SHORTEST;
        addressing.record(|a| &mut a.reads, true);
        addressing.record(|a| &mut a.pins, false);
        assert_eq!(addressing.reads, Support::Accepted);
        assert_eq!(addressing.pins, Support::Refused);
        assert_eq!(addressing.keys, Support::Refused);
    }

    #[test]
    fn a_later_refusal_of_an_accepted_form_keeps_it() {
        let mut addressing = EfAddressing::SHORTEST;
        addressing.record(|a| &mut a.pins, true);
        addressing.record(|a| &mut a.pins, false);
        assert_eq!(addressing.pins, Support::Accepted);
        assert_eq!(addressing.reads, Support::Untried);
    }

    #[test]
    fn short_ids_of_the_jpki_files() {
        assert_eq!(short_ef_id(0x0018), Some(0x98));
        assert_eq!(short_ef_id(0x001A), Some(0x9A));
        assert_eq!(short_ef_id(0x000A), Some(0x8A));
        assert_eq!(short_ef_id(0x0001), Some(0x81));
        // No short form: 0000, 001F and up (a DF, a two-byte FID) are reached by SELECT.
        assert_eq!(short_ef_id(0x0000), None);
        assert_eq!(short_ef_id(0x001F), None);
        assert_eq!(short_ef_id(0x2F01), None);
        for fid in 1..=0x1E {
            assert_eq!(short_ef_id(fid).and_then(fid_of_short_ef_id), Some(fid));
        }
        assert_eq!(fid_of_short_ef_id(0x80), None);
        assert_eq!(fid_of_short_ef_id(0xA0), None);
    }

    #[test]
    fn only_a_counter_proves_the_short_query() {
        assert!(query_understood(StatusWord(0x63C3)));
        assert!(query_understood(StatusWord(0x63C0)));
        assert!(query_understood(StatusWord::REFERENCE_DATA_BLOCKED));
        for sw in [0x9000, 0x6300, 0x6A86, 0x6A82, 0x6D00, 0x6700] {
            assert!(!query_understood(StatusWord(sw)), "{sw:04X}");
        }
    }
}
