//! An incremental line decoder: feed it bytes, take complete lines out.
//!
//! The decoder does no I/O. The server reads from a socket and hands the bytes
//! over; the tests hand over the same bytes cut in every awkward way. Keeping the
//! framing logic away from the socket is what makes it testable, and what lets
//! the same decoder serve a blocking server today and an async one in part 07.

use crate::LineError;

// ANCHOR: struct
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
    /// Bytes fed but not yet returned as lines. `buf[start..]` is live.
    buf: Vec<u8>,
    /// Where the unread part of `buf` begins. Returning a line only moves this
    /// cursor; the bytes before it are dropped on the next `feed`.
    start: usize,
    /// How much of `buf[start..]` is known to hold no `\n`, so that a line fed
    /// one byte at a time is scanned once, not once per byte.
    scanned: usize,
    /// The longest line accepted, in bytes, line ending not counted.
    max_len: usize,
    /// Lines returned so far; the line being assembled is `lines + 1`.
    lines: u64,
    /// Set by the first error. Every later call reports it again.
    failed: Option<LineError>,
}
// ANCHOR_END: struct

impl LineDecoder {
    /// A decoder that accepts lines of at most `max_len` bytes, not counting the
    /// `\n` or `\r\n` that ends them.
    pub fn new(max_len: usize) -> Self {
        LineDecoder {
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            max_len,
            lines: 0,
            failed: None,
        }
    }

    // ANCHOR: feed
    /// Appends bytes received from the peer.
    ///
    /// Bytes fed after an error are dropped: the stream is no longer being
    /// decoded, and keeping them would let a peer that ignores the error grow
    /// our memory.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        // Make room by forgetting the lines already returned, but only when the
        // chunk would not fit otherwise. What moves is the unfinished line, and
        // it moves once per buffer-full of bytes fed, not once per feed.
        if bytes.len() > self.buf.capacity() - self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }
    // ANCHOR_END: feed

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
    // ANCHOR: next_line
    pub fn next_line(&mut self) -> Result<Option<String>, LineError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let pending = &self.buf[self.start..];
        let Some(offset) = find_newline(&pending[self.scanned..]) else {
            // No line ending yet. Remember how far we looked, and check the
            // limit now rather than when the `\n` comes: it may never come.
            self.scanned = pending.len();
            if content_len(pending) > self.max_len {
                return Err(self.fail_too_long());
            }
            return Ok(None);
        };
        let newline = self.scanned + offset;
        let line = strip_cr(&pending[..newline]);
        if line.len() > self.max_len {
            return Err(self.fail_too_long());
        }
        let text = match std::str::from_utf8(line) {
            Ok(text) => text.to_owned(),
            Err(err) => {
                let valid_up_to = err.valid_up_to();
                return Err(self.fail(LineError::InvalidUtf8 {
                    line: self.lines + 1,
                    valid_up_to,
                }));
            }
        };
        self.start += newline + 1;
        self.scanned = 0;
        self.lines += 1;
        Ok(Some(text))
    }
    // ANCHOR_END: next_line

    // ANCHOR: finish
    /// Call at end of stream, once `next_line` has returned `Ok(None)`.
    ///
    /// * `Ok(())`: the stream ended right after a line ending (or was empty).
    /// * `Err(LineError::Truncated)`: bytes of an unfinished line are left over
    ///   (even a lone `\r`); the peer stopped in the middle of a line. They are
    ///   not returned as a line: a line is complete only once its ending arrives.
    /// * The earlier error, if there was one.
    pub fn finish(&self) -> Result<(), LineError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        match self.buffered() {
            0 => Ok(()),
            len => Err(LineError::Truncated {
                line: self.lines + 1,
                len,
            }),
        }
    }
    // ANCHOR_END: finish

    /// How many bytes are waiting for a line ending (0 once `next_line` has
    /// returned an error).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    fn fail_too_long(&mut self) -> LineError {
        self.fail(LineError::TooLong {
            line: self.lines + 1,
            max_len: self.max_len,
        })
    }

    /// Records `err` as final and frees the buffer: nothing in it will ever be
    /// returned now.
    fn fail(&mut self, err: LineError) -> LineError {
        self.buf = Vec::new();
        self.start = 0;
        self.scanned = 0;
        self.failed = Some(err.clone());
        err
    }
}

// ANCHOR: helpers
/// The line without the `\r` of a `\r\n` ending. `line` excludes the `\n`.
fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// How long the unfinished line in `pending` is already known to be.
///
/// A trailing `\r` does not count yet: it may turn out to be half of a `\r\n`
/// ending. Without this, a line of exactly `max_len` bytes ended by `\r\n` would
/// be rejected whenever a read happened to stop between the `\r` and the `\n`.
fn content_len(pending: &[u8]) -> usize {
    strip_cr(pending).len()
}
// ANCHOR_END: helpers

// ANCHOR: find_newline
/// The index of the first `\n` in `bytes`.
///
/// Skips whole blocks of 32 bytes that hold no `\n`, then finds it byte by byte
/// in the block that does. Inside a block the test has no early exit (`fold`, not
/// `any`), so the compiler checks all 32 bytes with a few SIMD instructions;
/// `iter().position` alone stops after every byte and is about 20 times slower on
/// long lines.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 32;
    let clean = bytes
        .chunks_exact(BLOCK)
        .take_while(|block| !block.iter().fold(false, |seen, &b| seen | (b == b'\n')))
        .count()
        * BLOCK;
    let offset = bytes[clean..].iter().position(|&b| b == b'\n')?;
    Some(clean + offset)
}
// ANCHOR_END: find_newline
