//! `kazashi sign FILE --pdf …` (a PAdES signature added by incremental update) and
//! `kazashi verify FILE.pdf` (every signature, its byte range, what followed it, the chain).

use std::path::{Path, PathBuf};

use clap::Args;
use kazashi::{unix_now, DigestAlgorithm, Error, JpkiCard, SignOptions, Transport};
use kazashi_certificate::instant::rfc3339_utc;
use kazashi_documents::pdf::{
    sign_pdf, sign_pdf_with_timestamp, verify_pdf_with_tsa_roots, DocMdp, PdfError, PdfSignOptions,
    PdfVerification, VisibleSignature,
};
use kazashi_documents::timestamp::{TimestampClient, TimestampError, Timestamped};
use kazashi_verify::TrustError;
use serde_json::json;

use crate::commands::{block, Outcome, PinOptions};
use crate::failure::Failure;
use crate::report::{certificate_json, certificate_lines, stats_json, stats_line};
use crate::verify::{der_or_pem, read, TrustChoice};

/// The `sign` options for PDFs.
#[derive(Debug, Clone, Args)]
pub struct PdfArgs {
    /// Sign a PDF: a PAdES signature (B-B) added by incremental update, written to --out.
    #[arg(long, conflicts_with = "cms")]
    pub pdf: bool,
    /// With --pdf: the signature's /Reason.
    #[arg(long, requires = "pdf")]
    pub reason: Option<String>,
    /// With --pdf: the signature's /Location.
    #[arg(long, requires = "pdf")]
    pub location: Option<String>,
    /// With --pdf: the signature's /ContactInfo.
    #[arg(long, requires = "pdf")]
    pub contact_info: Option<String>,
    /// With --pdf: a visible box on page PAGE at x,y (points from the lower left), of width W
    /// and height H, showing the signer's name and the date. Default: invisible.
    #[arg(long, requires = "pdf", value_name = "PAGE,X,Y,W,H", value_parser = parse_visible)]
    pub visible: Option<VisibleSignature>,
    /// With --pdf: certify the document (first signature only); later changes allowed: 1 none,
    /// 2 form filling and signatures (default), 3 also annotations.
    #[arg(long, requires = "pdf", value_name = "P", num_args = 0..=1, default_missing_value = "2",
          value_parser = clap::value_parser!(u8).range(1..=3))]
    pub certify: Option<u8>,
    /// With --pdf, --xml or --cms: after the card signed, ask this RFC 3161 timestamp authority
    /// for a token over the signature (PAdES B-T, XAdES-T, CAdES-T). If it fails, the B-B file
    /// is still written to --out.
    #[arg(long = "timestamp", value_name = "URL")]
    pub timestamp_url: Option<String>,
    /// With --timestamp: the TSA's root certificate (DER or PEM); repeatable. The token is
    /// accepted only if the TSA chains to one of them.
    #[arg(long = "tsa-root", requires = "timestamp_url", value_name = "FILE")]
    pub tsa_roots: Vec<PathBuf>,
}

fn parse_visible(text: &str) -> Result<VisibleSignature, String> {
    let numbers: Vec<f32> = text
        .split(',')
        .map(|n| n.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("expected PAGE,X,Y,W,H ({e})"))?;
    match numbers.as_slice() {
        [page, x, y, w, h] if *page >= 1.0 && page.fract() == 0.0 => Ok(VisibleSignature {
            page: *page as u32,
            rect: [*x, *y, *w, *h],
        }),
        _ => Err("expected PAGE,X,Y,W,H with a page number from 1".into()),
    }
}

/// Whether `path` starts with `%PDF-` (how `verify` recognises a PDF).
pub fn is_pdf(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 5];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"%PDF-"
}

fn card_error(e: PdfError) -> Error {
    match e {
        PdfError::Card(e) => e,
        other => Error::InvalidInput {
            reason: other.to_string(),
        },
    }
}

