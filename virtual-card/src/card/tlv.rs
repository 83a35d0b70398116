//! BER-TLV as the card-info and card-surface applications store it (`docs/protocol.md` §2.1,
//! §7.3): private 2-byte tags (`DFxx`, `FFxx`), definite lengths in short or long form; RSA
//! public keys as `90` (exponent) and `91` (modulus); the card-verifiable certificates.

use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

/// A BER definite length: one byte up to 127, then `81 xx`, then `82 xx xx`.
pub(crate) fn length(len: usize) -> Vec<u8> {
    match len {
        0..=0x7F => vec![len as u8],
        0x80..=0xFF => vec![0x81, len as u8],
        _ => {
            let len = u16::try_from(len).expect("a card file is under 64 KiB");
            let [hi, lo] = len.to_be_bytes();
            vec![0x82, hi, lo]
        }
    }
}

/// Tag, minimal length, value.
pub(crate) fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    [tag, &length(value.len()), value].concat()
}

/// Tag, a three-byte length (`82 xx xx`) whatever the value's size, value: the form the real
/// card uses for `DF43` (`82 0080`, `docs/protocol.md` §2.1), where one byte would do.
pub(crate) fn tlv_long(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let len = u16::try_from(value.len()).expect("under 64 KiB");
    [tag, &[0x82], &len.to_be_bytes(), value].concat()
}

/// An RSA public key as the card stores it: `90 <exponent> 91 <modulus>`, both unsigned
/// big-endian without a sign byte (`90 03 010001 91 82 0100 …` for RSA-2048).
pub(crate) fn rsa_public_key(key: &RsaPublicKey) -> Vec<u8> {
    [
        tlv(&[0x90], &key.e().to_bytes_be()),
        tlv(&[0x91], &key.n().to_bytes_be()),
    ]
    .concat()
}

/// RSASSA-PKCS1-v1_5 with SHA-256 over `data`: every signature of these applications.
pub(crate) fn sign_sha256(key: &RsaPrivateKey, data: &[u8]) -> Vec<u8> {
    key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data))
        .expect("RSA-2048 signs a SHA-256 DigestInfo")
}

/// A card-verifiable certificate, `7F21 { 5F4E body, 5F37 signature }` (`docs/protocol.md`
/// §2.1). The body is the 16-byte issuer reference, the 16-byte holder reference and the
/// holder's key (`90`, `91`). What the `5F37` signature covers is in no source; here it is
/// RSASSA-PKCS1-v1_5 / SHA-256 by `issuer` over the `5F4E` TLV as stored (tag, length and
/// body), the same rule as the integrity record's `DF33`.
pub(crate) fn cv_certificate(
    issuer_reference: &[u8; 16],
    holder_reference: &[u8; 16],
    holder_key: &RsaPublicKey,
    issuer: &RsaPrivateKey,
) -> Vec<u8> {
    let body = [
        issuer_reference.as_slice(),
        holder_reference,
        &rsa_public_key(holder_key),
    ]
    .concat();
    let body = tlv(&[0x5F, 0x4E], &body);
    let signature = tlv_long(&[0x5F, 0x37], &sign_sha256(issuer, &body));
    tlv(&[0x7F, 0x21], &[body, signature].concat())
}

/// The virtual J-LIS issuer reference of both CV certificates, shaped like the test card's
/// (ASCII digits, `08 05`, `"001"`, zeros; `docs/protocol.md` §2.1). The digits are ours.
pub(crate) const ISSUER_REFERENCE: [u8; 16] = *b"999999\x08\x05001\0\0\0\0\0";

/// A 16-byte holder reference: 12 ASCII digits from the seed, then the last two bytes of the
/// application's AID and two zeros (our layout; the real one is not decoded).
pub(crate) fn holder_reference(seed: &str, aid: &[u8; 10]) -> [u8; 16] {
    let bytes = crate::pki::derive(seed, &format!("holder-reference-{:02X}", aid[9]));
    let mut out = [0u8; 16];
    for (o, b) in out[..12].iter_mut().zip(bytes) {
        *o = b'0' + b % 10;
    }
    out[12] = aid[8];
    out[13] = aid[9];
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(length(0x7F), [0x7F]);
        assert_eq!(length(0x80), [0x81, 0x80]);
        assert_eq!(length(0x100), [0x82, 0x01, 0x00]);
        assert_eq!(
            tlv_long(&[0xDF, 0x43], &[0; 0x80])[..5],
            [0xDF, 0x43, 0x82, 0x00, 0x80]
        );
    }
}
