//! The incremental update that carries a signature: lopdf parses the original and serialises
//! the new and changed objects after its last byte; this module decides which objects change
//! and then finds, in the bytes lopdf wrote, the two placeholders to fill (`/ByteRange` and
//! `/Contents`).

use lopdf::{Dictionary, Document, IncrementalDocument, Object, ObjectId, StringFormat};

use super::error::PdfError;

/// What `/ByteRange` holds until the real offsets are known: four integers as wide as any
/// offset we write, so the real array fits in the same bytes (padded with spaces).
const BYTE_RANGE_PLACEHOLDER: i64 = 9_999_999_999;

/// The objects a signature adds, besides the signature dictionary's fixed keys.
pub(crate) struct SignatureObjects {
    /// Bytes reserved for the DER CMS in `/Contents` (written as twice as many hex digits).
    pub contents_len: usize,
    /// `/M`, Unix seconds.
    pub signing_time: i64,
    /// `/Name`, `/Reason`, `/Location`, `/ContactInfo` (text strings).
    pub name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// 1-based page of the widget; its rectangle and appearance when visible.
    pub page: u32,
    /// The visible box, or `None` for an invisible signature (a zero rectangle).
    pub appearance: Option<WidgetAppearance>,
    /// DocMDP certification level (1, 2 or 3).
    pub certify: Option<u8>,
}

/// A visible widget: where it is and what it shows.
pub(crate) struct WidgetAppearance {
    /// `[x1 y1 x2 y2]` on the page.
    pub rect: [f32; 4],
    /// The appearance stream (a Form XObject) and the objects it uses.
    pub objects: Vec<(ObjectId, Object)>,
    /// The appearance stream's id (`/AP /N`).
    pub stream: ObjectId,
}

/// The parsed original, ready to receive objects.
pub(crate) struct Original {
    pub(crate) update: IncrementalDocument,
}

impl Original {
    /// Parses `pdf` with lopdf (object streams and cross-reference streams included).
    ///
    /// # Errors
    ///
    /// [`PdfError::NotPdf`], [`PdfError::Encrypted`].
    pub(crate) fn parse(pdf: &[u8]) -> Result<Self, PdfError> {
        if !pdf.starts_with(b"%PDF-") {
            return Err(PdfError::not_pdf("no %PDF- header"));
        }
        let document = Document::load_mem(pdf).map_err(PdfError::not_pdf)?;
        if document.is_encrypted() || document.trailer.get(b"Encrypt").is_ok() {
            return Err(PdfError::Encrypted);
        }
        Ok(Self {
            update: IncrementalDocument::create_from(pdf.to_vec(), document),
        })
    }

    /// The previous revisions, merged.
    pub(crate) fn document(&self) -> &Document {
        self.update.get_prev_documents()
    }

    /// Whether any signature field already has a value (certification must come first).
    pub(crate) fn has_signatures(&self) -> bool {
        let doc = self.document();
        field_refs(doc).iter().any(|id| field_is_signed(doc, *id))
    }

    /// A fresh object number in the update.
    pub(crate) fn new_id(&mut self) -> ObjectId {
        self.update.new_document.new_object_id()
    }
}

/// A written update: the whole new file and where its placeholders are.
pub(crate) struct Prepared {
    /// Original bytes, then the update.
    pub(crate) pdf: Vec<u8>,
    /// `/ByteRange [a b c d]` as written.
    pub(crate) byte_range: [usize; 4],
    /// Offset of `<` of `/Contents`.
    contents_start: usize,
    /// Bytes the placeholder holds.
    pub(crate) contents_len: usize,
}

