//! Whole-file reads: as few READ BINARY commands as the link and the card allow.

use der::{Decode, Reader};
use zeroize::Zeroizing;

use super::addressing::short_ef_id;
use super::commands;
use super::Card;
use crate::apdu::{StatusWord, MAX_SHORT_NE};
use crate::error::{Error, Result};
use crate::pin::PinKind;
use crate::transport::Transport;

/// Largest file offset READ BINARY can address (15 bits).
const MAX_OFFSET: usize = 0x7FFF;

/// How much of a file to read.
#[derive(Debug, Clone, Copy)]
pub enum FileShape {
    /// A DER object whose header gives the length; anything after it (padding) is ignored.
    Der,
    /// A fixed-size record of at most this many bytes.
    Fixed(usize),
    /// A BER-TLV object (ISO/IEC 7816-4: multi-byte tags, short or long lengths) whose header
    /// gives the length; filler after it is ignored. The card-info files.
    BerTlv,
}

/// An EF with the names its SELECT and READ BINARY carry in errors.
#[derive(Debug, Clone, Copy)]
pub struct FileRef {
    /// The file identifier.
    pub fid: u16,
    /// What a failed SELECT is reported as.
    pub select: &'static str,
    /// What a failed READ BINARY is reported as.
    pub read: &'static str,
}

/// Where a READ BINARY reads from.
#[derive(Debug, Clone, Copy)]
enum ReadFrom {
    /// The file named by this short EF id (`80|SFI`), offsets 0–255.
    ShortEfId(u8),
    /// The current EF, 15-bit offsets.
    CurrentEf,
}

/// The parts of a file read so far, and what is needed to read the rest.
struct FirstRead {
    data: Vec<u8>,
    ne: usize,
    selected: bool,
}

impl<T: Transport> Card<T> {
    /// Reads a whole EF in as few READ BINARY commands as the link and the card allow:
    /// - by short EF id, no SELECT, while the card accepts that form (see `addressing`);
    /// - with extended length the whole file in one response; otherwise 256-byte chunks, the
    ///   first of which carries the DER header (no separate header read).
    ///
    /// `Ok(None)` when the file does not exist.
    ///
    /// # Errors
    ///
    /// [`Error::PinRequired`] for `pin` when the card answers `6982`;
    /// [`Error::MalformedResponse`] for a file that ends early or is not what `shape` says;
    /// [`Error::CardStatus`] for other refusals; link failures.
    pub async fn read_file(
        &mut self,
        file: FileRef,
        shape: FileShape,
        pin: PinKind,
    ) -> Result<Option<Vec<u8>>> {
        let Some(first) = self.read_first_chunk(file, shape, pin).await? else {
            return Ok(None);
        };
        let operation = file.read;
        let mut data = Zeroizing::new(first.data);
        let total = match shape {
            // A short answer means the record is shorter than the caller allowed for.
            FileShape::Fixed(len) if data.len() < first.ne => data.len().min(len),
            FileShape::Fixed(len) => len,
            FileShape::Der => der_total_length(&data, operation)?,
            FileShape::BerTlv => ber_tlv_object_size(&data).ok_or_else(|| {
                Error::malformed(operation, "the file does not start with a BER-TLV header")
            })?,
        };
        if data.len() > total {
            data.truncate(total);
        } else if data.len() < total && data.len() < first.ne {
            return Err(Error::malformed(
                operation,
                format!("the file ended after {} of {total} bytes", data.len()),
            ));
        }
        // The rest is read by offset from the current EF. Whether a short-EF-id READ makes
        // its file current is not documented for this card, so it is selected explicitly:
        // reading another file's bytes by mistake must be impossible.
        if data.len() < total && !first.selected && !self.select_file(file).await? {
            return Err(Error::CardStatus {
                sw: StatusWord::FILE_NOT_FOUND,
                operation: file.select,
            });
        }
        self.read_rest(&mut data, total, pin, operation).await?;
        Ok(Some(std::mem::take(&mut *data)))
    }

