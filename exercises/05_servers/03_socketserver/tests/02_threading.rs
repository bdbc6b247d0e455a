//! Step 2: `ThreadingServer::run` (`src/threading.rs`): a thread per
//! connection, any handler, a stop that ends the conversations in progress.
//! Run with `cargo test --test 02_threading` (step 1's handlers must pass first).

mod common;

use std::net::{SocketAddr, TcpStream};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use socketserver::{Echo, Handler, ThreadingServer};
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

/// Says on its channel when it is dropped.
struct DropSignal(mpsc::Sender<()>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// A thread that has ended keeps what it ended with (its panic's payload,
/// here) until its `JoinHandle` is joined or dropped. A server that joins
/// finished threads only when it stops holds the remains of every
/// conversation it ever had, however long it runs.
#[test]
fn threading_joins_finished_threads_as_it_goes() {
    within(
        DEFAULT,
        "a finished handler thread joined while serving",
        || {
            let (signal, dropped) = mpsc::channel();
            let first = Mutex::new(Some(signal));
            // The first connection's handler panics with a payload that says
            // when it is dropped; the others echo.
            let handler = move |stream: TcpStream, peer: SocketAddr| {
                let signal = first.lock().unwrap_or_else(|e| e.into_inner()).take();
                if let Some(signal) = signal {
                    drop(stream);
                    std::panic::panic_any(DropSignal(signal));
                }
                Echo.handle(stream, peer)
            };
            let server = threading(handler);
            server.check(|addr| {
                let mut first = connect(addr);
                expect_closed(
                    &mut first,
                    "the first client, whose handler panicked",
                    "a panic in the handler ends its thread, which drops the connection",
                );
                // Each new client makes the server accept again: a turn of the
                // loop that joins the threads that have finished.
                let until = Instant::now() + Duration::from_secs(2);
                while dropped.try_recv().is_err() {
                    assert!(
                        Instant::now() < until,
                        "2 s after its handler panicked, the thread of the first client was \
                     still not joined, although the server had accepted other clients \
                     since\n  hint: join the threads that have finished as you go: at \
                     each accept, take every handle whose thread is_finished out of the \
                     list and join it (and report a panic). A thread's result stays in \
                     its handle until then"
                    );
                    let mut client = connect(addr);
                    echo::round_trip(&mut client, b"next\n", "a later client");
                }
            });
            server.stop();
        },
    );
}
