//! Step 1, the header: `encode_header` writes `[u32 big-endian len][JSON]`, and
//! `read_header` reads exactly one back.
//!
//! The lesson: (lesson 02.4, 'The wire format') and (lesson 02.4, 'Reading the header').

mod common;

use std::io;

use common::{frame, header_json, sha256_hex, shown, Stumbling};
use file_transfer::{encode_header, read_header, Header, TransferError};
use testkit::chaos::{ChaosReader, Chunking};
use testkit::expect;

fn hello_header() -> Header {
    Header {
        name: "hello.txt".into(),
        size: 6,
        sha256: sha256_hex(b"hello\n"),
    }
}

#[test]
fn encoded_header_is_length_then_compact_json() {
    let header = hello_header();
    let encoded = encode_header(&header);
    let json = format!(
        r#"{{"name":"hello.txt","size":6,"sha256":"{}"}}"#,
        header.sha256
    );
    expect::eq(
        "encode_header(hello.txt, 6 bytes)",
        encoded.as_slice(),
        frame(&json).as_slice(),
        "4 bytes of big-endian length, then the JSON from serde_json::to_vec \
         (fields in declaration order, no spaces)",
    );
    insta::assert_snapshot!("hello_header", testkit::hexdump(&encoded));
}

#[test]
fn headers_are_read_under_every_chunking() {
    let first = hello_header();
    let second = Header {
        name: "报告.txt".into(),
        size: 0,
        sha256: sha256_hex(b""),
    };
    let mut stream = frame(&header_json(&first.name, b"hello\n"));
    stream.extend(frame(&header_json(&second.name, b"")));
    for chunking in Chunking::ALL {
        let mut input = ChaosReader::new(stream.as_slice(), chunking);
        for want in [&first, &second] {
            let got = read_header(&mut input, 1024);
            expect::eq(
                &format!("reading the header of {:?} in {chunking}", want.name),
                &shown(got.as_ref()),
                &Ok(want),
                "one read is not one message: keep reading until all 4 + len bytes are in",
            );
        }
        let end = read_header(&mut input, 1024);
        expect::that(
            matches!(end, Err(TransferError::Closed)),
            &format!("after the last header ({chunking}) the stream is empty: Closed"),
            &end,
            "zero bytes before a header is a clean end, not an error in the middle",
        );
    }
}

#[test]
fn a_stream_cut_inside_a_header_is_truncated() {
    let whole = frame(&header_json("a.txt", b"abc"));
    for cut in [1, 2, 3, 4, 5, whole.len() / 2, whole.len() - 1] {
        let got = read_header(&mut &whole[..cut], 1024);
        expect::that(
            matches!(got, Err(TransferError::TruncatedHeader)),
            &format!("a header cut after {cut} of {} bytes", whole.len()),
            &got,
            "only a stream that ends before the first byte is Closed; any later end is \
             TruncatedHeader",
        );
    }
}

#[test]
fn the_header_length_is_checked_before_anything_is_read() {
    // 4 GiB - 1 announced, nothing follows: reading or allocating first would
    // give TruncatedHeader (or run out of memory) instead.
    let got = read_header(&mut &[0xff, 0xff, 0xff, 0xff][..], 64 * 1024);
    expect::that(
        matches!(
            got,
            Err(TransferError::HeaderTooLong {
                len: u32::MAX,
                limit: 65536
            })
        ),
        "a length prefix of ff ff ff ff with a limit of 64 KiB",
        &got,
        "compare the length with max_len right after the 4 bytes, before allocating",
    );

    let json = header_json("a.txt", b"abc");
    let limit = json.len() as u32;
    let got = read_header(&mut frame(&json).as_slice(), limit - 1);
    expect::that(
        matches!(got, Err(TransferError::HeaderTooLong { len, limit: l }) if len == limit && l == limit - 1),
        "a header one byte over the limit",
        &got,
        "len > max_len is too long",
    );
    let got = read_header(&mut frame(&json).as_slice(), limit);
    expect::that(
        got.is_ok(),
        "a header exactly at the limit",
        &got,
        "len == max_len is allowed",
    );
}

