//! Step 4, sending, measured: the heap stays small however large the file.
//!
//! This file holds ONE test on purpose: it counts every allocation in the process,
//! and tests in the same file would run at the same time and be counted too.

mod common;

use std::fs::File;
use std::io;

use common::{Counter, Lazy};
use file_transfer::{send, send_file, Header};
use testkit::alloc::PeakAlloc;
use testkit::expect;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc::new();

/// Far below every file size used here, far above a few chunks and buffers.
const BUDGET: usize = 1 << 20;

#[track_caller]
fn expect_within_budget(what: &str, peak: usize, size: u64) {
    expect::that(
        peak < BUDGET,
        &format!("the most heap memory held at once while {what} ({size} bytes)"),
        format!("{peak} bytes (the budget is {BUDGET})"),
        "stream through one fixed buffer; a Vec that grows with the file (read_to_end, \
         vec![0; size], collecting chunks) holds the whole file",
    );
}

#[test]
fn sending_holds_one_chunk_however_large_the_file() {
    // send: 64 MiB made up on the fly, to a writer that only counts.
    let size: u64 = 64 << 20;
    let header = Header {
        name: "huge.bin".into(),
        size,
        sha256: "0".repeat(64),
    };
    let (sent, peak) =
        HEAP.measure(|| send(&mut Counter::default(), &header, &mut Lazy::new(size)));
    expect::ok(
        "send of a 64 MiB body",
        sent,
        "send writes the header, then copy_exact moves the body",
    );
    expect_within_budget("send streamed a body", peak, size);

    // send_file: a real 4 MiB file, read twice (hash, then send).
    let size: u64 = 4 << 20;
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("four.bin");
    io::copy(&mut Lazy::new(size), &mut File::create(&path).unwrap()).unwrap();
    let (sent, peak) = HEAP.measure(|| send_file(&mut Counter::default(), &path));
    expect::ok(
        "send_file of a 4 MiB file",
        sent,
        "hash the file in one streamed pass, rewind, then send it",
    );
    expect_within_budget("send_file sent a file", peak, size);
}
