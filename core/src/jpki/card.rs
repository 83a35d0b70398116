//! The JPKI application's commands, one method each: SELECT, READ BINARY of a whole file, the
//! retry query, a guarded VERIFY and COMPUTE DIGITAL SIGNATURE. Flows compose them
//! (`flows.rs`).

use der::{Decode, Reader};
use zeroize::Zeroizing;

use super::addressing::{query_understood, short_ef_id, EfAddressing, Support};
use super::{ef, ins, JPKI_AID};
use crate::apdu::{Command, StatusWord, MAX_SHORT_NE};
use crate::channel::{ApduStats, Channel};
use crate::error::{Error, Result};
use crate::pin::{LastAttempt, Pin, PinKind, PinStatus};
use crate::transport::{LinkCapabilities, Transport};

/// Largest file offset READ BINARY can address (15 bits).
const MAX_OFFSET: usize = 0x7FFF;

/// The four certificates on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateKind {
    /// 利用者証明用電子証明書 (EF `000A`).
    Authentication,
    /// Its CA (EF `000B`).
    AuthenticationCa,
    /// 署名用電子証明書 (EF `0001`), readable only after the signing password.
    Signing,
    /// Its CA (EF `0002`).
    SigningCa,
}

impl CertificateKind {
    /// The EF holding it.
    pub fn ef(self) -> u16 {
        match self {
            CertificateKind::Authentication => ef::AUTH_CERT,
            CertificateKind::AuthenticationCa => ef::AUTH_CA_CERT,
            CertificateKind::Signing => ef::SIGN_CERT,
            CertificateKind::SigningCa => ef::SIGN_CA_CERT,
        }
    }

    /// The PIN family it belongs to: a read refused with `6982` needs this PIN.
    pub fn pin(self) -> PinKind {
        match self {
            CertificateKind::Authentication | CertificateKind::AuthenticationCa => {
                PinKind::Authentication
            }
            CertificateKind::Signing | CertificateKind::SigningCa => PinKind::Signing,
        }
    }
}

/// How much of a file to read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FileShape {
    /// A DER object whose header gives the length; anything after it (padding) is ignored.
    Der,
    /// A fixed-size record of at most this many bytes.
    Fixed(usize),
}

/// A JPKI card (or phone token) reached through a [`Transport`].
///
/// Every flow starts by selecting the application, so a card that was re-tapped, reset or
/// used by another app in between is handled without special cases.
///
/// Files, PINs and keys are named by short EF id while the card accepts that form (one SELECT
/// fewer each); what the card accepted is remembered for the life of this value, so keep one
/// per card and session. See [`EfAddressing`].
pub struct JpkiCard<T> {
    pub(crate) channel: Channel<T>,
    pub(crate) addressing: EfAddressing,
}

impl<T: Transport> JpkiCard<T> {
    /// Wraps a transport. Short EF ids are tried first, with a fallback.
    pub fn new(transport: T) -> Self {
        Self {
            channel: Channel::new(transport),
            addressing: EfAddressing::SHORTEST,
        }
    }

    /// Sets how files are addressed: [`EfAddressing::SELECT_ONLY`] sends the SELECT forms
    /// every public implementation uses, for a card known to refuse the short forms.
    pub fn with_addressing(mut self, addressing: EfAddressing) -> Self {
        self.addressing = addressing;
        self
    }

    /// What the session has learnt about the card's short-EF-id support.
    pub fn addressing(&self) -> EfAddressing {
        self.addressing
    }

    /// APDUs and bytes exchanged so far.
    pub fn stats(&self) -> ApduStats {
        self.channel.stats()
    }

    /// What the link carries.
    pub fn capabilities(&self) -> LinkCapabilities {
        self.channel.capabilities()
    }

    /// Borrows the transport (for example, the virtual card behind it).
    pub fn transport_mut(&mut self) -> &mut T {
        self.channel.transport_mut()
    }

    /// The transport back.
    pub fn into_transport(self) -> T {
        self.channel.into_transport()
    }

