//! The echo server: every datagram goes back to whoever sent it.

use std::io;
use std::net::UdpSocket;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

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
pub fn serve(socket: UdpSocket, stop: &AtomicBool) -> io::Result<()> {
    let _ = (socket, stop);
    todo!(
        "write serve(): receive datagrams and send each back to its sender until the \
         stop flag is set, waking every STOP_CHECK to look at it \
         (lesson 01.3, 'The echo server, and how to stop it')"
    )
}
