//! Step 1: one connection (`src/connection.rs`), tested without a server and
//! without epoll. Run with `cargo test --test 01_connection` (Linux only:
//! elsewhere this file compiles to nothing).
//!
//! Each test wraps the server end of a connected loopback pair in a
//! `Connection` and calls `pump` by hand, as the event loop does for every
//! event. Calling it when epoll would not have reported anything is harmless
//! by contract (reads and writes that find nothing to do get `WouldBlock`).
//! What the tests cannot get from repeated calls is a second chance: where an
//! edge-triggered loop would call `pump` once, so do they.
#![cfg(target_os = "linux")]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use epoll_echo::{Connection, Next, MAX_PENDING, READ_CHUNK};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
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

/// `pump`, which must not fail here.
#[track_caller]
fn pump(connection: &mut Connection) -> Next {
    expect::ok(
        "Connection::pump",
        connection.pump(),
        "WouldBlock and Interrupted are not errors, and neither is a read of 0",
    )
}

/// Waits until the client's FIN has reached `stream` (poll's `POLLRDHUP`):
/// from then on, a read past the bytes before it returns 0.
#[track_caller]
fn wait_for_fin(stream: &TcpStream) {
    // nix has no name for POLLRDHUP (Linux only): its bit, from libc.
    let rdhup = PollFlags::from_bits_retain(nix::libc::POLLRDHUP);
    let mut fds = [PollFd::new(stream.as_fd(), rdhup)];
    match poll(&mut fds, PollTimeout::from(3000u16)) {
        Ok(1..) => {}
        other => panic!("the test's FIN did not arrive within 3 s: {other:?}"),
    }
}

