//! Reading and writing whole frames on a blocking stream.

use std::io::{Read, Write};

use crate::FrameError;

/// Reads one frame and returns its payload.
///
/// * `Ok(Some(payload))`: a whole frame (a zero-length payload is a frame).
/// * `Ok(None)`: the stream ended cleanly, before the first byte of a frame.
/// * `Err(FrameError::TooLarge)`: the header announced more than `max_len`
///   bytes. Returned as soon as the header is read: the payload is neither read
///   nor allocated.
/// * `Err(FrameError::TruncatedHeader)`, `Err(FrameError::TruncatedPayload)`: the
///   stream ended in the middle of a frame.
/// * `Err(FrameError::Io)`: reading failed. `Interrupted` is retried, not
///   reported; a read timeout arrives here as `WouldBlock` or `TimedOut`.
///
/// Reads exactly one frame's bytes and not one more, so the next call (or
/// other code sharing the reader) starts at the next frame. On a `TcpStream`
/// each call makes at least two `read` calls; wrap the stream in a
/// `BufReader` to make fewer.
pub fn read_frame<R: Read + ?Sized>(
    _reader: &mut R,
    max_len: usize,
) -> Result<Option<Vec<u8>>, FrameError> {
    todo!(
        "read the 4 header bytes, check the length against {max_len}, then read \
         the payload; one read may return fewer bytes than asked for \
         (lesson 02.3, 'Reading a frame from a stream')"
    )
}

/// Writes one frame, header and payload in a single `write_all`, and flushes it.
///
/// Errors with [`FrameError::TooLarge`] before writing anything if the payload
/// is over `max_len` (see [`encode`](crate::encode)), and with
/// [`FrameError::Io`] if writing fails, in which case part of the frame may have
/// been sent: the stream is then out of step and should be closed.
pub fn write_frame<W: Write + ?Sized>(
    _writer: &mut W,
    payload: &[u8],
    max_len: usize,
) -> Result<(), FrameError> {
    todo!(
        "write the encoded frame ({} payload bytes, limit {max_len}) and flush \
         (lesson 02.3, 'Writing a frame')",
        payload.len()
    )
}
