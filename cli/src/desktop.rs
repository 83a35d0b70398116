//! PC/SC readers and the vpcd bridge (the `pcsc` cargo feature).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kazashi::{PinKind, Transport};
use kazashi_pcsc::{
    list_readers, serve_vpcd_with_log, ConnectOptions, Event, PcscTransport, ReaderError, Stopped,
};
use kazashi_virtual_card::{Profile, VirtualCard};
use serde_json::json;

use crate::commands::Outcome;
use crate::failure::Failure;

fn reader_failure(e: ReaderError) -> Failure {
    let kind = match &e {
        ReaderError::NoService => "pcsc-service",
        ReaderError::NoReaders => "no-reader",
        ReaderError::ReaderNotFound { .. } => "reader-not-found",
        ReaderError::NoCard { .. } => "no-card",
        ReaderError::InUse { .. } => "card-in-use",
        ReaderError::Pcsc(_) => "pcsc",
        // `ReaderError` is non-exhaustive: a failure added later is still a PC/SC failure.
        _ => "pcsc",
    };
    Failure::Reader {
        kind,
        message: e.to_string(),
    }
}

/// Opens the reader for a card command, telling the user what it waits for.
pub fn open_reader(
    reader: Option<&str>,
    wait: Duration,
    extended: bool,
    chatty: bool,
) -> Result<Box<dyn Transport>, Failure> {
    let options = ConnectOptions {
        reader: reader.map(str::to_string),
        wait: Duration::ZERO,
        extended: extended.then_some(true),
    };
    let transport = match PcscTransport::connect(&options) {
        Err(ReaderError::NoCard { where_, .. }) if !wait.is_zero() => {
            if chatty {
                eprintln!(
                    "Insert your My Number Card into {where_} (waiting up to {} s)…",
                    wait.as_secs()
                );
            }
            PcscTransport::connect(&ConnectOptions { wait, ..options })
        }
        other => other,
    }
    .map_err(reader_failure)?;
    Ok(Box::new(transport))
}

/// `kazashi readers`.
pub fn readers() -> Result<Outcome, Failure> {
    let readers = list_readers().map_err(reader_failure)?;
    let mut lines: Vec<String> = readers
        .iter()
        .map(|r| {
            let card = match (&r.atr, r.card_present) {
                (Some(atr), true) => format!("card present, ATR {}", hex::encode_upper(atr)),
                (None, true) => "card present".into(),
                _ => "no card".into(),
            };
            let busy = if r.exclusive {
                " (in use by another program)"
            } else {
                ""
            };
            format!("{}: {card}{busy}", r.name)
        })
        .collect();
    if lines.is_empty() {
        lines.push("no reader found".into());
    }
    let json = json!({
        "readers": readers.iter().map(|r| json!({
            "name": r.name,
            "card_present": r.card_present,
            "in_use": r.exclusive,
            "atr": r.atr.as_ref().map(hex::encode_upper),
        })).collect::<Vec<_>>(),
    });
    Ok(Outcome { json, lines })
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// Ctrl-C and SIGTERM raise [`STOP`] instead of killing the process.
fn install_stop_handlers() {
    let handler = request_stop as extern "C" fn(libc::c_int);
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler as libc::sighandler_t);
        libc::signal(libc::SIGTERM, handler as libc::sighandler_t);
    }
}

/// `kazashi virtual-card serve`.
pub fn serve(profile: Profile, host: &str, port: u16, verbose: bool) -> Result<Outcome, Failure> {
    install_stop_handlers();
    let card = VirtualCard::from_profile(profile);
    eprintln!(
        "serving the virtual card (profile {}) to vpcd at {host}:{port}; Ctrl-C to stop",
        profile.name()
    );
    let log = |event: Event| match event {
        Event::Connected(peer) => eprintln!(
            "connected to vpcd at {peer}: the card is in the reader \"Virtual PCD 00 {:02}\"",
            port.saturating_sub(kazashi_pcsc::DEFAULT_PORT)
        ),
        Event::Reset(what) if verbose => eprintln!("{what}: security state cleared"),
        Event::Apdu {
            ins,
            sw,
            response_len,
        } if verbose => eprintln!("INS {ins:02X} -> {sw:04X} ({response_len} bytes)"),
        Event::UnknownControl(code) => eprintln!("ignored vpcd control code {code:02X}"),
        _ => {}
    };
    let (card, stopped) =
        serve_vpcd_with_log(card, host, port, &STOP, log).map_err(|e| Failure::Reader {
            kind: "vpcd",
            message: format!(
                "cannot serve the card to vpcd at {host}:{port} ({e}): is pcscd running with \
                 vsmartcard-vpcd installed?"
            ),
        })?;
    let why = match stopped {
        Stopped::Shutdown => "stopped",
        Stopped::VpcdClosed => "vpcd closed the connection",
    };
    let commands = card.commands_processed();
    let attempts = |kind| card.attempts_left(kind);
    Ok(Outcome {
        json: json!({
            "stopped": match stopped { Stopped::Shutdown => "shutdown", Stopped::VpcdClosed => "vpcd-closed" },
            "profile": profile.name(),
            "commands": commands,
            "authentication_attempts_left": attempts(PinKind::Authentication),
            "signing_attempts_left": attempts(PinKind::Signing),
        }),
        lines: vec![format!("{why} after {commands} commands")],
    })
}
