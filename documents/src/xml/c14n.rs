//! Parsing and canonicalisation, both by libxml2 (through the `libxml` crate): the one
//! well-kept C14N implementation that XML-DSig verifiers (xmlsec1 among them) share. Nothing
//! here serialises XML by hand.
//!
//! Parsing is strict (no recovery), never touches the network, and refuses a DOCTYPE: a DTD
//! could add default attributes or entities that change what is signed (and entity expansion
//! is a classic attack), so a signed document here is plain XML.

use libxml::parser::{Parser, ParserOptions};
use libxml::tree::c14n::{CanonicalizationMode, CanonicalizationOptions};
use libxml::tree::{Document, Node, NodeType};

use super::XmlError;

/// A canonicalisation algorithm, by the URI that names it in a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canonicalization {
    /// Canonical XML 1.0 (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315`).
    Inclusive,
    /// Canonical XML 1.0 with comments.
    InclusiveWithComments,
    /// Exclusive XML Canonicalization 1.0 (`http://www.w3.org/2001/10/xml-exc-c14n#`): what
    /// Kazashi signs with, since a subtree's form does not depend on where it sits.
    Exclusive,
    /// Exclusive XML Canonicalization 1.0 with comments.
    ExclusiveWithComments,
}

impl Canonicalization {
    /// The algorithm's URI.
    pub fn uri(self) -> &'static str {
        match self {
            Canonicalization::Inclusive => "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            Canonicalization::InclusiveWithComments => {
                "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
            }
            Canonicalization::Exclusive => "http://www.w3.org/2001/10/xml-exc-c14n#",
            Canonicalization::ExclusiveWithComments => {
                "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
            }
        }
    }

    /// The algorithm a URI names, if it is one of these.
    pub fn from_uri(uri: &str) -> Option<Self> {
        [
            Canonicalization::Inclusive,
            Canonicalization::InclusiveWithComments,
            Canonicalization::Exclusive,
            Canonicalization::ExclusiveWithComments,
        ]
        .into_iter()
        .find(|c| c.uri() == uri)
    }

    fn options(self) -> CanonicalizationOptions {
        let (mode, with_comments) = match self {
            Canonicalization::Inclusive => (CanonicalizationMode::Canonical1_0, false),
            Canonicalization::InclusiveWithComments => (CanonicalizationMode::Canonical1_0, true),
            Canonicalization::Exclusive => (CanonicalizationMode::ExclusiveCanonical1_0, false),
            Canonicalization::ExclusiveWithComments => {
                (CanonicalizationMode::ExclusiveCanonical1_0, true)
            }
        };
        CanonicalizationOptions {
            mode,
            with_comments,
            inclusive_ns_prefixes: Vec::new(),
        }
    }
}

/// Parses without recovery or network access; the DOCTYPE check is [`refuse_dtd`]'s.
pub(crate) fn parse_any(bytes: &[u8]) -> Result<Document, XmlError> {
    let options = ParserOptions {
        recover: false,
        no_net: true,
        no_error: true,
        no_warning: true,
        ..ParserOptions::default()
    };
    let doc = Parser::default()
        .parse_string_with_options(bytes, options)
        .map_err(|e| XmlError::Parse {
            reason: format!("{e:?}"),
        })?;
    if doc.get_root_element().is_none() {
        return Err(XmlError::Parse {
            reason: "no root element".into(),
        });
    }
    Ok(doc)
}

/// Parses a document to be signed or verified: well-formed, without a DOCTYPE.
pub(crate) fn parse(bytes: &[u8]) -> Result<Document, XmlError> {
    let doc = parse_any(bytes)?;
    refuse_dtd(&doc)?;
    Ok(doc)
}

fn refuse_dtd(doc: &Document) -> Result<(), XmlError> {
    let has_dtd = doc.as_node().get_child_nodes().iter().any(|n| {
        matches!(
            n.get_type(),
            Some(NodeType::DTDNode | NodeType::DocumentTypeNode)
        )
    });
    if has_dtd {
        return Err(XmlError::Unsupported {
            reason: "the document has a DOCTYPE; remove it (a DTD can change what is signed)"
                .into(),
        });
    }
    Ok(())
}

fn failed() -> XmlError {
    XmlError::Canonicalization {
        reason: "libxml2 could not canonicalise the document".into(),
    }
}

/// The whole document's canonical form.
pub(crate) fn document(doc: &Document, method: Canonicalization) -> Result<Vec<u8>, XmlError> {
    doc.canonicalize(method.options(), None)
        .map(String::into_bytes)
        .map_err(|()| failed())
}

/// An element subtree's canonical form (the node-set of the element, its attributes,
/// namespaces and descendants).
pub(crate) fn subtree(node: &Node, method: Canonicalization) -> Result<Vec<u8>, XmlError> {
    let mut node = node.clone();
    node.canonicalize(method.options())
        .map(String::into_bytes)
        .map_err(|()| failed())
}

/// Canonicalises `xml` — the whole document, or the subtree of its first element named
/// `{namespace}local` — with libxml2's C14N. Public so that the W3C test vectors can be run
/// against exactly the code path signatures use. A DOCTYPE is accepted here (the W3C examples
/// have some) but not expanded: no external DTD is loaded and no entity substituted.
///
/// # Errors
///
/// [`XmlError::Parse`], [`XmlError::Unsupported`] when no such element exists,
/// [`XmlError::Canonicalization`].
pub fn canonicalize(
    xml: &[u8],
    method: Canonicalization,
    element: Option<(Option<&str>, &str)>,
) -> Result<Vec<u8>, XmlError> {
    let doc = parse_any(xml)?;
    match element {
        None => document(&doc, method),
        Some((namespace, local)) => {
            let root = doc.get_root_element().ok_or_else(failed)?;
            let found = super::dom::descendants(&root)
                .into_iter()
                .find(|n| super::dom::is(n, namespace, local))
                .ok_or_else(|| XmlError::Unsupported {
                    reason: format!("no element {local} to canonicalise"),
                })?;
            subtree(&found, method)
        }
    }
}
