//! Step 5, receiving: whole transfers from sender to receiver, good and hostile,
//! in memory.
//!
//! The lesson: (lesson 02.4, 'Receiving: a temporary file and one rename').

mod common;

use std::fs;
use std::io::{self, Read};
use std::path::PathBuf;

use common::{
    bytes, expect_nothing_left, frame, header_json, limits, sha256_hex, source_file, transfer,
    Dest, FailsAfter, Lazy, Watched,
};
use file_transfer::{receive_file, send_file, Limits, TransferError, CHUNK_SIZE};
use testkit::chaos::{ChaosReader, Chunking};
use testkit::expect;

// ---------------------------------------------------------------- round trips

#[test]
fn a_multi_mib_file_round_trips_under_every_chunking() {
    // Not a multiple of any chunk size, so the last chunk is a short one.
    let body = bytes((2 << 20) + 12_345, 7);
    let (_src, path) = source_file("photo.raw", &body);
    let mut wire = Vec::new();
    expect::ok(
        "send_file of 2 MiB",
        send_file(&mut wire, &path),
        "the sending step must pass first (tests 04_send)",
    );
    for chunking in Chunking::ALL {
        let dest = Dest::new();
        let mut input = ChaosReader::new(wire.as_slice(), chunking);
        let got = receive_file(&mut input, &dest.uploads, &limits());
        let saved = expect::ok(
            &format!("receiving 2 MiB in {chunking}"),
            got,
            "a read may return any number of bytes, even 1: loop",
        );
        expect::eq(
            "the path receive_file returns",
            &saved,
            &dest.uploads.join("photo.raw"),
            "dest_dir joined with the header's name",
        );
        let stored = fs::read(&saved).unwrap();
        expect::eq(
            &format!("sha256 of the received file ({chunking})"),
            &sha256_hex(&stored),
            &sha256_hex(&body),
            "the bytes must arrive complete and in order",
        );
        expect::eq(
            "files in the uploads folder",
            &dest.uploads_listing(),
            &vec!["photo.raw".to_string()],
            "only the file itself: the temporary file is renamed, not copied",
        );
    }
}

#[test]
fn transfers_follow_each_other_on_one_stream() {
    let files: [(&str, Vec<u8>); 3] = [
        ("one.txt", b"first".to_vec()),
        ("empty.txt", Vec::new()),
        ("three.bin", bytes(70_000, 3)),
    ];
    let mut stream = Vec::new();
    for (name, body) in &files {
        stream.extend(transfer(name, body));
    }
    for chunking in Chunking::ALL {
        let dest = Dest::new();
        let mut input = ChaosReader::new(stream.as_slice(), chunking);
        for (name, body) in &files {
            let got = receive_file(&mut input, &dest.uploads, &limits());
            let saved = expect::ok(
                &format!("receiving {name} ({} bytes) in {chunking}", body.len()),
                got,
                "read exactly size body bytes: the next header starts right after",
            );
            expect::that(
                fs::read(&saved).unwrap() == *body,
                &format!("the contents of {name}"),
                saved,
                "the saved file holds exactly this transfer's body, nothing of the next",
            );
        }
        let end = receive_file(&mut input, &dest.uploads, &limits());
        expect::that(
            matches!(end, Err(TransferError::Closed)),
            &format!("receiving after the last transfer ({chunking})"),
            &end,
            "a stream that ends between transfers gives Closed",
        );
    }
}

#[test]
fn receive_streams_in_bounded_chunks() {
    let size: u64 = 1 << 20;
    let header = frame(
        &serde_json::json!({"name": "big.bin", "size": size, "sha256": common::lazy_sha256(size)})
            .to_string(),
    );
    // The body is made up as it is read: only a receiver that buffers holds it.
    let mut input = Watched::new(io::Cursor::new(header).chain(Lazy::new(size)));
    let dest = Dest::new();
    let got = receive_file(&mut input, &dest.uploads, &limits());
    expect::ok(
        "receiving 1 MiB",
        got,
        "read the header, then stream size body bytes into the temporary file",
    );
    expect::that(
        input.largest_request <= CHUNK_SIZE,
        &format!("every read asks for at most CHUNK_SIZE ({CHUNK_SIZE}) bytes"),
        format!("a read of {} bytes", input.largest_request),
        "stream the body through one CHUNK_SIZE buffer (copy_exact); never read it \
         all into memory",
    );
}

