//! The receiving side: check the header, stream into a temporary file, rename.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::{Limits, TransferError};

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
    _input: &mut impl Read,
    _dest_dir: &Path,
    _limits: &Limits,
) -> Result<PathBuf, TransferError> {
    todo!("receive_file: read_header, FileName::new, check the size, stream into a temporary file in dest_dir, verify, persist (lesson 02.4, 'Receiving: a temporary file and one rename')")
}
