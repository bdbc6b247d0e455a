//! Helpers shared by the test files.

#![allow(dead_code)] // each test file uses a different part of this module

use std::fmt;
use std::io::ErrorKind;

use length_prefix::FrameError;

/// A `FrameError` in a form tests can compare (`io::Error` has no `==`).
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// No error: the stream ended between frames.
    Clean,
    TooLarge {
        len: usize,
        max_len: usize,
    },
    TruncatedHeader {
        received: usize,
    },
    TruncatedPayload {
        expected: usize,
        received: usize,
    },
    Io(ErrorKind),
}

impl From<&FrameError> for End {
    fn from(err: &FrameError) -> Self {
        match *err {
            FrameError::TooLarge { len, max_len } => End::TooLarge { len, max_len },
            FrameError::TruncatedHeader { received } => End::TruncatedHeader { received },
            FrameError::TruncatedPayload { expected, received } => {
                End::TruncatedPayload { expected, received }
            }
            FrameError::Io(ref err) => End::Io(err.kind()),
        }
    }
}

impl From<Result<(), FrameError>> for End {
    fn from(result: Result<(), FrameError>) -> Self {
        match result {
            Ok(()) => End::Clean,
            Err(err) => End::from(&err),
        }
    }
}

/// What reading a whole stream gave: the payloads, then how it ended.
#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
    pub frames: Vec<Payload>,
    pub end: End,
}

/// A payload that prints as its length and first bytes, so that a failure
/// message with a 5000-byte payload stays readable.
#[derive(PartialEq, Eq)]
pub struct Payload(pub Vec<u8>);

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes", self.0.len())?;
        for b in self.0.iter().take(12) {
            write!(f, " {b:02x}")?;
        }
        if self.0.len() > 12 {
            write!(f, " ...")?;
        }
        write!(f, ">")
    }
}

/// The payloads as [`Payload`]s.
pub fn payloads(list: &[Vec<u8>]) -> Vec<Payload> {
    list.iter().cloned().map(Payload).collect()
}

/// Payloads every round-trip test uses: empty ones, text, binary with bytes
/// that would confuse a line-based protocol, and one longer than a chunk.
pub fn sample_payloads() -> Vec<Vec<u8>> {
    vec![
        b"".to_vec(),
        b"hello".to_vec(),
        b"\n\r\0 binary \xff\xfe, not text\n".to_vec(),
        (0..=255u8).cycle().take(5000).collect(),
        b"".to_vec(),
        "你好".as_bytes().to_vec(),
    ]
}

/// The frames of `payloads`, one after the other, encoded by hand (not with
/// the code under test): 4-byte big-endian length, then the payload.
pub fn frames_by_hand(payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for payload in payloads {
        bytes.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        bytes.extend_from_slice(payload);
    }
    bytes
}

/// A short description of payloads for failure messages.
pub fn sizes(payloads: &[Vec<u8>]) -> String {
    let sizes: Vec<String> = payloads.iter().map(|p| p.len().to_string()).collect();
    format!("payloads of [{}] bytes", sizes.join(", "))
}
