//! Step 2: `parse_options`. The options area: known kinds, unknown kinds, EOL, and
//! lengths that lie. Run these tests alone with `cargo test --test 02_options`.

mod common;

use common::options;
use tcp_header::{HeaderError, TcpOption};
use testkit::expect;

#[track_caller]
fn decodes(what: &str, area: &[u8], want: Vec<TcpOption>, hint: &str) {
    let got = expect::ok(what, options(area), hint);
    expect::eq(what, &got, &want, hint);
}

#[track_caller]
fn refuses(what: &str, area: &[u8], want: HeaderError, hint: &str) {
    let got = expect::err(what, options(area), hint);
    expect::eq(what, &got, &want, hint);
}

#[test]
fn an_empty_area_has_no_options() {
    decodes(
        "options of a header with data offset 5",
        &[],
        vec![],
        "no bytes, no options: the loop ends before it starts",
    );
}

#[test]
fn decodes_the_options_of_a_linux_syn_in_wire_order() {
    #[rustfmt::skip]
    let area = [
        0x02, 0x04, 0x05, 0xb4,                         // MSS 1460
        0x04, 0x02,                                     // SACK permitted
        0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0,             // timestamps 1, 0
        0x01,                                           // NOP
        0x03, 0x03, 0x0e,                               // window scale 14
    ];
    decodes(
        "options MSS, SACK-permitted, timestamps, NOP, window scale",
        &area,
        vec![
            TcpOption::Mss(1460),
            TcpOption::SackPermitted,
            TcpOption::Timestamps {
                value: 1,
                echo_reply: 0,
            },
            TcpOption::Nop,
            TcpOption::WindowScale(14),
        ],
        "each option is kind, length, data; the length counts the kind and length bytes too",
    );
}

#[test]
fn decodes_sack_blocks() {
    // What Linux sends when segments went missing: NOP, NOP, timestamps, NOP,
    // NOP, then SACK with three blocks — exactly 40 bytes, a full options area.
    let mut area = vec![0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 7, 0, 0, 0, 9];
    area.extend_from_slice(&[0x01, 0x01, 0x05, 26]);
    for (left, right) in [(1000u32, 2000u32), (3000, 4000), (u32::MAX - 10, 5)] {
        area.extend_from_slice(&left.to_be_bytes());
        area.extend_from_slice(&right.to_be_bytes());
    }
    assert_eq!(area.len(), 40, "test bug");
    decodes(
        "a 40-byte options area ending in three SACK blocks",
        &area,
        vec![
            TcpOption::Nop,
            TcpOption::Nop,
            TcpOption::Timestamps {
                value: 7,
                echo_reply: 9,
            },
            TcpOption::Nop,
            TcpOption::Nop,
            TcpOption::Sack(vec![(1000, 2000), (3000, 4000), (u32::MAX - 10, 5)]),
        ],
        "SACK (kind 5) has length 2 + 8 per block; each block is two big-endian u32",
    );
}

#[test]
fn end_of_option_list_ends_parsing() {
    decodes(
        "MSS, then EOL, then padding",
        &[0x02, 0x04, 0x05, 0xb4, 0x00, 0x00, 0x00, 0x00],
        vec![TcpOption::Mss(1460), TcpOption::Eol],
        "EOL (kind 0) is one byte; push it and stop",
    );
    decodes(
        "NOP, EOL, then bytes that would be a broken option",
        &[0x01, 0x00, 0x02, 0x00],
        vec![TcpOption::Nop, TcpOption::Eol],
        "nothing after EOL is an option, so nothing after it can be malformed",
    );
}

