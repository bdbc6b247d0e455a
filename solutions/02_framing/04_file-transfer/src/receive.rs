//! The receiving side: check the header, stream into a temporary file, rename.

use std::fs::File;
use std::io::{self, BufWriter, Read};
use std::path::{Path, PathBuf};

use crate::{copy_exact, read_header, FileName, HashingWriter, Limits, TransferError};

// ANCHOR: receive_file
/// Receives one file from `input` into the existing folder `dest_dir` and returns
/// its path, `dest_dir/<name>`.
///
/// Reads exactly one header and `size` body bytes, nothing more, so transfers can
/// follow each other on one stream. The name is checked ([`FileName::new`]) and
/// the size compared with `limits` before anything is created. The body goes into
/// a temporary file in `dest_dir` (hidden, `.upload-XXXXXX.part`) while being
/// hashed; only when all `size` bytes arrived and their SHA-256 matches the header
/// is it flushed to disk and renamed over `dest_dir/<name>` in one atomic step.
///
/// On any error the temporary file is removed and `dest_dir/<name>` is untouched:
/// an older file of that name keeps its old contents. (The one exception is the
/// very last step: if syncing `dest_dir` fails after the rename, the complete file
/// is in place but may not survive a power cut, and the error is returned.)
///
/// Errors: those of [`read_header`](crate::read_header), then
/// [`TransferError::BadName`], [`TransferError::TooLarge`],
/// [`TransferError::TruncatedBody`] (end of stream mid-body),
/// [`TransferError::ChecksumMismatch`], and [`TransferError::Io`] (a missing
/// `dest_dir`, a full disk, a read timeout on a socket…).
pub fn receive_file(
    input: &mut impl Read,
    dest_dir: &Path,
    limits: &Limits,
) -> Result<PathBuf, TransferError> {
    let header = read_header(input, limits.max_header_len)?;
    let name = FileName::new(&header.name)?;
    if header.size > limits.max_file_size {
        return Err(TransferError::TooLarge {
            size: header.size,
            limit: limits.max_file_size,
        });
    }

    // Created in dest_dir itself: a rename is only atomic within one file system.
    // The NamedTempFile deletes itself when dropped, so every early return (`?`)
    // below cleans up, and so would a panic.
    let mut part = tempfile::Builder::new()
        .prefix(".upload-")
        .suffix(".part")
        .tempfile_in(dest_dir)?;
    let actual = receive_body(input, header.size, part.as_file_mut())?;
    if !actual.eq_ignore_ascii_case(&header.sha256) {
        return Err(TransferError::ChecksumMismatch {
            expected: header.sha256.to_ascii_lowercase(),
            actual,
        });
    }

    // The data must be on disk before the name points at it, or a crash right
    // after the rename could leave a complete-looking name with missing contents.
    part.as_file().sync_all()?;
    let path = dest_dir.join(&name);
    part.persist(&path).map_err(|e| e.error)?;
    sync_dir(dest_dir)?;
    Ok(path)
}
// ANCHOR_END: receive_file

// ANCHOR: receive_body
/// Streams exactly `size` bytes from `input` into `file`; returns their SHA-256.
fn receive_body(
    input: &mut impl Read,
    size: u64,
    file: &mut File,
) -> Result<String, TransferError> {
    // The BufWriter turns many small socket reads into few large disk writes, and
    // since it sits in front of the HashingWriter, into few large hash updates.
    let mut sink = BufWriter::new(HashingWriter::new(file));
    let received = copy_exact(input, &mut sink, size)?;
    if received < size {
        return Err(TransferError::TruncatedBody {
            expected: size,
            received,
        });
    }
    // into_inner flushes and reports a failed write; dropping a BufWriter would
    // flush too, but silently swallow the error.
    let hashing = sink.into_inner().map_err(|e| e.into_error())?;
    let (_, sha256) = hashing.finish();
    Ok(sha256)
}
// ANCHOR_END: receive_body

/// Makes the rename itself durable: on Unix a directory entry reaches the disk
/// when the directory is synced, not the file.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
