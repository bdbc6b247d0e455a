//! The header: a 4-byte big-endian length, then that many bytes of JSON.

use std::io::{self, Read};

use serde::{Deserialize, Serialize};

use crate::TransferError;

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

// ANCHOR: encode
/// Encodes `header` as `[u32 big-endian length][JSON]`, ready to be written in
/// one call. The JSON has the fields in the order `name`, `size`, `sha256` and
/// no spaces.
///
/// # Panics
///
/// If the JSON is longer than `u32::MAX` bytes, which needs a name of gigabytes.
pub fn encode_header(header: &Header) -> Vec<u8> {
    let json = serde_json::to_vec(header).expect("a struct of strings and numbers is valid JSON");
    let len = u32::try_from(json.len()).expect("a header shorter than 4 GiB");
    let mut frame = Vec::with_capacity(4 + json.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&json);
    frame
}
// ANCHOR_END: encode

// ANCHOR: read_header
/// Reads one header from `input`: exactly 4 + len bytes, never more.
///
/// * [`TransferError::Closed`] if the stream ends before the first byte;
/// * [`TransferError::TruncatedHeader`] if it ends anywhere after that;
/// * [`TransferError::HeaderTooLong`] if len > `max_len` — checked before any
///   buffer is allocated or any byte of the JSON is read;
/// * [`TransferError::BadHeader`] if the JSON does not parse into a [`Header`]
///   (a missing field, a negative size, trailing bytes…) or `sha256` is not
///   64 hex digits.
pub fn read_header(input: &mut impl Read, max_len: u32) -> Result<Header, TransferError> {
    let mut prefix = [0u8; 4];
    match read_full(input, &mut prefix)? {
        0 => return Err(TransferError::Closed),
        4 => {}
        _ => return Err(TransferError::TruncatedHeader),
    }
    let len = u32::from_be_bytes(prefix);
    // The length comes from the peer: trust it only after the check, or a 4-byte
    // message makes us allocate 4 GiB.
    if len > max_len {
        return Err(TransferError::HeaderTooLong {
            len,
            limit: max_len,
        });
    }
    let mut json = vec![0u8; len as usize];
    if read_full(input, &mut json)? < json.len() {
        return Err(TransferError::TruncatedHeader);
    }
    let header: Header =
        serde_json::from_slice(&json).map_err(|e| TransferError::BadHeader(e.to_string()))?;
    check_sha256(&header.sha256)?;
    Ok(header)
}
// ANCHOR_END: read_header

/// Reads until `buf` is full or the stream ends; returns how many bytes arrived.
///
/// Unlike `read_exact`, this tells "nothing at all" (a clean end between
/// transfers) apart from "some, then the end" (a transfer cut short).
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn check_sha256(sha256: &str) -> Result<(), TransferError> {
    if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(TransferError::BadHeader(format!(
            "sha256 must be 64 hex digits, got {sha256:?}"
        )))
    }
}
