//! Step 3: `PoolServer::run` (`src/pool.rs`): n workers and a bounded queue.
//! Run with `cargo test --test 03_pool` (steps 1 and 2 must pass first).

mod common;

use std::net::TcpStream;
use std::time::Duration;

use common::*;
use socketserver::{Echo, PoolServer};
use testkit::net::connect;
use testkit::peak::PeakCounter;
use testkit::{deadline::DEFAULT, echo, expect, within};

// --------------------------------------------------------------------- pool

#[test]
fn pool_serves_a_hundred_clients() {
    within(
        Duration::from_secs(20),
        "PoolServer<Echo> of 8, 100 clients",
        || {
            testkit::limits::raise_fd_limit(1024);
            let server = pool(8, Echo);
            server.check(|addr| {
                probe(addr);
                // All 100 connect first; 8 are served at a time, the rest wait in
                // the queue and the backlog, and are served as others leave.
                echo::many_clients_in_turn(addr, 100, 5);
            });
            server.stop();
        },
    );
}

#[test]
fn pool_a_silent_client_blocks_no_one() {
    within(DEFAULT, "PoolServer<Echo> of 4 and a silent client", || {
        let server = pool(4, Echo);
        server.check(echo::silent_client_blocks_no_one);
        server.stop();
    });
}

#[test]
fn pool_a_vanishing_client_crashes_nothing() {
    within(
        DEFAULT,
        "PoolServer<Echo> of 2 and a vanishing client",
        || {
            let server = pool(2, Echo);
            server.check(echo::vanishing_client_crashes_nothing);
            server.check(|addr| echo::many_clients_in_turn(addr, 4, 2));
            server.stop();
        },
    );
}

#[test]
fn pool_runs_exactly_n_handlers_at_once() {
    const N: usize = 4;
    const EXTRA: usize = 5;
    within(DEFAULT, "a pool of 4 with 9 clients", || {
        let peak = PeakCounter::new();
        let gate = Gate::default();
        let (handler, starts) = waiting_handler(peak.clone(), gate.clone());
        let server = pool(N, handler);
        let clients: Vec<TcpStream> =
            server.check(|addr| (0..N + EXTRA).map(|_| connect(addr)).collect());
        for started in 0..N {
            if starts.recv_timeout(START_WAIT).is_err() {
                gate.open();
                panic!(
                    "only {started} handlers started while {} clients were connected; a \
                     pool of {N} should run {N} at once\n  hint: start {N} workers \
                     before the accept loop, each taking jobs from the shared queue",
                    N + EXTRA
                );
            }
        }
        // N handlers are inside and blocked: no other may start now.
        if starts.recv_timeout(QUIET).is_ok() {
            gate.open();
            panic!(
                "a handler started while {N} were running; the pool ran {} at once\n  \
                 hint: only the {N} workers run handlers; the accept loop only queues \
                 connections (never a thread per connection)",
                peak.peak()
            );
        }
        gate.open();
        for (i, client) in clients.into_iter().enumerate() {
            expect_served(client, &format!("client {i} of {}", N + EXTRA));
        }
        expect::eq(
            "the most handlers running at once",
            &peak.peak(),
            &N,
            "a pool of N workers runs at most N handlers, and runs N when N + 5 wait",
        );
        server.stop();
    });
}

/// The queue holds at most as many connections as there are workers: with
/// every worker busy and the queue full, the accept loop waits in `send`, and
/// the next clients stay in the listener's backlog, where TCP makes them wait.
/// An unbounded queue would accept everyone and hold them all.
#[test]
#[cfg(target_os = "linux")]
fn a_full_queue_leaves_the_next_clients_in_the_backlog() {
    const N: usize = 2;
    const CLIENTS: usize = 8;
    within(DEFAULT, "a pool of 2 with 8 clients", || {
        let peak = PeakCounter::new();
        let gate = Gate::default();
        let (handler, starts) = waiting_handler(peak.clone(), gate.clone());
        let server = pool(N, handler);
        let addr = server.addr;
        let clients: Vec<TcpStream> =
            server.check(|addr| (0..CLIENTS).map(|_| connect(addr)).collect());
        for _ in 0..N {
            let _ = starts.recv_timeout(START_WAIT);
        }
        // N in the workers, N in the queue, one in the accept loop's hands:
        // the rest must still be in the backlog. Waiting is the observation.
        std::thread::sleep(QUIET);
        let backlog = accept_queue_len(addr);
        gate.open();
        expect::eq(
            "clients left in the listener's backlog while 2 workers are busy and the \
             queue is full",
            &backlog,
            &Some(CLIENTS - (2 * N + 1)),
            "make the queue a bounded channel (mpsc::sync_channel) with room for as \
             many jobs as there are workers: send then waits, and so does accept",
        );
        for (i, client) in clients.into_iter().enumerate() {
            expect_served(client, &format!("client {i} of {CLIENTS}"));
        }
        server.stop();
    });
}

