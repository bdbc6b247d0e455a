//! Tests for `LineDecoder`: every input is fed in every `Chunking`, because TCP
//! may deliver it in any pieces (half lines, several lines at once).

use line_codec::{LineDecoder, LineError};
use testkit::chaos::Chunking;
use testkit::deadline::DEFAULT;
use testkit::expect::{self, escaped};

/// What decoding a whole stream gave: the lines, then how it ended.
#[derive(Debug, PartialEq)]
struct Decoded {
    lines: Vec<String>,
    /// The first error from `next_line`, or else what `finish` returned.
    end: Result<(), LineError>,
}

/// Feeds `input` cut by `chunking` and takes every line after each piece, the
/// way a server does after each `read`; calls `finish` at the end.
fn decode(input: &[u8], chunking: Chunking, max_len: usize) -> Decoded {
    let mut decoder = LineDecoder::new(max_len);
    let mut lines = Vec::new();
    for piece in chunking.split(input) {
        decoder.feed(piece);
        loop {
            match decoder.next_line() {
                Ok(Some(line)) => {
                    lines.push(line);
                    expect::that(
                        lines.len() <= newlines(input),
                        &format!(
                            "next_line returns at most one line per b'\\n' fed: {} of \
                             them in {}",
                            newlines(input),
                            escaped(input)
                        ),
                        format_args!("{} lines so far: {:?}", lines.len(), lines.last()),
                        "after returning a line, move past its b'\\n', so that the next \
                         call looks at the bytes after it",
                    );
                }
                Ok(None) => break,
                Err(err) => {
                    return Decoded {
                        lines,
                        end: Err(err),
                    }
                }
            }
        }
    }
    let end = decoder.finish();
    Decoded { lines, end }
}

/// How many line endings `input` holds: the most lines it can decode to.
fn newlines(input: &[u8]) -> usize {
    input.iter().filter(|&&b| b == b'\n').count()
}

/// Checks that `input` decodes to `lines` and `end` under every chunking.
#[track_caller]
fn check(input: &[u8], max_len: usize, lines: &[&str], end: Result<(), LineError>, hint: &str) {
    let want = Decoded {
        lines: lines.iter().map(|s| s.to_string()).collect(),
        end,
    };
    for chunking in Chunking::ALL {
        let got = decode(input, chunking, max_len);
        expect::eq(
            &format!(
                "decoding {} fed in {chunking} (max_len {max_len})",
                escaped(input)
            ),
            &got,
            &want,
            hint,
        );
    }
}

#[test]
fn splits_lf_and_crlf_lines_under_every_chunking() {
    check(
        b"first\nsecond\r\n\n\r\nmixed endings\r\nlast\n",
        64,
        &["first", "second", "", "", "mixed endings", "last"],
        Ok(()),
        "both b\"\\n\" and b\"\\r\\n\" end a line and are not part of it; an empty \
         line is a line. Keep the bytes after the last b'\\n' for the next feed",
    );
}

#[test]
fn empty_input_gives_no_lines_and_a_clean_end() {
    check(
        b"",
        64,
        &[],
        Ok(()),
        "with nothing fed, next_line is Ok(None) and finish is Ok(())",
    );
}

#[test]
fn keeps_a_cr_that_does_not_end_a_line() {
    check(
        b"a\rb\nx\r\r\n\r\n\ttab\n",
        64,
        &["a\rb", "x\r", "", "\ttab"],
        Ok(()),
        "only the b'\\r' right before the b'\\n' belongs to the line ending; any \
         other b'\\r' is an ordinary byte of the line",
    );
}

#[test]
fn decodes_characters_split_across_chunks() {
    check(
        "héllo\n你好, мир 🦀\n".as_bytes(),
        64,
        &["héllo", "你好, мир 🦀"],
        Ok(()),
        "decode a line only once it is complete: in 1-byte chunks every piece of a \
         multi-byte character is invalid UTF-8 on its own",
    );
}

