//! The `threaded-echo` binary: started on port 0, it says where it listens on its
//! first line of stdout, then echoes two clients at once. Run with
//! `cargo test --test 04_binary`.
//!
//! Last on purpose: it runs the whole program, so it can only pass once every
//! step before it does.

use std::time::Duration;

use testkit::net::connect;
use testkit::server::Binary;
use testkit::{echo, within};

#[test]
fn the_binary_announces_its_address_and_echoes() {
    within(Duration::from_secs(10), "the threaded-echo binary", || {
        let mut binary = Binary::start(
            env!("CARGO_BIN_EXE_threaded-echo"),
            "print exactly `listening on {server.local_addr()}`, with the real port",
        );
        binary.check(|addr| {
            let mut first = connect(addr);
            let mut second = connect(addr);
            // The second client first, while the first is connected and silent.
            echo::round_trip(&mut second, b"ping\n", "the second of two clients");
            echo::round_trip(&mut first, b"ping\n", "the first of two clients");
        });
    });
}
