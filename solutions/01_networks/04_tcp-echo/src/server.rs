//! The iterative echo server: one client at a time.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};

use crate::CHUNK;

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
// ANCHOR: serve
pub fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // The client gave up while it waited in the backlog: skip it.
            Err(err) if is_about_one_connection(&err) => continue,
            Err(err) => return Err(err),
        };
        // One client at a time: nobody else is accepted until this returns.
        if let Err(err) = handle_client(stream) {
            eprintln!("tcp-echo: {peer}: {err}");
        }
    }
}
// ANCHOR_END: serve

fn is_about_one_connection(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
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
// ANCHOR: handle_client
pub fn handle_client(mut stream: TcpStream) -> io::Result<u64> {
    let mut buf = [0u8; CHUNK];
    let mut echoed = 0u64;
    loop {
        let len = match stream.read(&mut buf) {
            // End-of-file: the client will send nothing more.
            Ok(0) => break,
            Ok(len) => len,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        // `write` may accept fewer bytes than it is given; `write_all` loops.
        stream.write_all(&buf[..len])?;
        echoed += len as u64;
    }
    // Dropping the stream closes it: our FIN reaches the client as end-of-file,
    // its signal that the echo is complete.
    drop(stream);
    Ok(echoed)
}
// ANCHOR_END: handle_client
