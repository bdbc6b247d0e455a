//! Sending a file over a byte stream: a length-prefixed JSON header, then the body.
//!
//! ```text
//! +----------------+---------------------------------------------+----------------+
//! | u32 big-endian | JSON header, exactly `len` bytes            | body, exactly  |
//! | len            | {"name":"a.txt","size":5,"sha256":"2cf2…"}  | `size` bytes   |
//! +----------------+---------------------------------------------+----------------+
//! ```
//!
//! The header says what follows; the body is streamed in chunks of at most
//! [`CHUNK_SIZE`] bytes, so a 10 GiB file costs the sender and the receiver the same
//! few kilobytes of memory as a 10-byte one. The receiver writes into a temporary
//! file in the destination folder and renames it into place only after the size and
//! the SHA-256 checksum are right: a transfer cut short leaves nothing behind.
//!
//! Lesson: `book/02_framing/04_file-transfer.md`.

mod error;
mod header;
mod name;
mod receive;
mod send;
mod stream;

pub use error::TransferError;
pub use header::{encode_header, read_header, Header};
pub use name::{FileName, NameError};
pub use receive::receive_file;
pub use send::{send, send_file};
pub use stream::{copy_exact, HashingWriter};

/// The most bytes a sender or receiver asks of a reader, or holds, in one go.
///
/// 64 KiB is large enough that the per-call overhead (a system call, a hash update)
/// is small next to the copying, and small enough to be nothing next to the file.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// The longest file name accepted, in bytes of UTF-8 (`NAME_MAX` on Linux, and the
/// limit of most file systems).
pub const MAX_NAME_LEN: usize = 255;

/// What a receiver is willing to accept from one transfer.
///
/// Both limits are checked *before* the receiver commits anything to them: the
/// header length before a buffer is allocated, the file size before a temporary
/// file is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest JSON header, in bytes. A real header is ~150 bytes.
    pub max_header_len: u32,
    /// The largest body (file size), in bytes.
    pub max_file_size: u64,
}

impl Default for Limits {
    /// 64 KiB of header and 1 GiB of file.
    fn default() -> Self {
        Self {
            max_header_len: 64 * 1024,
            max_file_size: 1 << 30,
        }
    }
}
