//! The client: send everything, half-close, read everything.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::panic;
use std::thread;
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
// ANCHOR: round_trip
pub fn round_trip(addr: SocketAddr, payload: &[u8], timeout: Duration) -> io::Result<Vec<u8>> {
    let stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;

    // `&TcpStream` implements Read and Write, so two threads can share one
    // socket: one sends, the other receives. Scoped threads may borrow
    // `stream` and `payload`, because the scope waits for them.
    thread::scope(|scope| {
        let writer = scope.spawn(|| send_then_half_close(&stream, payload));
        let reply = read_until_closed(&stream);
        if reply.is_err() {
            // The reader gave up: wake the writer too, should it be blocked in
            // a write the server will never read.
            let _ = stream.shutdown(Shutdown::Both);
        }
        let sent = writer
            .join()
            .unwrap_or_else(|panic| panic::resume_unwind(panic));
        // A failed read explains more than the write it caused to fail.
        let reply = reply?;
        sent?;
        Ok(reply)
    })
}
// ANCHOR_END: round_trip

// ANCHOR: helpers
/// Writes all of `payload`, then sends FIN: "that was everything".
fn send_then_half_close(mut stream: &TcpStream, payload: &[u8]) -> io::Result<()> {
    stream.write_all(payload)?;
    stream.shutdown(Shutdown::Write)
}

/// Reads until the server closes its side (a read returns 0).
fn read_until_closed(mut stream: &TcpStream) -> io::Result<Vec<u8>> {
    let mut reply = Vec::new();
    // read_to_end loops until a read returns 0, and retries Interrupted.
    stream.read_to_end(&mut reply)?;
    Ok(reply)
}
// ANCHOR_END: helpers
