//! ISO/IEC 7816-4 command and response APDUs: cases 1–4, short and extended forms.
//!
//! The same codec serves the client (encoding) and the virtual card (decoding, in the
//! `kazashi-virtual-card` crate), and a property test holds the two directions together.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Largest Nc (command data length) of an extended APDU.
pub const MAX_EXTENDED_NC: usize = 65_535;
/// Largest Ne (expected response length) of an extended APDU.
pub const MAX_EXTENDED_NE: usize = 65_536;
/// Largest Nc of a short APDU.
pub const MAX_SHORT_NC: usize = 255;
/// Largest Ne of a short APDU.
pub const MAX_SHORT_NE: usize = 256;

/// Why bytes are not a valid APDU, or a command cannot be encoded for a link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApduError {
    /// A command APDU shorter than its 4-byte header.
    #[error("command APDU of {len} bytes is shorter than its 4-byte header")]
    CommandTooShort {
        /// Bytes received.
        len: usize,
    },
    /// The length fields do not match the bytes that follow.
    #[error("command APDU length fields do not match its {len} bytes")]
    InconsistentLength {
        /// Total bytes of the APDU.
        len: usize,
    },
    /// A response APDU without its two status bytes.
    #[error("response of {len} bytes has no status word")]
    ResponseTooShort {
        /// Bytes received.
        len: usize,
    },
    /// Command data longer than any APDU can carry.
    #[error("command data of {len} bytes exceeds the 65535-byte APDU limit")]
    DataTooLong {
        /// Bytes of command data.
        len: usize,
    },
    /// Ne outside 1..=65536.
    #[error("expected length {ne} is outside 1..=65536")]
    InvalidNe {
        /// The requested Ne.
        ne: usize,
    },
    /// The command needs extended length and the link does not carry it.
    #[error(
        "this command needs an extended-length APDU, which this reader or phone does not support"
    )]
    ExtendedLengthUnsupported,
}

/// A command APDU. Its data is wiped from memory when the command is dropped, because VERIFY
/// and CHANGE REFERENCE DATA carry PINs.
///
/// Whether the data is secret is a property of the command, set by whoever builds it
/// ([`Command::with_secret_data`]): this layer knows no application's instruction codes.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// First parameter.
    pub p1: u8,
    /// Second parameter.
    pub p2: u8,
    data: Vec<u8>,
    ne: Option<usize>,
    secret: bool,
}

/// Whether an encoded command used the short or the extended length form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthForm {
    /// Case 1, or one-byte Lc / Le.
    Short,
    /// Three-byte Lc / two-byte Le.
    Extended,
}

