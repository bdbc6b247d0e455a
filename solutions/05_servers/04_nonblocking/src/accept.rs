//! Accepting without blocking: take everything that is waiting, then stop.

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpListener, TcpStream};

/// Accepts every connection waiting on a **non-blocking** listener and returns
/// them with their peers' addresses, oldest first; an empty list when none is
/// waiting.
///
/// The listener must have been put in non-blocking mode
/// (`listener.set_nonblocking(true)`); on a blocking one the call would wait
/// for a client.
///
/// * Accepts until the OS says `WouldBlock` (the accept queue is empty): one
///   readiness event may stand for many connections.
/// * Every stream returned is already in non-blocking mode. (Linux does not
///   pass the listener's non-blocking flag on to accepted sockets; BSD and
///   macOS do. Setting it is the only portable way.)
/// * `Interrupted` is retried, and a connection the client aborted while it
///   waited in the queue (`ConnectionAborted`) is skipped: neither is an error
///   of the listener.
/// * Any other error (`EMFILE`, out of file descriptors; `EINVAL`, a socket
///   that is not listening) is returned when it comes first. When connections
///   were accepted before it in the same call, they are returned instead, and
///   the error is dropped: a lasting cause fails the next call again.
// ANCHOR: accept_ready
pub fn accept_ready(listener: &TcpListener) -> io::Result<Vec<(TcpStream, SocketAddr)>> {
    let mut accepted = Vec::new();
    let failure = loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                // Not inherited from the listener on Linux: set it every time.
                // A stream left blocking is dropped (closed), never handed out.
                if let Err(err) = stream.set_nonblocking(true) {
                    break err;
                }
                accepted.push((stream, peer));
            }
            // The queue is empty: everything that was waiting is ours.
            Err(err) if err.kind() == ErrorKind::WouldBlock => return Ok(accepted),
            Err(err) if is_about_one_attempt(&err) => continue,
            Err(err) => break err,
        }
    };
    // Hand out what we have; a lasting cause fails the next call again.
    if accepted.is_empty() {
        Err(failure)
    } else {
        Ok(accepted)
    }
}
// ANCHOR_END: accept_ready

// ANCHOR: one_attempt
/// Errors that concern one attempt or one client, not the listener.
fn is_about_one_attempt(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::Interrupted | ErrorKind::ConnectionAborted
    )
}
// ANCHOR_END: one_attempt
