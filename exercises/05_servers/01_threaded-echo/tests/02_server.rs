//! Step 2: the server (`src/server.rs`): `run` and `Stopper::stop`. Run with
//! `cargo test --test 02_server` (step 1's `handle_client` must pass first).
//!
//! Each test starts `Server::run` on a thread of its own, on a free loopback
//! port, talks to it with the test kit's clients (every read has a timeout),
//! and stops it with its `Stopper`. A `run` that panics or returns while
//! clients talk to it is reported at once, with its own message.

use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use testkit::echo::all_served_at_once;
use testkit::net::{connect, read_to_end};
use testkit::server::{Hints, Running};
use testkit::{deadline::DEFAULT, echo, expect, within};
use threaded_echo::Server;

mod common;

/// What the harness says when `run` misbehaves.
const HINTS: Hints = Hints {
    ended_early: "run loops until the stop flag is set; an error with one client ends that \
                  client's thread, never the server",
    stop_is_ok: "the connection accepted after a stop is the wake-up call: check the flag \
                 after accept and leave the loop with Ok(())",
    stop_promptly: Some(
        "stop() sets the flag, then connects to the server to wake the blocked accept; \
         run checks the flag after every accept",
    ),
};

fn bind() -> Server {
    expect::ok(
        "binding 127.0.0.1:0",
        Server::bind("127.0.0.1:0"),
        "Server::bind is given; any free loopback port should do",
    )
}

/// Binds `127.0.0.1:0` and starts `run` on a new thread.
fn start() -> Running {
    launch(bind())
}

fn launch(server: Server) -> Running {
    let stopper = server.stopper();
    Running::start(
        "threaded server",
        server.local_addr(),
        HINTS,
        move || stopper.stop(),
        move || server.run(),
    )
}

/// One round trip, so that a server that is not running fails at once, before
/// a hundred clients wait for each other.
#[track_caller]
fn probe(addr: SocketAddr) {
    let mut client = connect(addr);
    echo::round_trip(&mut client, b"probe\n", "a first client");
}

#[test]
fn echoes_then_closes_when_the_client_half_closes() {
    within(DEFAULT, "an echo, then end-of-file", || {
        let server = start();
        server.check(
            "accept, then give the stream to handle_client on a thread of its own",
            |addr| {
                let mut client = connect(addr);
                echo::round_trip(&mut client, b"hello, threads\n", "a client");
                client.shutdown(Shutdown::Write).unwrap();
                let rest = read_to_end(&mut client, "end-of-file after the echo");
                expect::eq(
                    "bytes after the echo, once the client half-closed",
                    rest.escape_ascii().to_string().as_str(),
                    "",
                    "each byte is echoed once; the connection closes when handle_client \
                     returns",
                );
            },
        );
        server.stop();
    });
}

#[test]
fn serves_a_hundred_clients_at_once() {
    within(
        Duration::from_secs(20),
        "100 clients, all connected, 5 round trips each",
        || {
            // 100 clients and their 100 server-side sockets, in this process.
            testkit::limits::raise_fd_limit(1024);
            let server = start();
            server.check(
                "start a thread for each accepted client and go straight back to accept: \
                 never wait for (join) a conversation in the accept loop",
                |addr| {
                    probe(addr);
                    all_served_at_once(addr, 100, 5);
                },
            );
            server.stop();
        },
    );
}

#[test]
fn a_silent_client_blocks_no_one() {
    within(DEFAULT, "a client served beside a silent one", || {
        let server = start();
        server.check(
            "each client's reads happen on its own thread, never in the accept loop",
            echo::silent_client_blocks_no_one,
        );
        server.stop();
    });
}

#[test]
fn a_vanishing_client_crashes_nothing() {
    within(DEFAULT, "a client served after one vanished", || {
        let server = start();
        server.check(
            "an error of one client ends that client's thread (report it on stderr), \
             never the server",
            echo::vanishing_client_crashes_nothing,
        );
        // Again, in case the first reset took a moment to do its damage.
        server.check("serve the clients after a reset", |addr| {
            all_served_at_once(addr, 10, 2)
        });
        server.stop();
    });
}

