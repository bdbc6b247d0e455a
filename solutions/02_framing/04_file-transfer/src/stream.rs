//! Moving a known number of bytes from a reader to a writer, in bounded chunks.

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};

use crate::CHUNK_SIZE;

// ANCHOR: copy_exact
/// Copies `len` bytes from `src` to `dst` and returns how many were copied: `len`,
/// or fewer if `src` ended first.
///
/// Never reads a byte past `len` (what follows belongs to the next message), never
/// asks `src` for more than [`CHUNK_SIZE`](crate::CHUNK_SIZE) bytes in one `read`,
/// and holds no more than one chunk in memory. Retries reads interrupted by a signal; any other
/// error is returned as is.
pub fn copy_exact(src: &mut impl Read, dst: &mut impl Write, len: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; CHUNK_SIZE];
    let mut copied = 0;
    while copied < len {
        // Ask for at most what is left of this body, never a full buffer blindly.
        let want = (len - copied).min(CHUNK_SIZE as u64) as usize;
        let n = match src.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        dst.write_all(&buf[..n])?;
        copied += n as u64;
    }
    Ok(copied)
}
// ANCHOR_END: copy_exact

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
