//! Running out of file descriptors must not strand the clients in the backlog.
//! Run with `cargo test` (Linux only: elsewhere this file compiles to nothing).
//!
//! This file is a test binary of its own: it lowers this process's descriptor
//! limit and fills the table on purpose, which would disturb any other test
//! running beside it.
#![cfg(target_os = "linux")]

use std::fs::File;

use epoll_echo::Server;
use nix::sys::resource::{getrlimit, setrlimit, Resource};
use testkit::net::connect;
use testkit::server::{Hints, Running};
use testkit::{deadline::DEFAULT, echo, expect, within};

/// The soft limit while the table is filled: low, so filling it is quick.
const LOW_LIMIT: u64 = 256;

const HINTS: Hints = Hints {
    ended_early: "an accept that fails with EMFILE is reported on stderr, never returned \
                  from run",
    stop_is_ok: "a stop is not an error: return Ok(()) when the eventfd's token comes up",
    stop_promptly: None,
};

/// Opens `/dev/null` until the process has no descriptor left (`EMFILE`).
fn take_every_descriptor() -> Vec<File> {
    let mut files = Vec::new();
    for _ in 0..LOW_LIMIT {
        match File::open("/dev/null") {
            Ok(file) => files.push(file),
            Err(e) if e.raw_os_error() == Some(nix::libc::EMFILE) => return files,
            Err(e) => panic!("could not open /dev/null: {e}"),
        }
    }
    panic!("opened {LOW_LIMIT} files without reaching the descriptor limit");
}

#[test]
fn a_client_left_in_the_backlog_by_emfile_is_accepted_when_a_connection_closes() {
    within(
        DEFAULT,
        "a client accepted while the server has no descriptor left",
        || {
            let server = expect::ok(
                "Server::bind(\"127.0.0.1:0\")",
                Server::bind("127.0.0.1:0"),
                "bind a TcpListener, make it non-blocking, create the Epoll and the eventfd, \
             and register both",
            );
            let stopper = server.stopper();
            let server = Running::start(
                "epoll server",
                server.local_addr(),
                HINTS,
                move || stopper.stop(),
                move || server.run(),
            );
            server.check(
                "after accept failed with EMFILE, no new edge comes for the clients already \
             in the backlog: remember the failure, and accept again as soon as a \
             connection closes (it gives a descriptor back)",
                |addr| {
                    let mut alice = connect(addr);
                    echo::round_trip(&mut alice, b"alice, before\n", "alice");

                    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
                    setrlimit(Resource::RLIMIT_NOFILE, soft.min(LOW_LIMIT), hard)
                        .expect("setrlimit");
                    let mut filler = take_every_descriptor();
                    // One descriptor free: bob's end of the connection takes it, so
                    // the server's accept finds none left and fails with EMFILE.
                    drop(filler.pop());
                    let mut bob = connect(addr);
                    // The listener's edge came before alice's bytes: once her echo is
                    // back, the server has tried (and failed) to accept bob.
                    echo::round_trip(&mut alice, b"alice, during\n", "alice while bob waits");

                    drop(filler);
                    setrlimit(Resource::RLIMIT_NOFILE, soft, hard).expect("setrlimit");
                    // No new client arrives; alice leaves and frees a descriptor.
                    drop(alice);
                    echo::round_trip(
                        &mut bob,
                        b"bob, at last\n",
                        "bob, who waited in the backlog until alice left",
                    );
                },
            );
            server.stop();
        },
    );
}