#[test]
fn malformed_headers_are_bad_headers() {
    let good_sha = sha256_hex(b"abc");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("an empty header", frame("")),
        ("plain text", frame("hello")),
        ("a JSON array", frame(r#"["a.txt", 3]"#)),
        ("JSON cut short", frame(r#"{"name":"a.txt","size":3"#)),
        ("no sha256", frame(r#"{"name":"a.txt","size":3}"#)),
        (
            "no size",
            frame(&format!(r#"{{"name":"a.txt","sha256":"{good_sha}"}}"#)),
        ),
        (
            "no name",
            frame(&format!(r#"{{"size":3,"sha256":"{good_sha}"}}"#)),
        ),
        (
            "a negative size",
            frame(&format!(
                r#"{{"name":"a","size":-3,"sha256":"{good_sha}"}}"#
            )),
        ),
        (
            "a size in quotes",
            frame(&format!(
                r#"{{"name":"a","size":"3","sha256":"{good_sha}"}}"#
            )),
        ),
        (
            "a fractional size",
            frame(&format!(
                r#"{{"name":"a","size":3.5,"sha256":"{good_sha}"}}"#
            )),
        ),
        (
            "a name that is a number",
            frame(&format!(r#"{{"name":7,"size":3,"sha256":"{good_sha}"}}"#)),
        ),
        (
            "a short sha256",
            frame(r#"{"name":"a","size":3,"sha256":"abc123"}"#),
        ),
        (
            "a sha256 that is not hex",
            frame(&format!(
                r#"{{"name":"a","size":3,"sha256":"{}"}}"#,
                "zz".repeat(32)
            )),
        ),
        (
            "bytes after the JSON",
            frame(&format!(
                r#"{{"name":"a","size":3,"sha256":"{good_sha}"}} x"#
            )),
        ),
        ("invalid UTF-8", {
            let mut bad = frame(&format!(
                r#"{{"name":"a\u00e9","size":3,"sha256":"{good_sha}"}}"#
            ));
            let at = bad.iter().position(|&b| b == b'\\').unwrap();
            bad.splice(at..at + 6, [0xff, 0xfe, 0x20, 0x20, 0x20, 0x20]);
            bad
        }),
    ];
    for (what, bytes) in cases {
        let got = read_header(&mut bytes.as_slice(), 1024);
        expect::that(
            matches!(got, Err(TransferError::BadHeader(_))),
            &format!(
                "a header with {what}: {:?}",
                bytes[4..].escape_ascii().to_string()
            ),
            &got,
            "every way the JSON can be wrong is BadHeader (map serde_json's error), and \
             so is a sha256 that is not 64 hex digits",
        );
    }
}

#[test]
fn unknown_header_fields_are_ignored() {
    let json = format!(
        r#"{{"mode":420,"name":"a.txt","size":3,"sha256":"{}","mtime":"2024-01-01"}}"#,
        sha256_hex(b"abc")
    );
    let got = read_header(&mut frame(&json).as_slice(), 1024);
    expect::eq(
        "a header with extra fields mode and mtime",
        &shown(got),
        &Ok(Header {
            name: "a.txt".into(),
            size: 3,
            sha256: sha256_hex(b"abc"),
        }),
        "a newer sender may add fields; an older receiver reads the ones it knows",
    );
}

#[test]
fn read_header_retries_interrupted_reads() {
    let header = hello_header();
    let wire = frame(&header_json(&header.name, b"hello\n"));
    let got = read_header(
        &mut Stumbling::new(&wire, io::ErrorKind::Interrupted, true),
        1024,
    );
    expect::eq(
        "read_header from a reader interrupted before every other read",
        &shown(got.as_ref()),
        &Ok(&header),
        "ErrorKind::Interrupted (a signal arrived) means 'try again', in the 4-byte \
         prefix and in the JSON alike",
    );
}

#[test]
fn read_header_passes_read_errors_on() {
    let wire = frame(&header_json("hello.txt", b"hello\n"));
    let got = read_header(
        &mut Stumbling::new(&wire, io::ErrorKind::ConnectionReset, false),
        1024,
    );
    expect::that(
        matches!(&got, Err(TransferError::Io(e)) if e.kind() == io::ErrorKind::ConnectionReset),
        "read_header when the first read fails with ConnectionReset (a whole header \
         would follow)",
        &got,
        "return any error other than Interrupted as TransferError::Io at once; \
         retrying it would read on from a broken stream",
    );
}
