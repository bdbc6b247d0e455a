//! What can go wrong while cutting a stream into lines.
//!
//! This file is complete: the exact texts below are what the echo server sends
//! after `error: `, and the tests compare them.

use std::error::Error;
use std::fmt;

/// Why a [`LineDecoder`](crate::LineDecoder) stopped.
///
/// Lines are numbered from 1 in the order they arrive; empty lines count.
/// Every error is final: the connection it came from should be closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Line `line` has more than `max_len` bytes before its line ending.
    ///
    /// Reported as soon as the buffered part of the line is too long, without
    /// waiting for its line ending, which a hostile peer may never send.
    TooLong { line: u64, max_len: usize },
    /// Line `line` is not valid UTF-8: its first `valid_up_to` bytes are, the
    /// byte after them is not the start of a valid character.
    InvalidUtf8 { line: u64, valid_up_to: usize },
    /// The stream ended in the middle of line `line`: `len` bytes had arrived
    /// and no line ending after them.
    Truncated { line: u64, len: usize },
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineError::TooLong { line, max_len } => {
                write!(f, "line {line} is longer than {max_len} bytes")
            }
            LineError::InvalidUtf8 { line, valid_up_to } => write!(
                f,
                "line {line} is not valid UTF-8 (bad byte at offset {valid_up_to})"
            ),
            LineError::Truncated { line, len } => {
                write!(f, "line {line} ended without a newline after {len} bytes")
            }
        }
    }
}

impl Error for LineError {}
