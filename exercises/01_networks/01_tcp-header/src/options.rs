//! TCP options: the variable part of the header, bytes 20 to `data_offset * 4`.

use crate::HeaderError;

/// Kind bytes of the options this decoder understands (IANA registry "TCP
/// Option Kind Numbers").
pub mod kind {
    /// End of Option List (RFC 9293).
    pub const EOL: u8 = 0;
    /// No-Operation (RFC 9293).
    pub const NOP: u8 = 1;
    /// Maximum Segment Size (RFC 9293).
    pub const MSS: u8 = 2;
    /// Window Scale (RFC 7323).
    pub const WINDOW_SCALE: u8 = 3;
    /// SACK-Permitted (RFC 2018).
    pub const SACK_PERMITTED: u8 = 4;
    /// SACK blocks (RFC 2018).
    pub const SACK: u8 = 5;
    /// Timestamps (RFC 7323).
    pub const TIMESTAMPS: u8 = 8;
}

/// One TCP option, decoded.
///
/// On the wire an option is either one byte (kinds 0 and 1) or
/// `kind, length, data…`, where `length` counts all of it, kind and length bytes
/// included. The list [`parse_options`] returns mirrors the wire: padding NOPs and
/// a final EOL appear as [`TcpOption::Nop`] and [`TcpOption::Eol`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpOption {
    /// Kind 0, End of Option List: nothing after it is an option.
    Eol,
    /// Kind 1, No-Operation: one byte of padding, used to align the next option.
    Nop,
    /// Kind 2, length 4: Maximum Segment Size, the largest payload the sender of
    /// this SYN is willing to receive in one segment.
    Mss(u16),
    /// Kind 3, length 3: window scale shift count (RFC 7323). The peer's window
    /// fields are to be shifted left by this many bits. The raw byte is kept; a
    /// receiver treats values above 14 as 14.
    WindowScale(u8),
    /// Kind 4, length 2: the sender can receive selective acknowledgments.
    SackPermitted,
    /// Kind 5, length 2 + 8·n: selective acknowledgment blocks `(left, right)`,
    /// each the sequence number of the first byte received and of the byte just
    /// after the last one (RFC 2018).
    Sack(Vec<(u32, u32)>),
    /// Kind 8, length 10: timestamps (RFC 7323), the sender's clock and the most
    /// recent clock value it received from the peer.
    Timestamps {
        /// TSval: the sender's timestamp clock when it sent this segment.
        value: u32,
        /// TSecr: the peer's TSval being echoed back (0 when there is none yet).
        echo_reply: u32,
    },
    /// Any other kind, kept with its data (the bytes after the length byte).
    Unknown {
        /// The kind byte.
        kind: u8,
        /// `length - 2` bytes of option data.
        data: Vec<u8>,
    },
}

/// Decodes an options area: the bytes from offset 20 up to the header length.
///
/// * EOL (kind 0) is pushed and ends parsing; the bytes after it are padding and
///   are not looked at.
/// * NOP (kind 1) is one byte.
/// * Every other kind has a length byte. A length below 2, or one that does not
///   fit the kind (see [`HeaderError::BadOptionLength`]), is an error; so is an
///   option that runs past the end of `area` ([`HeaderError::OptionTruncated`]).
/// * Kinds this decoder does not know become [`TcpOption::Unknown`] and are
///   skipped by their length: RFC 9293 requires a receiver to ignore options it
///   does not implement, as long as they have a length.
/// * Running out of bytes without an EOL is fine: the options simply end.
///
/// Errors report `at`, the offset of the bad option's kind byte within `area`.
pub fn parse_options(_area: &[u8]) -> Result<Vec<TcpOption>, HeaderError> {
    todo!(
        "write parse_options: walk the options area; EOL ends it, NOP is one byte, \
         every other kind is kind, length, data (the length counts all of it); check \
         each length before using it (lesson 01.1, 'Options')"
    )
}
