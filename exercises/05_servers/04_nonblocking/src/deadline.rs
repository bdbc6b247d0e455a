//! Reading with a deadline: blocking, but never past a given moment.

use std::io;
use std::net::TcpStream;
use std::time::Instant;

use crate::ReadOutcome;

/// Reads from a **blocking** stream, waiting for bytes but never past
/// `deadline`.
///
/// * Returns [`ReadOutcome::Data`] as soon as any bytes arrive (it does not
///   wait for `buf` to fill), and [`ReadOutcome::Eof`] as soon as the peer has
///   finished sending.
/// * Returns [`ReadOutcome::NotYet`] when the deadline passes with nothing
///   read: a timeout is "not now", not an error, and the caller decides what it
///   means. A deadline that has already passed gives `NotYet` at once, without
///   reading: bytes already waiting stay in the socket for the next read.
/// * The wait uses the stream's read timeout (`set_read_timeout`), set to the
///   time that is left; the caller's own read timeout is put back before
///   returning, whatever the outcome. The time-out error differs by OS
///   (`WouldBlock` on Unix, `TimedOut` on Windows); both mean "not yet".
/// * `Interrupted` reads are retried with the time that is left.
/// * Any other error (`ConnectionReset`, ...) is returned as it is.
/// * An empty `buf` is an `InvalidInput` error (it would look like end-of-file).
///
/// The stream must be in blocking mode (the default): on a non-blocking one a
/// read never waits, and this would turn into a busy loop until the deadline.
pub fn read_with_deadline(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> io::Result<ReadOutcome> {
    let _ = (stream, buf, deadline);
    todo!(
        "loop: time left = deadline - now (NotYet when none); set_read_timeout(Some(left)); \
         read; a timeout (WouldBlock or TimedOut) goes round again; restore the caller's \
         read timeout before returning (lesson 05.4, 'A timeout is not a deadline')"
    )
}
