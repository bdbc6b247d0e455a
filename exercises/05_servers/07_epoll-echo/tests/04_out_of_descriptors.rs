//! Running out of file descriptors must not strand the clients in the backlog.
//! Run with `cargo test --test 04_out_of_descriptors` (Linux only: elsewhere
//! this file compiles to nothing).
//!
//! This file is a test binary of its own: it takes every descriptor this
//! process may have, which would disturb any other test running beside it.
#![cfg(target_os = "linux")]

use std::io::Write;
use std::net::Shutdown;

use epoll_echo::Server;
use testkit::echo::read_exactly;
use testkit::limits::exhaust_descriptors;
use testkit::net::{connect, read_to_end};
use testkit::server::{Hints, Running};
use testkit::{deadline::DEFAULT, echo, expect, within};

/// The descriptor limit while the test holds them all: low, so that taking
/// them all is quick.
const LOW_LIMIT: u64 = 256;

const HINTS: Hints = Hints {
    ended_early: "an accept that fails with EMFILE is reported on stderr, never returned \
                  from run",
    stop_is_ok: "a stop is not an error: return Ok(()) when the eventfd's token comes up",
    stop_promptly: None,
};

/// The server holds no connection when its `accept` fails with `EMFILE`, so no
/// connection of its own closes to give a descriptor back: they come back
/// because somebody else (here, the test) closes theirs. The edge-triggered
/// listener says nothing more about the client already waiting: only a timer
/// brings the loop back to it.
#[test]
fn a_client_left_in_the_backlog_by_emfile_is_accepted_when_descriptors_come_back() {
    within(
        DEFAULT,
        "a client accepted after the process ran out of descriptors",
        || {
            let server = expect::ok(
                "Server::bind(\"127.0.0.1:0\")",
                Server::bind("127.0.0.1:0"),
                "bind a TcpListener, make it non-blocking, create the Epoll and the \
                 eventfd, and register both",
            );
            let stopper = server.stopper();
            let server = Running::start(
                "epoll server",
                server.local_addr(),
                HINTS,
                move || stopper.stop(),
                move || server.run(),
            );
            let thread = server.thread();
            server.check(
                "after accept fails with EMFILE, no new edge comes for the client already \
                 in the backlog: remember the failure, give epoll_wait a timeout of \
                 ACCEPT_PAUSE, and accept again when it has passed, whether or not one \
                 of your own connections closed meanwhile",
                move |addr| {
                    // A first client comes and goes: the server is up, and holds
                    // no connection now.
                    let mut first = connect(addr);
                    echo::round_trip(&mut first, b"first\n", "a first client");
                    first.shutdown(Shutdown::Write).unwrap();
                    read_to_end(&mut first, "end-of-file after the first client's echo");
                    drop(first);
                    let mark = thread.asleep(
                        "a server with nothing to do sleeps in epoll_wait, with no \
                         timeout",
                    );

                    let mut held = exhaust_descriptors(LOW_LIMIT);
                    // One descriptor free: bob's end of the connection takes it, so
                    // the server's accept finds none left and fails with EMFILE.
                    held.free_one();
                    let mut bob = connect(addr);
                    thread.slept_again(
                        mark,
                        "to sleep after its accept failed with EMFILE",
                        "report the failure and wait for the next event (or the end \
                         of the pause); never retry accept at once in a loop",
                    );
                    // The test gives the descriptors back; the server's own
                    // connections have nothing to do with it.
                    drop(held);
                    bob.write_all(b"bob, at last\n").unwrap();
                    read_exactly(
                        &mut bob,
                        13,
                        "bob, who waited in the backlog while the process had no \
                         descriptor",
                        "bob was never accepted: descriptors came back, but the loop \
                         never tried to accept again",
                    );
                },
            );
            server.stop();
        },
    );
}
