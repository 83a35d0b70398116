//! The PIN machinery, written once for every application: the counter, the retry query
//! (`00 20 00 80|SFI` without data → `63Cx`), VERIFY (a correct value resets the counter and
//! sets the verified state; a wrong one costs an attempt; the last failure answers `63C0`,
//! every VERIFY after it `6984`), CHANGE REFERENCE DATA, and the verified state that an
//! application SELECT ends in the strict profile (`docs/protocol.md` §3.2, §3.3, §5, §10).

use zeroize::Zeroizing;

use kazashi::apdu::StatusWord;
use kazashi::pin::PinKind;

use super::files::AppId;

/// What a secret is, for the format of a new value and for [`crate::VirtualCard`]'s
/// accessors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecretKind {
    /// One of the library's typed secrets.
    Pin(PinKind),
    /// The card-surface application's EF `0011`: the birth date as era `YYMMDD`.
    BirthDate,
    /// A key reference that is blocked on every card examined (card-info EF `0012`).
    Blocked,
}

/// One secret: its value, its counter and whether it is verified.
pub(crate) struct Secret {
    pub(crate) app: AppId,
    pub(crate) fid: u16,
    pub(crate) kind: SecretKind,
    value: Zeroizing<Vec<u8>>,
    max: u8,
    pub(crate) left: u8,
    pub(crate) verified: bool,
}

impl Secret {
    pub(crate) fn new(
        app: AppId,
        fid: u16,
        kind: SecretKind,
        value: &str,
        max: u8,
        left: u8,
    ) -> Self {
        Self {
            app,
            fid,
            kind,
            value: Zeroizing::new(value.as_bytes().to_vec()),
            max,
            left: left.min(max),
            verified: false,
        }
    }

    /// The retry query's answer: the count, even after a successful VERIFY; `63C0` when
    /// blocked.
    pub(crate) fn query(&self) -> StatusWord {
        StatusWord(0x63C0 | u16::from(self.left))
    }

    /// VERIFY with a value.
    pub(crate) fn verify(&mut self, candidate: &[u8]) -> StatusWord {
        if self.left == 0 {
            return StatusWord::REFERENCE_DATA_BLOCKED;
        }
        // Whether the card counts a PIN of the wrong length is an open question; every
        // mismatch counts here, which is the cautious reading for clients.
        if constant_time_eq(candidate, &self.value) {
            self.left = self.max;
            self.verified = true;
            StatusWord::SUCCESS
        } else {
            self.left -= 1;
            self.verified = false;
            self.query()
        }
    }

    /// CHANGE REFERENCE DATA (`00 24 01 80|SFI <new>`), after a VERIFY of this secret.
    pub(crate) fn change(&mut self, new: &[u8]) -> StatusWord {
        if self.left == 0 {
            return StatusWord::REFERENCE_DATA_BLOCKED;
        }
        if !self.verified {
            return StatusWord::SECURITY_STATUS_NOT_SATISFIED;
        }
        // The card's own format check is undocumented; this one mirrors the published rules.
        let well_formed = match self.kind {
            SecretKind::Pin(PinKind::Authentication | PinKind::CardInfo) => {
                new.len() == 4 && new.iter().all(u8::is_ascii_digit)
            }
            SecretKind::Pin(PinKind::Signing) => {
                (6..=16).contains(&new.len())
                    && new
                        .iter()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                    && new.iter().any(u8::is_ascii_uppercase)
                    && new.iter().any(u8::is_ascii_digit)
            }
            // The verification numbers and the birth date are printed on the card: no holder
            // can change them (our answer: conditions not satisfied).
            SecretKind::Pin(PinKind::VerificationNumberA | PinKind::VerificationNumberB)
            | SecretKind::BirthDate
            | SecretKind::Blocked => return StatusWord::CONDITIONS_NOT_SATISFIED,
        };
        if !well_formed {
            return StatusWord::INCORRECT_DATA;
        }
        self.value = Zeroizing::new(new.to_vec());
        StatusWord::SUCCESS
    }
}

/// Every secret of the card, across its applications.
#[derive(Default)]
pub(crate) struct Secrets(Vec<Secret>);

impl Secrets {
    pub(crate) fn add(&mut self, secret: Secret) {
        self.0.push(secret);
    }

    pub(crate) fn get(&self, app: AppId, fid: u16) -> Option<&Secret> {
        self.0.iter().find(|s| s.app == app && s.fid == fid)
    }

    pub(crate) fn get_mut(&mut self, app: AppId, fid: u16) -> Option<&mut Secret> {
        self.0.iter_mut().find(|s| s.app == app && s.fid == fid)
    }

    /// The secret of `kind` in `app`.
    pub(crate) fn of_kind(&self, app: AppId, kind: SecretKind) -> Option<&Secret> {
        self.0.iter().find(|s| s.app == app && s.kind == kind)
    }

    pub(crate) fn is_verified(&self, app: AppId, fid: u16) -> bool {
        self.get(app, fid).is_some_and(|s| s.verified)
    }

    /// Ends the verified state of every secret of every application.
    pub(crate) fn clear_verification(&mut self) {
        for secret in &mut self.0 {
            secret.verified = false;
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
