//! Everything that can go wrong with one transfer.

use std::fmt;
use std::io;

use crate::NameError;

/// Why a transfer failed. After any error but [`TransferError::Closed`] the stream
/// is somewhere in the middle of a transfer and cannot be trusted to be at the
/// start of the next header: the caller should close the connection.
#[derive(Debug)]
pub enum TransferError {
    /// The stream ended cleanly before the first byte of a header: the sender has
    /// nothing more to send. Not a failure for a server that loops over uploads.
    Closed,
    /// The stream ended inside the 4-byte length prefix or the JSON header.
    TruncatedHeader,
    /// The length prefix announces a header longer than the limit. Nothing more was
    /// read and nothing was allocated for it.
    HeaderTooLong { len: u32, limit: u32 },
    /// The header is not valid JSON, lacks a field, or a field has the wrong shape
    /// (for example `sha256` is not 64 hex digits).
    BadHeader(String),
    /// The file name in the header is not a plain file name.
    BadName(NameError),
    /// The header announces a file larger than the limit; the body was not read.
    TooLarge { size: u64, limit: u64 },
    /// The stream ended after `received` of the `expected` body bytes.
    TruncatedBody { expected: u64, received: u64 },
    /// All the bytes arrived, but their SHA-256 is not the one the header promised.
    ChecksumMismatch { expected: String, actual: String },
    /// Reading the stream or the source file, or writing the destination, failed.
    Io(io::Error),
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => write!(f, "the sender closed the connection between transfers"),
            Self::TruncatedHeader => write!(f, "the stream ended inside a header"),
            Self::HeaderTooLong { len, limit } => {
                write!(f, "header of {len} bytes is over the limit of {limit}")
            }
            Self::BadHeader(why) => write!(f, "bad header: {why}"),
            Self::BadName(why) => write!(f, "bad file name: {why}"),
            Self::TooLarge { size, limit } => {
                write!(f, "file of {size} bytes is over the limit of {limit}")
            }
            Self::TruncatedBody { expected, received } => write!(
                f,
                "the stream ended after {received} of {expected} body bytes"
            ),
            Self::ChecksumMismatch { expected, actual } => {
                write!(
                    f,
                    "checksum mismatch: header says {expected}, body is {actual}"
                )
            }
            Self::Io(err) => write!(f, "I/O error: {err}"),
        }
    }
}

impl std::error::Error for TransferError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::BadName(err) => Some(err),
            Self::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl From<io::Error> for TransferError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

impl From<NameError> for TransferError {
    fn from(err: NameError) -> Self {
        Self::BadName(err)
    }
}
