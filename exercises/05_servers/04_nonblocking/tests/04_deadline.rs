//! Step 3: `read_with_deadline` (`src/deadline.rs`), a blocking read that
//! never waits past a deadline. Run with `cargo test --test 04_deadline`.
//!
//! Each test builds a connected pair on loopback and plays the peer by hand:
//! it writes, half-closes, resets, or stays silent. The test waits for the
//! kernel with `poll` (never a sleep), so timing cannot make a test pass.

mod common;

use std::io::{ErrorKind, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use common::{pair, reset, wait_readable};
use nonblocking::{read_with_deadline, ReadOutcome};
use testkit::{deadline::DEFAULT, expect, within};

/// A deadline far enough away that reaching it means the function waited for
/// nothing.
const FAR: Duration = Duration::from_secs(2);

/// More than this, for something that should take microseconds, means the
/// function waited when it should not have.
const PROMPT: Duration = Duration::from_secs(1);

// ---- read_with_deadline: waits, but not past the deadline -------------------

#[test]
fn read_with_deadline_returns_data_without_waiting_for_the_deadline() {
    within(DEFAULT, "read_with_deadline with bytes waiting", || {
        let (mut client, mut server) = pair();
        client.write_all(b"ping").unwrap();
        let mut buf = [0u8; 64];
        let start = Instant::now();
        let got = expect::ok(
            "read_with_deadline with 4 bytes on the way",
            read_with_deadline(&mut server, &mut buf, start + FAR),
            "bytes arrived: return them",
        );
        let took = start.elapsed();
        expect::eq(
            "read_with_deadline with 4 bytes on the way",
            &got,
            &ReadOutcome::Data(4),
            "return Data(n) as soon as a read returns bytes",
        );
        expect::eq("the bytes read", &buf[..4], b"ping", "read into the buffer");
        expect::that(
            took < PROMPT,
            "read_with_deadline returns as soon as bytes arrive",
            took,
            "do not sleep until the deadline; let a read with a timeout do the waiting",
        );
    });
}

#[test]
fn read_with_deadline_gives_not_yet_when_the_deadline_passes() {
    within(DEFAULT, "read_with_deadline on a silent socket", || {
        let (_client, mut server) = pair();
        let mut buf = [0u8; 64];
        let wait = Duration::from_millis(50);
        let start = Instant::now();
        let got = expect::ok(
            "read_with_deadline on a socket that stays silent for 50 ms",
            read_with_deadline(&mut server, &mut buf, start + wait),
            "a timeout (WouldBlock on Unix, TimedOut on Windows) is 'not yet', not an error",
        );
        let took = start.elapsed();
        expect::eq(
            "read_with_deadline on a socket that stays silent for 50 ms",
            &got,
            &ReadOutcome::NotYet,
            "when the deadline passes with nothing read, answer NotYet",
        );
        expect::that(
            took >= wait,
            "read_with_deadline waits until the deadline before it says NotYet",
            took,
            "set the read timeout to the time left, and check the clock again after a timeout",
        );
        expect::that(
            took < wait + PROMPT,
            "read_with_deadline gives up soon after the deadline",
            took,
            "the timeout must be what is left until the deadline, not a fixed or longer one",
        );
    });
}

#[test]
fn read_with_deadline_reports_end_of_file_at_once() {
    within(
        DEFAULT,
        "read_with_deadline after the peer half-closed",
        || {
            let (client, mut server) = pair();
            client.shutdown(Shutdown::Write).unwrap();
            let mut buf = [0u8; 64];
            let start = Instant::now();
            let got = expect::ok(
                "read_with_deadline after the peer's FIN",
                read_with_deadline(&mut server, &mut buf, start + FAR),
                "end-of-file is not an error",
            );
            expect::eq(
                "read_with_deadline after the peer's FIN",
                &got,
                &ReadOutcome::Eof,
                "read() returning 0 is end-of-file",
            );
            expect::that(
                start.elapsed() < PROMPT,
                "end-of-file is reported without waiting for the deadline",
                start.elapsed(),
                "return as soon as the read returns",
            );
        },
    );
}

#[test]
fn read_with_deadline_reports_a_reset_as_an_error() {
    within(DEFAULT, "read_with_deadline after the peer reset", || {
        let (client, mut server) = pair();
        reset(client);
        let mut buf = [0u8; 64];
        let start = Instant::now();
        let err = expect::err(
            "read_with_deadline after the peer reset the connection",
            read_with_deadline(&mut server, &mut buf, start + FAR),
            "only a timeout means 'not yet'; a reset is a real error: return it",
        );
        expect::eq(
            "the kind of error after a reset",
            &err.kind(),
            &ErrorKind::ConnectionReset,
            "return the read's own error, unchanged",
        );
        expect::that(
            start.elapsed() < PROMPT,
            "a reset is reported without waiting for the deadline",
            start.elapsed(),
            "return the error as soon as the read fails",
        );
    });
}

#[test]
fn a_deadline_already_past_gives_not_yet_and_leaves_the_bytes() {
    within(DEFAULT, "read_with_deadline with a past deadline", || {
        let (mut client, mut server) = pair();
        client.write_all(b"kept").unwrap();
        wait_readable(&server);
        let mut buf = [0u8; 64];
        let got = expect::ok(
            "read_with_deadline with a deadline that has passed",
            read_with_deadline(&mut server, &mut buf, Instant::now()),
            "no time left is not an error; note that set_read_timeout(Some(ZERO)) is \
             refused (InvalidInput): check the time left before setting it",
        );
        expect::eq(
            "read_with_deadline with a deadline that has passed",
            &got,
            &ReadOutcome::NotYet,
            "with no time left, answer NotYet without reading",
        );
        let later = expect::ok(
            "the next read_with_deadline, with time to spare",
            read_with_deadline(&mut server, &mut buf, Instant::now() + FAR),
            "the bytes are still there",
        );
        expect::eq(
            "the next read_with_deadline, with time to spare",
            &(later, &buf[..4]),
            &(ReadOutcome::Data(4), &b"kept"[..]),
            "a read with no time left must not consume the waiting bytes",
        );
    });
}

#[test]
fn read_with_deadline_puts_back_the_callers_read_timeout() {
    within(
        DEFAULT,
        "read_with_deadline and the stream's read timeout",
        || {
            let (mut client, mut server) = pair();
            let mut buf = [0u8; 64];
            for callers in [None, Some(Duration::from_secs(7))] {
                server.set_read_timeout(callers).unwrap();
                let soon = Instant::now() + Duration::from_millis(20);
                let _ = read_with_deadline(&mut server, &mut buf, soon);
                expect::eq(
                    "the stream's read timeout after a read_with_deadline that timed out",
                    &server.read_timeout().unwrap(),
                    &callers,
                    "save stream.read_timeout() first, and set it back before returning",
                );
                client.write_all(b"x").unwrap();
                let _ = read_with_deadline(&mut server, &mut buf, Instant::now() + FAR);
                expect::eq(
                    "the stream's read timeout after a read_with_deadline that read bytes",
                    &server.read_timeout().unwrap(),
                    &callers,
                    "put the timeout back on every path out of the function, not only one",
                );
            }
        },
    );
}

#[test]
fn read_with_deadline_puts_back_the_callers_read_timeout_after_an_error() {
    within(
        DEFAULT,
        "read_with_deadline's read timeout after a reset",
        || {
            let (client, mut server) = pair();
            let callers = Some(Duration::from_secs(7));
            server.set_read_timeout(callers).unwrap();
            reset(client);
            let mut buf = [0u8; 64];
            let got = read_with_deadline(&mut server, &mut buf, Instant::now() + FAR);
            expect::that(
                got.is_err(),
                "read_with_deadline after the peer reset the connection returns an error",
                format!("{got:?}"),
                "a reset is a real error: return it",
            );
            expect::eq(
                "the stream's read timeout after a read_with_deadline that failed",
                &server.read_timeout().unwrap(),
                &callers,
                "put the timeout back on the error path too: a `?` inside the reading \
                 loop skips the restore; run the loop in a helper, restore, then return \
                 the helper's result",
            );
        },
    );
}

#[test]
fn read_with_deadline_refuses_an_empty_buffer() {
    within(DEFAULT, "read_with_deadline with an empty buffer", || {
        let (_client, mut server) = pair();
        let err = expect::err(
            "read_with_deadline into an empty buffer",
            read_with_deadline(&mut server, &mut [], Instant::now() + FAR),
            "a read into 0 bytes returns Ok(0), which would pass for end-of-file; refuse it",
        );
        expect::eq(
            "the kind of error for an empty buffer",
            &err.kind(),
            &ErrorKind::InvalidInput,
            "use ErrorKind::InvalidInput",
        );
    });
}