    /// SELECT the JPKI application by name.
    pub(crate) async fn select_application(&mut self) -> Result<()> {
        let command = Command::new(0x00, ins::SELECT, 0x04, 0x0C).with_data(JPKI_AID.to_vec());
        let response = self
            .channel
            .exchange(&command, "SELECT of the JPKI application")
            .await?;
        match response.sw() {
            StatusWord::SUCCESS => Ok(()),
            StatusWord::FILE_NOT_FOUND => Err(Error::NotJpkiCard),
            sw => Err(Error::CardStatus {
                sw,
                operation: "SELECT of the JPKI application",
            }),
        }
    }

    /// SELECT an EF of the current application. Returns the status word so callers can give
    /// `6A82` its meaning in context.
    pub(crate) async fn select_ef(
        &mut self,
        fid: u16,
        operation: &'static str,
    ) -> Result<StatusWord> {
        let command =
            Command::new(0x00, ins::SELECT, 0x02, 0x0C).with_data(fid.to_be_bytes().to_vec());
        let response = self.channel.exchange(&command, operation).await?;
        Ok(response.sw())
    }

    /// SELECT an EF that must exist.
    pub(crate) async fn select_ef_ok(&mut self, fid: u16, operation: &'static str) -> Result<()> {
        match self.select_ef(fid, operation).await? {
            StatusWord::SUCCESS => Ok(()),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }

    /// SELECT an EF; `Ok(false)` when the card says it does not exist (`6A82`).
    async fn select_file(&mut self, file: FileRef) -> Result<bool> {
        match self.select_ef(file.fid, file.select).await? {
            StatusWord::SUCCESS => Ok(true),
            StatusWord::FILE_NOT_FOUND => Ok(false),
            sw => Err(Error::CardStatus {
                sw,
                operation: file.select,
            }),
        }
    }

    /// Reads a whole EF in as few READ BINARY commands as the link and the card allow:
    /// - by short EF id, no SELECT, while the card accepts that form (see `addressing`);
    /// - with extended length the whole file in one response; otherwise 256-byte chunks, the
    ///   first of which carries the DER header (no separate header read).
    ///
    /// `Ok(None)` when the file does not exist. A `6982` answer becomes
    /// [`Error::PinRequired`] for `pin`.
    pub(crate) async fn read_file(
        &mut self,
        file: FileRef,
        shape: FileShape,
        pin: PinKind,
    ) -> Result<Option<Vec<u8>>> {
        let operation = file.read;
        let mut first = None;
        if self.addressing.reads.try_short() {
            let from = ReadFrom::ShortEfId(short_ef_id(file.fid));
            match self.read_first(from, shape, pin, operation).await {
                Ok(read) => {
                    self.addressing.record(|a| &mut a.reads, true);
                    first = Some(read);
                }
                Err(Error::CardStatus { .. }) => self.addressing.record(|a| &mut a.reads, false),
                Err(other) => return Err(other),
            }
        }
        let mut selected = false;
        let (data, first_ne) = match first {
            Some(read) => read,
            None => {
                if !self.select_file(file).await? {
                    return Ok(None);
                }
                selected = true;
                self.read_first(ReadFrom::CurrentEf, shape, pin, operation)
                    .await?
            }
        };
        let mut data = Zeroizing::new(data);
        let total = match shape {
            // A short answer means the record is shorter than the caller allowed for.
            FileShape::Fixed(len) if data.len() < first_ne => data.len().min(len),
            FileShape::Fixed(len) => len,
            FileShape::Der => der_total_length(&data, operation)?,
        };
        if data.len() > total {
            data.truncate(total);
        } else if data.len() < total && data.len() < first_ne {
            return Err(Error::malformed(
                operation,
                format!("the file ended after {} of {total} bytes", data.len()),
            ));
        }
        // The rest is read by offset from the current EF. Whether a short-EF-id READ makes
        // its file current is not documented for this card, so it is selected explicitly:
        // reading another file's bytes by mistake must be impossible.
        if data.len() < total && !selected && !self.select_file(file).await? {
            return Err(Error::CardStatus {
                sw: StatusWord::FILE_NOT_FOUND,
                operation: file.select,
            });
        }
        let chunk = self.channel.capabilities().max_response_data();
        while data.len() < total {
            let offset = data.len();
            if offset > MAX_OFFSET {
                return Err(Error::malformed(
                    operation,
                    "file longer than READ BINARY can address",
                ));
            }
            let ne = chunk.min(total - offset);
            let part = self
                .read_binary(ReadFrom::CurrentEf, offset, ne, pin, operation)
                .await?;
            // Only the end of a file may answer short, and we never read past the end.
            if part.len() < ne {
                return Err(Error::malformed(
                    operation,
                    format!(
                        "the file ended after {} of {total} bytes",
                        offset + part.len()
                    ),
                ));
            }
            if part.len() > ne {
                return Err(Error::malformed(
                    operation,
                    format!("asked for {ne} bytes, got {}", part.len()),
                ));
            }
            data.extend_from_slice(&part);
        }
        Ok(Some(std::mem::take(&mut *data)))
    }

    /// The first READ BINARY of a file, from offset 0, as large as the link allows. Returns
    /// the bytes and how many were asked for.
    async fn read_first(
        &mut self,
        from: ReadFrom,
        shape: FileShape,
        pin: PinKind,
        operation: &'static str,
    ) -> Result<(Vec<u8>, usize)> {
        let chunk = self.channel.capabilities().max_response_data();
        let ne = match shape {
            FileShape::Der => chunk,
            FileShape::Fixed(len) => len.min(chunk),
        };
        match self.read_binary(from, 0, ne, pin, operation).await {
            // A reader that claims extended length but does not carry it: READ BINARY is safe
            // to repeat, so fall back to 256-byte reads for the rest of the session.
            Err(Error::CardStatus {
                sw: StatusWord::WRONG_LENGTH,
                ..
            }) if ne > MAX_SHORT_NE => {
                self.channel.use_short_apdus();
                let ne = ne.min(MAX_SHORT_NE);
                Ok((self.read_binary(from, 0, ne, pin, operation).await?, ne))
            }
            other => Ok((other?, ne)),
        }
    }

    async fn read_binary(
        &mut self,
        from: ReadFrom,
        offset: usize,
        ne: usize,
        pin: PinKind,
        operation: &'static str,
    ) -> Result<Vec<u8>> {
        let (p1, p2) = match from {
            // SFI addressing reaches offsets 0–255 only; it is used for offset 0.
            ReadFrom::ShortEfId(sfi) => (sfi, offset as u8),
            ReadFrom::CurrentEf => ((offset >> 8) as u8 & 0x7F, offset as u8),
        };
        let command = Command::new(0x00, ins::READ_BINARY, p1, p2).with_ne(ne);
        let mut response = self.channel.exchange(&command, operation).await?;
        match response.sw() {
            StatusWord::SUCCESS => Ok(response.take_data()),
            StatusWord::SECURITY_STATUS_NOT_SATISFIED => Err(Error::PinRequired { pin }),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }

    /// Reads a PIN's counter with the retry query (case-1 VERIFY, which spends no attempt),
    /// by short EF id when the card accepts it, else after selecting the PIN's EF. Returns the
    /// form that worked, which is the form the VERIFY must use.
    pub(crate) async fn query_pin(
        &mut self,
        kind: PinKind,
        allow_short: bool,
    ) -> Result<(PinStatus, PinForm)> {
        let operation = "retry counter query";
        if allow_short && self.addressing.pins.try_short() {
            let p2 = short_ef_id(kind.pin_ef());
            let command = Command::new(0x00, ins::VERIFY, 0x00, p2);
            let sw = self.channel.exchange(&command, operation).await?.sw();
            if query_understood(sw) {
                self.addressing.record(|a| &mut a.pins, true);
                return Ok((retry_status(kind, sw)?, PinForm::ShortEfId(p2)));
            }
            self.addressing.record(|a| &mut a.pins, false);
        }
        let select = match kind {
            PinKind::Authentication => "SELECT of the authentication PIN",
            PinKind::Signing => "SELECT of the signing password",
        };
        match self.select_ef(kind.pin_ef(), select).await? {
            StatusWord::SUCCESS => {}
            StatusWord::FILE_NOT_FOUND if kind == PinKind::Signing => {
                return Err(Error::NoSigningCertificate)
            }
            sw => {
                return Err(Error::CardStatus {
                    sw,
                    operation: select,
                })
            }
        }
        let command = Command::new(0x00, ins::VERIFY, 0x00, 0x80);
        let sw = self.channel.exchange(&command, operation).await?.sw();
        Ok((retry_status(kind, sw)?, PinForm::CurrentEf))
    }

    /// Checks the counter, then sends exactly one VERIFY, or none:
    /// - blocked: no VERIFY, [`Error::PinBlocked`];
    /// - one attempt left and not confirmed: no VERIFY, [`Error::LastAttemptNotConfirmed`];
    /// - link lost during VERIFY: [`Error::PinCheckInterrupted`], never re-sent.
    ///
    /// The VERIFY takes the form the retry query proved. `allow_short = false` keeps the PIN's
    /// EF current afterwards (CHANGE REFERENCE DATA needs it).
    pub(crate) async fn verify_pin<P: Pin>(
        &mut self,
        pin: &P,
        last_attempt: LastAttempt,
        allow_short: bool,
    ) -> Result<()> {
        let kind = P::KIND;
        let (status, form) = self.query_pin(kind, allow_short).await?;
        if status.is_blocked() {
            return Err(Error::PinBlocked {
                pin: kind,
                by_this_attempt: false,
            });
        }
        if status.is_last_attempt() && last_attempt != LastAttempt::Confirmed {
            return Err(Error::LastAttemptNotConfirmed { pin: kind });
        }
        let command =
            Command::new(0x00, ins::VERIFY, 0x00, form.p2()).with_data(pin.bytes().to_vec());
        let response = match self.channel.exchange(&command, "VERIFY").await {
            Ok(response) => response,
            Err(Error::Transport(cause)) => {
                return Err(Error::PinCheckInterrupted { pin: kind, cause })
            }
            Err(other) => return Err(other),
        };
        drop(command);
        let sw = response.sw();
        match sw {
            StatusWord::SUCCESS => Ok(()),
            _ if sw.retries_left() == Some(0) => Err(Error::PinBlocked {
                pin: kind,
                by_this_attempt: true,
            }),
            _ if sw.retries_left().is_some() => Err(Error::WrongPin {
                pin: kind,
                attempts_left: sw.retries_left().unwrap_or_default(),
            }),
            StatusWord::REFERENCE_DATA_BLOCKED | StatusWord::AUTHENTICATION_METHOD_BLOCKED => {
                Err(Error::PinBlocked {
                    pin: kind,
                    by_this_attempt: false,
                })
            }
            sw => {
                // The card understood the short query but not the short VERIFY. The entry is
                // not re-sent; the next one goes in the SELECT form.
                if matches!(form, PinForm::ShortEfId(_)) {
                    self.addressing.pins = Support::Refused;
                }
                Err(Error::CardStatus {
                    sw,
                    operation: "VERIFY",
                })
            }
        }
    }

    /// COMPUTE DIGITAL SIGNATURE with the key of `kind`: the card pads `digest_info` (PKCS#1
    /// v1.5 type 1) and applies the key. By short EF id while the card accepts it; a refused
    /// short form is repeated after SELECT, which is safe because signing spends no attempt.
    pub(crate) async fn sign_with_key(
        &mut self,
        kind: PinKind,
        digest_info: Vec<u8>,
    ) -> Result<Vec<u8>> {
        let (key_ef, select) = match kind {
            PinKind::Authentication => (ef::AUTH_KEY, "SELECT of the authentication key"),
            PinKind::Signing => (ef::SIGN_KEY, "SELECT of the signature key"),
        };
        if self.addressing.keys.try_short() {
            let p2 = short_ef_id(key_ef);
            match self.compute_signature(kind, digest_info.clone(), p2).await {
                Ok(signature) => {
                    self.addressing.record(|a| &mut a.keys, true);
                    return Ok(signature);
                }
                Err(Error::CardStatus { .. }) => self.addressing.record(|a| &mut a.keys, false),
                Err(other) => return Err(other),
            }
        }
        self.select_ef_ok(key_ef, select).await?;
        self.compute_signature(kind, digest_info, 0x80).await
    }

    async fn compute_signature(
        &mut self,
        kind: PinKind,
        digest_info: Vec<u8>,
        p2: u8,
    ) -> Result<Vec<u8>> {
        let operation = "COMPUTE DIGITAL SIGNATURE";
        let command = Command::new(0x80, ins::COMPUTE_DIGITAL_SIGNATURE, 0x00, p2)
            .with_data(digest_info)
            .with_ne(256);
        let mut response = self.channel.exchange(&command, operation).await?;
        match response.sw() {
            StatusWord::SUCCESS if response.data().is_empty() => {
                Err(Error::malformed(operation, "no signature in the response"))
            }
            StatusWord::SUCCESS => Ok(response.take_data()),
            StatusWord::SECURITY_STATUS_NOT_SATISFIED => Err(Error::PinRequired { pin: kind }),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }
}

/// Where a READ BINARY reads from.
#[derive(Debug, Clone, Copy)]
enum ReadFrom {
    /// The file named by this short EF id (`80|SFI`), offsets 0–255.
    ShortEfId(u8),
    /// The current EF, 15-bit offsets.
    CurrentEf,
}

/// How a VERIFY names its PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PinForm {
    /// `P2 = 80|SFI`.
    ShortEfId(u8),
    /// `P2 = 80`, the PIN's EF selected.
    CurrentEf,
}

impl PinForm {
    fn p2(self) -> u8 {
        match self {
            PinForm::ShortEfId(p2) => p2,
            PinForm::CurrentEf => 0x80,
        }
    }
}

/// An EF with the names its SELECT and READ BINARY carry in errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileRef {
    pub fid: u16,
    pub select: &'static str,
    pub read: &'static str,
}

/// What the answer to a retry query says. JPKI answers `63Cx` even after a successful VERIFY.
/// An ISO-style `9000` ("already verified") or `6300` ("no counter") has not been seen; it is
/// read as a full counter.
fn retry_status(kind: PinKind, sw: StatusWord) -> Result<PinStatus> {
    let attempts_left = match sw {
        _ if sw.retries_left().is_some() => sw.retries_left().unwrap_or_default(),
        StatusWord::SUCCESS | StatusWord(0x6300) => kind.max_attempts(),
        StatusWord::REFERENCE_DATA_BLOCKED | StatusWord::AUTHENTICATION_METHOD_BLOCKED => 0,
        StatusWord::FILE_NOT_FOUND | StatusWord::REFERENCED_DATA_NOT_FOUND
            if kind == PinKind::Signing =>
        {
            return Err(Error::NoSigningCertificate)
        }
        sw => {
            return Err(Error::CardStatus {
                sw,
                operation: "retry counter query",
            })
        }
    };
    Ok(PinStatus {
        kind,
        attempts_left,
    })
}

/// The full length of the DER object whose start is `data`.
fn der_total_length(data: &[u8], operation: &'static str) -> Result<usize> {
    let mut reader = der::SliceReader::new(data)
        .map_err(|e| Error::malformed(operation, format!("unreadable length ({e})")))?;
    let header = der::Header::decode(&mut reader).map_err(|e| {
        Error::malformed(
            operation,
            format!("the file does not start with a DER header ({e})"),
        )
    })?;
    if header.tag != der::Tag::Sequence {
        return Err(Error::malformed(
            operation,
            "the file is not a DER certificate",
        ));
    }
    let header_len: usize = reader.position().try_into().unwrap_or(usize::MAX);
    let body: usize = header.length.try_into().unwrap_or(usize::MAX);
    let total = header_len.saturating_add(body);
    if total > MAX_OFFSET + 1 {
        return Err(Error::malformed(
            operation,
            format!("a {total}-byte certificate cannot be on the card"),
        ));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(
            der_total_length(&[0x30, 0x82, 0x06, 0x2B], "t").unwrap(),
            1583
        );
        assert_eq!(der_total_length(&[0x30, 0x03, 1, 2, 3], "t").unwrap(), 5);
        // Wrong tag, truncated header, oversize, non-minimal length.
        assert!(der_total_length(&[0x04, 0x03, 1, 2, 3], "t").is_err());
        assert!(der_total_length(&[0x30, 0x82, 0x06], "t").is_err());
        assert!(der_total_length(&[0x30, 0x83, 0x7F, 0xFF, 0xFF], "t").is_err());
        assert!(der_total_length(&[0x30, 0x82, 0x00, 0x05], "t").is_err());
        assert!(der_total_length(&[], "t").is_err());
    }
}
