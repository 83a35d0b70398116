//! What the card-info application's two data files hold, decoded: the My Number (EF `0001`,
//! `docs/protocol.md` §7.2) and the four basic attributes (EF `0002`, §7.3). Both are
//! personal data: wiped on drop, never shown by `Debug`.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::secrets::my_number_check_digit_matches;
use super::tlv::{self, TlvError};

/// The My Number (個人番号). The My Number Act limits who may collect it and why: it is read
/// only through its own call, never printed by `Debug`, and wiped on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MyNumber(String);

impl MyNumber {
    /// The 12 digits.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(************)")
    }
}

/// Decodes EF `0001`: `FF 10 0C` + 12 ASCII digits, then filler (`FF FF` on the cards seen).
/// `FF10` is a constructed tag by its bits, yet holds the digits themselves, so it is not
/// handed to the TLV reader (which would read the digits as nested objects).
pub(crate) fn my_number(file: &[u8]) -> Result<MyNumber, TlvError> {
    const HEADER: [u8; 3] = [0xFF, 0x10, 0x0C];
    let (header, rest) = file
        .split_at_checked(HEADER.len())
        .ok_or("the file is shorter than its header")?;
    if header != HEADER {
        return Err(format!("the file starts with {header:02X?}, not FF 10 0C"));
    }
    let (digits, filler) = rest
        .split_at_checked(12)
        .ok_or("the file ends inside the number")?;
    if !filler.iter().all(|b| matches!(b, 0x00 | 0xFF)) {
        return Err("data after the number".into());
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err("the My Number field holds something other than digits".into());
    }
    if !my_number_check_digit_matches(digits) {
        return Err("the My Number's check digit does not match".into());
    }
    let text = String::from_utf8(digits.to_vec()).map_err(|_| "not ASCII".to_string())?;
    Ok(MyNumber(text))
}

/// The four basic attributes (基本4情報) as the card-info application stores them.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct FourAttributes {
    /// 氏名: family and given names separated by U+3000.
    pub name: String,
    /// 住所.
    pub address: String,
    /// 生年月日: Gregorian `YYYYMMDD` (no era digit, unlike the signing certificate).
    pub birth_date: String,
    /// 性別, ISO 5218: "1" male, "2" female, "9" not applicable.
    pub sex: String,
}

impl fmt::Debug for FourAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FourAttributes { name: ***, address: ***, birth_date: ***, sex: * }")
    }
}

/// Where EF `0002`'s integrity digest applies: from the `DF22` tag to the end of `DF25`
/// (§2.1: no `FF20` header, no `DF21` table). Structure only, so that a file altered inside a
/// value is reported by the integrity check, not as a decoding error.
pub(crate) fn attributes_covered(file: &[u8]) -> Result<std::ops::Range<usize>, TlvError> {
    let (_, children) = tlv::file(file, 0xFF20)?;
    let first = tlv::only(&children, 0xDF22)?;
    let last = tlv::only(&children, 0xDF25)?;
    let end = last.offset + last.raw.len();
    if first.offset >= end {
        return Err("DF25 comes before DF22".into());
    }
    Ok(first.offset..end)
}

/// EF `0002` decoded, with the bytes its integrity digest covers.
pub(crate) struct AttributesFile {
    pub attributes: FourAttributes,
    /// From the `DF22` tag to the end of `DF25` (§2.1: no `FF20` header, no `DF21` table).
    pub covered: std::ops::Range<usize>,
}

