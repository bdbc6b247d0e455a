//! The parts on their own: file names, the header, copying exactly n bytes.

mod common;

use std::io::{self, Read};
use std::path::Path;

use common::{bytes, frame, header_json, sha256_hex, shown, FailsAfter, Lazy, Watched};
use file_transfer::{
    copy_exact, encode_header, read_header, FileName, Header, NameError, TransferError, CHUNK_SIZE,
    MAX_NAME_LEN,
};
use testkit::chaos::{ChaosReader, Chunking};
use testkit::expect;

// ---------------------------------------------------------------- file names

const GOOD_NAMES: &[&str] = &[
    "report.pdf",
    "a",
    "README",
    "with space.txt",
    "x..y",
    "a.b.c",
    "trailing-dot.",
    "报告 2024.txt",
    "отчёт.pdf",
    "😀.png",
];

#[test]
fn plain_file_names_are_accepted() {
    let longest = "a".repeat(MAX_NAME_LEN);
    let longest_cjk = "文".repeat(MAX_NAME_LEN / 3); // 3 bytes each: exactly 255
    let mut names: Vec<&str> = GOOD_NAMES.to_vec();
    names.push(&longest);
    names.push(&longest_cjk);
    for name in names {
        let parsed = expect::ok(
            &format!("FileName::new({name:?})"),
            FileName::new(name),
            "a plain name (no '/', '\\', ':', control characters or leading dot, at most \
             255 bytes) must be accepted; any other Unicode is fine",
        );
        expect::eq(
            &format!("FileName::new({name:?}).as_str()"),
            parsed.as_str(),
            name,
            "keep the name exactly as given",
        );
    }
}

#[test]
fn hostile_names_are_refused_with_the_reason() {
    let cases: Vec<(String, NameError)> = vec![
        (String::new(), NameError::Empty),
        (".".into(), NameError::LeadingDot),
        ("..".into(), NameError::LeadingDot),
        (".bashrc".into(), NameError::LeadingDot),
        (".upload-abc123.part".into(), NameError::LeadingDot),
        ("a/b".into(), NameError::Separator),
        ("/etc/passwd".into(), NameError::Separator),
        ("uploads/".into(), NameError::Separator),
        ("a\\b".into(), NameError::Separator),
        ("C:x".into(), NameError::Colon),
        ("file.txt:stream".into(), NameError::Colon),
        ("nul\0byte".into(), NameError::Control),
        ("line\nbreak".into(), NameError::Control),
        ("red\x1b[31m".into(), NameError::Control),
        ("del\x7f".into(), NameError::Control),
        ("c1\u{85}control".into(), NameError::Control),
        (
            "a".repeat(MAX_NAME_LEN + 1),
            NameError::TooLong { len: 256 },
        ),
        // 86 characters, but 258 bytes: the limit counts bytes.
        ("文".repeat(86), NameError::TooLong { len: 258 }),
    ];
    for (name, reason) in cases {
        expect::eq(
            &format!("FileName::new({name:?})"),
            &FileName::new(&name),
            &Err(reason),
            "see the rules in the lesson's 'A name is not a path'; the first failing \
             rule in the order of NameError's variants decides the reason",
        );
    }
}

#[test]
fn paths_in_disguise_are_refused() {
    for name in [
        "../x",
        "..\\x",
        "../../etc/passwd",
        "C:\\Windows\\win.ini",
        "\\\\server\\share",
        "/",
        "./x",
        "a/../../b",
    ] {
        let result = FileName::new(name);
        expect::that(
            result.is_err(),
            &format!("FileName::new({name:?}) must be refused"),
            &result,
            "a name with a separator, a colon or a leading dot could point outside the \
             folder once joined to it",
        );
    }
}

