//! Part 02's frame format, again: a 4-byte big-endian length, then that many bytes.
//!
//! ```text
//! +----------------+--------------------------------+
//! | len: u32 (BE)  | payload: len bytes (JSON here) |
//! +----------------+--------------------------------+
//! ```
//!
//! This copy is given so the crate stands alone; it is what you wrote in
//! `length-prefix` and `file-transfer`: the limit is checked before anything is
//! allocated, and a frame cut off by end-of-file is an error, never a short message.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};

/// Why a frame could not be read.
#[derive(Debug)]
pub enum FrameError {
    /// The length prefix announces more than the limit. Nothing of the payload was
    /// read and nothing was allocated for it; the stream is now out of step.
    TooLong { len: u32, limit: u32 },
    /// Reading failed: a timeout, a reset, or the stream ended inside the frame
    /// (kind [`ErrorKind::UnexpectedEof`]).
    Io(io::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { len, limit } => {
                write!(f, "a header of {len} bytes is over the limit of {limit}")
            }
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FrameError {}

impl From<io::Error> for FrameError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

/// Writes one frame: the length of `payload`, then `payload`, in one `write_all`.
///
/// Fails with [`ErrorKind::InvalidInput`] if `payload` is longer than `u32::MAX`.
pub fn write_frame<W: Write + ?Sized>(out: &mut W, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len())
        .map_err(|_| io::Error::new(ErrorKind::InvalidInput, "payload too long for a frame"))?;
    // Prefix and payload in one buffer: one write, so the peer never waits on a
    // lone 4-byte prefix (and Nagle's algorithm never holds the rest back).
    let mut bytes = Vec::with_capacity(4 + payload.len());
    bytes.extend_from_slice(&len.to_be_bytes());
    bytes.extend_from_slice(payload);
    out.write_all(&bytes)?;
    out.flush()
}

/// Reads one frame whose payload is at most `max_len` bytes; exactly 4 + len bytes
/// are taken from `input`, never more.
///
/// * `Ok(Some(payload))`: a whole frame.
/// * `Ok(None)`: the stream ended cleanly *between* frames (the peer is done).
/// * [`FrameError::TooLong`]: the prefix is over `max_len`.
/// * [`FrameError::Io`]: the reader failed, or the stream ended inside the frame.
pub fn read_frame<R: Read + ?Sized>(
    input: &mut R,
    max_len: u32,
) -> Result<Option<Vec<u8>>, FrameError> {
    let mut prefix = [0u8; 4];
    let mut filled = 0;
    while filled < prefix.len() {
        match input.read(&mut prefix[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => return Err(io::Error::from(ErrorKind::UnexpectedEof).into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let len = u32::from_be_bytes(prefix);
    if len > max_len {
        return Err(FrameError::TooLong {
            len,
            limit: max_len,
        });
    }
    let mut payload = vec![0; len as usize];
    input.read_exact(&mut payload)?;
    Ok(Some(payload))
}
