//! Step 4, sending: `send` writes a header and exactly `size` body bytes;
//! `send_file` hashes a file, then sends it under its own name.
//!
//! The lesson: (lesson 02.4, 'Sending: why the file is read twice').

mod common;

use std::fs;
use std::io;

use common::{sha256_hex, shown, source_file, transfer, Lazy, Watched};
use file_transfer::{send, send_file, Header, TransferError, CHUNK_SIZE};
use testkit::expect;

#[test]
fn send_file_writes_the_header_then_the_body() {
    let (_src, path) = source_file("hello.txt", b"hello\n");
    let mut wire = Vec::new();
    let header = send_file(&mut wire, &path);
    expect::eq(
        "the header send_file returns for hello.txt",
        &shown(header),
        &Ok(Header {
            name: "hello.txt".into(),
            size: 6,
            sha256: sha256_hex(b"hello\n"),
        }),
        "the name is the file's own name (not the path), the size and checksum of \
         its contents",
    );
    expect::eq(
        "the bytes send_file wrote for hello.txt",
        wire.escape_ascii().to_string().as_str(),
        transfer("hello.txt", b"hello\n")
            .escape_ascii()
            .to_string()
            .as_str(),
        "[u32 big-endian length][compact JSON][body], nothing else",
    );
}

#[test]
fn send_file_sends_the_name_not_the_path() {
    let dir = tempfile::TempDir::new().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    let path = dir.path().join("sub").join("report.txt");
    fs::write(&path, b"quarterly").unwrap();
    let header = send_file(&mut Vec::new(), &path);
    expect::eq(
        "the name sent for <tmp>/sub/report.txt",
        &shown(header.map(|h| h.name)),
        &Ok("report.txt".to_string()),
        "Path::file_name gives the last component; the receiver has no use for (and \
         must not see) where the file lives on the sender's disk",
    );
}

#[test]
fn senders_refuse_names_receivers_would_refuse() {
    let (_src, path) = source_file(".secret", b"token");
    let mut wire = Vec::new();
    let got = send_file(&mut wire, &path);
    expect::that(
        matches!(got, Err(TransferError::BadName(_))),
        "send_file of a file named .secret",
        &got,
        "check the name with FileName::new before sending anything",
    );
    expect::eq(
        "bytes written",
        &wire.len(),
        &0,
        "fail before the first write",
    );

    let header = Header {
        name: "../x".into(),
        size: 1,
        sha256: sha256_hex(b"x"),
    };
    let got = send(&mut wire, &header, &mut &b"x"[..]);
    expect::that(
        matches!(got, Err(TransferError::BadName(_))),
        "send with the name ../x",
        &got,
        "send checks the header's name too",
    );
    expect::eq(
        "bytes written",
        &wire.len(),
        &0,
        "fail before the first write",
    );
}

#[test]
fn send_fails_when_the_body_is_shorter_than_the_header_says() {
    let header = Header {
        name: "short.bin".into(),
        size: 100,
        sha256: sha256_hex(&[0; 100]),
    };
    let got = send(&mut Vec::new(), &header, &mut &[0u8; 40][..]);
    expect::that(
        matches!(&got, Err(TransferError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof),
        "send with size 100 and a 40-byte body",
        &got,
        "when the body ends early, return an Io error of kind UnexpectedEof: the \
         receiver is still waiting for 60 bytes",
    );
}

#[test]
fn send_streams_in_bounded_chunks() {
    // 64 MiB that never exist in memory all at once.
    let size: u64 = 64 << 20;
    let header = Header {
        name: "big.bin".into(),
        size,
        sha256: "0".repeat(64), // send does not check it; the receiver would
    };
    let mut body = Watched::new(Lazy::new(size + 1000));
    let mut wire = common::Counter::default();
    let got = send(&mut wire, &header, &mut body);
    expect::ok(
        "sending 64 MiB",
        got,
        "send writes the header, then copy_exact moves size body bytes",
    );
    let header_len = 4 + serde_json::to_vec(&header).unwrap().len() as u64;
    expect::eq(
        "bytes on the wire for a 64 MiB body",
        &wire.written,
        &(header_len + size),
        "the header, then exactly size bytes",
    );
    expect::eq(
        "bytes taken from the body reader",
        &body.delivered,
        &size,
        "never read past header.size",
    );
    expect::that(
        body.largest_request <= CHUNK_SIZE,
        &format!("every read of the body asks for at most CHUNK_SIZE ({CHUNK_SIZE}) bytes"),
        format!("a read of {} bytes", body.largest_request),
        "stream with copy_exact; never read the whole body into memory",
    );
}
