//! Why a byte string is not a TCP header.

use std::fmt;

/// Every way [`TcpHeader::parse`](crate::TcpHeader::parse) and
/// [`parse_options`](crate::parse_options) refuse their input.
///
/// A decoder reads bytes that arrived from the network, so anything can be in
/// them. Each check has its own variant, carrying the numbers that failed it, so a
/// caller (or a log line) can say exactly what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Fewer than 20 bytes: not even the fixed part of a header is there.
    TooShort {
        /// How many bytes there were.
        len: usize,
    },
    /// The data offset field is below 5, so the header would end inside its own
    /// fixed fields (5 words × 4 = 20 bytes is the minimum).
    DataOffsetTooSmall {
        /// The 4-bit field as found.
        data_offset: u8,
    },
    /// The data offset promises a header longer than the bytes given.
    HeaderTruncated {
        /// `data_offset * 4`.
        header_len: usize,
        /// How many bytes there were.
        len: usize,
    },
    /// An option (other than EOL and NOP) runs past the end of the options area:
    /// its length byte is missing, or its length covers bytes that are not there.
    OptionTruncated {
        /// The option's kind byte.
        kind: u8,
        /// Where the option's kind byte is, counted from the start of the options
        /// area (byte 20 of the header is `at == 0`).
        at: usize,
    },
    /// An option's length byte is impossible: below 2 (it counts the kind and
    /// length bytes themselves), or not the size its kind requires (MSS is 4,
    /// window scale 3, SACK-permitted 2, timestamps 10, SACK 2 + 8·n with n ≥ 1).
    BadOptionLength {
        /// The option's kind byte.
        kind: u8,
        /// The length byte as found.
        len: u8,
        /// Where the option's kind byte is, counted from the start of the options
        /// area.
        at: usize,
    },
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::TooShort { len } => {
                write!(f, "a TCP header needs at least 20 bytes, got {len}")
            }
            HeaderError::DataOffsetTooSmall { data_offset } => write!(
                f,
                "data offset {data_offset} is below the minimum of 5 (20 bytes)"
            ),
            HeaderError::HeaderTruncated { header_len, len } => write!(
                f,
                "the data offset says the header is {header_len} bytes, but only {len} bytes were given"
            ),
            HeaderError::OptionTruncated { kind, at } => write!(
                f,
                "option kind {kind} at options byte {at} runs past the end of the header"
            ),
            HeaderError::BadOptionLength { kind, len, at } => write!(
                f,
                "option kind {kind} at options byte {at} has an invalid length {len}"
            ),
        }
    }
}

impl std::error::Error for HeaderError {}
