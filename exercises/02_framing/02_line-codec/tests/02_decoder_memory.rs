//! The decoder's memory is bounded by one line and one read, never by the whole
//! connection.
//!
//! `buffered()` says what the decoder *means* to keep; these tests look at what it
//! really holds. This test binary installs the test kit's counting allocator
//! (`testkit::alloc`), which sees every allocation, and measures the most memory
//! held at once while a long stream is decoded. The tests take turns (`SERIAL`),
//! so that each one measures only its own work.

use std::sync::{Mutex, MutexGuard};

use line_codec::{LineDecoder, LineError};
use testkit::alloc::PeakAlloc;
use testkit::deadline::DEFAULT;
use testkit::expect;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc::new();

static SERIAL: Mutex<()> = Mutex::new(());

/// Waits for the other tests of this file to finish measuring.
fn take_turn() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How much a decoder may hold at once in these tests: a few times one read
/// (4 KiB) plus the longest line (1 KiB), far below the 8 MiB fed. (The reference
/// solution holds about 8 KiB.)
const BOUND: usize = 24 * 1024;
const MAX_LEN: usize = 1024;
const FED: usize = 8 << 20;

/// One read's worth of bytes: the end of a line, 40 whole lines of 100 bytes,
/// and the start of a line. A read almost never ends right after a `\n`, so
/// neither does this one.
fn chunk() -> Vec<u8> {
    let mut chunk = [b"y".repeat(59), b"\n".to_vec()].concat();
    chunk.extend_from_slice(&[b"x".repeat(99), b"\n".to_vec()].concat().repeat(40));
    chunk.extend_from_slice(&b"y".repeat(41));
    chunk
}

#[test]
fn forgets_lines_once_they_are_returned() {
    let _turn = take_turn();
    let chunk = chunk();
    let chunks = FED / chunk.len();
    let (lines, peak) = testkit::within_hint(
        DEFAULT,
        "decoding 8 MiB of 100-byte lines, fed in 4 KiB reads",
        "decoding should take milliseconds; is next_line searching the whole \
         buffer on every call?",
        move || {
            HEAP.measure(|| {
                let mut decoder = LineDecoder::new(MAX_LEN);
                let mut lines = 0;
                for _ in 0..chunks {
                    decoder.feed(&chunk);
                    // Bounded: a chunk completes 41 lines, so 42 calls are plenty.
                    for _ in 0..42 {
                        match decoder.next_line() {
                            Ok(Some(_)) => lines += 1,
                            _ => break,
                        }
                    }
                }
                lines
            })
        },
    );
    expect::eq(
        "lines decoded from 8 MiB fed in chunks of 4 KiB",
        &lines,
        &(chunks * 41),
        "each chunk holds 40 whole lines and the end of the line the previous chunk began (the first chunk: a whole short line)",
    );
    expect::that(
        peak < BOUND,
        "the most memory held at once while decoding 8 MiB of short lines \
         (max_len 1 KiB) is under 24 KiB",
        format_args!("{peak} bytes"),
        "a returned line is done with: drop its bytes from the buffer (in feed, \
         before appending), or the buffer grows for as long as the connection \
         lasts. Clearing the buffer only when every byte was used up is not \
         enough: a read rarely ends exactly at a line ending",
    );
}

#[test]
fn holds_nothing_after_an_error() {
    let _turn = take_turn();
    let (outcome, peak) = testkit::within_hint(
        DEFAULT,
        "feeding 8 MiB to a decoder that has failed",
        "feeding a decoder that has failed should take no time at all",
        || {
            let mut decoder = LineDecoder::new(MAX_LEN);
            decoder.feed(&[b'x'; 2 * MAX_LEN]);
            let first = decoder.next_line();
            let ((), peak) = HEAP.measure(|| {
                let chunk = [b'x'; 4096];
                for _ in 0..FED / chunk.len() {
                    decoder.feed(&chunk);
                }
            });
            (first, peak)
        },
    );
    expect::eq(
        "next_line after 2 KiB without a newline (max_len 1 KiB)",
        &outcome,
        &Err(LineError::TooLong {
            line: 1,
            max_len: MAX_LEN,
        }),
        "a line over max_len is an error as soon as the buffer proves it",
    );
    expect::that(
        peak < BOUND,
        "the most memory held at once while 8 MiB are fed after the error is \
         under 24 KiB",
        format_args!("{peak} bytes"),
        "after an error nothing will ever be decoded: free the buffer when the \
         error happens, and let feed ignore what comes later",
    );
}