/// Decodes EF `0002`: `FF20 { DF21 offsets; DF22 name; DF23 address; DF24 birth; DF25 sex }`
/// then filler. The `DF21` table (the offset of each field's tag from the file start) is
/// checked against where the parser found the fields: a disagreement is damage.
pub(crate) fn four_attributes(file: &[u8]) -> Result<AttributesFile, TlvError> {
    let (_, children) = tlv::file(file, 0xFF20)?;
    let fields = [0xDF22, 0xDF23, 0xDF24, 0xDF25]
        .map(|tag| tlv::only(&children, tag))
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let table = tlv::only(&children, 0xDF21)?.value;
    if table.len() != 8 {
        return Err(format!(
            "the DF21 offset table has {} bytes, not 8",
            table.len()
        ));
    }
    for (field, entry) in fields.iter().zip(table.chunks(2)) {
        let listed = usize::from(u16::from_be_bytes([entry[0], entry[1]]));
        if listed != field.offset {
            return Err(format!(
                "the DF21 table puts {:X} at offset {listed}; it is at {}",
                field.tag, field.offset
            ));
        }
    }
    let text = |index: usize, what: &str| {
        String::from_utf8(fields[index].value.to_vec())
            .map_err(|_| format!("the {what} is not UTF-8"))
    };
    let attributes = FourAttributes {
        name: text(0, "name")?,
        address: text(1, "address")?,
        birth_date: text(2, "birth date")?,
        sex: text(3, "sex")?,
    };
    if attributes.birth_date.len() != 8
        || !attributes.birth_date.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("the birth date is not YYYYMMDD".into());
    }
    if !matches!(attributes.sex.as_str(), "1" | "2" | "9") {
        return Err("the sex code is not 1, 2 or 9".into());
    }
    let start = fields[0].offset;
    let end = fields[3].offset + fields[3].raw.len();
    if fields.windows(2).any(|w| w[0].offset > w[1].offset) {
        return Err("the fields are not in the order DF22, DF23, DF24, DF25".into());
    }
    Ok(AttributesFile {
        attributes,
        covered: start..end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes_file(name: &str, offsets_ok: bool) -> Vec<u8> {
        let fields: Vec<(u16, Vec<u8>)> = vec![
            (0xDF22, name.as_bytes().to_vec()),
            (0xDF23, "東京都".as_bytes().to_vec()),
            (0xDF24, b"19900401".to_vec()),
            (0xDF25, b"2".to_vec()),
        ];
        let mut body = Vec::new();
        let mut offsets = Vec::new();
        let header = 3 + 11; // FF 20 len, DF21 08 + 8 bytes
        for (tag, value) in &fields {
            offsets.push((header + body.len()) as u16);
            body.extend(tag.to_be_bytes());
            body.push(value.len() as u8);
            body.extend(value);
        }
        if !offsets_ok {
            offsets[1] += 1;
        }
        let mut value = vec![0xDF, 0x21, 0x08];
        for o in offsets {
            value.extend(o.to_be_bytes());
        }
        value.extend(&body);
        let mut file = vec![0xFF, 0x20, value.len() as u8];
        file.extend(value);
        file.extend([0xFF; 5]);
        file
    }

    #[test]
    fn four_attributes_decode_and_cover_df22_to_df25() {
        let file = attributes_file("仮想\u{3000}花子", true);
        let decoded = four_attributes(&file).unwrap();
        assert_eq!(decoded.attributes.name, "仮想\u{3000}花子");
        assert_eq!(decoded.attributes.birth_date, "19900401");
        assert_eq!(file[decoded.covered.start], 0xDF);
        assert_eq!(file[decoded.covered.start + 1], 0x22);
        assert_eq!(decoded.covered.end, file.len() - 5);
        assert!(!format!("{:?}", decoded.attributes).contains("花子"));
    }

    #[test]
    fn a_wrong_offset_table_is_damage() {
        let err = four_attributes(&attributes_file("a", false)).err().unwrap();
        assert!(err.contains("DF21"), "{err}");
    }

    #[test]
    fn my_number_file() {
        let mut file = vec![0xFF, 0x10, 0x0C];
        file.extend(b"123456789018");
        file.extend([0xFF, 0xFF]);
        assert_eq!(my_number(&file).unwrap().digits(), "123456789018");
        assert!(!format!("{:?}", my_number(&file).unwrap()).contains("1234"));
        file[14] = b'7';
        assert!(my_number(&file).is_err());
        assert!(my_number(&[0xFF, 0x10, 0x0C, b'1']).is_err());
    }
}
