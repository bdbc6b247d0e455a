//! Measuring heap memory: did that code stream, or did it hold everything at once?
//!
//! [`PeakAlloc`] wraps the system allocator and counts the bytes currently
//! allocated and the most ever allocated at once. Install it as the global
//! allocator of ONE test binary (a file of its own under `tests/`) and wrap the code
//! under test in [`PeakAlloc::measure`]:
//!
//! ```ignore
//! // tests/memory.rs — ignore: a doctest cannot install a global allocator
//! #[global_allocator]
//! static HEAP: testkit::alloc::PeakAlloc = testkit::alloc::PeakAlloc::new();
//!
//! #[test]
//! fn streams_without_buffering() {
//!     let (_, peak) = HEAP.measure(|| copy_a_large_file());
//!     assert!(peak < 1 << 20, "held {peak} bytes at once");
//! }
//! ```
//!
//! The counts are process-wide: every thread's allocations count. Tests in one
//! binary run in parallel, so keep measuring tests alone in their file (or in one
//! `#[test]` function) and compare against generous bounds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, plus a count of live bytes, their high-water mark and the
/// largest single request.
#[derive(Debug)]
pub struct PeakAlloc {
    current: AtomicUsize,
    peak: AtomicUsize,
    largest: AtomicUsize,
    /// Requests of this many bytes or more are refused (see [`PeakAlloc::refusing`]).
    refuse_from: usize,
}

impl PeakAlloc {
    pub const fn new() -> Self {
        Self::refusing(usize::MAX)
    }

    /// Like [`PeakAlloc::new`], but refuses any single request of `bytes` or more.
    ///
    /// Use it where the code under test must check an announced length before it
    /// allocates: a refused request explains itself on stderr, then Rust aborts the
    /// test binary with "memory allocation of N bytes failed", instead of the
    /// machine trying to find gigabytes that a 4-byte header merely asked for.
    pub const fn refusing(bytes: usize) -> Self {
        Self {
            current: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            largest: AtomicUsize::new(0),
            refuse_from: bytes,
        }
    }

    /// Runs `f` and returns its value and the largest single allocation it asked for.
    pub fn largest_in<T>(&self, f: impl FnOnce() -> T) -> (T, usize) {
        self.largest.store(0, Ordering::SeqCst);
        let value = f();
        (value, self.largest.load(Ordering::SeqCst))
    }

    /// Notes a request of `bytes`; false if it must be refused.
    fn admit(&self, bytes: usize) -> bool {
        self.largest.fetch_max(bytes, Ordering::SeqCst);
        if bytes < self.refuse_from {
            return true;
        }
        explain_refusal();
        false
    }

    /// Bytes allocated and not yet freed.
    pub fn current(&self) -> usize {
        self.current.load(Ordering::SeqCst)
    }

    /// Runs `f` and returns its value and the most bytes that were allocated at once
    /// while it ran, beyond those already allocated when it started.
    pub fn measure<T>(&self, f: impl FnOnce() -> T) -> (T, usize) {
        let base = self.current();
        self.peak.store(base, Ordering::SeqCst);
        let value = f();
        let peak = self.peak.load(Ordering::SeqCst);
        (value, peak.saturating_sub(base))
    }

    fn grow(&self, bytes: usize) {
        let now = self.current.fetch_add(bytes, Ordering::SeqCst) + bytes;
        self.peak.fetch_max(now, Ordering::SeqCst);
    }

    fn shrink(&self, bytes: usize) {
        self.current.fetch_sub(bytes, Ordering::SeqCst);
    }
}

impl Default for PeakAlloc {
    fn default() -> Self {
        Self::new()
    }
}

/// Says on stderr why the test binary is about to abort. Written with a raw
/// `write(2)`: an allocator must not allocate, and `eprintln!` might.
fn explain_refusal() {
    const WHY: &[u8] = b"\ntestkit: refused a huge allocation. The code under test tried to set \
aside memory for a length it was only told about; compare the length with the limit \
BEFORE Vec::with_capacity / vec![0; len].\n";
    #[cfg(unix)]
    // SAFETY: writing a static buffer to file descriptor 2 has no preconditions;
    // a failed write is ignored, there is nothing better to do here.
    unsafe {
        libc::write(2, WHY.as_ptr().cast(), WHY.len());
    }
    #[cfg(not(unix))]
    let _ = WHY;
}

// SAFETY: every call is passed unchanged to `System`, which upholds the
// `GlobalAlloc` contract, or refused with a null pointer (allowed: it reports an
// allocation failure); the counters only observe sizes and never allocate.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !self.admit(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: same contract as ours, forwarded.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            self.grow(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !self.admit(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: same contract as ours, forwarded.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            self.grow(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, i.e. from `System`, with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        self.shrink(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !self.admit(new_size) {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` came from `System` with `layout`; the caller upholds the rest.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        // On failure the old block is still allocated and nothing changes.
        if !new.is_null() {
            if new_size >= layout.size() {
                self.grow(new_size - layout.size());
            } else {
                self.shrink(layout.size() - new_size);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A private instance, driven by hand: these tests must not depend on what the
    // other tests in this binary allocate at the same time.

    #[test]
    fn counts_live_bytes_and_the_peak() {
        let heap = PeakAlloc::new();
        let small = Layout::from_size_align(100, 8).unwrap();
        let big = Layout::from_size_align(1000, 8).unwrap();
        let ((), peak) = heap.measure(|| unsafe {
            let a = heap.alloc(small);
            let b = heap.alloc_zeroed(big);
            assert_eq!(heap.current(), 1100);
            heap.dealloc(b, big);
            heap.dealloc(a, small);
        });
        assert_eq!(heap.current(), 0);
        assert_eq!(peak, 1100);
    }

    #[test]
    fn realloc_moves_the_count_both_ways() {
        let heap = PeakAlloc::new();
        let layout = Layout::from_size_align(64, 8).unwrap();
        let ((), peak) = heap.measure(|| unsafe {
            let p = heap.alloc(layout);
            let p = heap.realloc(p, layout, 4096);
            assert_eq!(heap.current(), 4096);
            let bigger = Layout::from_size_align(4096, 8).unwrap();
            let p = heap.realloc(p, bigger, 16);
            assert_eq!(heap.current(), 16);
            heap.dealloc(p, Layout::from_size_align(16, 8).unwrap());
        });
        assert_eq!(peak, 4096);
        assert_eq!(heap.current(), 0);
    }

    #[test]
    fn refuses_requests_over_the_limit_and_records_the_largest() {
        let heap = PeakAlloc::refusing(1 << 20);
        let ((), largest) = heap.largest_in(|| unsafe {
            let small = Layout::from_size_align(64, 8).unwrap();
            let p = heap.alloc(small);
            assert!(!p.is_null());
            heap.dealloc(p, small);
            let huge = Layout::from_size_align(1 << 30, 8).unwrap();
            assert!(
                heap.alloc(huge).is_null(),
                "a 1 GiB request must be refused"
            );
        });
        assert_eq!(largest, 1 << 30);
        assert_eq!(heap.current(), 0);
    }

    #[test]
    fn measure_is_relative_to_what_was_live_before() {
        let heap = PeakAlloc::new();
        let layout = Layout::from_size_align(500, 8).unwrap();
        let held = unsafe { heap.alloc(layout) };
        let ((), peak) = heap.measure(|| unsafe {
            let p = heap.alloc(Layout::from_size_align(20, 4).unwrap());
            heap.dealloc(p, Layout::from_size_align(20, 4).unwrap());
        });
        assert_eq!(peak, 20);
        unsafe { heap.dealloc(held, layout) };
    }
}
