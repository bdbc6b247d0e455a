//! An idle server must sleep in `epoll_wait`, not spin. Run with
//! `cargo test --test 05_idle` (Linux only: elsewhere this file compiles to
//! nothing).
//!
//! This file is a test binary of its own, so that nothing else runs in this
//! process while it measures the process's CPU time.
#![cfg(target_os = "linux")]

use epoll_echo::Server;
use testkit::net::connect;
use testkit::server::{uses_no_cpu_while_idle, Hints, Running};
use testkit::{deadline::DEFAULT, echo, expect, within};

const HINTS: Hints = Hints {
    ended_early: "run loops until the eventfd's token comes up",
    stop_is_ok: "a stop is not an error: return Ok(()) when the eventfd's token comes up",
    stop_promptly: None,
};

#[test]
fn an_idle_server_uses_no_cpu() {
    within(DEFAULT, "an idle server with three clients", || {
        let server = expect::ok(
            "Server::bind(\"127.0.0.1:0\")",
            Server::bind("127.0.0.1:0"),
            "bind, create the Epoll and the eventfd, register both",
        );
        let stopper = server.stopper();
        let server = Running::start(
            "epoll server",
            server.local_addr(),
            HINTS,
            move || stopper.stop(),
            move || server.run(),
        );
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
            "a server with nothing to do sleeps in epoll_wait (uses almost no CPU)",
            "re-arm (epoll_ctl MOD) only when pump says Rearm, never after every event: \
             MOD looks at the socket afresh, an idle socket is writable, and the \
             EPOLLOUT it reports at once brings another event, for ever. And wait with \
             no timeout (EpollTimeout::NONE) while no accept is paused",
        );
        server.stop();
    });
}
