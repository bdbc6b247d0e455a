//! The sending side: a header, then the body in chunks.

use std::io::{Read, Write};
use std::path::Path;

use crate::{Header, TransferError};

/// Writes `header`, then exactly `header.size` bytes read from `body`, then flushes.
///
/// The header is the caller's claim: `send` does not check `sha256` (the receiver
/// does). It does check the name, so a sender never puts on the wire what every
/// receiver must refuse ([`TransferError::BadName`]). `body` is read in chunks of
/// at most [`CHUNK_SIZE`](crate::CHUNK_SIZE) bytes and not past `header.size`.
/// If `body` ends early the error is [`TransferError::Io`] with kind
/// `UnexpectedEof`; the receiver is then left waiting for the rest, so close the
/// connection.
pub fn send(
    _out: &mut impl Write,
    _header: &Header,
    _body: &mut impl Read,
) -> Result<(), TransferError> {
    todo!("send: check the name, write the encoded header, copy_exact the body, flush (lesson 02.4, 'Sending: why the file is read twice')")
}

/// Sends the file at `path` under its own name and returns the header it sent.
///
/// The file is read twice: once to learn its size and SHA-256 (the header goes
/// first, so both must be known before the first byte is sent), then again to
/// send it. Both passes stream in bounded chunks. If the file changes between the
/// passes, the receiver's checksum check fails and it keeps nothing.
///
/// Errors: [`TransferError::Io`] if the file cannot be read or `out` cannot be
/// written, or if the path has no final component that is UTF-8 (JSON carries
/// text); [`TransferError::BadName`] if that name is not a plain file name.
pub fn send_file(_out: &mut impl Write, _path: &Path) -> Result<Header, TransferError> {
    todo!("send_file: hash the file through a HashingWriter over io::sink, rewind, then send (lesson 02.4, 'Sending: why the file is read twice')")
}