#[test]
fn a_burst_comes_back_whole() {
    within(DEFAULT, "1000 lines sent in one write", || {
        let server = start();
        server.check("echo everything each read returns", |addr| {
            echo::burst(addr, 1000)
        });
        server.stop();
    });
}

#[test]
fn a_slow_reader_stalls_no_one() {
    within(DEFAULT, "a client served beside a slow reader", || {
        let server = start();
        server.check(
            "a slow reader blocks its own thread in write, and nobody else's",
            |addr| echo::slow_reader_stalls_no_one(addr, 1 << 20),
        );
        server.stop();
    });
}

#[test]
fn stops_when_asked() {
    within(DEFAULT, "run() returning after stop()", || {
        let server = start();
        server.check("serve three clients", |addr| {
            probe(addr);
            all_served_at_once(addr, 3, 1);
        });
        server.stop();
    });
}

#[test]
fn a_stop_before_run_makes_run_return_at_once() {
    within(DEFAULT, "run() after an early stop()", || {
        let server = bind();
        server.stopper().stop();
        // run() must notice the stop that came first; it returns at once.
        launch(server).stop();
    });
}

#[test]
fn a_conversation_in_progress_outlives_the_stop() {
    within(DEFAULT, "a conversation after stop()", || {
        let server = start();
        let (tx, rx) = mpsc::channel::<TcpStream>();
        server.check("echo a client", move |addr| {
            let mut client = connect(addr);
            echo::round_trip(&mut client, b"before the stop\n", "a client");
            tx.send(client).unwrap();
        });
        let mut client = rx.recv().unwrap();
        server.stop();
        // The conversation has a thread of its own: stopping the accept loop
        // does not end it.
        echo::round_trip(
            &mut client,
            b"after the stop\n",
            "a client connected before the stop",
        );
        client.shutdown(Shutdown::Write).unwrap();
        let rest = read_to_end(&mut client, "end-of-file after the last echo");
        expect::eq(
            "bytes after the last echo",
            &rest.len(),
            &0,
            "each byte is echoed once",
        );
    });
}

#[test]
#[cfg(target_os = "linux")]
fn an_accept_error_of_the_listener_ends_run_with_it() {
    use std::thread;
    use testkit::server::quietly;

    within(DEFAULT, "run() after its listener broke", || {
        let server = bind();
        let addr = server.local_addr();
        let stopper = server.stopper();
        let (report, done) = mpsc::channel();
        thread::spawn(move || {
            let _ = report.send(quietly(|| server.run()));
        });
        // run is in accept once it has served a client.
        if let Err(failure) = quietly(|| probe(addr)) {
            if let Ok(Err(panic)) = done.recv_timeout(Duration::from_millis(200)) {
                panic!("Server::run panicked {}", panic.located());
            }
            panic!("{}", failure.message);
        }
        // From now on accept fails at once with EINVAL, for ever.
        common::shut_down_listener(addr);
        let outcome = done.recv_timeout(Duration::from_secs(2));
        // A run that loops on the error would spin for ever: the flag ends it.
        stopper.stop();
        match outcome {
            Ok(Ok(Err(err))) => expect::eq(
                "the error run() returned",
                &err.raw_os_error(),
                &Some(libc::EINVAL),
                "return the accept error itself",
            ),
            Ok(Ok(Ok(()))) => panic!(
                "run() returned Ok(()) after accept failed with EINVAL, without a stop\n  \
                 hint: an accept error that is neither about one client nor a lack of \
                 resources is returned as it is"
            ),
            Ok(Err(panic)) => panic!("Server::run panicked {}", panic.located()),
            Err(_) => panic!(
                "run() was still running 2 s after every accept began to fail with EINVAL \
                 (the listener was shut down)\n  hint: skip only ConnectionAborted, \
                 ConnectionReset and Interrupted, and pause only on EMFILE, ENFILE, \
                 ENOBUFS and ENOMEM; return any other accept error: retrying it fails \
                 the same way for ever (lesson 05.1, 'When accept fails')"
            ),
        }
    });
}
