//! Receiving one datagram whole, or knowing that it was cut.

use std::io;
use std::net::{SocketAddr, UdpSocket};

use crate::{UdpError, RECV_BUFFER};

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
// ANCHOR: recv_whole
pub fn recv_whole(socket: &UdpSocket, max_len: usize) -> Result<(Vec<u8>, SocketAddr), UdpError> {
    // One byte more than allowed: if that byte gets filled, the datagram was
    // longer than max_len, whatever else the OS says. No datagram exceeds
    // RECV_BUFFER, so a larger max_len needs no larger buffer (and a caller's
    // usize::MAX must not become an allocation).
    let mut buf = vec![0u8; max_len.min(RECV_BUFFER) + 1];
    let (len, from) = match socket.recv_from(&mut buf) {
        Ok(got) => got,
        Err(err) if is_message_too_long(&err) => return Err(UdpError::Truncated { max_len }),
        Err(err) => return Err(err.into()),
    };
    if len > max_len {
        return Err(UdpError::Truncated { max_len });
    }
    buf.truncate(len);
    Ok((buf, from))
}
// ANCHOR_END: recv_whole

/// Windows does not truncate silently: it fills the buffer and fails with
/// `WSAEMSGSIZE` (10040).
fn is_message_too_long(err: &io::Error) -> bool {
    cfg!(windows) && err.raw_os_error() == Some(10040)
}
