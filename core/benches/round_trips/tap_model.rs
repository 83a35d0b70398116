//! A model of how long the card must stay on the phone for a given APDU transcript. It turns
//! counts into milliseconds so that a saved round trip and a saved kilobyte can be compared;
//! it is not a measurement. Every constant is either from ISO/IEC 14443 or an assumption,
//! and says which.

use kazashi::jpki::ins;
use kazashi_virtual_card::Exchange;

/// The link and card parameters.
#[derive(Debug, Clone, Copy)]
pub struct TapModel {
    /// Bits per second on the air. ISO/IEC 14443 starts every link at fc/128 = 105.9 kbit/s;
    /// the My Number Card is Type B (`docs/protocol.md` §9) and no source reports a higher rate.
    pub bit_rate: f64,
    /// Bits per byte on the air: a Type B character is a start bit, 8 data bits and a stop
    /// bit (ISO/IEC 14443-3), extra guard time taken as 0.
    pub bits_per_byte: f64,
    /// APDU bytes per ISO-DEP I-block: a 256-byte frame (FSC/FSD code 8, the usual phone
    /// value; the card's own FSC is not published) less the PCB byte and the 2-byte CRC_B.
    pub frame_payload: usize,
    /// Framing bytes per block: PCB + CRC_B (no CID, no NAD).
    pub frame_overhead_bytes: usize,
    /// Start and end of frame plus the turnaround between frames (SOF ≈ 12 etu, EOF ≈ 10 etu,
    /// TR0/TR1 and the reader's own delay): assumed 0.5 ms per frame.
    pub per_frame_ms: f64,
    /// What a phone adds to every APDU outside the air time: the app → NFC service → controller
    /// round trip of one `IsoDep.transceive` / Core NFC `sendCommand`. Assumed 5 ms; no
    /// public measurement for this card.
    pub per_apdu_host_ms: f64,
    /// The card's own work on an ordinary command (file access, PIN comparison). Assumed 2 ms.
    pub per_apdu_card_ms: f64,
    /// One RSA-2048 private-key operation on the card (COMPUTE DIGITAL SIGNATURE). Assumed
    /// 400 ms: apps raise Android's default ~300 ms transceive timeout for this command
    /// (`docs/protocol.md` §3.5, §9), so it takes longer than that on some cards.
    pub rsa_sign_ms: f64,
}

impl TapModel {
    /// The phone model the README's table uses.
    pub const PHONE: Self = Self {
        bit_rate: 105_938.0,
        bits_per_byte: 10.0,
        frame_payload: 253,
        frame_overhead_bytes: 3,
        per_frame_ms: 0.5,
        per_apdu_host_ms: 5.0,
        per_apdu_card_ms: 2.0,
        rsa_sign_ms: 400.0,
    };

    /// Modelled time of one command/response pair, in milliseconds. A message longer than
    /// one block is chained, and every block but the last is acknowledged by an R-block.
    pub fn exchange_ms(&self, command: &[u8], response: &[u8]) -> f64 {
        let blocks = |len: usize| len.div_ceil(self.frame_payload).max(1);
        let (sent, received) = (blocks(command.len()), blocks(response.len()));
        let acks = (sent - 1) + (received - 1);
        let frames = sent + received + acks;
        let bytes = command.len() + response.len() + frames * self.frame_overhead_bytes;
        let air = bytes as f64 * self.bits_per_byte / self.bit_rate * 1000.0;
        let card = if command.get(1) == Some(&ins::COMPUTE_DIGITAL_SIGNATURE) {
            self.rsa_sign_ms
        } else {
            self.per_apdu_card_ms
        };
        air + frames as f64 * self.per_frame_ms + self.per_apdu_host_ms + card
    }

    /// Modelled time of a whole transcript, in milliseconds.
    pub fn transcript_ms(&self, transcript: &[Exchange]) -> f64 {
        transcript
            .iter()
            .map(|e| self.exchange_ms(&e.command, &e.response))
            .sum()
    }

    /// The model's constants, for the table's footnote.
    pub fn describe(&self) -> String {
        format!(
            "{:.0} kbit/s, {} bits/byte, {}-byte blocks (+{} framing bytes, {} ms per block), \
             {} ms host + {} ms card per APDU, {} ms per RSA signature",
            self.bit_rate / 1000.0,
            self.bits_per_byte,
            self.frame_payload,
            self.frame_overhead_bytes,
            self.per_frame_ms,
            self.per_apdu_host_ms,
            self.per_apdu_card_ms,
            self.rsa_sign_ms
        )
    }
}
