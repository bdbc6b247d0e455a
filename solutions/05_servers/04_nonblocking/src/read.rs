//! Reading without blocking, and reading with a deadline.

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::time::Instant;

use crate::ReadOutcome;

/// Makes one read attempt on a **non-blocking** stream and never waits.
///
/// The stream must have been put in non-blocking mode
/// (`stream.set_nonblocking(true)`); on a blocking stream the call would wait
/// like any read.
///
/// * Bytes waiting in the socket: reads up to `buf.len()` of them into `buf`
///   and returns [`ReadOutcome::Data`] with the count (at least 1).
/// * Nothing has arrived (the OS says `WouldBlock`, `EAGAIN`): returns
///   [`ReadOutcome::NotYet`]. That is "not now", not an error.
/// * The peer has finished sending and everything was read (`read` returns 0):
///   returns [`ReadOutcome::Eof`], again on every later call.
/// * A signal interrupted the call (`Interrupted`): tries again.
/// * Any other error (`ConnectionReset` from a peer that aborted, an invalid
///   socket) is returned as it is.
/// * An empty `buf` is an `InvalidInput` error: a read into it would return 0,
///   which would look like end-of-file.
// ANCHOR: try_read
pub fn try_read(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<ReadOutcome> {
    if buf.is_empty() {
        return Err(empty_buffer());
    }
    loop {
        return match stream.read(buf) {
            Ok(0) => Ok(ReadOutcome::Eof),
            Ok(n) => Ok(ReadOutcome::Data(n)),
            // EAGAIN / EWOULDBLOCK: the receive buffer is empty. Not an error.
            Err(err) if err.kind() == ErrorKind::WouldBlock => Ok(ReadOutcome::NotYet),
            // A signal arrived before any byte did; nothing happened, ask again.
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => Err(err),
        };
    }
}
// ANCHOR_END: try_read

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
// ANCHOR: read_with_deadline
pub fn read_with_deadline(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> io::Result<ReadOutcome> {
    if buf.is_empty() {
        return Err(empty_buffer());
    }
    // The read timeout belongs to whoever owns the stream: borrow it, and put
    // it back even when the read fails.
    let callers_timeout = stream.read_timeout()?;
    let outcome = read_before(stream, buf, deadline);
    stream.set_read_timeout(callers_timeout)?;
    outcome
}

fn read_before(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> io::Result<ReadOutcome> {
    loop {
        // Saturates at zero once the deadline has passed.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(ReadOutcome::NotYet);
        }
        // Never Some(ZERO): std refuses it (InvalidInput), because to the
        // kernel a zero SO_RCVTIMEO means "wait for ever".
        stream.set_read_timeout(Some(left))?;
        match stream.read(buf) {
            Ok(0) => return Ok(ReadOutcome::Eof),
            Ok(n) => return Ok(ReadOutcome::Data(n)),
            // The timeout fired (or a signal cut the wait short): go round,
            // and the clock decides whether any time is left.
            Err(err) if is_timeout(&err) || err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        }
    }
}
// ANCHOR_END: read_with_deadline

// ANCHOR: is_timeout
/// A read timeout shows up as `WouldBlock` (EAGAIN) on Unix and as `TimedOut`
/// on Windows: portable code accepts both.
fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}
// ANCHOR_END: is_timeout

fn empty_buffer() -> io::Error {
    io::Error::new(
        ErrorKind::InvalidInput,
        "cannot read into an empty buffer: a 0-byte read would look like end-of-file",
    )
}
