//! The common client of `docs/protocol.md` §3.4/§3.7, replayed against the virtual card so its cost
//! is measured rather than estimated: SELECT before every EF, a 4-byte header read and then
//! 256-byte chunks, no retry-counter check.

use kazashi::DigestAlgorithm;
use kazashi_virtual_card::VirtualCard;

const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];

/// One replay; counts what it sends.
struct TypicalClient<'a> {
    card: &'a mut VirtualCard,
    apdus: u32,
}

impl TypicalClient<'_> {
    /// Sends one command; every step of the replay must succeed.
    fn send(&mut self, command: Vec<u8>) -> Vec<u8> {
        self.apdus += 1;
        let r = self.card.process(&command);
        assert_eq!(&r[r.len() - 2..], &[0x90, 0x00], "typical flow step failed");
        r[..r.len() - 2].to_vec()
    }

    fn select_ef(&mut self, fid: u8) {
        self.send(vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, fid]);
    }

    fn verify(&mut self, pin: &[u8]) {
        let mut command = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
        command.extend(pin);
        self.send(command);
    }

    /// The current EF: its DER header, then the rest in chunks of at most 256 bytes.
    fn read_der_file(&mut self) {
        let head = self.send(vec![0x00, 0xB0, 0x00, 0x00, 0x04]);
        let total = (usize::from(head[2]) << 8 | usize::from(head[3])) + 4;
        let mut offset = 4;
        while offset < total {
            let n = (total - offset).min(256);
            let p1 = (offset >> 8) as u8;
            self.send(vec![0x00, 0xB0, p1, offset as u8, (n % 256) as u8]);
            offset += n;
        }
    }

    /// COMPUTE DIGITAL SIGNATURE with the current key over SHA-256(`message`).
    fn sign(&mut self, message: &[u8]) {
        let algorithm = DigestAlgorithm::Sha256;
        let info = algorithm.digest_info(&algorithm.digest(message)).unwrap();
        let mut command = vec![0x80, 0x2A, 0x00, 0x80, info.len() as u8];
        command.extend(info);
        command.push(0x00);
        self.send(command);
    }
}

/// Log-in: the certificate first, then PIN, key, signature. Returns the APDU count.
pub fn login(card: &mut VirtualCard) -> u32 {
    let mut client = TypicalClient { card, apdus: 0 };
    client.send(SELECT_JPKI.to_vec());
    client.select_ef(0x0A);
    client.read_der_file();
    client.select_ef(0x18);
    client.verify(b"1234");
    client.select_ef(0x17);
    client.sign(b"challenge");
    client.apdus
}

/// Signing: password, then the signing certificate, key, signature. Returns the APDU count.
pub fn sign(card: &mut VirtualCard) -> u32 {
    let mut client = TypicalClient { card, apdus: 0 };
    client.send(SELECT_JPKI.to_vec());
    client.select_ef(0x1B);
    client.verify(b"ABC123");
    client.select_ef(0x01);
    client.read_der_file();
    client.select_ef(0x1A);
    client.sign(b"document");
    client.apdus
}
