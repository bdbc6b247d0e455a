//! The server's side of the challenge-response handshake.

use std::io::{self, ErrorKind, Read};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::{compute_tag, constant_time_eq, frame, fresh_nonce, AuthError, Key, ACCEPTED, TAG_LEN};

// ANCHOR: server
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
    stream: &mut TcpStream,
    key: &Key,
    timeout: Duration,
) -> Result<(), AuthError> {
    // The handshake borrows the socket's read timeout; the application gets its
    // own setting back afterwards.
    let saved_timeout = stream.read_timeout()?;
    match challenge(stream, key, timeout) {
        Ok(()) => {
            stream.set_read_timeout(saved_timeout)?;
            Ok(())
        }
        Err(err) => {
            // Hang up now, not whenever the caller drops the stream: a client that
            // failed gets nothing more from us, not even the reason.
            let _ = stream.shutdown(Shutdown::Both);
            Err(err)
        }
    }
}

/// Steps 1-4 of [`server_handshake`]; any error ends the handshake.
fn challenge(stream: &mut TcpStream, key: &Key, timeout: Duration) -> Result<(), AuthError> {
    let deadline = Instant::now() + timeout;
    let nonce = fresh_nonce()?;
    frame::write_frame(stream, &nonce)?;

    let mut reader = DeadlineReader { stream, deadline };
    let answer = frame::read_frame(&mut reader, TAG_LEN)?
        .ok_or_else(|| AuthError::Io(ErrorKind::UnexpectedEof.into()))?;
    if answer.len() != TAG_LEN {
        return Err(AuthError::Protocol(format!(
            "the answer has {} bytes, expected {TAG_LEN}",
            answer.len()
        )));
    }

    // The expected tag is recomputed for *this* session's nonce, so an answer
    // recorded from another session is simply wrong here: that defeats replay.
    let expected = compute_tag(key.as_bytes(), &nonce);
    if !constant_time_eq(&expected, &answer) {
        return Err(AuthError::Refused);
    }
    frame::write_frame(stream, ACCEPTED)?;
    Ok(())
}
// ANCHOR_END: server

// ANCHOR: deadline_reader
/// Reads from a socket until an absolute deadline.
///
/// A socket's read timeout restarts with every `read`, so a client sending one
/// byte every 0.9 s would keep a 1 s timeout alive forever (a "slow loris").
/// Setting the timeout to the time that is *left* before each read turns the
/// per-read timeout into a deadline for the whole message.
struct DeadlineReader<'a> {
    stream: &'a TcpStream,
    deadline: Instant,
}

impl Read for DeadlineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        // `set_read_timeout(Some(ZERO))` is an error, not "expire at once".
        if left.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        // `Read` is implemented for `&TcpStream`: reading needs no `&mut` socket.
        let mut stream = self.stream;
        stream.read(buf)
    }
}
// ANCHOR_END: deadline_reader
