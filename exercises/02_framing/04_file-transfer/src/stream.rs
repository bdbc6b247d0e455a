//! Moving a known number of bytes from a reader to a writer, in bounded chunks.

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};

/// Copies `len` bytes from `src` to `dst` and returns how many were copied: `len`,
/// or fewer if `src` ended first.
///
/// Never reads a byte past `len` (what follows belongs to the next message), never
/// asks `src` for more than [`CHUNK_SIZE`](crate::CHUNK_SIZE) bytes in one `read`,
/// and holds no more than one chunk in memory. Retries reads interrupted by a signal; any other
/// error is returned as is.
pub fn copy_exact(_src: &mut impl Read, _dst: &mut impl Write, _len: u64) -> io::Result<u64> {
    todo!("copy_exact: a loop that reads at most what is left (and at most CHUNK_SIZE), writes it all, and stops at len or at the end (lesson 02.4, 'Copying exactly n bytes')")
}

// ANCHOR: hashing_writer
/// A writer that computes the SHA-256 of everything written through it.
///
/// Wrap the destination in it and every byte that reaches the destination is
/// hashed exactly once, with no second pass over the data.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// Returns the inner writer and the SHA-256 of all bytes written, in lowercase hex.
    pub fn finish(self) -> (W, String) {
        (self.inner, hex::encode(self.hasher.finalize()))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        // Hash only what the inner writer took; the caller retries the rest.
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
// ANCHOR_END: hashing_writer
