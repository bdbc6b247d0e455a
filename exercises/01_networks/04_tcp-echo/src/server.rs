//! The iterative echo server: one client at a time.

use std::io;
use std::net::{TcpListener, TcpStream};

/// Accepts clients one after another, for ever, and serves each with
/// [`handle_client`] before accepting the next.
///
/// While one client is served, the others wait: the kernel completes their
/// handshakes and queues them (the listen backlog), and they are accepted only
/// when the current client is done. That is the limit of the iterative model.
///
/// * An error with one client (it reset the connection, or went away while its
///   echo was being written) is reported on stderr; the server goes on with the
///   next client. A client can never stop the server.
/// * An `accept` error that concerns one connection only
///   (`ConnectionAborted`, `ConnectionReset`, `Interrupted`) is skipped too.
///   Any other `accept` error (for example, out of file descriptors) is
///   returned: that is the only way `serve` returns.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    let _ = listener;
    todo!(
        "write serve(): accept clients in a loop and serve each with handle_client, \
         reporting (not returning) its errors \
         (lesson 01.4, 'The iterative echo server')"
    )
}

/// Echoes everything `stream` sends back to it, until the client half-closes.
///
/// * Reads into a buffer of [`CHUNK`](crate::CHUNK) bytes and writes back
///   exactly the bytes each read returned (`write_all`: a single `write` may
///   take only part of them), at once: the echo of the first bytes does not
///   wait for the last.
/// * A read that returns 0 is end-of-file: the client has shut down its
///   sending side (or closed). Then the server closes the connection, which
///   tells the client that the echo is complete.
/// * Returns the number of bytes echoed, or the first I/O error (the client
///   reset the connection; a write failed with `BrokenPipe` because the client
///   is gone). `Interrupted` reads are retried, not errors.
pub fn handle_client(stream: TcpStream) -> io::Result<u64> {
    let _ = stream;
    todo!(
        "write handle_client(): read into a buffer and write_all each piece back until \
         read returns 0, then close \
         (lesson 01.4, 'The iterative echo server')"
    )
}
