//! The header: a 4-byte big-endian length, then that many bytes of JSON.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::TransferError;

// ANCHOR: header_type
/// What the receiver learns before the body: the file's name, its exact size in
/// bytes, and the SHA-256 of its contents as 64 hex digits.
///
/// Unknown fields in a received header are ignored, so a newer sender may add some
/// (a modification time, a mode) without breaking older receivers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}
// ANCHOR_END: header_type

/// Encodes `header` as `[u32 big-endian length][JSON]`, ready to be written in
/// one call. The JSON has the fields in the order `name`, `size`, `sha256` and
/// no spaces.
///
/// # Panics
///
/// If the JSON is longer than `u32::MAX` bytes, which needs a name of gigabytes.
pub fn encode_header(_header: &Header) -> Vec<u8> {
    todo!("encode_header: the JSON from serde_json, with its length in front as 4 big-endian bytes (lesson 02.4, 'The wire format')")
}

/// Reads one header from `input`: exactly 4 + len bytes, never more.
///
/// * [`TransferError::Closed`] if the stream ends before the first byte;
/// * [`TransferError::TruncatedHeader`] if it ends anywhere after that;
/// * [`TransferError::HeaderTooLong`] if len > `max_len` — checked before any
///   buffer is allocated or any byte of the JSON is read;
/// * [`TransferError::BadHeader`] if the JSON does not parse into a [`Header`]
///   (a missing field, a negative size, trailing bytes…) or `sha256` is not
///   64 hex digits.
pub fn read_header(_input: &mut impl Read, _max_len: u32) -> Result<Header, TransferError> {
    todo!("read_header: 4 length bytes (none at all = Closed), the length checked against max_len, then the JSON, parsed (lesson 02.4, 'Reading the header')")
}
