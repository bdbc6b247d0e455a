//! An idle server must sleep in `poll`, not spin. Run with `cargo test`.
//!
//! This file is a test binary of its own, so that nothing else runs in this
//! process while it measures the process's CPU time.

mod common;

use std::thread;
use std::time::Duration;

use common::start;
use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeValLike;
use testkit::net::connect;
use testkit::{deadline::DEFAULT, echo, expect, within};

/// CPU time (user + system) this process has used so far.
fn cpu_time() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage failed");
    let micros = usage.user_time().num_microseconds() + usage.system_time().num_microseconds();
    Duration::from_micros(micros.try_into().unwrap())
}

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

        // Everybody has been answered; nothing happens for a while. Waiting is
        // the measurement here, not a way to synchronise.
        let before = cpu_time();
        thread::sleep(Duration::from_millis(400));
        let used = cpu_time() - before;
        expect::that(
            used < Duration::from_millis(80),
            "a server with nothing to do sleeps in poll (uses almost no CPU)",
            format!("{} ms of CPU in 400 ms", used.as_millis()),
            "ask for POLLOUT only while the outbox holds bytes: an idle socket is \
             always writable, so poll returns at once, every time. And wait with \
             PollTimeout::NONE, not a zero timeout",
        );
        server.stop();
    });
}
