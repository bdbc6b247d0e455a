//! Step 2: the event loop (`src/server.rs`), over the wire. Run with
//! `cargo test --test 02_echo` (step 1's `Connection` must pass first).
//!
//! Each test binds a `Server` on a free loopback port, runs it on a thread,
//! talks to it with plain sockets (mostly the shared checks of
//! `testkit::echo`), then stops it and waits for `run` to return.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use common::{echo_concurrently, read_exactly, start};
use poll_echo::{Server, MAX_PENDING, READ_CHUNK};
use testkit::echo::{first_difference, pattern};
use testkit::net::{connect, connect_with_small_receive_buffer, is_timeout, IO_TIMEOUT};
use testkit::{deadline::DEFAULT, echo, expect, within};

/// Clients connected at once in the concurrency test: two file descriptors
/// each in this process (the client's end and the server's), many of them
/// above 1024, where select could not go.
const CLIENTS: usize = 500;
/// Round trips each of them makes.
const ROUNDS: usize = 3;

#[test]
fn echoes_what_one_client_sends() {
    within(DEFAULT, "a few round trips with one client", || {
        let server = start();
        server.check(
            "accept the client, ask for POLLIN on it, and write back what you read",
            |addr| {
                let mut client = connect(addr);
                echo::round_trip(&mut client, b"hello\n", "a client");
                echo::round_trip(&mut client, b"x", "a client sending one byte");
                let binary: Vec<u8> = (0..=255).collect();
                echo::round_trip(&mut client, &binary, "a client sending every byte value");
            },
        );
        server.stop();
    });
}

#[test]
fn serves_500_clients_at_once() {
    testkit::limits::raise_fd_limit(2 * CLIENTS as u64 + 300);
    within(
        Duration::from_secs(30),
        "500 clients connected at once, 3 round trips each",
        || {
            let server = start();
            server.check(
                "every client connects before any of them talks: accept every waiting \
                 client each time the listener has POLLIN, and give every connection a \
                 pollfd on every turn",
                |addr| echo::all_served_at_once(addr, CLIENTS, ROUNDS),
            );
            server.stop();
        },
    );
}

/// Clients that come one after another, each waiting for its echo before the
/// next connects.
const ONE_AFTER_ANOTHER: usize = 50;

#[test]
fn clients_one_after_another_are_each_accepted_at_once() {
    within(
        Duration::from_secs(20),
        "50 clients, one after another",
        || {
            let server = start();
            server.check(
                "accept as soon as poll reports the listener readable: pause the \
                 listener only after accept failed for lack of descriptors",
                |addr| {
                    let limit = Duration::from_millis(2500);
                    let started = Instant::now();
                    for i in 0..ONE_AFTER_ANOTHER {
                        let mut client = connect(addr);
                        echo::round_trip(&mut client, b"my turn\n", &format!("client {i}"));
                    }
                    let took = started.elapsed();
                    expect::that(
                        took < limit,
                        &format!(
                            "{ONE_AFTER_ANOTHER} clients one after another, each served at \
                             once, within {} s (loopback needs milliseconds for each)",
                            limit.as_secs_f32()
                        ),
                        format!("{} s", took.as_secs_f32()),
                        "a client waits for nothing but the next poll: a loop that waits \
                         ACCEPT_PAUSE (or any timeout) before accepting makes each newcomer \
                         wait that long",
                    );
                },
            );
            server.stop();
        },
    );
}

#[test]
fn a_silent_client_blocks_no_one() {
    within(DEFAULT, "a client beside a silent one", || {
        let server = start();
        server.check(
            "read only from sockets whose revents say so, and make every socket \
             non-blocking",
            echo::silent_client_blocks_no_one,
        );
        server.stop();
    });
}

#[test]
fn a_vanishing_client_crashes_nothing() {
    within(DEFAULT, "a client after one that vanished", || {
        let server = start();
        server.check(
            "a reset comes as POLLIN, POLLERR or POLLHUP, and the read fails: drop that \
             connection (report it on stderr) and serve the others",
            echo::vanishing_client_crashes_nothing,
        );
        server.stop();
    });
}

