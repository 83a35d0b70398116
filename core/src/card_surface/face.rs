//! EF `0002` of the card-surface application, decoded: `FF20 { DF21 header, DF22 birth date,
//! DF23 sex, DF24 public key, DF25 name PNG, DF26 address PNG, DF27 photo JPEG 2000, DF28
//! signature, DF29 expiry, DF2A security-code PNG }` (`docs/protocol.md` §2.1), and the media
//! types of the images it holds.

use zeroize::Zeroizing;

use crate::card_info::tlv::{self, TlvError};

/// The JP2 file format's signature box (ISO/IEC 15444-1 Annex I): length 12, type `jP  `,
/// content `0D 0A 87 0A`.
const JP2_SIGNATURE: [u8; 12] = [
    0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
];
/// A raw JPEG 2000 codestream: the SOC marker, then the SIZ marker (ISO/IEC 15444-1 A.4).
const J2C_START: [u8; 4] = [0xFF, 0x4F, 0xFF, 0x51];
/// The PNG file signature (ISO/IEC 15948, 5.2).
const PNG_SIGNATURE: [u8; 8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

/// The media type of an image, from its first bytes: `image/jp2` (a JPEG 2000 file with JP2
/// boxes), `image/j2c` (a bare JPEG 2000 codestream) or `image/png`; `None` for anything else.
pub fn image_media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&JP2_SIGNATURE) {
        Some("image/jp2")
    } else if bytes.starts_with(&J2C_START) {
        Some("image/j2c")
    } else if bytes.starts_with(&PNG_SIGNATURE) {
        Some("image/png")
    } else {
        None
    }
}

/// Whether the photo is JPEG 2000 in either form.
pub(crate) fn is_jpeg2000(bytes: &[u8]) -> bool {
    matches!(image_media_type(bytes), Some("image/jp2" | "image/j2c"))
}

/// EF `0002` decoded: the values copied out (each wiped on drop by its owner), and the bytes
/// the virtual card's `DF28` layout signs.
pub(crate) struct Front {
    pub birth_date: String,
    pub sex: String,
    pub expiry: String,
    pub name_image: Vec<u8>,
    pub address_image: Vec<u8>,
    pub photo: Vec<u8>,
    pub security_code_image: Vec<u8>,
    /// The `DF28` value.
    pub signature: Vec<u8>,
    /// The `DF22`…`DF27` and `DF29` objects as stored (tag, length, value), in file order:
    /// what `DF28` covers in the virtual card's layout (no public source says for a real
    /// card).
    pub signed_in_virtual_layout: Zeroizing<Vec<u8>>,
}

/// The fields, by tag, in the order §2.1 lists them.
const DF22_BIRTH: u64 = 0xDF22;
const DF23_SEX: u64 = 0xDF23;
const DF24_KEY: u64 = 0xDF24;
const DF25_NAME: u64 = 0xDF25;
const DF26_ADDRESS: u64 = 0xDF26;
const DF27_PHOTO: u64 = 0xDF27;
const DF28_SIGNATURE: u64 = 0xDF28;
const DF29_EXPIRY: u64 = 0xDF29;
const DF2A_SECURITY_CODE: u64 = 0xDF2A;

