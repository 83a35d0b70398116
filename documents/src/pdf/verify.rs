//! `verify_pdf`: every signature's byte range (the whole file up to the end of its revision,
//! only `/Contents` left out), its CMS (kazashi-verify, hashed in place over the byte range),
//! its chain, and what later revisions added.

use der::{Decode, Encode, SliceReader};
use kazashi_verify::{verify_cms_detached_digest, CmsVerification, TrustStore};
use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::digest::{byte_range_parts, digest_parts};
use super::error::PdfError;
use crate::timestamp::{
    signature_timestamp_token, verify_timestamp_token, TimestampError, TimestampToken,
};

/// One object a later revision added or replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedObject {
    /// Object number and generation.
    pub id: (u32, u16),
    /// `/Type` (or `Sig` for a signature dictionary, `Stream`, `Array`, … otherwise).
    pub kind: String,
    /// New in that revision (`false`: an earlier object replaced).
    pub added: bool,
}

/// A revision appended after a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaterRevision {
    /// Its first byte.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// The index (in [`PdfVerification::signatures`]) of the signature whose revision it is,
    /// or `None` for changes no signature covers.
    pub signature: Option<usize>,
    /// The objects it added or replaced.
    pub objects: Vec<ChangedObject>,
}

/// One signature that passed every check.
#[derive(Debug, Clone)]
pub struct PdfSignatureCheck {
    /// The signature field's name (`/T`).
    pub field: String,
    /// `/SubFilter`.
    pub sub_filter: String,
    /// `/ByteRange`.
    pub byte_range: [usize; 4],
    /// Where its revision ends (`c + d` of the byte range).
    pub revision_end: usize,
    /// Whether it covers the whole file (no later revision).
    pub covers_whole_file: bool,
    /// `/M`, the claimed signing time, as written (`D:…`).
    pub claimed_time: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// The DocMDP level when it certifies the document.
    pub certification: Option<u8>,
    /// The CMS and chain result.
    pub cms: CmsVerification,
    /// The signatureTimeStampToken (PAdES B-T): `None` without one, `Ok` when it covers this
    /// signature and its TSA chains to one of the TSA roots given, `Err` saying why not.
    pub timestamp: Option<Result<TimestampToken, TimestampError>>,
    /// What was appended after it, revision by revision.
    pub later: Vec<LaterRevision>,
}

/// A PDF whose signatures all passed.
#[derive(Debug, Clone)]
pub struct PdfVerification {
    /// The signatures in file order (the first signed first).
    pub signatures: Vec<PdfSignatureCheck>,
    /// The file's length.
    pub file_len: usize,
}

/// Verifies every signature of `pdf` at time `at` against `store`.
///
/// A signature is accepted when its byte range starts at 0, leaves out exactly its own
/// `/Contents` hex string and ends where a revision ends (`%%EOF`); the `/Contents` string holds
/// one DER SignedData and zero padding; the CMS verifies over the byte range with
/// [`verify_cms_detached_digest`]; and whatever follows it is other signatures' revisions
/// (a certification with P=1 allows none). Changes after the last signature are refused.
///
/// # Errors
///
/// [`PdfError::NotPdf`], [`PdfError::Encrypted`], [`PdfError::NoSignature`],
/// [`PdfError::ByteRangeNotWholeFile`], [`PdfError::ContentsAltered`],
/// [`PdfError::Signature`] (the CMS's [`kazashi_verify::TrustError`]),
/// [`PdfError::ModifiedAfterSigning`].
pub fn verify_pdf(pdf: &[u8], at: i64, store: &TrustStore) -> Result<PdfVerification, PdfError> {
    verify_pdf_with_tsa_roots(pdf, at, store, &[])
}

