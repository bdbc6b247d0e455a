//! Tests for `encode` and `FrameDecoder`: no I/O, every input fed in every
//! `Chunking`, because TCP may deliver a frame in any pieces.

mod common;

use common::{frames_by_hand, payloads, sample_payloads, sizes, Decoded, End, Payload};
use length_prefix::{encode, FrameDecoder};
use testkit::chaos::Chunking;
use testkit::expect::{self, escaped};
use testkit::hexdump;

const MIB: usize = 1024 * 1024;

#[test]
fn encodes_a_big_endian_length_then_the_payload() {
    for (payload, header) in [
        (vec![b'x'; 5], [0, 0, 0, 5]),
        (vec![b'x'; 258], [0, 0, 1, 2]),
        (vec![b'x'; 70_000], [0, 1, 0x11, 0x70]),
    ] {
        let frame = expect::ok(
            &format!("encode of {} bytes with max_len 1 MiB", payload.len()),
            encode(&payload, MIB),
            "payloads up to max_len are fine",
        );
        expect::eq(
            &format!(
                "the first 4 bytes of the frame of a {}-byte payload",
                payload.len()
            ),
            &frame.get(..4),
            &Some(&header[..]),
            "the header is the length as a u32, most significant byte first: \
             (len as u32).to_be_bytes()",
        );
        expect::that(
            frame.get(4..) == Some(&payload[..]),
            "the payload follows the header unchanged",
            format!("a frame of {} bytes", frame.len()),
            "the frame is the 4 header bytes, then exactly the payload",
        );
    }
}

#[test]
fn encodes_an_empty_payload_as_a_bare_header() {
    expect::eq(
        "encode(b\"\", 16)",
        &encode(b"", 16).ok(),
        &Some(vec![0, 0, 0, 0]),
        "an empty payload is a frame too: a header announcing 0 bytes",
    );
}

#[test]
fn encode_refuses_payloads_over_the_limit() {
    expect::eq(
        "encode of 10 bytes with max_len 10",
        &encode(&[7; 10], 10).map_err(|e| End::from(&e)),
        &Ok(frames_by_hand(&[vec![7; 10]])),
        "max_len itself is allowed",
    );
    let err = expect::err(
        "encode of 11 bytes with max_len 10",
        encode(&[7; 11], 10),
        "a payload over max_len is refused before anything is built",
    );
    expect::eq(
        "the error for 11 bytes with max_len 10",
        &End::from(&err),
        &End::TooLarge {
            len: 11,
            max_len: 10,
        },
        "FrameError::TooLarge { len: payload length, max_len }",
    );
}

#[test]
fn hexdumps_of_encoded_frames() {
    let frame = |payload: &[u8]| {
        expect::ok(
            &format!("encode of {}", escaped(payload)),
            encode(payload, 1024),
            "payloads under max_len are fine",
        )
    };
    insta::assert_snapshot!("empty", hexdump(&frame(b"")));
    insta::assert_snapshot!("hello", hexdump(&frame(b"hello")));
    let several = [
        frame(b"a"),
        frame(b""),
        frame(b"hello, world"),
        frame("你好".as_bytes()),
    ]
    .concat();
    insta::assert_snapshot!("several_concatenated", hexdump(&several));
}

/// Feeds `stream` cut by `chunking`, taking frames after each piece, like a
/// server does after each `read`; calls `finish` at the end.
fn decode(stream: &[u8], chunking: Chunking, max_len: usize) -> Decoded {
    let mut decoder = FrameDecoder::new(max_len);
    let mut frames = Vec::new();
    for piece in chunking.split(stream) {
        decoder.feed(piece);
        loop {
            match decoder.next_frame() {
                Ok(Some(payload)) => {
                    frames.push(Payload(payload));
                    expect::that(
                        frames.len() <= stream.len() / 4,
                        &format!(
                            "next_frame returns at most one frame per 4-byte header: \
                             {} bytes fed in all",
                            stream.len()
                        ),
                        format_args!("{} frames so far: {:?}", frames.len(), frames.last()),
                        "after returning a frame, move past its header and payload, so \
                         that the next call looks at the bytes after them",
                    );
                }
                Ok(None) => break,
                Err(err) => {
                    let end = End::from(&err);
                    return Decoded { frames, end };
                }
            }
        }
    }
    let end = End::from(decoder.finish());
    Decoded { frames, end }
}

/// Checks that `stream` decodes to `frames` and `end` under every chunking.
#[track_caller]
fn check(what: &str, stream: &[u8], max_len: usize, frames: &[Vec<u8>], end: End, hint: &str) {
    let want = Decoded {
        frames: payloads(frames),
        end,
    };
    for chunking in Chunking::ALL {
        expect::eq(
            &format!("decoding {what} fed in {chunking} (max_len {max_len})"),
            &decode(stream, chunking, max_len),
            &want,
            hint,
        );
    }
}

