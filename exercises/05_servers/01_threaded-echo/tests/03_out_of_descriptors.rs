//! Step 2, continued: `run` survives an `accept` that fails for lack of file
//! descriptors. Run with `cargo test --test 03_out_of_descriptors` (Linux only:
//! it watches the server's thread in `/proc`).
//!
//! This file is a test binary of its own: it takes every descriptor this
//! process may have, which would disturb any other test running beside it.
#![cfg(target_os = "linux")]

use std::io::Write;
use std::net::Shutdown;

use testkit::echo::read_exactly;
use testkit::limits::exhaust_descriptors;
use testkit::net::{connect, read_to_end};
use testkit::server::{Hints, Running};
use testkit::{deadline::DEFAULT, echo, expect, within};
use threaded_echo::Server;

/// The descriptor limit while the test holds them all: low, so that taking
/// them all is quick.
const LOW_LIMIT: u64 = 256;

const HINTS: Hints = Hints {
    ended_early: "EMFILE (\"Too many open files\") is the process's trouble, not a reason to \
                  stop serving: report it on stderr, pause, and accept again",
    stop_is_ok: "the connection accepted after a stop is the wake-up call: leave the loop \
                 with Ok(())",
    stop_promptly: None,
};

#[test]
fn accept_failing_with_emfile_pauses_then_accepts_again() {
    within(DEFAULT, "a client accepted after EMFILE", || {
        let server = expect::ok(
            "binding 127.0.0.1:0",
            Server::bind("127.0.0.1:0"),
            "Server::bind is given",
        );
        let stopper = server.stopper();
        let server = Running::start(
            "threaded server",
            server.local_addr(),
            HINTS,
            move || stopper.stop(),
            move || server.run(),
        );
        let thread = server.thread();
        server.check(
            "when accept fails with EMFILE, ENFILE, ENOBUFS or ENOMEM, report it, sleep \
             briefly, and try again (lesson 05.1, 'When accept fails')",
            move |addr| {
                let mut first = connect(addr);
                echo::round_trip(&mut first, b"first\n", "a first client");
                // Leave, and wait until the server's end is closed too: a descriptor
                // the server frees later would let its accept succeed below.
                first.shutdown(Shutdown::Write).unwrap();
                read_to_end(
                    &mut first,
                    "end-of-file once the server closes its end (handle_client returns)",
                );
                let mark = thread.asleep("an idle server sleeps in accept");

                let mut held = exhaust_descriptors(LOW_LIMIT);
                // One descriptor free: bob's end of the connection takes it, so
                // the server's accept finds none left and fails with EMFILE.
                held.free_one();
                let mut bob = connect(addr);
                thread.slept_again(
                    mark,
                    "to sleep after its accept failed with EMFILE",
                    "bob waits in the backlog, so the next accept fails the same way at \
                     once: retrying without a pause is a loop that burns a core. Sleep \
                     briefly before the next accept",
                );
                drop(held);
                bob.write_all(b"bob, at last\n").unwrap();
                read_exactly(
                    &mut bob,
                    13,
                    "bob, who waited in the backlog while the process had no descriptor",
                    "after the pause, accept again: bob is still in the backlog",
                );
            },
        );
        server.stop();
    });
}
