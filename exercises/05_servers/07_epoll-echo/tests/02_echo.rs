//! Step 2: the event loop (`src/server.rs`), over the wire. Run with
//! `cargo test --test 02_echo` (Linux only: elsewhere this file compiles to
//! nothing; step 1's `Connection` must pass first).
//!
//! Each test binds a `Server` on a free loopback port, runs it on a thread, talks
//! to it with plain sockets (the shared checks in `testkit::echo`), then stops it
//! and waits for `run` to return.
#![cfg(target_os = "linux")]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use epoll_echo::{Server, MAX_PENDING, READ_CHUNK};
use testkit::echo::first_difference;
use testkit::net::{connect, is_timeout, IO_TIMEOUT};
use testkit::server::{Hints, Running};
use testkit::{deadline, echo, expect, within};

/// Clients held open at once by the concurrency test: far more than threads a
/// small machine would like, no trouble at all for one epoll loop.
const CLIENTS: usize = 500;
/// Round trips each of those clients makes.
const ROUNDS: usize = 5;

/// What the harness says when `run` misbehaves. Promptness after a stop is
/// checked by `stop_ends_run_and_closes_every_connection` alone.
const HINTS: Hints = Hints {
    ended_early: "run loops until the eventfd's token comes up; an error of one client \
                  closes that client, never the server",
    stop_is_ok: "a stop is not an error: return Ok(()) when the eventfd's token comes up",
    stop_promptly: None,
};

/// Binds a `Server` on a free loopback port and runs it on a thread.
#[track_caller]
fn start() -> Running {
    let server = expect::ok(
        "Server::bind(\"127.0.0.1:0\")",
        Server::bind("127.0.0.1:0"),
        "bind a TcpListener, make it non-blocking, create the Epoll and the eventfd, \
         and register both",
    );
    let stopper = server.stopper();
    Running::start(
        "epoll server",
        server.local_addr(),
        HINTS,
        move || stopper.stop(),
        move || server.run(),
    )
}

/// `len` bytes whose values depend on their position, so a lost, doubled or
/// moved piece shows.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i ^ (i >> 9) ^ (i >> 17)) as u8).collect()
}

/// Reads exactly `len` bytes, each read bounded by the kit's timeout.
#[track_caller]
fn read_exactly(stream: &mut TcpStream, len: usize, what: &str) -> Vec<u8> {
    testkit::echo::read_exactly(
        stream,
        len,
        what,
        "on every event, read until WouldBlock (EPOLLET says nothing twice); keep \
         what the socket would not take in the connection's outbox for the next \
         EPOLLOUT edge; and if reading paused because the outbox was full, re-arm \
         (epoll_ctl MOD) once there is room again",
    )
}

/// The largest send and receive buffers TCP autotuning may grow to (the third
/// numbers of `net.ipv4.tcp_wmem` and `tcp_rmem`).
fn kernel_buffer_maxima() -> (usize, usize) {
    let max = |name: &str| -> usize {
        let path = format!("/proc/sys/net/ipv4/{name}");
        std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| text.split_whitespace().nth(2)?.parse().ok())
            .unwrap_or_else(|| panic!("could not read the third number of {path}"))
    };
    (max("tcp_wmem"), max("tcp_rmem"))
}

#[test]
fn holds_many_clients_at_once() {
    // Two descriptors per connection (the client's end lives in this process
    // too), plus headroom for the other tests running beside this one.
    testkit::limits::raise_fd_limit(2 * CLIENTS as u64 + 300);
    within(
        Duration::from_secs(30),
        "500 clients connected at once, 5 round trips each",
        || {
            let server = start();
            server.check(
                "all clients connect before any of them talks. Register every accepted \
                 socket with epoll, and accept until WouldBlock: an edge-triggered \
                 listener reports a crowd that arrived together only once",
                move |addr| echo::all_served_at_once(addr, CLIENTS, ROUNDS),
            );
            server.stop();
        },
    );
}

#[test]
fn a_silent_client_blocks_no_one() {
    within(deadline::DEFAULT, "a client beside a silent one", || {
        let server = start();
        server.check(
            "never read from a socket epoll has not reported, and never block: \
             every socket is non-blocking",
            move |addr| echo::silent_client_blocks_no_one(addr),
        );
        server.stop();
    });
}