    /// [`Card::read_file`] for a file the application always has: a missing one is
    /// [`Error::CardStatus`] `6A82` on its SELECT.
    ///
    /// # Errors
    ///
    /// As [`Card::read_file`], and the missing file.
    pub async fn read_required_file(
        &mut self,
        file: FileRef,
        shape: FileShape,
        pin: PinKind,
    ) -> Result<Vec<u8>> {
        self.read_file(file, shape, pin)
            .await?
            .ok_or(Error::CardStatus {
                sw: StatusWord::FILE_NOT_FOUND,
                operation: file.select,
            })
    }

    /// The first chunk: by short EF id when the card accepts it, else after SELECT.
    /// `Ok(None)` when the file does not exist.
    async fn read_first_chunk(
        &mut self,
        file: FileRef,
        shape: FileShape,
        pin: PinKind,
    ) -> Result<Option<FirstRead>> {
        let operation = file.read;
        let short = short_ef_id(file.fid).filter(|_| self.addressing.reads.try_short());
        if let Some(sfi) = short {
            match self
                .read_first(ReadFrom::ShortEfId(sfi), shape, pin, operation)
                .await
            {
                Ok((data, ne)) => {
                    self.addressing.record(|a| &mut a.reads, true);
                    return Ok(Some(FirstRead {
                        data,
                        ne,
                        selected: false,
                    }));
                }
                Err(Error::CardStatus { .. }) => self.addressing.record(|a| &mut a.reads, false),
                Err(other) => return Err(other),
            }
        }
        if !self.select_file(file).await? {
            return Ok(None);
        }
        let (data, ne) = self
            .read_first(ReadFrom::CurrentEf, shape, pin, operation)
            .await?;
        Ok(Some(FirstRead {
            data,
            ne,
            selected: true,
        }))
    }

    /// Reads from the current EF until `data` holds `total` bytes.
    async fn read_rest(
        &mut self,
        data: &mut Vec<u8>,
        total: usize,
        pin: PinKind,
        operation: &'static str,
    ) -> Result<()> {
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
        Ok(())
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
            FileShape::Der | FileShape::BerTlv => chunk,
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
        let command = commands::read_binary(p1, p2, ne);
        let mut response = self.channel.exchange(&command, operation).await?;
        match response.sw() {
            StatusWord::SUCCESS => Ok(response.take_data()),
            StatusWord::SECURITY_STATUS_NOT_SATISFIED => Err(Error::PinRequired { pin }),
            sw => Err(Error::CardStatus { sw, operation }),
        }
    }
}

/// The size of the object a file starts with (tag, length and value), from its first bytes
/// alone, so a reader can ask for exactly that many. `None` until `head` holds the whole
/// header. The crate parses whole objects only, so the header is walked here: a tag whose low
/// five bits are all set continues while bit 8 is set; a length is one byte below `80`, or
/// `81`–`84` followed by that many bytes.
pub(crate) fn ber_tlv_object_size(head: &[u8]) -> Option<usize> {
    let mut at = 1;
    if head.first()? & 0x1F == 0x1F {
        while head.get(at)? & 0x80 != 0 {
            at += 1;
        }
        at += 1;
    }
    let first = *head.get(at)?;
    at += 1;
    let length = match first {
        0..=0x7F => usize::from(first),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7F);
            let bytes = head.get(at..at + n)?;
            at += n;
            bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
        }
        _ => return None,
    };
    at.checked_add(length)
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

#[cfg(test)]
mod ber_tlv_tests {
    use super::ber_tlv_object_size;

    #[test]
    fn sizes_from_headers() {
        assert_eq!(ber_tlv_object_size(&[0xFF, 0x20, 0x08]), Some(11));
        assert_eq!(
            ber_tlv_object_size(&[0xFF, 0x20, 0x81, 0x90]),
            Some(4 + 0x90)
        );
        assert_eq!(ber_tlv_object_size(&[0xFF, 0x20, 0x82, 0x01]), None);
        assert_eq!(
            ber_tlv_object_size(&[0x7F, 0x21, 0x82, 0x02, 0x34]),
            Some(5 + 0x234)
        );
        assert_eq!(ber_tlv_object_size(&[0x30, 0x80]), None);
        assert_eq!(ber_tlv_object_size(&[]), None);
    }
}
