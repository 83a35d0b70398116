//! RFC 3161 timestamps in the CLI: the TSA client from `--timestamp URL --tsa-root FILE`,
//! CAdES-T for `sign --cms --timestamp`, and the token check `verify` makes on a CAdES-T file.

use std::path::{Path, PathBuf};

use kazashi::Error;
use kazashi_certificate::instant::rfc3339_utc;
use kazashi_documents::timestamp::{
    signature_timestamp_token, timestamp_signed_data, verify_timestamp_token, TimestampClient,
    TimestampError, TimestampToken,
};
use serde_json::{json, Value};

use crate::commands::Outcome;
use crate::failure::Failure;
use crate::verify::{der_or_pem, read};

/// The TSA client for `--timestamp URL` and its `--tsa-root` files (DER or PEM).
///
/// # Errors
///
/// [`Error::InvalidInput`] when a root file cannot be read.
pub fn client(url: Option<&String>, roots: &[PathBuf]) -> Result<Option<TimestampClient>, Error> {
    let Some(url) = url else {
        return Ok(None);
    };
    let mut ders = Vec::new();
    for path in roots {
        ders.push(der_or_pem(read(path)?));
    }
    Ok(Some(TimestampClient::new(url.clone(), ders)))
}

/// The token as `--json` shows it.
pub fn token_json(token: &TimestampToken) -> Value {
    json!({
        "gen_time": rfc3339_utc(token.gen_time),
        "tsa": token.tsa_name,
        "serial": hex::encode(&token.serial),
        "policy": token.policy,
    })
}

/// The error a failed TSA step gives after the card signed: the B-B file is on disk.
pub fn kept_error(out: &Path, level: &str, url: &str, e: &TimestampError) -> Error {
    Error::InvalidInput {
        reason: format!(
            "the document was signed and written to {} as {level} (the card tap is kept), but the timestamp from {url} failed ({}): {e}",
            out.display(),
            e.kind()
        ),
    }
}

/// `sign --cms --timestamp`: the CAdES-BES file `sign_cms` wrote to `out` becomes CAdES-T.
///
/// # Errors
///
/// [`Error::InvalidInput`] when the file cannot be rewritten or the TSA step failed (the
/// CAdES-BES file stays in place).
pub fn stamp_cms_file(
    out: &Path,
    tsa: &TimestampClient,
    mut outcome: Outcome,
) -> Result<Outcome, Error> {
    let der = read(out)?;
    let stamped = timestamp_signed_data(der, tsa);
    let token = match stamped.timestamp {
        Ok(token) => token,
        Err(e) => return Err(kept_error(out, "CAdES-BES", tsa.url(), &e)),
    };
    std::fs::write(out, &stamped.document).map_err(|e| Error::InvalidInput {
        reason: format!("cannot write {}: {e}", out.display()),
    })?;
    outcome.lines.insert(
        1,
        format!(
            "CAdES-T: timestamp {} by {} (signatureTimeStampToken)",
            rfc3339_utc(token.gen_time),
            token.tsa_name
        ),
    );
    if let Value::Object(map) = &mut outcome.json {
        map.insert("level".into(), json!("CAdES-T"));
        map.insert("timestamp".into(), token_json(&token));
        map.insert("bytes".into(), json!(stamped.document.len()));
    }
    Ok(outcome)
}

/// `verify FILE.p7s`: when the file carries a signatureTimeStampToken, it is checked against
/// the `--trust-root` files (the TSA's root among them) and reported; a token that does not
/// check out rejects the file.
///
/// # Errors
///
/// [`Failure::Rejected`] naming the timestamp's problem.
pub fn check_cms(
    file: &Path,
    tsa_roots: &[PathBuf],
    mut outcome: Outcome,
) -> Result<Outcome, Failure> {
    let der = der_or_pem(read(file)?);
    let Ok(Some(found)) = signature_timestamp_token(&der) else {
        return Ok(outcome);
    };
    let mut roots = Vec::new();
    for path in tsa_roots {
        roots.push(der_or_pem(read(path)?));
    }
    let token = verify_timestamp_token(&found.token, &found.signature_value, &roots)
        .map_err(|e| rejected(&e))?;
    outcome.lines.insert(
        1,
        format!(
            "timestamp (CAdES-T): {} by {}",
            rfc3339_utc(token.gen_time),
            token.tsa_name
        ),
    );
    if let Value::Object(map) = &mut outcome.json {
        map.insert("timestamp".into(), token_json(&token));
    }
    Ok(outcome)
}

/// A timestamp that is not accepted, as a rejection the CLI reports (`--json` kind
/// `malformed` with the timestamp's own kind in the message).
pub fn rejected(e: &TimestampError) -> Failure {
    Failure::Rejected(kazashi_verify::TrustError::Malformed {
        reason: format!("timestamp ({}): {e}", e.kind()),
    })
}