#[test]
fn a_burst_in_one_write_comes_back_whole() {
    within(DEFAULT, "a burst sent in one write", || {
        let server = start();
        // Several READ_CHUNKs in one write: the rest of the burst stays in the
        // socket after the first read, and poll reports it again.
        let messages = READ_CHUNK / 3;
        server.check(
            "poll is level-triggered: bytes left in the socket give POLLIN on the next \
             turn too; keep asking for POLLIN",
            move |addr| echo::burst(addr, messages),
        );
        server.stop();
    });
}

#[test]
fn a_message_larger_than_the_socket_buffers_comes_back_intact() {
    within(
        DEFAULT,
        "the echo of 8 MiB to a client with a small buffer",
        || {
            let server = start();
            server.check(
                "a write to a full socket takes part of the bytes or says WouldBlock: keep \
             the rest in the outbox and ask for POLLOUT until it is empty",
                |addr| {
                    let mut client = connect_with_small_receive_buffer(addr);
                    echo_concurrently(&mut client, &pattern(8 << 20), "the echo of 8 MiB");
                },
            );
            server.stop();
        },
    );
}

#[test]
fn a_slow_reader_stalls_no_one() {
    within(DEFAULT, "a client beside a slow reader", || {
        let server = start();
        server.check(
            "never wait for one client: what its socket will not take waits in its \
             outbox (POLLOUT says when to go on) while the loop serves the others",
            |addr| echo::slow_reader_stalls_no_one(addr, 4 << 20),
        );
        server.stop();
    });
}

/// What the kernel buffers of one connection can hold at most: a send and a
/// receive buffer at each end, grown as far as TCP autotuning may (the third
/// numbers of `net.ipv4.tcp_wmem` and `tcp_rmem`; 8 MiB each where unknown).
fn kernel_buffers_of_one_connection() -> usize {
    let max = |name: &str| -> usize {
        std::fs::read_to_string(format!("/proc/sys/net/ipv4/{name}"))
            .ok()
            .and_then(|text| text.split_whitespace().nth(2)?.parse().ok())
            .unwrap_or(8 << 20)
    };
    2 * (max("tcp_wmem") + max("tcp_rmem"))
}

/// A client that sends until every buffer on the way is full, and reads
/// nothing: a server whose sockets block would then be stuck in `write` to it,
/// and nobody else would be served.
#[test]
fn a_client_that_never_reads_stalls_no_one() {
    within(DEFAULT, "a client beside one that never reads", || {
        let server = start();
        server.check(
            "make every accepted stream non-blocking (Linux does not pass O_NONBLOCK on \
             from the listener): one write to a client that reads nothing would \
             otherwise block the whole loop",
            |addr| {
                let mut hog = connect_with_small_receive_buffer(addr);
                fill_until_stalled(&mut hog);
                let mut other = connect(addr);
                echo::round_trip(
                    &mut other,
                    b"served beside a client that never reads?\n",
                    "a client beside one that never reads",
                );
            },
        );
        server.stop();
    });
}

/// Writes to `stream` until a write makes no progress for 200 ms: every buffer
/// between here and the server is full, and the server takes no more. Waiting
/// is the observation here. Gives up (quietly) after 64 MiB.
fn fill_until_stalled(stream: &mut TcpStream) {
    stream
        .set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let chunk = pattern(64 << 10);
    for _ in 0..1024 {
        match stream.write(&chunk) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break, // the timeout: stalled
        }
    }
}