// ---------------------------------------------------------------- hostile input

#[test]
fn names_that_escape_the_folder_create_nothing() {
    let dest = Dest::new();
    let outside = dest.root.path().join("escaped");
    let hostile = [
        "../escaped".to_string(),
        "..".to_string(),
        ".".to_string(),
        String::new(),
        "sub/escaped".to_string(),
        outside.to_string_lossy().into_owned(), // an absolute path into root
        "..\\escaped".to_string(),
        "C:\\escaped".to_string(),
        "nul\0.txt".to_string(),
        "x".repeat(300),
    ];
    for name in hostile {
        let wire = transfer(&name, b"owned");
        let got = receive_file(&mut wire.as_slice(), &dest.uploads, &limits());
        expect::that(
            matches!(got, Err(TransferError::BadName(_))),
            &format!("receiving a file named {name:?}"),
            &got,
            "check the name with FileName::new before touching the file system",
        );
        expect_nothing_left(&dest, &format!("the name {name:?}"));
    }
}

#[test]
fn an_upload_cut_short_leaves_no_file() {
    let body = bytes(100_000, 5);
    let whole = transfer("cut.bin", &body);
    let header_len = whole.len() - body.len();
    for chunking in Chunking::ALL {
        for received in [0, 1, 65_536, body.len() - 1] {
            let dest = Dest::new();
            let mut input = ChaosReader::new(&whole[..header_len + received], chunking);
            let got = receive_file(&mut input, &dest.uploads, &limits());
            expect::that(
                matches!(got, Err(TransferError::TruncatedBody { expected: 100_000, received: r }) if r == received as u64),
                &format!("a body cut after {received} of 100000 bytes ({chunking})"),
                &got,
                "a read returning 0 before size bytes is TruncatedBody { expected, received }",
            );
            expect_nothing_left(&dest, &format!("a body cut after {received} bytes"));
        }
    }
}

#[test]
fn an_upload_cut_inside_the_header_leaves_no_file() {
    let whole = transfer("cut.txt", b"body");
    for cut in [2, 4, 10] {
        let dest = Dest::new();
        let got = receive_file(&mut &whole[..cut], &dest.uploads, &limits());
        expect::that(
            matches!(got, Err(TransferError::TruncatedHeader)),
            &format!("a stream cut after {cut} header bytes"),
            &got,
            "an end of stream anywhere inside the prefix or the JSON is TruncatedHeader",
        );
        expect_nothing_left(&dest, "a cut header");
    }
}

#[test]
fn a_peer_vanishing_mid_body_leaves_no_file() {
    let whole = transfer("reset.bin", &bytes(50_000, 9));
    let dest = Dest::new();
    let mut input = FailsAfter::new(whole[..30_000].to_vec(), io::ErrorKind::ConnectionReset);
    let got = receive_file(&mut input, &dest.uploads, &limits());
    expect::that(
        matches!(&got, Err(TransferError::Io(e)) if e.kind() == io::ErrorKind::ConnectionReset),
        "a connection reset in the middle of the body",
        &got,
        "pass read errors on as TransferError::Io",
    );
    expect_nothing_left(&dest, "a connection reset");
}

#[test]
fn a_checksum_mismatch_leaves_no_file() {
    let body = bytes(10_000, 11);
    let mut tampered = body.clone();
    tampered[5_000] ^= 0x01; // one bit flipped in transit
    let mut wire = frame(&header_json("data.bin", &body));
    wire.extend_from_slice(&tampered);
    let dest = Dest::new();
    let got = receive_file(&mut wire.as_slice(), &dest.uploads, &limits());
    let (want_expected, want_actual) = (sha256_hex(&body), sha256_hex(&tampered));
    expect::that(
        matches!(&got, Err(TransferError::ChecksumMismatch { expected, actual })
            if *expected == want_expected && *actual == want_actual),
        "a body with one bit flipped",
        &got,
        "hash the bytes as they are written (HashingWriter) and compare with the \
         header's sha256: ChecksumMismatch { expected: header's, actual: computed }",
    );
    expect_nothing_left(&dest, "a checksum mismatch");
}

