//! # kazashi-virtual-card
//!
//! A virtual My Number Card for tests, demos and app development, and the fault tooling that
//! goes with it. A shipping app does not link it: it is a dev-dependency of the crates' tests
//! and the `virtual-card` feature of `kazashi-ffi` (the testing artifact).
//!
//! - [`VirtualCard`]: a stateful card that answers raw APDU bytes: the JPKI application with a
//!   test PKI shaped like J-LIS's and derived from a seed, and the card-info (券面事項入力補助AP)
//!   and card-surface (券面事項確認AP) applications with the real file layout and access rules,
//!   holding the same holder as the signing certificate; any code drives it, the protocol
//!   engine through [`kazashi::Transport`], other tools through [`VirtualCard::process`];
//! - [`Profile`] / [`VirtualCardConfig`]: the card variants (phone token, locked PINs, no
//!   short EF ids, no extended length...);
//! - [`CommandStrictness`]: what the card does where no public source says what a real card
//!   does. The default is the stricter reading, so a client that works here also works on a
//!   card that turns out to be more forgiving; the `lenient` profile is the other reading.
//!
//! # Command forms: what is sourced and what is chosen
//!
//! | Command | The virtual card | Basis |
//! |---|---|---|
//! | `80 2A` P1 `00` | PKCS#1 v1.5 type-1 padding of the data as given (1–245 bytes) | every client (`docs/protocol.md` §3.5) |
//! | `80 2A` P1 `01` | SHA-256 of the data, the bare hash padded (no DigestInfo) | myna-card, probed on a card `[single]` |
//! | `80 2A` P1 `02` | the data is a SHA-256 hash (32 bytes); wrapped in its DigestInfo, padded | myna-card `[single]` |
//! | `80 2A` P1 `03` | SHA-256 of the data, DigestInfo, padded: `sha256WithRSAEncryption` | myna-card `[single]`; its README's usage |
//! | `80 2A` P1 `04` | the data is a SHA-256 hash; RSASSA-PSS, MGF1-SHA-256, 32-byte salt | myna-card `[single]` (salt length: the one its verifier checks) |
//! | `80 2A` P1 `05` | SHA-256 of the data, then as `04` | myna-card `[single]` |
//! | `80 2A` other P1 | `6A86` | myna-card `[single]` |
//! | `80 2A` input lengths | empty → `6700`; P1 `00` over 245 → `6700`; P1 `02`/`04` not 32 → `6985`; P1 `01`/`03`/`05` over 255 (extended Lc) → `6700` | "6985 or 6700" is sourced (myna-card); which for which is our choice |
//! | `80 2A` with no Le or Le < 256 | `6700`; lenient: signs anyway | our choice (every client sends `Le = 00`) |
//! | `00 84 00 00 Le` GET CHALLENGE | Le (1–256) bytes from the card's generator, in any state; extended Le → `6985`; P1-P2 ≠ `0000` → `6A86`; no Le → `6700` | myna-card `[single]`; the last two status words are our choice |
//! | CLA `04`/`08`/`0C` (secure messaging) | SELECT → `6882`; READ BINARY and VERIFY → `69FC`; any other command → `6882` | myna-card's README `[single]`; `6882` elsewhere is ISO/IEC 7816-4's "secure messaging not supported", our choice |
//! | verified PINs after SELECT by DF name | cleared by every successful application SELECT; lenient: kept until reset | our choice (`docs/protocol.md` §5: no source) |
//!
//! # The card-info and card-surface applications: what is sourced and what is chosen
//!
//! The layouts, tags and access rules are `docs/protocol.md` §2.1, §7.2 and §7.3. Where those
//! are silent the virtual card chooses, and says so here.
//!
//! | Item | The virtual card | Basis |
//! |---|---|---|
//! | secrets | one PIN machinery for every application: retry query `00 20 00 80\|SFI` → `63Cx`, VERIFY, lockout `63C0` then `6984`, verified state ended by every application SELECT (strict) | §5, §10 |
//! | card-info PIN, EF `0011` | 4 digits, 3 tries, its own counter; default: the authentication PIN's digits ([`VirtualCardConfig::card_info_pin`]) | §5 |
//! | card-info EF `0012` | blocked: retry query `63C0`, VERIFY `6984` | §2.1 `[single]` |
//! | 照合番号A / B tries | 10 each ([`kazashi::pin::PinKind::max_attempts`]), in both applications | our choice: no source |
//! | verification numbers of the two applications | separate counters (card-info `0014`/`0015`, card-surface `0013`/`0012`), like every key reference | our choice |
//! | CHANGE REFERENCE DATA | the card-info PIN like the authentication PIN (4 digits); a verification number or the birth date: `6985` | our choice |
//! | READ BINARY without the secret | `6982`; a secret's EF `6981`; no such EF `6A82` | §2.1, §10 |
//! | My Number | 11 digits from the seed and the §7.2 check digit; also 照合番号A | §7.2 |
//! | 照合番号B | era `YYMMDD` birth date + card expiry year + security code (seeded) | §2.1 |
//! | card expiry | the tenth birthday after the issue date (the fifth for a holder under 18 then) | the rule as municipal offices state it |
//! | card-info EF `0002` size | the TLV, then `FF` filler to 512 bytes (in 256-byte steps if longer) | size not recorded |
//! | CV certificates (EF `0004`) | issuer reference `"999999" 08 05 "001"` + zeros; holder reference 12 seeded digits + the AID's last two bytes + `00 00` (= `DF42` of EF `0005`) | shape from §2.1, values ours |
//! | `5F37` | RSASSA-PKCS1-v1_5 / SHA-256 over the `5F4E` TLV as stored (tag, length, body), by a virtual J-LIS issuer key ([`VirtualCard::card_info_issuer_public_key_der`]) that signs both applications' certificates | our choice: no source says what it covers |
//! | `DF33`, `DF52` | PKCS#1 v1.5 / SHA-256 by the EF `0004` key over the `DF31`+`DF32` TLVs / the `DF51` TLV | §2.1 (test-card dump) |
//! | EF `0005` `DF43` | 32 seeded bytes + `FF` filler, length written `82 0080` | §2.1 |
//! | card-surface EF `0002` `DF21` | the offsets of the `DF22`…`DF2A` tags from the file start (2 bytes each), like the card-info `DF21` | our choice: "header" |
//! | `DF22` / `DF29` | birth date / the card's expiry, Gregorian `YYYYMMDD` | our choice |
//! | `DF24` | the application's public key (`90`, `91`), the same key as its EF `0004` certificate | our choice |
//! | `DF28` | PKCS#1 v1.5 / SHA-256 by the EF `0004` key over the `DF22`…`DF27` and `DF29` TLVs as stored, in file order | our choice: no source says |
//! | `DF25`, `DF26`, `DF2A`, EF `0005` | fixed placeholder PNG files (`assets/`), not renderings of the holder's data | real PNGs, content ours |
//! | `DF27` | a 2669-byte JPEG 2000 file (JP2) of a drawn face (`assets/photo.jp2`) | real JPEG 2000 |
//! | card-surface EF `0001` | `FF10 { DF11 08 YYYYMMDD }`, opened by EF `0011` = the birth date as era `YYMMDD` | layout ours |
//! | card-surface EF `0003` | `FF40 { DF41 04 01030E02, DF42 10 holder reference }` | layout ours, like card-info EF `0005` |
//! | 照合番号B in the card-surface application | "front side only": opens EF `0002` (all of it), not EF `0005` (the My Number image); A opens both | our reading of §2.1 |
//! | when the keys are made | the first time a command or accessor needs those applications' files; cached per seed | performance |
//!
//! The card's "random" bytes (GET CHALLENGE, PSS salts) come from a generator seeded by the
//! configuration's seed: they differ from one call to the next, and the same session replays
//! byte for byte.
//! - [`faults`]: a transport wrapper that loses the tag, times out or corrupts a response at
//!   a chosen APDU.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

mod card;
pub mod faults;
mod pki;
mod profile;
mod strictness;

pub use card::{is_pin_verify, Exchange, VirtualCard};
pub use pki::{Holder, AUTH_ROOT_DN, SIGN_ROOT_DN};
pub use profile::{
    Profile, VirtualCardConfig, DEFAULT_AUTH_PIN, DEFAULT_SEED, DEFAULT_SIGNING_PASSWORD,
};
pub use strictness::CommandStrictness;
