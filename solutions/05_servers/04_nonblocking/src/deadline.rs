//! Reading with a deadline: blocking, but never past a given moment.

use std::io::{self, ErrorKind, Read};
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
