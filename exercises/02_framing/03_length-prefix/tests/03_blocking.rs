//! Tests for `read_frame` and `write_frame` on in-memory streams, read through
//! `ChaosReader` so that every `read` returns an awkward number of bytes.

mod common;

use std::io::{self, BufWriter, ErrorKind, IoSlice, Read, Write};

use common::{frames_by_hand, payloads, sample_payloads, sizes, Decoded, End, Payload};
use length_prefix::{read_frame, write_frame};
use testkit::chaos::{ChaosReader, Chunking};
use testkit::expect;

const MIB: usize = 1024 * 1024;

/// Calls `read_frame` until the end of `reader` or the first error.
fn read_all(reader: &mut impl Read, max_len: usize) -> Decoded {
    let mut frames = Vec::new();
    // Bounded: no test stream holds more than 100 frames.
    for _ in 0..100 {
        match read_frame(reader, max_len) {
            Ok(Some(payload)) => frames.push(Payload(payload)),
            Ok(None) => break,
            Err(err) => {
                let end = End::from(&err);
                return Decoded { frames, end };
            }
        }
    }
    Decoded {
        frames,
        end: End::Clean,
    }
}

/// Checks that reading `stream` gives `frames` and `end` under every chunking.
#[track_caller]
fn check(what: &str, stream: &[u8], max_len: usize, frames: &[Vec<u8>], end: End, hint: &str) {
    let want = Decoded {
        frames: payloads(frames),
        end,
    };
    for chunking in Chunking::ALL {
        let mut reader = ChaosReader::new(stream, chunking);
        expect::eq(
            &format!("read_frame over {what}, read in {chunking} (max_len {max_len})"),
            &read_all(&mut reader, max_len),
            &want,
            hint,
        );
    }
}

#[test]
fn reads_frames_under_every_chunking() {
    let sample = sample_payloads();
    check(
        &sizes(&sample),
        &frames_by_hand(&sample),
        MIB,
        &sample,
        End::Clean,
        "one read may return fewer bytes than asked for: keep reading until the 4 \
         header bytes, then all the payload bytes, are in",
    );
}

#[test]
fn a_clean_end_is_none_and_an_empty_frame_is_not() {
    check(
        "an empty stream",
        b"",
        MIB,
        &[],
        End::Clean,
        "read returning 0 before the first header byte is the clean end: Ok(None)",
    );
    check(
        "two zero-length frames",
        &[0, 0, 0, 0, 0, 0, 0, 0],
        MIB,
        &[vec![], vec![]],
        End::Clean,
        "a header announcing 0 bytes is a frame with an empty payload: \
         Ok(Some(vec![])), which is not the end of the stream",
    );
}

#[test]
fn reports_a_stream_cut_off_inside_a_header() {
    for cut in 1..4 {
        let mut stream = frames_by_hand(&[b"ok".to_vec()]);
        stream.extend_from_slice(&[0, 0, 0][..cut]);
        check(
            &format!("a frame, then {cut} header bytes"),
            &stream,
            MIB,
            &[b"ok".to_vec()],
            End::TruncatedHeader { received: cut },
            "a read of 0 after 1 to 3 header bytes is a truncated header, not a \
             clean end: FrameError::TruncatedHeader { received }",
        );
    }
}

#[test]
fn reports_a_stream_cut_off_inside_a_payload() {
    check(
        "a header announcing 5 bytes, then 3",
        b"\x00\x00\x00\x05hel",
        MIB,
        &[],
        End::TruncatedPayload {
            expected: 5,
            received: 3,
        },
        "count the payload bytes as they come: read_exact's UnexpectedEof cannot \
         say how many arrived",
    );
}

#[test]
fn accepts_a_frame_of_exactly_max_len_and_refuses_one_more() {
    check(
        "a 100-byte frame, then a 101-byte frame",
        &frames_by_hand(&[vec![1; 100], vec![2; 101]]),
        100,
        &[vec![1; 100]],
        End::TooLarge {
            len: 101,
            max_len: 100,
        },
        "max_len counts payload bytes (the header is not counted): a payload of \
         exactly max_len bytes is read, one byte more is FrameError::TooLarge",
    );
}

#[test]
fn rejects_a_4_gib_header_without_reading_on() {
    for chunking in Chunking::ALL {
        let header = ChaosReader::new(&[0xff_u8, 0xff, 0xff, 0xff][..], chunking);
        let mut reader = header.chain(Tripwire);
        let got = read_frame(&mut reader, MIB).map_err(|e| End::from(&e));
        expect::eq(
            &format!("read_frame of a header announcing 4 GiB, read in {chunking} (max_len 1 MiB)"),
            &got,
            &Err(End::TooLarge {
                len: u32::MAX as usize,
                max_len: MIB,
            }),
            "compare the header's length with max_len before allocating or reading \
             the payload: a hostile peer sends four bytes and waits",
        );
    }
}

/// A reader that must never be read: it stands for a payload that never comes.
struct Tripwire;

impl Read for Tripwire {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other(
            "read_frame read past a header that was over the limit",
        ))
    }
}

