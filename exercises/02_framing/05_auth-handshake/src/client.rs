//! The client's side of the challenge-response handshake.

use std::net::TcpStream;

use crate::{AuthError, Key};

/// Runs the client's side of the handshake: reads the nonce frame, answers with
/// [`compute_tag`](crate::compute_tag)`(key, nonce)`, and waits for the verdict.
///
/// Returns `Ok(())` when the server replies [`ACCEPTED`](crate::ACCEPTED).
///
/// Errors:
/// * [`AuthError::Refused`]: the server closed the connection (end-of-file or a
///   reset) instead of replying;
/// * [`AuthError::Protocol`]: a nonce that is not exactly 32 bytes, or a reply
///   other than "OK";
/// * [`AuthError::TimedOut`]: the stream's own read timeout (set by the caller)
///   expired;
/// * [`AuthError::Io`]: the connection failed, or closed before the nonce or in
///   the middle of a frame.
pub fn client_handshake(_stream: &mut TcpStream, _key: &Key) -> Result<(), AuthError> {
    todo!("client_handshake: read the nonce frame, send its tag as one frame, expect \"OK\" (lesson 02.5, 'The handshake on the wire')")
}
