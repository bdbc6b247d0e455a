//! Step 2: `ThreadingServer::run` (`src/threading.rs`): a thread per
//! connection, any handler, a stop that ends the conversations in progress.
//! Run with `cargo test --test 02_threading` (step 1's handlers must pass first).

mod common;

use std::net::TcpStream;
use std::time::Duration;

use common::*;
use socketserver::{Echo, ThreadingServer};
use testkit::echo::all_served_at_once;
use testkit::net::connect;
use testkit::peak::PeakCounter;
use testkit::{deadline::DEFAULT, echo, expect, within};

// ---------------------------------------------------------------- threading

#[test]
fn threading_serves_a_hundred_clients_at_once() {
    within(
        Duration::from_secs(20),
        "ThreadingServer<Echo>, 100 clients",
        || {
            // 100 clients and their 100 server-side sockets, in this process.
            testkit::limits::raise_fd_limit(1024);
            let server = threading(Echo);
            server.check(|addr| {
                probe(addr);
                all_served_at_once(addr, 100, 5);
            });
            server.stop();
        },
    );
}

#[test]
fn threading_a_silent_client_blocks_no_one() {
    within(DEFAULT, "ThreadingServer<Echo> and a silent client", || {
        let server = threading(Echo);
        server.check(echo::silent_client_blocks_no_one);
        server.stop();
    });
}

#[test]
fn threading_a_vanishing_client_crashes_nothing() {
    within(
        DEFAULT,
        "ThreadingServer<Echo> and a vanishing client",
        || {
            let server = threading(Echo);
            server.check(echo::vanishing_client_crashes_nothing);
            server.stop();
        },
    );
}

#[test]
fn threading_runs_every_handler_at_once() {
    within(DEFAULT, "12 handlers at once on a ThreadingServer", || {
        let peak = PeakCounter::new();
        let gate = Gate::default();
        let (handler, starts) = waiting_handler(peak.clone(), gate.clone());
        let server = threading(handler);
        let clients: Vec<TcpStream> = server.check(|addr| (0..12).map(|_| connect(addr)).collect());
        for started in 0..12 {
            if starts.recv_timeout(START_WAIT).is_err() {
                gate.open();
                panic!(
                    "only {started} of 12 handlers started while 12 clients were \
                     connected\n  hint: a ThreadingServer starts a thread per connection \
                     at once, and that thread runs the handler"
                );
            }
        }
        gate.open();
        for (i, client) in clients.into_iter().enumerate() {
            expect_served(client, &format!("client {i}"));
        }
        expect::eq(
            "the most handlers running at once",
            &peak.peak(),
            &12,
            "one thread per connection, each running its handler",
        );
        server.stop();
    });
}

#[test]
fn threading_survives_panicking_and_failing_handlers() {
    within(DEFAULT, "ThreadingServer after handlers panicked", || {
        let server = threading(moody_handler);
        server.check(|addr| {
            send_and_expect_closed(addr, "panic");
            send_and_expect_closed(addr, "fail");
            send_and_expect_closed(addr, "panic");
            all_served_at_once(addr, 5, 2);
        });
        server.stop();
    });
}

#[test]
fn threading_stop_ends_conversations_in_progress() {
    within(DEFAULT, "stop() with 3 clients connected", || {
        let server = threading(Echo);
        let mut clients: Vec<TcpStream> = server.check(|addr| {
            (0..3)
                .map(|i| {
                    let mut client = connect(addr);
                    echo::round_trip(&mut client, b"hello\n", &format!("client {i}"));
                    client
                })
                .collect()
        });
        server.stop();
        for (i, client) in clients.iter_mut().enumerate() {
            expect_closed(
                client,
                &format!("client {i}, connected when the server stopped"),
                "stop shuts down every tracked connection; track each one before its \
                 handler runs",
            );
        }
    });
}

#[test]
fn threading_run_returns_only_after_its_handlers() {
    within(DEFAULT, "run() waiting for 3 handlers after stop()", || {
        let peak = PeakCounter::new();
        let (handler, starts) = slow_to_finish(peak.clone());
        run_returns_after_its_handlers(
            threading(handler),
            &peak,
            &starts,
            3,
            "keep every handler thread's JoinHandle and join them all after \
             serve_forever returns: no handler may outlive run",
        );
    });
}

#[test]
fn threading_stop_before_run_returns_at_once() {
    within(DEFAULT, "run() after an early stop()", || {
        let server = expect::ok(
            "ThreadingServer::bind",
            ThreadingServer::bind("127.0.0.1:0", Echo),
            "bind is given",
        );
        server.stopper().stop();
        launch(server.local_addr(), server.stopper(), move || server.run()).stop();
    });
}
