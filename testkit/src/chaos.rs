//! Seeded chaos chunking: deliver a byte stream in awkward pieces, reproducibly.
//!
//! TCP promises the bytes and their order, never the boundaries: one `write` may
//! arrive in many `read`s (half packets, 半包) and many `write`s in one `read`
//! (sticky packets, 粘包). A decoder is only correct if it gives the same answer
//! for every way of cutting the stream. [`Chunking::ALL`] lists the cuts every
//! framing test runs: the whole stream at once (frames coalesced), one byte at a
//! time, and three seeded random cuttings.

use std::fmt;
use std::io::{self, Read, Write};

/// One way of cutting a byte stream into pieces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunking {
    /// Everything in one piece: all frames coalesced ("sticky").
    Whole,
    /// One byte per piece: every frame split everywhere ("half packets").
    OneByte,
    /// Pieces of 1..=max bytes, sizes drawn from a generator seeded with `seed`.
    Random { seed: u64, max: usize },
}

impl Chunking {
    /// The cuttings every framing test should survive.
    pub const ALL: [Chunking; 5] = [
        Chunking::Whole,
        Chunking::OneByte,
        Chunking::Random { seed: 1, max: 7 },
        Chunking::Random { seed: 2, max: 64 },
        Chunking::Random { seed: 3, max: 4096 },
    ];

    // ANCHOR: split
    /// Cuts `bytes` into pieces. Concatenated, the pieces are `bytes` again.
    pub fn split<'a>(&self, bytes: &'a [u8]) -> Vec<&'a [u8]> {
        let mut sizes = self.sizes();
        let mut pieces = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = sizes.next_size().min(rest.len());
            let (piece, tail) = rest.split_at(n);
            pieces.push(piece);
            rest = tail;
        }
        pieces
    }
    // ANCHOR_END: split

    fn sizes(&self) -> Sizes {
        Sizes {
            chunking: *self,
            rng: SplitMix64(match self {
                Chunking::Random { seed, .. } => *seed,
                _ => 0,
            }),
        }
    }
}

impl fmt::Display for Chunking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Chunking::Whole => write!(f, "all at once"),
            Chunking::OneByte => write!(f, "1-byte chunks"),
            Chunking::Random { seed, max } => write!(f, "random chunks of 1..={max} (seed {seed})"),
        }
    }
}

/// An endless source of piece sizes for one [`Chunking`].
struct Sizes {
    chunking: Chunking,
    rng: SplitMix64,
}

impl Sizes {
    fn next_size(&mut self) -> usize {
        match self.chunking {
            Chunking::Whole => usize::MAX,
            Chunking::OneByte => 1,
            Chunking::Random { max, .. } => 1 + (self.rng.next() % max.max(1) as u64) as usize,
        }
    }
}

/// SplitMix64: a tiny, well-known generator. Written out here (rather than taken
/// from a crate) so a seed gives the same cuts on every machine and every version.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A reader that hands out at most one chunk per `read` call, like a socket.
///
/// Wrap any byte source to test a blocking `read_frame`-style function:
/// `ChaosReader::new(&bytes[..], Chunking::OneByte)`.
pub struct ChaosReader<R> {
    inner: R,
    sizes: Sizes,
}

impl<R: Read> ChaosReader<R> {
    pub fn new(inner: R, chunking: Chunking) -> Self {
        Self {
            inner,
            sizes: chunking.sizes(),
        }
    }
}

impl<R: Read> Read for ChaosReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.sizes.next_size().min(buf.len());
        self.inner.read(&mut buf[..n])
    }
}

/// Writes `bytes` to `out` one chunk per `write` call, flushing after each.
///
/// On a `TcpStream` with `TCP_NODELAY` set this makes separate segments likely, so
/// the peer's reads see split and merged frames; the kernel may still merge some,
/// which is exactly why a correct reader must not care.
pub fn write_chunked<W: Write>(out: &mut W, bytes: &[u8], chunking: Chunking) -> io::Result<()> {
    for piece in chunking.split(bytes) {
        out.write_all(piece)?;
        out.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunking_preserves_the_bytes() {
        let bytes: Vec<u8> = (0..=255).cycle().take(10_000).collect();
        for chunking in Chunking::ALL {
            assert_eq!(chunking.split(&bytes).concat(), bytes, "{chunking}");
        }
    }

    #[test]
    fn cuttings_differ_and_are_reproducible() {
        let bytes = [7u8; 100];
        assert_eq!(Chunking::Whole.split(&bytes).len(), 1);
        assert_eq!(Chunking::OneByte.split(&bytes).len(), 100);
        let random = Chunking::Random { seed: 1, max: 7 };
        let first: Vec<usize> = random.split(&bytes).iter().map(|p| p.len()).collect();
        let again: Vec<usize> = random.split(&bytes).iter().map(|p| p.len()).collect();
        assert_eq!(first, again);
        assert!(
            first.iter().any(|&n| n > 1),
            "random cuts should vary: {first:?}"
        );
    }

    #[test]
    fn chaos_reader_returns_short_reads() {
        let mut reader = ChaosReader::new(&b"hello"[..], Chunking::OneByte);
        let mut buf = [0u8; 16];
        assert_eq!(reader.read(&mut buf).unwrap(), 1);
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"ello");
    }
}
