//! Encoding frames, and decoding them from bytes that arrive in any pieces.
//!
//! Nothing here does I/O: the caller moves bytes between these functions and a
//! socket. That is what lets the tests feed the decoder every cutting of a
//! stream, and what lets the same decoder sit behind a non-blocking or async
//! socket later in the course.

use crate::{FrameError, HEADER_LEN};

// ANCHOR: encode
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
    let len = checked_len(payload.len(), max_len)?;
    let mut frame = Vec::with_capacity(HEADER_LEN + payload.len());
    // Big-endian ("network byte order"): the most significant byte goes first,
    // whatever the CPU's own order is.
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    Ok(frame)
}

/// The payload length as it goes into a header, if both limits allow it.
fn checked_len(len: usize, max_len: usize) -> Result<u32, FrameError> {
    let limit = max_len.min(u32::MAX as usize);
    match u32::try_from(len) {
        Ok(header) if len <= limit => Ok(header),
        _ => Err(FrameError::TooLarge {
            len,
            max_len: limit,
        }),
    }
}
// ANCHOR_END: encode

// ANCHOR: decoder
/// Turns bytes, fed in whatever pieces they arrive, back into payloads.
///
/// Call [`feed`](Self::feed) with each chunk read from the peer, then
/// [`next_frame`](Self::next_frame) until it returns `Ok(None)`; at end of
/// stream call [`finish`](Self::finish).
#[derive(Debug)]
pub struct FrameDecoder {
    /// Bytes fed but not yet returned. `buf[start..]` is live.
    buf: Vec<u8>,
    /// Where the unread part of `buf` begins.
    start: usize,
    /// The largest payload accepted.
    max_len: usize,
    /// The payload length of the frame in progress, once its header has been
    /// read and checked; `None` while waiting for a header.
    payload_len: Option<usize>,
    /// The length a header announced over the limit. Set once, never cleared.
    too_large: Option<usize>,
}
// ANCHOR_END: decoder

impl FrameDecoder {
    /// A decoder that accepts payloads of at most `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        FrameDecoder {
            buf: Vec::new(),
            start: 0,
            max_len,
            payload_len: None,
            too_large: None,
        }
    }

    /// Appends bytes received from the peer. After an error they are dropped.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.too_large.is_some() {
            return;
        }
        // Forget the frames already returned; what is left is the start of one
        // frame, so this copy is short.
        self.buf.drain(..self.start);
        self.start = 0;
        self.buf.extend_from_slice(bytes);
    }

    // ANCHOR: next_frame
    /// Returns the next complete payload.
    ///
    /// * `Ok(Some(payload))`: a whole frame arrived (a zero-length payload is a
    ///   frame like any other).
    /// * `Ok(None)`: the frame is not complete yet; feed more bytes.
    /// * `Err(FrameError::TooLarge)`: a header announced more than `max_len`
    ///   bytes. Reported as soon as the 4 header bytes are in, without waiting
    ///   for (or making room for) the payload.
    ///
    /// After an error, every later call returns the same error.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if let Some(len) = self.too_large {
            return Err(self.too_large_error(len));
        }
        let len = match self.payload_len {
            Some(len) => len,
            None => match self.take_header() {
                Some(len) if len > self.max_len => return Err(self.fail(len)),
                Some(len) => len,
                None => return Ok(None),
            },
        };
        // The header is consumed; remember its length until the payload is in.
        self.payload_len = Some(len);
        let pending = &self.buf[self.start..];
        if pending.len() < len {
            return Ok(None);
        }
        let payload = pending[..len].to_vec();
        self.start += len;
        self.payload_len = None;
        Ok(Some(payload))
    }

    /// Consumes a header if all 4 bytes are buffered, returning its length.
    fn take_header(&mut self) -> Option<usize> {
        let header = self.buf[self.start..].first_chunk::<HEADER_LEN>()?;
        // u32 -> usize never loses bits where std's networking runs (32 and
        // 64-bit targets).
        let len = u32::from_be_bytes(*header) as usize;
        self.start += HEADER_LEN;
        Some(len)
    }
    // ANCHOR_END: next_frame

    // ANCHOR: finish
    /// Call at end of stream, once `next_frame` has returned `Ok(None)`.
    ///
    /// * `Ok(())`: the stream ended between frames (or was empty).
    /// * `Err(FrameError::TruncatedHeader)`: it ended after 1 to 3 header bytes.
    /// * `Err(FrameError::TruncatedPayload)`: it ended inside a payload.
    /// * The earlier error, if there was one.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(len) = self.too_large {
            return Err(self.too_large_error(len));
        }
        let received = self.buf.len() - self.start;
        match self.payload_len {
            Some(expected) => Err(FrameError::TruncatedPayload { expected, received }),
            None if received > 0 => Err(FrameError::TruncatedHeader { received }),
            None => Ok(()),
        }
    }
    // ANCHOR_END: finish

    /// Records that a header announced `len` bytes, over the limit, and frees
    /// the buffer: nothing in it will be decoded now.
    fn fail(&mut self, len: usize) -> FrameError {
        self.buf = Vec::new();
        self.start = 0;
        self.payload_len = None;
        self.too_large = Some(len);
        self.too_large_error(len)
    }

    fn too_large_error(&self, len: usize) -> FrameError {
        FrameError::TooLarge {
            len,
            max_len: self.max_len,
        }
    }
}