/// `kazashi sign FILE --pdf --out FILE`.
pub fn sign<T: Transport>(
    card: &mut JpkiCard<T>,
    file: &Path,
    out: &Path,
    algorithm: DigestAlgorithm,
    args: &PdfArgs,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    let document = std::fs::read(file).map_err(|e| Error::InvalidInput {
        reason: format!("cannot read {}: {e}", file.display()),
    })?;
    let password = pins.source.signing_password("Signing password")?;
    let mut options = PdfSignOptions::new(unix_now());
    options.algorithm = algorithm;
    options.reason = args.reason.clone();
    options.location = args.location.clone();
    options.contact_info = args.contact_info.clone();
    options.visible = args.visible;
    options.certify = args.certify.map(|p| match p {
        1 => DocMdp::NoChanges,
        3 => DocMdp::FormFillingAndAnnotations,
        _ => DocMdp::FormFilling,
    });
    let tsa = match &args.timestamp_url {
        Some(url) => {
            let mut roots = Vec::new();
            for path in &args.tsa_roots {
                roots.push(der_or_pem(read(path)?));
            }
            Some(TimestampClient::new(url.clone(), roots))
        }
        None => None,
    };
    let stamped = pins.with_last_attempt(|last| {
        let mut options = options.clone();
        options.sign = SignOptions {
            last_attempt: last,
            allow_legacy_sha1: false,
        };
        match &tsa {
            Some(tsa) => block(sign_pdf_with_timestamp(
                card, &document, &password, &options, tsa,
            )),
            None => {
                block(sign_pdf(card, &document, &password, &options)).map(|document| Timestamped {
                    document,
                    timestamp: Err(TimestampError::Transport {
                        reason: "no timestamp asked for".into(),
                    }),
                })
            }
        }
        .map_err(card_error)
    })?;
    let signed = &stamped.document;
    std::fs::write(out, &signed.pdf).map_err(|e| Error::InvalidInput {
        reason: format!("cannot write {}: {e}", out.display()),
    })?;
    if let (Some(url), Err(e)) = (&args.timestamp_url, &stamped.timestamp) {
        return Err(Error::InvalidInput {
            reason: format!(
                "the PDF was signed and written to {} as PAdES B-B (the card tap is kept), but the timestamp from {url} failed: {e}",
                out.display()
            ),
        });
    }
    let level = if stamped.timestamp.is_ok() {
        "PAdES-B-T"
    } else {
        "PAdES-B-B"
    };
    let mut lines = vec![
        format!(
            "signed {} into {} ({level}, {}, {}{})",
            file.display(),
            out.display(),
            algorithm.name(),
            if args.visible.is_some() {
                "visible"
            } else {
                "invisible"
            },
            match args.certify {
                Some(p) => format!(", certified P={p}"),
                None => String::new(),
            }
        ),
        format!(
            "incremental update: {} bytes added to {} (signature {} of {} reserved bytes)",
            signed.pdf.len() - document.len(),
            document.len(),
            signed.cms.len(),
            signed.contents_reserved
        ),
    ];
    if let Ok(token) = &stamped.timestamp {
        lines.push(format!(
            "timestamp: {} by {}",
            rfc3339_utc(token.gen_time),
            token.tsa_name
        ));
    }
    lines.extend(certificate_lines(&signed.signature.certificate, false));
    lines.push(stats_line(signed.stats));
    Ok(Outcome {
        json: json!({
            "file": file.display().to_string(),
            "pdf_file": out.display().to_string(),
            "level": level,
            "timestamp": stamped.timestamp.as_ref().ok().map(|t| json!({
                "gen_time": rfc3339_utc(t.gen_time),
                "tsa": t.tsa_name,
            })),
            "digest_algorithm": algorithm.name(),
            "byte_range": signed.byte_range,
            "bytes_added": signed.pdf.len() - document.len(),
            "cms_bytes": signed.cms.len(),
            "contents_reserved": signed.contents_reserved,
            "certificate": certificate_json(&signed.signature.certificate, false),
            "traffic": stats_json(signed.stats),
        }),
        lines,
    })
}

fn rejected(e: PdfError) -> Failure {
    match e {
        PdfError::Signature { index, source } => Failure::Rejected(prefix_signature(index, source)),
        PdfError::NotPdf { .. } => Failure::Card(Error::InvalidInput {
            reason: e.to_string(),
        }),
        other => Failure::Rejected(TrustError::Malformed {
            reason: format!("{} ({})", other, other.kind()),
        }),
    }
}

