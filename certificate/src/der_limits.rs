//! A bound on what a DER input can make the decoder allocate, checked before decoding.
//!
//! Why: the `der` crate sizes a value's buffer from its length field before checking that the
//! bytes are there, so a few bytes claiming 256 MiB made it allocate 256 MiB (found by the
//! `cms` fuzz target). Signed files come from strangers and certificates from cards, so every
//! length must fit inside its parent before `der` decodes anything: `verify_cms` checks the
//! file, and `CertificateInfo::from_der`, the one way a certificate enters the library, checks
//! each certificate (which `sign_cms` later decodes with `der`). The walk itself uses
//! `der`'s own header decoder and slice reader, which never allocate.

use der::{Class, Decode, Header, Reader, SliceReader};

/// Deepest nesting of values looked at (a signed file needs about fifteen).
pub(crate) const MAX_DER_DEPTH: usize = 64;

/// Checks that every value in `der` fits inside its parent. The content of a primitive value
/// with a context-specific (or application, private) tag is looked at too, because `der`
/// decodes an IMPLICIT constructed type from it before checking the tag's constructed bit;
/// since such content may also be plain bytes, there only a length larger than the whole
/// input is refused.
///
/// # Errors
///
/// A short description of the first value whose length runs past its parent, whose
/// length is indefinite, or which is nested deeper than the bound.
pub fn check_der_lengths(der: &[u8]) -> Result<(), &'static str> {
    walk(der, 0, true, der.len())
}

fn walk(der: &[u8], depth: usize, strict: bool, limit: usize) -> Result<(), &'static str> {
    // Only a strict walk can fail on form; a lenient one (plain bytes, maybe) just stops.
    let fail = |reason| if strict { Err(reason) } else { Ok(()) };
    if depth > MAX_DER_DEPTH {
        return fail("DER values nested too deeply");
    }
    let Ok(mut reader) = SliceReader::new(der) else {
        return fail("a DER value is too long");
    };
    while !reader.is_finished() {
        let Ok(header) = Header::decode(&mut reader) else {
            return fail("a DER header is malformed (cut short, indefinite or too long)");
        };
        let Ok(content) = reader.read_slice(header.length) else {
            let claimed = usize::try_from(header.length).unwrap_or(usize::MAX);
            return if strict || claimed > limit {
                Err("a DER length runs past its enclosing value")
            } else {
                Ok(())
            };
        };
        if header.tag.is_constructed() {
            walk(content, depth + 1, strict, limit)?;
        } else if header.tag.class() != Class::Universal {
            walk(content, depth + 1, false, limit)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER value with a minimal length, as `der` requires.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let header = match u16::try_from(content.len()).unwrap().to_be_bytes() {
            [0, lo] if lo < 0x80 => vec![tag, lo],
            [0, lo] => vec![tag, 0x81, lo],
            [hi, lo] => vec![tag, 0x82, hi, lo],
        };
        [header, content.to_vec()].concat()
    }

    #[test]
    fn lengths_past_their_parent_are_refused() {
        let signed_data = [0x30, 0x84, 0x0A, 0x00, 0x00, 0x01, 0x02, 0x01, 0x01];
        assert_eq!(
            check_der_lengths(&tlv(0x30, &tlv(0xA0, &signed_data))),
            Err("a DER length runs past its enclosing value")
        );
    }

    /// The `cms` target's second find: the certificates' `[0] IMPLICIT` tag made primitive
    /// (`80`) hid a serial number claiming 126 MiB, which `der` allocated before checking the
    /// constructed bit.
    #[test]
    fn primitive_context_specific_content_is_checked_too() {
        let serial = [0x02, 0x84, 0x07, 0x8F, 0x6A, 0x36, 0x01];
        let certificates = tlv(0x80, &tlv(0x30, &serial));
        assert!(check_der_lengths(&tlv(0x30, &certificates)).is_err());
        // Plain bytes there (a key identifier, say) pass unless they claim more than the input.
        assert_eq!(
            check_der_lengths(&[0x80, 0x04, 0x01, 0x82, 0x00, 0x05]),
            Ok(())
        );
        assert_eq!(check_der_lengths(&[0x80, 0x03, 0x30, 0x80, 0x00]), Ok(()));
        // 256 MiB less one byte, the most `der` would try to allocate.
        assert!(check_der_lengths(&[0x80, 0x06, 0x04, 0x84, 0x0F, 0xFF, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn well_formed_der_passes_and_depth_is_bounded() {
        assert!(check_der_lengths(&[0x30, 0x80, 0x00, 0x00]).is_err());
        assert!(check_der_lengths(&[0x04, 0x85, 1, 0, 0, 0, 0]).is_err());
        let nested = |depth: usize| (0..depth).fold(Vec::new(), |inner, _| tlv(0x30, &inner));
        assert_eq!(check_der_lengths(&nested(MAX_DER_DEPTH)), Ok(()));
        assert_eq!(
            check_der_lengths(&nested(MAX_DER_DEPTH + 1)),
            Err("DER values nested too deeply")
        );
    }
}
