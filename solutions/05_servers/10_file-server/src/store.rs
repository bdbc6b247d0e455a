//! The files the server serves: one root folder, regular files only.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, ErrorKind, Read, Seek};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;

use crate::body::{copy_exact, hash_to_end, HashingWriter};
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

    // ANCHOR: list
    /// The regular files in the root whose names are valid [`FileName`]s, with
    /// their sizes, sorted by name (byte order, so `B.txt` comes before `a.txt`).
    ///
    /// Symbolic links (even to regular files), folders, other special files, hidden
    /// names and temporary files are left out: LIST shows exactly what GET can
    /// fetch. A file that disappears while the folder is read is skipped.
    ///
    /// Errors: reading the root folder failed.
    pub fn list(&self) -> io::Result<Vec<Entry>> {
        let mut files = Vec::new();
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            // `file_type` and `metadata` of a DirEntry do not follow symbolic
            // links, so a link shows up as a link, never as its target.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if !kind.is_file() {
                continue;
            }
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue; // not UTF-8: JSON cannot carry it, GET could not ask for it
            };
            if FileName::new(&name).is_err() {
                continue; // hidden, temporary, or otherwise not servable
            }
            // Deleted between read_dir and here: gone, so not listed.
            let Ok(meta) = entry.metadata() else { continue };
            files.push(Entry {
                name,
                size: meta.len(),
            });
        }
        files.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(files)
    }
    // ANCHOR_END: list

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
    pub fn get(&self, name: &FileName) -> Result<Download, StoreError> {
        let mut file = open_regular(&self.root.join(name))?;
        // One open file for both passes: a PUT that replaces the name meanwhile
        // swaps in a new inode, and this one keeps its old contents to the end.
        let (size, sha256) = hash_to_end(&mut file)?;
        file.rewind()?;
        let info = FileInfo {
            name: name.to_string(),
            size,
            sha256,
        };
        Ok(Download { file, info })
    }
    // ANCHOR_END: get

    // ANCHOR: put
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
        name: &FileName,
        size: u64,
        sha256: &str,
        body: &mut R,
    ) -> Result<FileInfo, StoreError> {
        // In the root itself: a rename is only atomic within one file system. The
        // leading dot keeps it out of LIST and out of reach of every request. It
        // deletes itself when dropped, so each `?` below cleans up.
        let mut part = tempfile::Builder::new()
            .prefix(".upload-")
            .suffix(".part")
            .tempfile_in(&self.root)?;
        let actual = receive_body(body, size, part.as_file_mut())?;
        if !actual.eq_ignore_ascii_case(sha256) {
            return Err(StoreError::Checksum {
                expected: sha256.to_ascii_lowercase(),
                actual,
            });
        }
        // Data on disk before the name points at it, or a crash right after the
        // rename could leave a complete-looking name with missing contents.
        part.as_file().sync_all()?;
        match part.persist(self.root.join(name)) {
            Ok(_) => {}
            Err(e) if e.error.kind() == ErrorKind::IsADirectory => {
                return Err(StoreError::Forbidden)
            }
            Err(e) => return Err(e.error.into()),
        }
        // The rename itself is durable once the folder is synced.
        File::open(&self.root)?.sync_all()?;
        Ok(FileInfo {
            name: name.to_string(),
            size,
            sha256: actual,
        })
    }
    // ANCHOR_END: put

    // ANCHOR: delete
    /// Deletes the regular file `name`.
    ///
    /// Errors: [`StoreError::NotFound`]; [`StoreError::Forbidden`] if `name` is not
    /// a regular file (a symbolic link is not followed, and not removed either);
    /// [`StoreError::Io`].
    pub fn delete(&self, name: &FileName) -> Result<(), StoreError> {
        let path = self.root.join(name);
        // symlink_metadata looks at the entry itself, not at what a link points to.
        let meta = fs::symlink_metadata(&path).map_err(not_found_or_io)?;
        if !meta.is_file() {
            return Err(StoreError::Forbidden);
        }
        // A gap between the check and the unlink is harmless: unlink never follows
        // a link, so the worst a race can do is remove an entry in the root.
        fs::remove_file(&path).map_err(not_found_or_io)
    }
    // ANCHOR_END: delete
}

// ANCHOR: open_regular
/// Opens `path` for reading only if it is a regular file, without following a
/// symbolic link in its last component and without blocking on a FIFO.
fn open_regular(path: &Path) -> Result<File, StoreError> {
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits())
        .open(path);
    let file = match opened {
        Ok(file) => file,
        // O_NOFOLLOW on a symbolic link fails with ELOOP ("too many levels of
        // symbolic links"); FreeBSD says EMLINK.
        Err(e) if is_symlink_refusal(&e) => return Err(StoreError::Forbidden),
        Err(e) => return Err(not_found_or_io(e)),
    };
    // fstat on the open descriptor: this is the very file we will send.
    if !file.metadata()?.is_file() {
        return Err(StoreError::Forbidden);
    }
    Ok(file)
}
// ANCHOR_END: open_regular

fn is_symlink_refusal(err: &io::Error) -> bool {
    let code = err.raw_os_error();
    code == Some(nix::libc::ELOOP) || code == Some(nix::libc::EMLINK)
}

fn not_found_or_io(err: io::Error) -> StoreError {
    if err.kind() == ErrorKind::NotFound {
        StoreError::NotFound
    } else {
        StoreError::Io(err)
    }
}

/// Streams exactly `size` bytes from `body` into `file`; returns their SHA-256.
fn receive_body<R: Read + ?Sized>(
    body: &mut R,
    size: u64,
    file: &mut File,
) -> Result<String, StoreError> {
    // Buffered in front of the hasher: many small socket reads become few large
    // disk writes and hash updates.
    let mut sink = BufWriter::new(HashingWriter::new(file));
    let received = copy_exact(body, &mut sink, size)?;
    if received < size {
        return Err(StoreError::Truncated {
            expected: size,
            received,
        });
    }
    // into_inner flushes and reports a failed write; a dropped BufWriter would
    // swallow it.
    let hashing = sink.into_inner().map_err(|e| e.into_error())?;
    Ok(hashing.finish().1)
}