/// Calls `pump` as events would come, while a non-blocking `client` sends
/// `payload` (from byte `sent` on), half-closes (unless `half_closed` says it
/// has), and reads everything back. Returns the bytes the client read, once
/// `pump` said `Close` and the connection was dropped.
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
    let mut last = Next::Wait;
    while last != Next::Close {
        if Instant::now() > until {
            panic!(
                "after {} s: the client sent {sent} of {} bytes{}, {} came back, and \
                 pump still says {last:?}\n  hint: flush writes from the front of the \
                 outbox until WouldBlock and removes what write() took; fill reads \
                 until WouldBlock, end-of-file or a full outbox; pump says Close once \
                 the client half-closed and the outbox is empty",
                DRIVE_WAIT.as_secs(),
                payload.len(),
                if half_closed { " and half-closed" } else { "" },
                echo.len(),
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
        // The server: an event came (or might have).
        last = pump(&mut connection);
    }
    // Close: the loop drops it, which closes it. The rest is in the kernel.
    drop(connection);
    client.set_nonblocking(false).unwrap();
    let mut rest = Vec::new();
    expect::ok(
        "reading the rest of the echo, then end-of-file",
        client.read_to_end(&mut rest),
        "pump may say Close only when everything has been written",
    );
    echo.extend_from_slice(&rest);
    echo
}

#[test]
fn pump_echoes_what_arrived_and_waits() {
    within(DEFAULT, "one pump and its echo", || {
        let (mut client, mut connection) = connection(false);
        client.write_all(b"hello\n").unwrap();
        wait_unread(connection.stream(), 6);
        let next = pump(&mut connection);
        let echo = read_exactly(
            &mut client,
            6,
            "the echo of one pump",
            "pump reads, then flushes what it read in the same call",
        );
        expect::eq(
            "the echo",
            echo.escape_ascii().to_string().as_str(),
            "hello\\n",
            "write back exactly the bytes read",
        );
        expect::eq(
            "what pump says after echoing everything",
            &next,
            &Next::Wait,
            "everything was read and written up to WouldBlock: wait for the next event",
        );
    });
}

#[test]
fn one_pump_reads_until_would_block() {
    within(DEFAULT, "one pump with three chunks waiting", || {
        let (mut client, mut connection) = connection(false);
        let sent = 3 * READ_CHUNK;
        client.write_all(&pattern(sent)).unwrap();
        wait_unread(connection.stream(), sent);
        pump(&mut connection);
        expect::eq(
            "bytes left unread in the socket after one pump, of 3 × READ_CHUNK",
            &unread(connection.stream()),
            &0,
            "read in a loop until WouldBlock (or 0, or a full outbox): with EPOLLET, \
             the bytes already there when the event came are never announced again",
        );
    });
}

#[test]
fn end_of_file_with_the_echo_sent_says_close() {
    within(DEFAULT, "a client that half-closes", || {
        let (mut client, mut connection) = connection(false);
        client.write_all(b"last words").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        wait_for_fin(connection.stream());
        let next = pump(&mut connection);
        expect::eq(
            "what one pump says after reading the last bytes, end-of-file, and echoing",
            &next,
            &Next::Close,
            "a read of 0 means the client sends no more; with the outbox empty, the \
             connection is finished: Close",
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
fn a_half_closed_client_is_not_closed_while_its_outbox_holds_bytes() {
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
            loop {
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
                let everything_read = sent == payload.len() && unread(connection.stream()) == 0;
                let next = pump(&mut connection);
                expect::that(
                    next != Next::Close,
                    "pump, while the client (which reads nothing) is still owed part of \
                 its echo",
                    next,
                    "the client half-closed, but it is still owed bytes: Close only once \
                 the outbox is empty too",
                );
                if everything_read || Instant::now() > until {
                    break;
                }
            }
            let echo = echo_through(&mut client, connection, &payload, sent, true);
            expect::that(
                echo == payload,
                "the whole echo, then end-of-file",
                first_difference(&echo, &payload),
                "finish sending the outbox before saying Close",
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
        // Until the client can send no more and pump leaves bytes in the socket:
        // the server has stopped reading.
        loop {
            expect::that(
                sent <= bound && Instant::now() < until,
                &format!(
                    "pump should stop reading a client that reads nothing before the \
                     client has sent {bound} bytes (the kernel buffers, plus \
                     MAX_PENDING, plus slack)"
                ),
                format!("{sent} bytes sent, and pump still reads them all"),
                "stop reading when the outbox holds MAX_PENDING bytes: the rest then \
                 waits in the kernel, and TCP makes the client wait (backpressure). \
                 Without a cap, one client that never reads makes the server keep \
                 everything it sends",
            );
            let took = match client.write(&payload[sent..]) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => 0,
                Err(e) => panic!("the client could not send: {e}"),
            };
            sent += took;
            let next = pump(&mut connection);
            if took == 0 && unread(connection.stream()) > 0 {
                expect::eq(
                    "what pump says when reading stopped at a full outbox that the \
                     socket would not take",
                    &next,
                    &Next::Wait,
                    "the outbox is still full: an EPOLLOUT edge will come when the \
                     client reads, so wait for it",
                );
                break;
            }
        }
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
        let got = connection.pump();
        expect::that(
            got.is_err(),
            "pump after the client reset the connection",
            got.map_err(|e| e.kind()),
            "return a read or write error other than WouldBlock and Interrupted: the \
             loop then closes this connection and serves the others. Taking it for \
             end-of-file would hide what happened",
        );
    });
}

#[test]
fn reading_stopped_at_a_full_outbox_that_then_emptied_says_rearm() {
    within(
        DEFAULT,
        "one pump with more than MAX_PENDING waiting",
        || {
            let (mut client, mut connection) = connection(false);
            // More than the outbox holds, all of it in the server's socket before
            // the one event that announces it.
            let sent = MAX_PENDING + READ_CHUNK;
            client.write_all(&pattern(sent)).unwrap();
            wait_unread(connection.stream(), sent);
            let next = pump(&mut connection);
            expect::eq(
                "what pump says after it stopped reading at MAX_PENDING and then sent part \
             of the outbox",
                &next,
                &Next::Rearm,
                "bytes were left in the socket when the outbox filled, and the flush after \
             made room: no new edge will announce those bytes, so say Rearm (the loop \
             asks epoll to look again)",
            );
            expect::that(
                unread(connection.stream()) > 0,
                "bytes still unread in the socket after that pump",
                unread(connection.stream()),
                "stop reading at MAX_PENDING bytes in the outbox",
            );
            // Once the client reads, everything comes back.
            let echo = echo_through(&mut client, connection, &pattern(sent), sent, false);
            expect::that(
                echo == pattern(sent),
                "every byte sent comes back, in order",
                first_difference(&echo, &pattern(sent)),
                "the bytes left in the socket are read on the next pump",
            );
        },
    );
}

#[test]
fn a_write_error_is_an_error_of_this_connection() {
    within(
        DEFAULT,
        "a client that resets while it is owed bytes",
        || {
            let (mut client, mut connection) = connection(true);
            // Send without reading until the server's outbox is full and bytes
            // wait unread in its socket: from then on pump reads nothing.
            client.set_nonblocking(true).unwrap();
            let chunk = pattern(64 << 10);
            let until = Instant::now() + DRIVE_WAIT;
            loop {
                expect::that(
                    Instant::now() < until,
                    "pump stops reading a client that reads nothing",
                    "it still reads everything",
                    "stop reading when the outbox holds MAX_PENDING bytes",
                );
                let took = match client.write(&chunk) {
                    Ok(n) => n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => 0,
                    Err(e) => panic!("the client could not send: {e}"),
                };
                pump(&mut connection);
                if took == 0 && unread(connection.stream()) > 0 {
                    break;
                }
            }
            reset(client);
            // The reset arrives in a moment; from then on, writing to it fails.
            let until = Instant::now() + DRIVE_WAIT;
            loop {
                match connection.pump() {
                    Err(_) => break,
                    Ok(next) => expect::that(
                        Instant::now() < until,
                        "pump, with a full outbox, for a client that reset the connection",
                        format!("Ok({next:?}) for {} s", DRIVE_WAIT.as_secs()),
                        "only WouldBlock means \"not now\" (and Interrupted \"again\"): \
                         return any other write error, so that the loop closes this \
                         connection",
                    ),
                }
            }
        },
    );
}
