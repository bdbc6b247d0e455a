//! An idle server must sleep in `poll`, not spin. Run with
//! `cargo test --test 05_idle`.
//!
//! This file is a test binary of its own, so that nothing else runs in this
//! process while it measures the process's CPU time.

mod common;

use common::start;
use testkit::net::connect;
use testkit::server::uses_no_cpu_while_idle;
use testkit::{deadline::DEFAULT, echo, within};

#[test]
fn an_idle_server_uses_no_cpu() {
    within(DEFAULT, "an idle server with three clients", || {
        let server = start();
        let (tx, rx) = std::sync::mpsc::channel();
        server.check("echo each client", move |addr| {
            let mut clients: Vec<_> = (0..3).map(|_| connect(addr)).collect();
            for (i, client) in clients.iter_mut().enumerate() {
                echo::round_trip(client, b"one echo, then quiet\n", &format!("client {i}"));
            }
            tx.send(clients).unwrap();
        });
        let _clients = rx.recv().unwrap();
        // Everybody has been answered; nothing happens for a while.
        uses_no_cpu_while_idle(
            "a server with nothing to do sleeps in poll (uses almost no CPU)",
            "ask for POLLOUT only while the outbox holds bytes: an idle socket is \
             always writable, so poll returns at once, every time. And wait with \
             PollTimeout::NONE while nothing is paused, not a zero timeout",
        );
        server.stop();
    });
}
