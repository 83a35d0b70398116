//! Small helpers over libxml's tree: element children by expanded name, Id lookup.

use libxml::tree::{Document, Node, SaveOptions};

use super::XmlError;

/// Whether `node` is the element `{namespace}local`.
pub(crate) fn is(node: &Node, namespace: Option<&str>, local: &str) -> bool {
    node.is_element_node()
        && node.get_name() == local
        && node.get_namespace().map(|ns| ns.get_href()).as_deref() == namespace
}

/// The element children of `node` named `{namespace}local`.
pub(crate) fn children(node: &Node, namespace: &str, local: &str) -> Vec<Node> {
    node.get_child_elements()
        .into_iter()
        .filter(|c| is(c, Some(namespace), local))
        .collect()
}

/// The one child `{namespace}local` of `node`.
pub(crate) fn child(node: &Node, namespace: &str, local: &str) -> Result<Node, XmlError> {
    match children(node, namespace, local).as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(XmlError::malformed(format!(
            "{} has no {local} element",
            node.get_name()
        ))),
        _ => Err(XmlError::malformed(format!(
            "{} has more than one {local} element",
            node.get_name()
        ))),
    }
}

/// `node` and every element below it, in document order.
pub(crate) fn descendants(node: &Node) -> Vec<Node> {
    let mut out = vec![node.clone()];
    for child in node.get_child_elements() {
        out.extend(descendants(&child));
    }
    out
}

/// Every element of `doc` named `{namespace}local`.
pub(crate) fn all(doc: &Document, namespace: &str, local: &str) -> Vec<Node> {
    doc.get_root_element()
        .map(|root| {
            descendants(&root)
                .into_iter()
                .filter(|n| is(n, Some(namespace), local))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `id` is a plain NCName (what Kazashi writes and accepts as an Id).
pub(crate) fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The single element whose `Id` attribute is `id`. Two elements with one Id are refused:
/// which one a verifier picks is how signature-wrapping attacks work.
pub(crate) fn by_id(doc: &Document, id: &str) -> Result<Node, XmlError> {
    let root = doc
        .get_root_element()
        .ok_or_else(|| XmlError::malformed("no root element"))?;
    let found: Vec<Node> = descendants(&root)
        .into_iter()
        .filter(|n| n.get_attribute("Id").as_deref() == Some(id))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(XmlError::Unsupported {
            reason: format!("no element has Id=\"{id}\""),
        }),
        _ => Err(XmlError::Unsupported {
            reason: format!("more than one element has Id=\"{id}\""),
        }),
    }
}

/// Escapes text for an attribute value or element content.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Appends the root element of `fragment` as the last child of `parent`, an element of `doc`.
pub(crate) fn append(
    doc: &mut Document,
    parent: &mut Node,
    fragment: &Document,
) -> Result<(), XmlError> {
    let failed = || XmlError::malformed("libxml2 could not insert the signature element");
    let mut node = fragment.get_root_element().ok_or_else(failed)?;
    node.unlink();
    let mut imported = doc.import_node(&mut node).map_err(|()| failed())?;
    parent.add_child(&mut imported).map_err(|_| failed())
}

/// The document as UTF-8 text, as libxml2 writes it (no reformatting).
pub(crate) fn serialize(doc: &Document) -> Vec<u8> {
    doc.to_string_with_options(SaveOptions::default())
        .into_bytes()
}