/// [`verify_pdf`], also checking each signature's timestamp token (PAdES B-T) against
/// `tsa_roots` (DER certificates of the timestamp authorities' roots). A token that fails is
/// reported in [`PdfSignatureCheck::timestamp`], not as an error: the B-B signature under it
/// is still valid.
///
/// # Errors
///
/// As [`verify_pdf`].
pub fn verify_pdf_with_tsa_roots(
    pdf: &[u8],
    at: i64,
    store: &TrustStore,
    tsa_roots: &[Vec<u8>],
) -> Result<PdfVerification, PdfError> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(PdfError::not_pdf("no %PDF- header"));
    }
    let doc = Document::load_mem(pdf).map_err(PdfError::not_pdf)?;
    if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
        return Err(PdfError::Encrypted);
    }
    let mut found = signature_fields(&doc);
    if found.is_empty() {
        return Err(PdfError::NoSignature);
    }
    // File order: by where each signature's revision ends.
    let mut ranges = Vec::with_capacity(found.len());
    for (field, sig) in &found {
        ranges.push(byte_range(sig).map_err(|reason| (field.clone(), reason)));
    }
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| ranges[i].as_ref().map(|r| r[2] + r[3]).unwrap_or(0));
    found = order.iter().map(|&i| found[i].clone()).collect();
    let ranges: Vec<_> = order.iter().map(|&i| ranges[i].clone()).collect();

    let mut signatures = Vec::with_capacity(found.len());
    for (index, ((field, sig), range)) in found.iter().zip(ranges).enumerate() {
        let range =
            range.map_err(|(_, reason)| PdfError::ByteRangeNotWholeFile { index, reason })?;
        check_byte_range(pdf, range)
            .map_err(|reason| PdfError::ByteRangeNotWholeFile { index, reason })?;
        let der = signature_der(pdf, range, sig)
            .map_err(|reason| PdfError::ContentsAltered { index, reason })?;
        let cms = verify_cms_detached_digest(
            &der,
            |algorithm| digest_parts(algorithm, &byte_range_parts(pdf, range)),
            at,
            store,
        )
        .map_err(|source| PdfError::Signature { index, source })?;
        let timestamp = match signature_timestamp_token(&der) {
            Ok(None) => None,
            Ok(Some(embedded)) => Some(verify_timestamp_token(
                &embedded.token,
                &embedded.signature_value,
                tsa_roots,
            )),
            Err(e) => Some(Err(e)),
        };
        let revision_end = range[2] + range[3];
        signatures.push(PdfSignatureCheck {
            timestamp,
            field: field.clone(),
            sub_filter: name(sig, b"SubFilter").unwrap_or_default(),
            byte_range: range,
            revision_end,
            covers_whole_file: is_padding(&pdf[revision_end..]),
            claimed_time: text(sig, b"M"),
            reason: text(sig, b"Reason"),
            location: text(sig, b"Location"),
            certification: docmdp_level(&doc, sig),
            cms,
            later: Vec::new(),
        });
    }
    describe_later_revisions(pdf, &doc, &mut signatures)?;
    Ok(PdfVerification {
        signatures,
        file_len: pdf.len(),
    })
}

/// Whitespace only (what some writers leave after the last `%%EOF`).
fn is_padding(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| b" \t\r\n\x0C\0".contains(b))
}

/// Every signature field with a value, depth first through `/Kids`, as (name, signature
/// dictionary).
fn signature_fields(doc: &Document) -> Vec<(String, Dictionary)> {
    let mut out = Vec::new();
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    let fields = catalog
        .get(b"AcroForm")
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_dict())
        .and_then(|form| form.get(b"Fields"))
        .and_then(|o| doc.dereference(o))
        .and_then(|(_, o)| o.as_array());
    let Ok(fields) = fields else {
        return out;
    };
    let mut stack: Vec<(Object, String, bool)> = fields
        .iter()
        .rev()
        .map(|f| (f.clone(), String::new(), false))
        .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((object, parent, inherited_sig)) = stack.pop() {
        if let Object::Reference(id) = object {
            if !seen.insert(id) {
                continue;
            }
        }
        let Ok((_, Object::Dictionary(field))) = doc.dereference(&object) else {
            continue;
        };
        let own = text(field, b"T");
        let full = match (&own, parent.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{parent}.{t}"),
            (None, _) => parent.clone(),
        };
        let is_sig = match field.get(b"FT").and_then(Object::as_name) {
            Ok(ft) => ft == b"Sig",
            Err(_) => inherited_sig,
        };
        if is_sig {
            if let Ok((_, Object::Dictionary(sig))) =
                field.get(b"V").and_then(|v| doc.dereference(v))
            {
                out.push((full.clone(), sig.clone()));
            }
        }
        if let Ok(kids) = field.get(b"Kids").and_then(Object::as_array) {
            for kid in kids.iter().rev() {
                stack.push((kid.clone(), full.clone(), is_sig));
            }
        }
    }
    out
}