#[test]
fn a_vanishing_client_crashes_nothing() {
    within(
        deadline::DEFAULT,
        "a client after one that vanished",
        || {
            let server = start();
            server.check(
                "a reset shows up as EPOLLERR/EPOLLHUP and as an error from read or write: \
             close that connection (epoll_ctl DEL, drop it) and go on",
                move |addr| echo::vanishing_client_crashes_nothing(addr),
            );
            server.stop();
        },
    );
}

/// Many messages in one write arrive as one edge: a server that reads once per
/// event keeps the rest in the socket for ever.
#[test]
fn a_burst_larger_than_one_read_comes_back_whole() {
    within(deadline::DEFAULT, "a burst sent in one write", || {
        let server = start();
        // At least 10 bytes each ("message 0\n"): over five READ_CHUNKs in all,
        // yet small enough to sit in the kernel's buffers if nobody reads.
        let messages = READ_CHUNK / 2;
        server.check(
            "with EPOLLET, one event may announce many reads' worth of bytes. Read \
             until WouldBlock every time, not once per event",
            move |addr| echo::burst(addr, messages),
        );
        server.stop();
    });
}

#[test]
fn a_slow_reader_stalls_no_one() {
    within(deadline::DEFAULT, "a client beside a slow reader", || {
        let server = start();
        server.check(
            "a socket that will not take more gives WouldBlock: keep the rest in that \
             connection's outbox and serve the others; EPOLLOUT says when to go on",
            move |addr| echo::slow_reader_stalls_no_one(addr, 8 << 20),
        );
        server.stop();
    });
}

#[test]
fn a_message_larger_than_the_socket_buffers_comes_back_intact() {
    within(deadline::DEFAULT, "the echo of 16 MiB", || {
        let server = start();
        server.check(
            "keep what the socket would not take in the outbox for the next EPOLLOUT \
             edge, and write from its front",
            |addr| {
                let payload = pattern(16 << 20);
                let mut client = connect(addr);
                // Write on another thread while this one reads: neither side may
                // wait for the other to finish.
                let writer = {
                    let mut client = client.try_clone().unwrap();
                    let payload = payload.clone();
                    thread::spawn(move || client.write_all(&payload))
                };
                let echo = read_exactly(&mut client, payload.len(), "the echo of 16 MiB");
                expect::ok(
                    "sending 16 MiB",
                    writer.join().unwrap(),
                    "the server must keep reading while its echoes are being taken",
                );
                expect::that(
                    echo == payload,
                    "the echo of 16 MiB should be the same 16 MiB, in order",
                    first_difference(&echo, &payload),
                    "write from the front of the outbox and remove only what write() took",
                );
            },
        );
        server.stop();
    });
}

/// Backpressure: a client that sends and never reads must end up waiting for
/// the server, not fill the server's memory. Then, once it reads, the server
/// must resume reading by itself: no new edge will tell it to.
#[test]
fn a_client_that_does_not_read_is_paused_then_resumed() {
    within(
        Duration::from_secs(15),
        "a client that writes without reading, then reads",
        || {
            let server = start();
            server.check(
                "stop reading a connection whose outbox is full, and once there is room \
                 again, read again by yourself (Next::Rearm, epoll_ctl MOD): no new \
                 edge announces the bytes already waiting",
                |addr| {
                    // What the two connections' kernel buffers can hold at most, plus the
                    // outbox, plus slack. A server with a capped outbox makes the client's
                    // writes block well before this.
                    let (wmem, rmem) = kernel_buffer_maxima();
                    let bound = 2 * (wmem + rmem) + MAX_PENDING + (4 << 20);
                    let mut client = connect(addr);
                    // Waiting is the observation here: a write that makes no progress for
                    // this long means the server has stopped reading.
                    client
                        .set_write_timeout(Some(Duration::from_millis(300)))
                        .unwrap();
                    let chunk = pattern(64 << 10);
                    let mut sent = 0usize;
                    loop {
                        match client.write(&chunk[sent % chunk.len()..]) {
                            Ok(n) => sent += n,
                            Err(e) if is_timeout(&e) => break,
                            Err(e) if e.kind() == ErrorKind::Interrupted => {}
                            Err(e) => {
                                panic!("writing to the server failed after {sent} bytes: {e}")
                            }
                        }
                        expect::that(
                            sent <= bound,
                            &format!(
                                "a client that reads nothing should be made to wait before it \
                                 has sent {bound} bytes (what the kernel buffers can hold, plus \
                                 MAX_PENDING)"
                            ),
                            format!("{sent} bytes taken, and the server still reads"),
                            "stop reading a connection whose outbox holds MAX_PENDING bytes: \
                             its bytes then wait in the kernel, and TCP makes the client wait",
                        );
                    }
                    client.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
                    client.shutdown(Shutdown::Write).unwrap();

                    let mut want = Vec::with_capacity(sent);
                    while want.len() < sent {
                        let take = (sent - want.len()).min(chunk.len());
                        want.extend_from_slice(&chunk[..take]);
                    }
                    let echo = read_exactly(&mut client, sent, "the echo of a paused client");
                    expect::that(
                        echo == want,
                        "every byte the paused client sent should come back, in order",
                        first_difference(&echo, &want),
                        "pausing must lose nothing: leave the bytes in the socket, not drop them",
                    );
                    let mut rest = Vec::new();
                    let end = client.read_to_end(&mut rest);
                    expect::that(
                        matches!(end, Ok(0)),
                        "after the last byte of the echo, end-of-file (the client half-closed)",
                        (end.map_err(|e| e.kind()), rest.len()),
                        "once the client half-closed and the outbox is empty, close the connection",
                    );
                },
            );
            server.stop();
        },
    );
}

