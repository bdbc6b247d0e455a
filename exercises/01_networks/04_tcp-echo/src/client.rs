//! The client: send everything, half-close, read everything.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// Connects to `addr`, sends `payload`, half-closes, and returns everything the
/// server sends until it closes the connection.
///
/// * Sends the whole payload, then shuts down the sending side
///   (`shutdown(Shutdown::Write)`): the server's next read returns 0 and it
///   knows the request is complete, while this side can still read.
/// * Reads while it writes, on two threads (one writes, one reads). Writing
///   everything first and reading afterwards deadlocks as soon as the payload
///   is larger than what the socket buffers hold: the server stops reading
///   when its echo cannot be sent, because nobody reads it.
/// * Reads until end-of-file (the server closed); the reply is every byte
///   received, whatever the server sent. An empty payload is fine: the client
///   half-closes at once.
/// * `timeout` bounds the connect and every single read and write: a server
///   that goes silent makes the call fail with a timeout error (`WouldBlock`
///   on Unix, `TimedOut` on Windows) rather than hang. A zero `timeout` is an
///   `InvalidInput` error.
/// * Any I/O error is returned: connection refused, a reset (`ConnectionReset`)
///   even when part of the reply had arrived, a failed write. Never returns a
///   partial reply as `Ok`.
pub fn round_trip(addr: SocketAddr, payload: &[u8], timeout: Duration) -> io::Result<Vec<u8>> {
    todo!(
        "write round_trip(): connect to {addr}, write {} bytes on one thread and read to \
         end-of-file on another, half-closing after the last byte (timeouts of \
         {timeout:?}) (lesson 01.4, 'The client, and a deadlock that hides')",
        payload.len()
    )
}
