//! Reading without blocking: one attempt, never a wait.

use std::io;
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
pub fn try_read(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<ReadOutcome> {
    let _ = (stream, buf);
    todo!(concat!(
        "read once; map Ok(0) to Eof, Ok(n) to Data(n), WouldBlock to NotYet, retry \
         Interrupted, return other errors; an empty buffer is InvalidInput ",
        r#"(lesson 05.4, 'Non-blocking I/O: "not now" is an answer')"#
    ))
}
