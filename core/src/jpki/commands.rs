//! The JPKI application's own commands, as pure constructors (no I/O). The interindustry ones
//! (SELECT, READ BINARY, VERIFY, CHANGE REFERENCE DATA) are built by the card layer.

use crate::apdu::Command;

/// Instruction byte of COMPUTE DIGITAL SIGNATURE (proprietary class `80`).
pub const COMPUTE_DIGITAL_SIGNATURE: u8 = 0x2A;

/// COMPUTE DIGITAL SIGNATURE (`80 2A 00 P2`, Le `00`): the card pads `digest_info` (PKCS#1
/// v1.5 type 1) and applies the key that `P2` names (`80|SFI`, or `80` for the selected key).
pub(crate) fn compute_digital_signature(p2: u8, digest_info: Vec<u8>) -> Command {
    Command::new(0x80, COMPUTE_DIGITAL_SIGNATURE, 0x00, p2)
        .with_data(digest_info)
        .with_ne(256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_on_the_wire() {
        let command = compute_digital_signature(0x97, vec![0xAB; 51]);
        let encoded = command.encode(false).unwrap();
        assert_eq!(encoded[..5], [0x80, 0x2A, 0x00, 0x97, 51]);
        assert_eq!(encoded.len(), 5 + 51 + 1);
        assert_eq!(encoded[encoded.len() - 1], 0x00);
        assert!(!command.carries_secret());
    }
}
