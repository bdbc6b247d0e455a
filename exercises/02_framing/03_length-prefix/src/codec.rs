//! Encoding frames, and decoding them from bytes that arrive in any pieces.
//!
//! Nothing here does I/O: the caller moves bytes between these functions and a
//! socket. That is what lets the tests feed the decoder every cutting of a
//! stream, and what lets the same decoder sit behind a non-blocking or async
//! socket later in the course.

use crate::FrameError;

/// Encodes one frame: the payload's length as a big-endian `u32`, then the
/// payload.
///
/// `encode(b"hello", 1024)` is `[0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o']`; an
/// empty payload is a valid frame of four zero bytes.
///
/// Errors with [`FrameError::TooLarge`] if the payload has more than `max_len`
/// bytes (there is no point sending what the receiver will refuse), or more
/// than `u32::MAX`, the most a header can announce; then `max_len` in the error
/// is the smaller of the two limits.
pub fn encode(payload: &[u8], max_len: usize) -> Result<Vec<u8>, FrameError> {
    todo!(
        "return the payload's length as 4 big-endian bytes (u32::to_be_bytes), then \
         the {} payload bytes; over {max_len} bytes is TooLarge (lesson 02.3, 'Encoding')",
        payload.len()
    )
}

// ANCHOR: given
/// Turns bytes, fed in whatever pieces they arrive, back into payloads.
///
/// Call [`feed`](Self::feed) with each chunk read from the peer, then
/// [`next_frame`](Self::next_frame) until it returns `Ok(None)`; at end of
/// stream call [`finish`](Self::finish).
///
/// Once a frame has been returned its bytes are dropped: a decoder holds at most
/// one frame in progress and the chunk last fed, however long the connection
/// lasts.
#[derive(Debug)]
pub struct FrameDecoder {
    /// Bytes fed but not yet returned.
    buf: Vec<u8>,
    /// The largest payload accepted.
    max_len: usize,
    // Add what else you need: where the unread part of the buffer begins,
    // whether the header of the frame in progress has been read (and the length
    // it announced), the error once one happened.
}
// ANCHOR_END: given

impl FrameDecoder {
    /// A decoder that accepts payloads of at most `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        FrameDecoder {
            buf: Vec::new(),
            max_len,
        }
    }

    /// Appends bytes received from the peer. After an error they are dropped.
    pub fn feed(&mut self, bytes: &[u8]) {
        todo!(
            "append the new chunk (length {}) to the buffer, unless an error already \
             happened; drop the frames already returned first \
             (lesson 02.3, 'The decoder')",
            bytes.len()
        )
    }

    /// Returns the next complete payload.
    ///
    /// * `Ok(Some(payload))`: a whole frame arrived (a zero-length payload is a
    ///   frame like any other).
    /// * `Ok(None)`: the frame is not complete yet; feed more bytes.
    /// * `Err(FrameError::TooLarge)`: a header announced more than `max_len`
    ///   bytes. Reported as soon as the 4 header bytes are in, without waiting
    ///   for (or making room for) the payload.
    ///
    /// The answers never depend on how the bytes were cut into `feed` calls.
    /// After an error, every later call returns the same error.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        todo!(
            "once 4 bytes are buffered, read the length (u32::from_be_bytes) and check \
             it against {}; once the whole payload is buffered, return it \
             (lesson 02.3, 'The decoder')",
            self.max_len
        )
    }

    /// Call at end of stream, once `next_frame` has returned `Ok(None)`.
    ///
    /// * `Ok(())`: the stream ended between frames (or was empty).
    /// * `Err(FrameError::TruncatedHeader)`: it ended after 1 to 3 header bytes.
    /// * `Err(FrameError::TruncatedPayload)`: it ended inside a payload; the
    ///   error says how many bytes the header announced and how many arrived.
    /// * The earlier error, if there was one.
    pub fn finish(&self) -> Result<(), FrameError> {
        todo!(
            "report the {} bytes left over, if any, as a truncated header or payload \
             (lesson 02.3, 'End of stream')",
            self.buf.len()
        )
    }
}