/// Decodes EF `0002`. Each field must appear exactly once; `DF21` (the "header") must be
/// present but is not interpreted: what a real card keeps there is not public, and the
/// virtual card's offset table is its own choice. The photo must be JPEG 2000 (every source
/// says so); the other images are returned whatever their format.
pub(crate) fn front(file: &[u8]) -> Result<Front, TlvError> {
    let (_, children) = tlv::file(file, 0xFF20)?;
    tlv::only(&children, 0xDF21)?;
    let field = |tag| tlv::only(&children, tag);
    let text = |tag: u64, what: &str| -> Result<String, TlvError> {
        let value = field(tag)?.value;
        if !value.iter().all(|b| b.is_ascii_graphic()) {
            return Err(format!("the {what} ({tag:X}) is not ASCII text"));
        }
        Ok(String::from_utf8(value.to_vec()).expect("ASCII is UTF-8"))
    };
    let photo = field(DF27_PHOTO)?.value;
    if !is_jpeg2000(photo) {
        return Err(
            "the photo (DF27) is not JPEG 2000 (no JP2 signature box or codestream \
                    marker)"
                .into(),
        );
    }
    let mut signed: Vec<_> = [
        DF22_BIRTH,
        DF23_SEX,
        DF24_KEY,
        DF25_NAME,
        DF26_ADDRESS,
        DF27_PHOTO,
        DF29_EXPIRY,
    ]
    .into_iter()
    .map(field)
    .collect::<Result<_, _>>()?;
    signed.sort_by_key(|object| object.offset);
    let mut covered = Zeroizing::new(Vec::with_capacity(
        signed.iter().map(|object| object.raw.len()).sum(),
    ));
    for object in &signed {
        covered.extend_from_slice(object.raw);
    }
    Ok(Front {
        birth_date: text(DF22_BIRTH, "birth date")?,
        sex: text(DF23_SEX, "sex")?,
        expiry: text(DF29_EXPIRY, "expiry date")?,
        name_image: field(DF25_NAME)?.value.to_vec(),
        address_image: field(DF26_ADDRESS)?.value.to_vec(),
        photo: photo.to_vec(),
        security_code_image: field(DF2A_SECURITY_CODE)?.value.to_vec(),
        signature: field(DF28_SIGNATURE)?.value.to_vec(),
        signed_in_virtual_layout: covered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(tag: u16, value: &[u8]) -> Vec<u8> {
        let mut out = tag.to_be_bytes().to_vec();
        match value.len() {
            n @ 0..=0x7F => out.push(n as u8),
            n @ 0x80..=0xFF => out.extend([0x81, n as u8]),
            n => {
                out.push(0x82);
                out.extend((n as u16).to_be_bytes());
            }
        }
        out.extend(value);
        out
    }

    fn file(photo: &[u8], extra: &[(u16, &[u8])]) -> Vec<u8> {
        let mut jp2 = JP2_SIGNATURE.to_vec();
        jp2.extend(photo);
        let mut fields = vec![
            object(0xDF21, &[0, 1, 0, 2]),
            object(0xDF22, b"19900401"),
            object(0xDF23, b"2"),
            object(0xDF24, &[0x90, 0x01, 0x03]),
            object(0xDF25, &PNG_SIGNATURE),
            object(0xDF26, &PNG_SIGNATURE),
            object(0xDF27, &jp2),
            object(0xDF28, &[0xAA; 200]),
            object(0xDF29, b"20350401"),
            object(0xDF2A, &PNG_SIGNATURE),
        ];
        for (tag, value) in extra {
            fields.push(object(*tag, value));
        }
        let body = fields.concat();
        let mut out = vec![0xFF, 0x20, 0x82];
        out.extend((body.len() as u16).to_be_bytes());
        out.extend(body);
        out.extend([0xFF; 7]);
        out
    }

    #[test]
    fn decodes_every_field_and_the_signed_bytes() {
        let bytes = file(b"photo", &[]);
        let front = front(&bytes).unwrap();
        assert_eq!(front.birth_date, "19900401");
        assert_eq!(front.sex, "2");
        assert_eq!(front.expiry, "20350401");
        assert_eq!(image_media_type(&front.photo), Some("image/jp2"));
        assert_eq!(image_media_type(&front.name_image), Some("image/png"));
        assert_eq!(front.signature.len(), 200);
        // DF22..DF27 then DF29, tags included; DF28 left out.
        let signed = &front.signed_in_virtual_layout;
        assert!(signed.starts_with(&[0xDF, 0x22, 0x08]));
        assert!(signed.ends_with(b"\xDF\x29\x0820350401"));
        assert!(!signed.windows(3).any(|w| w == [0xDF, 0x28, 0x81]));
    }

    #[test]
    fn media_types_from_magic_bytes() {
        assert_eq!(image_media_type(&J2C_START), Some("image/j2c"));
        assert_eq!(image_media_type(&JP2_SIGNATURE), Some("image/jp2"));
        assert_eq!(image_media_type(&PNG_SIGNATURE), Some("image/png"));
        assert_eq!(image_media_type(&[0xFF, 0xD8, 0xFF]), None, "JPEG");
        assert_eq!(image_media_type(&[]), None);
        assert!(!is_jpeg2000(&PNG_SIGNATURE));
    }

    #[test]
    fn damage_is_reported() {
        let mut not_jpeg2000 = file(b"x", &[]);
        let at = not_jpeg2000
            .windows(4)
            .position(|w| w == &JP2_SIGNATURE[..4])
            .unwrap();
        not_jpeg2000[at + 4] = b'X';
        assert!(front(&not_jpeg2000).err().unwrap().contains("JPEG 2000"));
        let twice = file(b"x", &[(0xDF23, b"1")]);
        assert!(front(&twice).err().unwrap().contains("more than once"));
        let mut cut = file(b"x", &[]);
        cut.truncate(40);
        assert!(front(&cut).is_err());
        let binary_sex = file(b"x", &[]);
        let at = binary_sex
            .windows(3)
            .position(|w| w == [0xDF, 0x23, 0x01])
            .unwrap();
        let mut binary_sex = binary_sex;
        binary_sex[at + 3] = 0x00;
        assert!(front(&binary_sex).err().unwrap().contains("sex"));
    }
}