#[test]
fn reads_no_further_than_its_frame() {
    let first = frames_by_hand(&[b"first".to_vec()]);
    let second = frames_by_hand(&[b"second".to_vec()]);
    let stream = [first, second.clone()].concat();
    for chunking in Chunking::ALL {
        let mut rest: &[u8] = &stream;
        let got = read_frame(&mut ChaosReader::new(&mut rest, chunking), MIB);
        expect::eq(
            &format!("the first read_frame, read in {chunking}"),
            &got.map_err(|e| End::from(&e)),
            &Ok(Some(b"first".to_vec())),
            "return the first frame's payload",
        );
        expect::eq(
            &format!("what read_frame left unread, read in {chunking}"),
            rest,
            &second[..],
            "read_frame must not read past its frame: the bytes after it belong to \
             the next call. Ask read for at most the bytes still missing",
        );
    }
}

#[test]
fn retries_interrupted_reads() {
    let sample = sample_payloads();
    let stream = frames_by_hand(&sample);
    let mut reader = Interrupting {
        inner: ChaosReader::new(&stream[..], Chunking::Random { seed: 9, max: 100 }),
        interrupt: true,
    };
    expect::eq(
        "reading frames when every other read fails with ErrorKind::Interrupted",
        &read_all(&mut reader, MIB),
        &Decoded {
            frames: payloads(&sample),
            end: End::Clean,
        },
        "Interrupted means a signal arrived before any byte did: nothing was \
         read, so just call read again (read_exact does this too)",
    );
}

/// Fails every other read with `Interrupted`, like a system call cut short by a
/// signal.
struct Interrupting<R> {
    inner: R,
    interrupt: bool,
}

impl<R: Read> Read for Interrupting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.interrupt = !self.interrupt;
        if self.interrupt {
            return Err(ErrorKind::Interrupted.into());
        }
        self.inner.read(buf)
    }
}

#[test]
fn passes_on_other_read_errors() {
    let mut reader = (&[0u8, 0][..]).chain(Failing(ErrorKind::ConnectionReset));
    expect::eq(
        "read_frame when the connection is reset after 2 header bytes",
        &read_frame(&mut reader, MIB).map_err(|e| End::from(&e)),
        &Err(End::Io(ErrorKind::ConnectionReset)),
        "an I/O error is not the end of the stream: return it as FrameError::Io \
         (the ? operator converts io::Error into FrameError)",
    );
}

/// A reader whose every read fails with the given kind of error.
struct Failing(ErrorKind);

impl Read for Failing {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(self.0.into())
    }
}

#[test]
fn write_frame_writes_the_encoding_and_flushes() {
    let mut out = BufWriter::new(Vec::new());
    let sample = sample_payloads();
    for payload in &sample {
        expect::ok(
            &format!("write_frame of {} bytes", payload.len()),
            write_frame(&mut out, payload, MIB),
            "payloads up to max_len are written",
        );
        expect::eq(
            "bytes left in the BufWriter after write_frame",
            &out.buffer().len(),
            &0,
            "flush after writing: a frame that sits in a buffer never reaches the peer",
        );
    }
    expect::eq(
        &format!("what write_frame wrote for {}", sizes(&sample)),
        out.get_ref(),
        &frames_by_hand(&sample),
        "each frame is the 4-byte big-endian length, then the payload",
    );
}

#[test]
fn write_frame_hands_over_each_frame_in_one_write() {
    for payload in sample_payloads() {
        let mut out = Recorder::default();
        expect::ok(
            &format!("write_frame of {} bytes", payload.len()),
            write_frame(&mut out, &payload, MIB),
            "payloads up to max_len are written",
        );
        expect::eq(
            &format!(
                "the sizes of the writes write_frame made for a {}-byte payload",
                payload.len()
            ),
            &out.writes,
            &vec![4 + payload.len()],
            "build the whole frame (header, then payload) and write it with one \
             write_all. A header written on its own leaves as a tiny TCP segment, \
             and Nagle's algorithm can hold the payload back until it is \
             acknowledged (lesson 02.3, 'Writing a frame')",
        );
    }
}

/// A writer that accepts everything and records the size of each write (a
/// vectored write counts once, as one `writev` system call would).
#[derive(Default)]
struct Recorder {
    writes: Vec<usize>,
}

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes.push(buf.len());
        Ok(buf.len())
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let len = bufs.iter().map(|buf| buf.len()).sum();
        self.writes.push(len);
        Ok(len)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_frame_over_the_limit_writes_nothing() {
    let mut out = Vec::new();
    let got = write_frame(&mut out, &[1; 11], 10).map_err(|e| End::from(&e));
    expect::eq(
        "write_frame of 11 bytes with max_len 10",
        &got,
        &Err(End::TooLarge {
            len: 11,
            max_len: 10,
        }),
        "check the length before writing anything",
    );
    expect::eq(
        "bytes written by the refused write_frame",
        &out.len(),
        &0,
        "a refused frame must leave nothing behind: a half-written frame would put \
         the stream out of step",
    );
}
