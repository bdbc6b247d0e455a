//! Step 3, continued: input that is not a TCP header is refused by `parse` and
//! `split` with the error that says why. Run these tests alone with
//! `cargo test --test 04_rejects`.

mod common;

use common::{nop_nop_timestamps, parse, split, Segment, LINUX_SYN};
use tcp_header::HeaderError;
use testkit::expect;

#[test]
fn rejects_fewer_than_20_bytes() {
    for len in [0, 1, 12, 19] {
        let error = expect::err(
            &format!("parsing only {len} bytes of a header"),
            parse(&LINUX_SYN[..len]),
            "check the length before reading any field: slicing past the end panics",
        );
        expect::eq(
            &format!("error for {len} bytes"),
            &error,
            &HeaderError::TooShort { len },
            "fewer than 20 bytes is TooShort, whatever the bytes say",
        );
    }
}

#[test]
fn rejects_a_data_offset_below_5() {
    for data_offset in 0..5u8 {
        let mut bytes = Segment::default().bytes();
        bytes[12] = data_offset << 4;
        let error = expect::err(
            &format!("parsing a header whose data offset is {data_offset}"),
            parse(&bytes),
            "the data offset counts 4-byte words and the fixed part alone is 5 of them",
        );
        expect::eq(
            &format!("error for data offset {data_offset}"),
            &error,
            &HeaderError::DataOffsetTooSmall { data_offset },
            "a data offset below 5 would end the header inside its own fields",
        );
    }
}

#[test]
fn rejects_a_header_longer_than_the_input() {
    let cases: [(Vec<u8>, usize); 3] = [
        // Data offset 6 (24 bytes), only the 20 fixed bytes given.
        (
            {
                let mut bytes = Segment::default().bytes();
                bytes[12] = 0x60;
                bytes
            },
            24,
        ),
        // The 40-byte Linux SYN, cut one byte short.
        (LINUX_SYN[..39].to_vec(), 40),
        // Data offset 15 (60 bytes) in a 40-byte input.
        (
            {
                let mut bytes = LINUX_SYN.to_vec();
                bytes[12] = 0xf0;
                bytes
            },
            60,
        ),
    ];
    for (bytes, header_len) in cases {
        let len = bytes.len();
        let error = expect::err(
            &format!("parsing {len} bytes whose data offset says {header_len}"),
            parse(&bytes),
            "compare data_offset * 4 with the input length before reading options",
        );
        expect::eq(
            &format!("error for a {header_len}-byte header in {len} bytes"),
            &error,
            &HeaderError::HeaderTruncated { header_len, len },
            "report the header length the data offset promises and the bytes there are",
        );
    }
}

#[test]
fn the_length_check_comes_before_the_data_offset_check() {
    // 19 bytes with a data offset of 0: both wrong, and TooShort is checked first.
    let bytes = [0u8; 19];
    expect::eq(
        "error for 19 zero bytes",
        &parse(&bytes),
        &Err(HeaderError::TooShort { len: 19 }),
        "check, in order: at least 20 bytes, data offset >= 5, data_offset * 4 <= length, options",
    );
}

#[test]
fn an_option_may_not_run_into_the_payload() {
    // Data offset 6 gives 4 bytes of options: NOP, NOP, then a timestamps option
    // that needs 10. The 8 payload bytes after the header must not be borrowed.
    let mut bytes = Segment {
        options: vec![0x01, 0x01, 0x08, 0x0a],
        ..Segment::default()
    }
    .bytes();
    bytes.extend_from_slice(&[0; 8]);
    expect::eq(
        "error for a timestamps option cut off by the end of the header",
        &parse(&bytes),
        &Err(HeaderError::OptionTruncated { kind: 8, at: 2 }),
        "give parse_options only bytes 20..data_offset*4; `at` counts from byte 20",
    );
}

#[test]
fn option_errors_come_through_parse_and_split() {
    // A length of 0 in the options of an otherwise good header.
    let bytes = Segment {
        options: vec![0x01, 0x02, 0x00, 0x00],
        payload: b"data".to_vec(),
        ..Segment::default()
    }
    .bytes();
    let want = HeaderError::BadOptionLength {
        kind: 2,
        len: 0,
        at: 1,
    };
    expect::eq(
        "parse of a header whose MSS option has length 0",
        &parse(&bytes),
        &Err(want.clone()),
        "parse hands the options area to parse_options and passes its error on (`?`)",
    );
    expect::eq(
        "split of the same segment",
        &split(&bytes).map(|(header, _)| header),
        &Err(want),
        "split returns the same errors as parse",
    );
}

#[test]
fn split_refuses_what_parse_refuses() {
    expect::eq(
        "split of 10 bytes",
        &split(&LINUX_SYN[..10]).map(|(header, _)| header),
        &Err(HeaderError::TooShort { len: 10 }),
        "split starts by parsing the header",
    );
    let good = Segment {
        options: nop_nop_timestamps(1, 2),
        ..Segment::default()
    }
    .bytes();
    expect::eq(
        "split of a header cut inside its options",
        &split(&good[..30]).map(|(header, _)| header),
        &Err(HeaderError::HeaderTruncated {
            header_len: 32,
            len: 30,
        }),
        "split starts by parsing the header",
    );
}
