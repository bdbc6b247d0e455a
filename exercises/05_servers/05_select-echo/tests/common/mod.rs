//! This exercise's glue to the test kit: its `Server` on the kit's harness
//! (`testkit::server::Running`), and its hints for the kit's echo helpers.

#![allow(dead_code)] // each test file uses a different part of this module

use std::net::TcpStream;

use select_echo::Server;
use testkit::expect;
use testkit::server::{Hints, Running};

/// What the harness says when `run` misbehaves.
const HINTS: Hints = Hints {
    ended_early: "run loops until the wake-up socket is readable; an error of one client \
                  closes that client, never the server",
    stop_is_ok: "a stop is not an error: return Ok(()) when the wake-up socket is readable",
    stop_promptly: Some("put the wake-up socket in the read set on every turn"),
};

/// What an echo that stops coming back hints at.
const STALLED: &str = "what the socket would not take must wait in the outbox, and the \
                       socket must be in the write set while the outbox holds bytes";

/// Binds a `Server` on a free loopback port and runs it on a thread.
#[track_caller]
pub fn start() -> Running {
    let server = expect::ok(
        "Server::bind(\"127.0.0.1:0\")",
        Server::bind("127.0.0.1:0"),
        "bind is written for you: is the loopback interface up?",
    );
    let stopper = server.stopper();
    Running::start(
        "select server",
        server.local_addr(),
        HINTS,
        move || stopper.stop(),
        move || server.run(),
    )
}

/// Sends `payload` while reading its echo, and checks that it comes back intact.
#[track_caller]
pub fn echo_concurrently(client: &mut TcpStream, payload: &[u8], what: &str) {
    testkit::echo::echo_concurrently(client, payload, what, STALLED);
}

/// Reads exactly `len` bytes, each read bounded by the kit's timeout.
#[track_caller]
pub fn read_exactly(stream: &mut TcpStream, len: usize, what: &str) -> Vec<u8> {
    testkit::echo::read_exactly(stream, len, what, STALLED)
}
