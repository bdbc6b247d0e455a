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
///
/// Once a frame has been returned its bytes are dropped: a decoder holds at most
/// one frame in progress and the chunk last fed, however long the connection
/// lasts.
#[derive(Debug)]
pub struct FrameDecoder {
    /// Bytes fed but not yet decoded: headers, and payloads that came in the
    /// same chunk as their header. `buf[start..]` is unread.
    buf: Vec<u8>,
    /// Where the unread part of `buf` begins.
    start: usize,
    /// The largest payload accepted.
    max_len: usize,
    /// The frame whose header has been read and checked, while its payload is
    /// still arriving. `buf` is empty then: every byte fed goes here first.
    partial: Option<Partial>,
    /// The length a header announced over the limit. Set once, never cleared.
    too_large: Option<usize>,
}

/// A payload being assembled, in the very `Vec` that will be returned.
#[derive(Debug)]
struct Partial {
    /// The length its header announced.
    len: usize,
    bytes: Vec<u8>,
}

impl Partial {
    fn missing(&self) -> usize {
        self.len - self.bytes.len()
    }
}
// ANCHOR_END: decoder

impl FrameDecoder {
    /// A decoder that accepts payloads of at most `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        FrameDecoder {
            buf: Vec::new(),
            start: 0,
            max_len,
            partial: None,
            too_large: None,
        }
    }

    // ANCHOR: feed
    /// Appends bytes received from the peer. After an error they are dropped.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.too_large.is_some() {
            return;
        }
        // The bytes of a payload in progress go straight into it: each of them
        // is copied once, from the caller's chunk to the returned Vec.
        if let Some(partial) = &mut self.partial {
            let (now, later) = bytes.split_at(partial.missing().min(bytes.len()));
            partial.bytes.extend_from_slice(now);
            bytes = later;
        }
        // Make room by forgetting what was decoded, but only when the rest would
        // not fit otherwise. What moves is the start of one frame, and it moves
        // once per buffer-full of bytes fed, not once per feed.
        if bytes.len() > self.buf.capacity() - self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }
    // ANCHOR_END: feed

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
    /// The answers never depend on how the bytes were cut into `feed` calls.
    /// After an error, every later call returns the same error.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if let Some(len) = self.too_large {
            return Err(self.too_large_error(len));
        }
        if let Some(partial) = &self.partial {
            // A payload in progress: `feed` has filled it as far as it could.
            if partial.missing() > 0 {
                return Ok(None);
            }
            return Ok(self.partial.take().map(|partial| partial.bytes));
        }
        let Some(len) = self.take_header() else {
            return Ok(None);
        };
        if len > self.max_len {
            return Err(self.fail(len));
        }
        let partial = self.start_payload(len);
        if partial.missing() > 0 {
            self.partial = Some(partial);
            return Ok(None);
        }
        Ok(Some(partial.bytes))
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

    /// Starts the payload of a frame of `len` bytes (checked against the
    /// limit) with the bytes of it that are already buffered.
    fn start_payload(&mut self, len: usize) -> Partial {
        let buffered = &self.buf[self.start..];
        let now = &buffered[..len.min(buffered.len())];
        // Room for the whole payload at once, so that it is never moved by a
        // growing Vec. The length is trusted this far only because it has
        // passed the limit.
        let mut bytes = Vec::with_capacity(len);
        bytes.extend_from_slice(now);
        self.start += now.len();
        Partial { len, bytes }
    }
    // ANCHOR_END: next_frame

    // ANCHOR: finish
    /// Call at end of stream, once `next_frame` has returned `Ok(None)`.
    ///
    /// * `Ok(())`: the stream ended between frames (or was empty).
    /// * `Err(FrameError::TruncatedHeader)`: it ended after 1 to 3 header bytes.
    /// * `Err(FrameError::TruncatedPayload)`: it ended inside a payload; the
    ///   error says how many bytes the header announced and how many arrived.
    /// * The earlier error, if there was one.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(len) = self.too_large {
            return Err(self.too_large_error(len));
        }
        match &self.partial {
            Some(partial) => Err(FrameError::TruncatedPayload {
                expected: partial.len,
                received: partial.bytes.len(),
            }),
            None => match self.buf.len() - self.start {
                0 => Ok(()),
                received => Err(FrameError::TruncatedHeader { received }),
            },
        }
    }
    // ANCHOR_END: finish

    /// Records that a header announced `len` bytes, over the limit, and frees
    /// the buffer: nothing in it will be decoded now.
    fn fail(&mut self, len: usize) -> FrameError {
        self.buf = Vec::new();
        self.start = 0;
        self.partial = None;
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
