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
    buf: Vec<u8>,
    /// How far `buf` is known to hold no `\n`: each byte is searched once.
    searched: usize,
    max_len: usize,
}

impl LineBuffer {
    pub fn new(max_len: usize) -> Self {
        LineBuffer {
            buf: Vec::new(),
            searched: 0,
            max_len,
        }
    }

    /// Appends bytes as they came from one `read`.
    pub fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete line without its `\n` or `\r\n`, `Ok(None)` when no
    /// line is complete yet, or an error.
    ///
    /// A line is too long once more than `max_len` bytes have arrived without a
    /// `\n` (a last `\r` not counted: it may be half of `\r\n`), so a peer that
    /// never sends a newline cannot make the buffer grow without bound.
    pub fn next_line(&mut self) -> Result<Option<String>, LineError> {
        let Some(at) = self.buf[self.searched..].iter().position(|&b| b == b'\n') else {
            self.searched = self.buf.len();
            let pending = self.buf.strip_suffix(b"\r").unwrap_or(&self.buf);
            if pending.len() > self.max_len {
                return Err(LineError::TooLong);
            }
            return Ok(None);
        };
        let mut line: Vec<u8> = self.buf.drain(..=self.searched + at).collect();
        self.searched = 0;
        line.pop(); // the '\n'
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.len() > self.max_len {
            return Err(LineError::TooLong);
        }
        String::from_utf8(line)
            .map(Some)
            .map_err(|_| LineError::InvalidUtf8)
    }
}
// ANCHOR_END: line_buffer
