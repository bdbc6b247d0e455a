//! `read_frame` checks the limit BEFORE it sets memory aside for the payload.
//!
//! This test binary installs the test kit's counting allocator, which records the
//! largest allocation asked for and refuses any of 1 GiB or more. If this test
//! stops with
//!
//! ```text
//! testkit: refused a huge allocation. ...
//! memory allocation of 4294967295 bytes failed
//! ```
//!
//! the code under test tried to make room for a 4 GiB payload that a 4-byte
//! header merely announced: compare the length with `max_len` first.

use length_prefix::{read_frame, FrameError};
use testkit::alloc::PeakAlloc;
use testkit::expect;

const MIB: usize = 1024 * 1024;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc::refusing(1024 * MIB);

/// The only test in this file, so no other test allocates at the same time.
#[test]
fn a_4_gib_header_is_refused_without_allocating_it() {
    let header = [0xff_u8; 4];
    let (read, largest) = HEAP.largest_in(|| read_frame(&mut &header[..], MIB));
    expect::that(
        matches!(read, Err(FrameError::TooLarge { .. })),
        "read_frame of a header announcing 4 GiB, max_len 1 MiB",
        &read,
        "the header is over the limit: FrameError::TooLarge",
    );
    expect::that(
        largest < MIB,
        "the largest allocation made by that read_frame is under 1 MiB",
        format_args!("{largest} bytes"),
        "compare the header's length with max_len before vec![0; len] or \
         Vec::with_capacity(len)",
    );
}
