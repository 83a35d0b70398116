//! The JPKI application's commands, one method each: SELECT, READ BINARY of a whole file, the
//! retry query, a guarded VERIFY and COMPUTE DIGITAL SIGNATURE. Flows compose them
//! (`flows.rs`).

use der::{Decode, Reader};
use zeroize::Zeroizing;

use super::{ef, ins, JPKI_AID};
use crate::apdu::{Command, StatusWord};
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
pub struct JpkiCard<T> {
    pub(crate) channel: Channel<T>,
}

impl<T: Transport> JpkiCard<T> {
    /// Wraps a transport.
    pub fn new(transport: T) -> Self {
        Self {
            channel: Channel::new(transport),
        }
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

    /// Reads the current EF in as few READ BINARY commands as the link allows: with extended
    /// length the whole file at once; otherwise 256-byte chunks, the first of which carries the
    /// DER header (no separate header read).
    ///
    /// A `6982` answer becomes [`Error::PinRequired`] for `pin`.
    pub(crate) async fn read_current_ef(
        &mut self,
        shape: FileShape,
        pin: PinKind,
        operation: &'static str,
    ) -> Result<Vec<u8>> {
        let mut chunk = self.channel.capabilities().max_response_data();
        let mut first_ne = match shape {
            FileShape::Der => chunk,
            FileShape::Fixed(len) => len.min(chunk),
        };
        let first = match self.read_binary(0, first_ne, pin, operation).await {
            // A reader that claims extended length but does not carry it: READ BINARY is safe
            // to repeat, so fall back to 256-byte reads for the rest of the session.
            Err(Error::CardStatus {
                sw: StatusWord::WRONG_LENGTH,
                ..
            }) if first_ne > 256 => {
                self.channel.use_short_apdus();
                chunk = self.channel.capabilities().max_response_data();
                first_ne = first_ne.min(chunk);
                self.read_binary(0, first_ne, pin, operation).await?
            }
            other => other?,
        };
        let mut data = Zeroizing::new(first);
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
        while data.len() < total {
            let offset = data.len();
            if offset > MAX_OFFSET {
                return Err(Error::malformed(
                    operation,
                    "file longer than READ BINARY can address",
                ));
            }
            let ne = chunk.min(total - offset);
            let part = self.read_binary(offset, ne, pin, operation).await?;
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
        Ok(std::mem::take(&mut *data))
    }

    async fn read_binary(
        &mut self,
        offset: usize,
        ne: usize,
        pin: PinKind,
        operation: &'static str,
    ) -> Result<Vec<u8>> {
        let command = Command::new(
            0x00,
            ins::READ_BINARY,
            (offset >> 8) as u8 & 0x7F,
            offset as u8,
        )
        .with_ne(ne);
        let mut response = self.channel.exchange(&command, operation).await?;
        match response.sw() {
            StatusWord::SUCCESS => Ok(response.take_data()),
            StatusWord::SECURITY_STATUS_NOT_SATISFIED => Err(Error::PinRequired { pin }),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }

    /// The retry query: VERIFY with no data and no Le (case 1), which spends no attempt. The PIN's
    /// EF must be selected.
    pub(crate) async fn query_retries(&mut self, kind: PinKind) -> Result<PinStatus> {
        let operation = "retry counter query";
        let command = Command::new(0x00, ins::VERIFY, 0x00, 0x80);
        let response = self.channel.exchange(&command, operation).await?;
        let sw = response.sw();
        let attempts_left = match sw {
            // JPKI answers 63Cx even after a successful VERIFY. An ISO-style 9000 ("already
            // verified") or 6300 ("no counter") has not been seen; read it as a full counter.
            _ if sw.retries_left().is_some() => sw.retries_left().unwrap_or_default(),
            StatusWord::SUCCESS | StatusWord(0x6300) => kind.max_attempts(),
            StatusWord::REFERENCE_DATA_BLOCKED | StatusWord::AUTHENTICATION_METHOD_BLOCKED => 0,
            StatusWord::FILE_NOT_FOUND | StatusWord::REFERENCED_DATA_NOT_FOUND
                if kind == PinKind::Signing =>
            {
                return Err(Error::NoSigningCertificate)
            }
            sw => return Err(Error::CardStatus { sw, operation }),
        };
        Ok(PinStatus {
            kind,
            attempts_left,
        })
    }

    /// Selects the PIN's EF and reads its counter.
    pub(crate) async fn select_pin_and_query(&mut self, kind: PinKind) -> Result<PinStatus> {
        let operation = match kind {
            PinKind::Authentication => "SELECT of the authentication PIN",
            PinKind::Signing => "SELECT of the signing password",
        };
        match self.select_ef(kind.pin_ef(), operation).await? {
            StatusWord::SUCCESS => self.query_retries(kind).await,
            StatusWord::FILE_NOT_FOUND if kind == PinKind::Signing => {
                Err(Error::NoSigningCertificate)
            }
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }

    /// Checks the counter, then sends exactly one VERIFY, or none:
    /// - blocked: no VERIFY, [`Error::PinBlocked`];
    /// - one attempt left and not confirmed: no VERIFY, [`Error::LastAttemptNotConfirmed`];
    /// - link lost during VERIFY: [`Error::PinCheckInterrupted`], never re-sent.
    pub(crate) async fn verify_pin<P: Pin>(
        &mut self,
        pin: &P,
        last_attempt: LastAttempt,
    ) -> Result<()> {
        let kind = P::KIND;
        let status = self.select_pin_and_query(kind).await?;
        if status.is_blocked() {
            return Err(Error::PinBlocked {
                pin: kind,
                by_this_attempt: false,
            });
        }
        if status.is_last_attempt() && last_attempt != LastAttempt::Confirmed {
            return Err(Error::LastAttemptNotConfirmed { pin: kind });
        }
        let command = Command::new(0x00, ins::VERIFY, 0x00, 0x80).with_data(pin.bytes().to_vec());
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
            sw => Err(Error::CardStatus {
                sw,
                operation: "VERIFY",
            }),
        }
    }

    /// COMPUTE DIGITAL SIGNATURE with the current key EF: the card pads `digest_info` (PKCS#1
    /// v1.5 type 1) and applies the key.
    pub(crate) async fn compute_signature(
        &mut self,
        kind: PinKind,
        digest_info: Vec<u8>,
    ) -> Result<Vec<u8>> {
        let operation = "COMPUTE DIGITAL SIGNATURE";
        let command = Command::new(0x80, ins::COMPUTE_DIGITAL_SIGNATURE, 0x00, 0x80)
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
