//! An incremental line decoder: feed it bytes, take complete lines out.
//!
//! The decoder does no I/O. The server reads from a socket and hands the bytes
//! over; the tests hand over the same bytes cut in every awkward way. Keeping the
//! framing logic away from the socket is what makes it testable, and what lets
//! the same decoder serve a blocking server today and an async one in part 07.

use crate::LineError;

// ANCHOR: given
/// Cuts a byte stream into lines ended by `\n` or `\r\n`.
///
/// The decoder keeps the bytes it has been fed until a line ending arrives, and
/// no longer: once a line has been returned its bytes are dropped, so a decoder
/// holds at most one unfinished line and the chunk last fed, however long the
/// connection lasts.
///
/// Call [`feed`](Self::feed) with every chunk read from the peer, then call
/// [`next_line`](Self::next_line) until it returns `Ok(None)`; at end of stream
/// call [`finish`](Self::finish).
#[derive(Debug)]
pub struct LineDecoder {
    /// Bytes fed but not yet returned as lines.
    buf: Vec<u8>,
    /// The longest line accepted, in bytes, line ending not counted.
    max_len: usize,
    // Add what else you need: where the unread part of the buffer begins, how
    // far it has been searched, how many lines were returned (errors name the
    // line), the error once one happened.
}
// ANCHOR_END: given

impl LineDecoder {
    /// A decoder that accepts lines of at most `max_len` bytes, not counting the
    /// `\n` or `\r\n` that ends them.
    pub fn new(max_len: usize) -> Self {
        LineDecoder {
            buf: Vec::new(),
            max_len,
        }
    }

    /// Appends bytes received from the peer.
    ///
    /// Bytes fed after an error are dropped: the stream is no longer being
    /// decoded, and keeping them would let a peer that ignores the error grow
    /// our memory.
    pub fn feed(&mut self, bytes: &[u8]) {
        todo!(
            "append the new chunk (length {}) to the buffer, unless an error already \
             happened; drop the lines already returned first \
             (lesson 02.2, 'A decoder that does no I/O')",
            bytes.len()
        )
    }

    /// Returns the next complete line, without its line ending.
    ///
    /// Lines are numbered from 1; empty lines count.
    ///
    /// * `Ok(Some(line))`: a whole line arrived. `\n` and `\r\n` both end a line;
    ///   a `\r` anywhere else is part of the line.
    /// * `Ok(None)`: no complete line yet; feed more bytes.
    /// * `Err(LineError::TooLong)`: the line has more than `max_len` bytes,
    ///   counting every byte before the `\n` except the `\r` of a `\r\n`.
    ///   Reported as soon as the buffered bytes prove it, without waiting for the
    ///   line ending: `max_len + 1` bytes with no `\n`, not counting a last byte
    ///   that is a `\r`, are already too many.
    /// * `Err(LineError::InvalidUtf8)`: the complete line is not UTF-8. The length
    ///   is checked first, so a line that is both too long and not UTF-8 is
    ///   `TooLong`.
    ///
    /// The answers never depend on how the bytes were cut into `feed` calls.
    /// After an error, every later call returns the same error.
    pub fn next_line(&mut self) -> Result<Option<String>, LineError> {
        todo!(
            "find the first b'\\n' in the buffer and return the line before it \
             (lesson 02.2, 'Taking a line out'); a line over {} bytes is an error \
             even before its b'\\n' arrives \
             (lesson 02.2, 'The limit, and when to check it')",
            self.max_len
        )
    }

    /// Call at end of stream, once `next_line` has returned `Ok(None)`.
    ///
    /// * `Ok(())`: the stream ended right after a line ending (or was empty).
    /// * `Err(LineError::Truncated)`: bytes of an unfinished line are left over
    ///   (even a lone `\r`); the peer stopped in the middle of a line. They are
    ///   not returned as a line: a line is complete only once its ending arrives.
    /// * The earlier error, if there was one.
    pub fn finish(&self) -> Result<(), LineError> {
        todo!("report bytes left without a line ending as Truncated (lesson 02.2, 'End of stream')")
    }

    /// How many bytes are waiting for a line ending (0 once `next_line` has
    /// returned an error).
    pub fn buffered(&self) -> usize {
        // Adjust this if you keep returned lines in the buffer behind a cursor.
        self.buf.len()
    }
}
