//! How strictly the virtual card answers the command forms that no public source settles.
//!
//! A simulator that is more forgiving than the card trains its clients to depend on the
//! forgiveness; one that is stricter only makes them do what works everywhere. So where the
//! sources leave a behaviour open (`docs/protocol.md` §3.5, §5, §10), the default card takes
//! the reading that refuses more: a client that works on it also works on a card that turns
//! out to be lenient. [`CommandStrictness::LENIENT`] (the `lenient` profile) is the other
//! reading, for checking that a client copes with a card that accepts more than it has to.
//!
//! Behaviours that a source does settle are not switches here; they are in `card.rs` with
//! their source (COMPUTE DIGITAL SIGNATURE P1 `00`–`05`, GET CHALLENGE, secure-messaging
//! classes).

/// The open questions, one switch each. The default is [`CommandStrictness::STRICT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CommandStrictness {
    /// Whether COMPUTE DIGITAL SIGNATURE signs when Le is absent or asks for fewer than the
    /// 256 bytes of the signature. Every public client sends `Le = 00` (§3.5), so what a card
    /// does with anything else is unrecorded. Strict (`false`): `6700`. Lenient (`true`): the
    /// whole 256-byte signature, whatever Le said.
    pub sign_without_full_le: bool,
    /// Whether verified PINs stay verified when an application is selected by name, the
    /// JPKI application again or another one (§5: no source documents it; myna-card's secure
    /// messaging notes treat a security status as ending with any application SELECT). Strict
    /// (`false`): every successful SELECT by DF name clears them, so a client must VERIFY after
    /// its last SELECT of the application. Lenient (`true`): only reset or power loss clears
    /// them.
    pub keep_verification_across_applications: bool,
}

impl CommandStrictness {
    /// The default: each open question answered with the refusal.
    pub const STRICT: Self = Self {
        sign_without_full_le: false,
        keep_verification_across_applications: false,
    };

    /// Each open question answered with the acceptance.
    pub const LENIENT: Self = Self {
        sign_without_full_le: true,
        keep_verification_across_applications: true,
    };
}

impl Default for CommandStrictness {
    fn default() -> Self {
        Self::STRICT
    }
}
