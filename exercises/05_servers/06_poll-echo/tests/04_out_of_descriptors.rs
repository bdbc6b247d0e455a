//! Running out of file descriptors must neither spin the loop nor strand the
//! clients in the backlog. Run with `cargo test --test 04_out_of_descriptors`
//! (Linux only: it watches the server's thread in `/proc`).
//!
//! This file is a test binary of its own: it takes every descriptor this
//! process may have, which would disturb any other test running beside it.
#![cfg(target_os = "linux")]

mod common;

use std::io::Write;
use std::net::Shutdown;

use common::start;
use testkit::echo::read_exactly;
use testkit::limits::exhaust_descriptors;
use testkit::net::{connect, read_to_end};
use testkit::{deadline::DEFAULT, echo, within};

/// The descriptor limit while the test holds them all: low, so that taking
/// them all is quick.
const LOW_LIMIT: u64 = 256;

/// The server holds no connection when its `accept` fails with `EMFILE`, so no
/// connection of its own closes to give a descriptor back: they come back
/// because somebody else (here, the test) closes theirs. Only a timer brings
/// the listener back into the `pollfd` array with `POLLIN`.
#[test]
fn a_client_left_in_the_backlog_by_emfile_is_accepted_when_descriptors_come_back() {
    within(
        DEFAULT,
        "a client accepted after the process ran out of descriptors",
        || {
            let server = start();
            let thread = server.thread();
            server.check(
                "after accept fails with EMFILE, the client stays in the backlog and the \
             listener keeps reporting POLLIN. Ask for nothing on the listener for \
             ACCEPT_PAUSE, and give poll a timeout that ends the pause: then accept \
             again, whether or not one of your own connections closed meanwhile",
                move |addr| {
                    // A first client comes and goes: the server is up, and holds no
                    // connection now.
                    let mut first = connect(addr);
                    echo::round_trip(&mut first, b"first\n", "a first client");
                    first.shutdown(Shutdown::Write).unwrap();
                    read_to_end(&mut first, "end-of-file after the first client's echo");
                    drop(first);
                    let mark = thread.asleep(
                        "a server with nothing to do sleeps in poll: no zero timeout, no \
                     POLLOUT on a socket with an empty outbox",
                    );

                    let mut held = exhaust_descriptors(LOW_LIMIT);
                    // One descriptor free: bob's end of the connection takes it, so the
                    // server's accept finds none left and fails with EMFILE.
                    held.free_one();
                    let mut bob = connect(addr);
                    thread.slept_again(
                        mark,
                        "to sleep after its accept failed with EMFILE",
                        "bob waits in the backlog, so the listener keeps reporting POLLIN: \
                     a loop that keeps asking for it wakes at once, for ever. Ask for \
                     nothing on it for ACCEPT_PAUSE",
                    );
                    // The test gives the descriptors back; the server's own
                    // connections have nothing to do with it.
                    drop(held);
                    bob.write_all(b"bob, at last\n").unwrap();
                    read_exactly(
                        &mut bob,
                        13,
                        "bob, who waited in the backlog while the process had no descriptor",
                        "bob was never accepted: descriptors came back, but the loop never \
                     asked for POLLIN on the listener again",
                    );
                },
            );
            server.stop();
        },
    );
}
