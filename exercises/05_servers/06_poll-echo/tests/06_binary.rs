//! The `poll-echo` binary: started on port 0, it says where it listens on its
//! first line of stdout, then echoes. Run with `cargo test --test 06_binary`.
//!
//! Last on purpose: it runs the whole program, so it can only pass once every
//! step before it does.

use testkit::server::binary_announces_its_address_then_echoes;
use testkit::{deadline::DEFAULT, within};

#[test]
fn the_binary_announces_its_address_then_echoes() {
    within(DEFAULT, "the poll-echo binary", || {
        binary_announces_its_address_then_echoes(
            env!("CARGO_BIN_EXE_poll-echo"),
            "print exactly `listening on {server.local_addr()}`, with the real port",
        );
    });
}