/// Adds the signature objects to `original` and writes the new file.
///
/// # Errors
///
/// [`PdfError::InvalidOption`] for a page that does not exist; [`PdfError::NotPdf`] for a
/// document whose catalog, page tree or AcroForm is not what the PDF specification says.
pub(crate) fn write_signature(
    mut original: Original,
    objects: SignatureObjects,
) -> Result<Prepared, PdfError> {
    let doc = original.document();
    let pages = doc.get_pages();
    let page_id = *pages.get(&objects.page).ok_or_else(|| {
        PdfError::option(format!(
            "page {} does not exist (the document has {})",
            objects.page,
            pages.len()
        ))
    })?;
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PdfError::not_pdf("the trailer names no catalog"))?;
    let field_name = unused_field_name(doc);

    let sig_id = original.new_id();
    let field_id = original.new_id();
    let signature = signature_dictionary(&objects);
    let new = &mut original.update.new_document;
    new.objects.insert(sig_id, Object::Dictionary(signature));

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set(
        "T",
        Object::String(field_name.into_bytes(), StringFormat::Literal),
    );
    widget.set("V", Object::Reference(sig_id));
    // Print | Locked: shown when printed, and not movable once signed.
    widget.set("F", 132);
    widget.set("P", Object::Reference(page_id));
    match objects.appearance {
        Some(appearance) => {
            widget.set(
                "Rect",
                appearance
                    .rect
                    .iter()
                    .map(|v| Object::Real(*v))
                    .collect::<Vec<_>>(),
            );
            for (id, object) in appearance.objects {
                new.objects.insert(id, object);
            }
            let mut ap = Dictionary::new();
            ap.set("N", Object::Reference(appearance.stream));
            widget.set("AP", ap);
        }
        None => widget.set(
            "Rect",
            vec![0.into(), 0.into(), 0.into(), 0.into()] as Vec<Object>,
        ),
    }
    new.objects.insert(field_id, Object::Dictionary(widget));

    add_annotation(&mut original, page_id, field_id)?;
    add_field(&mut original, root_id, field_id, sig_id, objects.certify)?;
    clean_trailer(&mut original);

    let mut pdf = Vec::with_capacity(
        original.update.get_prev_documents_bytes().len() + 4 * objects.contents_len + 8192,
    );
    original
        .update
        .save_to(&mut pdf)
        .map_err(PdfError::not_pdf)?;
    let tail = original.update.get_prev_documents_bytes().len();
    locate_placeholders(pdf, tail, objects.contents_len)
}

/// The signature dictionary with both placeholders.
fn signature_dictionary(objects: &SignatureObjects) -> Dictionary {
    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set(
        "SubFilter",
        Object::Name(super::SUB_FILTER_CADES.as_bytes().to_vec()),
    );
    sig.set(
        "ByteRange",
        vec![
            Object::Integer(0),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
            Object::Integer(BYTE_RANGE_PLACEHOLDER),
        ],
    );
    sig.set(
        "Contents",
        Object::String(vec![0; objects.contents_len], StringFormat::Hexadecimal),
    );
    sig.set(
        "M",
        Object::String(
            pdf_date(objects.signing_time).into_bytes(),
            StringFormat::Literal,
        ),
    );
    for (key, value) in [
        ("Name", &objects.name),
        ("Reason", &objects.reason),
        ("Location", &objects.location),
        ("ContactInfo", &objects.contact_info),
    ] {
        if let Some(text) = value {
            sig.set(key, text_string(text));
        }
    }
    if let Some(level) = objects.certify {
        let mut params = Dictionary::new();
        params.set("Type", Object::Name(b"TransformParams".to_vec()));
        params.set("P", i64::from(level));
        params.set("V", Object::Name(b"1.2".to_vec()));
        let mut reference = Dictionary::new();
        reference.set("Type", Object::Name(b"SigRef".to_vec()));
        reference.set("TransformMethod", Object::Name(b"DocMDP".to_vec()));
        reference.set("TransformParams", params);
        sig.set("Reference", vec![Object::Dictionary(reference)]);
    }
    sig
}

