//! The visible signature's appearance: a white box with a thin border and a few lines of text
//! (the signer's name, the date), in the standard Japanese CID font HeiseiMin-W3 with the
//! `UniJIS-UCS2-HW-H` CMap, which every conforming reader has (PDF 32000-1 §9.7.5.2). Nothing
//! is embedded, so the appearance costs a few hundred bytes; readers substitute their own
//! Mincho face.

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

use super::update::Original;

/// The font: Type0 over a CIDFontType0 of the Adobe-Japan1 collection.
fn font() -> Dictionary {
    let mut info = Dictionary::new();
    info.set(
        "Registry",
        Object::String(b"Adobe".to_vec(), StringFormat::Literal),
    );
    info.set(
        "Ordering",
        Object::String(b"Japan1".to_vec(), StringFormat::Literal),
    );
    info.set("Supplement", 2);
    let mut descriptor = Dictionary::new();
    descriptor.set("Type", Object::Name(b"FontDescriptor".to_vec()));
    descriptor.set("FontName", Object::Name(b"HeiseiMin-W3".to_vec()));
    descriptor.set("Flags", 6);
    descriptor.set(
        "FontBBox",
        vec![(-123).into(), (-257).into(), 1001.into(), 910.into()] as Vec<Object>,
    );
    descriptor.set("ItalicAngle", 0);
    descriptor.set("Ascent", 723);
    descriptor.set("Descent", -241);
    descriptor.set("CapHeight", 709);
    descriptor.set("StemV", 69);
    let mut cid_font = Dictionary::new();
    cid_font.set("Type", Object::Name(b"Font".to_vec()));
    cid_font.set("Subtype", Object::Name(b"CIDFontType0".to_vec()));
    cid_font.set("BaseFont", Object::Name(b"HeiseiMin-W3".to_vec()));
    cid_font.set("CIDSystemInfo", info);
    cid_font.set("FontDescriptor", descriptor);
    cid_font.set("DW", 1000);
    // The half-width Latin glyphs the HW CMap maps ASCII to (CIDs 231–325) are 500 units wide.
    cid_font.set("W", vec![231.into(), 325.into(), 500.into()] as Vec<Object>);
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type0".to_vec()));
    font.set(
        "BaseFont",
        Object::Name(b"HeiseiMin-W3-UniJIS-UCS2-HW-H".to_vec()),
    );
    font.set("Encoding", Object::Name(b"UniJIS-UCS2-HW-H".to_vec()));
    font.set("DescendantFonts", vec![Object::Dictionary(cid_font)]);
    font
}

/// A line as UCS-2 code units (the CMap's codes), and its width in em.
fn encode(line: &str) -> (Vec<u8>, f32) {
    let mut codes = Vec::new();
    let mut width = 0.0;
    for c in line.chars() {
        let c = if (c as u32) > 0xFFFF { '?' } else { c };
        codes.extend_from_slice(&(c as u16).to_be_bytes());
        width += if c.is_ascii() { 0.5 } else { 1.0 };
    }
    (codes, width)
}

/// The appearance objects for a box of `width` × `height` points showing `lines`: returns the
/// objects to add and the appearance stream's id.
pub(crate) fn appearance(
    original: &mut Original,
    width: f32,
    height: f32,
    lines: &[String],
) -> (Vec<(ObjectId, Object)>, ObjectId) {
    let font_id = original.new_id();
    let stream_id = original.new_id();
    let encoded: Vec<(Vec<u8>, f32)> = lines.iter().map(|l| encode(l)).collect();
    let padding = 4.0_f32;
    let widest = encoded.iter().map(|(_, w)| *w).fold(1.0_f32, f32::max);
    let rows = encoded.len().max(1) as f32;
    let size = ((width - 2.0 * padding) / widest)
        .min((height - 2.0 * padding) / (rows * 1.25))
        .clamp(1.0, 24.0);
    let mut content = format!(
        "q 1 1 1 rg 0 0 {width:.2} {height:.2} re f 0 0 0 RG 0.5 w 0.25 0.25 {:.2} {:.2} re S\nBT /F1 {size:.2} Tf 0 g {padding:.2} {:.2} Td {:.2} TL\n",
        width - 0.5,
        height - 0.5,
        height - padding - size,
        size * 1.25
    )
    .into_bytes();
    for (codes, _) in &encoded {
        content.push(b'<');
        for b in codes {
            content.extend_from_slice(format!("{b:02X}").as_bytes());
        }
        content.extend_from_slice(b"> Tj T*\n");
    }
    content.extend_from_slice(b"ET Q\n");
    let mut fonts = Dictionary::new();
    fonts.set("F1", Object::Reference(font_id));
    let mut resources = Dictionary::new();
    resources.set("Font", fonts);
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set(
        "BBox",
        vec![
            0.into(),
            0.into(),
            Object::Real(width),
            Object::Real(height),
        ] as Vec<Object>,
    );
    dict.set("Resources", resources);
    let stream = Stream::new(dict, content);
    (
        vec![
            (font_id, Object::Dictionary(font())),
            (stream_id, Object::Stream(stream)),
        ],
        stream_id,
    )
}