#[test]
fn an_accepted_name_joins_to_a_direct_child() {
    let dir = Path::new("uploads");
    for &name in GOOD_NAMES {
        let name = expect::ok(name, FileName::new(name), "this name is plain");
        let joined = dir.join(&name);
        expect::eq(
            &format!("the parent of uploads.join({name:?})"),
            &joined.parent(),
            &Some(dir),
            "FileName must implement AsRef<Path> as the plain name",
        );
    }
}

// ---------------------------------------------------------------- the header

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
                String::from_utf8_lossy(&bytes[4..])
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

// ---------------------------------------------------------------- copy_exact

#[test]
fn copy_exact_stops_at_len_under_every_chunking() {
    let body = bytes(200_000, 1);
    let mut stream = body.clone();
    stream.extend_from_slice(b"NEXT HEADER");
    for chunking in Chunking::ALL {
        let mut input = ChaosReader::new(stream.as_slice(), chunking);
        let mut out = Vec::new();
        let copied = copy_exact(&mut input, &mut out, body.len() as u64);
        expect::eq(
            &format!("copy_exact of 200000 bytes in {chunking}"),
            &shown(copied),
            &Ok(200_000),
            "loop until len bytes are copied; one read returns any amount",
        );
        expect::that(
            out == body,
            &format!("the bytes copied in {chunking} are the body"),
            format!("{} bytes, sha256 {}", out.len(), sha256_hex(&out)),
            "write exactly the n bytes each read returned",
        );
        let mut rest = Vec::new();
        input.read_to_end(&mut rest).unwrap();
        expect::eq(
            &format!("what is left in the stream after copy_exact ({chunking})"),
            String::from_utf8_lossy(&rest).as_ref(),
            "NEXT HEADER",
            "never ask for more than len - copied: the bytes after the body belong to \
             the next message",
        );
    }
}

#[test]
fn copy_exact_reports_a_short_source() {
    let mut out = Vec::new();
    let copied = copy_exact(&mut &b"only ten b"[..], &mut out, 25);
    expect::eq(
        "copy_exact of 25 bytes from a 10-byte source",
        &shown(copied),
        &Ok(10),
        "a read returning 0 means the source ended: return what was copied",
    );
    expect::eq("what was copied", out.as_slice(), &b"only ten b"[..], "");
}

#[test]
fn copy_exact_asks_for_bounded_chunks() {
    let len = 8 << 20;
    let mut source = Watched::new(Lazy::new(len));
    let mut sink = common::Counter::default();
    let copied = copy_exact(&mut source, &mut sink, len);
    expect::eq("copy_exact of 8 MiB", &shown(copied), &Ok(len), "");
    expect::eq("bytes written", &sink.written, &len, "");
    expect::that(
        source.largest_request <= CHUNK_SIZE,
        &format!("every read asks for at most CHUNK_SIZE ({CHUNK_SIZE}) bytes"),
        format!("a read of {} bytes", source.largest_request),
        "use one buffer of CHUNK_SIZE bytes and reuse it; never read_to_end or a \
         buffer the size of the body",
    );
}

#[test]
fn copy_exact_retries_interrupted_reads() {
    /// Fails with Interrupted on every other call, like a read hit by a signal.
    struct Flaky<'a>(&'a [u8], bool);
    impl Read for Flaky<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 = !self.1;
            if self.1 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.0.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut out = Vec::new();
    let copied = copy_exact(&mut Flaky(b"interrupted, not broken", false), &mut out, 23);
    expect::eq(
        "copy_exact from a reader interrupted before every read",
        &shown(copied),
        &Ok(23),
        "ErrorKind::Interrupted means 'try again', not 'fail'",
    );
}

#[test]
fn copy_exact_passes_read_errors_on() {
    let mut input = FailsAfter::new(b"half".to_vec(), io::ErrorKind::ConnectionReset);
    let got = copy_exact(&mut input, &mut Vec::new(), 8);
    expect::eq(
        "copy_exact when the peer resets the connection mid-way",
        &got.map_err(|e| e.kind()),
        &Err(io::ErrorKind::ConnectionReset),
        "return the error; only Interrupted is retried",
    );
}
