//! The interindustry commands the card layer sends, as pure constructors: no I/O, so each byte
//! is visible in one place and testable without a card.

use crate::apdu::Command;
use kazashi_iso7816::ins;

/// SELECT by DF name (AID), first or only occurrence, no FCI (`00 A4 04 0C`).
pub(crate) fn select_by_name(aid: &[u8]) -> Command {
    Command::new(0x00, ins::SELECT, 0x04, 0x0C).with_data(aid.to_vec())
}

/// SELECT an EF under the current DF by FID, no FCI (`00 A4 02 0C`).
pub(crate) fn select_ef(fid: u16) -> Command {
    Command::new(0x00, ins::SELECT, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec())
}

/// READ BINARY with the given P1 (offset high bits, or `80|SFI`), P2 and Ne.
pub(crate) fn read_binary(p1: u8, p2: u8, ne: usize) -> Command {
    Command::new(0x00, ins::READ_BINARY, p1, p2).with_ne(ne)
}

/// The retry query: a case-1 VERIFY, which reports the counter and spends nothing.
pub(crate) fn retry_query(p2: u8) -> Command {
    Command::new(0x00, ins::VERIFY, 0x00, p2)
}

/// VERIFY with the PIN's bytes, marked secret.
pub(crate) fn verify(p2: u8, pin: &[u8]) -> Command {
    Command::new(0x00, ins::VERIFY, 0x00, p2).with_secret_data(pin.to_vec())
}

/// CHANGE REFERENCE DATA with the new PIN only (`P1 = 01`: the current one was just
/// verified), marked secret.
pub(crate) fn change_reference_data(p2: u8, new_pin: &[u8]) -> Command {
    Command::new(0x00, ins::CHANGE_REFERENCE_DATA, 0x01, p2).with_secret_data(new_pin.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_on_the_wire() {
        let encode = |c: Command| c.encode(false).unwrap().to_vec();
        assert_eq!(
            encode(select_by_name(&[0xD3, 0x92])),
            [0x00, 0xA4, 0x04, 0x0C, 0x02, 0xD3, 0x92]
        );
        assert_eq!(
            encode(select_ef(0x0018)),
            [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]
        );
        assert_eq!(
            encode(read_binary(0x8A, 0, 256)),
            [0x00, 0xB0, 0x8A, 0x00, 0x00]
        );
        assert_eq!(encode(retry_query(0x98)), [0x00, 0x20, 0x00, 0x98]);
        let verify = verify(0x80, b"1234");
        assert!(verify.carries_secret());
        assert_eq!(
            encode(verify),
            [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4']
        );
        let change = change_reference_data(0x80, b"5678");
        assert!(change.carries_secret());
        assert_eq!(change.p1, 0x01);
    }
}