/// How many finished connections wait in the accept queue of the listener on
/// `addr`: the `rx_queue` column of its line in `/proc/net/tcp` (what `ss -lnt`
/// shows as Recv-Q).
#[cfg(target_os = "linux")]
fn accept_queue_len(addr: std::net::SocketAddr) -> Option<usize> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let port = format!(":{:04X}", addr.port());
    table.lines().skip(1).find_map(|line| {
        // sl local_address rem_address st tx_queue:rx_queue ...
        let fields: Vec<&str> = line.split_whitespace().collect();
        let listening = fields.get(3) == Some(&"0A");
        if !listening || !fields.get(1)?.ends_with(&port) {
            return None;
        }
        let rx_queue = fields.get(4)?.split(':').nth(1)?;
        usize::from_str_radix(rx_queue, 16).ok()
    })
}

#[test]
fn pool_survives_panicking_and_failing_handlers() {
    within(DEFAULT, "a pool of 2 after 4 handler panics", || {
        let server = pool(2, moody_handler);
        server.check(|addr| {
            // More panics than workers: if a panic killed a worker, nobody
            // would be left to serve the clients after them.
            for _ in 0..4 {
                send_and_expect_closed(addr, "panic");
            }
            send_and_expect_closed(addr, "fail");
            echo::many_clients_in_turn(addr, 4, 2);
        });
        server.stop();
    });
}

#[test]
fn pool_stop_ends_busy_and_waiting_connections() {
    within(
        DEFAULT,
        "stop() with every worker busy and the queue full",
        || {
            let server = pool(2, Echo);
            let mut clients: Vec<TcpStream> = server.check(|addr| {
                let mut clients = Vec::new();
                // Two clients the workers are busy with (their echo proves it)...
                for i in 0..2 {
                    let mut client = connect(addr);
                    echo::round_trip(&mut client, b"hello\n", &format!("busy client {i}"));
                    clients.push(client);
                }
                // ...and four more: two in the queue, one in the accept loop's
                // hands (waiting for room in the queue), one in the backlog.
                clients.extend((0..4).map(|_| connect(addr)));
                clients
            });
            server.stop();
            for (i, client) in clients.iter_mut().enumerate() {
                expect_closed(
                    client,
                    &format!("client {i} of 6, when the pool of 2 stopped"),
                    "stop shuts down the tracked connections; then each worker takes \
                 the queued ones, sees the stop (track returns None) and drops them",
                );
            }
        },
    );
}

#[test]
fn pool_run_returns_only_after_its_handlers() {
    within(
        DEFAULT,
        "run() waiting for 2 busy workers after stop()",
        || {
            let peak = PeakCounter::new();
            let (handler, starts) = slow_to_finish(peak.clone());
            run_returns_after_its_handlers(
                pool(2, handler),
                &peak,
                &starts,
                2,
                "after serve_forever returns, drop the queue's sender, then join every \
             worker: no handler may outlive run",
            );
        },
    );
}

#[test]
fn pool_stop_before_run_returns_at_once() {
    within(DEFAULT, "run() after an early stop()", || {
        let server = expect::ok(
            "PoolServer::bind",
            PoolServer::bind("127.0.0.1:0", 3, Echo),
            "bind is given",
        );
        server.stopper().stop();
        launch(server.local_addr(), server.stopper(), move || server.run()).stop();
    });
}
