//! `serve` gives up when `accept` fails for a reason that is not about one
//! connection, instead of spinning: here, the process has run out of file
//! descriptors (`EMFILE`). Run with `cargo test --test 04_out_of_descriptors`
//! (Linux only: elsewhere this file compiles to nothing).
//!
//! This file is a test binary of its own: it takes every descriptor this process
//! may have, which would disturb any other test running beside it.
#![cfg(target_os = "linux")]

use std::sync::mpsc;

use line_codec::serve;
use testkit::deadline::DEFAULT;
use testkit::expect;
use testkit::limits::exhaust_descriptors;
use testkit::net;

/// The descriptor limit while the test holds them all: low, so that taking them
/// all is quick.
const LOW_LIMIT: u64 = 256;

/// Linux's error number for "too many open files".
const EMFILE: i32 = 24;

#[test]
fn serve_returns_the_error_when_accept_runs_out_of_descriptors() {
    let listener = net::listener();
    // A client waits in the backlog, so that accept has a connection to take
    // and needs a new descriptor for it.
    let _client = net::connect(listener.local_addr().unwrap());
    let held = exhaust_descriptors(LOW_LIMIT);
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(serve(listener, 64));
    });
    let outcome = done_rx.recv_timeout(DEFAULT);
    drop(held);
    let outcome = match outcome {
        Ok(returned) => returned,
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("serve panicked (its message is above)")
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "serve did not return within {} s while every accept failed with EMFILE\n  \
             hint: skip only the accept errors that concern one connection \
             (ConnectionAborted, ConnectionReset, Interrupted); any other error, such as \
             running out of file descriptors, will not go away by itself, and retrying at \
             once is a busy loop. Return it",
            DEFAULT.as_secs()
        ),
    };
    let err = expect::err(
        "what serve returned when accept failed with EMFILE",
        outcome,
        "an accept error that is not about one connection ends serve with Err",
    );
    expect::eq(
        "the raw OS error serve returned",
        &err.raw_os_error(),
        &Some(EMFILE),
        "return the error from accept as it is",
    );
}
