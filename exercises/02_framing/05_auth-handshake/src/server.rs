//! The server's side of the challenge-response handshake.

use std::net::TcpStream;
use std::time::Duration;

use crate::{AuthError, Key};

/// Runs the server's side of the handshake on a freshly accepted connection.
///
/// 1. Sends a frame holding a [`fresh_nonce`](crate::fresh_nonce).
/// 2. Reads the answer frame, at most [`TAG_LEN`](crate::TAG_LEN) bytes.
/// 3. Compares it with [`compute_tag`](crate::compute_tag)`(key, nonce)` using
///    [`constant_time_eq`](crate::constant_time_eq).
/// 4. Sends the frame [`ACCEPTED`](crate::ACCEPTED) and returns `Ok(())`.
///
/// `timeout` bounds the *whole* wait for the answer, not each read: a client that
/// trickles one byte at a time is cut off when `timeout` has passed since the
/// nonce was sent. On success the stream's read timeout is put back to what it was
/// before the call (whatever it was, not simply "none"), so the application can
/// use the connection as if nothing had happened.
///
/// Errors (in every case the connection is shut down before returning):
/// * [`AuthError::Refused`]: an answer of the right size that does not match
///   (wrong key, or an answer replayed from another session);
/// * [`AuthError::Protocol`]: an answer frame that is not exactly 32 bytes,
///   including a length prefix over the limit;
/// * [`AuthError::TimedOut`]: no complete answer within `timeout`;
/// * [`AuthError::Io`]: the connection failed, or ended before a whole answer
///   arrived (`ErrorKind::UnexpectedEof`).
pub fn server_handshake(
    _stream: &mut TcpStream,
    _key: &Key,
    _timeout: Duration,
) -> Result<(), AuthError> {
    todo!("server_handshake: send a fresh nonce, read the answer before a deadline, compare it in constant time (lesson 02.5, 'The handshake on the wire')")
}
