//! The `forking-echo` binary: started on port 0, it says where it listens on its
//! first line of stdout, then serves two clients at once. Run with
//! `cargo test --test 04_binary`.
//!
//! Last on purpose: it runs the whole program, so it can only pass once every
//! step before it does.

use std::net::Shutdown;
use std::time::Duration;

use testkit::net::{connect, read_to_end};
use testkit::server::Binary;
use testkit::{echo, within};

#[test]
fn the_binary_announces_its_address_and_echoes() {
    within(Duration::from_secs(10), "the forking-echo binary", || {
        let mut binary = Binary::start(
            env!("CARGO_BIN_EXE_forking-echo"),
            "print exactly `listening on {server.local_addr()}`, with the real port",
        );
        binary.check(|addr| {
            let mut first = connect(addr);
            let mut second = connect(addr);
            echo::round_trip(&mut second, b"ping\n", "the second of two clients");
            echo::round_trip(&mut first, b"ping\n", "the first of two clients");
            // Leave politely, so the binary's children exit before it is killed.
            for mut stream in [first, second] {
                stream.shutdown(Shutdown::Write).unwrap();
                read_to_end(&mut stream, "end-of-file from the binary's child");
            }
        });
    });
}
