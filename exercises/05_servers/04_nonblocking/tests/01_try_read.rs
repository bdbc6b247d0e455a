//! Step 1: `try_read` (`src/read.rs`), one attempt on a non-blocking stream.
//! Run with `cargo test --test 01_try_read`.
//!
//! Each test builds a connected pair on loopback and plays the peer by hand:
//! it writes, half-closes, resets, or stays silent. The test waits for the
//! kernel with `poll` (never a sleep), so timing cannot make a test pass.

mod common;

use std::io::{ErrorKind, Write};
use std::net::Shutdown;

use common::{nonblocking_pair, reset, wait_readable};
use nonblocking::{try_read, ReadOutcome};
use testkit::{deadline::DEFAULT, expect, within};

// ---- try_read: one attempt, never waits ---------------------------------

#[test]
fn try_read_on_an_idle_socket_says_not_yet() {
    within(DEFAULT, "try_read on a socket with nothing to read", || {
        let (_client, mut server) = nonblocking_pair();
        let mut buf = [0u8; 64];
        let got = expect::ok(
            "try_read on a socket where nothing has arrived",
            try_read(&mut server, &mut buf),
            "WouldBlock (EAGAIN) means 'nothing yet': answer Ok(ReadOutcome::NotYet), not Err",
        );
        expect::eq(
            "try_read on a socket where nothing has arrived",
            &got,
            &ReadOutcome::NotYet,
            "nothing to read is not end-of-file: Eof is only for read() returning 0",
        );
    });
}

#[test]
fn try_read_returns_what_has_arrived_then_not_yet() {
    within(DEFAULT, "try_read after the peer wrote", || {
        let (mut client, mut server) = nonblocking_pair();
        client.write_all(b"hello").unwrap();
        wait_readable(&server);
        let mut buf = [0u8; 64];
        let got = expect::ok(
            "try_read with 5 bytes waiting",
            try_read(&mut server, &mut buf),
            "bytes are waiting: read them",
        );
        expect::eq(
            "try_read with 5 bytes waiting",
            &got,
            &ReadOutcome::Data(5),
            "return Data(n) with the count read returned",
        );
        expect::eq(
            "the bytes try_read put in the buffer",
            &buf[..5],
            b"hello",
            "read into the start of the buffer",
        );
        let again = expect::ok(
            "a second try_read, with nothing left",
            try_read(&mut server, &mut buf),
            "an empty receive buffer gives WouldBlock: that is Ok(NotYet)",
        );
        expect::eq(
            "a second try_read, with nothing left",
            &again,
            &ReadOutcome::NotYet,
            "everything was read; the connection is still open, so nothing is 'not yet'",
        );
    });
}

#[test]
fn try_read_fills_at_most_the_buffer() {
    within(DEFAULT, "try_read with a small buffer", || {
        let (mut client, mut server) = nonblocking_pair();
        client.write_all(b"0123456789").unwrap();
        wait_readable(&server);
        let mut buf = [0u8; 4];
        let mut pieces = Vec::new();
        for _ in 0..4 {
            match try_read(&mut server, &mut buf) {
                Ok(ReadOutcome::Data(n)) => pieces.push(String::from_utf8_lossy(&buf[..n]).into()),
                Ok(other) => {
                    pieces.push(format!("{other:?}"));
                    break;
                }
                Err(e) => panic!("try_read failed with 10 bytes waiting: {e}"),
            }
        }
        expect::eq(
            "reading 10 waiting bytes with a 4-byte buffer",
            &pieces,
            &vec![
                "0123".to_string(),
                "4567".to_string(),
                "89".to_string(),
                "NotYet".to_string(),
            ],
            "each read takes at most buf.len() bytes; the rest waits for the next read",
        );
    });
}

#[test]
fn try_read_reports_end_of_file_every_time() {
    within(DEFAULT, "try_read after the peer half-closed", || {
        let (client, mut server) = nonblocking_pair();
        client.shutdown(Shutdown::Write).unwrap();
        wait_readable(&server);
        let mut buf = [0u8; 64];
        for attempt in ["first", "second"] {
            let got = expect::ok(
                &format!("the {attempt} try_read after the peer's FIN"),
                try_read(&mut server, &mut buf),
                "end-of-file is not an error",
            );
            expect::eq(
                &format!("the {attempt} try_read after the peer's FIN"),
                &got,
                &ReadOutcome::Eof,
                "read() returning 0 is end-of-file: map Ok(0) to ReadOutcome::Eof",
            );
        }
    });
}

#[test]
fn try_read_reports_a_reset_as_an_error() {
    within(DEFAULT, "try_read after the peer reset", || {
        let (client, mut server) = nonblocking_pair();
        reset(client);
        wait_readable(&server);
        let mut buf = [0u8; 64];
        let err = expect::err(
            "try_read after the peer reset the connection",
            try_read(&mut server, &mut buf),
            "only WouldBlock means 'not yet'; a reset is a real error: return it",
        );
        expect::eq(
            "the kind of error after a reset",
            &err.kind(),
            &ErrorKind::ConnectionReset,
            "return the read's own error, unchanged",
        );
    });
}

#[test]
fn try_read_refuses_an_empty_buffer() {
    within(DEFAULT, "try_read with an empty buffer", || {
        let (_client, mut server) = nonblocking_pair();
        let err = expect::err(
            "try_read into an empty buffer",
            try_read(&mut server, &mut []),
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

/// A non-blocking read never waits, so no signal can interrupt it. On a
/// blocking stream `try_read` waits like any read, and there a signal can:
/// the contract says it tries again.
#[test]
#[cfg(target_os = "linux")]
fn try_read_tries_again_when_a_signal_interrupts_it() {
    within(DEFAULT, "try_read interrupted by a signal", || {
        let (mut client, mut server) = common::pair();
        let result = common::read_interrupted_once(move || {
            let mut buf = [0u8; 64];
            try_read(&mut server, &mut buf).map(|got| (got, buf))
        });
        // Gone already: the interrupted read was not tried again.
        if let Ok(returned) = result.try_recv() {
            let returned = returned.map(|(got, _)| got);
            expect::that(
                false,
                "try_read goes on waiting after a signal interrupted its read",
                returned,
                "a read that fails with Interrupted (EINTR: a signal arrived before any \
                 byte did) has done nothing: try again (a loop around the read)",
            );
        }
        client.write_all(b"after the signal").unwrap();
        let Ok(returned) = result.recv() else {
            panic!("try_read panicked (its message is above)");
        };
        let (got, buf) = expect::ok(
            "try_read after a signal, then bytes",
            returned,
            "Interrupted is not an error: read again",
        );
        expect::eq(
            "what try_read returned",
            &got,
            &ReadOutcome::Data(16),
            "the bytes that came",
        );
        expect::eq(
            "the bytes read",
            buf[..16].escape_ascii().to_string().as_str(),
            "after the signal",
            "the bytes that came",
        );
    });
}