fn name(dict: &Dictionary, key: &[u8]) -> Option<String> {
    dict.get(key)
        .and_then(Object::as_name)
        .ok()
        .map(|n| String::from_utf8_lossy(n).into_owned())
}

/// A text string (UTF-16BE with a byte-order mark, or PDFDocEncoding read as Latin-1).
fn text(dict: &Dictionary, key: &[u8]) -> Option<String> {
    let bytes = dict.get(key).and_then(Object::as_str).ok()?;
    Some(match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    })
}

/// `/ByteRange` as four offsets.
fn byte_range(sig: &Dictionary) -> Result<[usize; 4], String> {
    let array = sig
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .map_err(|_| "no /ByteRange array".to_string())?;
    let values: Vec<usize> = array
        .iter()
        .map(|v| v.as_i64().ok().and_then(|v| usize::try_from(v).ok()))
        .collect::<Option<_>>()
        .ok_or("/ByteRange holds something other than offsets")?;
    values
        .try_into()
        .map_err(|v: Vec<usize>| format!("/ByteRange has {} numbers, not 4", v.len()))
}

/// The byte range starts at 0, its gap is exactly one hex string, and it ends at a `%%EOF`.
fn check_byte_range(pdf: &[u8], [a, b, c, d]: [usize; 4]) -> Result<(), String> {
    if a != 0 {
        return Err(format!("it starts at byte {a}, not 0"));
    }
    let end = c.checked_add(d).ok_or("its numbers overflow")?;
    if b == 0 || c <= b || end > pdf.len() {
        return Err(format!(
            "[{a} {b} {c} {d}] does not fit a {}-byte file",
            pdf.len()
        ));
    }
    let gap = &pdf[b..c];
    if gap.len() < 2
        || gap[0] != b'<'
        || gap[gap.len() - 1] != b'>'
        || !gap[1..gap.len() - 1].iter().all(u8::is_ascii_hexdigit)
    {
        return Err("the bytes left out are not exactly the /Contents hex string".into());
    }
    let mut revision = &pdf[..end];
    while let Some((last, rest)) = revision.split_last() {
        if b" \t\r\n\x0C".contains(last) {
            revision = rest;
        } else {
            break;
        }
    }
    if !revision.ends_with(b"%%EOF") {
        return Err(format!(
            "it ends at byte {end}, which is not the end of a revision (%%EOF)"
        ));
    }
    Ok(())
}

