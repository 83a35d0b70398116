//! CAdES-T: the token over a SignerInfo's signature value, kept as the unsigned attribute
//! `signatureTimeStampToken` (ETSI EN 319 122-1 §5.3, RFC 3161 appendix A). Unsigned, so adding
//! it leaves the card's signature and the signed attributes byte for byte as they were.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfo};
use der::asn1::SetOfVec;
use der::{Any, Decode, Encode};
use kazashi_certificate::DigestAlgorithm;
use kazashi_verify::cades::ID_SIGNED_DATA;
use x509_cert::attr::Attribute;

use super::token::{decode_token, ID_AA_SIGNATURE_TIME_STAMP_TOKEN};
use super::{TimestampClient, TimestampError, TimestampToken, Timestamped};

fn signed_data(signed_data_der: &[u8]) -> Result<SignedData, TimestampError> {
    let info = ContentInfo::from_der(signed_data_der).map_err(TimestampError::malformed)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(TimestampError::malformed("not a CMS SignedData"));
    }
    info.content.decode_as().map_err(TimestampError::malformed)
}

fn the_signer(signed: &SignedData) -> Result<SignerInfo, TimestampError> {
    let signers = signed.signer_infos.0.as_slice();
    match signers {
        [signer] => Ok(signer.clone()),
        _ => Err(TimestampError::malformed(format!(
            "a signature timestamp belongs to a file with one signer, this one has {}",
            signers.len()
        ))),
    }
}

/// Adds `token` as the `signatureTimeStampToken` unsigned attribute of the single SignerInfo
/// of a DER CMS `ContentInfo` (CAdES-BES → CAdES-T), after checking that the token's imprint is
/// the SHA-2 hash of that SignerInfo's signature value.
///
/// # Errors
///
/// [`TimestampError::WrongImprint`] when the token covers another signature,
/// [`TimestampError::Malformed`] when the file is not a single-signer SignedData or cannot be
/// re-encoded.
pub fn add_signature_timestamp(
    signed_data_der: &[u8],
    token: &TimestampToken,
) -> Result<Vec<u8>, TimestampError> {
    let mut signed = signed_data(signed_data_der)?;
    let mut signer = the_signer(&signed)?;
    let token_info = ContentInfo::from_der(&token.der).map_err(TimestampError::malformed)?;
    let (_, tst, _) = decode_token(&token_info)?;
    let algorithm = DigestAlgorithm::from_oid(&tst.message_imprint.hash_algorithm.oid)
        .ok_or(TimestampError::WrongImprint)?;
    if tst.message_imprint.hashed_message.as_bytes()
        != algorithm.digest(signer.signature.as_bytes()).as_slice()
    {
        return Err(TimestampError::WrongImprint);
    }
    let attribute = Attribute {
        oid: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
        values: SetOfVec::try_from(vec![
            Any::encode_from(&token_info).map_err(TimestampError::malformed)?
        ])
        .map_err(TimestampError::malformed)?,
    };
    let mut unsigned = signer
        .unsigned_attrs
        .take()
        .map(SetOfVec::into_vec)
        .unwrap_or_default();
    unsigned.retain(|a| a.oid != ID_AA_SIGNATURE_TIME_STAMP_TOKEN);
    unsigned.push(attribute);
    signer.unsigned_attrs = Some(SetOfVec::try_from(unsigned).map_err(TimestampError::malformed)?);
    signed.signer_infos.0 = SetOfVec::try_from(vec![signer]).map_err(TimestampError::malformed)?;
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(TimestampError::malformed)?,
    }
    .to_der()
    .map_err(TimestampError::malformed)
}

/// CAdES-BES → CAdES-T for a DER CMS file that exists already (signed earlier, or whose TSA
/// step failed): a token from `tsa` over its single SignerInfo's signature value, added as
/// [`add_signature_timestamp`] does. Never fails as a whole: on error the document is returned
/// unchanged and [`Timestamped::timestamp`] says why. Blocking (HTTP).
pub fn timestamp_signed_data(
    signed_data_der: Vec<u8>,
    tsa: &TimestampClient,
) -> Timestamped<Vec<u8>> {
    let stamped = signed_data(&signed_data_der)
        .and_then(|signed| the_signer(&signed))
        .and_then(|signer| tsa.timestamp_signature(signer.signature.as_bytes()))
        .and_then(|token| Ok((add_signature_timestamp(&signed_data_der, &token)?, token)));
    match stamped {
        Ok((document, token)) => Timestamped {
            document,
            timestamp: Ok(token),
        },
        Err(e) => Timestamped {
            document: signed_data_der,
            timestamp: Err(e),
        },
    }
}

/// A `signatureTimeStampToken` found in a signed file, and what it must cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedTimestamp {
    /// The token (DER ContentInfo).
    pub token: Vec<u8>,
    /// The SignerInfo's signature value, the data the token's imprint must hash.
    pub signature_value: Vec<u8>,
}

/// The `signatureTimeStampToken` of the single SignerInfo, with the signature value it must
/// cover (check both with [`super::verify_timestamp_token`]); `None` for a file without one
/// (CAdES-BES).
///
/// # Errors
///
/// [`TimestampError::Malformed`] when the file is not a single-signer SignedData or the
/// attribute has not exactly one value.
pub fn signature_timestamp_token(
    signed_data_der: &[u8],
) -> Result<Option<EmbeddedTimestamp>, TimestampError> {
    let signed = signed_data(signed_data_der)?;
    let signer = the_signer(&signed)?;
    let Some(attr) = signer.unsigned_attrs.as_ref().and_then(|attrs| {
        attrs
            .iter()
            .find(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
    }) else {
        return Ok(None);
    };
    match attr.values.as_slice() {
        [token] => Ok(Some(EmbeddedTimestamp {
            token: token.to_der().map_err(TimestampError::malformed)?,
            signature_value: signer.signature.as_bytes().to_vec(),
        })),
        _ => Err(TimestampError::malformed(
            "signatureTimeStampToken must have exactly one value",
        )),
    }
}