/// A PDF text string: PDFDocEncoding for ASCII, UTF-16BE with a byte-order mark otherwise.
pub(crate) fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// A PDF date in UTC: `D:YYYYMMDDHHmmSS+00'00'`.
pub(crate) fn pdf_date(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The top-level fields of the AcroForm (empty without one).
fn field_refs(doc: &Document) -> Vec<ObjectId> {
    let Ok(catalog) = doc.catalog() else {
        return Vec::new();
    };
    let Ok(form) = catalog
        .get(b"AcroForm")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_dict())
    else {
        return Vec::new();
    };
    let Ok(fields) = form
        .get(b"Fields")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_array())
    else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(|o| o.as_reference().ok())
        .collect()
}

fn field_is_signed(doc: &Document, id: ObjectId) -> bool {
    doc.get_dictionary(id).is_ok_and(|field| {
        field.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig".as_slice())
            && field.get(b"V").is_ok()
    })
}

/// `Signature1`, `Signature2`, …: the first name no top-level field has.
fn unused_field_name(doc: &Document) -> String {
    let names: Vec<Vec<u8>> = field_refs(doc)
        .iter()
        .filter_map(|id| doc.get_dictionary(*id).ok())
        .filter_map(|f| {
            f.get(b"T")
                .and_then(Object::as_str)
                .ok()
                .map(<[u8]>::to_vec)
        })
        .collect();
    (1..)
        .map(|n| format!("Signature{n}"))
        .find(|name| !names.iter().any(|t| t == name.as_bytes()))
        .unwrap_or_else(|| "Signature".into())
}

