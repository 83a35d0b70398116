//! Serves a [`VirtualCard`] to pcscd through vsmartcard's `vpcd` reader driver, so that any
//! PC/SC program (our CLI, OpenSC, a browser) sees it as a card in the reader
//! `Virtual PCD 00 00`.
//!
//! vpcd is the TCP server (port 35963 for its first slot); the card is the client. Frames in
//! both directions are a 2-byte big-endian length followed by that many bytes. From vpcd, a
//! 1-byte frame is a control code (`00` power off, `01` power on, `02` reset, `04` send the
//! ATR); anything longer is a command APDU, answered with one response APDU. Closing the
//! connection removes the card. See `docs/pcsc-rig.md` §4.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kazashi_virtual_card::VirtualCard;

/// vpcd's default port (its first slot, reader `Virtual PCD 00 00`).
pub const DEFAULT_PORT: u16 = 35963;

/// The ATR the virtual card presents: the contact ATR of `docs/protocol.md` §8, which is also the
/// one OpenSC's `jpki` driver recognises.
pub const ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

const POWER_OFF: u8 = 0x00;
const POWER_ON: u8 = 0x01;
const RESET: u8 = 0x02;
const GET_ATR: u8 = 0x04;

/// How often a blocked read wakes up to look at the shutdown flag.
const POLL: Duration = Duration::from_millis(200);
/// How long to keep trying to reach vpcd (pcscd may still be starting).
const CONNECT_PATIENCE: Duration = Duration::from_secs(10);

/// Why the bridge stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The shutdown flag was raised.
    Shutdown,
    /// vpcd closed the connection (pcscd stopped).
    VpcdClosed,
}

/// What happened on the wire, for a log line per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Connected to vpcd.
    Connected(SocketAddr),
    /// Power on, power off or reset: the card's security state was cleared.
    Reset(&'static str),
    /// One APDU answered (the command is not given: it may hold a PIN).
    Apdu {
        /// The instruction byte.
        ins: u8,
        /// The response's status word.
        sw: u16,
        /// The response's length.
        response_len: usize,
    },
    /// An unknown 1-byte control code, ignored.
    UnknownControl(u8),
}

/// Re-arms `TCP_QUICKACK`. Linux clears it after a while, and without it every APDU waits
/// about 40 ms for the delayed ACK that Debian 12's vpcd (length and body in two writes,
/// Nagle on) needs before it sends the body (`pcsc-rig.md` pitfall 1).
#[cfg(target_os = "linux")]
fn quickack(stream: &TcpStream) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: a valid socket descriptor and a correctly sized `int` option value.
    #[allow(unsafe_code)]
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn quickack(_stream: &TcpStream) -> io::Result<()> {
    Ok(())
}

/// Fills `buf`. Returns `Ok(false)` if the peer closed the connection or shutdown was asked
/// before the first byte; a frame already begun is always finished.
fn read_full(stream: &mut TcpStream, buf: &mut [u8], shutdown: &AtomicBool) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        if filled == 0 && shutdown.load(Ordering::Relaxed) {
            return Ok(false);
        }
        quickack(stream)?;
        match stream.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn read_frame(stream: &mut TcpStream, shutdown: &AtomicBool) -> io::Result<Option<Vec<u8>>> {
    let mut length = [0u8; 2];
    if !read_full(stream, &mut length, shutdown)? {
        return Ok(None);
    }
    let mut body = vec![0u8; u16::from_be_bytes(length) as usize];
    if !read_full(stream, &mut body, &AtomicBool::new(false))? {
        return Err(ErrorKind::UnexpectedEof.into());
    }
    Ok(Some(body))
}

/// Writes one frame, length and body in a single write.
fn write_frame(stream: &mut TcpStream, body: &[u8]) -> io::Result<()> {
    let length = u16::try_from(body.len())
        .map_err(|_| io::Error::new(ErrorKind::InvalidInput, "response longer than 65535"))?;
    let mut frame = Vec::with_capacity(body.len() + 2);
    frame.extend_from_slice(&length.to_be_bytes());
    frame.extend_from_slice(body);
    stream.write_all(&frame)
}