#[test]
fn a_header_that_understates_the_size_takes_only_size_bytes() {
    // The header promises 10 bytes (with their hash); 20 follow.
    let body = b"0123456789ABCDEFGHIJ";
    let mut wire = frame(&header_json("ten.txt", &body[..10]));
    wire.extend_from_slice(body);
    let dest = Dest::new();
    let mut input = wire.as_slice();
    let got = receive_file(&mut input, &dest.uploads, &limits());
    let saved = expect::ok(
        "a header with size 10 followed by 20 bytes",
        got,
        "the first 10 bytes are the body and match the checksum",
    );
    expect::eq(
        "the saved file",
        fs::read(saved).unwrap().as_slice(),
        &b"0123456789"[..],
        "the body is exactly size bytes",
    );
    expect::eq(
        "what is left in the stream",
        input,
        &b"ABCDEFGHIJ"[..],
        "whatever follows the body belongs to the next transfer: do not read it",
    );
}

#[test]
fn a_header_that_overstates_the_size_is_truncated() {
    let body = b"only nine";
    let wire = [
        frame(
            &serde_json::json!({"name": "nine.txt", "size": 20, "sha256": sha256_hex(body)})
                .to_string(),
        ),
        body.to_vec(),
    ]
    .concat();
    let dest = Dest::new();
    let got = receive_file(&mut wire.as_slice(), &dest.uploads, &limits());
    expect::that(
        matches!(
            got,
            Err(TransferError::TruncatedBody {
                expected: 20,
                received: 9
            })
        ),
        "a header with size 20 followed by 9 bytes and the end",
        &got,
        "end of stream before size bytes is TruncatedBody { expected, received }",
    );
    expect_nothing_left(&dest, "a short body");
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let small = Limits {
        max_header_len: 1024,
        max_file_size: 1000,
    };
    let body = bytes(1001, 13);
    let wire = transfer("big.bin", &body);
    let dest = Dest::new();
    let mut input = wire.as_slice();
    let got = receive_file(&mut input, &dest.uploads, &small);
    expect::that(
        matches!(
            got,
            Err(TransferError::TooLarge {
                size: 1001,
                limit: 1000
            })
        ),
        "a 1001-byte file with a limit of 1000",
        &got,
        "compare size with limits.max_file_size right after the header",
    );
    expect::eq(
        "body bytes read before refusing",
        &(body.len() - input.len()),
        &0,
        "refuse before reading the body and before creating a temporary file",
    );
    expect_nothing_left(&dest, "an oversized file");

    let got = receive_file(
        &mut transfer("fits.bin", &body[..1000]).as_slice(),
        &dest.uploads,
        &small,
    );
    expect::ok(
        "a file of exactly max_file_size bytes",
        got,
        "the limit itself is allowed",
    );
}

#[test]
fn an_absurd_header_length_is_refused() {
    let dest = Dest::new();
    let mut wire = vec![0xff, 0xff, 0xff, 0xff];
    wire.extend_from_slice(b"{\"name\":");
    let got = receive_file(&mut wire.as_slice(), &dest.uploads, &limits());
    expect::that(
        matches!(got, Err(TransferError::HeaderTooLong { len: u32::MAX, .. })),
        "a length prefix announcing a 4 GiB header",
        &got,
        "check the length against limits.max_header_len before allocating",
    );
    expect_nothing_left(&dest, "an absurd header length");
}

#[test]
fn malformed_headers_create_nothing() {
    for json in [
        "not json".to_string(),
        r#"{"name":"a.txt","size":3}"#.to_string(),
        format!(
            r#"{{"name":"a.txt","size":-1,"sha256":"{}"}}"#,
            sha256_hex(b"")
        ),
        r#"{"name":"a.txt","size":3,"sha256":"nothex"}"#.to_string(),
    ] {
        let dest = Dest::new();
        let mut wire = frame(&json);
        wire.extend_from_slice(b"abc");
        let got = receive_file(&mut wire.as_slice(), &dest.uploads, &limits());
        expect::that(
            matches!(got, Err(TransferError::BadHeader(_))),
            &format!("receiving with the header {json}"),
            &got,
            "a header that is not a valid Header is BadHeader, before any file is created",
        );
        expect_nothing_left(&dest, &format!("the header {json}"));
    }
}