#[test]
fn returns_nothing_until_the_line_ending_arrives() {
    let mut decoder = LineDecoder::new(64);
    decoder.feed(b"no newline yet");
    expect::eq(
        "next_line after feeding b\"no newline yet\"",
        &decoder.next_line(),
        &Ok(None),
        "a line is complete only when its b'\\n' has arrived; until then keep the bytes",
    );
    expect::eq(
        "buffered() while the line waits for its end",
        &decoder.buffered(),
        &14,
        "every byte of the unfinished line is kept",
    );
    decoder.feed(b"\n");
    expect::eq(
        "next_line after the b'\\n' arrived",
        &decoder.next_line(),
        &Ok(Some("no newline yet".to_string())),
        "the bytes kept from the earlier feed are the start of this line",
    );
    expect::eq(
        "buffered() after the line was taken",
        &decoder.buffered(),
        &0,
        "a returned line no longer counts as buffered",
    );
}

#[test]
fn reports_a_line_cut_off_at_the_end_of_the_stream() {
    check(
        b"one\ntwo\nthr",
        64,
        &["one", "two"],
        Err(LineError::Truncated { line: 3, len: 3 }),
        "finish() with bytes left over means the peer stopped mid-line: report \
         Truncated with the line's number and how many bytes of it came",
    );
    check(
        b"half a CRLF\r",
        64,
        &[],
        Err(LineError::Truncated { line: 1, len: 12 }),
        "a lone b'\\r' at the end is not a line ending: the b'\\n' never came",
    );
}

#[test]
fn accepts_a_line_of_exactly_max_len() {
    check(
        b"12345678\n12345678\r\n",
        8,
        &["12345678", "12345678"],
        Ok(()),
        "max_len counts the bytes before the line ending; the b\"\\r\\n\" or b\"\\n\" is \
         not counted. In 1-byte chunks the buffer holds b\"12345678\\r\" before the \
         b'\\n' arrives: that last b'\\r' may be half of the ending, so it must not count yet",
    );
}

#[test]
fn a_burst_of_short_lines_is_not_one_long_line() {
    // 30 lines of 3 bytes and the start of a 31st: 125 bytes, max_len 8. Fed
    // all at once, the buffer holds far more than 8 bytes, and every line is short.
    let mut input = b"abc\n".repeat(30);
    input.extend_from_slice(b"12345");
    check(
        &input,
        8,
        &["abc"; 30],
        Err(LineError::Truncated { line: 31, len: 5 }),
        "max_len limits one line, not the buffer: one read may bring many short \
         lines at once. Measure only the unfinished line, from where the last \
         returned line ended (lesson 02.2, 'The limit, and when to check it')",
    );
}

#[test]
fn rejects_a_line_one_byte_over_max_len() {
    check(
        b"123456789\n",
        8,
        &[],
        Err(LineError::TooLong {
            line: 1,
            max_len: 8,
        }),
        "a line of max_len + 1 bytes is too long",
    );
    check(
        b"ok\n1234567\r8\r\nnever returned\n",
        8,
        &["ok"],
        Err(LineError::TooLong {
            line: 2,
            max_len: 8,
        }),
        "a b'\\r' inside a line is an ordinary byte and counts towards max_len; \
         lines are numbered from 1",
    );
}

#[test]
fn detects_an_overlong_line_before_its_newline() {
    let max_len = 16;
    let mut decoder = LineDecoder::new(max_len);
    for fed in 1..=max_len {
        decoder.feed(b"x");
        expect::eq(
            &format!("next_line after {fed} bytes without a newline (max_len {max_len})"),
            &decoder.next_line(),
            &Ok(None),
            "up to max_len bytes are a line still arriving",
        );
    }
    decoder.feed(b"\r");
    expect::eq(
        "next_line after max_len bytes and a b'\\r'",
        &decoder.next_line(),
        &Ok(None),
        "the b'\\r' may be the start of a b\"\\r\\n\" ending, which does not count",
    );
    decoder.feed(b"x");
    expect::eq(
        "next_line once the unfinished line has max_len + 2 bytes and no b'\\n'",
        &decoder.next_line(),
        &Err(LineError::TooLong { line: 1, max_len }),
        "check the length of the unfinished line in next_line too: a hostile peer \
         never sends the b'\\n', and waiting for it lets the buffer grow without end",
    );
}