#[test]
fn unknown_kinds_are_kept_and_skipped_by_their_length() {
    #[rustfmt::skip]
    let area = [
        0x22, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8,  // kind 34 (TCP Fast Open cookie), length 10
        0xfe, 0x04, 0xf9, 0x89,              // kind 254 (experimental), length 4
        0x1e, 0x02,                          // kind 30 with no data
        0x02, 0x04, 0x05, 0xb4,              // MSS after them still decodes
    ];
    decodes(
        "options of kinds this decoder does not know, then an MSS",
        &area,
        vec![
            TcpOption::Unknown {
                kind: 34,
                data: vec![1, 2, 3, 4, 5, 6, 7, 8],
            },
            TcpOption::Unknown {
                kind: 254,
                data: vec![0xf9, 0x89],
            },
            TcpOption::Unknown {
                kind: 30,
                data: vec![],
            },
            TcpOption::Mss(1460),
        ],
        "RFC 9293: ignore options you do not implement, using their length to skip them; \
         keep the bytes after the length byte as `data`",
    );
}

#[test]
fn odd_but_valid_option_values_are_kept_as_sent() {
    decodes(
        "window scale 15 and MSS 0",
        &[0x03, 0x03, 0x0f, 0x02, 0x04, 0x00, 0x00, 0x01],
        vec![
            TcpOption::WindowScale(15),
            TcpOption::Mss(0),
            TcpOption::Nop,
        ],
        "the decoder reports values as they are on the wire; limiting the shift to 14 is \
         the receiver's job, not the parser's",
    );
}

#[test]
fn a_length_of_zero_is_refused_without_looping() {
    refuses(
        "an option of kind 2 with length 0",
        &[0x02, 0x00, 0x00, 0x00],
        HeaderError::BadOptionLength {
            kind: 2,
            len: 0,
            at: 0,
        },
        "a length below 2 is impossible; adding it to your position would never move forward",
    );
    refuses(
        "an unknown kind with length 0, after two NOPs",
        &[0x01, 0x01, 0x63, 0x00],
        HeaderError::BadOptionLength {
            kind: 0x63,
            len: 0,
            at: 2,
        },
        "unknown kinds need a valid length too; `at` is the kind byte's offset",
    );
}

#[test]
fn a_length_of_one_is_refused() {
    refuses(
        "an option of kind 8 with length 1",
        &[0x08, 0x01, 0x00, 0x00],
        HeaderError::BadOptionLength {
            kind: 8,
            len: 1,
            at: 0,
        },
        "the length counts the kind and length bytes, so it is at least 2",
    );
}

#[test]
fn an_option_running_past_the_end_is_refused() {
    refuses(
        "a timestamps option with 4 of its 10 bytes",
        &[0x01, 0x08, 0x0a, 0x00, 0x00],
        HeaderError::OptionTruncated { kind: 8, at: 1 },
        "check that at + length fits in the area before slicing",
    );
    refuses(
        "an unknown kind whose length is 200",
        &[0x63, 200, 0x00, 0x00],
        HeaderError::OptionTruncated { kind: 0x63, at: 0 },
        "a length byte can say anything; never trust it without checking",
    );
}

#[test]
fn a_kind_without_its_length_byte_is_refused() {
    refuses(
        "three NOPs, then an MSS kind byte at the very end",
        &[0x01, 0x01, 0x01, 0x02],
        HeaderError::OptionTruncated { kind: 2, at: 3 },
        "every kind except 0 and 1 is followed by a length byte, which must be there",
    );
}

#[test]
fn known_kinds_must_have_their_own_length() {
    // (kind, length): every one is a length the kind can never have. Each option
    // is followed by enough zero bytes that its length fits in the area.
    let cases = [
        (2, 3), // MSS is 4
        (2, 5),
        (3, 2), // window scale is 3
        (3, 4),
        (4, 3), // SACK permitted is 2
        (5, 2), // SACK is 2 + 8n with n >= 1
        (5, 9),
        (5, 17),
        (8, 8), // timestamps is 10
        (8, 12),
    ];
    for (kind, len) in cases {
        let mut area = vec![kind, len];
        area.resize(40, 0);
        refuses(
            &format!("an option of kind {kind} with length {len}"),
            &area,
            HeaderError::BadOptionLength { kind, len, at: 0 },
            "MSS has length 4, window scale 3, SACK-permitted 2, timestamps 10, SACK 2 + 8n",
        );
    }
}
