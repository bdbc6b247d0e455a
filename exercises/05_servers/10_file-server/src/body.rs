//! Bodies: moving exactly `size` bytes in bounded chunks, and hashing them on the way.
//!
//! Given, as in part 02's `file-transfer`: [`copy_exact`] never reads past the end
//! of a body (what follows is the next request), and [`HashingWriter`] computes the
//! SHA-256 of whatever passes through it.

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};

use crate::CHUNK_SIZE;

/// Copies `len` bytes from `src` to `dst` and returns how many were copied: `len`,
/// or fewer if `src` ended first.
///
/// Never reads a byte past `len`, never asks `src` for more than [`CHUNK_SIZE`]
/// bytes in one `read`, and holds one chunk in memory. Retries reads interrupted by
/// a signal; any other error is returned as is.
pub fn copy_exact<R, W>(src: &mut R, dst: &mut W, len: u64) -> io::Result<u64>
where
    R: Read + ?Sized,
    W: Write + ?Sized,
{
    let mut buf = vec![0u8; CHUNK_SIZE.min(usize::try_from(len).unwrap_or(CHUNK_SIZE))];
    let mut copied = 0;
    while copied < len {
        // Ask for at most what is left of this body, never a full buffer blindly.
        let want = (len - copied).min(buf.len() as u64) as usize;
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

/// Reads `src` to its end and returns its size in bytes and its SHA-256 in
/// lowercase hex, streaming (one chunk in memory).
pub fn hash_to_end<R: Read + ?Sized>(src: &mut R) -> io::Result<(u64, String)> {
    let mut hashing = HashingWriter::new(io::sink());
    let size = io::copy(src, &mut hashing)?;
    let (_, sha256) = hashing.finish();
    Ok((size, sha256))
}

/// A writer that computes the SHA-256 of everything written through it.
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
