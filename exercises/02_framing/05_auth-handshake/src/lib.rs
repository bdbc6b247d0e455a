//! Authenticating a client with a shared secret: an HMAC-SHA256 challenge-response.
//!
//! Both ends know a secret [`Key`] of at least [`MIN_KEY_LEN`] random bytes. The
//! server proves that the client knows it too, without the key ever crossing the
//! wire. Every message is a length-prefixed frame (see [`frame`]):
//!
//! ```text
//!   client                                        server
//!     |  <-------- nonce: 32 fresh random bytes ----- |
//!     |  --- answer: HMAC-SHA256(key, nonce), 32 B -> |  compare in constant time
//!     |  <-------------------- "OK" ----------------- |  (or close the connection)
//!     |  ...the application's own frames...          |
//! ```
//!
//! What this does *not* give you: secrecy (nothing is encrypted), proof that the
//! server is genuine, or protection of the messages after the handshake. Real
//! services use TLS for those; see the lesson.

use std::error::Error;
use std::fmt;
use std::io::{self, ErrorKind};
use std::time::Duration;

pub mod client;
pub mod crypto;
pub mod frame;
pub mod key;
pub mod server;

pub use client::client_handshake;
pub use crypto::{compute_tag, constant_time_eq, fresh_nonce};
pub use key::{Key, KeyError, MIN_KEY_LEN};
pub use server::server_handshake;

/// Length of the server's challenge, in bytes (256 random bits).
pub const NONCE_LEN: usize = 32;

/// Length of an HMAC-SHA256 tag, in bytes: the client's answer.
pub const TAG_LEN: usize = 32;

/// The server's last handshake frame when it accepts the client.
pub const ACCEPTED: &[u8] = b"OK";

/// How long a server waits for a client's answer unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a handshake failed.
#[derive(Debug)]
pub enum AuthError {
    /// The answer was well-formed but wrong: the client used another key, or
    /// replayed an answer that belongs to another session's nonce. On the client
    /// side: the server closed the connection instead of saying "OK".
    Refused,
    /// The peer broke the protocol: a frame of the wrong size (including one whose
    /// length prefix is over the limit), or a reply other than "OK".
    Protocol(String),
    /// The peer did not finish its part before the deadline.
    TimedOut,
    /// The connection failed, or ended in the middle of the handshake
    /// (`ErrorKind::UnexpectedEof`).
    Io(io::Error),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Refused => write!(f, "authentication refused"),
            AuthError::Protocol(what) => write!(f, "handshake protocol error: {what}"),
            AuthError::TimedOut => write!(f, "the handshake timed out"),
            AuthError::Io(err) => write!(f, "handshake I/O error: {err}"),
        }
    }
}

impl Error for AuthError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            AuthError::Io(err) => Some(err),
            _ => None,
        }
    }
}

/// Sorts an I/O error into the handshake's vocabulary, so `?` does the right thing:
/// a read timeout becomes [`AuthError::TimedOut`], an over-long frame (what
/// [`frame::read_frame`] reports as `InvalidData`) becomes [`AuthError::Protocol`],
/// and everything else stays [`AuthError::Io`].
impl From<io::Error> for AuthError {
    fn from(err: io::Error) -> Self {
        match err.kind() {
            // A socket read timeout is `WouldBlock` on Unix and `TimedOut` on Windows.
            ErrorKind::WouldBlock | ErrorKind::TimedOut => AuthError::TimedOut,
            ErrorKind::InvalidData => AuthError::Protocol(err.to_string()),
            _ => AuthError::Io(err),
        }
    }
}
