//! Step 5, receiving, measured: the heap stays small however large the file.
//!
//! This file holds ONE test on purpose: it counts every allocation in the process,
//! and tests in the same file would run at the same time and be counted too.

mod common;

use std::io::{self, Read};

use common::{lazy_sha256, limits, Dest, Lazy};
use file_transfer::receive_file;
use testkit::alloc::PeakAlloc;
use testkit::expect;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc::new();

/// Far below the file size used here, far above a few chunks and buffers.
const BUDGET: usize = 1 << 20;

#[test]
fn receiving_holds_one_chunk_however_large_the_file() {
    // 4 MiB made up on the fly, into a file.
    let size: u64 = 4 << 20;
    let mut wire = common::frame(
        &serde_json::json!({"name": "four.bin", "size": size, "sha256": lazy_sha256(size)})
            .to_string(),
    );
    wire.shrink_to_fit();
    let dest = Dest::new();
    let mut input = io::Cursor::new(wire).chain(Lazy::new(size));
    let (received, peak) = HEAP.measure(|| receive_file(&mut input, &dest.uploads, &limits()));
    expect::ok(
        "receive_file of a 4 MiB file",
        received,
        "read the header, then stream the body into the temporary file",
    );
    expect::that(
        peak < BUDGET,
        &format!(
            "the most heap memory held at once while receive_file received a file ({size} bytes)"
        ),
        format!("{peak} bytes (the budget is {BUDGET})"),
        "stream through one fixed buffer; a Vec that grows with the file (read_to_end, \
         vec![0; size], collecting chunks) holds the whole file",
    );
}
