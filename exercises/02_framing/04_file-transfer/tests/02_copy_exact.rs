//! Step 2, `copy_exact`: exactly n bytes from a reader to a writer, in bounded
//! chunks, never one byte more.
//!
//! The lesson: (lesson 02.4, 'Copying exactly n bytes').

mod common;

use std::io::{self, Read};

use common::{bytes, sha256_hex, shown, FailsAfter, Lazy, Stumbling, Watched};
use file_transfer::{copy_exact, HashingWriter, CHUNK_SIZE};
use testkit::chaos::{ChaosReader, Chunking};
use testkit::{deadline, expect, within_hint};

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
            rest.escape_ascii().to_string().as_str(),
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
    expect::eq(
        "what was copied",
        out.as_slice(),
        &b"only ten b"[..],
        "write every byte each read returned, in order",
    );
}

#[test]
fn copy_exact_asks_for_bounded_chunks() {
    let len = 8 << 20;
    let mut source = Watched::new(Lazy::new(len));
    let mut sink = common::Counter::default();
    let copied = copy_exact(&mut source, &mut sink, len);
    expect::eq(
        "copy_exact of 8 MiB",
        &shown(copied),
        &Ok(len),
        "loop until len bytes are copied",
    );
    expect::eq(
        "bytes written",
        &sink.written,
        &len,
        "write_all each chunk: a plain write may take only part of it",
    );
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
    within_hint(
        deadline::DEFAULT,
        "copy_exact from readers that fail with ConnectionReset",
        "copy_exact is still retrying an error that does not go away: only \
         ErrorKind::Interrupted is retried, every other error is returned",
        || {
            // A reader that would go on after its error: retrying it hides the failure.
            let mut input = Stumbling::new(b"the rest", io::ErrorKind::ConnectionReset, false);
            let got = copy_exact(&mut input, &mut Vec::new(), 8);
            expect::eq(
                "copy_exact when the first read fails with ConnectionReset",
                &got.map_err(|e| e.kind()),
                &Err(io::ErrorKind::ConnectionReset),
                "return the error at once; only Interrupted is retried",
            );

            let mut input = FailsAfter::new(b"half".to_vec(), io::ErrorKind::ConnectionReset);
            let got = copy_exact(&mut input, &mut Vec::new(), 8);
            expect::eq(
                "copy_exact when the peer resets the connection mid-way",
                &got.map_err(|e| e.kind()),
                &Err(io::ErrorKind::ConnectionReset),
                "return the error; only Interrupted is retried",
            );
        },
    );
}

#[test]
fn copy_exact_writes_everything_to_a_writer_that_takes_little() {
    /// Takes at most 7 bytes per `write`, as a socket with a full send buffer may.
    struct Sip(Vec<u8>);
    impl io::Write for Sip {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(7);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let body = bytes(10_000, 2);
    let mut out = Sip(Vec::new());
    let copied = copy_exact(&mut body.as_slice(), &mut out, body.len() as u64);
    expect::eq(
        "copy_exact of 10000 bytes into a writer that takes 7 bytes per write",
        &shown(copied),
        &Ok(10_000),
        "count the bytes read, and write them all",
    );
    expect::eq(
        "bytes that reached the writer",
        &out.0.len(),
        &body.len(),
        "a write may take only part of the buffer and returns how much it took: \
         use write_all, which loops until every byte is taken",
    );
}

#[test]
fn copy_exact_into_a_hashing_writer_hashes_what_arrived() {
    /// Takes at most 7 bytes per `write` and remembers whether it was flushed.
    #[derive(Default)]
    struct Sip {
        taken: Vec<u8>,
        flushed: bool,
    }
    impl io::Write for Sip {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(7);
            self.taken.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.flushed = true;
            Ok(())
        }
    }
    // What receive_file builds on: the body goes through a HashingWriter.
    let body = bytes(10_000, 4);
    let mut hashing = HashingWriter::new(Sip::default());
    let copied = copy_exact(&mut body.as_slice(), &mut hashing, body.len() as u64);
    expect::eq(
        "copy_exact of 10000 bytes into a HashingWriter over a writer that takes 7 at a time",
        &shown(copied),
        &Ok(10_000),
        "write_all each chunk; the HashingWriter passes on what the inner writer takes",
    );
    expect::ok(
        "flushing the HashingWriter",
        io::Write::flush(&mut hashing),
        "a HashingWriter flushes its inner writer",
    );
    let (inner, sha256) = hashing.finish();
    expect::that(
        inner.taken == body,
        "the bytes that reached the writer inside the HashingWriter are the body",
        format!(
            "{} bytes, sha256 {}",
            inner.taken.len(),
            sha256_hex(&inner.taken)
        ),
        "every byte copied passes through the HashingWriter into its inner writer",
    );
    expect::eq(
        "the SHA-256 the HashingWriter computed",
        &sha256,
        &sha256_hex(&body),
        "each byte is hashed once, when the inner writer takes it",
    );
    expect::that(
        inner.flushed,
        "flushing the HashingWriter flushed its inner writer",
        inner.flushed,
        "HashingWriter::flush passes the flush on",
    );
}
