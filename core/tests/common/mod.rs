//! Helpers shared by the integration tests: an independent verifier and a tampering transport.
#![allow(dead_code)]

use async_trait::async_trait;
use kazashi::{LinkCapabilities, Transport, TransportError};
use kazashi_virtual_card::VirtualCard;
use rsa::pkcs8::DecodePublicKey;
use rsa::Pkcs1v15Sign;
use sha2::digest::const_oid::AssociatedOid;
use x509_parser::prelude::{FromDer, X509Certificate};

pub fn block<F: std::future::Future>(f: F) -> F::Output {
    pollster::block_on(f)
}

/// Verifies an RSASSA-PKCS1-v1_5 signature over `message` with the key in `cert_der`, using
/// only the `rsa` and `x509-parser` crates (not the library under test).
pub fn verify_independently<D>(cert_der: &[u8], message: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + AssociatedOid,
{
    let (_, cert) = X509Certificate::from_der(cert_der).expect("certificate parses");
    let key = rsa::RsaPublicKey::from_public_key_der(cert.public_key().raw).expect("RSA key");
    let hashed = D::digest(message);
    key.verify(Pkcs1v15Sign::new::<D>(), &hashed, signature)
        .is_ok()
}

/// What a tamperer may do to one exchange.
pub type TamperFn = Box<dyn FnMut(usize, &[u8], Vec<u8>) -> Vec<u8> + Send>;

/// Wraps the virtual card and lets a test rewrite the response to APDU number k (0-based) into
/// anything at all. For the standard link faults, use `kazashi_virtual_card::faults::FaultyTransport`.
pub struct Tamper<'a> {
    pub card: &'a mut VirtualCard,
    pub count: usize,
    pub tamper: TamperFn,
}

impl<'a> Tamper<'a> {
    pub fn new(card: &'a mut VirtualCard, tamper: TamperFn) -> Self {
        Self {
            card,
            count: 0,
            tamper,
        }
    }
}

#[async_trait]
impl Transport for Tamper<'_> {
    fn capabilities(&self) -> LinkCapabilities {
        self.card.capabilities()
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let index = self.count;
        self.count += 1;
        let response = self.card.process(command);
        Ok((self.tamper)(index, command, response))
    }
}
