//! The HTTP side of RFC 3161: build a `TimeStampReq` (SHA-256 imprint, random nonce, certReq),
//! POST it as `application/timestamp-query` (RFC 3161 §3.4), and hand the answer to the token
//! checks. Blocking on purpose: it runs after the card signed, outside any card session.

use std::time::Duration;

use der::asn1::{Int, OctetString};
use der::{Any, Encode};
use kazashi_certificate::DigestAlgorithm;
use rand_core::{OsRng, RngCore};
use x509_cert::spki::AlgorithmIdentifier;
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

use super::token::check_response;
use super::{TimestampError, TimestampToken};

/// The largest TSA answer read (tokens are a few kilobytes).
const MAX_RESPONSE_BYTES: u64 = 1 << 20;
/// How long a TSA may take by default.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A timestamp authority, and the roots its certificates must chain to.
#[derive(Debug, Clone)]
pub struct TimestampClient {
    url: String,
    trust_roots: Vec<Vec<u8>>,
    timeout: Duration,
}

impl TimestampClient {
    /// A client for the TSA at `url` (`http://…`; `https://…` when the program links ureq's
    /// rustls feature, as the CLI does), accepting tokens whose TSA certificate chains to one
    /// of `trust_roots` (DER certificates). There is no default trust: a TSA is trusted only
    /// because the caller says so.
    pub fn new(url: impl Into<String>, trust_roots: Vec<Vec<u8>>) -> Self {
        Self {
            url: url.into(),
            trust_roots,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The whole exchange's time limit (30 s by default).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The TSA's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The TSA roots (DER), for verifying the tokens later.
    pub fn trust_roots(&self) -> &[Vec<u8>] {
        &self.trust_roots
    }

    /// A token over a signature value (CAdES-T, PAdES B-T: the SignerInfo's `signature`
    /// octets). Same as [`TimestampClient::timestamp_data`].
    ///
    /// # Errors
    ///
    /// See [`TimestampClient::timestamp_data`].
    pub fn timestamp_signature(
        &self,
        signature_value: &[u8],
    ) -> Result<TimestampToken, TimestampError> {
        self.timestamp_data(signature_value)
    }

    /// A token over the SHA-256 hash of `data` (XAdES-T: the canonicalised
    /// `ds:SignatureValue`), checked before it is returned: status, nonce, imprint, the token's
    /// signature and the TSA's chain to the roots, its timeStamping EKU.
    ///
    /// # Errors
    ///
    /// [`TimestampError::Transport`], [`TimestampError::Rejected`],
    /// [`TimestampError::WrongNonce`], [`TimestampError::WrongImprint`],
    /// [`TimestampError::UntrustedTsa`], [`TimestampError::Malformed`].
    pub fn timestamp_data(&self, data: &[u8]) -> Result<TimestampToken, TimestampError> {
        let imprint = DigestAlgorithm::Sha256.digest(data);
        let nonce = random_nonce()?;
        let request = request(&imprint, &nonce)?;
        let response = self.post(&request)?;
        check_response(&response, &imprint, &nonce, &self.trust_roots)
    }

    fn post(&self, body: &[u8]) -> Result<Vec<u8>, TimestampError> {
        let transport = |e: ureq::Error| TimestampError::Transport {
            reason: format!("{}: {e}", self.url),
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .post(&self.url)
            .header("Content-Type", "application/timestamp-query")
            .send(body)
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(TimestampError::Transport {
                reason: format!("{} answered HTTP {status}", self.url),
            });
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        // RFC 3161 §3.4 names application/timestamp-reply; some TSAs still send the draft's
        // application/timestamp-response.
        if !content_type.starts_with("application/timestamp-reply")
            && !content_type.starts_with("application/timestamp-response")
        {
            return Err(TimestampError::Transport {
                reason: format!(
                    "{} answered with content type {content_type:?}, not application/timestamp-reply",
                    self.url
                ),
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .map_err(transport)
    }
}

/// A positive 64-bit nonce, minimally encoded (its first byte non-zero, top bit clear).
fn random_nonce() -> Result<Int, TimestampError> {
    let mut bytes = [0u8; 8];
    OsRng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    Int::new(&bytes).map_err(TimestampError::malformed)
}

/// The DER `TimeStampReq`: version 1, SHA-256 imprint, the nonce, certReq (so the token
/// carries the TSA certificate the chain check starts from).
fn request(imprint: &[u8], nonce: &Int) -> Result<Vec<u8>, TimestampError> {
    TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifier::<Any> {
                oid: DigestAlgorithm::Sha256.oid(),
                parameters: None,
            },
            hashed_message: OctetString::new(imprint).map_err(TimestampError::malformed)?,
        },
        req_policy: None,
        nonce: Some(nonce.clone()),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .map_err(TimestampError::malformed)
}
