//! Helpers of the card-info and card-surface APDU tests: raw APDUs, and a small BER-TLV reader
//! written here so that the tests do not trust the card's own encoder.

#![allow(dead_code)]

use kazashi_virtual_card::VirtualCard;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};

pub const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
pub const SELECT_CARD_INFO: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
pub const SELECT_CARD_SURFACE: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02";

pub fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

pub fn send(card: &mut VirtualCard, apdu: &str) -> Vec<u8> {
    card.process(&hex(apdu))
}

pub fn sw(response: &[u8]) -> u16 {
    u16::from_be_bytes([response[response.len() - 2], response[response.len() - 1]])
}

/// `00 20 00 80|SFI Lc value` (short EF id of the secret `fid`).
pub fn verify(card: &mut VirtualCard, fid: u8, value: &str) -> u16 {
    let apdu = [
        vec![0x00, 0x20, 0x00, 0x80 | fid, value.len() as u8],
        value.as_bytes().to_vec(),
    ]
    .concat();
    sw(&card.process(&apdu))
}

/// The retry query `00 20 00 80|SFI`.
pub fn query(card: &mut VirtualCard, fid: u8) -> u16 {
    sw(&card.process(&[0x00, 0x20, 0x00, 0x80 | fid]))
}

/// SELECT EF then READ BINARY of the whole file (extended Le): the bytes, or the status word.
pub fn read_by_select(card: &mut VirtualCard, fid: u16) -> Result<Vec<u8>, u16> {
    let [hi, lo] = fid.to_be_bytes();
    let selected = sw(&card.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]));
    if selected != 0x9000 {
        return Err(selected);
    }
    let response = card.process(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00]);
    match sw(&response) {
        0x9000 => Ok(response[..response.len() - 2].to_vec()),
        other => Err(other),
    }
}

/// READ BINARY by short EF id (`P1 = 80|SFI`), whole file.
pub fn read_by_sfi(card: &mut VirtualCard, fid: u8) -> Result<Vec<u8>, u16> {
    let response = card.process(&[0x00, 0xB0, 0x80 | fid, 0x00, 0x00, 0x00, 0x00]);
    match sw(&response) {
        0x9000 => Ok(response[..response.len() - 2].to_vec()),
        other => Err(other),
    }
}

/// One BER-TLV: its tag bytes, the value, and where the whole TLV ends in the input.
pub struct Tlv<'a> {
    pub tag: Vec<u8>,
    pub value: &'a [u8],
    pub end: usize,
}

/// Reads the TLV at `at`: multi-byte tags (low five bits all set), lengths in short form or
/// `81`/`82` long form.
pub fn read_tlv(bytes: &[u8], at: usize) -> Tlv<'_> {
    let mut i = at;
    let mut tag = vec![bytes[i]];
    i += 1;
    if tag[0] & 0x1F == 0x1F {
        loop {
            tag.push(bytes[i]);
            i += 1;
            if tag[tag.len() - 1] & 0x80 == 0 {
                break;
            }
        }
    }
    let (len, len_bytes) = match bytes[i] {
        n @ 0..=0x7F => (usize::from(n), 1),
        0x81 => (usize::from(bytes[i + 1]), 2),
        0x82 => (
            usize::from(u16::from_be_bytes([bytes[i + 1], bytes[i + 2]])),
            3,
        ),
        other => panic!("unexpected length byte {other:02X}"),
    };
    i += len_bytes;
    Tlv {
        tag,
        value: &bytes[i..i + len],
        end: i + len,
    }
}

/// The TLVs one after another in `bytes`, with their start offsets.
pub fn children(bytes: &[u8]) -> Vec<(usize, Tlv<'_>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let tlv = read_tlv(bytes, at);
        let end = tlv.end;
        out.push((at, tlv));
        at = end;
    }
    out
}

/// The value of the child with `tag`.
pub fn child<'a>(bytes: &'a [u8], tag: &[u8]) -> &'a [u8] {
    children(bytes)
        .into_iter()
        .find(|(_, t)| t.tag == tag)
        .map(|(_, t)| t.value)
        .unwrap_or_else(|| panic!("no tag {tag:02X?}"))
}

/// An RSA key from `90 <e> 91 <n>`.
pub fn rsa_key(value: &[u8]) -> RsaPublicKey {
    let e = child(value, &[0x90]);
    let n = child(value, &[0x91]);
    RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e)).unwrap()
}

/// Whether `signature` is PKCS#1 v1.5 / SHA-256 over `data` under `key`.
pub fn verifies(key: &RsaPublicKey, data: &[u8], signature: &[u8]) -> bool {
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &Sha256::digest(data),
        signature,
    )
    .is_ok()
}

/// A CV certificate `7F21 { 5F4E body, 5F37 signature }`: the body TLV as stored, the
/// references, the holder key, the signature.
pub struct CvCertificate {
    pub body_tlv: Vec<u8>,
    pub issuer_reference: Vec<u8>,
    pub holder_reference: Vec<u8>,
    pub key: RsaPublicKey,
    pub signature: Vec<u8>,
}

pub fn cv_certificate(file: &[u8]) -> CvCertificate {
    let outer = read_tlv(file, 0);
    assert_eq!(outer.tag, [0x7F, 0x21]);
    let inner = children(outer.value);
    let (body_at, body) = &inner[0];
    assert_eq!(body.tag, [0x5F, 0x4E]);
    let (_, signature) = &inner[1];
    assert_eq!(signature.tag, [0x5F, 0x37]);
    let body_tlv = outer.value[*body_at..body.end].to_vec();
    CvCertificate {
        issuer_reference: body.value[..16].to_vec(),
        holder_reference: body.value[16..32].to_vec(),
        key: rsa_key(&body.value[32..]),
        signature: signature.value.to_vec(),
        body_tlv,
    }
}
