//! Step 1: one connection (`src/connection.rs`), tested without a server and
//! without `poll`. Run with `cargo test --test 01_connection`.
//!
//! Each test wraps the server end of a connected loopback pair in a
//! `Connection` and drives it by hand, the way the event loop will: ask what it
//! wants, call `on_readable` / `on_writable`. Calling them when `poll` would
//! not have reported the socket is harmless by contract (a read or write that
//! finds nothing to do gets `WouldBlock`), so the tests need no `poll`.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use poll_echo::{Connection, MAX_PENDING, READ_CHUNK};
use testkit::echo::{first_difference, pattern, read_exactly};
use testkit::net::{pair, pair_with_small_buffers, reset, unread, wait_readable, wait_unread};
use testkit::{deadline::DEFAULT, expect, within};

/// How long a test drives one connection before it gives up and says how far
/// the bytes got. Loopback moves a megabyte in milliseconds.
const DRIVE_WAIT: Duration = Duration::from_secs(3);

/// The client end, and a `Connection` around the non-blocking server end.
/// With `small`, every kernel buffer on the way is small (see
/// `testkit::net::pair_with_small_buffers`), so that they fill quickly.
fn connection(small: bool) -> (TcpStream, Connection) {
    let (client, server) = if small {
        pair_with_small_buffers()
    } else {
        pair()
    };
    server.set_nonblocking(true).unwrap();
    let peer = server.peer_addr().unwrap();
    (client, Connection::new(server, peer))
}

