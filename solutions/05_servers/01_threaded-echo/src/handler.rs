//! The conversation with one client: the echo loop of part 01's `tcp-echo`.

use std::io;
use std::net::TcpStream;

/// Echoes everything `stream` sends back to it until the client half-closes
/// or closes, then closes the connection (the echo loop of part 01's `tcp-echo`).
///
/// * Each piece is written back (all of it) as soon as it is read.
/// * A read of 0 bytes is end-of-file: the function returns, dropping the
///   stream, which sends FIN: the client's reads then return 0.
/// * Returns the number of bytes echoed, or the first I/O error (a reset, a
///   broken pipe). `Interrupted` is retried, not an error.
// ANCHOR: handle_client
pub fn handle_client(stream: TcpStream) -> io::Result<u64> {
    // `&TcpStream` implements both Read and Write, so one socket can be both
    // ends of `io::copy`, which is part 01's loop: read into a buffer,
    // write_all what came, retry on Interrupted, stop when read returns 0.
    io::copy(&mut &stream, &mut &stream)
}
// ANCHOR_END: handle_client