/// Backpressure: a client that sends and never reads must end up waiting for
/// the server, not fill the server's memory. Once it reads, everything it sent
/// comes back.
#[test]
fn a_client_that_does_not_read_is_made_to_wait() {
    within(
        Duration::from_secs(15),
        "a client that writes without reading, then reads",
        || {
            let server = start();
            server.check(
                "ask for POLLIN only while the outbox holds less than MAX_PENDING bytes: \
                 the rest then waits in the kernel, and TCP makes the client wait",
                |addr| {
                    let bound = kernel_buffers_of_one_connection() + MAX_PENDING + (4 << 20);
                    let mut client = connect(addr);
                    // Waiting is the observation: a write that makes no progress
                    // for this long means the server has stopped reading.
                    client
                        .set_write_timeout(Some(Duration::from_millis(300)))
                        .unwrap();
                    let chunk = pattern(64 << 10);
                    let mut sent = 0usize;
                    while sent <= bound {
                        match client.write(&chunk[sent % chunk.len()..]) {
                            Ok(n) => sent += n,
                            Err(e) if is_timeout(&e) => break,
                            Err(e) if e.kind() == ErrorKind::Interrupted => {}
                            Err(e) => panic!("writing failed after {sent} bytes: {e}"),
                        }
                    }
                    expect::that(
                        sent <= bound,
                        &format!(
                            "a client that reads nothing is made to wait before it has \
                             sent {bound} bytes (what the kernel buffers can hold, plus \
                             MAX_PENDING, plus slack)"
                        ),
                        format!("{sent} bytes sent, and the server still reads"),
                        "without a cap, one client that never reads makes the server \
                         store everything it sends",
                    );
                    client.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
                    client.shutdown(Shutdown::Write).unwrap();
                    let want: Vec<u8> = chunk.iter().copied().cycle().take(sent).collect();
                    let echo = read_exactly(&mut client, sent, "the echo of a paused client");
                    expect::that(
                        echo == want,
                        "every byte the paused client sent comes back, in order",
                        first_difference(&echo, &want),
                        "pausing loses nothing: the bytes wait in the socket",
                    );
                    let end = client.read(&mut [0u8; 1]);
                    expect::that(
                        matches!(end, Ok(0)),
                        "after the last byte of the echo, end-of-file",
                        end.map_err(|e| e.kind()),
                        "once the client half-closed and the outbox is empty, close",
                    );
                },
            );
            server.stop();
        },
    );
}

#[test]
fn a_half_closed_client_gets_its_whole_echo_then_end_of_file() {
    within(DEFAULT, "the echo to a client that half-closed", || {
        let server = start();
        server.check(
            "a read of 0 means the client will send no more, not that it is gone: \
             finish sending its outbox, and only then close the connection",
            |addr| {
                let payload = pattern(1 << 20);
                let mut client = connect_with_small_receive_buffer(addr);
                let writer = {
                    let mut client = client.try_clone().unwrap();
                    let payload = payload.clone();
                    thread::spawn(move || {
                        client.write_all(&payload)?;
                        client.shutdown(Shutdown::Write)
                    })
                };
                let echo = testkit::net::read_to_end(&mut client, "the echo, then end-of-file");
                writer
                    .join()
                    .unwrap()
                    .expect("sending 1 MiB, then half-closing");
                expect::that(
                    echo == payload,
                    "everything before end-of-file should be the 1 MiB sent",
                    first_difference(&echo, &payload),
                    "echo every byte before closing",
                );
            },
        );
        server.stop();
    });
}

#[test]
fn stop_ends_run_and_closes_every_connection() {
    within(DEFAULT, "a stop with clients connected", || {
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
        server.stop();
        for (i, client) in clients.iter_mut().enumerate() {
            let after = client.read(&mut [0u8; 1]);
            expect::that(
                matches!(&after, Ok(0))
                    || matches!(&after, Err(e) if e.kind() == ErrorKind::ConnectionReset),
                &format!("client {i} after the server stopped: end-of-file (or a reset)"),
                after.map_err(|e| e.kind()),
                "when run returns, the connections it owns are dropped, which closes them",
            );
        }
    });
}

#[test]
fn a_stop_before_run_is_not_lost() {
    within(DEFAULT, "run after an early stop", || {
        let server = expect::ok(
            "Server::bind(\"127.0.0.1:0\")",
            Server::bind("127.0.0.1:0"),
            "bind is written for you",
        );
        let stopper = server.stopper();
        // Stoppers are Send and Clone: stop from another thread, with a copy.
        let copy = stopper.clone();
        thread::spawn(move || copy.stop()).join().unwrap();
        expect::ok(
            "run, after a stop that came before it",
            server.run(),
            "the byte stop() wrote is still in the wake-up socket: the first poll \
             reports POLLIN on it, and run returns Ok(())",
        );
        // Stopping a server that has stopped is harmless.
        stopper.stop();
    });
}
