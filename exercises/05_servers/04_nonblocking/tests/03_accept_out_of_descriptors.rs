//! Step 2, continued: `accept_ready` keeps what it accepted when `accept` fails
//! half-way. Run with `cargo test --test 03_accept_out_of_descriptors`.
//!
//! This file is a test binary of its own: it takes every descriptor this
//! process may have, which would disturb any other test running beside it.

mod common;

use std::net::TcpListener;

use common::wait_for_queue;
use nonblocking::accept_ready;
use testkit::limits::exhaust_descriptors;
use testkit::net::connect;
use testkit::{deadline::DEFAULT, expect, within};

/// The descriptor limit while the test holds them all: low, so that taking
/// them all is quick.
const LOW_LIMIT: u64 = 256;

#[test]
fn a_failure_after_some_accepts_hands_out_what_was_accepted() {
    within(DEFAULT, "accept_ready running out of descriptors", || {
        let listener = TcpListener::bind("127.0.0.1:0").expect("could not bind 127.0.0.1:0");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let _clients: Vec<_> = (0..3).map(|_| connect(addr)).collect();
        wait_for_queue(&listener, 3);

        // One descriptor left: the first accept takes it, the second fails
        // with EMFILE ("Too many open files").
        let mut held = exhaust_descriptors(LOW_LIMIT);
        held.free_one();
        let first = accept_ready(&listener);
        drop(held);

        let first = expect::ok(
            "accept_ready that accepted one connection, then met EMFILE",
            first,
            "an error after some connections were accepted must not lose them: hand out \
             the list (the error will come again on the next call if it lasts); return \
             the error only when the list is empty",
        );
        expect::eq(
            "connections handed out before the process ran out of descriptors",
            &first.len(),
            &1,
            "stop at the first error that is not about one attempt, and return what \
             was accepted so far",
        );
        let rest = expect::ok(
            "accept_ready once descriptors are free again",
            accept_ready(&listener),
            "the two other clients still wait in the queue",
        );
        expect::eq(
            "connections accepted by the next call",
            &rest.len(),
            &2,
            "the clients that were not accepted stay in the queue for the next call",
        );
    });
}