#[test]
fn an_existing_file_is_replaced_only_by_a_complete_upload() {
    let dest = Dest::new();
    let target = dest.uploads.join("report.txt");
    fs::write(&target, b"old report").unwrap();
    let new = b"the new report, longer than the old one";

    let whole = transfer("report.txt", new);
    let cut = &whole[..whole.len() - 5];
    let mut tampered = whole.clone();
    *tampered.last_mut().unwrap() ^= 0xff;
    for (what, wire) in [("a cut upload", cut), ("a corrupted upload", &tampered[..])] {
        let got = receive_file(&mut &wire[..], &dest.uploads, &limits());
        expect::that(
            got.is_err(),
            what,
            &got,
            "a cut or corrupted body is an error (TruncatedBody, ChecksumMismatch)",
        );
        expect::eq(
            &format!("report.txt after {what}"),
            fs::read(&target).unwrap().as_slice(),
            &b"old report"[..],
            "never open the final name for writing: write a temporary file and \
             rename it over the old one only when it is complete",
        );
        expect::eq(
            &format!("files in the uploads folder after {what}"),
            &dest.uploads_listing(),
            &vec!["report.txt".to_string()],
            "the temporary file is removed on error",
        );
    }

    let got = receive_file(&mut whole.as_slice(), &dest.uploads, &limits());
    expect::ok(
        "a complete upload of report.txt",
        got,
        "persist renames over an existing file",
    );
    expect::eq(
        "report.txt after a complete upload",
        fs::read(&target).unwrap().as_slice(),
        &new[..],
        "a complete upload replaces the old file (rename over it)",
    );
}

#[test]
fn a_partial_upload_is_a_hidden_temporary_file_in_the_destination() {
    /// Hands out `data`; when the body is half delivered, looks into `dir`.
    struct Spy<'a> {
        data: &'a [u8],
        look_when_left: usize,
        dir: PathBuf,
        seen: Option<Vec<String>>,
    }
    impl Read for Spy<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.data.len() <= self.look_when_left && self.seen.is_none() {
                self.seen = Some(common::listing(&self.dir));
            }
            // Small reads, so the look happens mid-body.
            let n = buf.len().min(self.data.len()).min(1000);
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    let dest = Dest::new();
    let wire = transfer("movie.mkv", &bytes(20_000, 17));
    let mut spy = Spy {
        data: &wire,
        look_when_left: 10_000,
        dir: dest.uploads.clone(),
        seen: None,
    };
    let got = receive_file(&mut spy, &dest.uploads, &limits());
    expect::ok(
        "receiving movie.mkv",
        got,
        "a correct transfer read in 1000-byte pieces",
    );
    let seen = spy.seen.unwrap_or_default();
    expect::that(
        seen.len() == 1 && seen[0].starts_with('.') && seen[0] != "movie.mkv",
        "the uploads folder halfway through the body holds one hidden temporary file",
        &seen,
        "create the temporary file in dest_dir itself (a rename only works within one \
         file system), with a name starting with '.', and do not create movie.mkv \
         before the body is complete",
    );
}

#[test]
fn a_missing_destination_folder_is_an_io_error() {
    let dest = Dest::new();
    let missing = dest.root.path().join("no-such-folder");
    let got = receive_file(
        &mut transfer("a.txt", b"abc").as_slice(),
        &missing,
        &limits(),
    );
    expect::that(
        matches!(&got, Err(TransferError::Io(e)) if e.kind() == io::ErrorKind::NotFound),
        "receiving into a folder that does not exist",
        &got,
        "the caller creates dest_dir; receive_file does not",
    );
    expect::eq(
        "files next to the uploads folder",
        &dest.root_listing(),
        &vec!["uploads".to_string()],
        "receive_file must not create dest_dir or anything else",
    );
}