/// Keeps the CMS rejection's kind, naming which signature failed where the variant has room.
fn prefix_signature(index: usize, source: TrustError) -> TrustError {
    match source {
        TrustError::Malformed { reason } => TrustError::Malformed {
            reason: format!("signature {index}: {reason}"),
        },
        other => other,
    }
}

/// `kazashi verify FILE.pdf`. Timestamp tokens are checked against `--trust-root` files too
/// (a TSA root given there is never a J-LIS anchor: the chain checks refuse it for signers).
pub fn verify(file: &Path, trust: TrustChoice<'_>) -> Result<Outcome, Failure> {
    let pdf = read(file)?;
    let store = trust.store()?;
    let mut tsa_roots = Vec::new();
    for path in trust.roots {
        tsa_roots.push(der_or_pem(read(path)?));
    }
    let verified: PdfVerification =
        verify_pdf_with_tsa_roots(&pdf, unix_now(), &store, &tsa_roots).map_err(rejected)?;
    let mut lines = vec![format!(
        "PDF valid: {} signature(s), every byte range checked, the last covers the whole file",
        verified.signatures.len()
    )];
    let mut signatures = Vec::new();
    for (i, s) in verified.signatures.iter().enumerate() {
        let cert = &s.cms.chain.certificate;
        lines.push(format!(
            "signature {i} ({}): {} with {}, anchored by {}{}",
            s.field,
            s.sub_filter,
            s.cms.algorithm.name(),
            s.cms.chain.anchor,
            match s.certification {
                Some(p) => format!(", certifies the document (DocMDP P={p})"),
                None => String::new(),
            }
        ));
        if let Some(t) = &s.claimed_time {
            lines.push(format!("  claimed time /M: {t} (the signer's claim)"));
        }
        match &s.timestamp {
            None => lines.push("  timestamp: none (PAdES B-B)".into()),
            Some(Ok(token)) => lines.push(format!(
                "  timestamp: {} by {} (PAdES B-T)",
                rfc3339_utc(token.gen_time),
                token.tsa_name
            )),
            Some(Err(e)) => lines.push(format!("  timestamp: present, not accepted: {e}")),
        }
        for later in &s.later {
            lines.push(format!(
                "  then bytes {}..{}: {} ({} objects)",
                later.start,
                later.end,
                match later.signature {
                    Some(k) => format!("signature {k}'s revision"),
                    None => "changes no signature covers".into(),
                },
                later.objects.len()
            ));
        }
        lines.extend(
            certificate_lines(cert, false)
                .into_iter()
                .map(|l| format!("  {l}")),
        );
        signatures.push(json!({
            "field": s.field,
            "sub_filter": s.sub_filter,
            "byte_range": s.byte_range,
            "revision_end": s.revision_end,
            "covers_whole_file": s.covers_whole_file,
            "claimed_time": s.claimed_time,
            "reason": s.reason,
            "location": s.location,
            "certification": s.certification,
            "timestamp": match &s.timestamp {
                None => json!(null),
                Some(Ok(t)) => json!({"gen_time": rfc3339_utc(t.gen_time), "tsa": t.tsa_name, "trusted": true}),
                Some(Err(e)) => json!({"trusted": false, "error": e.kind(), "message": e.to_string()}),
            },
            "digest_algorithm": s.cms.algorithm.name(),
            "anchor": s.cms.chain.anchor,
            "signer": certificate_json(cert, false),
            "later_revisions": s.later.iter().map(|l| json!({
                "start": l.start,
                "end": l.end,
                "signature": l.signature,
                "objects": l.objects.iter().map(|o| json!({
                    "id": [o.id.0, o.id.1], "kind": o.kind, "added": o.added,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }));
    }
    lines.push(
        "revocation: not checked (J-LIS revocation data needs an authorised platform operator)"
            .into(),
    );
    Ok(Outcome {
        json: json!({
            "valid": true,
            "format": "pdf",
            "file_len": verified.file_len,
            "signatures": signatures,
            "revocation": "not-checked",
        }),
        lines,
    })
}
