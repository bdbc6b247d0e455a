//! Receiving one datagram whole, or knowing that it was cut.

use std::net::{SocketAddr, UdpSocket};

use crate::UdpError;

/// Receives one datagram of at most `max_len` bytes and returns it with the
/// address it came from.
///
/// On Linux and macOS, `recv_from` into a buffer shorter than the datagram
/// fills the buffer, throws the rest of the datagram away, and returns the
/// buffer's length, as if nothing had happened (Windows returns an error
/// instead). This function notices: a datagram longer than `max_len` bytes is
/// [`UdpError::Truncated`], never a short `Ok`. A datagram of exactly
/// `max_len` bytes, or shorter, is returned whole; an empty datagram is an
/// empty `Vec`.
///
/// Any `max_len` works, `usize::MAX` included (meaning "whatever size"): no
/// datagram is longer than [`RECV_BUFFER`](crate::RECV_BUFFER) bytes, so the
/// buffer never needs more than `RECV_BUFFER + 1`, and `max_len + 1` must not
/// overflow or allocate more than that.
///
/// Blocks as long as `socket`'s read timeout allows; a timed-out read is
/// returned as [`UdpError::Io`].
pub fn recv_whole(socket: &UdpSocket, max_len: usize) -> Result<(Vec<u8>, SocketAddr), UdpError> {
    let _ = socket;
    todo!(
        "write recv_whole(): receive one datagram into a buffer one byte longer than \
         max_len ({max_len}, but never more than RECV_BUFFER) and report \
         UdpError::Truncated when it fills it \
         (lesson 01.3, 'Detecting a truncated datagram')"
    )
}