/// Puts the widget in the page's `/Annots` (direct or indirect array, or a new one).
fn add_annotation(
    original: &mut Original,
    page_id: ObjectId,
    widget: ObjectId,
) -> Result<(), PdfError> {
    let doc = original.document();
    let page = doc
        .get_dictionary(page_id)
        .map_err(PdfError::not_pdf)?
        .clone();
    match page.get(b"Annots") {
        Ok(Object::Reference(array_id)) => {
            let array_id = *array_id;
            let mut annots = doc
                .get_object(array_id)
                .and_then(Object::as_array)
                .map_err(PdfError::not_pdf)?
                .clone();
            annots.push(Object::Reference(widget));
            original
                .update
                .new_document
                .objects
                .insert(array_id, Object::Array(annots));
        }
        other => {
            let mut annots = match other {
                Ok(Object::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            annots.push(Object::Reference(widget));
            let mut page = page;
            page.set("Annots", annots);
            original
                .update
                .new_document
                .objects
                .insert(page_id, Object::Dictionary(page));
        }
    }
    Ok(())
}

/// Adds the field to the AcroForm (made if missing), sets `/SigFlags 3`, and for a
/// certification names the signature in the catalog's `/Perms /DocMDP`.
fn add_field(
    original: &mut Original,
    root_id: ObjectId,
    field: ObjectId,
    signature: ObjectId,
    certify: Option<u8>,
) -> Result<(), PdfError> {
    let doc = original.document();
    let mut catalog = doc
        .get_dictionary(root_id)
        .map_err(PdfError::not_pdf)?
        .clone();
    let mut catalog_changed = false;
    let (form_id, mut form) = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => (
            Some(*id),
            doc.get_dictionary(*id).map_err(PdfError::not_pdf)?.clone(),
        ),
        Ok(Object::Dictionary(d)) => (None, d.clone()),
        _ => (None, Dictionary::new()),
    };
    match form.get(b"Fields") {
        Ok(Object::Reference(array_id)) => {
            let array_id = *array_id;
            let mut fields = doc
                .get_object(array_id)
                .and_then(Object::as_array)
                .map_err(PdfError::not_pdf)?
                .clone();
            fields.push(Object::Reference(field));
            original
                .update
                .new_document
                .objects
                .insert(array_id, Object::Array(fields));
        }
        other => {
            let mut fields = match other {
                Ok(Object::Array(a)) => a.clone(),
                _ => Vec::new(),
            };
            fields.push(Object::Reference(field));
            form.set("Fields", fields);
        }
    }
    // SignaturesExist | AppendOnly: readers must save by incremental update from now on.
    form.set("SigFlags", 3);
    match form_id {
        Some(id) => {
            original
                .update
                .new_document
                .objects
                .insert(id, Object::Dictionary(form));
        }
        None => {
            let id = original.new_id();
            original
                .update
                .new_document
                .objects
                .insert(id, Object::Dictionary(form));
            catalog.set("AcroForm", Object::Reference(id));
            catalog_changed = true;
        }
    }
    if certify.is_some() {
        let mut perms = Dictionary::new();
        perms.set("DocMDP", Object::Reference(signature));
        catalog.set("Perms", perms);
        catalog_changed = true;
    }
    if catalog_changed {
        original
            .update
            .new_document
            .objects
            .insert(root_id, Object::Dictionary(catalog));
    }
    Ok(())
}

/// The update's trailer: `/Root`, `/Info`, `/ID` and `/Prev` only. lopdf starts from the
/// previous trailer, which for a cross-reference stream is that stream's dictionary
/// (`/Filter`, `/DecodeParms`, `/W` would describe the wrong stream).
fn clean_trailer(original: &mut Original) {
    let previous = &original.update.new_document.trailer;
    let mut trailer = Dictionary::new();
    for key in [b"Root".as_slice(), b"Info", b"ID", b"Prev"] {
        if let Ok(value) = previous.get(key) {
            trailer.set(key.to_vec(), value.clone());
        }
    }
    original.update.new_document.trailer = trailer;
}

/// Finds `/ByteRange` and `/Contents` in the update lopdf wrote (after `tail`, the original's
/// length), then writes the real byte range in place.
fn locate_placeholders(
    mut pdf: Vec<u8>,
    tail: usize,
    contents_len: usize,
) -> Result<Prepared, PdfError> {
    let mut hex = Vec::with_capacity(2 * contents_len + 2);
    hex.push(b'<');
    hex.resize(2 * contents_len + 1, b'0');
    hex.push(b'>');
    let contents_start = tail
        + find(&pdf[tail..], &hex)
            .ok_or_else(|| PdfError::not_pdf("the /Contents placeholder was not written"))?;
    let contents_end = contents_start + hex.len();
    let placeholder =
        format!("[0 {BYTE_RANGE_PLACEHOLDER} {BYTE_RANGE_PLACEHOLDER} {BYTE_RANGE_PLACEHOLDER}]");
    let range_start = tail
        + find(&pdf[tail..], placeholder.as_bytes())
            .ok_or_else(|| PdfError::not_pdf("the /ByteRange placeholder was not written"))?;
    let byte_range = [0, contents_start, contents_end, pdf.len() - contents_end];
    let mut actual = format!("[0 {} {} {}]", byte_range[1], byte_range[2], byte_range[3]);
    // Pad inside the brackets so the array keeps its width.
    let pad = placeholder.len() - actual.len();
    actual.insert_str(actual.len() - 1, &" ".repeat(pad));
    pdf[range_start..range_start + placeholder.len()].copy_from_slice(actual.as_bytes());
    Ok(Prepared {
        pdf,
        byte_range,
        contents_start,
        contents_len,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

impl Prepared {
    /// Writes `cms` (DER) into `/Contents` as hex; the rest stays `0` padding.
    ///
    /// # Errors
    ///
    /// [`PdfError::ContentsTooSmall`] when it does not fit.
    pub(crate) fn fill(&mut self, cms: &[u8]) -> Result<(), PdfError> {
        if cms.len() > self.contents_len {
            return Err(PdfError::ContentsTooSmall {
                needed: cms.len(),
                reserved: self.contents_len,
            });
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let start = self.contents_start + 1;
        for (i, byte) in cms.iter().enumerate() {
            self.pdf[start + 2 * i] = HEX[usize::from(byte >> 4)];
            self.pdf[start + 2 * i + 1] = HEX[usize::from(byte & 0x0F)];
        }
        for digit in &mut self.pdf[start + 2 * cms.len()..start + 2 * self.contents_len] {
            *digit = b'0';
        }
        Ok(())
    }
}
