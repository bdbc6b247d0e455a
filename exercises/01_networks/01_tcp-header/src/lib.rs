//! Decoding a TCP header, field by field (RFC 9293 §3.1).
//!
//! ```text
//!  byte  0               1               2               3
//!       +---------------+---------------+---------------+---------------+
//!     0 |          source port          |       destination port        |
//!       +---------------+---------------+---------------+---------------+
//!     4 |                       sequence number                         |
//!       +---------------+---------------+---------------+---------------+
//!     8 |                    acknowledgment number                      |
//!       +-------+-------+---------------+---------------+---------------+
//!    12 | data  | rsrvd |C E U A P R S F|            window             |
//!       | offset|       |W C R C S S Y I|                               |
//!       +-------+-------+---------------+---------------+---------------+
//!    16 |           checksum            |        urgent pointer         |
//!       +---------------+---------------+---------------+---------------+
//!    20 |       options (0-40 bytes, up to data offset * 4)  ...        |
//!       +---------------+---------------+---------------+---------------+
//!       |       payload ...                                             |
//! ```
//!
//! Every multi-byte field is big-endian ("network byte order").

mod error;
mod flags;
mod options;

pub use error::HeaderError;
pub use flags::Flags;
pub use options::{kind, parse_options, TcpOption};

/// The fixed part of every TCP header: data offset 5, no options.
pub const MIN_HEADER_LEN: usize = 20;

/// The longest header: data offset 15 (the largest 4-bit value), 40 bytes of
/// options.
pub const MAX_HEADER_LEN: usize = 60;

/// A decoded TCP header. Field names follow RFC 9293 §3.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpHeader {
    /// The sender's port.
    pub src_port: u16,
    /// The receiver's port.
    pub dst_port: u16,
    /// Sequence number: the number of the first payload byte in this segment
    /// (with SYN set: the initial sequence number, ISN).
    pub seq: u32,
    /// Acknowledgment number: the next sequence number the sender expects to
    /// receive. Meaningful only when [`Flags::ACK`] is set, but always decoded.
    pub ack: u32,
    /// Header length in 32-bit words (5..=15): where the payload starts.
    pub data_offset: u8,
    /// The 4 reserved bits after the data offset, as found. Senders must send
    /// zeros, receivers must ignore them, so a non-zero value is not an error.
    pub reserved: u8,
    /// The control bits.
    pub flags: Flags,
    /// How many bytes, starting at `ack`, the sender is willing to receive
    /// (before window scaling).
    pub window: u16,
    /// Internet checksum over a pseudo-header, this header and the payload. The
    /// decoder reports it; checking it needs the IP addresses.
    pub checksum: u16,
    /// Offset from `seq` to the byte just after the urgent data; meaningful only
    /// when [`Flags::URG`] is set.
    pub urgent_ptr: u16,
    /// The options, in wire order (see [`parse_options`]).
    pub options: Vec<TcpOption>,
}

impl TcpHeader {
    /// Decodes the header at the start of `segment` (a TCP segment: header, then
    /// payload). Bytes after the header are not looked at.
    ///
    /// Checks, in this order:
    /// 1. at least 20 bytes, else [`HeaderError::TooShort`];
    /// 2. data offset at least 5, else [`HeaderError::DataOffsetTooSmall`];
    /// 3. `data_offset * 4 <= segment.len()`, else [`HeaderError::HeaderTruncated`];
    /// 4. the options area decodes, see [`parse_options`].
    pub fn parse(_segment: &[u8]) -> Result<TcpHeader, HeaderError> {
        todo!(
            "write TcpHeader::parse: check the length, decode the 20 fixed bytes \
             (big-endian), check the data offset, then hand bytes 20..data_offset*4 to \
             parse_options \
             (lesson 01.1, 'The TCP header, field by field')"
        )
    }

    /// The header's length in bytes, `data_offset * 4`: where the payload starts.
    pub fn header_len(&self) -> usize {
        usize::from(self.data_offset) * 4
    }
}

/// Decodes the header of `segment` and returns it with the payload: the bytes
/// after the header (possibly none). Errors as [`TcpHeader::parse`].
pub fn split(_segment: &[u8]) -> Result<(TcpHeader, &[u8]), HeaderError> {
    todo!(
        "write split: parse the header, then return it with the bytes from header_len() \
         on, the payload (lesson 01.1, 'Decoding a header in Rust')"
    )
}
