//! Helpers shared by the test files: test data, hand-built transfers, readers
//! that watch how they are used.
#![allow(dead_code)] // each test file uses a different subset

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use file_transfer::Limits;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// `len` bytes that look random (so a swapped or dropped byte changes the hash)
/// and are the same on every run for the same `seed`.
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The SHA-256 of `data` in lowercase hex, computed independently of the crate.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `[u32 big-endian len][json]`, built by hand so receiver tests do not depend on
/// the learner's encoder.
pub fn frame(json: &str) -> Vec<u8> {
    let mut out = (json.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(json.as_bytes());
    out
}

/// The JSON header for `body` under `name`, as a correct sender writes it: the
/// fields in the order name, size, sha256, no spaces.
pub fn header_json(name: &str, body: &[u8]) -> String {
    format!(
        r#"{{"name":{},"size":{},"sha256":"{}"}}"#,
        serde_json::Value::from(name),
        body.len(),
        sha256_hex(body)
    )
}

/// A complete, correct transfer of `body` under `name`.
pub fn transfer(name: &str, body: &[u8]) -> Vec<u8> {
    let mut out = frame(&header_json(name, body));
    out.extend_from_slice(body);
    out
}

/// `result` with its error as text, so it can be compared with `Ok(expected)`
/// and an unexpected error is shown in full.
pub fn shown<T, E: std::fmt::Debug>(result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| format!("{e:?}"))
}

/// Limits generous enough for every test file.
pub fn limits() -> Limits {
    Limits {
        max_header_len: 64 * 1024,
        max_file_size: 64 << 20,
    }
}

/// A scratch folder `root/uploads`. Tests check `root` too: nothing may escape.
pub struct Dest {
    pub root: TempDir,
    pub uploads: PathBuf,
}

impl Dest {
    pub fn new() -> Self {
        let root = TempDir::new().expect("could not create a temporary folder");
        let uploads = root.path().join("uploads");
        fs::create_dir(&uploads).expect("could not create the uploads folder");
        Self { root, uploads }
    }

    /// The names in the uploads folder, hidden ones (temporary files) included.
    pub fn uploads_listing(&self) -> Vec<String> {
        listing(&self.uploads)
    }

    /// The names in the root folder: only "uploads" unless something escaped.
    pub fn root_listing(&self) -> Vec<String> {
        listing(self.root.path())
    }
}

/// Every entry in `dir`, sorted, hidden ones included.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("could not list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A reader that makes up `len` bytes as they are asked for: a "file" of any size
/// that costs no memory.
pub struct Lazy {
    offset: u64,
    len: u64,
}

impl Lazy {
    pub fn new(len: u64) -> Self {
        Self { offset: 0, len }
    }
}

impl Read for Lazy {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (self.len - self.offset).min(buf.len() as u64) as usize;
        // Cheap to make, yet the content changes along the stream.
        for (i, piece) in buf[..n].chunks_mut(1000).enumerate() {
            piece.fill((self.offset / 1000 + i as u64) as u8);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// The SHA-256 of what `Lazy::new(len)` produces, streamed.
pub fn lazy_sha256(len: u64) -> String {
    let mut hasher = Sha256::new();
    let mut lazy = Lazy::new(len);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = lazy.read(&mut buf).unwrap();
        if n == 0 {
            return hex::encode(hasher.finalize());
        }
        hasher.update(&buf[..n]);
    }
}

/// Wraps a reader and remembers the largest `read` ever asked of it.
pub struct Watched<R> {
    inner: R,
    pub largest_request: usize,
    pub delivered: u64,
}

impl<R: Read> Watched<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            largest_request: 0,
            delivered: 0,
        }
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.largest_request = self.largest_request.max(buf.len());
        let n = self.inner.read(buf)?;
        self.delivered += n as u64;
        Ok(n)
    }
}

/// A writer that only counts.
#[derive(Default)]
pub struct Counter {
    pub written: u64,
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A reader that hands out `data`, then fails with `kind` (a peer that vanishes).
pub struct FailsAfter {
    data: io::Cursor<Vec<u8>>,
    kind: io::ErrorKind,
}

impl FailsAfter {
    pub fn new(data: Vec<u8>, kind: io::ErrorKind) -> Self {
        Self {
            data: io::Cursor::new(data),
            kind,
        }
    }
}

impl Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.data.read(buf)? {
            0 => Err(io::Error::new(self.kind, "the test's reader fails here")),
            n => Ok(n),
        }
    }
}

/// Hands out `data` 3 bytes at a time; before the first read (and, if
/// `every_other`, before every other one) fails once with `kind`.
pub struct Stumbling<'a> {
    data: &'a [u8],
    kind: io::ErrorKind,
    every_other: bool,
    fail_next: bool,
}

impl<'a> Stumbling<'a> {
    pub fn new(data: &'a [u8], kind: io::ErrorKind, every_other: bool) -> Self {
        Self {
            data,
            kind,
            every_other,
            fail_next: true,
        }
    }
}

impl Read for Stumbling<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.fail_next {
            self.fail_next = false;
            return Err(io::Error::new(self.kind, "the test's reader fails here"));
        }
        self.fail_next = self.every_other;
        let n = buf.len().min(self.data.len()).min(3);
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Fails unless nothing at all was left behind: no file, no temporary file, and
/// nothing outside the uploads folder.
#[track_caller]
pub fn expect_nothing_left(dest: &Dest, what: &str) {
    testkit::expect::eq(
        &format!("files in the uploads folder after {what}"),
        &dest.uploads_listing(),
        &Vec::<String>::new(),
        "a failed transfer leaves nothing: write into a temporary file and rename it \
         only when everything checks out; delete it on every error (a NamedTempFile \
         does that when dropped)",
    );
    testkit::expect::eq(
        &format!("files next to the uploads folder after {what}"),
        &dest.root_listing(),
        &vec!["uploads".to_string()],
        "nothing may be created outside the destination folder",
    );
}

/// Writes `body` to a new file `name` in a fresh temporary folder.
pub fn source_file(name: &str, body: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, body).unwrap();
    (dir, path)
}