impl Command {
    /// A case-1 command (header only).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            ne: None,
            secret: false,
        }
    }

    /// Adds command data (case 3, or case 4 with [`Command::with_ne`]).
    pub fn with_data(mut self, data: Vec<u8>) -> Self {
        self.data.zeroize();
        self.data = data;
        self
    }

    /// Adds command data that is a secret (a PIN): it is never logged, never re-sent by the
    /// channel, and redacted wherever the command is shown.
    pub fn with_secret_data(mut self, data: Vec<u8>) -> Self {
        self = self.with_data(data);
        self.secret = true;
        self
    }

    /// Asks for up to `ne` bytes of response data (1..=65536; 256 is short Le `00`).
    pub fn with_ne(mut self, ne: usize) -> Self {
        self.ne = Some(ne);
        self
    }

    /// The command data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The expected response length, if any.
    pub fn ne(&self) -> Option<usize> {
        self.ne
    }

    /// The ISO case: 1 (no data, no Le), 2 (Le), 3 (data), 4 (data and Le).
    pub fn case(&self) -> u8 {
        match (self.data.is_empty(), self.ne.is_some()) {
            (true, false) => 1,
            (true, true) => 2,
            (false, false) => 3,
            (false, true) => 4,
        }
    }

    /// The length form this command needs.
    pub fn required_form(&self) -> LengthForm {
        let long_data = self.data.len() > MAX_SHORT_NC;
        let long_ne = self.ne.is_some_and(|ne| ne > MAX_SHORT_NE);
        if long_data || long_ne {
            LengthForm::Extended
        } else {
            LengthForm::Short
        }
    }

    /// Encodes the command, in the short form whenever it fits.
    ///
    /// The result is wiped on drop, like the command itself.
    ///
    /// # Errors
    ///
    /// [`ApduError::DataTooLong`], [`ApduError::InvalidNe`], or
    /// [`ApduError::ExtendedLengthUnsupported`] when the command needs extended length and
    /// `extended_allowed` is false.
    pub fn encode(&self, extended_allowed: bool) -> Result<Zeroizing<Vec<u8>>, ApduError> {
        if self.data.len() > MAX_EXTENDED_NC {
            return Err(ApduError::DataTooLong {
                len: self.data.len(),
            });
        }
        if let Some(ne) = self.ne {
            if ne == 0 || ne > MAX_EXTENDED_NE {
                return Err(ApduError::InvalidNe { ne });
            }
        }
        let form = self.required_form();
        if form == LengthForm::Extended && !extended_allowed {
            return Err(ApduError::ExtendedLengthUnsupported);
        }
        let mut out = Zeroizing::new(Vec::with_capacity(4 + 3 + self.data.len() + 3));
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        match form {
            LengthForm::Short => {
                if !self.data.is_empty() {
                    out.push(self.data.len() as u8);
                    out.extend_from_slice(&self.data);
                }
                if let Some(ne) = self.ne {
                    // Le = 00 means 256.
                    out.push((ne % 256) as u8);
                }
            }
            LengthForm::Extended => {
                if !self.data.is_empty() {
                    let nc = self.data.len() as u16;
                    out.push(0x00);
                    out.extend_from_slice(&nc.to_be_bytes());
                    out.extend_from_slice(&self.data);
                }
                if let Some(ne) = self.ne {
                    if self.data.is_empty() {
                        out.push(0x00);
                    }
                    // Le = 0000 means 65536.
                    out.extend_from_slice(&((ne % 65_536) as u16).to_be_bytes());
                }
            }
        }
        Ok(out)
    }

    /// Decodes a command APDU, telling which length form it used.
    ///
    /// # Errors
    ///
    /// [`ApduError::CommandTooShort`] or [`ApduError::InconsistentLength`].
    pub fn decode(bytes: &[u8]) -> Result<(Command, LengthForm), ApduError> {
        let len = bytes.len();
        if len < 4 {
            return Err(ApduError::CommandTooShort { len });
        }
        let base = Command::new(bytes[0], bytes[1], bytes[2], bytes[3]);
        let body = &bytes[4..];
        let short_ne = |b: u8| if b == 0 { 256 } else { b as usize };
        let long_ne = |hi: u8, lo: u8| match u16::from_be_bytes([hi, lo]) {
            0 => 65_536,
            n => n as usize,
        };
        let inconsistent = ApduError::InconsistentLength { len };
        match body {
            [] => Ok((base, LengthForm::Short)),
            [le] => Ok((base.with_ne(short_ne(*le)), LengthForm::Short)),
            [0x00, hi, lo] => Ok((base.with_ne(long_ne(*hi, *lo)), LengthForm::Extended)),
            [0x00, hi, lo, rest @ ..] => {
                let nc = u16::from_be_bytes([*hi, *lo]) as usize;
                if nc == 0 {
                    return Err(inconsistent);
                }
                if rest.len() == nc {
                    Ok((base.with_data(rest.to_vec()), LengthForm::Extended))
                } else if rest.len() == nc + 2 {
                    let ne = long_ne(rest[nc], rest[nc + 1]);
                    Ok((
                        base.with_data(rest[..nc].to_vec()).with_ne(ne),
                        LengthForm::Extended,
                    ))
                } else {
                    Err(inconsistent)
                }
            }
            [lc, rest @ ..] => {
                let nc = *lc as usize;
                if nc == 0 {
                    return Err(inconsistent);
                }
                if rest.len() == nc {
                    Ok((base.with_data(rest.to_vec()), LengthForm::Short))
                } else if rest.len() == nc + 1 {
                    let ne = short_ne(rest[nc]);
                    Ok((
                        base.with_data(rest[..nc].to_vec()).with_ne(ne),
                        LengthForm::Short,
                    ))
                } else {
                    Err(inconsistent)
                }
            }
        }
    }

    /// Whether the data of this command is secret (a PIN) and must never be logged or re-sent.
    pub fn carries_secret(&self) -> bool {
        self.secret && !self.data.is_empty()
    }
}

/// Shows the header and lengths only: command data can be a PIN.
impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Command({:02X} {:02X} {:02X} {:02X}, Nc={}, Ne={:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.ne
        )
    }
}

