//! The course's framing decoders beside tokio-util's codecs, on the same bytes.
//!
//! `cargo run --release --manifest-path benches/framing/Cargo.toml` (see README.md).
//!
//! Each workload is one stream of bytes, cut into the chunks a server's `read`
//! calls would return. Both decoders get the same chunks: the course's decoder
//! through `feed`, tokio-util's codec through `BytesMut::extend_from_slice`, which
//! is the same one copy of the chunk into the decoder's buffer. Then every frame
//! is taken out, the way a server does after each read. The score is the median
//! throughput of several runs, in MiB of stream decoded per second.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio_util::codec::{Decoder, LengthDelimitedCodec, LinesCodec};

// The reference solutions, compiled here from their own files. `error.rs` is
// the exercise's (given, not written by the learner); the decoders come from
// the solution overlays, exactly as `cargo xtask verify` tests them.
#[allow(dead_code)] // the benchmark uses only feed and next_line
#[path = "../../../solutions/02_framing/02_line-codec/src/decoder.rs"]
mod line_decoder;
#[path = "../../../exercises/02_framing/02_line-codec/src/error.rs"]
mod line_error;

#[allow(dead_code)] // the benchmark uses only the decoder
#[path = "../../../solutions/02_framing/03_length-prefix/src/codec.rs"]
mod frame_codec;
#[path = "../../../exercises/02_framing/03_length-prefix/src/error.rs"]
mod frame_error;

// What those files import from their crate's root (`use crate::...`).
use frame_error::FrameError;
use line_error::LineError;
/// The same constant as `length-prefix`'s `HEADER_LEN`.
const HEADER_LEN: usize = 4;

use frame_codec::FrameDecoder;
use line_decoder::LineDecoder;

/// How many times each measurement runs; the median is reported.
const RUNS: usize = 41;
/// Roughly how many bytes each run decodes.
const STREAM: usize = 32 << 20;

fn main() {
    println!(
        "median of {RUNS} runs, {} MiB per run; MiB/s of stream decoded (higher is better)\n",
        STREAM >> 20
    );
    println!(
        "{:<40} {:>12} {:>12} {:>13}",
        "workload", "course", "tokio-util", "course/tokio"
    );
    for (line_len, read) in [(100, 4096), (10, 4096), (1000, 4096), (100, 65536)] {
        let stream = lines(line_len);
        let what = format!("lines of {line_len} B, {} KiB reads", read / 1024);
        let (ours, theirs) = race(
            || course_lines(&stream, read),
            || tokio_lines(&stream, read),
        );
        report(&what, stream.len(), ours, theirs);
    }
    for (frame_len, read) in [(100, 4096), (65536, 4096), (65536, 65536), (1 << 20, 65536)] {
        let stream = frames(frame_len);
        let what = format!("frames of {}, {} KiB reads", size(frame_len), read / 1024);
        let (ours, theirs) = race(
            || course_frames(&stream, read),
            || tokio_frames(&stream, read),
        );
        report(&what, stream.len(), ours, theirs);
    }
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

fn report(what: &str, bytes: usize, ours: Duration, theirs: Duration) {
    let rate = |d: Duration| bytes as f64 / (1 << 20) as f64 / d.as_secs_f64();
    println!(
        "{what:<40} {:>12.0} {:>12.0} {:>12.2}x",
        rate(ours),
        rate(theirs),
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
}

/// Runs `ours` and `theirs` RUNS times each, taking turns (after one warm-up
/// each), and returns their median durations. Taking turns, and swapping who
/// goes first, spreads any load on the machine and any cache effect over both
/// sides. Each run returns a checksum; the two must agree, which also keeps the
/// work from being optimised away.
fn race(
    mut ours: impl FnMut() -> usize,
    mut theirs: impl FnMut() -> usize,
) -> (Duration, Duration) {
    assert_eq!(
        ours(),
        theirs(),
        "the two decoders disagree about the stream"
    );
    let time = |run: &mut dyn FnMut() -> usize| {
        let start = Instant::now();
        black_box(run());
        start.elapsed()
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for turn in 0..RUNS {
        if turn % 2 == 0 {
            a.push(time(&mut ours));
            b.push(time(&mut theirs));
        } else {
            b.push(time(&mut theirs));
            a.push(time(&mut ours));
        }
    }
    a.sort();
    b.sort();
    (a[RUNS / 2], b[RUNS / 2])
}

/// ASCII lines of `len` bytes each, `\n` included, about STREAM bytes in all.
fn lines(len: usize) -> Vec<u8> {
    let mut line: Vec<u8> = (0..len - 1).map(|i| b'a' + (i % 26) as u8).collect();
    line.push(b'\n');
    line.repeat(STREAM / len)
}

/// Frames with payloads of `len` bytes, about STREAM bytes in all.
fn frames(len: usize) -> Vec<u8> {
    let mut frame = (len as u32).to_be_bytes().to_vec();
    frame.extend((0..len).map(|i| i as u8));
    frame.repeat((STREAM / (len + HEADER_LEN)).max(4))
}

const MAX_LINE: usize = 8 * 1024;
const MAX_FRAME: usize = 8 << 20;

fn course_lines(stream: &[u8], read: usize) -> usize {
    let mut decoder = LineDecoder::new(MAX_LINE);
    let mut total = 0;
    for chunk in stream.chunks(read) {
        decoder.feed(chunk);
        while let Some(line) = decoder.next_line().expect("valid input") {
            total += line.len();
        }
    }
    total
}

fn tokio_lines(stream: &[u8], read: usize) -> usize {
    let mut codec = LinesCodec::new_with_max_length(MAX_LINE);
    let mut buf = BytesMut::new();
    let mut total = 0;
    for chunk in stream.chunks(read) {
        buf.extend_from_slice(chunk);
        while let Some(line) = codec.decode(&mut buf).expect("valid input") {
            total += line.len();
        }
    }
    total
}

fn course_frames(stream: &[u8], read: usize) -> usize {
    let mut decoder = FrameDecoder::new(MAX_FRAME);
    let mut total = 0;
    for chunk in stream.chunks(read) {
        decoder.feed(chunk);
        while let Some(payload) = decoder.next_frame().expect("valid input") {
            total += payload.len();
        }
    }
    total
}

fn tokio_frames(stream: &[u8], read: usize) -> usize {
    let mut codec = LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec();
    let mut buf = BytesMut::new();
    let mut total = 0;
    for chunk in stream.chunks(read) {
        buf.extend_from_slice(chunk);
        while let Some(payload) = codec.decode(&mut buf).expect("valid input") {
            total += payload.len();
        }
    }
    total
}
