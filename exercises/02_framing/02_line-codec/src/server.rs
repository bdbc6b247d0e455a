//! The line echo server: one thread per connection, one decoder per thread.

use std::io;
use std::net::{TcpListener, TcpStream};

/// Accepts connections forever, serving each with [`handle_client`] on its own
/// thread, so that a slow or silent client holds up only its own thread.
///
/// An `accept` error that concerns one connection only (`ConnectionAborted`,
/// `ConnectionReset`, `Interrupted`) is skipped. Returns only if `accept` fails
/// for another reason (for example, the process ran out of file descriptors).
pub fn serve(_listener: TcpListener, max_len: usize) -> io::Result<()> {
    todo!(
        "accept connections in a loop and run handle_client(stream, {max_len}) for \
         each on a new thread (lesson 02.2, 'The server')"
    )
}

/// Serves one client until it stops sending or breaks the protocol.
///
/// * Every complete line gets the reply `echo: <line>\n` (always `\n`, whatever
///   ending the line had), in order.
/// * A [`LineError`](crate::LineError) gets the reply `error: <the error's
///   text>\n`, after the replies to the lines before it; then the connection is
///   closed. This covers a line over `max_len` bytes (sent as soon as it is
///   detected, before the client ever sends a newline), invalid UTF-8, and a
///   client that closes its sending side in the middle of a line.
/// * When the client closes its sending side after a complete line, the server
///   closes the connection once the replies are sent.
///
/// Returns `Ok(())` when the session ended by these rules, and `Err` when the
/// connection itself failed (reset by the client, broken pipe). Never panics
/// because of what a client sends or how it disconnects.
pub fn handle_client(_stream: TcpStream, max_len: usize) -> io::Result<()> {
    todo!(
        "read from the stream into a LineDecoder::new({max_len}) and answer each \
         line with \"echo: <line>\\n\" (lesson 02.2, 'The server')"
    )
}
