//! select cannot watch a file descriptor of 1024 or more. Run with
//! `cargo test --test 03_fd_setsize`.
//!
//! This file is a test binary of its own: it fills this process's descriptor
//! table on purpose, which would disturb any other test running beside it.

mod common;

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::os::fd::AsRawFd;

use common::start;
use select_echo::FD_SETSIZE;
use testkit::net::connect;
use testkit::{deadline::DEFAULT, echo, expect, within};

/// Opens `/dev/null` until every descriptor below `FD_SETSIZE - 1` is taken,
/// so that the next two sockets, the client's and then the server's accepted
/// one, get `FD_SETSIZE - 1` and `FD_SETSIZE`: the first number that has no
/// bit in an `fd_set`. Dropping the files frees them again.
fn take_every_descriptor_below_fd_setsize_but_one() -> Vec<File> {
    let mut files = Vec::new();
    loop {
        let file = File::open("/dev/null").expect("could not open /dev/null");
        // Descriptors are handed out lowest first: when this one is the last
        // but one below the limit, all those before it are in use.
        let last = file.as_raw_fd() as usize >= FD_SETSIZE - 2;
        files.push(file);
        if last {
            return files;
        }
    }
}

#[test]
fn a_client_beyond_fd_setsize_is_refused_and_the_others_are_served() {
    testkit::limits::raise_fd_limit(FD_SETSIZE as u64 + 100);
    within(
        DEFAULT,
        "a client whose descriptor is beyond FD_SETSIZE",
        || {
            let server = start();
            server.check(
                "FdSet::insert panics for a descriptor >= FD_SETSIZE (C's FD_SET would \
             write past the end of the set): check the number when you accept, and \
             close such a connection with a message on stderr",
                |addr| {
                    let filler = take_every_descriptor_below_fd_setsize_but_one();
                    // The client's socket takes FD_SETSIZE - 1; the server's
                    // end of it, FD_SETSIZE.
                    let mut refused = connect(addr);
                    let got = refused.read(&mut [0u8; 16]);
                    expect::that(
                        matches!(&got, Ok(0))
                            || matches!(&got, Err(e) if e.kind() == ErrorKind::ConnectionReset),
                        "a client the server cannot watch is closed at once (the client \
                     reads end-of-file)",
                        got.map_err(|e| e.kind()),
                        "drop the accepted stream whose as_raw_fd() >= FD_SETSIZE (this one \
                     is exactly FD_SETSIZE: the limit itself has no bit), after an \
                     eprintln! that says why",
                    );
                    drop(refused);
                    drop(filler);
                    let mut next = connect(addr);
                    echo::round_trip(
                        &mut next,
                        b"served below the limit\n",
                        "a client after the refused one",
                    );
                },
            );
            server.stop();
        },
    );
}
