//! The line echo server: one thread per connection, one decoder per thread.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use crate::{LineDecoder, LineError};

/// How many bytes one `read` may bring in. The decoder's buffer holds at most
/// one line plus one chunk, so this and `max_len` bound a connection's memory.
const CHUNK: usize = 4096;

/// After a protocol error, how long (and how much) to keep reading and
/// discarding what the client still sends before closing. See `close_after_error`.
const LINGER_TIME: Duration = Duration::from_millis(500);
const LINGER_BYTES: u64 = 64 * 1024;

// ANCHOR: serve
/// Accepts connections forever, serving each with [`handle_client`] on its own
/// thread, so that a slow or silent client holds up only its own thread.
///
/// An `accept` error that concerns one connection only (`ConnectionAborted`,
/// `ConnectionReset`, `Interrupted`) is skipped. Returns only if `accept` fails
/// for another reason (for example, the process ran out of file descriptors).
pub fn serve(listener: TcpListener, max_len: usize) -> io::Result<()> {
    // One thread per connection keeps the code straight-line. Part 05 weighs
    // this model against the others; part 09 caps how many connections are
    // served at once.
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            // The client gave up between connecting and our accept: not our problem.
            Err(err) if is_about_one_connection(&err) => continue,
            Err(err) => return Err(err),
        };
        let spawned = thread::Builder::new()
            .name(format!("client {peer}"))
            .spawn(move || {
                if let Err(err) = handle_client(stream, max_len) {
                    // The client vanished or reset: log it, nothing else to do.
                    eprintln!("line-echo: {peer}: {err}");
                }
            });
        if let Err(err) = spawned {
            // Out of threads: this client is dropped (closed), the server goes on.
            eprintln!("line-echo: cannot serve {peer}: {err}");
        }
    }
}

fn is_about_one_connection(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    )
}
// ANCHOR_END: serve

// ANCHOR: handle_client
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
pub fn handle_client(stream: TcpStream, max_len: usize) -> io::Result<()> {
    let mut decoder = LineDecoder::new(max_len);
    let mut chunk = [0u8; CHUNK];
    // The replies to one chunk's lines, sent with a single write instead of one
    // tiny write (and TCP segment) per line.
    let mut replies = String::new();
    loop {
        let n = read_some(&mut &stream, &mut chunk)?;
        replies.clear();
        let outcome = if n == 0 {
            decoder.finish()
        } else {
            decoder.feed(&chunk[..n]);
            echo_lines(&mut decoder, &mut replies)
        };
        if let Err(err) = &outcome {
            replies.push_str(&format!("error: {err}\n"));
        }
        // Send before the next read blocks: the client may be waiting for these
        // replies before it sends anything more.
        (&stream).write_all(replies.as_bytes())?;
        if outcome.is_err() {
            return close_after_error(stream);
        }
        if n == 0 {
            return Ok(());
        }
    }
}
// ANCHOR_END: handle_client

// ANCHOR: echo_lines
/// Appends the reply to every complete line in the decoder; stops at the first
/// error, keeping the replies to the lines before it.
fn echo_lines(decoder: &mut LineDecoder, replies: &mut String) -> Result<(), LineError> {
    while let Some(line) = decoder.next_line()? {
        replies.push_str("echo: ");
        replies.push_str(&line);
        replies.push('\n');
    }
    Ok(())
}
// ANCHOR_END: echo_lines

/// One `read`, retried when a signal interrupted it before any byte arrived.
fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}

// ANCHOR: close
/// Closes the connection after the error reply, so that the reply arrives.
///
/// Closing a socket whose receive buffer still holds unread bytes makes the
/// kernel send a reset (RST) instead of a normal close (FIN), and throw away
/// whatever it has not sent yet: our reply, if the client is slow to read. So:
/// announce the end (`shutdown(Write)` sends FIN after the reply), then read and
/// discard what the client still sends, for a bounded time and amount, and only
/// then close. Web servers call this a lingering close.
fn close_after_error(stream: TcpStream) -> io::Result<()> {
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(LINGER_TIME))?;
    // Errors here (timeout, reset) only end the draining early.
    let _ = io::copy(&mut (&stream).take(LINGER_BYTES), &mut io::sink());
    Ok(())
}
// ANCHOR_END: close
