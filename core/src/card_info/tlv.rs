//! BER-TLV as the card-info and card-surface files use it (ISO/IEC 7816-4: 2-byte private tags
//! `DFxx` / `FFxx`, short or long lengths, filler after the last object), read with the
//! `iso7816-tlv` crate. What this module adds is where each object sits in the file: the
//! integrity record covers exact byte ranges, so every object carries its raw bytes too.

use iso7816_tlv::ber::{Tag, Tlv};

/// One object of a file, with the bytes it was read from.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Object<'a> {
    /// The tag, as a number (`0xDF22`).
    pub tag: u64,
    /// The whole object as stored: tag, length and value.
    pub raw: &'a [u8],
    /// The value bytes.
    pub value: &'a [u8],
    /// Offset of the object's first byte in the buffer it was read from.
    pub offset: usize,
}

/// Why bytes are not the TLV structure they should be.
pub(crate) type TlvError = String;

/// Reads the object at the start of `input`: `(object, rest)`.
fn read_one(input: &[u8], base: usize) -> Result<(Object<'_>, &[u8]), TlvError> {
    let (parsed, rest) = Tlv::parse(input);
    let tlv = parsed.map_err(|e| format!("not a BER-TLV object at offset {base}: {e:?}"))?;
    let raw = &input[..input.len() - rest.len()];
    // `Tlv::length` counts the header too; the value's own length is this.
    let value_len = tlv.value().len_as_bytes();
    let value = &raw[raw.len() - value_len..];
    Ok((
        Object {
            tag: tag_number(tlv.tag()),
            raw,
            value,
            offset: base,
        },
        rest,
    ))
}

fn tag_number(tag: &Tag) -> u64 {
    tag.to_bytes()
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

/// The objects that follow each other in `input`, each with its offset plus `base`.
pub(crate) fn sequence(input: &[u8], base: usize) -> Result<Vec<Object<'_>>, TlvError> {
    let mut objects = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let offset = base + (input.len() - rest.len());
        let (object, after) = read_one(rest, offset)?;
        objects.push(object);
        rest = after;
    }
    Ok(objects)
}

/// A file that holds one constructed object (`outer`) and then only filler (`00` or `FF`):
/// the outer object and its children in order.
pub(crate) fn file<'a>(
    bytes: &'a [u8],
    outer: u64,
) -> Result<(Object<'a>, Vec<Object<'a>>), TlvError> {
    let (object, filler) = read_one(bytes, 0)?;
    if object.tag != outer {
        return Err(format!(
            "the file starts with tag {:X}, not {outer:X}",
            object.tag
        ));
    }
    if let Some(at) = filler.iter().position(|b| !matches!(b, 0x00 | 0xFF)) {
        return Err(format!(
            "data after the {outer:X} object at offset {}",
            object.raw.len() + at
        ));
    }
    let value_offset = object.raw.len() - object.value.len();
    let children = sequence(object.value, value_offset)?;
    Ok((object, children))
}

/// The one child with `tag`: missing or repeated is an error (a repeated field could make
/// what is checked and what is shown differ).
pub(crate) fn only<'a, 'b>(
    children: &'b [Object<'a>],
    tag: u64,
) -> Result<&'b Object<'a>, TlvError> {
    let mut found = children.iter().filter(|o| o.tag == tag);
    match (found.next(), found.next()) {
        (Some(object), None) => Ok(object),
        (None, _) => Err(format!("no {tag:X} object")),
        (Some(_), Some(_)) => Err(format!("{tag:X} appears more than once")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_filler() {
        let bytes = [
            0xFF, 0x20, 0x09, 0xDF, 0x22, 0x02, b'a', b'b', 0xDF, 0x25, 0x01, b'2', 0xFF, 0x00,
        ];
        let (outer, children) = file(&bytes, 0xFF20).unwrap();
        assert_eq!(outer.raw.len(), 12);
        assert_eq!(outer.value.len(), 9);
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].tag, 0xDF22);
        assert_eq!(children[0].offset, 3);
        assert_eq!(children[0].value, b"ab");
        assert_eq!(children[1].offset, 8);
        assert_eq!(only(&children, 0xDF25).unwrap().value, b"2");
        assert!(only(&children, 0xDF23).is_err());
    }

    #[test]
    fn damage_is_reported() {
        assert!(file(&[0xFF, 0x20, 0x05, 0xDF, 0x22], 0xFF20).is_err());
        assert!(file(&[0xFF, 0x10, 0x00], 0xFF20).is_err());
        assert!(file(&[0xFF, 0x20, 0x00, 0x41], 0xFF20).is_err());
        let twice = [0xFF, 0x20, 0x06, 0xDF, 0x25, 0x01, b'1', 0xDF, 0x25];
        assert!(file(&twice, 0xFF20).is_err());
    }
}