#[test]
fn a_half_closed_client_gets_its_whole_echo_then_end_of_file() {
    within(
        deadline::DEFAULT,
        "the echo to a client that half-closed",
        || {
            let server = start();
            server.check(
                "a read of 0 means the client sends no more: finish its echo first",
                |addr| {
                    let payload = pattern(1 << 20);
                    let mut client = connect(addr);
                    let writer = {
                        let mut client = client.try_clone().unwrap();
                        let payload = payload.clone();
                        thread::spawn(move || {
                            client.write_all(&payload)?;
                            client.shutdown(Shutdown::Write)
                        })
                    };
                    let echo = testkit::net::read_to_end(&mut client, "the echo, then end-of-file");
                    expect::ok(
                        "sending 1 MiB, then half-closing",
                        writer.join().unwrap(),
                        "the server must keep reading",
                    );
                    expect::that(
                        echo == payload,
                        "everything before end-of-file should be the 1 MiB sent",
                        first_difference(&echo, &payload),
                        "a read of 0 means the client will send no more, not that it is gone: \
                     finish writing its outbox, and only then close",
                    );
                },
            );
            server.stop();
        },
    );
}

#[test]
fn stop_ends_run_and_closes_every_connection() {
    within(deadline::DEFAULT, "a stop with clients connected", || {
        let server = start();
        let (tx, rx) = std::sync::mpsc::channel();
        server.check("echo each client", move |addr| {
            let mut clients: Vec<TcpStream> = (0..3).map(|_| connect(addr)).collect();
            for (i, client) in clients.iter_mut().enumerate() {
                echo::round_trip(client, b"before the stop\n", &format!("client {i}"));
            }
            tx.send(clients).unwrap();
        });
        let mut clients = rx.recv().unwrap();
        let started = Instant::now();
        server.stop();
        expect::that(
            started.elapsed() < Duration::from_secs(1),
            "run should return within moments of a stop",
            started.elapsed(),
            "Stopper::stop writes to the eventfd; epoll_wait wakes at once",
        );
        for (i, client) in clients.iter_mut().enumerate() {
            let mut byte = [0u8; 1];
            let after = client.read(&mut byte);
            expect::that(
                matches!(&after, Ok(0))
                    || matches!(&after, Err(e) if e.kind() == ErrorKind::ConnectionReset),
                &format!("client {i} after the server stopped: end-of-file (or a reset)"),
                after.map_err(|e| e.kind()),
                "when run returns, the connections it owned are dropped, which closes them",
            );
        }
    });
}

#[test]
fn a_stop_before_run_is_not_lost() {
    within(deadline::DEFAULT, "run after an early stop", || {
        let server = expect::ok(
            "Server::bind(\"127.0.0.1:0\")",
            Server::bind("127.0.0.1:0"),
            "bind, create the Epoll and the eventfd, register both",
        );
        let stopper = server.stopper();
        // Stoppers travel to other threads and are cloned freely.
        let copy = stopper.clone();
        thread::spawn(move || copy.stop()).join().unwrap();
        expect::ok(
            "run, after a stop that came before it",
            server.run(),
            "the eventfd stays readable once written: register it level-triggered, \
             and the first epoll_wait returns it",
        );
        // Stopping a server that has already stopped is harmless.
        stopper.stop();
    });
}