/// An ISO 7816-4 status word (SW1 SW2).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// `90 00`.
    pub const SUCCESS: Self = Self(0x9000);
    /// `67 00`: wrong length.
    pub const WRONG_LENGTH: Self = Self(0x6700);
    /// `68 81`: logical channel not supported.
    pub const LOGICAL_CHANNEL_NOT_SUPPORTED: Self = Self(0x6881);
    /// `69 81`: command incompatible with file structure.
    pub const INCOMPATIBLE_FILE_STRUCTURE: Self = Self(0x6981);
    /// `69 82`: security status not satisfied.
    pub const SECURITY_STATUS_NOT_SATISFIED: Self = Self(0x6982);
    /// `69 83`: authentication method blocked (ISO; not observed on this card).
    pub const AUTHENTICATION_METHOD_BLOCKED: Self = Self(0x6983);
    /// `69 84`: referenced data (the PIN) blocked.
    pub const REFERENCE_DATA_BLOCKED: Self = Self(0x6984);
    /// `69 85`: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: Self = Self(0x6985);
    /// `69 86`: command not allowed (no current EF).
    pub const NO_CURRENT_EF: Self = Self(0x6986);
    /// `6A 80`: incorrect data.
    pub const INCORRECT_DATA: Self = Self(0x6A80);
    /// `6A 82`: file or application not found.
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    /// `6A 86`: incorrect P1-P2.
    pub const INCORRECT_P1_P2: Self = Self(0x6A86);
    /// `6A 88`: referenced data not found.
    pub const REFERENCED_DATA_NOT_FOUND: Self = Self(0x6A88);
    /// `6B 00`: offset outside the EF.
    pub const WRONG_OFFSET: Self = Self(0x6B00);
    /// `6D 00`: instruction not supported.
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    /// `6E 00`: class not supported.
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);

    /// SW1.
    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// SW2.
    pub fn sw2(self) -> u8 {
        self.0 as u8
    }

    /// `90 00`.
    pub fn is_success(self) -> bool {
        self == Self::SUCCESS
    }

    /// `63 Cx`: the retries left after a VERIFY, or reported by the empty VERIFY.
    pub fn retries_left(self) -> Option<u8> {
        (self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0).then_some(self.sw2() & 0x0F)
    }

    /// The two bytes, for appending to response data.
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// What the status word means on the JPKI application, in words.
    pub fn meaning(self) -> &'static str {
        match self.0 {
            0x9000 => "success",
            0x6700 => "wrong length",
            0x6881 => "logical channel not supported",
            0x6981 => "command incompatible with file structure",
            0x6982 => "security status not satisfied (a PIN must be verified first)",
            0x6983 => "authentication method blocked",
            0x6984 => "PIN blocked",
            0x6985 => "conditions of use not satisfied",
            0x6986 => "command not allowed (no current file)",
            0x6A80 => "incorrect data",
            0x6A82 => "file or application not found",
            0x6A86 => "incorrect parameters P1-P2",
            0x6A88 => "referenced data not found",
            0x6B00 => "offset outside the file",
            0x6D00 => "instruction not supported",
            0x6E00 => "class not supported",
            sw if sw & 0xFFF0 == 0x63C0 => "verification failed",
            sw if sw >> 8 == 0x61 => "more response bytes available",
            sw if sw >> 8 == 0x6C => "wrong Le",
            _ => "unexpected status",
        }
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SW {:04X} ({})", self.0, self.meaning())
    }
}

/// A response APDU: data and status word. The data is wiped on drop, because responses can
/// carry personal data (the signing certificate).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Response {
    data: Vec<u8>,
    #[zeroize(skip)]
    sw: StatusWord,
}

impl Response {
    /// Builds a response.
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Self { data, sw }
    }

    /// Splits raw bytes into data and status word.
    ///
    /// # Errors
    ///
    /// [`ApduError::ResponseTooShort`] without a status word.
    pub fn decode(bytes: &[u8]) -> Result<Self, ApduError> {
        if bytes.len() < 2 {
            return Err(ApduError::ResponseTooShort { len: bytes.len() });
        }
        let (data, sw) = bytes.split_at(bytes.len() - 2);
        Ok(Self {
            data: data.to_vec(),
            sw: StatusWord(u16::from_be_bytes([sw[0], sw[1]])),
        })
    }

    /// Data followed by SW1 SW2.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }

    /// The response data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Takes the data out (the response is left empty).
    pub fn take_data(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.data)
    }

    /// The status word.
    pub fn sw(&self) -> StatusWord {
        self.sw
    }
}

