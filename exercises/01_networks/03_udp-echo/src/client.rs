//! The client: a request, a reply, and retries when the reply does not come.

use std::net::SocketAddr;
use std::time::Duration;

use crate::UdpError;

/// Sends `payload` to `server` as one datagram and returns the first datagram
/// the server sends back.
///
/// * Waits at most `timeout` for a reply after each send. When none comes, it
///   sends the same payload again, up to `retries` more times: at most
///   `retries + 1` datagrams in all. Then it gives up with
///   [`UdpError::TimedOut`] carrying the number of attempts. The whole call
///   takes at most about `(retries + 1) * timeout`.
/// * Uses a fresh socket bound to an ephemeral port of the server's address
///   family, and `connect`s it to `server`. A connected UDP socket sends no
///   handshake; it makes the OS drop datagrams from any other address (so a
///   stranger cannot slip in a forged reply) and report ICMP "port
///   unreachable" as an error.
/// * When the OS reports that nobody listens there (`ConnectionRefused`, or
///   `ConnectionReset` on Windows), that attempt ends at once and counts like a
///   timed-out one; if the last attempt ended that way the error is
///   [`UdpError::Refused`] instead of [`UdpError::TimedOut`].
/// * A payload longer than [`MAX_DATAGRAM`](crate::MAX_DATAGRAM) is refused
///   with [`UdpError::TooLarge`] before anything is sent. An empty payload is
///   fine: it is sent as an empty datagram.
/// * The reply is received into a [`RECV_BUFFER`](crate::RECV_BUFFER)-sized
///   buffer, so it is never truncated. It is returned as it came, whatever it
///   holds.
/// * A zero `timeout` is an [`UdpError::Io`] error of kind `InvalidInput`
///   (std refuses it, because the OS reads zero as "wait for ever"). Any other
///   I/O error is returned as [`UdpError::Io`].
pub fn request(
    server: SocketAddr,
    payload: &[u8],
    timeout: Duration,
    retries: u32,
) -> Result<Vec<u8>, UdpError> {
    todo!(
        "write request(): refuse a payload over MAX_DATAGRAM, then send the {} bytes to \
         {server} and wait up to {timeout:?} for the reply, sending again at most {retries} \
         more time(s) \
         (lesson 01.3, 'The client: timeouts and bounded retries')",
        payload.len()
    )
}
