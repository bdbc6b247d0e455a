//! Cutting one client's byte stream into lines (lesson 02.2 in brief).

/// Why a client's stream can no longer be read as lines. Both are final: the
/// server answers and closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineError {
    /// More than the limit without a line ending.
    TooLong,
    /// A complete line that is not UTF-8.
    InvalidUtf8,
}

// ANCHOR: line_buffer
/// Bytes received from one client that do not make a whole line yet.
#[derive(Debug)]
pub struct LineBuffer {
    /// What has been read; `buf[start..]` is not yet returned as lines.
    buf: Vec<u8>,
    /// Where the unreturned bytes begin. Returning a line only moves this
    /// cursor: removing each line from the front of `buf` would move all the
    /// bytes behind it, once per line, and a read full of tiny lines would cost
    /// thousands of copies instead of one.
    start: usize,
    /// How much of `buf[start..]` is known to hold no `\n`: each byte is
    /// searched once, however the line is cut into reads.
    searched: usize,
    max_len: usize,
}

impl LineBuffer {
    pub fn new(max_len: usize) -> Self {
        LineBuffer {
            buf: Vec::new(),
            start: 0,
            searched: 0,
            max_len,
        }
    }

    /// Appends bytes as they came from one `read`.
    pub fn extend(&mut self, bytes: &[u8]) {
        // Forget the lines already returned, once per read. What is left is at
        // most one unfinished line (no more than `max_len` bytes), so this copy
        // is short.
        self.buf.drain(..self.start);
        self.start = 0;
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line without its `\n` or `\r\n`, `Ok(None)` when no
    /// line is complete yet, or an error.
    ///
    /// A line is too long once more than `max_len` bytes have arrived without a
    /// `\n` (a last `\r` not counted: it may be half of `\r\n`), so a peer that
    /// never sends a newline cannot make the buffer grow without bound.
    pub fn next_line(&mut self) -> Result<Option<String>, LineError> {
        let pending = &self.buf[self.start..];
        let Some(at) = pending[self.searched..].iter().position(|&b| b == b'\n') else {
            self.searched = pending.len();
            if strip_cr(pending).len() > self.max_len {
                return Err(LineError::TooLong);
            }
            return Ok(None);
        };
        let newline = self.searched + at;
        let line = strip_cr(&pending[..newline]);
        if line.len() > self.max_len {
            return Err(LineError::TooLong);
        }
        let line = std::str::from_utf8(line).map_err(|_| LineError::InvalidUtf8)?;
        let line = line.to_owned();
        self.start += newline + 1;
        self.searched = 0;
        Ok(Some(line))
    }
}

/// A line without the `\r` of a `\r\n` ending (`line` excludes the `\n`).
fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}
// ANCHOR_END: line_buffer
