//! poll has no `FD_SETSIZE`: a client whose descriptor is 1024 or more is
//! served like any other. Run with `cargo test --test 03_fd_above_1024`.
//!
//! This file is a test binary of its own: it fills this process's descriptor
//! table on purpose, which would disturb any other test running beside it.

mod common;

use std::fs::File;
use std::os::fd::AsRawFd;

use common::start;
use testkit::net::connect;
use testkit::{deadline::DEFAULT, echo, within};

/// select's limit on Linux and macOS: an `fd_set` has this many bits.
const SELECT_LIMIT: usize = 1024;

/// Opens `/dev/null` until every descriptor below 1024 is taken, so that the
/// next sockets (the client's, then the server's accepted one) get numbers
/// above select's limit. Dropping the files frees them again.
fn take_every_descriptor_below_1024() -> Vec<File> {
    let mut files = Vec::new();
    loop {
        let file = File::open("/dev/null").expect("could not open /dev/null");
        // Descriptors are handed out lowest first: when this one is the last
        // below the limit, all those before it are in use.
        let last = file.as_raw_fd() as usize >= SELECT_LIMIT - 1;
        files.push(file);
        if last {
            return files;
        }
    }
}

#[test]
fn a_client_whose_descriptor_is_above_1024_is_served() {
    testkit::limits::raise_fd_limit(SELECT_LIMIT as u64 + 100);
    within(DEFAULT, "a client whose descriptor is above 1024", || {
        let server = start();
        server.check(
            "poll takes an array of pollfd structs, not a bitmap: any descriptor \
             number works; nothing needs refusing",
            |addr| {
                let _filler = take_every_descriptor_below_1024();
                let mut client = connect(addr);
                echo::round_trip(
                    &mut client,
                    b"served above select's limit\n",
                    "a client whose descriptor (and the server's) is above 1024",
                );
            },
        );
        server.stop();
    });
}