#[test]
fn a_peer_that_never_sends_a_newline_cannot_grow_the_buffer() {
    let max_len = 1024;
    let mut decoder = LineDecoder::new(max_len);
    let chunk = [b'x'; 4096];
    let mut outcome = Ok(None);
    for _ in 0..256 {
        decoder.feed(&chunk);
        outcome = decoder.next_line();
        if outcome.is_err() {
            break;
        }
    }
    expect::eq(
        "next_line after feeding 4 KiB chunks without a newline (max_len 1 KiB)",
        &outcome,
        &Err(LineError::TooLong { line: 1, max_len }),
        "the first 4 KiB chunk already proves the line too long",
    );
    decoder.feed(&chunk);
    expect::eq(
        "buffered() after the error and another 4 KiB fed",
        &decoder.buffered(),
        &0,
        "after an error nothing will ever be decoded: drop the buffer and ignore \
         what is fed later, or a peer that keeps sending fills our memory",
    );
}

#[test]
fn rejects_invalid_utf8_naming_the_line() {
    check(
        b"good\n\xff\xfebad\nnever returned\n",
        64,
        &["good"],
        Err(LineError::InvalidUtf8 {
            line: 2,
            valid_up_to: 0,
        }),
        "String::from_utf8 (or str::from_utf8) on the complete line; its error's \
         valid_up_to() is how many bytes were fine",
    );
    check(
        b"caf\xc3\n",
        64,
        &[],
        Err(LineError::InvalidUtf8 {
            line: 1,
            valid_up_to: 3,
        }),
        "a character cut off by the line ending is invalid",
    );
    check(
        b"\xc0\xaf overlong slash\n",
        64,
        &[],
        Err(LineError::InvalidUtf8 {
            line: 1,
            valid_up_to: 0,
        }),
        "overlong encodings are not UTF-8; let the standard library decide",
    );
}

#[test]
fn counts_empty_lines_when_naming_a_line() {
    check(
        b"\n\r\n\xe9t\xe9\n",
        64,
        &["", ""],
        Err(LineError::InvalidUtf8 {
            line: 3,
            valid_up_to: 0,
        }),
        "count every line returned, empty ones included; the error names the next one",
    );
}

#[test]
fn checks_the_length_before_the_encoding() {
    check(
        b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\n",
        8,
        &[],
        Err(LineError::TooLong {
            line: 1,
            max_len: 8,
        }),
        "a line that is both too long and not UTF-8 is TooLong: in small chunks the \
         length is exceeded before the line is complete",
    );
}

#[test]
fn errors_are_final() {
    let mut decoder = LineDecoder::new(4);
    decoder.feed(b"toolong\nfine\n");
    let first = decoder.next_line();
    let want = Err(LineError::TooLong {
        line: 1,
        max_len: 4,
    });
    expect::eq(
        "the first next_line",
        &first,
        &want,
        "b\"toolong\" has 7 bytes",
    );
    decoder.feed(b"more\n");
    expect::eq(
        "next_line after an error, with good lines fed since",
        &decoder.next_line(),
        &want,
        "after an error the stream's position is lost; remember the error and \
         return it again, never a line",
    );
    expect::eq(
        "finish() after an error",
        &decoder.finish(),
        &Err(LineError::TooLong {
            line: 1,
            max_len: 4,
        }),
        "finish reports the error that stopped the decoder",
    );
}

#[test]
fn scans_each_byte_once_when_fed_one_byte_at_a_time() {
    // 2 MiB fed byte by byte. Linear work takes a fraction of a second, even
    // in a debug build. Searching the unfinished line again after every byte is
    // 2 million million byte comparisons: minutes one byte at a time, and still
    // over a minute at the speed of a SIMD `memchr`.
    const LEN: usize = 2 << 20;
    let outcome = testkit::within_hint(
        DEFAULT,
        "decoding a 2 MiB line fed one byte at a time",
        "next_line must not search the whole unfinished line again after each \
         feed (nor feed copy the whole buffer): with one byte per feed that is \
         quadratic work. Remember how far the buffer has been searched for b'\\n' \
         and go on from there (lesson 02.2, 'A decoder that does no I/O')",
        || {
            let mut decoder = LineDecoder::new(LEN);
            for _ in 0..LEN {
                decoder.feed(b"y");
                if decoder.next_line() != Ok(None) {
                    return Err("next_line returned something before the b'\\n'");
                }
            }
            decoder.feed(b"\n");
            match decoder.next_line() {
                Ok(Some(line)) if line.len() == LEN => Ok(()),
                _ => Err("the 2 MiB line did not come back whole"),
            }
        },
    );
    expect::ok(
        "decoding a 2 MiB line fed one byte at a time",
        outcome,
        "every byte fed must come back in the line, once",
    );
}
