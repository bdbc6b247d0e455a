//! The limit is checked BEFORE memory is set aside for the payload.
//!
//! This test binary replaces Rust's global allocator with one that records the
//! largest allocation it was asked for. It refuses any allocation of 1 GiB or
//! more, so if this test stops with
//!
//! ```text
//! memory allocation of 4294967295 bytes failed
//! ```
//!
//! the code under test tried to make room for a 4 GiB payload that a 4-byte
//! header merely announced: compare the length with `max_len` first.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use length_prefix::{read_frame, FrameDecoder, FrameError};
use testkit::expect;

const MIB: usize = 1024 * 1024;
const REFUSED: usize = 1024 * MIB;

/// The largest allocation requested since the last reset.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

/// Passes every request on to the system allocator, after noting its size.
struct Recording;

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, or returns null (allowed: it reports an allocation failure).
unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if note(layout.size()) {
            unsafe { System.alloc(layout) }
        } else {
            ptr::null_mut()
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if note(layout.size()) {
            unsafe { System.alloc_zeroed(layout) }
        } else {
            ptr::null_mut()
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if note(new_size) {
            unsafe { System.realloc(ptr, layout, new_size) }
        } else {
            ptr::null_mut()
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Records `size`; false if it is too large to grant.
fn note(size: usize) -> bool {
    LARGEST.fetch_max(size, Ordering::Relaxed);
    size < REFUSED
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

/// The only test in this file, so no other test allocates at the same time.
#[test]
fn a_4_gib_header_is_refused_without_allocating_it() {
    let header = [0xff_u8; 4];

    LARGEST.store(0, Ordering::Relaxed);
    let read = read_frame(&mut &header[..], MIB);
    let largest = LARGEST.load(Ordering::Relaxed);
    expect::that(
        matches!(read, Err(FrameError::TooLarge { .. })),
        "read_frame of a header announcing 4 GiB, max_len 1 MiB",
        &read,
        "the header is over the limit: FrameError::TooLarge",
    );
    expect::that(
        largest < MIB,
        "the largest allocation made by that read_frame is under 1 MiB",
        format!("{largest} bytes"),
        "compare the header's length with max_len before vec![0; len] or \
         Vec::with_capacity(len)",
    );

    LARGEST.store(0, Ordering::Relaxed);
    let mut decoder = FrameDecoder::new(MIB);
    decoder.feed(&header);
    let next = decoder.next_frame();
    let largest = LARGEST.load(Ordering::Relaxed);
    expect::that(
        matches!(next, Err(FrameError::TooLarge { .. })),
        "FrameDecoder::next_frame after a header announcing 4 GiB, max_len 1 MiB",
        &next,
        "the header is over the limit: FrameError::TooLarge",
    );
    expect::that(
        largest < MIB,
        "the largest allocation made by that feed and next_frame is under 1 MiB",
        format!("{largest} bytes"),
        "check the announced length before reserving room for the payload",
    );
}
