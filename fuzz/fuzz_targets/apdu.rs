//! The APDU codec on arbitrary bytes. Proves that `Response::decode` and `Command::decode`
//! never panic, that a response re-encodes to its bytes, that a decoded command re-encodes to
//! the same bytes whenever the bytes used the form the command needs (and to an equal command
//! otherwise), and that `Command::encode` either produces bytes that decode to the same command
//! in the required form or fails for exactly the documented reason.
#![no_main]

use kazashi::apdu::{ApduError, Command, LengthForm, Response, MAX_EXTENDED_NC, MAX_EXTENDED_NE};
use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: kazashi_fuzz::CappedAllocator = kazashi_fuzz::CappedAllocator;

fuzz_target!(|data: &[u8]| {
    responses(data);
    commands(data);
    encoding(data);
});

fn responses(data: &[u8]) {
    match Response::decode(data) {
        Ok(response) => {
            assert_eq!(response.encode(), data);
            assert_eq!(response.data().len() + 2, data.len());
            let sw = response.sw();
            assert_eq!(sw.to_bytes(), data[data.len() - 2..]);
            if let Some(left) = sw.retries_left() {
                assert!(left <= 15 && sw.sw1() == 0x63);
            }
            let _ = format!("{response:?} {sw} {}", sw.meaning());
        }
        Err(e) => {
            assert!(data.len() < 2);
            assert_eq!(e, ApduError::ResponseTooShort { len: data.len() });
        }
    }
}

fn commands(data: &[u8]) {
    let Ok((command, form)) = Command::decode(data) else {
        return;
    };
    assert_eq!(
        &data[..4],
        &[command.cla, command.ins, command.p1, command.p2]
    );
    if form == LengthForm::Short {
        assert_eq!(command.required_form(), LengthForm::Short);
    }
    let again = command
        .encode(form == LengthForm::Extended)
        .expect("a decoded command encodes in the form it came in");
    if form == command.required_form() {
        assert_eq!(&again[..], data, "re-encoding changed the bytes");
    }
    let (decoded, again_form) = Command::decode(&again).expect("our encoding decodes");
    assert!(decoded == command, "decode(encode(c)) != c");
    assert_eq!(again_form, command.required_form());
    // Debug output shows lengths only (command data can be a PIN).
    let shown = format!("{command:?}");
    assert!(shown.len() < 80, "Debug output too long: {shown}");
}

/// Builds a command from the input (header, data, Ne, whether extended length is allowed) and
/// encodes it. Long data is made by repeating the input, so the 255/256 and 65535/65536
/// boundaries are reachable with short inputs.
fn encoding(data: &[u8]) {
    let [cla, ins, p1, p2, ne_hi, ne_lo, flags, len_hi, len_lo, body @ ..] = data else {
        return;
    };
    let extended_allowed = flags & 1 != 0;
    let mut command = Command::new(*cla, *ins, *p1, *p2);
    let data_len = if flags & 2 != 0 {
        // Repeat the body (or a filler) up to a chosen length, past 65535 when bit 3 is set.
        usize::from(u16::from_be_bytes([*len_hi, *len_lo])) + usize::from(flags & 8) * 8192
    } else {
        body.len()
    };
    let filler = if body.is_empty() { &[0x5A][..] } else { body };
    let payload: Vec<u8> = filler.iter().copied().cycle().take(data_len).collect();
    if !payload.is_empty() {
        command = command.with_data(payload);
    }
    let ne = if flags & 4 != 0 {
        // 0..=65537: both invalid ends included.
        let ne = usize::from(u16::from_be_bytes([*ne_hi, *ne_lo]));
        Some(if flags & 0x10 != 0 { ne + 2 } else { ne })
    } else {
        None
    };
    if let Some(ne) = ne {
        command = command.with_ne(ne);
    }
    let case = command.case();
    assert_eq!(
        case,
        1 + u8::from(ne.is_some()) + 2 * u8::from(data_len > 0)
    );
    match command.encode(extended_allowed) {
        Ok(bytes) => {
            let (decoded, form) = Command::decode(&bytes).expect("our encoding decodes");
            assert!(decoded == command, "decode(encode(c)) != c");
            assert_eq!(form, command.required_form());
            assert!(extended_allowed || form == LengthForm::Short);
        }
        Err(ApduError::DataTooLong { len }) => {
            assert!(len > MAX_EXTENDED_NC && len == data_len);
        }
        Err(ApduError::InvalidNe { ne: bad }) => {
            assert!(data_len <= MAX_EXTENDED_NC);
            assert!(bad == 0 || bad > MAX_EXTENDED_NE);
        }
        Err(ApduError::ExtendedLengthUnsupported) => {
            assert!(!extended_allowed && command.required_form() == LengthForm::Extended);
        }
        Err(other) => panic!("unexpected encoding error {other:?}"),
    }
}
