//! The `epoll-echo` binary, as the C10K benchmark (`cargo xtask bench`) uses it:
//! started on port 0, it must announce its address on its first line of stdout.
//! Run with `cargo test --test 06_binary`.
//!
//! Last on purpose: it runs the whole program, so it can only pass once every
//! step before it does.
#![cfg(target_os = "linux")]

use testkit::server::binary_announces_its_address_then_echoes;
use testkit::{deadline, within};

#[test]
fn the_binary_announces_its_address_and_echoes() {
    within(deadline::DEFAULT, "the epoll-echo binary", || {
        binary_announces_its_address_then_echoes(
            env!("CARGO_BIN_EXE_epoll-echo"),
            "print exactly `listening on {server.local_addr()}` and flush stdout, \
             before calling run",
        );
    });
}
