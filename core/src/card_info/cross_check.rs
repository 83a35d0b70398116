//! The four attributes held against the signing certificate's SubjectAltName: both come from
//! the same resident record, so a difference means the card's data and its certificate
//! disagree (an address changed after the certificate was issued, or damage). The result names
//! each field's outcome, never its value.

use crate::certificate::PersonalAttributes;

use super::records::FourAttributes;

/// How one field compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldMatch {
    /// The same value in both.
    Equal,
    /// Different values.
    Different,
    /// The certificate does not carry this field.
    NotInCertificate,
}

/// Field by field: the card-info application's attributes against the certificate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrossCheck {
    /// 氏名.
    pub name: FieldMatch,
    /// 住所.
    pub address: FieldMatch,
    /// 生年月日: the certificate's `EYYYYMMDD` without its era digit against `YYYYMMDD`.
    pub birth_date: FieldMatch,
    /// 性別.
    pub sex: FieldMatch,
}

impl CrossCheck {
    /// Whether every field is present in both and equal.
    pub fn all_equal(&self) -> bool {
        [self.name, self.address, self.birth_date, self.sex]
            .iter()
            .all(|m| *m == FieldMatch::Equal)
    }
}

fn compare(card: &str, certificate: Option<&str>) -> FieldMatch {
    match certificate {
        None => FieldMatch::NotInCertificate,
        Some(value) if value == card => FieldMatch::Equal,
        Some(_) => FieldMatch::Different,
    }
}

/// Compares `attributes` (from [`super::CardInfoCard::read_attributes`]) with the signing
/// certificate's personal attributes.
pub fn cross_check(attributes: &FourAttributes, certificate: &PersonalAttributes) -> CrossCheck {
    // The certificate's birth date carries an era digit first (`docs/protocol.md` §6.3).
    let gregorian = certificate
        .birth_date
        .as_deref()
        .map(|b| b.get(1..).unwrap_or_default());
    CrossCheck {
        name: compare(&attributes.name, certificate.name.as_deref()),
        address: compare(&attributes.address, certificate.address.as_deref()),
        birth_date: compare(&attributes.birth_date, gregorian),
        sex: compare(&attributes.sex, certificate.sex.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes() -> FourAttributes {
        FourAttributes {
            name: "仮想\u{3000}花子".into(),
            address: "東京都".into(),
            birth_date: "19900401".into(),
            sex: "2".into(),
        }
    }

    #[test]
    fn fields_compare_one_by_one() {
        let certificate = PersonalAttributes {
            name: Some("仮想\u{3000}花子".into()),
            sex: Some("2".into()),
            birth_date: Some("419900401".into()),
            address: Some("大阪府".into()),
            ..Default::default()
        };
        let result = cross_check(&attributes(), &certificate);
        assert_eq!(result.name, FieldMatch::Equal);
        assert_eq!(result.birth_date, FieldMatch::Equal);
        assert_eq!(result.sex, FieldMatch::Equal);
        assert_eq!(result.address, FieldMatch::Different);
        assert!(!result.all_equal());
        let empty = cross_check(&attributes(), &PersonalAttributes::default());
        assert_eq!(empty.name, FieldMatch::NotInCertificate);
    }
}
