//! The sending side: a header, then the body in chunks.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::Path;

use crate::{copy_exact, encode_header, FileName, HashingWriter, Header, TransferError};

// ANCHOR: send
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
    out: &mut impl Write,
    header: &Header,
    body: &mut impl Read,
) -> Result<(), TransferError> {
    FileName::new(&header.name)?;
    // Prefix and JSON in one write: one small segment instead of two.
    out.write_all(&encode_header(header))?;
    let sent = copy_exact(body, out, header.size)?;
    if sent < header.size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the body ended after {sent} of {} bytes", header.size),
        )
        .into());
    }
    out.flush()?;
    Ok(())
}
// ANCHOR_END: send

// ANCHOR: send_file
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
pub fn send_file(out: &mut impl Write, path: &Path) -> Result<Header, TransferError> {
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} has no UTF-8 file name to send", path.display()),
        )
    })?;
    let name = FileName::new(name)?;
    let mut file = File::open(path)?;

    // Pass 1: size and checksum, without keeping any of the bytes.
    let mut hashing = HashingWriter::new(io::sink());
    let size = io::copy(&mut file, &mut hashing)?;
    let (_, sha256) = hashing.finish();

    // Pass 2: the same open file from the start, so a rename in between is harmless.
    file.rewind()?;
    let header = Header {
        name: name.as_str().to_owned(),
        size,
        sha256,
    };
    send(out, &header, &mut file)?;
    Ok(header)
}
// ANCHOR_END: send_file