/// Drives `connection` as poll would, while a non-blocking `client` sends
/// `payload` (from byte `sent` on), half-closes (unless `half_closed` says it
/// has), and reads everything back. Returns the bytes the client read, once the
/// connection is done and dropped.
#[track_caller]
fn echo_through(
    client: &mut TcpStream,
    mut connection: Connection,
    payload: &[u8],
    mut sent: usize,
    mut half_closed: bool,
) -> Vec<u8> {
    client.set_nonblocking(true).unwrap();
    let mut echo = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let until = Instant::now() + DRIVE_WAIT;
    while !connection.is_done() {
        if Instant::now() > until {
            panic!(
                "after {} s: the client sent {sent} of {} bytes{}, {} came back; \
                 wants_read() = {}, wants_write() = {}, is_done() = false\n  \
                 hint: on_writable writes from the front of the outbox until WouldBlock \
                 and removes what write() took; on_readable reads when there is room; a \
                 read of 0 marks the end, and the connection is done once the outbox \
                 is empty too",
                DRIVE_WAIT.as_secs(),
                payload.len(),
                if half_closed { " and half-closed" } else { "" },
                echo.len(),
                connection.wants_read(),
                connection.wants_write(),
            );
        }
        // The client: send what its socket takes, then half-close; read what came.
        if sent < payload.len() {
            match client.write(&payload[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => panic!("the client could not send: {e}"),
            }
        } else if !half_closed {
            client.shutdown(Shutdown::Write).unwrap();
            half_closed = true;
        }
        match client.read(&mut buf) {
            Ok(n) => echo.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("the client could not read its echo: {e}"),
        }
        // The server: what the loop does with what poll reports.
        if connection.wants_read() {
            expect::ok(
                "on_readable",
                connection.on_readable(),
                "only a real error is one",
            );
        }
        if connection.wants_write() {
            expect::ok(
                "on_writable",
                connection.on_writable(),
                "only a real error is one",
            );
        }
    }
    // Done: the loop drops it, which closes it. The rest is in the kernel.
    drop(connection);
    client.set_nonblocking(false).unwrap();
    let mut rest = Vec::new();
    expect::ok(
        "reading the rest of the echo, then end-of-file",
        client.read_to_end(&mut rest),
        "is_done() may be true only when everything has been written",
    );
    echo.extend_from_slice(&rest);
    echo
}

#[test]
fn a_new_connection_wants_to_read_and_nothing_else() {
    within(DEFAULT, "a new connection's wants", || {
        let (_client, connection) = connection(false);
        expect::eq(
            "wants_read() of a new connection",
            &connection.wants_read(),
            &true,
            "its outbox is empty and the client has not half-closed: watch it for reading",
        );
        expect::eq(
            "wants_write() of a new connection",
            &connection.wants_write(),
            &false,
            "nothing to write: an idle socket is always writable, so watching it would \
             make every poll return at once",
        );
        expect::eq(
            "is_done() of a new connection",
            &connection.is_done(),
            &false,
            "done means: the client half-closed AND the outbox is empty",
        );
    });
}

#[test]
fn on_readable_echoes_what_arrived_at_once() {
    within(DEFAULT, "one read and its echo", || {
        let (mut client, mut connection) = connection(false);
        client.write_all(b"hello\n").unwrap();
        wait_unread(connection.stream(), 6);
        expect::ok(
            "on_readable with 6 bytes waiting",
            connection.on_readable(),
            "a read that returns bytes is no error; WouldBlock is none either",
        );
        let echo = read_exactly(
            &mut client,
            6,
            "the echo of on_readable",
            "on_readable queues what it read in the outbox, then calls on_writable to \
             send it in the same call",
        );
        expect::eq(
            "the echo",
            echo.escape_ascii().to_string().as_str(),
            "hello\\n",
            "write back exactly the bytes read",
        );
        expect::eq(
            "wants_write() once the echo went out",
            &connection.wants_write(),
            &false,
            "remove from the outbox what write() took: an empty outbox wants no writing",
        );
        expect::ok(
            "on_writable with an empty outbox",
            connection.on_writable(),
            "with nothing to write, on_writable does nothing",
        );
    });
}

#[test]
fn on_readable_reads_once_and_at_most_read_chunk() {
    within(DEFAULT, "one on_readable with three chunks waiting", || {
        let (mut client, mut connection) = connection(false);
        let sent = 3 * READ_CHUNK;
        client.write_all(&pattern(sent)).unwrap();
        wait_unread(connection.stream(), sent);
        expect::ok("on_readable", connection.on_readable(), "no error here");
        expect::eq(
            "bytes left unread in the socket after one on_readable, of 3 × READ_CHUNK",
            &unread(connection.stream()),
            &(sent - READ_CHUNK),
            "read once per call, into a buffer of READ_CHUNK bytes: poll is \
             level-triggered, so it reports the rest on the next turn, and a client that \
             sends a lot gets READ_CHUNK per turn like everyone else",
        );
    });
}

#[test]
fn end_of_file_stops_reading_and_the_echo_is_finished_first() {
    within(DEFAULT, "a client that half-closes", || {
        let (mut client, mut connection) = connection(false);
        client.write_all(b"last words").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        // The bytes first, then end-of-file: two reads, maybe a WouldBlock between.
        for _ in 0..10 {
            if !connection.wants_read() {
                break;
            }
            wait_readable(connection.stream());
            expect::ok(
                "on_readable",
                connection.on_readable(),
                "a read of 0 is end-of-file, not an error",
            );
        }
        expect::eq(
            "wants_read() after the client half-closed",
            &connection.wants_read(),
            &false,
            "a read that returns 0 means the client will send no more: remember it, \
             and stop asking to read",
        );
        expect::eq(
            "is_done() after end-of-file, with the echo sent",
            &connection.is_done(),
            &true,
            "done: the client half-closed and the outbox is empty",
        );
        let echo = read_exactly(&mut client, 10, "the echo before the end", "unused");
        expect::eq(
            "the echo",
            echo.escape_ascii().to_string().as_str(),
            "last words",
            "echo what came before end-of-file",
        );
    });
}

#[test]
fn a_half_closed_client_is_not_done_while_its_outbox_holds_bytes() {
    within(
        DEFAULT,
        "a client that sends, half-closes, and reads later",
        || {
            let (mut client, mut connection) = connection(true);
            // More than the small kernel buffers on the way back can hold, less
            // than those buffers and the outbox together: the server reads it all
            // and its end-of-file, and some of the echo must wait in the outbox.
            let payload = pattern(72 << 10);
            client.set_nonblocking(true).unwrap();
            let mut sent = 0;
            let until = Instant::now() + DRIVE_WAIT;
            while connection.wants_read() && Instant::now() < until {
                if sent < payload.len() {
                    match client.write(&payload[sent..]) {
                        Ok(n) => sent += n,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                        Err(e) => panic!("the client could not send: {e}"),
                    }
                    if sent == payload.len() {
                        client.shutdown(Shutdown::Write).unwrap();
                    }
                }
                expect::ok(
                    "on_readable",
                    connection.on_readable(),
                    "only a real error is one",
                );
            }
            expect::eq(
                "wants_read() once the client sent 72 KiB and half-closed, reading nothing",
                &connection.wants_read(),
                &false,
                "a read of 0 means the client sends no more: stop wanting to read",
            );
            expect::eq(
                "is_done() while the outbox still holds part of the echo",
                &connection.is_done(),
                &false,
                "the client half-closed, but it is still owed bytes: done means end-of-file \
             AND an empty outbox",
            );
            let echo = echo_through(&mut client, connection, &payload, sent, true);
            expect::that(
                echo == payload,
                "the whole echo, then end-of-file",
                first_difference(&echo, &payload),
                "finish sending the outbox before the connection counts as done",
            );
        },
    );
}

#[test]
fn a_megabyte_comes_back_whole_through_full_sockets() {
    within(DEFAULT, "1 MiB through small buffers", || {
        let (mut client, connection) = connection(true);
        let payload = pattern(1 << 20);
        let echo = echo_through(&mut client, connection, &payload, 0, false);
        expect::that(
            echo == payload,
            "the echo of 1 MiB, through buffers that fill up, should be the bytes sent, \
             in order",
            first_difference(&echo, &payload),
            "a write to a full socket takes part of the bytes or none (WouldBlock): \
             remove from the front of the outbox exactly what write() took, keep the \
             rest in order",
        );
    });
}

#[test]
fn a_client_that_does_not_read_is_stopped_at_max_pending() {
    within(DEFAULT, "a client that sends and never reads", || {
        let (mut client, mut connection) = connection(true);
        // What the four small kernel buffers on the way can hold (Linux doubles
        // the 16 KiB asked for each), the outbox, and slack.
        let bound = 4 * (32 << 10) + MAX_PENDING + READ_CHUNK + (128 << 10);
        let payload = pattern(2 * bound);
        client.set_nonblocking(true).unwrap();
        let mut sent = 0;
        let until = Instant::now() + DRIVE_WAIT;
        while connection.wants_read() {
            expect::that(
                sent <= bound && Instant::now() < until,
                &format!(
                    "a connection whose client reads nothing should stop wanting to read \
                     before the client has sent {bound} bytes (the kernel buffers, plus \
                     MAX_PENDING, plus slack)"
                ),
                format!(
                    "{sent} bytes sent{}, and wants_read() is still true",
                    if sent <= bound {
                        " and no more taken"
                    } else {
                        ""
                    }
                ),
                "wants_read() is false while the outbox holds MAX_PENDING bytes: the \
                 rest then waits in the kernel, and TCP makes the client wait \
                 (backpressure). Without a cap, one client that never reads makes the \
                 server keep everything it sends",
            );
            match client.write(&payload[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => panic!("the client could not send: {e}"),
            }
            expect::ok(
                "on_readable",
                connection.on_readable(),
                "only a real error is one",
            );
        }
        expect::eq(
            "is_done() of a paused connection with a full outbox",
            &connection.is_done(),
            &false,
            "done needs an empty outbox and end-of-file; this one has neither",
        );
        expect::eq(
            "wants_write() with a full outbox",
            &connection.wants_write(),
            &true,
            "bytes in the outbox: watch the socket for writing",
        );
        // Now the client reads: everything it sent comes back, in order.
        let echo = echo_through(&mut client, connection, &payload, sent, false);
        expect::that(
            echo == payload,
            "after the pause, every byte the client sent should come back, in order",
            first_difference(&echo, &payload),
            "pausing must lose nothing: the bytes wait in the kernel until there is \
             room again",
        );
    });
}

#[test]
fn a_reset_is_an_error_of_this_connection() {
    within(DEFAULT, "a client that resets the connection", || {
        let (client, mut connection) = connection(false);
        reset(client);
        wait_readable(connection.stream());
        let got = connection.on_readable();
        expect::that(
            got.is_err(),
            "on_readable after the client reset the connection",
            got.map_err(|e| e.kind()),
            "return a read error other than WouldBlock and Interrupted: the loop then \
             drops this connection and serves the others. Taking it for end-of-file \
             would keep a dead connection",
        );
    });
}

#[test]
fn on_readable_with_nothing_to_read_is_not_an_error() {
    within(
        DEFAULT,
        "on_readable on a socket with nothing in it",
        || {
            let (_client, mut connection) = connection(false);
            expect::ok(
                "on_readable with no byte waiting",
                connection.on_readable(),
                "a read that finds nothing fails with WouldBlock: readiness is a hint, not \
             a promise, so that is \"not now\", not an error (and Interrupted is not \
             one either)",
            );
            expect::eq(
                "wants_read() after a read that found nothing",
                &connection.wants_read(),
                &true,
                "nothing happened: the connection still wants to read",
            );
        },
    );
}

/// Sends from a non-blocking `client` that reads nothing, calling `on_readable`
/// as the loop would, until the connection stops wanting to read (its outbox
/// is full). Returns how many bytes the client sent.
fn fill_the_outbox(client: &mut TcpStream, connection: &mut Connection) -> usize {
    client.set_nonblocking(true).unwrap();
    let chunk = pattern(64 << 10);
    let mut sent = 0;
    let until = Instant::now() + DRIVE_WAIT;
    while connection.wants_read() {
        expect::that(
            Instant::now() < until,
            "a connection whose client reads nothing stops wanting to read",
            format!("{sent} bytes sent, and wants_read() is still true"),
            "wants_read() is false while the outbox holds MAX_PENDING bytes",
        );
        match client.write(&chunk[sent % chunk.len()..]) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("the client could not send: {e}"),
        }
        expect::ok(
            "on_readable",
            connection.on_readable(),
            "only a real error is one",
        );
    }
    sent
}

#[test]
fn on_readable_with_a_full_outbox_takes_nothing_for_end_of_file() {
    within(DEFAULT, "on_readable while the outbox is full", || {
        let (mut client, mut connection) = connection(true);
        let sent = fill_the_outbox(&mut client, &mut connection);
        // The loop would not ask now; a stray call must change nothing.
        for _ in 0..3 {
            expect::ok(
                "on_readable with a full outbox",
                connection.on_readable(),
                "with no room, skip the read: there is nothing to do",
            );
        }
        expect::eq(
            "is_done() after on_readable with a full outbox and no end-of-file",
            &connection.is_done(),
            &false,
            "with no room left, do not read at all: a read into an empty buffer returns \
             0, which looks like end-of-file but is not one",
        );
        let payload: Vec<u8> = pattern(64 << 10)
            .iter()
            .copied()
            .cycle()
            .take(sent)
            .collect();
        let echo = echo_through(&mut client, connection, &payload, sent, false);
        expect::that(
            echo == payload,
            "every byte the client sent comes back, in order",
            first_difference(&echo, &payload),
            "a read of 0 bytes into an empty buffer is not end-of-file: skip the read \
             when the outbox is full",
        );
    });
}

#[test]
fn a_write_error_is_an_error_of_this_connection() {
    within(
        DEFAULT,
        "a client that resets while it is owed bytes",
        || {
            let (mut client, mut connection) = connection(true);
            fill_the_outbox(&mut client, &mut connection);
            reset(client);
            // The reset arrives in a moment; from then on, writing to it fails.
            let until = Instant::now() + DRIVE_WAIT;
            loop {
                match connection.on_writable() {
                    Err(_) => break,
                    Ok(()) => expect::that(
                        Instant::now() < until,
                        "on_writable, to a client that reset the connection, with bytes in \
                     the outbox",
                        format!("Ok(()) for {} s", DRIVE_WAIT.as_secs()),
                        "only WouldBlock means \"not now\" (and Interrupted \"again\"): \
                     return any other write error, so that the loop drops this \
                     connection",
                    ),
                }
            }
        },
    );
}
