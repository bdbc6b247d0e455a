//! What can go wrong while framing. This file is complete.

use std::error::Error;
use std::fmt;
use std::io;

use crate::HEADER_LEN;

/// Why a frame could not be encoded, decoded, read or written.
#[derive(Debug)]
pub enum FrameError {
    /// A payload of `len` bytes is over the limit of `max_len` bytes.
    ///
    /// When reading, `len` is what a header announced, and the error is
    /// reported as soon as the header has arrived: the payload is never read,
    /// and no memory is set aside for it.
    TooLarge { len: usize, max_len: usize },
    /// The stream ended inside a header: `received` bytes of its 4 had arrived
    /// (1 to 3).
    TruncatedHeader { received: usize },
    /// The stream ended inside a payload: the header announced `expected`
    /// bytes, only `received` of them arrived.
    TruncatedPayload { expected: usize, received: usize },
    /// Reading or writing failed (connection reset, broken pipe, timeout...).
    Io(io::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge { len, max_len } => {
                write!(
                    f,
                    "a frame of {len} bytes is over the limit of {max_len} bytes"
                )
            }
            FrameError::TruncatedHeader { received } => write!(
                f,
                "the stream ended inside a frame header: {received} of {HEADER_LEN} bytes arrived"
            ),
            FrameError::TruncatedPayload { expected, received } => write!(
                f,
                "the stream ended inside a frame: {received} of {expected} payload bytes arrived"
            ),
            FrameError::Io(err) => write!(f, "i/o error: {err}"),
        }
    }
}

impl Error for FrameError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            FrameError::Io(err) => Some(err),
            _ => None,
        }
    }
}

/// Lets `?` turn an I/O error into a `FrameError`.
impl From<io::Error> for FrameError {
    fn from(err: io::Error) -> Self {
        FrameError::Io(err)
    }
}
