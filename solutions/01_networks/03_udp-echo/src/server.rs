//! The echo server: every datagram goes back to whoever sent it.

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::RECV_BUFFER;

/// How often [`serve`] wakes up, when no datagram comes, to look at its stop
/// flag. A blocking `recv_from` waits for ever; a read timeout of this length
/// turns it into "wait at most this long, then check the flag and wait again".
pub const STOP_CHECK: Duration = Duration::from_millis(50);

/// Echoes datagrams on `socket` until `stop` is set, then returns `Ok(())`.
///
/// * Every datagram received is sent back, byte for byte, to the address it
///   came from: one datagram in, one datagram out, boundaries kept. That
///   includes empty datagrams (0 bytes is a message in UDP, not end-of-file)
///   and datagrams of any size up to [`MAX_DATAGRAM`](crate::MAX_DATAGRAM):
///   receive into a [`RECV_BUFFER`](crate::RECV_BUFFER)-sized buffer, never
///   something like 1024 bytes, or long datagrams are silently cut.
/// * `stop` is looked at at least every [`STOP_CHECK`]: set the socket's read
///   timeout to it, and treat a timed-out read (`WouldBlock` on Unix,
///   `TimedOut` on Windows) as "nothing yet", not as an error. `serve` returns
///   within about [`STOP_CHECK`] of the flag being set.
/// * One client's trouble never stops the server: a failed `send_to` is
///   reported on stderr and the loop goes on; so does a `ConnectionReset` or
///   `ConnectionRefused` from `recv_from` (Windows reports an ICMP "port
///   unreachable", caused by an earlier reply to a client that had gone,
///   on the next read).
/// * Returns `Err` only if setting the timeout fails or `recv_from` fails for
///   any other reason.
// ANCHOR: serve
pub fn serve(socket: UdpSocket, stop: &AtomicBool) -> io::Result<()> {
    // Without a timeout, recv_from would sleep until the next datagram, which
    // may never come, and the flag would never be looked at.
    socket.set_read_timeout(Some(STOP_CHECK))?;
    // One buffer, reused: big enough for any datagram, so none is ever cut.
    let mut buf = vec![0u8; RECV_BUFFER];

    // Relaxed is enough: the flag carries no other data with it, we only need
    // to see it flip eventually.
    while !stop.load(Ordering::Relaxed) {
        match socket.recv_from(&mut buf) {
            Ok((len, peer)) => echo(&socket, &buf[..len], peer),
            Err(err) if is_quiet(&err) => continue,
            Err(err) if is_about_a_gone_client(&err) => continue,
            Err(err) => return Err(err),
        }
    }
    Ok(())
}
// ANCHOR_END: serve

/// Sends one datagram back. A failure concerns this client only, so it is
/// reported and swallowed rather than ending the server.
fn echo(socket: &UdpSocket, datagram: &[u8], peer: SocketAddr) {
    if let Err(err) = socket.send_to(datagram, peer) {
        eprintln!("udp-echo: could not answer {peer}: {err}");
    }
}

/// A read that ended because the timeout passed (the kind differs by OS) or
/// because a signal interrupted it: nothing happened, go round again.
fn is_quiet(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

/// An ICMP "port unreachable" for an earlier reply, reported on this read.
/// Linux and macOS report those only on connected sockets; Windows reports
/// them on every UDP socket, as `WSAECONNRESET`.
fn is_about_a_gone_client(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    )
}
