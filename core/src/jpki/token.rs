//! EF `0006`: token information, which tells a physical card from a phone's JPKI token.

use crate::error::{Error, Result};

/// What is answering as the JPKI application, from the label in EF `0006`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenType {
    /// `JPKIAPICCTOKEN2`: a physical My Number Card.
    PhysicalCard,
    /// `JPKIAPGPSETOKEN`: スマホ用電子証明書 in an Android phone's secure element.
    AndroidPhone,
    /// `JPKIAPIOSTOKEN`: スマホ用電子証明書 on an iPhone.
    Iphone,
    /// `JPKIAPICCTOKEN`: the older Basic Resident Registration card (住基カード).
    JukiCard,
    /// Any other label, kept as read (spaces and NULs trimmed).
    Other(String),
}

impl TokenType {
    /// The label on the card for this type.
    pub fn label(&self) -> &str {
        match self {
            TokenType::PhysicalCard => "JPKIAPICCTOKEN2",
            TokenType::AndroidPhone => "JPKIAPGPSETOKEN",
            TokenType::Iphone => "JPKIAPIOSTOKEN",
            TokenType::JukiCard => "JPKIAPICCTOKEN",
            TokenType::Other(label) => label,
        }
    }

    /// Classifies a label.
    pub fn from_label(label: &str) -> Self {
        match label {
            "JPKIAPICCTOKEN2" => TokenType::PhysicalCard,
            "JPKIAPGPSETOKEN" => TokenType::AndroidPhone,
            "JPKIAPIOSTOKEN" => TokenType::Iphone,
            "JPKIAPICCTOKEN" => TokenType::JukiCard,
            other => TokenType::Other(other.to_string()),
        }
    }

    /// A description for people.
    pub fn describe(&self) -> String {
        match self {
            TokenType::PhysicalCard => "My Number Card (マイナンバーカード)".into(),
            TokenType::AndroidPhone => "Android phone JPKI token (スマホ用電子証明書)".into(),
            TokenType::Iphone => "iPhone JPKI token (スマホ用電子証明書)".into(),
            TokenType::JukiCard => "Basic Resident Registration card (住基カード)".into(),
            TokenType::Other(label) => format!("unknown JPKI token {label:?}"),
        }
    }
}

/// The parts of the 160-byte `CK_TOKEN_INFO` a client has a use for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    /// The token type, from the 32-byte label.
    pub token_type: TokenType,
    /// `manufacturerID`, trimmed (empty when the file holds only the label).
    pub manufacturer: String,
    /// `model`, trimmed.
    pub model: String,
    /// `serialNumber`, trimmed.
    pub serial_number: String,
}

impl TokenInfo {
    /// Size of the full structure on the card.
    pub const LEN: usize = 160;

    /// Parses EF `0006`. The label (first 32 bytes) is required; the rest is read when the full
    /// 160 bytes are there.
    ///
    /// # Errors
    ///
    /// [`Error::MalformedResponse`] when the record is too short or its label is not text.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let operation = "READ BINARY of the token information file";
        if bytes.len() < 32 {
            return Err(Error::malformed(
                operation,
                format!("the label needs 32 bytes, got {}", bytes.len()),
            ));
        }
        let text = |range: std::ops::Range<usize>| -> Result<String> {
            let field = &bytes[range];
            let s = std::str::from_utf8(field)
                .map_err(|_| Error::malformed(operation, "a text field is not ASCII"))?;
            Ok(s.trim_end_matches([' ', '\0']).to_string())
        };
        let label = text(0..32)?;
        let full = bytes.len() >= Self::LEN;
        Ok(Self {
            token_type: TokenType::from_label(&label),
            manufacturer: if full { text(32..64)? } else { String::new() },
            model: if full { text(64..80)? } else { String::new() },
            serial_number: if full { text(80..96)? } else { String::new() },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> Vec<u8> {
        let mut v = s.as_bytes().to_vec();
        v.resize(32, b' ');
        v
    }

    #[test]
    fn tells_the_tokens_apart() {
        for (l, t) in [
            ("JPKIAPICCTOKEN2", TokenType::PhysicalCard),
            ("JPKIAPGPSETOKEN", TokenType::AndroidPhone),
            ("JPKIAPIOSTOKEN", TokenType::Iphone),
            ("JPKIAPICCTOKEN", TokenType::JukiCard),
        ] {
            assert_eq!(TokenInfo::parse(&label(l)).unwrap().token_type, t);
            assert_eq!(t.label(), l);
        }
        // myna's dummy card pads with NULs; accept that too.
        let mut nul = b"JPKIAPICCTOKEN2".to_vec();
        nul.resize(32, 0);
        assert_eq!(
            TokenInfo::parse(&nul).unwrap().token_type,
            TokenType::PhysicalCard
        );
        assert_eq!(
            TokenInfo::parse(&label("SOMETHING")).unwrap().token_type,
            TokenType::Other("SOMETHING".into())
        );
    }

    #[test]
    fn short_or_binary_files_are_errors() {
        assert!(TokenInfo::parse(&[b'J'; 31]).is_err());
        assert!(TokenInfo::parse(&[0xFF; 32]).is_err());
    }
}
