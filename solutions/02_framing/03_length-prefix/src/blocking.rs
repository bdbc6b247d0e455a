//! Reading and writing whole frames on a blocking stream.

use std::io::{ErrorKind, Read, Write};

use crate::{encode, FrameError, HEADER_LEN};

// ANCHOR: read_frame
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
    reader: &mut R,
    max_len: usize,
) -> Result<Option<Vec<u8>>, FrameError> {
    let mut header = [0u8; HEADER_LEN];
    match read_full(reader, &mut header)? {
        0 => return Ok(None),
        HEADER_LEN => {}
        received => return Err(FrameError::TruncatedHeader { received }),
    }
    let len = u32::from_be_bytes(header) as usize;
    // Check before allocating: the header is four bytes from a stranger, and
    // `vec![0; len]` with len = 4 GiB would be ours to pay for.
    if len > max_len {
        return Err(FrameError::TooLarge { len, max_len });
    }
    let mut payload = vec![0; len];
    let received = read_full(reader, &mut payload)?;
    if received < len {
        return Err(FrameError::TruncatedPayload {
            expected: len,
            received,
        });
    }
    Ok(Some(payload))
}
// ANCHOR_END: read_frame

// ANCHOR: read_full
/// Reads until `buf` is full or the stream ends; returns how many bytes came.
///
/// One `read` may return any number of bytes from 1 to `buf.len()`: TCP
/// delivers what has arrived so far. `Read::read_exact` loops the same way but
/// cannot say how many bytes came before the end, which the errors report.
fn read_full<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            // A signal arrived before any byte did: nothing is lost, ask again.
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}
// ANCHOR_END: read_full

// ANCHOR: write_frame
/// Writes one frame, header and payload in a single `write_all`, and flushes it.
///
/// Errors with [`FrameError::TooLarge`] before writing anything if the payload
/// is over `max_len` (see [`encode`](crate::encode)), and with
/// [`FrameError::Io`] if writing fails, in which case part of the frame may have
/// been sent: the stream is then out of step and should be closed.
pub fn write_frame<W: Write + ?Sized>(
    writer: &mut W,
    payload: &[u8],
    max_len: usize,
) -> Result<(), FrameError> {
    // One buffer, one write_all: header and payload leave together. Two small
    // writes on a TcpStream can wait on each other (Nagle's algorithm meeting
    // delayed ACKs) for tens of milliseconds.
    let frame = encode(payload, max_len)?;
    writer.write_all(&frame)?;
    // The caller may have wrapped the stream in a BufWriter: the frame is
    // only sent once it is flushed.
    writer.flush()?;
    Ok(())
}
// ANCHOR_END: write_frame
