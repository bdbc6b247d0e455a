//! Accepting without blocking: take everything that is waiting, then stop.

use std::io;
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
pub fn accept_ready(listener: &TcpListener) -> io::Result<Vec<(TcpStream, SocketAddr)>> {
    let _ = listener;
    todo!(
        "call accept in a loop until WouldBlock; set_nonblocking(true) on each stream; \
         skip Interrupted and ConnectionAborted \
         (lesson 05.4, 'Accepting without blocking')"
    )
}
