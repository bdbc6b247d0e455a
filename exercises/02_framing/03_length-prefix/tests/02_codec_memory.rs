//! What the decoder really holds: nothing for a header over the limit, one frame
//! in progress and one chunk for a long stream, nothing after an error.
//!
//! This test binary installs the test kit's counting allocator (`testkit::alloc`),
//! which sees every allocation, records the largest one asked for, and refuses any
//! of 1 GiB or more. If a test here stops with
//!
//! ```text
//! testkit: refused a huge allocation. ...
//! memory allocation of 4294967295 bytes failed
//! ```
//!
//! the decoder tried to make room for a 4 GiB payload that a 4-byte header merely
//! announced: compare the length with `max_len` first. The tests take turns
//! (`SERIAL`), so that each one measures only its own work.

use std::sync::{Mutex, MutexGuard};

use length_prefix::{FrameDecoder, FrameError};
use testkit::alloc::PeakAlloc;
use testkit::deadline::DEFAULT;
use testkit::expect;

const MIB: usize = 1024 * 1024;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc::refusing(1024 * MIB);

static SERIAL: Mutex<()> = Mutex::new(());

/// Waits for the other tests of this file to finish measuring.
fn take_turn() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How much a decoder may hold at once in the streaming tests: a few times one
/// chunk (4 KiB) and one frame (at most 1 KiB here), far below the 8 MiB fed.
/// (The reference solution holds about 8 KiB.)
const BOUND: usize = 24 * 1024;
const MAX_LEN: usize = 1024;
const FED: usize = 8 * MIB;

#[test]
fn a_4_gib_header_is_refused_without_allocating_it() {
    let _turn = take_turn();
    let (next, largest) = HEAP.largest_in(|| {
        let mut decoder = FrameDecoder::new(MIB);
        decoder.feed(&[0xff; 4]);
        decoder.next_frame()
    });
    expect::that(
        matches!(next, Err(FrameError::TooLarge { .. })),
        "FrameDecoder::next_frame after a header announcing 4 GiB, max_len 1 MiB",
        &next,
        "the header is over the limit: FrameError::TooLarge",
    );
    expect::that(
        largest < MIB,
        "the largest allocation made by that feed and next_frame is under 1 MiB",
        format_args!("{largest} bytes"),
        "check the announced length before reserving room for the payload",
    );
}

/// One read's worth of a stream of frames with 96-byte payloads: the end of a
/// frame, 40 whole frames, and the first 2 bytes of a header. A read almost
/// never ends right at a frame boundary, so neither does this one.
fn chunk() -> Vec<u8> {
    let frame = [&96u32.to_be_bytes()[..], &[7; 96]].concat();
    let (head, tail) = frame.split_at(2);
    [tail, &frame.repeat(40), head].concat()
}

#[test]
fn forgets_frames_once_they_are_returned() {
    let _turn = take_turn();
    let chunk = chunk();
    let chunks = FED / chunk.len();
    let (frames, peak) = testkit::within_hint(
        DEFAULT,
        "decoding 8 MiB of 100-byte frames, fed in 4 KiB reads",
        "decoding should take milliseconds; does next_frame copy or search the \
         whole buffer on every call?",
        move || {
            HEAP.measure(|| {
                let mut decoder = FrameDecoder::new(MAX_LEN);
                // The stream starts with a whole frame, not with the end of one.
                decoder.feed(&chunk[chunk.len() - 2..]);
                let mut frames = 0;
                for _ in 0..chunks {
                    decoder.feed(&chunk);
                    // Bounded: a chunk completes 41 frames, so 42 calls are plenty.
                    for _ in 0..42 {
                        match decoder.next_frame() {
                            Ok(Some(_)) => frames += 1,
                            _ => break,
                        }
                    }
                }
                frames
            })
        },
    );
    expect::eq(
        "frames decoded from 8 MiB fed in chunks of 4 KiB",
        &frames,
        &(chunks * 41),
        "each chunk holds 40 whole frames and the end of the frame the previous \
         chunk began",
    );
    expect::that(
        peak < BOUND,
        "the most memory held at once while decoding 8 MiB of 100-byte frames \
         (max_len 1 KiB) is under 24 KiB",
        format_args!("{peak} bytes"),
        "a returned frame is done with: drop its bytes from the buffer (in feed, \
         before appending), or the buffer grows for as long as the connection \
         lasts. Clearing the buffer only when every byte was used up is not \
         enough: a read rarely ends exactly at a frame boundary",
    );
}

#[test]
fn holds_nothing_after_an_error() {
    let _turn = take_turn();
    let (first, peak) = testkit::within_hint(
        DEFAULT,
        "feeding 8 MiB to a decoder that has failed",
        "feeding a decoder that has failed should take no time at all",
        || {
            let mut decoder = FrameDecoder::new(MAX_LEN);
            decoder.feed(&(2 * MAX_LEN as u32).to_be_bytes());
            let first = decoder.next_frame().map(|_| ());
            let ((), peak) = HEAP.measure(|| {
                let chunk = [7u8; 4096];
                for _ in 0..FED / chunk.len() {
                    decoder.feed(&chunk);
                }
            });
            (first, peak)
        },
    );
    expect::that(
        matches!(first, Err(FrameError::TooLarge { .. })),
        "next_frame after a header announcing 2 KiB (max_len 1 KiB)",
        &first,
        "a header over the limit is FrameError::TooLarge as soon as it is in",
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