/// The DER SignedData in the gap: the same bytes as the dictionary's `/Contents`, followed by
/// zero padding only.
fn signature_der(
    pdf: &[u8],
    [_, b, c, _]: [usize; 4],
    sig: &Dictionary,
) -> Result<Vec<u8>, String> {
    let hex = &pdf[b + 1..c - 1];
    let gap: Vec<u8> = hex
        .chunks(2)
        .map(|pair| {
            let digit = |x: u8| (x as char).to_digit(16).unwrap_or(0) as u8;
            (digit(pair[0]) << 4) | pair.get(1).map_or(0, |&x| digit(x))
        })
        .collect();
    let dict_contents = sig
        .get(b"Contents")
        .and_then(Object::as_str)
        .map_err(|_| "the signature dictionary has no /Contents string".to_string())?;
    if dict_contents != gap.as_slice() {
        return Err("the signature dictionary's /Contents is not the signed gap".into());
    }
    let mut reader = SliceReader::new(&gap).map_err(|e| e.to_string())?;
    let header = der::Header::decode(&mut reader).map_err(|e| format!("not DER: {e}"))?;
    let total = usize::try_from(
        (header.encoded_len().map_err(|e| e.to_string())? + header.length)
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    if total > gap.len() {
        return Err("the CMS is longer than /Contents".into());
    }
    if gap[total..].iter().any(|&byte| byte != 0) {
        return Err("bytes after the signature in /Contents are not zero padding".into());
    }
    Ok(gap[..total].to_vec())
}

/// The DocMDP level when the catalog's `/Perms /DocMDP` is this signature.
fn docmdp_level(doc: &Document, sig: &Dictionary) -> Option<u8> {
    let references = sig.get(b"Reference").and_then(Object::as_array).ok()?;
    let level = references.iter().find_map(|r| {
        let (_, r) = doc.dereference(r).ok()?;
        let r = r.as_dict().ok()?;
        if r.get(b"TransformMethod").and_then(Object::as_name).ok()? != b"DocMDP" {
            return None;
        }
        let params = doc
            .dereference(r.get(b"TransformParams").ok()?)
            .ok()?
            .1
            .as_dict()
            .ok()?;
        Some(params.get(b"P").and_then(Object::as_i64).unwrap_or(2) as u8)
    })?;
    let perms = doc
        .catalog()
        .ok()?
        .get(b"Perms")
        .and_then(|p| doc.dereference(p))
        .ok()?
        .1
        .as_dict()
        .ok()?;
    let certified = perms
        .get(b"DocMDP")
        .and_then(|d| doc.dereference(d))
        .ok()?
        .1
        .as_dict()
        .ok()?;
    (certified.get(b"Contents").ok() == sig.get(b"Contents").ok()).then_some(level)
}

/// Fills each signature's `later` list, and refuses changes no signature covers (and any change
/// after a P=1 certification).
fn describe_later_revisions(
    pdf: &[u8],
    full: &Document,
    signatures: &mut [PdfSignatureCheck],
) -> Result<(), PdfError> {
    let Some(last) = signatures.last() else {
        return Ok(());
    };
    let last_end = last.revision_end;
    let unsigned_tail = !is_padding(&pdf[last_end..]);
    if signatures.len() == 1 && !unsigned_tail {
        return Ok(());
    }
    // The merged object tables at each signature's end, then at the file's end.
    let mut tables = Vec::with_capacity(signatures.len() + 1);
    for s in signatures.iter() {
        let prefix = Document::load_mem(&pdf[..s.revision_end]).map_err(PdfError::not_pdf)?;
        tables.push((s.revision_end, prefix));
    }
    let mut segments = Vec::new();
    for k in 1..tables.len() {
        segments.push((tables[k - 1].0, tables[k].0, Some(k), k - 1, k));
    }
    if unsigned_tail {
        segments.push((last_end, pdf.len(), None, tables.len() - 1, usize::MAX));
    }
    let mut described = Vec::with_capacity(segments.len());
    for &(start, end, signature, before, after) in &segments {
        let after_doc = if after == usize::MAX {
            full
        } else {
            &tables[after].1
        };
        let objects = changed_objects(&tables[before].1, after_doc);
        if let Some(k) = signature {
            // A later signature's revision may add anything, but replace only what signing
            // touches; a replaced page content or resource would change what was signed.
            let changed: Vec<&ChangedObject> = objects
                .iter()
                .filter(|o| !o.added && !signing_change(&tables[before].1, after_doc, o.id))
                .collect();
            if !changed.is_empty() {
                return Err(PdfError::ModifiedAfterSigning {
                    index: k - 1,
                    changes: format!(
                        "signature {k}'s revision also changes {}",
                        describe(&changed.into_iter().cloned().collect::<Vec<_>>())
                    ),
                });
            }
        }
        described.push(LaterRevision {
            start,
            end,
            signature,
            objects,
        });
    }
    for (index, s) in signatures.iter_mut().enumerate() {
        s.later = described
            .iter()
            .filter(|r| r.start >= s.revision_end)
            .cloned()
            .collect();
        if s.certification == Some(1) && !s.later.is_empty() {
            return Err(PdfError::ModifiedAfterSigning {
                index,
                changes: format!(
                    "it certifies the document with no changes allowed (DocMDP P=1), and {} revision(s) follow",
                    s.later.len()
                ),
            });
        }
    }
    if let Some(tail) = described.iter().find(|r| r.signature.is_none()) {
        return Err(PdfError::ModifiedAfterSigning {
            index: signatures.len() - 1,
            changes: format!(
                "{} bytes from offset {} that no signature covers, changing {}",
                tail.end - tail.start,
                tail.start,
                describe(&tail.objects)
            ),
        });
    }
    Ok(())
}

fn describe(objects: &[ChangedObject]) -> String {
    if objects.is_empty() {
        return "no object".into();
    }
    objects
        .iter()
        .map(|o| {
            format!(
                "{} {} ({}{})",
                o.id.0,
                o.id.1,
                if o.added { "new " } else { "replaced " },
                o.kind
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether replacing object `id` is part of adding a signature: the catalog's `/AcroForm`,
/// `/Perms`, `/DSS` or `/Metadata`, a page's `/Annots`, the AcroForm's fields and flags, an
/// empty signature field being filled, elements appended to an array that is no page's
/// `/Contents`, the XMP metadata stream, or the document information dictionary.
fn signing_change(before: &Document, after: &Document, id: ObjectId) -> bool {
    let (Ok(old), Ok(new)) = (before.get_object(id), after.get_object(id)) else {
        return false;
    };
    let without = |object: &Object, keys: &[&[u8]]| -> Option<Dictionary> {
        let mut dict = object.as_dict().ok()?.clone();
        for key in keys {
            dict.remove(key);
        }
        Some(dict)
    };
    let same_without = |keys: &[&[u8]]| {
        let (a, b) = (without(old, keys), without(new, keys));
        a.is_some() && a == b
    };
    if after
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .ok()
        == Some(id)
    {
        return true;
    }
    match (old, new) {
        (Object::Array(a), Object::Array(b)) => {
            b.len() >= a.len()
                && b[..a.len()] == a[..]
                && !after.get_pages().values().any(|page| {
                    after
                        .get_dictionary(*page)
                        .and_then(|p| p.get(b"Contents"))
                        .and_then(Object::as_reference)
                        .ok()
                        == Some(id)
                })
        }
        (Object::Stream(a), Object::Stream(_)) => {
            a.dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"Metadata".as_slice())
        }
        (Object::Dictionary(a), Object::Dictionary(_)) => {
            match a.get(b"Type").and_then(Object::as_name).ok() {
                Some(b"Catalog") => same_without(&[b"AcroForm", b"Perms", b"DSS", b"Metadata"]),
                Some(b"Page") => same_without(&[b"Annots"]),
                _ if a.get(b"Fields").is_ok() => {
                    same_without(&[b"Fields", b"SigFlags", b"DR", b"DA", b"NeedAppearances"])
                }
                _ => {
                    a.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig".as_slice())
                        && a.get(b"V").is_err()
                }
            }
        }
        _ => false,
    }
}

fn entry_key(entry: &XrefEntry) -> (u8, u64, u64) {
    match *entry {
        XrefEntry::Free => (0, 0, 0),
        XrefEntry::UnusableFree => (1, 0, 0),
        XrefEntry::Normal { offset, generation } => (2, u64::from(offset), u64::from(generation)),
        XrefEntry::Compressed { container, index } => (3, u64::from(container), u64::from(index)),
    }
}

/// The objects whose cross-reference entry differs between two revisions.
fn changed_objects(before: &Document, after: &Document) -> Vec<ChangedObject> {
    let mut out = Vec::new();
    for (&number, entry) in &after.reference_table.entries {
        let previous = before.reference_table.entries.get(&number);
        if previous.map(entry_key) == Some(entry_key(entry)) {
            continue;
        }
        let generation = match entry {
            XrefEntry::Normal { generation, .. } => *generation,
            _ => 0,
        };
        let id: ObjectId = (number, generation);
        let Ok(object) = after.get_object(id) else {
            continue; // the xref stream itself, or a free entry
        };
        out.push(ChangedObject {
            id,
            kind: kind(object),
            added: previous.is_none(),
        });
    }
    out
}

fn kind(object: &Object) -> String {
    let dict = match object {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    };
    if let Some(d) = dict {
        if d.get(b"ByteRange").is_ok() {
            return "Sig".into();
        }
        if let Ok(t) = d.get(b"Type").and_then(Object::as_name) {
            return String::from_utf8_lossy(t).into_owned();
        }
        if d.get(b"Fields").is_ok() {
            return "AcroForm".into();
        }
    }
    match object {
        Object::Stream(_) => "Stream",
        Object::Array(_) => "Array",
        Object::Dictionary(_) => "Dictionary",
        _ => "Value",
    }
    .into()
}