/// Shows lengths and the status word only: response data can be personal.
impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response({} bytes, {:?})", self.data.len(), self.sw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    #[test]
    fn encodes_the_commands_real_cards_receive() {
        let select = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(hex("D392F000260100000001"));
        assert_eq!(
            *select.encode(false).unwrap(),
            hex("00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01")
        );
        // The retry query is case 1: exactly four bytes, never an Le.
        let query = Command::new(0x00, 0x20, 0x00, 0x80);
        assert_eq!(*query.encode(true).unwrap(), hex("00 20 00 80"));
        assert_eq!(query.case(), 1);
        let read = Command::new(0x00, 0xB0, 0x00, 0x00).with_ne(256);
        assert_eq!(*read.encode(false).unwrap(), hex("00 B0 00 00 00"));
        let read_all = Command::new(0x00, 0xB0, 0x00, 0x00).with_ne(65_536);
        assert_eq!(*read_all.encode(true).unwrap(), hex("00 B0 00 00 00 00 00"));
        assert_eq!(
            read_all.encode(false).unwrap_err(),
            ApduError::ExtendedLengthUnsupported
        );
        let sign = Command::new(0x80, 0x2A, 0x00, 0x80)
            .with_data(vec![0xAA; 51])
            .with_ne(256);
        let encoded = sign.encode(false).unwrap();
        assert_eq!(&encoded[..5], &hex("80 2A 00 80 33"));
        assert_eq!(encoded.len(), 5 + 51 + 1);
        assert_eq!(encoded[56], 0x00);
        let long = Command::new(0x00, 0xB0, 0x00, 0x04).with_ne(1579);
        assert_eq!(*long.encode(true).unwrap(), hex("00 B0 00 04 00 06 2B"));
        let long_case4 = Command::new(0x00, 0x2A, 0, 0)
            .with_data(vec![1; 300])
            .with_ne(2);
        let encoded = long_case4.encode(true).unwrap();
        assert_eq!(&encoded[4..7], &hex("00 01 2C"));
        assert_eq!(&encoded[encoded.len() - 2..], &hex("00 02"));
    }

    #[test]
    fn rejects_impossible_commands() {
        let huge = Command::new(0, 0, 0, 0).with_data(vec![0; 65_536]);
        assert!(matches!(
            huge.encode(true),
            Err(ApduError::DataTooLong { .. })
        ));
        let zero_ne = Command::new(0, 0, 0, 0).with_ne(0);
        assert!(matches!(
            zero_ne.encode(true),
            Err(ApduError::InvalidNe { ne: 0 })
        ));
        for bad in [&b""[..], &[0, 1, 2], &[0, 0xB0, 0, 0, 0x00, 0x01]] {
            assert!(Command::decode(bad).is_err());
        }
        // Lc says 3 bytes, 2 follow.
        assert!(Command::decode(&hex("00 20 00 80 03 31 32")).is_err());
        // Extended Lc of zero is not a valid encoding.
        assert!(Command::decode(&hex("00 20 00 80 00 00 00 31")).is_err());
    }

    #[test]
    fn decodes_status_words() {
        let r = Response::decode(&hex("63 C2")).unwrap();
        assert_eq!(r.sw().retries_left(), Some(2));
        assert!(r.data().is_empty());
        assert_eq!(StatusWord(0x63C0).retries_left(), Some(0));
        assert_eq!(StatusWord(0x6300).retries_left(), None);
        assert_eq!(StatusWord::SUCCESS.retries_left(), None);
        assert!(matches!(
            Response::decode(&[0x90]),
            Err(ApduError::ResponseTooShort { len: 1 })
        ));
        assert_eq!(format!("{}", StatusWord(0x6a82)), "6A82");
    }

    #[test]
    fn debug_output_never_shows_pin_bytes() {
        let verify = Command::new(0x00, 0x20, 0x00, 0x80).with_secret_data(b"1234".to_vec());
        let shown = format!("{verify:?}");
        assert!(
            !shown.contains("1234") && !shown.contains("31 32"),
            "{shown}"
        );
        assert!(verify.carries_secret());
        assert!(!Command::new(0x00, 0x20, 0x00, 0x80).carries_secret());
        assert!(!Command::new(0x00, 0x20, 0x00, 0x80)
            .with_data(b"1234".to_vec())
            .carries_secret());
    }

    fn arb_command() -> impl Strategy<Value = Command> {
        (
            any::<[u8; 4]>(),
            prop::collection::vec(any::<u8>(), 0..600),
            prop::option::of(1usize..=65_536),
        )
            .prop_map(|(h, data, ne)| {
                let mut c = Command::new(h[0], h[1], h[2], h[3]).with_data(data);
                if let Some(ne) = ne {
                    c = c.with_ne(ne);
                }
                c
            })
    }

    proptest! {
        #[test]
        fn commands_round_trip(cmd in arb_command()) {
            let bytes = cmd.encode(true).unwrap();
            let (decoded, form) = Command::decode(&bytes).unwrap();
            prop_assert_eq!(&decoded, &cmd);
            prop_assert_eq!(form, cmd.required_form());
            if cmd.required_form() == LengthForm::Short {
                prop_assert_eq!(&*cmd.encode(false).unwrap(), &*bytes);
            }
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..700)) {
            if let Ok((cmd, _)) = Command::decode(&bytes) {
                // Whatever decodes re-encodes (possibly in a shorter form) to the same command.
                let again = cmd.encode(true).unwrap();
                let (twice, _) = Command::decode(&again).unwrap();
                prop_assert_eq!(twice, cmd);
            }
            if let Ok(resp) = Response::decode(&bytes) {
                prop_assert_eq!(resp.encode(), bytes.clone());
            }
        }
    }
}
