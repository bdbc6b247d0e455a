//! The files the server serves: one root folder, regular files only.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::protocol::{Entry, ErrorCode, FileInfo};
use crate::FileName;

/// The files in one root folder.
///
/// Only *regular files* whose names are plain [`FileName`]s exist for the store:
/// symbolic links, folders, devices, FIFOs and hidden files (names starting with
/// `.`, which include the store's own temporary files) are never listed, opened or
/// deleted. A `Store` is cheap and `Sync`: every connection's thread shares one.
#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

/// A file opened for a GET: the open file, positioned at its start, and what the
/// reply header says about it.
#[derive(Debug)]
pub struct Download {
    pub file: File,
    pub info: FileInfo,
}

/// Why a store operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// No file of that name.
    NotFound,
    /// The name exists but is not a regular file (a symbolic link, a folder, a FIFO…).
    Forbidden,
    /// The body ended after `received` of the `expected` bytes.
    Truncated { expected: u64, received: u64 },
    /// The whole body arrived, but its SHA-256 is `actual`, not `expected`.
    Checksum { expected: String, actual: String },
    /// Reading the body or the disk failed (a socket timeout, a full disk…).
    Io(io::Error),
}

impl StoreError {
    /// The protocol's error code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound => ErrorCode::NotFound,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::Truncated { .. } => ErrorCode::BadRequest,
            Self::Checksum { .. } => ErrorCode::Checksum,
            Self::Io(_) => ErrorCode::Io,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => write!(f, "no such file"),
            Self::Forbidden => write!(f, "not a regular file"),
            Self::Truncated { expected, received } => {
                write!(f, "the body ended after {received} of {expected} bytes")
            }
            Self::Checksum { expected, actual } => {
                write!(
                    f,
                    "checksum mismatch: announced {expected}, received {actual}"
                )
            }
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<io::Error> for StoreError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

impl Store {
    /// A store over the existing folder `root`. Nothing is checked or created here.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The regular files in the root whose names are valid [`FileName`]s, with
    /// their sizes, sorted by name (byte order, so `B.txt` comes before `a.txt`).
    ///
    /// Symbolic links (even to regular files), folders, other special files, hidden
    /// names and temporary files are left out: LIST shows exactly what GET can
    /// fetch. A file that disappears while the folder is read is skipped.
    ///
    /// Errors: reading the root folder failed.
    pub fn list(&self) -> io::Result<Vec<Entry>> {
        todo!(
            "read_dir the root; keep regular files (DirEntry::file_type does not follow \
             links) whose names pass FileName::new; sort by name (lesson 05.10, 'LIST')"
        )
    }

    // ANCHOR: get
    /// Opens `name` for download and computes its size and SHA-256.
    ///
    /// The file is opened with `O_NOFOLLOW` (a symbolic link is refused instead of
    /// followed) and `O_NONBLOCK` (opening a FIFO does not wait for a writer), and
    /// the *opened* file is then checked to be a regular file. Checking the open
    /// file rather than the path leaves no gap between the check and the use.
    /// The returned file is rewound to its start.
    ///
    /// Errors: [`StoreError::NotFound`]; [`StoreError::Forbidden`] for a symbolic
    /// link (whatever it points to), a folder, a FIFO or a device;
    /// [`StoreError::Io`] for anything else.
    pub fn get(&self, _name: &FileName) -> Result<Download, StoreError> {
        todo!(
            "open with O_NOFOLLOW | O_NONBLOCK (OpenOptionsExt::custom_flags), check the \
             OPEN file is regular, hash it, rewind \
             (lesson 05.10, 'Symbolic links: checking the file you actually open')"
        )
    }
    // ANCHOR_END: get

    /// Stores exactly `size` bytes read from `body` as `name`, if their SHA-256 is
    /// `sha256` (64 hex digits, either case), and returns the stored file's info.
    ///
    /// The bytes go into a new hidden temporary file in the root (created with
    /// `O_EXCL` under a random name, so concurrent uploads never share one), are
    /// synced to disk, and only then renamed over `name` in one atomic step:
    /// readers and concurrent uploads see the old file or a complete new one,
    /// never a mix. The rename replaces a symbolic link called `name` itself; it
    /// never writes through the link.
    ///
    /// On every error the temporary file is gone and `name` is untouched. Reads
    /// exactly `size` bytes from `body` unless it ends or fails first.
    ///
    /// Errors: [`StoreError::Truncated`] if `body` ends early;
    /// [`StoreError::Checksum`]; [`StoreError::Forbidden`] if `name` is a folder;
    /// [`StoreError::Io`] for a failed read (timeout, reset) or a disk error.
    pub fn put<R: Read + ?Sized>(
        &self,
        _name: &FileName,
        _size: u64,
        _sha256: &str,
        _body: &mut R,
    ) -> Result<FileInfo, StoreError> {
        todo!(
            "tempfile::Builder in the root, copy_exact through a HashingWriter, compare \
             the checksum, sync_all, persist \
             (lesson 05.10, 'PUT: a temporary file and one rename')"
        )
    }

    /// Deletes the regular file `name`.
    ///
    /// Errors: [`StoreError::NotFound`]; [`StoreError::Forbidden`] if `name` is not
    /// a regular file (a symbolic link is not followed, and not removed either);
    /// [`StoreError::Io`].
    pub fn delete(&self, _name: &FileName) -> Result<(), StoreError> {
        todo!(
            "symlink_metadata: missing -> NotFound, not a regular file -> Forbidden; then \
             remove_file (lesson 05.10, 'DELETE')"
        )
    }
}
