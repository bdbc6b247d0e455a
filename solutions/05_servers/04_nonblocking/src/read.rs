//! Reading without blocking: one attempt, never a wait.

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;

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

fn empty_buffer() -> io::Error {
    io::Error::new(
        ErrorKind::InvalidInput,
        "cannot read into an empty buffer: a 0-byte read would look like end-of-file",
    )
}
