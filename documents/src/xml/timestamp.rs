//! XAdES-B-B → XAdES-T: a TSA token over the exclusive canonical form of `ds:SignatureValue`,
//! kept in `xades:UnsignedProperties/…/xades:SignatureTimeStamp` (EN 319 132-1 §5.3). Unsigned
//! properties are outside every signed Reference, so adding one leaves the signature valid.

use rand_core::{OsRng, RngCore};

use super::c14n::{self, Canonicalization};
use super::dom::{self, child, children};
use super::{template, XmlError, DS_NS, XADES_NS};
use crate::timestamp::{TimestampClient, TimestampError, TimestampToken, Timestamped};

/// Adds a signature timestamp from `tsa` to a signed XML document (the one `ds:Signature`
/// with XAdES QualifyingProperties, as [`super::sign_xml`] writes). Never fails as a whole: on
/// a TSA or document error the returned document is `signed_xml` unchanged and
/// [`Timestamped::timestamp`] says why. Blocking (HTTP).
pub fn timestamp_xml(signed_xml: Vec<u8>, tsa: &TimestampClient) -> Timestamped<Vec<u8>> {
    match add(&signed_xml, tsa) {
        Ok((document, token)) => Timestamped {
            document,
            timestamp: Ok(token),
        },
        Err(e) => Timestamped {
            document: signed_xml,
            timestamp: Err(e),
        },
    }
}

fn malformed(e: XmlError) -> TimestampError {
    match e {
        XmlError::Timestamp(e) => e,
        other => TimestampError::Malformed {
            reason: other.to_string(),
        },
    }
}

fn add(
    signed_xml: &[u8],
    tsa: &TimestampClient,
) -> Result<(Vec<u8>, TimestampToken), TimestampError> {
    let mut doc = c14n::parse(signed_xml).map_err(malformed)?;
    let signature = match dom::all(&doc, DS_NS, "Signature").as_slice() {
        [one] => one.clone(),
        _ => return Err(malformed(XmlError::NoSignature)),
    };
    let value = child(&signature, DS_NS, "SignatureValue").map_err(malformed)?;
    let canonical = c14n::subtree(&value, Canonicalization::Exclusive).map_err(malformed)?;
    let mut qualifying = children(&signature, DS_NS, "Object")
        .iter()
        .flat_map(|o| children(o, XADES_NS, "QualifyingProperties"))
        .next()
        .ok_or_else(|| malformed(XmlError::malformed("no xades:QualifyingProperties")))?;
    if !children(&qualifying, XADES_NS, "UnsignedProperties").is_empty() {
        return Err(malformed(XmlError::Unsupported {
            reason: "the signature already has unsigned properties".into(),
        }));
    }
    let token = tsa.timestamp_data(&canonical)?;
    let mut id = [0u8; 8];
    OsRng.fill_bytes(&mut id);
    let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let fragment_text = template::unsigned_properties(&format!("kazashi-ts-{id}"), &token.der);
    let fragment = c14n::parse(fragment_text.as_bytes()).map_err(malformed)?;
    dom::append(&mut doc, &mut qualifying, &fragment).map_err(malformed)?;
    Ok((dom::serialize(&doc), token))
}
