//! The client's side of the challenge-response handshake.

use std::io::ErrorKind;
use std::net::TcpStream;

use crate::{compute_tag, frame, AuthError, Key, ACCEPTED, NONCE_LEN};

// ANCHOR: client
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
pub fn client_handshake(stream: &mut TcpStream, key: &Key) -> Result<(), AuthError> {
    let nonce = frame::read_frame(stream, NONCE_LEN)?
        .ok_or_else(|| AuthError::Io(ErrorKind::UnexpectedEof.into()))?;
    if nonce.len() != NONCE_LEN {
        return Err(AuthError::Protocol(format!(
            "the nonce has {} bytes, expected {NONCE_LEN}",
            nonce.len()
        )));
    }
    frame::write_frame(stream, &compute_tag(key.as_bytes(), &nonce))?;

    match frame::read_frame(stream, ACCEPTED.len()) {
        Ok(Some(reply)) if reply == ACCEPTED => Ok(()),
        Ok(Some(reply)) => Err(AuthError::Protocol(format!(
            "expected \"OK\", got \"{}\"",
            reply.escape_ascii()
        ))),
        // A server that refuses just hangs up; that is its whole answer.
        Ok(None) => Err(AuthError::Refused),
        Err(err) if err.kind() == ErrorKind::ConnectionReset => Err(AuthError::Refused),
        Err(err) => Err(err.into()),
    }
}
// ANCHOR_END: client