#[test]
fn decodes_frames_under_every_chunking() {
    let sample = sample_payloads();
    check(
        &sizes(&sample),
        &frames_by_hand(&sample),
        MIB,
        &sample,
        End::Clean,
        "keep what you were fed until a whole header (4 bytes) and then a whole \
         payload are buffered; a zero-length payload is complete as soon as its \
         header is",
    );
}

#[test]
fn empty_input_gives_no_frames_and_a_clean_end() {
    check(
        "an empty stream",
        b"",
        MIB,
        &[],
        End::Clean,
        "with nothing fed, next_frame is Ok(None) and finish is Ok(())",
    );
}

#[test]
fn waits_for_the_whole_header_and_payload() {
    let mut decoder = FrameDecoder::new(16);
    for (piece, what) in [
        (&b"\x00\x00"[..], "half a header"),
        (&b"\x00\x03a"[..], "a header announcing 3 bytes, and 1 byte"),
    ] {
        decoder.feed(piece);
        expect::eq(
            &format!("next_frame after {what}"),
            &decoder.next_frame().map_err(|e| End::from(&e)),
            &Ok(None),
            "the frame is incomplete: return Ok(None) and keep the bytes",
        );
    }
    decoder.feed(b"bc");
    expect::eq(
        "next_frame once the last 2 payload bytes arrived",
        &decoder.next_frame().map_err(|e| End::from(&e)),
        &Ok(Some(b"abc".to_vec())),
        "the payload is complete: return it",
    );
}

#[test]
fn accepts_a_frame_of_exactly_max_len() {
    let frames = [vec![1; 100], vec![2; 100]];
    check(
        "two 100-byte frames",
        &frames_by_hand(&frames),
        100,
        &frames,
        End::Clean,
        "max_len counts payload bytes (the header is not counted); a payload of \
         exactly max_len bytes is allowed",
    );
}

#[test]
fn rejects_a_frame_one_byte_over_max_len() {
    check(
        "a 100-byte frame, then a 101-byte frame",
        &frames_by_hand(&[vec![1; 100], vec![2; 101]]),
        100,
        &[vec![1; 100]],
        End::TooLarge {
            len: 101,
            max_len: 100,
        },
        "compare the header's length with max_len; frames before the bad one are \
         returned as usual",
    );
}

#[test]
fn rejects_a_4_gib_header_before_any_payload_arrives() {
    check(
        "a header announcing 4 GiB and no payload",
        &[0xff, 0xff, 0xff, 0xff],
        MIB,
        &[],
        End::TooLarge {
            len: u32::MAX as usize,
            max_len: MIB,
        },
        "check the length as soon as the 4 header bytes are in: a hostile peer \
         never sends the payload, and waiting for it (or making room for it) is \
         what it wants",
    );
}

#[test]
fn reports_a_stream_cut_off_inside_a_header() {
    let mut stream = frames_by_hand(&[b"ok".to_vec()]);
    stream.extend_from_slice(&[0, 0, 1]);
    check(
        "a frame, then 3 bytes of a header",
        &stream,
        MIB,
        &[b"ok".to_vec()],
        End::TruncatedHeader { received: 3 },
        "at the end, bytes left over that are not a whole header are \
         FrameError::TruncatedHeader { received: how many }",
    );
}

#[test]
fn reports_a_stream_cut_off_inside_a_payload() {
    check(
        "a header announcing 5 bytes, then 3 bytes",
        b"\x00\x00\x00\x05hel",
        MIB,
        &[],
        End::TruncatedPayload {
            expected: 5,
            received: 3,
        },
        "at the end, a header whose payload did not all arrive is \
         FrameError::TruncatedPayload { expected: the header's length, received }",
    );
    check(
        "a header announcing 5 bytes, then nothing",
        b"\x00\x00\x00\x05",
        MIB,
        &[],
        End::TruncatedPayload {
            expected: 5,
            received: 0,
        },
        "a complete header with none of its payload is a truncated payload",
    );
}

#[test]
fn errors_are_final() {
    let mut decoder = FrameDecoder::new(4);
    decoder.feed(&frames_by_hand(&[b"too long".to_vec(), b"ok".to_vec()]));
    let want = Err(End::TooLarge { len: 8, max_len: 4 });
    expect::eq(
        "the first next_frame",
        &decoder.next_frame().map_err(|e| End::from(&e)),
        &want,
        "8 bytes is over the limit of 4",
    );
    decoder.feed(&frames_by_hand(&[b"ok".to_vec()]));
    expect::eq(
        "next_frame after an error, with good frames fed since",
        &decoder.next_frame().map_err(|e| End::from(&e)),
        &want,
        "after a bad header the position in the stream is lost (skipping 4 GiB \
         is not an option): remember the error and return it again",
    );
    expect::eq(
        "finish() after an error",
        &End::from(decoder.finish()),
        &End::TooLarge { len: 8, max_len: 4 },
        "finish reports the error that stopped the decoder",
    );
}