fn connect(addr: &[SocketAddr], shutdown: &AtomicBool) -> io::Result<Option<TcpStream>> {
    let deadline = Instant::now() + CONNECT_PATIENCE;
    loop {
        let mut last = None;
        for a in addr {
            match TcpStream::connect_timeout(a, Duration::from_secs(1)) {
                Ok(s) => return Ok(Some(s)),
                Err(e) => last = Some(e),
            }
        }
        if shutdown.load(Ordering::Relaxed) {
            return Ok(None);
        }
        if Instant::now() >= deadline {
            return Err(last.unwrap_or_else(|| ErrorKind::NotFound.into()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Connects `card` to vpcd at `host:port` and answers it until `shutdown` is raised or vpcd
/// closes the connection. The card's state (PIN counters, changed PINs) lives as long as the
/// call; power off, power on and reset clear only its security state, as on a real card.
///
/// Returns the card, so a caller can inspect it afterwards, and why the bridge stopped.
///
/// # Errors
///
/// I/O errors connecting to or talking with vpcd.
pub fn serve_vpcd(
    card: VirtualCard,
    host: &str,
    port: u16,
    shutdown: &AtomicBool,
) -> io::Result<(VirtualCard, Stopped)> {
    serve_vpcd_with_log(card, host, port, shutdown, |_| {})
}

/// [`serve_vpcd`], telling `log` about each event.
///
/// # Errors
///
/// I/O errors connecting to or talking with vpcd.
pub fn serve_vpcd_with_log(
    card: VirtualCard,
    host: &str,
    port: u16,
    shutdown: &AtomicBool,
    mut log: impl FnMut(Event),
) -> io::Result<(VirtualCard, Stopped)> {
    let mut card = card;
    let addresses: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    let Some(mut stream) = connect(&addresses, shutdown)? else {
        return Ok((card, Stopped::Shutdown));
    };
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(POLL))?;
    if let Ok(peer) = stream.peer_addr() {
        log(Event::Connected(peer));
    }
    loop {
        let Some(frame) = read_frame(&mut stream, shutdown)? else {
            let why = if shutdown.load(Ordering::Relaxed) {
                Stopped::Shutdown
            } else {
                Stopped::VpcdClosed
            };
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return Ok((card, why));
        };
        match frame.as_slice() {
            [] => {}
            [GET_ATR] => write_frame(&mut stream, &ATR)?,
            [code @ (POWER_OFF | POWER_ON | RESET)] => {
                card.reset();
                log(Event::Reset(match *code {
                    POWER_OFF => "power off",
                    POWER_ON => "power on",
                    _ => "reset",
                }));
            }
            [code] => log(Event::UnknownControl(*code)),
            command => {
                let response = card.process(command);
                let sw = match response.as_slice() {
                    [.., a, b] => u16::from_be_bytes([*a, *b]),
                    _ => 0,
                };
                write_frame(&mut stream, &response)?;
                log(Event::Apdu {
                    ins: command[1],
                    sw,
                    response_len: response.len(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::sync::Arc;

    /// A stand-in for vpcd: sends frames the way Debian's vpcd does (length and body in two
    /// writes) and reads the answers.
    #[test]
    fn speaks_the_vpcd_protocol() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shutdown = Arc::new(AtomicBool::new(false));
        let flag = shutdown.clone();
        let bridge = std::thread::spawn(move || {
            serve_vpcd(
                VirtualCard::from_profile(kazashi_virtual_card::Profile::PhysicalCard),
                "127.0.0.1",
                port,
                &flag,
            )
        });
        let (mut vpcd, _) = listener.accept().unwrap();
        let send = |s: &mut TcpStream, body: &[u8]| {
            s.write_all(&(body.len() as u16).to_be_bytes()).unwrap();
            s.write_all(body).unwrap();
        };
        let recv = |s: &mut TcpStream| {
            let mut len = [0u8; 2];
            s.read_exact(&mut len).unwrap();
            let mut body = vec![0; u16::from_be_bytes(len) as usize];
            s.read_exact(&mut body).unwrap();
            body
        };
        send(&mut vpcd, &[POWER_ON]);
        send(&mut vpcd, &[GET_ATR]);
        assert_eq!(recv(&mut vpcd), ATR);
        let select = [
            0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00,
            0x01,
        ];
        send(&mut vpcd, &select);
        assert_eq!(recv(&mut vpcd), [0x90, 0x00]);
        // A wrong PIN spends an attempt; a reset does not give it back.
        send(&mut vpcd, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]);
        assert_eq!(recv(&mut vpcd), [0x90, 0x00]);
        send(
            &mut vpcd,
            &[0x00, 0x20, 0x00, 0x80, 0x04, b'9', b'9', b'9', b'9'],
        );
        assert_eq!(recv(&mut vpcd), [0x63, 0xC2]);
        send(&mut vpcd, &[RESET]);
        send(&mut vpcd, &select);
        assert_eq!(recv(&mut vpcd), [0x90, 0x00]);
        send(&mut vpcd, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18]);
        assert_eq!(recv(&mut vpcd), [0x90, 0x00]);
        send(&mut vpcd, &[0x00, 0x20, 0x00, 0x80]);
        assert_eq!(recv(&mut vpcd), [0x63, 0xC2]);
        shutdown.store(true, Ordering::Relaxed);
        let (card, why) = bridge.join().unwrap().unwrap();
        assert_eq!(why, Stopped::Shutdown);
        assert_eq!(
            card.attempts_left(kazashi::PinKind::Authentication),
            Some(2)
        );
    }

    #[test]
    fn stops_when_vpcd_goes_away() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let bridge = std::thread::spawn(move || {
            serve_vpcd(
                VirtualCard::from_profile(kazashi_virtual_card::Profile::PhysicalCard),
                "127.0.0.1",
                port,
                &AtomicBool::new(false),
            )
        });
        drop(listener.accept().unwrap());
        let (_, why) = bridge.join().unwrap().unwrap();
        assert_eq!(why, Stopped::VpcdClosed);
    }
}
